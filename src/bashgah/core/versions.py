"""Rows kept as versioned definitions (campaigns, stamp cards): the row holds the current version of a
definition validated by a Pydantic schema; an edit writes the next version, so what was given under an
older one keeps naming it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel


class Definition(Protocol):
    """A definition's schema: it says whether the thing is active and dumps itself as JSON."""

    @property
    def active(self) -> bool: ...

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...


class Versioned(Protocol):
    """A row holding the current version of a definition."""

    id: int
    version: int
    active: bool
    definition: dict[str, Any]
    created_at: datetime
    updated_at: datetime


S = TypeVar("S", bound=BaseModel)


def first_version(data: Definition, now: datetime) -> dict[str, Any]:
    """The columns of a new row: version 1 of ``data``."""
    return {
        "version": 1,
        "active": data.active,
        "definition": data.model_dump(mode="json"),
        "created_at": now,
        "updated_at": now,
    }


def next_version(row: Versioned, data: Definition, now: datetime) -> dict[str, Any]:
    """Make ``data`` the row's next version; the stored definition is returned (for a history row)."""
    row.version += 1
    row.definition = data.model_dump(mode="json")
    row.active = data.active
    row.updated_at = now
    return row.definition


def read_fields(row: Versioned, schema: type[S]) -> dict[str, Any]:
    """The fields every read of a versioned row shows: id, version, times and the parsed definition."""
    return {
        "id": row.id,
        "version": row.version,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "definition": schema.model_validate(row.definition),
    }
