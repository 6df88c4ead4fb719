"""Tiers: the ladder, each member's level, upgrades at once, downgrades at the end of the period.

Levels qualify on one figure over a window — rials spent (net of returns), points earned (net of
reversals) or visits — over the last N months or the Jalali year. A purchase that lifts a member over a
threshold upgrades them in the same transaction. A level is reviewed when its period ends (the
``tiers`` job): a member still earning it keeps it for another period; one who does not first gets
``grace_days`` of grace, then goes one level down (or straight to the level earned, by policy). A
manager may set a level by hand, with a reason, and lock it. Every change is kept in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.cache import TenantCache
from bashgah.core.errors import InvalidInput, NotFound
from bashgah.core.rows import read_of
from bashgah.models import CouponUse, MemberTier, Purchase, TierChange, TierLevel, TierPolicy, utcnow
from bashgah.tiers import rules
from bashgah.tiers.rules import Level
from bashgah.tiers.schemas import (
    LevelRead,
    MemberTierRead,
    TierAssign,
    TierChangeRead,
    TierConfigRead,
    TierConfigUpdate,
)


@dataclass(frozen=True)
class Ladder:
    enabled: bool
    metric: str
    window: str
    window_months: int
    downgrade: str
    grace_days: int
    levels: tuple[Level, ...]

    def by_id(self, level_id: int | None) -> Level:
        for level in self.levels:
            if level.id == level_id:
                return level
        return self.entry

    @property
    def entry(self) -> Level:
        return min(self.levels, key=lambda lv: lv.rank)


#: "This tenant has no tiers" (None) is cached too: it is asked on every sale.
_ladders: TenantCache[Ladder | None] = TenantCache(ttl=5)


async def ladder(session: AsyncSession, tenant_id: int) -> Ladder | None:
    """The tenant's ladder (cached briefly: it is read on every purchase), or None without tiers."""
    return await _ladders.get(session, tenant_id, lambda: _read_ladder(session, tenant_id))


async def _read_ladder(session: AsyncSession, tenant_id: int) -> Ladder | None:
    policy = await session.get(TierPolicy, tenant_id)
    levels = (await session.scalars(select(TierLevel).where(TierLevel.tenant_id == tenant_id))).all()
    found = None
    if policy is not None and levels:
        found = Ladder(
            enabled=policy.enabled,
            metric=policy.metric,
            window=policy.window,
            window_months=policy.window_months,
            downgrade=policy.downgrade,
            grace_days=policy.grace_days,
            levels=tuple(
                Level(
                    lv.id,
                    lv.code,
                    lv.name_fa,
                    lv.name_en,
                    lv.rank,
                    lv.threshold,
                    lv.earn_multiplier_pct,
                    lv.birthday_gift_points,
                )
                for lv in sorted(levels, key=lambda lv: lv.rank)
            ),
        )
    return found


async def configure(session: AsyncSession, tenant_id: int, config: TierConfigUpdate) -> Ladder:
    """Replace the ladder. Members keep their level by code; a level that disappears sends them to entry."""
    policy = await session.get(TierPolicy, tenant_id)
    if policy is None:
        policy = TierPolicy(tenant_id=tenant_id)
        session.add(policy)
    for field in ("enabled", "metric", "window", "window_months", "downgrade", "grace_days"):
        setattr(policy, field, getattr(config, field))
    existing = {
        lv.code: lv
        for lv in (await session.scalars(select(TierLevel).where(TierLevel.tenant_id == tenant_id))).all()
    }
    wanted = sorted(config.levels, key=lambda lv: lv.threshold)
    # Ranks are unique per tenant: park the old ones out of the way before renumbering.
    for i, level in enumerate(existing.values()):
        level.rank = -1 - i
    await session.flush()
    for rank, spec in enumerate(wanted):
        level = (
            existing.pop(spec.code)
            if spec.code in existing
            else TierLevel(tenant_id=tenant_id, code=spec.code)
        )
        level.rank = rank
        level.name_fa, level.name_en, level.threshold = spec.name_fa, spec.name_en, spec.threshold
        level.earn_multiplier_pct, level.birthday_gift_points = (
            spec.earn_multiplier_pct,
            spec.birthday_gift_points,
        )
        session.add(level)
    await session.flush()
    for gone in existing.values():
        await session.execute(delete(MemberTier).where(MemberTier.level_id == gone.id))
        await session.delete(gone)
    await session.flush()
    _ladders.forget(session, tenant_id)
    found = await ladder(session, tenant_id)
    assert found is not None
    return found


