"""Hand-made data for the report tests: members and purchases at exact moments, by direct inserts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bashgah.analytics.reports import Params, Report, run_report
from bashgah.auth.service import Principal
from bashgah.core.db import Database
from bashgah.models import Branch, Member, Purchase, PurchaseItem

_numbers = itertools.count(1)

#: The moment every hand-made report is computed at.
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


def days_ago(days: float, at: datetime = AS_OF) -> datetime:
    return at - timedelta(days=days)


@dataclass
class Item:
    category: str | None
    quantity: int
    unit_price: int
    unit_cost: int | None = None
    refunded_quantity: int = 0


async def add_member(
    db: Database, tenant_id: int, name: str = "", enrolled: datetime = datetime(2024, 1, 1, tzinfo=UTC)
) -> int:
    n = next(_numbers)
    async with db.transaction() as session:
        member = Member(
            tenant_id=tenant_id,
            mobile=f"+98912{n:07d}",
            first_name=name,
            card_number=f"{n:016d}",
            created_at=enrolled,
        )
        session.add(member)
        await session.flush()
        return member.id


async def add_purchase(
    db: Database,
    tenant_id: int,
    member_id: int,
    at: datetime,
    total: int,
    refunded: int = 0,
    items: list[Item] | None = None,
    branch: str = "main",
) -> int:
    async with db.transaction() as session:
        branch_id = await session.scalar(
            select(Branch.id).where(Branch.tenant_id == tenant_id, Branch.code == branch)
        )
        assert branch_id is not None
        purchase = Purchase(
            tenant_id=tenant_id,
            branch_id=branch_id,
            member_id=member_id,
            external_id=f"H-{next(_numbers)}",
            total_rials=total,
            discount_rials=0,
            points_earned=0,
            points_redeemed=0,
            available_at=at,
            occurred_at=at,
            refunded_rials=refunded,
            points_reversed=0,
            points_returned=0,
        )
        session.add(purchase)
        await session.flush()
        for item in items or []:
            session.add(
                PurchaseItem(
                    purchase_id=purchase.id,
                    sku=f"SKU-{next(_numbers)}",
                    category=item.category,
                    quantity=item.quantity,
                    unit_price_rials=item.unit_price,
                    unit_cost_rials=item.unit_cost,
                    refunded_quantity=item.refunded_quantity,
                )
            )
        return purchase.id


async def report(db: Database, tenant_id: int, name: str, lang: str = "en", **params: object) -> Report:
    params.setdefault("as_of", AS_OF)
    async with db.transaction() as session:
        who = Principal(tenant_id, "owner", None, None)
        return await run_report(session, who, name, lang, Params(**params))  # type: ignore[arg-type]
