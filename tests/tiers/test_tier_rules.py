"""The ladder's pure rules: which level a figure earns, where a downgrade lands, the Jalali window."""

from __future__ import annotations

from datetime import UTC, datetime

from bashgah.core.jalali import TEHRAN
from bashgah.tiers import rules
from bashgah.tiers.rules import Level

BRONZE, SILVER, GOLD, VIP = (
    Level(i + 1, code, code, code, i, threshold, 100, 0)
    for i, (code, threshold) in enumerate([("bronze", 0), ("silver", 10), ("gold", 50), ("vip", 200)])
)
LADDER = [VIP, BRONZE, GOLD, SILVER]


def test_level_for_picks_the_highest_threshold_reached() -> None:
    assert rules.level_for(LADDER, 0) == BRONZE
    assert rules.level_for(LADDER, 49) == SILVER
    assert rules.level_for(LADDER, 50) == GOLD
    assert rules.level_for(LADDER, 10_000) == VIP


def test_one_down_never_skips_a_level_but_never_goes_below_what_is_earned() -> None:
    assert rules.downgrade_target(LADDER, VIP, BRONZE, "one_down") == GOLD
    assert rules.downgrade_target(LADDER, VIP, BRONZE, "recompute") == BRONZE
    assert rules.downgrade_target(LADDER, GOLD, GOLD, "one_down") == GOLD
    assert rules.downgrade_target(LADDER, BRONZE, BRONZE, "one_down") == BRONZE


def test_the_jalali_year_window_starts_at_nowruz_in_tehran() -> None:
    mid_azar_1405 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    start = rules.window_start(mid_azar_1405, "jalali_year", 12)
    assert start.astimezone(TEHRAN).replace(tzinfo=None) == datetime(2026, 3, 21, 0, 0)  # 1 Farvardin 1405
    assert rules.review_after(mid_azar_1405, "jalali_year", 12) == datetime(2027, 3, 20, 20, 30, tzinfo=UTC)


def test_a_rolling_window_reaches_back_whole_months() -> None:
    now = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert rules.window_start(now, "rolling", 1) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)


def test_the_sale_that_crosses_a_threshold_earns_at_the_new_level() -> None:
    from bashgah.tiers.rules import level_for_sale

    bronze = Level(1, "bronze", "برنزی", "Bronze", 0, 0, 100, 0)
    silver = Level(2, "silver", "نقره‌ای", "Silver", 1, 10_000_000, 125, 0)
    gold = Level(3, "gold", "طلایی", "Gold", 2, 50_000_000, 150, 0)
    ladder = (bronze, silver, gold)
    assert level_for_sale(ladder, bronze, 9_000_000, 999_999) == bronze  # just short
    assert level_for_sale(ladder, bronze, 9_000_000, 1_000_000) == silver  # exactly on the threshold
    assert level_for_sale(ladder, bronze, 0, 60_000_000) == gold  # two levels at once
    # A sale never lowers a level (a silver member by hand, with less spend, stays silver).
    assert level_for_sale(ladder, silver, 0, 100) == silver
