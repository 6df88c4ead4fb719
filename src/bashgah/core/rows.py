"""Finding a club's own row by id: the one lookup every domain makes before reading or changing a thing;
showing a row as its read schema, and a new row from its create schema.

The row must belong to the caller's tenant, so another club's id is answered as not found, never shown.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import NotFound

T = TypeVar("T")
S = TypeVar("S", bound=BaseModel)


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


def read_of(schema: type[S], row: object, **given: Any) -> S:
    """``schema`` filled from ``row``: each field the row has an attribute of the same name for is copied,
    and ``given`` sets the rest and whatever the answer shows differently (a name in the caller's
    language, a count, a computed status)."""
    copied = {
        name: getattr(row, name) for name in schema.model_fields if name not in given and hasattr(row, name)
    }
    return schema(**copied, **given)


def row_of(model: type[T], data: BaseModel, **given: Any) -> T:
    """A new ``model`` row from a create schema: each column the schema has a field of the same name for
    takes its value, and ``given`` sets the rest and whatever is stored differently from what was sent."""
    columns = cast(Any, model).__table__.columns
    taken = {
        name: getattr(data, name) for name in type(data).model_fields if name in columns and name not in given
    }
    return model(**taken, **given)
