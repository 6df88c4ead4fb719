"""Occasion rules: what the club gives on a birthday, an anniversary, Nowruz or Yalda (owners, managers)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import InvalidInput
from bashgah.core.rows import all_owned, owned, read_of
from bashgah.models import OccasionAward, OccasionRule, Reward, utcnow
from bashgah.occasions.schemas import OccasionRuleCreate, OccasionRuleRead, OccasionRuleUpdate
from bashgah.tiers import service as tiers


def _read(rule: OccasionRule, lang: str, awarded: int) -> OccasionRuleRead:
    return read_of(
        OccasionRuleRead,
        rule,
        name=rule.name_en if lang == "en" else rule.name_fa,
        tiers=list(rule.tiers or []),
        awarded=awarded,
    )


async def _awarded(session: AsyncSession, rule_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(OccasionAward.rule_id, func.count())
        .where(OccasionAward.rule_id.in_(rule_ids))
        .group_by(OccasionAward.rule_id)
    )
    return {rule_id: int(n) for rule_id, n in rows}


async def _check_reward(session: AsyncSession, tenant_id: int, reward_id: int | None) -> None:
    if reward_id is None:
        return
    found = await session.scalar(
        select(Reward.id).where(Reward.tenant_id == tenant_id, Reward.id == reward_id)
    )
    if found is None:
        # A reference in the body, not the page asked for: 422 like every other foreign or missing id.
        raise InvalidInput("reward_id", f"no reward {reward_id}", f"جایزهٔ {reward_id} وجود ندارد", "جایزه")


def _check_gift(rule: OccasionRule) -> None:
    # A birthday rule may give 0 points of its own: the member's level then decides the gift's size.
    if rule.kind != "birthday" and rule.points == 0 and rule.reward_id is None:
        raise InvalidInput(
            "points", "give points, a reward or both", "امتیاز یا جایزه یا هر دو را تعیین کنید", "امتیاز"
        )


async def create(
    session: AsyncSession, tenant_id: int, data: OccasionRuleCreate, lang: str
) -> OccasionRuleRead:
    await _check_reward(session, tenant_id, data.reward_id)
    rule = OccasionRule(
        tenant_id=tenant_id,
        kind=data.kind,
        name_fa=data.name_fa.strip(),
        name_en=data.name_en.strip(),
        points=data.points,
        reward_id=data.reward_id,
        tiers=await tiers.check_levels(session, tenant_id, data.tiers),
        days_early=data.days_early,
        active=data.active,
        created_at=utcnow(),
    )
    _check_gift(rule)
    session.add(rule)
    await session.flush()
    return _read(rule, lang, 0)


async def _rule(session: AsyncSession, tenant_id: int, rule_id: int) -> OccasionRule:
    return await owned(session, OccasionRule, tenant_id, rule_id, ("Occasion rule", "قاعدهٔ مناسبت"))


async def get(session: AsyncSession, tenant_id: int, rule_id: int, lang: str) -> OccasionRuleRead:
    rule = await _rule(session, tenant_id, rule_id)
    return _read(rule, lang, (await _awarded(session, [rule.id])).get(rule.id, 0))


async def list_rules(session: AsyncSession, tenant_id: int, lang: str) -> list[OccasionRuleRead]:
    rules = await all_owned(session, OccasionRule, tenant_id)
    counts = await _awarded(session, [r.id for r in rules])
    return [_read(r, lang, counts.get(r.id, 0)) for r in rules]


async def change(
    session: AsyncSession, tenant_id: int, rule_id: int, data: OccasionRuleUpdate, lang: str
) -> OccasionRuleRead:
    rule = await _rule(session, tenant_id, rule_id)
    fields = data.model_dump(exclude_unset=True)
    if "reward_id" in fields:
        await _check_reward(session, tenant_id, fields["reward_id"])
    if "tiers" in fields:
        fields["tiers"] = await tiers.check_levels(session, tenant_id, fields["tiers"] or [])
    for name, value in fields.items():
        if value is None and name != "reward_id":
            continue
        setattr(rule, name, value.strip() if isinstance(value, str) else value)
    _check_gift(rule)
    await session.flush()
    return _read(rule, lang, (await _awarded(session, [rule.id])).get(rule.id, 0))
