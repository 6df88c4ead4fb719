"""The shapes the Alembic revisions share: ids, moments, a club's tables and their named keys.

A released revision is history: it must build the same schema for ever. So a function here never changes
what it produces — a new shape gets a new function. Every name is the one the models' naming convention
gives (``fk_<table>_<column>_<target>``, ``pk_<table>``, ``uq_<table>_<columns>``), passed through
``op.f`` so that it is used as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

#: Every id and every column holding one: BIGINT, INTEGER on SQLite (where an integer key is the rowid).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def ref(name: str, *, nullable: bool = False, **options: Any) -> sa.Column[Any]:
    """A column holding a row's id."""
    return sa.Column(name, ID, nullable=nullable, **options)


def moment(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A point in time, with its zone."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def string(name: str, length: int, *, nullable: bool = False, **options: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length=length), nullable=nullable, **options)


def amount(name: str, *, nullable: bool = False, **options: Any) -> sa.Column[Any]:
    """Points or rials: BIGINT."""
    return sa.Column(name, sa.BigInteger(), nullable=nullable, **options)


def number(name: str, *, nullable: bool = False, **options: Any) -> sa.Column[Any]:
    """A count or a setting: INTEGER."""
    return sa.Column(name, sa.Integer(), nullable=nullable, **options)


def document(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A JSON value."""
    return sa.Column(name, sa.JSON(), nullable=nullable)


def flag(name: str, **options: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.Boolean(), nullable=False, **options)


def tenant_id() -> sa.Column[Any]:
    return ref("tenant_id")


def id_pk() -> sa.Column[Any]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def created_at() -> sa.Column[Any]:
    return moment("created_at")


def index(name: str, *columns: str, unique: bool = False) -> sa.Index:
    return sa.Index(op.f(name), *columns, unique=unique)


def create_table(
    name: str,
    *columns: sa.Column[Any],
    refs: Mapping[str, str] | None = None,
    key: Sequence[str] = ("id",),
    unique: Iterable[Sequence[str]] = (),
    checks: Iterable[sa.CheckConstraint] = (),
    indexes: Iterable[sa.Index] = (),
) -> None:
    """A table with its keys: ``refs`` maps a column to the table whose id it holds; ``key`` is the
    primary key; each of ``unique`` a unique constraint; ``indexes`` are built with the table."""
    foreign_keys = [
        sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{name}_{column}_{target}"))
        for column, target in sorted((refs or {}).items())
    ]
    op.create_table(
        name,
        *columns,
        *checks,
        *foreign_keys,
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")),
        *(sa.UniqueConstraint(*group, name=op.f(f"uq_{name}_{'_'.join(group)}")) for group in unique),
        *indexes,
    )


def create_club_table(
    name: str,
    *columns: sa.Column[Any],
    refs: Mapping[str, str] | None = None,
    stamped: bool = True,
    **table: Any,
) -> None:
    """A table of one club's rows: ``tenant_id`` first, then ``columns``, then the row's id and, when
    ``stamped``, the moment it was made."""
    tail = [id_pk(), created_at()] if stamped else [id_pk()]
    create_table(name, tenant_id(), *columns, *tail, refs={"tenant_id": "tenants", **(refs or {})}, **table)
