"""Factories for tests: a club with keys, members, purchases — made through the real services."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from bashgah.auth import service as auth
from bashgah.core.config import get_settings
from bashgah.core.db import Database
from bashgah.tenants import service as tenants
from bashgah.tenants.schemas import BranchCreate

_counter = itertools.count(1)

#: The ``cli`` fixture (tests/conftest.py): ``await cli("import", "purchases", path, "-t", "alpha")``.
Cli = Callable[..., Awaitable[Result]]


def run_command(database_url: str, args: Sequence[str], typed: str = "") -> Result:
    """``bashgah ARGS`` in this process against the database, with ``typed`` on its standard input: the
    command reads its settings afresh, as a new process would, without the start-up of one."""
    from bashgah.cli.main import app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BASHGAH_DATABASE_URL", database_url)
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(app, list(args), input=typed or None)
        finally:
            get_settings.cache_clear()


@dataclass
class Club:
    tenant_id: int
    slug: str
    keys: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str = "owner", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}", **extra}


async def make_club(db: Database, slug: str, **program: Any) -> Club:
    async with db.transaction() as session:
        tenant = await tenants.create_tenant(session, slug, f"Club {slug}", **program)
        for code in ("main", "online"):
            await tenants.create_branch(
                session,
                tenant.id,
                BranchCreate(code=code, name=code, kind="online" if code == "online" else "store"),
            )
        club = Club(tenant_id=tenant.id, slug=slug)
        for role in auth.ROLES:
            _, club.keys[role] = await auth.create(session, tenant.id, f"{role} key", role)
    return club


def free_port() -> int:
    """A TCP port nobody listens on now, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_mobile() -> str:
    return f"0912{next(_counter):07d}"


async def enrol(
    client: httpx.AsyncClient, club: Club, mobile: str | None = None, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/members", json={"mobile": mobile or new_mobile(), **fields}, headers=club.headers()
    )
    assert response.status_code == 201, response.text
    return response.json()


def sale_body(member_id: int, total: int, redeem: int = 0, **fields: Any) -> dict[str, Any]:
    """The JSON of a sale at the branch ``main``; ``fields`` add to it or change it. Tests that replay one
    receipt pass a fixed ``external_id``; :func:`purchase` gives each sale its own."""
    return {
        "member": {"id": member_id},
        "branch": "main",
        "total_rials": total,
        "redeem_points": redeem,
        **fields,
    }


async def purchase(
    client: httpx.AsyncClient,
    club: Club,
    member_id: int,
    total: int,
    redeem: int = 0,
    key: str | None = None,
    role: str = "owner",
    **fields: Any,
) -> httpx.Response:
    """A sale at the branch ``main`` with a receipt number and an idempotency key of its own, sent with
    the ``role``'s key; ``fields`` add to the sale or change it. The one way the tests record a sale."""
    n = next(_counter)
    body = sale_body(member_id, total, redeem, **{"external_id": f"R-{n}", **fields})
    return await client.post(
        "/api/v1/purchases", json=body, headers=club.headers(role, **{"Idempotency-Key": key or f"k-{n}"})
    )


async def give_points(client: httpx.AsyncClient, club: Club, member_id: int, points: int) -> None:
    response = await client.post(
        f"/api/v1/members/{member_id}/adjustments",
        json={"points": points, "reason": "test setup"},
        headers=club.headers("owner", **{"Idempotency-Key": f"give-{next(_counter)}"}),
    )
    assert response.status_code == 201, response.text


async def balance(client: httpx.AsyncClient, club: Club, member_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/v1/members/{member_id}/balance", headers=club.headers())
    assert response.status_code == 200, response.text
    return response.json()


# --- helpers for the behaviour suite (tests/api, members, purchases, redemptions, ledger, auth) -----


def error_code(response: httpx.Response) -> str:
    """The machine code of an error response, after checking the error's JSON shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    code: str = body["error"]["code"]
    return code


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    """The request was refused with ``status`` and the error ``code``."""
    assert response.status_code == status, response.text
    assert error_code(response) == code


async def set_program(client: httpx.AsyncClient, club: Club, **settings: Any) -> dict[str, Any]:
    response = await client.patch("/api/v1/programme", json=settings, headers=club.headers("owner"))
    assert response.status_code == 200, response.text
    return response.json()


async def refund(
    client: httpx.AsyncClient, club: Club, purchase_id: int, key: str | None = None, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/purchases/{purchase_id}/refunds",
        json=body,
        headers=club.headers("owner", **{"Idempotency-Key": key or f"refund-{next(_counter)}"}),
    )


async def reserve(
    client: httpx.AsyncClient,
    club: Club,
    member_id: int,
    points: int,
    key: str | None = None,
    role: str = "cashier",
    **fields: Any,
) -> httpx.Response:
    return await client.post(
        "/api/v1/redemptions",
        json={"member": {"id": member_id}, "points": points, "branch": "main", **fields},
        headers=club.headers(role, **{"Idempotency-Key": key or f"hold-{next(_counter)}"}),
    )


async def bought(
    client: httpx.AsyncClient, club: Club, member_id: int, total: int, **fields: Any
) -> dict[str, Any]:
    """A sale that must succeed (201); returns its body. ``redeem``, ``key``, ``role`` and the sale's own
    fields (``items``, ``occurred_at``, ``coupon``…) go through to :func:`purchase`."""
    response = await purchase(client, club, member_id, total, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def add_key(db: Database, club: Club, name: str, role: str, branch: str | None = None) -> str:
    """Another API key of the club (optionally scoped to a branch code); returns the plaintext."""
    async with db.transaction() as session:
        branch_id = (
            (await tenants.resolve_branch(session, club.tenant_id, branch, None)).id if branch else None
        )
        _, plaintext = await auth.create(session, club.tenant_id, name, role, branch_id)
    return plaintext


async def execute(db: Database, statement: Any) -> None:
    """Run one statement in its own transaction — for tests that move time or corrupt data on purpose."""
    async with db.transaction() as session:
        await session.execute(statement)


async def ledger_problems(db: Database) -> list[str]:
    """What ``bashgah ledger verify`` would report (empty when the ledger is exact)."""
    from bashgah.ledger.verify import verify

    async with db.transaction() as session:
        report = await verify(session)
    return report.problems
