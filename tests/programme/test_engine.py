"""The rule engine on its own: conditions, effects, schedules, budgets and stop flags, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import jdatetime
import pytest
from pydantic import ValidationError

from bashgah.core.jalali import TEHRAN
from bashgah.programme import engine
from bashgah.programme.engine import ActiveCampaign, Allowance, Earning, Facts, Line, MemberFacts
from bashgah.programme.schemas import CampaignCreate

THURSDAY_EVENING = datetime(2026, 11, 26, 19, 30, tzinfo=TEHRAN)  # a Thursday (پنجشنبه)
COFFEE = Line("CF-1", "coffee", "lavazza", 2, 100_000)
CAKE = Line("CK-1", "cake", None, 1, 200_000)


def campaign(cid: int = 1, **fields: Any) -> ActiveCampaign:
    body = {"name_fa": "کمپین", "rules": [{"key": "r", "effects": [{"type": "fixed_bonus", "points": 50}]}]}
    body.update(fields)
    return ActiveCampaign(cid, 1, CampaignCreate.model_validate(body))


def facts(**fields: Any) -> Facts:
    base: dict[str, Any] = {
        "at": THURSDAY_EVENING,
        "member": MemberFacts(),
        "total_rials": 400_000,
        "paid_rials": 400_000,
        "base_points": 40,
        "lines": (COFFEE, CAKE),
        "channel": "store",
        "branch": "main",
        "earning": Earning(1, 10_000),
    }
    base.update(fields)
    return Facts(**base)


def rule(*conditions: dict[str, Any], effects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "key": "r",
        "conditions": list(conditions),
        "effects": effects or [{"type": "fixed_bonus", "points": 50}],
    }


def fires(condition: dict[str, Any], **fact_fields: Any) -> bool:
    outcome = engine.evaluate([campaign(rules=[rule(condition)])], facts(**fact_fields))[0]
    return outcome.rules[0].fires


def test_purchase_conditions() -> None:
    assert fires({"type": "purchase_total", "min_rials": 400_000})
    assert not fires({"type": "purchase_total", "min_rials": 400_001})
    assert not fires({"type": "purchase_total", "max_rials": 399_999})
    assert fires({"type": "items", "match": {"categories": ["coffee"]}, "min_quantity": 2})
    assert not fires({"type": "items", "match": {"categories": ["coffee"]}, "min_quantity": 3})
    assert fires({"type": "items", "match": {"brands": ["lavazza"], "skus": ["CF-1"]}})
    assert not fires({"type": "items", "match": {"brands": ["illy"]}})
    assert fires({"type": "basket_size", "min_units": 3, "max_units": 3})
    assert not fires({"type": "basket_size", "min_units": 4})
    assert fires({"type": "payment_method", "methods": ["card"]}, payment_method="card")
    assert not fires({"type": "payment_method", "methods": ["card"]}, payment_method="cash")
    assert fires({"type": "channel", "channel": "online"}, channel="online")
    assert not fires({"type": "channel", "channel": "online"})
    assert fires({"type": "branch", "branches": ["main", "north"]})
    assert not fires({"type": "branch", "branches": ["north"]})


def test_member_conditions() -> None:
    born_in_azar = jdatetime.date(1370, 9, 12).togregorian()  # THURSDAY_EVENING is 5 Azar 1405
    assert fires({"type": "birthday_month"}, member=MemberFacts(birth_date=born_in_azar))
    assert not fires({"type": "birthday_month"}, member=MemberFacts(birth_date=date(1991, 1, 1)))
    assert not fires({"type": "birthday_month"}, member=MemberFacts())
    assert fires({"type": "member_tags", "any_of": ["vip", "staff"]}, member=MemberFacts(tags=("vip",)))
    assert not fires({"type": "member_tags", "any_of": ["vip"]}, member=MemberFacts(tags=("new",)))
    joined = MemberFacts(enrolled_at=THURSDAY_EVENING - timedelta(days=10))
    assert fires({"type": "days_since_enrolment", "min_days": 10}, member=joined)
    assert not fires({"type": "days_since_enrolment", "max_days": 9}, member=joined)
    assert fires({"type": "first_purchase"}, member=MemberFacts(visits=1))
    assert not fires({"type": "first_purchase"}, member=MemberFacts(visits=2))
    assert fires({"type": "tier", "levels": ["gold", "vip"]}, member=MemberFacts(tier="gold"))
    assert not fires({"type": "tier", "levels": ["gold"]}, member=MemberFacts(tier="silver"))
    assert not fires({"type": "tier", "levels": ["gold"]}, member=MemberFacts())  # a club without tiers
    in_7 = MemberFacts(segments=frozenset({7}))
    assert fires({"type": "segment", "segments": [3, 7]}, member=in_7)
    assert not fires({"type": "segment", "segments": [3]}, member=in_7)
    assert fires({"type": "visits", "min_visits": 5}, member=MemberFacts(visits=5))
    assert not fires({"type": "visits", "min_visits": 5}, member=MemberFacts(visits=4))


def test_time_conditions_are_in_tehran_time_and_the_jalali_week() -> None:
    assert fires({"type": "weekdays", "days": ["thursday"]})
    assert not fires({"type": "weekdays", "days": ["friday", "saturday"]})
    # 23:30 on Thursday in Tehran is still Thursday although it is 20:00 UTC.
    assert fires({"type": "weekdays", "days": ["thursday"]}, at=datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    assert fires({"type": "hours", "from_hour": 18, "to_hour": 22})
    assert not fires({"type": "hours", "from_hour": 8, "to_hour": 12})
    assert fires({"type": "hours", "from_hour": 22, "to_hour": 2}, at=THURSDAY_EVENING.replace(hour=1))
    assert fires({"type": "date_range", "start": "2026-11-26", "end": "2026-11-26"})
    assert not fires({"type": "date_range", "end": "2026-11-25"})
    nowruz_5 = datetime.combine(jdatetime.date(1405, 1, 5).togregorian(), datetime.min.time(), TEHRAN)
    yalda = datetime.combine(jdatetime.date(1405, 9, 30).togregorian(), datetime.min.time(), TEHRAN)
    assert fires({"type": "occasion", "occasion": "nowruz"}, at=nowruz_5)
    assert not fires(
        {"type": "occasion", "occasion": "nowruz"}, at=nowruz_5 + timedelta(days=9)
    )  # 14 Farvardin
    assert fires({"type": "occasion", "occasion": "yalda"}, at=yalda)
    assert not fires({"type": "occasion", "occasion": "yalda"}, at=yalda - timedelta(days=1))


def test_effects() -> None:
    def points(*effects: dict[str, Any], **fact_fields: Any) -> int:
        c = campaign(rules=[rule(effects=list(effects))])
        return engine.evaluate([c], facts(**fact_fields))[0].proposed

    assert points({"type": "points_multiplier", "factor": "2"}) == 40  # double: the base once more
    assert points({"type": "points_multiplier", "factor": "1.5"}) == 20
    # Only the coffee (200,000 of 400,000 rials → 20 base points), doubled.
    assert points({"type": "points_multiplier", "factor": "2", "items": {"categories": ["coffee"]}}) == 20
    # A discounted basket: coffee is half of what was paid.
    assert (
        points(
            {"type": "points_multiplier", "factor": "3", "items": {"categories": ["coffee"]}},
            paid_rials=200_000,
            base_points=20,
        )
        == 20
    )
    # A silver member (×1.25 on earning): the coffee's base is 25, doubled gives 25 more.
    silver = {"earning": Earning(1, 10_000, "floor", 125), "base_points": 50}
    assert (
        points({"type": "points_multiplier", "factor": "2", "items": {"categories": ["coffee"]}}, **silver)
        == 25
    )
    assert points({"type": "points_per_item", "points": 7, "items": {"skus": ["CF-1"]}}) == 14
    assert points({"type": "fixed_bonus", "points": 500}, {"type": "fixed_bonus", "points": 5}) == 505


def test_a_failed_condition_says_which_and_why_in_both_languages() -> None:
    c = campaign(
        rules=[
            rule({"type": "purchase_total", "min_rials": 500_000}, {"type": "weekdays", "days": ["thursday"]})
        ]
    )
    outcome = engine.evaluate([c], facts())[0]
    total, day = outcome.rules[0].checks
    assert not total.passed and day.passed
    assert total.why("en") == "the total 400,000 rials is below 500,000"
    assert total.why("fa") == "مبلغ خرید ۴۰۰٬۰۰۰ ریال کمتر از ۵۰۰٬۰۰۰ است"
    assert outcome.proposed == 0


def test_a_sale_stops_at_the_first_failed_condition_and_examine_checks_them_all() -> None:
    conditions = ({"type": "purchase_total", "min_rials": 500_000}, {"type": "weekdays", "days": ["monday"]})
    c = campaign(rules=[rule(*conditions)])
    assert [len(o.rules[0].checks) for o in engine.evaluate([c], facts())] == [2]
    assert [len(o.rules[0].checks) for o in engine.evaluate([c], facts(), explain=False)] == [1]
    off = campaign(schedule={"weekdays": ["friday"]}, rules=[rule(*conditions)])
    [outcome] = engine.evaluate([off], facts(), explain=False)
    assert outcome.rules == [] and outcome.proposed == 0 and not outcome.schedule.passed


def test_schedule_weekdays_hours_and_dates() -> None:
    evening = {"weekdays": ["thursday"], "from_hour": 18, "to_hour": 23}
    assert engine.check_schedule(campaign(schedule=evening).definition.schedule, THURSDAY_EVENING).passed
    morning = THURSDAY_EVENING.replace(hour=9)
    check = engine.check_schedule(campaign(schedule=evening).definition.schedule, morning)
    assert not check.passed and "18:00" in check.en
    ended = {"ends_at": "2026-11-01T00:00:00+03:30"}
    assert engine.check_schedule(campaign(schedule=ended).definition.schedule, THURSDAY_EVENING).why(
        "en"
    ) == ("the campaign has ended")
    outcome = engine.evaluate([campaign(schedule=ended)], facts())[0]
    assert outcome.rules[0].fires and outcome.proposed == 0


def test_budget_caps_and_stop_flag_follow_priority() -> None:
    high = campaign(1, priority=10, stop=True)
    low = campaign(2, priority=1)
    capped = campaign(3, priority=5)
    outcomes = engine.settle(
        engine.evaluate([low, capped, high], facts()), {3: Allowance(20, "budget", "بودجه")}
    )
    assert [o.campaign.id for o in outcomes] == [1, 3, 2]
    assert [o.awarded for o in outcomes] == [50, 0, 0]
    assert outcomes[2].why_not is not None and outcomes[2].why_not.type == "stop"
    # Without the stopping campaign, the capped one gives what its budget has left.
    outcomes = engine.settle(engine.evaluate([low, capped], facts()), {3: Allowance(20, "budget", "بودجه")})
    assert [o.awarded for o in outcomes] == [20, 50]
    assert outcomes[0].why_not is not None and outcomes[0].why_not.en == "budget"


def test_a_stopping_campaign_that_awards_nothing_does_not_stop_the_rest() -> None:
    high = campaign(1, priority=10, stop=True)
    low = campaign(2)
    outcomes = engine.settle(engine.evaluate([high, low], facts()), {1: Allowance(0, "spent", "تمام")})
    assert [o.awarded for o in outcomes] == [0, 50]


def test_periods_start_at_tehran_midnight_saturday_and_the_first_of_the_jalali_month() -> None:
    assert engine.period_start(THURSDAY_EVENING, "day") == datetime(2026, 11, 26, tzinfo=TEHRAN)
    assert engine.period_start(THURSDAY_EVENING, "week") == datetime(2026, 11, 21, tzinfo=TEHRAN)  # Saturday
    first_of_azar = jdatetime.date(1405, 9, 1).togregorian()
    assert engine.period_start(THURSDAY_EVENING, "month") == datetime.combine(
        first_of_azar, datetime.min.time(), TEHRAN
    )
    assert engine.period_start(THURSDAY_EVENING, "campaign") is None


def test_rules_are_validated_data() -> None:
    with pytest.raises(ValidationError):
        CampaignCreate.model_validate({"name_fa": "x", "rules": [rule({"type": "moon_phase"})]})
    with pytest.raises(ValidationError, match="event rule"):
        CampaignCreate.model_validate(
            {
                "name_fa": "x",
                "rules": [
                    {"key": "e", "trigger": "event", "event": "sign_up", **rule({"type": "purchase_total"})}
                ],
            }
        )
    with pytest.raises(ValidationError, match="differ"):
        CampaignCreate.model_validate(
            {"name_fa": "x", "rules": [rule({"type": "hours", "from_hour": 0, "to_hour": 24})]}
        )
    with pytest.raises(ValidationError, match="differ"):
        CampaignCreate.model_validate(
            {"name_fa": "x", "schedule": {"from_hour": 9, "to_hour": 9}, "rules": [rule()]}
        )
    with pytest.raises(ValidationError, match="unique"):
        CampaignCreate.model_validate({"name_fa": "x", "rules": [rule(), rule()]})
    stored = campaign(rules=[rule(effects=[{"type": "points_multiplier", "factor": "2.5"}])]).definition
    assert CampaignCreate.model_validate(stored.model_dump(mode="json")) == stored


def test_needs_only_what_rules_ask_for() -> None:
    needs = engine.needs_of([campaign(rules=[rule({"type": "weekdays", "days": ["friday"]})])])
    assert not (needs.member or needs.visits or needs.branch or needs.tier)
    needs = engine.needs_of(
        [campaign(rules=[rule({"type": "first_purchase"}, {"type": "channel", "channel": "online"})])]
    )
    assert needs.visits and needs.branch and not needs.member and not needs.segments
    needs = engine.needs_of([campaign(rules=[rule({"type": "segment", "segments": [4, 2]})])])
    assert needs.segments == {2, 4}


def test_wallet_cashback_is_a_floored_share_of_what_the_sale_earns_on_capped_in_rials() -> None:
    cashback = [{"type": "wallet_cashback", "percent": "2.5", "max_rials": 9_000}]
    [small] = engine.settle(
        engine.evaluate([campaign(rules=[rule(effects=cashback)])], facts(paid_rials=123_457)), {}
    )
    assert (small.awarded, small.cashback) == (0, 3_086)
    [big] = engine.settle(
        engine.evaluate([campaign(rules=[rule(effects=cashback)])], facts(paid_rials=1_000_000)), {}
    )
    assert big.cashback == 9_000
    # A points budget that is spent leaves the cashback alone; a stopping campaign above stops it.
    mixed = campaign(2, rules=[rule(effects=[*cashback, {"type": "fixed_bonus", "points": 10}])])
    [only_cash] = engine.settle(engine.evaluate([mixed], facts()), {2: Allowance(0, "spent", "تمام")})
    assert (only_cash.awarded, only_cash.cashback) == (0, 9_000)
    high = campaign(1, priority=10, stop=True)
    outcomes = engine.settle(engine.evaluate([high, mixed], facts()), {})
    assert [(o.awarded, o.cashback) for o in outcomes] == [(50, 0), (0, 0)]
    with pytest.raises(ValidationError):
        CampaignCreate.model_validate(
            {
                "name_fa": "x",
                "rules": [{"key": "e", "trigger": "event", "event": "sign_up", "effects": cashback}],
            }
        )
