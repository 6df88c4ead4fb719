"""Stamp card arithmetic: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable

from bashgah.ledger import rules as ledger_rules
from bashgah.programme.conditions import Line, matching_units
from bashgah.stamps.schemas import StampEarning


def stamps_for(earn: StampEarning, lines: Iterable[Line], total_rials: int) -> int:
    """Stamps a sale earns: one for the visit, or per matching unit; capped per purchase."""
    if earn.min_total_rials is not None and total_rials < earn.min_total_rials:
        return 0
    if earn.items is None:
        n = 1
    else:
        units = matching_units(earn.items, lines)
        n = units if earn.per == "unit" else min(units, 1)
    return n if earn.max_per_purchase is None else min(n, earn.max_per_purchase)


def fill(stamps: int, needed: int, add: int) -> tuple[int, int]:
    """(cards completed, stamps left on the open card) after adding ``add`` to a card at ``stamps``."""
    total = stamps + add
    return total // needed, total % needed


def due_on_return(earned: int, done: int, whole: int, already: int) -> int:
    """Stamps a return takes back now: the cumulative share ``done / whole`` of what was earned, less
    what earlier returns of the same purchase took (so parts add up to one full return)."""
    return ledger_rules.proportional_due(earned, done, whole, already)
