"""The floor that ``bench/earn.py`` measures Bashgah against: the least a purchase endpoint can do.

A FastAPI app served by uvicorn exactly like ``bashgah serve`` (one worker, asyncio loop, no access
log). ``POST /api/v1/purchases`` takes the same JSON body Bashgah takes (validated by a small Pydantic
model), then in ONE transaction does one INSERT of a purchase-like row and one balance UPDATE::

    INSERT INTO purchases (...) VALUES (...) RETURNING id
    UPDATE accounts SET posted = posted + :points WHERE id = :member RETURNING posted

and answers 201 with a small JSON body. No auth, no idempotency record, no ledger, no ORM.

Driver: SQLAlchemy 2 async **Core** (``text()`` statements on an ``AsyncEngine``) over the same
drivers Bashgah uses — asyncpg for PostgreSQL, aiosqlite for SQLite — on Bashgah's own engine
(``bashgah.core.db.create_engine``): a pool of 20 (+20 overflow) on PostgreSQL; on SQLite WAL, synchronous=NORMAL,
``BEGIN IMMEDIATE`` and one writer at a time behind an asyncio lock. On PostgreSQL the tables live in
their own schema ``baseline`` (set as the connection's search_path) inside the bench database, so the
baseline never touches Bashgah's own ``accounts``.

Configured by one environment variable, ``BASHGAH_BENCH_BASELINE_URL``. Run by the bench as::

    python -m uvicorn baseline_app:create_app --factory --app-dir bench --port P --no-access-log
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime

from fastapi import FastAPI, Header
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bashgah.core.db import create_engine as bashgah_engine
from bashgah.core.db import is_sqlite_url as is_sqlite

URL_ENV = "BASHGAH_BENCH_BASELINE_URL"
PG_SCHEMA = "baseline"
#: The same earn rule as Bashgah's default programme: 1 point per 10,000 rials, floored.
EARN_PER_RIALS = 10_000

#: The baseline's two tables, written once: ``{id}``, ``{serial}`` and ``{moment}`` are each database's words.
_TABLES = [
    "CREATE TABLE accounts (id {id} PRIMARY KEY, posted BIGINT NOT NULL DEFAULT 0)",
    """CREATE TABLE purchases (
        id {serial},
        tenant_id BIGINT NOT NULL,
        branch_code VARCHAR(64) NOT NULL,
        member_id BIGINT NOT NULL REFERENCES accounts (id),
        external_id VARCHAR(64) NOT NULL,
        total_rials BIGINT NOT NULL,
        points_earned BIGINT NOT NULL,
        occurred_at {moment} NOT NULL,
        created_at {moment} NOT NULL,
        UNIQUE (tenant_id, branch_code, external_id)
    )""",
    "CREATE INDEX ix_purchases_member ON purchases (member_id, id)",
]
_WORDS_PG = {"id": "BIGINT", "serial": "BIGSERIAL PRIMARY KEY", "moment": "TIMESTAMPTZ"}
_WORDS_SQLITE = {"id": "INTEGER", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "moment": "DATETIME"}
_DDL_PG = [
    f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE",
    f"CREATE SCHEMA {PG_SCHEMA}",
    *(table.format(**_WORDS_PG) for table in _TABLES),
]
_DDL_SQLITE = [
    "DROP TABLE IF EXISTS purchases",
    "DROP TABLE IF EXISTS accounts",
    *(table.format(**_WORDS_SQLITE) for table in _TABLES),
]

_INSERT = text(
    "INSERT INTO purchases (tenant_id, branch_code, member_id, external_id, total_rials, points_earned,"
    " occurred_at, created_at)"
    " VALUES (:tenant_id, :branch_code, :member_id, :external_id, :total_rials, :points_earned,"
    " :occurred_at, :created_at) RETURNING id"
)
_UPDATE = text("UPDATE accounts SET posted = posted + :points WHERE id = :member_id RETURNING posted")


def create_engine(url: str) -> AsyncEngine:
    """Bashgah's own engine (``bashgah.core.db.create_engine``); on PostgreSQL the baseline's schema first."""
    if is_sqlite(url):
        return bashgah_engine(url)
    return bashgah_engine(url, connect_args={"server_settings": {"search_path": PG_SCHEMA}})


async def prepare(url: str, account_ids: Iterable[int]) -> None:
    """Create the baseline's two tables (dropping old ones) and one zero balance per account id."""
    sqlite = is_sqlite(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in _DDL_SQLITE if sqlite else _DDL_PG:
                await conn.execute(text(statement))
                if not sqlite and statement.startswith("CREATE SCHEMA"):
                    await conn.execute(text(f"SET LOCAL search_path TO {PG_SCHEMA}"))
            await conn.execute(
                text("INSERT INTO accounts (id, posted) VALUES (:id, 0)"), [{"id": i} for i in account_ids]
            )
    finally:
        await engine.dispose()


async def count_rows(url: str) -> tuple[int, int, int]:
    """(purchases, sum of their points, sum of the balances): the last two must be equal."""
    sqlite = is_sqlite(url)
    engine = create_async_engine(url)
    prefix = "" if sqlite else f"{PG_SCHEMA}."
    try:
        async with engine.connect() as conn:
            n, points = (
                await conn.execute(
                    text(f"SELECT count(*), coalesce(sum(points_earned), 0) FROM {prefix}purchases")
                )
            ).one()
            posted = (
                await conn.execute(text(f"SELECT coalesce(sum(posted), 0) FROM {prefix}accounts"))
            ).scalar()
        return int(n), int(points), int(posted or 0)
    finally:
        await engine.dispose()


class MemberRef(BaseModel):
    id: int


class ItemIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    category: str | None = None
    quantity: int = Field(1, ge=1)
    unit_price_rials: int = Field(ge=0)


class PurchaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member: MemberRef
    branch: str = Field(max_length=64)
    external_id: str = Field(min_length=1, max_length=64)
    total_rials: int = Field(gt=0)
    items: list[ItemIn] = Field(default_factory=list)
    redeem_points: int = 0
    occurred_at: datetime | None = None


def create_app() -> FastAPI:
    url = os.environ[URL_ENV]
    engine = create_engine(url)
    # SQLite has one writer: wait for it on the event loop instead of spinning on SQLITE_BUSY.
    writer = asyncio.Lock() if is_sqlite(url) else None

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncConnection]:
        async with contextlib.AsyncExitStack() as stack:
            if writer is not None:
                await stack.enter_async_context(writer)
            yield await stack.enter_async_context(engine.begin())

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(title="Bashgah bench baseline", lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/purchases", status_code=201)
    async def record_purchase(
        body: PurchaseIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
    ) -> dict[str, int]:
        now = datetime.now(UTC)
        points = body.total_rials // EARN_PER_RIALS
        async with transaction() as conn:
            purchase_id = (
                await conn.execute(
                    _INSERT,
                    {
                        "tenant_id": 1,
                        "branch_code": body.branch,
                        "member_id": body.member.id,
                        "external_id": body.external_id,
                        "total_rials": body.total_rials,
                        "points_earned": points,
                        "occurred_at": body.occurred_at or now,
                        "created_at": now,
                    },
                )
            ).scalar_one()
            posted = (
                await conn.execute(_UPDATE, {"points": points, "member_id": body.member.id})
            ).scalar_one()
        return {"id": purchase_id, "points_earned": points, "balance": posted}

    return app