async def check_levels(session: AsyncSession, tenant_id: int, wanted: list[str]) -> list[str]:
    """The level codes a reward or an occasion is kept for: trimmed, once each, sorted, and every one a
    level of the club's ladder (an unknown code is a 422 naming it)."""
    codes = sorted({c.strip() for c in wanted if c.strip()})
    if not codes:
        return []
    found = await ladder(session, tenant_id)
    unknown = sorted(set(codes) - ({lv.code for lv in found.levels} if found else set()))
    if unknown:
        raise InvalidInput(
            "tiers",
            f"unknown level codes: {', '.join(unknown)}",
            f"سطح ناشناخته: {'، '.join(unknown)}",
            "سطح‌ها",
        )
    return codes


def level_read(level: Level, lang: str, metric: str) -> LevelRead:
    """The level as the API shows it: its threshold named by the ladder's ``metric``."""
    return LevelRead.of(
        metric,
        level.threshold,
        code=level.code,
        name=level.name_fa if lang == "fa" else level.name_en,
        rank=level.rank,
        earn_multiplier_pct=level.earn_multiplier_pct,
        birthday_gift_points=level.birthday_gift_points,
    )


def config_read(found: Ladder, lang: str) -> TierConfigRead:
    return read_of(TierConfigRead, found, levels=[level_read(lv, lang, found.metric) for lv in found.levels])


def measure(metric: str, member_id: Any, since: Any) -> Select[Any]:
    """The member's figure from ``since`` on, as a query: rials paid net of returns, net points earned,
    or visits. ``member_id`` and ``since`` may be values or SQL (a correlated column, a bind parameter)."""
    p = Purchase
    figure: ColumnElement[Any]
    extra: list[ColumnElement[bool]] = []
    if metric == "visits":
        figure = func.count(p.id)
        extra.append(p.refunded_rials < p.total_rials)
    elif metric == "points":
        figure = func.coalesce(func.sum(p.points_earned - p.points_reversed), 0)
    else:  # what was paid — after a reward, points and any coupon — less the returned share
        coupon = func.coalesce(CouponUse.discount_rials, 0)
        paid = p.total_rials - p.reward_discount_rials - p.discount_rials - coupon
        figure = func.coalesce(func.sum(paid * (p.total_rials - p.refunded_rials) / p.total_rials), 0)
    query = select(figure).where(p.member_id == member_id, p.occurred_at >= since, *extra)
    if metric == "spend":
        query = query.select_from(p).outerjoin(CouponUse, CouponUse.purchase_id == p.id)
    return query


def sale_measure(metric: str, paid_rials: int, points_earned: int) -> int:
    """What one new, unreturned sale adds to the figure of :func:`measure`."""
    return {"visits": 1, "points": points_earned}.get(metric, paid_rials)


async def qualifying_value(session: AsyncSession, found: Ladder, member_id: int, since: datetime) -> int:
    """The member's figure from ``since`` on: rials paid net of returns, net points earned, or visits."""
    value = await session.scalar(measure(found.metric, member_id, since))
    return int(value or 0)


async def _current(session: AsyncSession, member_id: int) -> MemberTier | None:
    return await session.scalar(
        select(MemberTier).where(MemberTier.member_id == member_id).execution_options(populate_existing=True)
    )


def _note(
    session: AsyncSession,
    row: MemberTier,
    kind: str,
    actor: str | None,
    now: datetime,
    from_level_id: int | None = None,
    reason: str | None = None,
) -> None:
    """Write in the member's tier history how their level (now ``row.level_id``) changed: from
    ``from_level_id``, or — for a lock, an unlock or a grace period — from the same level."""
    session.add(
        TierChange(
            tenant_id=row.tenant_id,
            member_id=row.member_id,
            from_level_id=row.level_id if from_level_id is None else from_level_id,
            to_level_id=row.level_id,
            kind=kind,
            reason=reason,
            actor=actor,
            created_at=now,
        )
    )


