"""Client-made idempotency keys (the ``Idempotency-Key`` header).

The record is inserted *first*, inside the use case's transaction: a second request with the same key
waits on the unique index until the first commits, then replays its response. Same key and same request
→ the first response again and one effect; same key and a different request → 409.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import IdempotencyConflict, InvalidInput
from bashgah.models import IdempotencyRecord, utcnow


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= 200:
        raise InvalidInput("Idempotency-Key", "1 to 200 characters", "۱ تا ۲۰۰ نویسه", "Idempotency-Key")
    return key


async def replay(session: AsyncSession, tenant_id: int, key: str, fp: str) -> tuple[int, Any] | None:
    row = (
        await session.execute(
            select(
                IdempotencyRecord.fingerprint, IdempotencyRecord.status_code, IdempotencyRecord.response
            ).where(IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key)
        )
    ).first()
    if row is None:
        return None
    if row[0] != fp:
        raise IdempotencyConflict()
    return row[1], row[2]


async def claim(session: AsyncSession, tenant_id: int, key: str, fp: str) -> int:
    """Insert the record for this key; raises IntegrityError when another request holds it."""
    record_id = await session.scalar(
        insert(IdempotencyRecord)
        .values(
            tenant_id=tenant_id, key=key, fingerprint=fp, status_code=0, response=None, created_at=utcnow()
        )
        .returning(IdempotencyRecord.id)
    )
    assert record_id is not None
    return record_id


async def store(session: AsyncSession, record_id: int, status_code: int, response: Any) -> None:
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id)
        .values(status_code=status_code, response=response)
    )


def is_claim_conflict(error: IntegrityError) -> bool:
    text = str(error.orig).lower()
    return "idempotency_records" in text or "uq_idempotency_records" in text
