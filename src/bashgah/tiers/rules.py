"""Tier rules as pure functions: which level a figure earns, windows, reviews, downgrades."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import jdatetime

from bashgah.core.jalali import TEHRAN, add_months, end_of_jalali_year


@dataclass(frozen=True)
class Level:
    id: int
    code: str
    name_fa: str
    name_en: str
    rank: int
    threshold: int
    earn_multiplier_pct: int
    birthday_gift_points: int


def level_for(levels: Sequence[Level], value: int) -> Level | None:
    """The highest level whose threshold ``value`` reaches (levels in any order); None if none."""
    best: Level | None = None
    for level in levels:
        if value >= level.threshold and (best is None or level.rank > best.rank):
            best = level
    return best


def level_for_sale(levels: Sequence[Level], current: Level, before: int, added: int) -> Level:
    """The level a sale earns at: the level it lifts the member to, when it crosses a threshold.

    The member reads "you are now gold" on the very receipt of that sale, so that sale earns at gold's
    multiplier (as ERPNext counts the crossing sale at the new level). ``before`` is the member's figure
    in the window before the sale, ``added`` what the sale adds to it. A sale never lowers a level.
    """
    reached = level_for(levels, before + added)
    return reached if reached is not None and reached.rank > current.rank else current


def next_level(levels: Sequence[Level], current: Level | None) -> Level | None:
    above = [lv for lv in levels if current is None or lv.rank > current.rank]
    return min(above, key=lambda lv: lv.rank) if above else None


def one_down(levels: Sequence[Level], current: Level) -> Level | None:
    below = [lv for lv in levels if lv.rank < current.rank]
    return max(below, key=lambda lv: lv.rank) if below else None


def downgrade_target(
    levels: Sequence[Level], current: Level, earned: Level | None, mode: str
) -> Level | None:
    """Where a member who no longer earns ``current`` goes: one level down, or straight to what they earn."""
    if earned is not None and earned.rank >= current.rank:
        return current
    if mode == "recompute":
        return earned
    lower = one_down(levels, current)
    if earned is not None and lower is not None and earned.rank > lower.rank:
        return earned
    return lower


def window_start(now: datetime, window: str, months: int) -> datetime:
    """Where the qualifying window starts: ``months`` back, or 1 Farvardin of this Jalali year."""
    if window == "jalali_year":
        today = jdatetime.datetime.fromgregorian(datetime=now.astimezone(TEHRAN))
        start = jdatetime.datetime(today.year, 1, 1, tzinfo=None).togregorian()
        return start.replace(tzinfo=TEHRAN)
    return add_months(now, -months)


def review_after(since: datetime, window: str, months: int) -> datetime:
    """When a level reached at ``since`` is next reviewed: after a full window, or at the year's end."""
    if window == "jalali_year":
        return end_of_jalali_year(since)
    return add_months(since, months)
