"""Property-based run over the whole OpenAPI document (schemathesis), on SQLite and PostgreSQL.

Every operation gets a bounded number of generated requests, sent in-process to the ASGI app of a seeded
club with the owner's key. No answer may be a server error, and every answer must match what the
document declares: a documented status, its content type and its schema (the error envelope included).
Kept to well under two minutes on two cores by ``MAX_EXAMPLES``.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from bashgah.api.app import create_app
from bashgah.core.cache import clear_all as clear_caches
from bashgah.core.config import Settings
from bashgah.core.db import Database, create_engine
from bashgah.members import service as members
from bashgah.members.schemas import MemberCreate
from bashgah.models import Base
from support import make_club

MAX_EXAMPLES = int(os.environ.get("BASHGAH_SCHEMATHESIS_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


async def _seed(url: str, postgres: bool) -> str:
    """An empty database (the PostgreSQL one is shared with the session: emptied) with one club."""
    engine = create_engine(url, pool_size=1)
    async with engine.begin() as connection:
        if postgres:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()
    clear_caches()
    db = Database(url, pool_size=2)
    try:
        club = await make_club(db, "fuzz")
        async with db.transaction() as session:
            for n in range(3):
                await members.create(session, club.tenant_id, MemberCreate(mobile=f"0912000000{n}"))
    finally:
        await db.dispose()
    return club.keys["owner"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api_schema(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz')}/bashgah.db"
    key = asyncio.run(_seed(url, request.param == "postgres"))
    app = create_app(Settings(database_url=url, scheduler=False, pool_size=4))
    app.state.fuzz_key = key
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_operation_answers_as_documented_and_never_with_a_server_error(api_schema: Any) -> None:
    headers = {"Authorization": f"Bearer {api_schema.app.state.fuzz_key}"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
            )
            def answers_as_documented(case: Any) -> None:
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                statuses[response.status_code // 100] += 1

            try:
                answers_as_documented()
            except Unsatisfiable:
                continue  # nothing to make invalid (an operation without parameters or body)
            except (Exception, BaseExceptionGroup) as error:
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert operations > 50
    assert statuses[2] > operations, statuses  # the key works: most operations answered a success too
    assert not failures, "\n\n".join(failures)
