"""``bashgah demo``: a chain store's club with six months of history, made once, through the real paths.

Members and purchases go through the bulk importers (so the demo also shows that importing works),
each member with the day they joined and each sale's points dated at the sale; refunds go through
``purchases.refunds.refund`` like a return at the till, each replayed at the hour the customer came back
(:func:`bashgah.core.clock.replaying`). So every date of the club is its history's, not the day the demo
was made: members joined over the months before their first purchase, returns follow their sale. The
programme (tiers, campaigns, rewards, the gift card) starts today. The tenant is made only when it does
not exist yet; running the demo again only issues a new API key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth import service as auth
from bashgah.auth.service import Principal
from bashgah.core.clock import replaying
from bashgah.core.jalali import TEHRAN
from bashgah.core.normalize import normalize_phone
from bashgah.demo import generate
from bashgah.demo import programme as demo_programme
from bashgah.importing.columns import MEMBER_COLUMNS, PURCHASE_COLUMNS
from bashgah.importing.members import import_members, read_members
from bashgah.importing.purchases import import_purchases, read_purchases
from bashgah.importing.report import Progress, no_progress
from bashgah.importing.sources import from_records
from bashgah.ledger import service as ledger
from bashgah.models import Account, Member, Purchase, Refund, Tenant, utcnow
from bashgah.purchases import refunds as purchase_refunds
from bashgah.purchases.schemas import RefundCreate
from bashgah.staff import service as staff
from bashgah.tenants import service as tenants
from bashgah.tenants.schemas import BranchCreate

SLUG = "demo"
NAME = "فروشگاه زنجیره‌ای نمونه"
#: 1 point per 10,000 rials, a point is worth 1,000 rials, spendable after 7 days, valid 12 months.
PROGRAM = {
    "earn_points": 1,
    "earn_per_rials": 10_000,
    "point_value_rials": 1_000,
    "pending_days": 7,
    "expiry_mode": "months",
    "expiry_months": 12,
}
DEFAULT_SEED = 1405
DEFAULT_MEMBERS = 2_000
#: Share of purchases returned (in full or in part) since they were made.
REFUND_SHARE = 0.004
#: A customer brings a purchase back between two hours and ten days after it (and before now).
RETURN_AFTER = (timedelta(hours=2), timedelta(days=10))
REFUND_REASONS = ("کالا معیوب بود", "سایز مناسب نبود", "مشتری منصرف شد", "اشتباه در صندوق")


@dataclass
class DemoClub:
    tenant_id: int
    created: bool
    members: int
    purchases: int
    redemptions: int
    refunds: int
    tour_available: int
    tour_pending: int


async def find(session: AsyncSession) -> int | None:
    return await session.scalar(select(Tenant.id).where(Tenant.slug == SLUG))


async def create(
    session: AsyncSession,
    seed: int = DEFAULT_SEED,
    members: int = DEFAULT_MEMBERS,
    today: date | None = None,
    progress: Progress = no_progress,
) -> DemoClub:
    """Make the demo club if it is not there yet, and describe it."""
    tenant_id = await find(session)
    if tenant_id is not None:
        return await describe(session, tenant_id, created=False)
    today = today or datetime.now(TEHRAN).date()
    rng = random.Random(seed)
    # The club and its branches opened on the first day of its history, in the morning.
    opening = datetime.combine(today - timedelta(days=generate.HISTORY_DAYS), time(9), TEHRAN)
    with replaying(opening):
        tenant = await tenants.create_tenant(session, SLUG, NAME, **PROGRAM)
        for spec in generate.BRANCHES:
            await tenants.create_branch(
                session, tenant.id, BranchCreate(code=spec.code, name=spec.name, kind=spec.kind)
            )
    program = await tenants.get_program(session, tenant.id)

    people = generate.customers(rng, members, today)
    roster = read_members(from_records([p.record for p in people], MEMBER_COLUMNS), progress, today=today)
    await import_members(session, tenant.id, roster, progress, rng=rng, consent_source="import", history=True)
    rows = generate.sales(rng, people, today, program)
    await import_purchases(
        session,
        tenant.id,
        read_purchases(from_records(rows, PURCHASE_COLUMNS)),
        progress,
        actor="demo",
        history=True,
    )
    await _returns(session, tenant.id, rng)
    # The programme starts today: the history above was earned under the plain earn rate.
    await demo_programme.configure(session, tenant.id)
    return await describe(session, tenant.id, created=True)


async def _returns(session: AsyncSession, tenant_id: int, rng: random.Random) -> None:
    """Some customers bring their latest purchase back: a full or partial refund through the till's own
    refund, dated between two hours and ten days after the sale (the latest, so that nothing the customer
    did later is dated before it)."""
    now = utcnow()
    tour = normalize_phone(generate.TOUR_MOBILE)
    latest: dict[int, tuple[int, int, datetime]] = {}
    sold = 0
    for purchase_id, member_id, total, at in await session.execute(
        select(Purchase.id, Purchase.member_id, Purchase.total_rials, Purchase.occurred_at)
        .join(Member, Member.id == Purchase.member_id)
        .where(Purchase.tenant_id == tenant_id, Member.mobile != tour)
        .order_by(Purchase.occurred_at, Purchase.id)
    ):
        latest[member_id] = (purchase_id, total, at)
        sold += 1
    earliest, longest = RETURN_AFTER
    candidates = sorted(c for c in latest.values() if c[2] + earliest < now)
    count = min(len(candidates), max(1, int(sold * REFUND_SHARE)))
    returns = []
    for purchase_id, total, at in rng.sample(candidates, count):
        window = min(longest, now - at) - earliest
        back = at + earliest + window * rng.random()
        whole = rng.random() < 0.5
        amount = None if whole else max(10_000, int(total * rng.uniform(0.2, 0.7)) // 10_000 * 10_000)
        returns.append((back, purchase_id, amount, rng.choice(REFUND_REASONS)))
    who = Principal(tenant_id=tenant_id, role="owner", branch_id=None, key_id=None)
    for back, purchase_id, amount, reason in sorted(returns):
        with replaying(back):
            await purchase_refunds.refund(
                session, who, purchase_id, RefundCreate(amount_rials=amount, items=None, reason=reason)
            )


async def describe(session: AsyncSession, tenant_id: int, created: bool) -> DemoClub:
    now = utcnow()

    async def count(statement: object) -> int:
        return int(await session.scalar(statement) or 0)  # type: ignore[call-overload]

    tour_account = await session.scalar(
        select(Account.id)
        .join(Member, (Member.id == Account.member_id) & (Account.asset == "points"))
        .where(Member.tenant_id == tenant_id, Member.mobile == normalize_phone(generate.TOUR_MOBILE))
    )
    available = pending = 0
    if tour_account is not None:
        available, pending, *_ = await ledger.lot_totals(session, tour_account, now)
    return DemoClub(
        tenant_id=tenant_id,
        created=created,
        members=await count(select(func.count(Member.id)).where(Member.tenant_id == tenant_id)),
        purchases=await count(select(func.count(Purchase.id)).where(Purchase.tenant_id == tenant_id)),
        redemptions=await count(
            select(func.count(Purchase.id)).where(
                Purchase.tenant_id == tenant_id, Purchase.points_redeemed > 0
            )
        ),
        refunds=await count(select(func.count(Refund.id)).where(Refund.tenant_id == tenant_id)),
        tour_available=available,
        tour_pending=pending,
    )


#: The demo's web sign-ins (username, name, role, branch code or None, password) — public on purpose,
#: printed by ``bashgah demo`` and written in the README's tour. Never use them for a real club.
STAFF = (
    ("sara", "سارا احمدی", "owner", None, "sara-demo-1405"),
    ("kasra", "کسری رضایی", "cashier", generate.BRANCHES[0].code, "kasra-demo-1405"),
    ("nazanin", "نازنین کریمی", "analyst", None, "nazanin-demo-1405"),
)


async def ensure_staff(session: AsyncSession, tenant_id: int) -> None:
    """Give the demo club its staff with known web passwords (once; a demo made earlier gets them too)."""
    known = {p.username for p in await staff.list_staff(session, tenant_id)}
    for username, full_name, role, branch, password in STAFF:
        if username in known:
            continue
        branch_id = (await tenants.resolve_branch(session, tenant_id, branch, None)).id if branch else None
        await staff.add(session, tenant_id, username, full_name, role, branch_id, password=password)


async def new_key(session: AsyncSession, tenant_id: int) -> str:
    """A fresh owner API key named "demo" (the plaintext, shown once)."""
    _, plaintext = await auth.create(session, tenant_id, "demo", "owner")
    return plaintext
