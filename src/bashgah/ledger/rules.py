"""The ledger's business rules as pure functions (no database), unit-tested on their own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class LotDates:
    """When points credited as one lot become spendable and when they expire (None: never)."""

    available_at: datetime
    expires_at: datetime | None

    @property
    def pair(self) -> tuple[datetime, datetime | None]:
        return self.available_at, self.expires_at


def lot_dates(earned_at: datetime, pending_days: int, mode: str, months: int) -> LotDates:
    """The dates of points earned at ``earned_at`` — THE dating rule of every channel.

    ``earned_at`` is when the points were earned: a sale's own ``occurred_at`` (at the till, through the
    API, from an import alike), never the moment it happens to be recorded. The points are available
    ``pending_days`` later (the return window) and expire by the programme's ``mode``.

    Points always get at least as long to be spent as they waited: when the expiry would fall less than
    ``pending_days`` after the points become available (points earned in the last days of Esfand under
    ``jalali_year_end``, or a window longer than ``months``), they expire at the first expiry date that
    leaves that long — the end of the next Jalali year, or ``pending_days`` after they become available.
    Without a return window nothing changes: points are available at once and expire as configured.
    """
    available_at = available_after(earned_at, pending_days)
    expires_at = expiry_for(earned_at, mode, months)
    if expires_at is not None and pending_days > 0:
        spend_until = available_at + timedelta(days=pending_days)
        if expires_at < spend_until:
            expires_at = end_of_jalali_year(spend_until) if mode == "jalali_year_end" else spend_until
    return LotDates(available_at, expires_at)


#: How far ahead of the server's clock a sale's ``occurred_at`` may be (a till's clock running fast).
CLOCK_SKEW = timedelta(minutes=10)


def sale_time(occurred_at: datetime | None, now: datetime) -> datetime | None:
    """When a sale happened, as the ledger dates it: ``occurred_at`` (``now`` when not given).

    A time up to :data:`CLOCK_SKEW` ahead is a till's clock running fast and counts as ``now`` (points
    are never dated after they were recorded); further ahead is not a sale that has happened: None, for
    the caller to refuse. A time in the past is kept as it is — even when its points have already
    expired (they are recorded, so the history is true, and show as expired from the start).
    """
    if occurred_at is None:
        return now
    if occurred_at > now + CLOCK_SKEW:
        return None
    return min(occurred_at, now)


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