async def _set_level(
    session: AsyncSession,
    tenant_id: int,
    found: Ladder,
    member_id: int,
    row: MemberTier | None,
    to: Level,
    kind: str,
    now: datetime,
    actor: str | None,
    reason: str | None = None,
) -> MemberTier:
    before = found.by_id(row.level_id) if row is not None else found.entry
    if row is None:
        row = MemberTier(member_id=member_id, tenant_id=tenant_id, locked=False)
        session.add(row)
    row.level_id = to.id
    row.since = now
    row.review_at = rules.review_after(now, found.window, found.window_months)
    row.grace_until = None
    _note(session, row, kind, actor, now, from_level_id=before.id, reason=reason)
    await session.flush()
    return row


@dataclass(frozen=True)
class Standing:
    """A member's ``member_tiers`` row as already read with the sale's lock: level and lock flag, and,
    when the sale measured it in the same query, the figure before the sale plus what the sale adds."""

    level_id: int | None
    locked: bool
    measured: int | None = None
    added: int = 0


@dataclass(frozen=True)
class SaleTier:
    """The level a sale earns at (see ``rules.level_for_sale``) and the standing it leaves."""

    level: Level | None
    multiplier_pct: int
    #: For :func:`after_purchase`: the figure before the sale and what the sale adds, as decided here.
    standing: Standing


async def for_sale(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    known: Standing | None,
    now: datetime,
    occurred_at: datetime,
    paid_rials: int,
    base_points: int,
) -> SaleTier:
    """The level and earn multiplier of a sale — the one place the sale, ``examine`` and the till's
    confirm step get them from. ``base_points`` are the sale's points before any multiplier.

    The sale counts towards the level with the points it would earn at the member's current level (the
    level cannot depend on the points it decides); when that lifts the member over a threshold, the
    whole sale earns at the new level's multiplier and :func:`after_purchase` upgrades them to it.
    """
    found = await ladder(session, tenant_id)
    if known is None:
        row = await _current(session, member_id) if found is not None else None
        known = Standing(row.level_id, row.locked) if row is not None else Standing(None, False)
    if found is None or not found.enabled:
        return SaleTier(None, 100, known)
    current = found.by_id(known.level_id)
    top = max(lv.rank for lv in found.levels)
    if known.locked or current.rank >= top:
        return SaleTier(current, current.earn_multiplier_pct, known)
    since = rules.window_start(now, found.window, found.window_months)
    before = (
        known.measured
        if known.measured is not None
        else await qualifying_value(session, found, member_id, since)
    )
    at_current = base_points * current.earn_multiplier_pct // 100
    added = sale_measure(found.metric, paid_rials, at_current) if occurred_at >= since else 0
    level = rules.level_for_sale(found.levels, current, before, added)
    return SaleTier(level, level.earn_multiplier_pct, Standing(known.level_id, known.locked, before, added))


async def after_purchase(
    session: AsyncSession, tenant_id: int, member_id: int, actor: str | None, known: Standing | None = None
) -> Level | None:
    """Upgrade at once when a purchase lifts the member over a higher threshold; returns the new level.

    ``known`` is the member's level as read with the sale's lock (saves reading it again). A member at
    the top level, or on a locked level, is not measured at all.
    """
    found = await ladder(session, tenant_id)
    if found is None or not found.enabled or len(found.levels) < 2:
        return None
    now = utcnow()
    row = None
    if known is None:
        row = await _current(session, member_id)
        known = Standing(row.level_id, row.locked) if row is not None else Standing(None, False)
    current = found.by_id(known.level_id)
    if known.locked or current.rank >= max(lv.rank for lv in found.levels):
        return None
    if known.measured is not None:
        value = known.measured + known.added
    else:
        value = await qualifying_value(
            session, found, member_id, rules.window_start(now, found.window, found.window_months)
        )
    earned = rules.level_for(found.levels, value)
    if earned is None or earned.rank <= current.rank:
        return None
    if row is None and known.level_id is not None:
        row = await _current(session, member_id)
    await _set_level(session, tenant_id, found, member_id, row, earned, "upgrade", now, actor)
    return earned


async def assign(
    session: AsyncSession, tenant_id: int, member_id: int, data: TierAssign, actor: str | None
) -> MemberTier:
    """A manager sets a member's level by hand, with a reason; ``lock`` keeps it there."""
    found = await ladder(session, tenant_id)
    if found is None:
        raise NotFound("Tier ladder", "سطح‌بندی باشگاه")
    target = next((lv for lv in found.levels if lv.code == data.level), None)
    if target is None:
        raise InvalidInput("level", f"no level {data.level!r}", f"سطح «{data.level}» وجود ندارد", "سطح")
    now = utcnow()
    row = await _current(session, member_id)
    row = await _set_level(
        session, tenant_id, found, member_id, row, target, "manual", now, actor, data.reason.strip()
    )
    row.locked = data.lock
    row.lock_reason = data.reason.strip() if data.lock else None
    await session.flush()
    return row


