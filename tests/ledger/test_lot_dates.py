"""The one rule that dates points (``rules.lot_dates``) and a sale's time (``rules.sale_time``), as pure
functions: every channel — the till, the API, the importer — dates a sale's points from the sale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jdatetime

from bashgah.core.jalali import TEHRAN
from bashgah.ledger import rules


def tehran(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A Jalali day at ``hour`` in Tehran, as an aware UTC datetime."""
    g = jdatetime.datetime(year, month, day, hour).togregorian()
    return g.replace(tzinfo=TEHRAN).astimezone(UTC)


NOWRUZ_1405 = tehran(1405, 1, 1, 0)
NOWRUZ_1406 = tehran(1406, 1, 1, 0)


def test_points_are_available_after_the_return_window_and_expire_from_the_sale() -> None:
    sale = datetime(2025, 6, 10, 9, 30, tzinfo=UTC)
    dates = rules.lot_dates(sale, 7, "months", 12)
    assert dates.available_at == sale + timedelta(days=7)
    assert dates.expires_at == datetime(2026, 6, 10, 9, 30, tzinfo=UTC)
    assert rules.lot_dates(sale, 7, "never", 0).expires_at is None


def test_points_earned_in_the_last_days_of_esfand_expire_at_the_end_of_the_next_year() -> None:
    # 25 Esfand with a 14-day return window: available on 9 Farvardin, after the year they were earned in.
    dates = rules.lot_dates(tehran(1404, 12, 25), 14, "jalali_year_end", 0)
    assert dates.available_at == tehran(1404, 12, 25) + timedelta(days=14)
    assert dates.available_at > NOWRUZ_1405
    assert dates.expires_at == NOWRUZ_1406


def test_points_always_get_as_long_to_be_spent_as_they_waited() -> None:
    # 10 Esfand: available on 24 Esfand, but only a few days would be left before Nowruz.
    late = rules.lot_dates(tehran(1404, 12, 10), 14, "jalali_year_end", 0)
    assert late.expires_at == NOWRUZ_1406
    # 1 Bahman: available on 15 Bahman, six weeks before Nowruz: the year's end stays.
    early = rules.lot_dates(tehran(1404, 11, 1), 14, "jalali_year_end", 0)
    assert early.expires_at == NOWRUZ_1405
    for earned_at in (tehran(1404, 12, d) for d in range(1, 30)):
        dates = rules.lot_dates(earned_at, 14, "jalali_year_end", 0)
        assert dates.expires_at is not None
        assert dates.expires_at - dates.available_at >= timedelta(days=14), earned_at


def test_without_a_return_window_the_year_end_is_kept_even_on_the_last_day() -> None:
    last_day = tehran(1404, 12, 29, 20)
    dates = rules.lot_dates(last_day, 0, "jalali_year_end", 0)
    assert (dates.available_at, dates.expires_at) == (last_day, NOWRUZ_1405)


def test_a_return_window_longer_than_the_expiry_leaves_the_window_to_spend() -> None:
    sale = datetime(2025, 1, 31, tzinfo=UTC)
    dates = rules.lot_dates(sale, 30, "months", 1)
    assert dates.available_at == sale + timedelta(days=30)
    assert dates.expires_at == sale + timedelta(days=60)


def test_a_sale_time_a_few_minutes_ahead_is_now_and_further_ahead_is_refused() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert rules.sale_time(None, now) == now
    assert rules.sale_time(now - timedelta(days=400), now) == now - timedelta(days=400)
    assert rules.sale_time(now + timedelta(minutes=3), now) == now
    assert rules.sale_time(now + rules.CLOCK_SKEW, now) == now
    assert rules.sale_time(now + rules.CLOCK_SKEW + timedelta(seconds=1), now) is None
