"""The member's coming expiries are listed one line per day."""

from __future__ import annotations

from datetime import UTC, datetime

from bashgah.portal.service import Expiry, by_day


def test_lots_expiring_at_different_hours_of_one_tehran_day_are_one_line_with_the_sum() -> None:
    lots = [
        (datetime(2027, 3, 1, 6, 0, tzinfo=UTC), 120),  # 09:30 in Tehran
        (datetime(2027, 3, 1, 19, 0, tzinfo=UTC), 80),  # 22:30 the same Tehran day
        (datetime(2027, 3, 1, 21, 0, tzinfo=UTC), 5),  # 00:30 on 2 March in Tehran: the next day
        (datetime(2027, 4, 1, 8, 0, tzinfo=UTC), 40),
        (datetime(2027, 5, 1, 8, 0, tzinfo=UTC), 10),
    ]
    assert by_day(lots, limit=3) == [
        Expiry(datetime(2027, 3, 1, 6, 0, tzinfo=UTC), 200),
        Expiry(datetime(2027, 3, 1, 21, 0, tzinfo=UTC), 5),
        Expiry(datetime(2027, 4, 1, 8, 0, tzinfo=UTC), 40),
    ]