async def unlock(session: AsyncSession, tenant_id: int, member_id: int, actor: str | None) -> None:
    row = await _current(session, member_id)
    if row is not None and row.locked:
        row.locked, row.lock_reason = False, None
        _note(session, row, "unlock", actor, utcnow())
        await session.flush()


async def review_due(
    session: AsyncSession, limit: int = 5000, tenant_id: int | None = None, now: datetime | None = None
) -> int:
    """Job: review every level whose period has ended. Safe to run twice, or in two processes at once.
    ``tenant_id`` limits it to one tenant (see ``bashgah.jobs``)."""
    now = now or utcnow()
    query = select(MemberTier).where(MemberTier.review_at <= now, MemberTier.locked.is_(False))
    if tenant_id is not None:
        query = query.where(MemberTier.tenant_id == tenant_id)
    rows = (
        await session.scalars(
            query.order_by(MemberTier.member_id).limit(limit).with_for_update(skip_locked=True)
        )
    ).all()
    changed = 0
    for row in rows:
        found = await ladder(session, row.tenant_id)
        if found is None or not found.enabled:
            continue
        current = found.by_id(row.level_id)
        value = await qualifying_value(
            session, found, row.member_id, rules.window_start(now, found.window, found.window_months)
        )
        earned = rules.level_for(found.levels, value)
        if earned is not None and earned.rank >= current.rank:
            row.review_at = rules.review_after(
                now, found.window, found.window_months
            )  # kept for another period
            row.grace_until = None
            continue
        if row.grace_until is None and found.grace_days > 0:
            row.grace_until = now + timedelta(days=found.grace_days)
            row.review_at = row.grace_until
            _note(session, row, "grace", "job:tiers", now)
            changed += 1
            continue
        target = rules.downgrade_target(found.levels, current, earned, found.downgrade) or found.entry
        await _set_level(
            session, row.tenant_id, found, row.member_id, row, target, "downgrade", now, "job:tiers"
        )
        changed += 1
    await session.flush()
    return changed


async def summary(session: AsyncSession, tenant_id: int, member_id: int, lang: str) -> MemberTierRead:
    found = await ladder(session, tenant_id)
    if found is None:
        raise NotFound("Tier ladder", "سطح‌بندی باشگاه")
    now = utcnow()
    row = await _current(session, member_id)
    current = found.by_id(row.level_id) if row is not None else found.entry
    value = await qualifying_value(
        session, found, member_id, rules.window_start(now, found.window, found.window_months)
    )
    upcoming = rules.next_level(found.levels, current)
    review_at = row.review_at if row is not None else None
    # At the review only what falls inside the window then still counts.
    at_review = value
    if review_at is not None:
        at_review = await qualifying_value(
            session, found, member_id, rules.window_start(review_at, found.window, found.window_months)
        )
    projected = (
        current
        if row is not None and row.locked
        else rules.downgrade_target(
            found.levels, current, rules.level_for(found.levels, at_review), found.downgrade
        )
        or found.entry
    )
    changes = (
        await session.scalars(
            select(TierChange)
            .where(TierChange.member_id == member_id)
            .order_by(TierChange.id.desc())
            .limit(50)
        )
    ).all()
    names = {lv.id: lv.code for lv in found.levels}
    return MemberTierRead(
        level=level_read(current, lang, found.metric),
        since=row.since if row is not None else None,
        locked=bool(row and row.locked),
        value=value,
        metric=found.metric,
        next_level=level_read(upcoming, lang, found.metric) if upcoming else None,
        to_next=max(0, upcoming.threshold - value) if upcoming else 0,
        review_at=review_at,
        grace_until=row.grace_until if row is not None else None,
        projected=level_read(projected, lang, found.metric),
        history=[
            TierChangeRead(
                at=c.created_at,
                kind=c.kind,
                from_level=names.get(c.from_level_id) if c.from_level_id else None,
                to_level=names.get(c.to_level_id) if c.to_level_id else None,
                reason=c.reason,
            )
            for c in changes
        ],
    )
