"""Client-made idempotency keys (the ``Idempotency-Key`` header).

The response is stored with its key inside the use case's transaction. Same key and same request → the
first response again and one effect; same key and a different request → 409.

A key belongs to whoever sent it — the API key, or the signed-in staff member of a page (the principal's
``actor``) — not to the whole club: two tills that happen to make the same key each record their own sale.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

import orjson
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import IdempotencyConflict, InvalidInput
from bashgah.models import IdempotencyRecord, utcnow


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise InvalidInput("Idempotency-Key", "1 to 200 characters", "۱ تا ۲۰۰ نویسه", "Idempotency-Key")
    return key


def _owned(who: Principal, key: str) -> Any:
    return (
        (IdempotencyRecord.tenant_id == who.tenant_id)
        & (IdempotencyRecord.scope == who.actor)
        & (IdempotencyRecord.key == key)
    )


async def replay(session: AsyncSession, who: Principal, key: str, fp: str) -> tuple[int, Any] | None:
    row = (
        await session.execute(
            select(
                IdempotencyRecord.fingerprint, IdempotencyRecord.status_code, IdempotencyRecord.response
            ).where(_owned(who, key))
        )
    ).first()
    if row is None:
        return None
    if row[0] != fp:
        raise IdempotencyConflict()
    return row[1], row[2]


async def recall(session: AsyncSession, who: Principal, key: str) -> Any | None:
    """The response stored with ``key`` (to show again what a form's action did), or None."""
    return await session.scalar(select(IdempotencyRecord.response).where(_owned(who, key)))


async def remember(
    session: AsyncSession, who: Principal, key: str, fp: str, status_code: int, response: Any
) -> None:
    """Store the response with its key, in the transaction that produced it.

    A concurrent request with the same key fails here on the unique index (or earlier, on a lock or a
    unique receipt number) and is answered from this record once it is committed.
    """
    connection = await session.connection()
    await connection.execute(
        _INSERT_RECORD,
        {
            "tenant_id": who.tenant_id,
            "scope": who.actor,
            "key": key,
            "fingerprint": fp,
            "status_code": status_code,
            "response": response,
            "created_at": utcnow(),
        },
    )


_INSERT_RECORD = insert(cast(Table, IdempotencyRecord.__table__))
