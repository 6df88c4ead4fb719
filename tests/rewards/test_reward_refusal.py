"""Why a member may not redeem a reward, as one pure rule: the confirm step, the catalogue and the
redemption itself all ask it, so the page never offers what the redemption would refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bashgah.core.errors import InsufficientPoints
from bashgah.models import Reward
from bashgah.rewards.errors import (
    RewardMemberLimit,
    RewardOutOfStock,
    RewardTierRestricted,
    RewardUnavailable,
)
from bashgah.rewards.service import refusal

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def coffee(**fields: object) -> Reward:
    values: dict[str, object] = {
        "name_fa": "قهوه",
        "name_en": "Coffee",
        "kind": "free_product",
        "cost_points": 100,
        "tiers": [],
        "stock": None,
        "per_member_limit": None,
        "valid_from": NOW - timedelta(days=1),
        "valid_until": None,
        "active": True,
        **fields,
    }
    return Reward(**values)


def test_a_reward_within_reach_is_not_refused() -> None:
    assert refusal(coffee(), NOW, None, 0, 100) is None


def test_a_reward_beyond_the_points_says_how_many_there_are_and_how_many_it_needs() -> None:
    found = refusal(coffee(), NOW, None, 0, 99)
    assert isinstance(found, InsufficientPoints)
    assert found.params == {"available": 99, "requested": 100}


def test_points_are_not_judged_when_the_redemption_takes_them_itself() -> None:
    assert refusal(coffee(), NOW, None, 0, None) is None


def test_each_reason_in_turn_switched_off_expired_level_stock_limit() -> None:
    assert isinstance(refusal(coffee(active=False), NOW, None, 0, 500), RewardUnavailable)
    assert isinstance(refusal(coffee(valid_until=NOW), NOW, None, 0, 500), RewardUnavailable)
    assert isinstance(refusal(coffee(tiers=["gold"]), NOW, "silver", 0, 500), RewardTierRestricted)
    assert refusal(coffee(tiers=["gold"]), NOW, "gold", 0, 500) is None
    assert isinstance(refusal(coffee(stock=0), NOW, None, 0, 500), RewardOutOfStock)
    assert isinstance(refusal(coffee(per_member_limit=2), NOW, None, 2, 500), RewardMemberLimit)
    assert refusal(coffee(per_member_limit=2), NOW, None, 1, 500) is None
