"""The ledger's business rules as pure functions (no database), unit-tested on their own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bashgah.core.jalali import add_months, end_of_jalali_year

ROUNDING_MODES = ("floor", "round", "ceil")
EXPIRY_MODES = ("never", "months", "jalali_year_end")
REFUND_POLICIES = ("within_balance", "allow_negative")


def points_for(paid_rials: int, earn_points: int, earn_per_rials: int, rounding: str = "floor") -> int:
    """Points earned on ``paid_rials``: ``earn_points`` per ``earn_per_rials``, rounded as configured.

    Integer arithmetic only, so 1 point per 10,000 rials on 99,999 rials is exactly 9 (floor), 10 (round
    and ceil) — never 9.9999.
    """
    if paid_rials <= 0 or earn_points <= 0:
        return 0
    numerator = paid_rials * earn_points
    whole, rest = divmod(numerator, earn_per_rials)
    if rounding == "ceil" and rest:
        return whole + 1
    if rounding == "round" and rest * 2 >= earn_per_rials:
        return whole + 1
    return whole


def expiry_for(earned_at: datetime, mode: str, months: int) -> datetime | None:
    """When points earned at ``earned_at`` expire, or None for never."""
    if mode == "months":
        return add_months(earned_at, months)
    if mode == "jalali_year_end":
        return end_of_jalali_year(earned_at)
    return None


def available_after(earned_at: datetime, pending_days: int) -> datetime:
    return earned_at + timedelta(days=pending_days)


def take_in_order(remaining: Iterable[tuple[int, int]], amount: int) -> list[tuple[int, int]]:
    """Take ``amount`` from ``(lot_id, remaining)`` pairs in the order given.

    Returns ``(lot_id, taken)`` pairs; takes less than ``amount`` only when the lots hold less.
    """
    taken: list[tuple[int, int]] = []
    need = amount
    for lot_id, left in remaining:
        if need <= 0:
            break
        if left <= 0:
            continue
        n = min(left, need)
        taken.append((lot_id, n))
        need -= n
    return taken


def split_allocations(
    allocations: Sequence[Sequence[int]], used: int
) -> tuple[list[list[int]], list[list[int]]]:
    """Split a reservation's allocations into the first ``used`` points and the rest to give back."""
    spent: list[list[int]] = []
    back: list[list[int]] = []
    need = used
    for lot_id, n in allocations:
        use = min(n, max(need, 0))
        if use:
            spent.append([lot_id, use])
        if n - use:
            back.append([lot_id, n - use])
        need -= use
    return spent, back


def proportional_due(whole_points: int, refunded_so_far: int, total: int, already: int) -> int:
    """Points due for a refund, computed on the cumulative refunded share so that rounding never drifts.

    Refunding a purchase in several parts ends with exactly ``whole_points`` handled in total.
    """
    if total <= 0 or whole_points <= 0:
        return 0
    cumulative = whole_points * min(refunded_so_far, total) // total
    return max(0, cumulative - already)


def lot_credit_after_debt(balance_before: int, amount: int) -> int:
    """Points of a new credit that become spendable when the account was negative (debt is paid first)."""
    return max(0, min(amount, balance_before + amount))
