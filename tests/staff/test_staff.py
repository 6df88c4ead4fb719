"""Staff members: roles, branch for cashiers, and disabling someone stops their keys."""

from __future__ import annotations

import httpx
import pytest

from bashgah.auth import service as auth
from bashgah.core.db import Database
from bashgah.core.errors import Conflict, InvalidInput
from bashgah.staff import service as staff
from bashgah.tenants import service as tenants
from support import Club


async def test_a_cashier_must_work_at_a_branch_and_usernames_are_unique(db: Database, club: Club) -> None:
    async with db.transaction() as session:
        with pytest.raises(InvalidInput):
            await staff.add(session, club.tenant_id, "sara", "سارا", "cashier")
        main = await tenants.resolve_branch(session, club.tenant_id, "main", None)
        person = await staff.add(session, club.tenant_id, "Sara", "سارا كريمي", "cashier", main.id)
        assert person.username == "sara" and person.full_name == "سارا کریمی"
        with pytest.raises(Conflict):
            await staff.add(session, club.tenant_id, "sara", "another", "manager")


async def test_disabling_a_staff_member_revokes_their_keys(
    db: Database, club: Club, client: httpx.AsyncClient
) -> None:
    async with db.transaction() as session:
        main = await tenants.resolve_branch(session, club.tenant_id, "main", None)
        person = await staff.add(session, club.tenant_id, "ali", "علی", "cashier", main.id)
        _, key = await auth.create(session, club.tenant_id, "till", "cashier", main.id, person.id)
    headers = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/api/v1/branches", headers=headers)).status_code == 200
    async with db.transaction() as session:
        await staff.disable(session, club.tenant_id, "ali")
    response = await client.get("/api/v1/branches", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
