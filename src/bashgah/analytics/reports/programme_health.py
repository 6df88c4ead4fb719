"""Programme health: what the programme owes and costs — liability, breakage, redemption, earn and burn."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.analytics import labels
from bashgah.analytics.reports.base import Column, Metrics, Params, Report, Table, ratio, rials, text
from bashgah.analytics.reports.sql import P, at, in_window, month_index, net, tune, window_start
from bashgah.core.errors import NotFound
from bashgah.core.jalali import utcnow
from bashgah.models import Account, Branch, Campaign, CampaignAward, PointLot, Program, Purchase, Transfer

L = PointLot.__table__.c
A = Account.__table__.c
B = Branch.__table__.c
T = Transfer.__table__.c
W = CampaignAward.__table__.c
C = Campaign.__table__.c

#: Rows are ``(month label, points, liability)``.
_EXPIRING = [
    text("month", "Expiry month", "ماه انقضا"),
    Column("points", "Points", "امتیاز"),
    rials("liability_rials", "Liability (rials)", "تعهد (ریال)"),
]
#: Rows as the branch query gives them.
_BRANCHES = [
    text("branch", "Branch", "شعبه"),
    text("name", "Name", "نام"),
    Column("purchases", "Purchases", "تعداد خرید"),
    rials("revenue_rials", "Net revenue (rials)", "خالص فروش (ریال)"),
    Column("earned", "Points earned", "امتیاز کسب‌شده"),
    Column("burned", "Points spent", "امتیاز خرج‌شده"),
    rials("discount_rials", "Points discount (rials)", "تخفیف امتیازی (ریال)"),
]
_CAMPAIGNS = [
    Column("campaign_id", "Campaign", "کمپین"),
    text("name", "Name", "نام"),
    Column("awards", "Awards", "دفعات اعطا"),
    Column("points", "Points", "امتیاز"),
]


def _months_ahead(as_of: datetime, ahead: int, lang: str) -> list[tuple[datetime, str]]:
    """The calendar month of ``as_of`` and ``ahead`` more, with the start of the one after."""
    last = labels.month_starts(as_of, 1, lang)
    months = list(last[:1])
    moment = last[1][0]
    for _ in range(ahead):
        nxt = labels.month_starts(moment + timedelta(hours=1), 1, lang)
        months.append(nxt[0])
        moment = nxt[1][0]
    months.append((moment, ""))
    return months


async def _sum(session: AsyncSession, column: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where)) or 0)


async def _expiring(session: AsyncSession, live: Any, as_of: datetime, point_value: int, lang: str) -> Table:
    """The outstanding points by the month they expire in, then later ones and those that never do."""
    # Months from this one up to the last expiry among live lots (at most 10 years ahead).
    last_expiry = await session.scalar(select(func.max(L.expires_at)).where(live))
    ahead = 0
    if last_expiry is not None:
        ahead = min(120, (last_expiry.year - as_of.year) * 12 + last_expiry.month - as_of.month + 2)
    months = _months_ahead(as_of, ahead, lang)
    bounds = [moment for moment, _ in months]
    # -1: never expires; NULL: after the last month shown (more than ten years ahead).
    expiry_month = case((L.expires_at.is_(None), -1), else_=month_index(L.expires_at, bounds)).label("month")
    by_month = dict(
        (
            await session.execute(
                select(expiry_month, func.sum(L.remaining)).where(live).group_by(expiry_month)
            )
        ).all()
    )
    buckets: list[tuple[Any, str]] = [(index, months[index][1]) for index in range(len(bounds) - 1)]
    buckets += [(None, "بعدتر" if lang == "fa" else "Later"), (-1, "بدون انقضا" if lang == "fa" else "Never")]
    expiring = Table(
        "by_expiry_month",
        "Outstanding points by expiry month",
        "امتیازهای مانده بر اساس ماه انقضا",
        _EXPIRING,
    )
    for bucket, month in buckets:
        points = int(by_month.get(bucket) or 0)
        if points:
            expiring.rows.append([month, points, points * point_value])
    return expiring


async def _flows(session: AsyncSession, tenant_id: int, as_of: datetime) -> dict[tuple[str, bool], int]:
    """All points moved up to ``as_of`` by transfer code and whether a member's account was credited."""
    credit = Account.__table__.alias("credit")
    flows = await session.execute(
        select(T.code, credit.c.kind, func.sum(T.amount))
        .join(credit, credit.c.id == T.credit_account_id)
        .where(T.tenant_id == tenant_id, T.created_at <= at(as_of))
        .group_by(T.code, credit.c.kind)
    )
    moved: dict[tuple[str, bool], int] = {}
    for code, kind, total in flows:
        key = (code, kind == "member")
        moved[key] = moved.get(key, 0) + int(total)
    return moved


async def _branches(session: AsyncSession, tenant_id: int, window: Any) -> Table:
    branches = Table("by_branch", "Earn and burn by branch", "کسب و خرج امتیاز بر اساس شعبه", _BRANCHES)
    for row in await session.execute(
        select(
            B.code,
            B.name,
            func.count(P.id),
            func.coalesce(func.sum(net()), 0),
            func.coalesce(func.sum(P.points_earned - P.points_reversed), 0),
            func.coalesce(func.sum(P.points_redeemed - P.points_returned), 0),
            func.coalesce(func.sum(P.discount_rials), 0),
        )
        .select_from(Branch.__table__)
        .join(Purchase.__table__, and_(P.branch_id == B.id, window))
        .where(B.tenant_id == tenant_id)
        .group_by(B.id, B.code, B.name)
        .order_by(B.code)
    ):
        branches.rows.append([row[0], row[1], *(int(v) for v in row[2:])])
    return branches


