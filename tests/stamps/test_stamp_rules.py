"""The arithmetic of stamp cards and of campaigns that give stamps, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bashgah.programme import engine
from bashgah.programme.engine import ActiveCampaign, Allowance, Facts, Line, MemberFacts
from bashgah.programme.schemas import CampaignCreate
from bashgah.stamps import rules
from bashgah.stamps.schemas import StampEarning

COFFEE = Line("CF-1", "coffee", None, 3, 100_000)
CAKE = Line("CK-1", "cake", None, 2, 150_000)
NOON = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday in Tehran


def _earning(**fields: Any) -> StampEarning:
    return StampEarning.model_validate(fields)


def test_what_a_sale_earns() -> None:
    per_coffee = _earning(per="unit", items={"categories": ["coffee"]})
    assert rules.stamps_for(per_coffee, [COFFEE, CAKE], 600_000) == 3
    assert rules.stamps_for(per_coffee, [CAKE], 300_000) == 0
    assert (
        rules.stamps_for(_earning(per="unit", items={"skus": ["CF-1"]}, max_per_purchase=2), [COFFEE], 0) == 2
    )
    assert rules.stamps_for(_earning(per="visit", items={"skus": ["CF-1"]}), [COFFEE], 300_000) == 1
    assert rules.stamps_for(_earning(), [], 1) == 1
    over = _earning(min_total_rials=200_000)
    assert (rules.stamps_for(over, [], 199_999), rules.stamps_for(over, [], 200_000)) == (0, 1)


def test_stamps_beyond_a_full_card_roll_over() -> None:
    assert rules.fill(7, 10, 2) == (0, 9)
    assert rules.fill(9, 10, 1) == (1, 0)
    assert rules.fill(8, 10, 25) == (3, 3)


def test_returns_in_parts_take_back_exactly_what_one_whole_return_would() -> None:
    taken = 0
    for done in (300_000, 600_000, 1_000_000):
        taken += rules.due_on_return(7, done, 1_000_000, taken)
    assert taken == 7
    assert rules.due_on_return(1, 400_000, 1_000_000, 0) == 0  # a visit's stamp goes with the whole visit


def _campaign(cid: int, effects: list[dict[str, Any]], **fields: Any) -> ActiveCampaign:
    body = {"name_fa": f"c{cid}", "rules": [{"key": "r", "effects": effects}], **fields}
    return ActiveCampaign(cid, 1, CampaignCreate.model_validate(body))


def test_a_campaign_gives_stamps_unless_a_stopping_campaign_of_higher_priority_awarded() -> None:
    stamps = {"type": "stamps", "card_id": 7, "stamps": 1, "per_stamp_earned": True}
    facts = Facts(at=NOON, member=MemberFacts(), lines=(COFFEE,), total_rials=300_000, base_points=30)
    thursdays = _campaign(1, [stamps], schedule={"weekdays": ["thursday"]})
    fridays = _campaign(2, [{**stamps, "stamps": 5}], schedule={"weekdays": ["friday"]})
    outcomes = engine.settle(engine.evaluate([thursdays, fridays], facts, explain=False), {})
    assert engine.stamps_granted(outcomes) == [engine.StampGrant(1, 7, 1, True)]
    assert [o.awarded for o in outcomes] == [0, 0]  # stamps are not points

    stopper = _campaign(3, [{"type": "fixed_bonus", "points": 10}], priority=5, stop=True)
    outcomes = engine.settle(engine.evaluate([thursdays, stopper], facts), {3: Allowance(None)})
    assert engine.stamps_granted(outcomes) == []


def test_an_event_rule_may_give_stamps_but_has_none_of_its_own_to_multiply() -> None:
    rule = {"key": "in", "trigger": "event", "event": "check_in"}
    CampaignCreate.model_validate(
        {"name_fa": "ورود", "rules": [{**rule, "effects": [{"type": "stamps", "card_id": 1, "stamps": 1}]}]}
    )
    with pytest.raises(ValidationError, match="no stamps of its own"):
        CampaignCreate.model_validate(
            {
                "name_fa": "ورود",
                "rules": [
                    {
                        **rule,
                        "effects": [{"type": "stamps", "card_id": 1, "stamps": 1, "per_stamp_earned": True}],
                    }
                ],
            }
        )
