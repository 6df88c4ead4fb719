"""One list envelope for the API: ``{"items": [...], "next_cursor": "..."}`` with ``cursor`` and ``limit``.

Every list is read by keyset: ordered by a unique integer (an id, a version), a page is the rows past the
last one the caller saw. The cursor names that row opaquely (URL-safe base64), so a client passes back
``next_cursor`` as it came and never builds one; ``next_cursor`` is null on the last page.

Until 0.3 a list that paged before also takes its old parameter (``before=<id>`` or ``after=<id>``, a bare
id); see CHANGELOG.md.
"""

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")

#: Rows a page holds when the caller does not say, and the most it may ask for.
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: The largest position a cursor may hold: the largest 64-bit id (a larger one means "past them all").
_MAX_POSITION = 2**63 - 1
#: A cursor: the position as 8 bytes, big-endian, in URL-safe base64 without padding. Any string of
#: this shape is a cursor, so the OpenAPI document tells a client (or a fuzzer) exactly what to send.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{11}$"


class Page(BaseModel, Generic[T]):
    """A page of a list. ``next_cursor``: pass it as ``cursor`` for the next page; null on the last one."""

    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class PageQuery:
    """Where a page starts (after the row at ``position``; the first page when None) and its size."""

    position: int | None
    limit: int


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(position.to_bytes(8, "big")).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor names (the schema has checked its shape)."""
    position = int.from_bytes(base64.urlsafe_b64decode(cursor + "="), "big")
    return min(position, _MAX_POSITION)


def cursor_for(position: int | None) -> str | None:
    """The cursor of a page that starts after ``position``; None when there is no next page."""
    return None if position is None else encode_cursor(position)


_CURSOR_DOC = "The next_cursor of the previous page; leave out for the first page."


def paging(
    default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT, old: str | None = None
) -> Callable[..., PageQuery]:
    """A dependency that reads ``cursor`` and ``limit``; with ``old``, also that deprecated parameter (a
    bare id, as the list took before 0.2)."""

    def limit_query() -> Any:
        return Query(default, ge=1, le=maximum, description=f"Rows per page (at most {maximum}).")

    if old is None:

        def read(
            cursor: Annotated[str | None, Query(pattern=CURSOR_PATTERN, description=_CURSOR_DOC)] = None,
            limit: int = limit_query(),
        ) -> PageQuery:
            return PageQuery(decode_cursor(cursor) if cursor else None, limit)

        return read

    def read_with_old(
        cursor: Annotated[str | None, Query(pattern=CURSOR_PATTERN, description=_CURSOR_DOC)] = None,
        limit: int = limit_query(),
        legacy: Annotated[
            int | None,
            Query(
                alias=old,
                ge=0,
                le=_MAX_POSITION,
                deprecated=True,
                description="Deprecated (removed in 0.3): use cursor.",
            ),
        ] = None,
    ) -> PageQuery:
        if cursor:
            return PageQuery(decode_cursor(cursor), limit)
        return PageQuery(legacy, limit)

    return read_with_old


#: The dependency of a list without an older way to page.
PageDep = Annotated[PageQuery, Depends(paging())]


def page(rows: Sequence[T], limit: int, key: Callable[[T], int]) -> Page[T]:
    """A page from up to ``limit + 1`` rows read in list order: the extra row only says there is more."""
    items = list(rows[:limit])
    more = len(rows) > limit and bool(items)
    return Page[Any](items=items, next_cursor=encode_cursor(key(items[-1])) if more else None)


def page_of(rows: Sequence[T], at: PageQuery, key: Callable[[T], int], descending: bool = False) -> Page[T]:
    """A page of a list already read whole (a club's campaigns, rewards, branches…): the rows past the
    cursor in the list's order (``key`` ascending, or descending)."""
    if at.position is not None:
        position = at.position
        rows = [r for r in rows if (key(r) < position if descending else key(r) > position)]
    return page(rows, at.limit, key)
