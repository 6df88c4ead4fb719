"""Finding a club's own row by id: the one lookup every domain makes before reading or changing a thing.

The row must belong to the caller's tenant, so another club's id is answered as not found, never shown.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import NotFound

T = TypeVar("T")


async def owned(
    session: AsyncSession,
    model: type[T],
    tenant_id: int,
    row_id: int,
    what: tuple[str, str],
    lock: bool = False,
) -> T:
    """The tenant's ``model`` row with this id, or :class:`NotFound` naming ``what`` (English, Persian).

    With ``lock`` the row is locked for the transaction (``FOR UPDATE``) and re-read under the lock, so
    what another transaction committed before the lock is what the caller sees."""
    columns = cast(Any, model)
    query = select(model).where(columns.tenant_id == tenant_id, columns.id == row_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = await session.scalar(query)
    if row is None:
        raise NotFound(*what)
    return row


async def all_owned(session: AsyncSession, model: type[T], tenant_id: int) -> list[T]:
    """Every ``model`` row of the tenant, oldest first (by id)."""
    columns = cast(Any, model)
    found = await session.scalars(select(model).where(columns.tenant_id == tenant_id).order_by(columns.id))
    return list(found.all())
