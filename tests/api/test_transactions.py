"""One place runs a use case's transaction: it runs it again after a transient conflict, says which
constraint a real conflict broke (never the values), and answers 409 when a conflict persists."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from bashgah.core.db import Database
from bashgah.models import Branch
from bashgah.purchases import service as purchases
from support import Club, assert_refused, enrol, purchase


class _Orig(Exception):
    """What a driver raises for a transient conflict: PostgreSQL's SQLSTATE, or SQLite's error name."""

    def __init__(self, db: Database) -> None:
        super().__init__("could not serialize access" if not db.is_sqlite else "database is locked")
        if db.is_sqlite:
            self.sqlite_errorname = "SQLITE_BUSY"
        else:
            self.sqlstate = "40001"


def failing_first(db: Database, times: int, real: Any) -> tuple[Any, list[int]]:
    calls: list[int] = []

    async def record(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("INSERT INTO purchases …", {}, _Orig(db))
        return await real(*args, **kwargs)

    return record, calls


async def test_a_sale_that_meets_a_transient_conflict_is_run_again_and_recorded_once(
    client: httpx.AsyncClient,
    club: Club,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    member = await enrol(client, club, "09121234567")
    record, calls = failing_first(db, 2, purchases.record)
    monkeypatch.setattr(purchases, "record", record)
    with caplog.at_level(logging.WARNING, logger="bashgah.api"):
        response = await purchase(client, club, member["id"], 100_000)
    assert response.status_code == 201, response.text
    assert len(calls) == 3
    retries = [r.getMessage() for r in caplog.records if "transient database conflict" in r.getMessage()]
    assert len(retries) == 2
    kind = "SQLITE_BUSY" if db.is_sqlite else "40001"
    assert all(kind in line and "POST /api/v1/purchases" in line for line in retries), retries
    assert not any("0912" in r.getMessage() or "1234567" in r.getMessage() for r in caplog.records)
    sale = await client.get(f"/api/v1/purchases/{response.json()['id']}", headers=club.headers())
    assert sale.status_code == 200


async def test_a_conflict_that_persists_is_a_409_busy_after_the_bounded_retries(
    client: httpx.AsyncClient, club: Club, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = await enrol(client, club)
    record, calls = failing_first(db, 100, purchases.record)
    monkeypatch.setattr(purchases, "record", record)
    response = await purchase(client, club, member["id"], 100_000)
    assert_refused(response, 409, "busy")
    assert len(calls) == 4  # the first try and three retries (settings.transaction_retries)


async def test_an_integrity_conflict_logs_the_constraint_it_broke_and_no_values(
    client: httpx.AsyncClient,
    club: Club,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    member = await enrol(client, club)

    async def record(session: Any, who: Any, data: Any, lang: str) -> Any:
        # A concurrent request got there first: a second branch "main" breaks (tenant_id, code).
        session.add(Branch(tenant_id=who.tenant_id, code="main", name="secret-name-0912", kind="store"))
        await session.flush()

    monkeypatch.setattr(purchases, "record", record)
    with caplog.at_level(logging.WARNING, logger="bashgah.api"):
        response = await purchase(client, club, member["id"], 100_000)
    assert_refused(response, 409, "conflict")
    lines = [r.getMessage() for r in caplog.records if "integrity conflict" in r.getMessage()]
    assert lines, [r.getMessage() for r in caplog.records]
    expected = "branches.tenant_id, branches.code" if db.is_sqlite else "uq_branches_tenant_id_code"
    assert expected in lines[-1], lines
    assert "secret-name" not in caplog.text