async def _campaigns(
    session: AsyncSession, tenant_id: int, start: datetime, as_of: datetime, lang: str
) -> Table:
    campaigns = Table("by_campaign", "Bonus points by campaign", "امتیاز جایزه بر اساس کمپین", _CAMPAIGNS)
    awarded = (
        select(W.campaign_id, func.count(W.id).label("awards"), func.sum(W.points).label("points"))
        .where(W.tenant_id == tenant_id, W.created_at > at(start), W.created_at <= at(as_of))
        .group_by(W.campaign_id)
        .subquery("awarded")
    )
    for campaign_id, definition, awards, points in await session.execute(
        select(C.id, C.definition, awarded.c.awards, awarded.c.points)
        .join(awarded, awarded.c.campaign_id == C.id)
        .order_by(C.id)
    ):
        name = (definition or {}).get("name_en" if lang == "en" else "name_fa") or (definition or {}).get(
            "name_fa"
        )
        campaigns.rows.append([campaign_id, name, int(awards), int(points)])
    return campaigns


async def health(session: AsyncSession, tenant_id: int, lang: str, params: Params) -> Report:
    """What the programme owes and costs: liability, breakage, redemption, earn and burn.

    * Outstanding points = what members' unexpired lots still hold plus what open holds keep; valued at
      the programme's point value (rials of discount per point).
    * Issued = points given to members (earn, bonus, adjustments in their favour) less earn reversals;
      breakage = expired ÷ issued; redemption rate = (redeemed − returned) ÷ issued — all time.
    * Earn and burn by branch and by campaign, and revenue, in the window.
    """
    as_of = params.as_of or utcnow()
    await tune(session)
    start = window_start(as_of, params.window_days)
    point_value = await session.scalar(
        select(Program.point_value_rials).where(Program.tenant_id == tenant_id)
    )
    if point_value is None:
        raise NotFound("programme", "برنامه")
    live = and_(
        L.tenant_id == tenant_id,
        # Wallet lots count rials, not points.
        L.account_id.in_(
            select(A.id).where(A.tenant_id == tenant_id, A.asset == "points", A.kind == "member")
        ),
        L.remaining > 0,
        (L.expires_at.is_(None)) | (L.expires_at > at(as_of)),
    )
    held = await _sum(session, A.pending, A.tenant_id == tenant_id, A.kind == "member")
    outstanding = await _sum(session, L.remaining, live) + held
    expiring = await _expiring(session, live, as_of, point_value, lang)

    moved = await _flows(session, tenant_id, as_of)
    issued = sum(moved.get((code, True), 0) for code in ("earn", "bonus", "adjust")) - moved.get(
        ("earn_reversal", False), 0
    )
    expired = moved.get(("expire", False), 0)
    redeemed = moved.get(("redeem", False), 0) - moved.get(("redeem_return", True), 0)

    branches = await _branches(session, tenant_id, in_window(tenant_id, start, as_of))
    member_revenue = sum(row[3] for row in branches.rows)
    campaigns = await _campaigns(session, tenant_id, start, as_of, lang)

    summary = Metrics("Programme health", "سلامت برنامه", lang)
    lines: list[tuple[str, str, str, Any]] = [
        ("outstanding_points", "Outstanding points", "امتیازهای مانده", outstanding),
        ("held_points", "Of which held by open redemptions", "در رزرو", held),
        ("point_value_rials", "Point value (rials)", "ارزش هر امتیاز (ریال)", point_value),
        (
            "liability_rials",
            "Outstanding liability (rials)",
            "تعهد امتیازی (ریال)",
            outstanding * point_value,
        ),
        ("issued_points", "Points issued (all time)", "امتیاز صادرشده (کل)", issued),
        ("expired_points", "Points expired (all time)", "امتیاز منقضی‌شده (کل)", expired),
        ("redeemed_points", "Points redeemed (all time)", "امتیاز خرج‌شده (کل)", redeemed),
        ("breakage", "Breakage (expired ÷ issued)", "نرخ سوخت (منقضی ÷ صادر)", ratio(expired, issued)),
        (
            "redemption_rate",
            "Redemption rate (redeemed ÷ issued)",
            "نرخ استفاده (خرج ÷ صادر)",
            ratio(redeemed, issued),
        ),
        (
            "member_revenue_rials",
            "Members' net revenue in window (rials)",
            "خالص فروش به اعضا در بازه (ریال)",
            member_revenue,
        ),
    ]
    if params.store_revenue_rials is not None:
        share = ratio(member_revenue, params.store_revenue_rials)
        lines.append(("member_revenue_share", "Members' share of revenue", "سهم اعضا از فروش", share))
    for line in lines:
        summary.add(*line)
    return Report(
        "health",
        lang,
        as_of,
        {"window_days": params.window_days, "store_revenue_rials": params.store_revenue_rials},
        [summary, expiring, branches, campaigns],
    )
