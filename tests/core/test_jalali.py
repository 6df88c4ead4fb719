from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bashgah.core.errors import InvalidDate
from bashgah.core.jalali import (
    TEHRAN,
    add_months,
    end_of_jalali_year,
    parse_birth_date,
    to_jalali_str,
    utcnow,
)

TODAY = date(2026, 5, 1)


# ---------------------------------------------------------------------------------------------- TEHRAN


def test_tehran_offset_is_3_30_without_dst() -> None:
    for month in (1, 4, 7, 10):
        assert datetime(2025, month, 15, 12, tzinfo=TEHRAN).utcoffset() == timedelta(hours=3, minutes=30)


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


# ----------------------------------------------------------------------------------------- birth dates


@pytest.mark.parametrize(
    "raw",
    [
        "1991-08-03",
        "1991/08/03",
        "1370/05/12",
        "1370-05-12",
        "1370/5/12",
        "۱۳۷۰/۰۵/۱۲",
        "١٣٧٠/٠٥/١٢",
        "۱۹۹۱-۰۸-۰۳",
        " 1370/05/12 ",
    ],
)
def test_parse_birth_date_same_day(raw: str) -> None:
    assert parse_birth_date(raw, today=TODAY) == date(1991, 8, 3)


def test_parse_birth_date_nowruz_and_leap_days() -> None:
    assert parse_birth_date("1403/01/01", today=TODAY) == date(2024, 3, 20)
    assert parse_birth_date("1403/12/30", today=TODAY) == date(2025, 3, 20)  # 1403 is a leap year
    assert parse_birth_date("2000-02-29", today=TODAY) == date(2000, 2, 29)
    assert parse_birth_date("1279/10/11", today=TODAY) == date(1901, 1, 1)


def test_parse_birth_date_today_is_allowed() -> None:
    assert parse_birth_date("2026-05-01", today=TODAY) == TODAY


def test_parse_birth_date_default_today_rejects_far_future() -> None:
    with pytest.raises(InvalidDate):
        parse_birth_date("2999-01-01")
    assert parse_birth_date("1991-08-03") == date(1991, 8, 3)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "yesterday",
        "1991-8",
        "03-08-1991",  # day first
        "1991-08-03T00:00",
        "1991/08-03",  # mixed separators
        "19910803",
        "1991-02-30",  # impossible Gregorian
        "1991-13-01",
        "1991-00-10",
        "1402/12/30",  # 1402 is not a leap year
        "1370/13/01",
        "1370/07/31",  # second half of the Jalali year has 30-day months
        "1370/00/10",
        "1899-12-31",  # before 1900
        "1278/01/01",  # Jalali, but before 1900
        "2026-05-02",  # future
        "1405/02/12",  # 2026-05-02 in Jalali: future
    ],
)
def test_parse_birth_date_invalid(raw: str) -> None:
    with pytest.raises(InvalidDate) as exc:
        parse_birth_date(raw, today=TODAY)
    assert exc.value.code == "invalid_date"
    assert exc.value.field == "birth_date"
    assert "تاریخ تولد" in exc.value.message("fa")


# -------------------------------------------------------------------------------------------- to_jalali


@pytest.mark.parametrize(
    ("gregorian", "jalali"),
    [
        (date(1991, 8, 3), "1370/05/12"),
        (date(2024, 3, 20), "1403/01/01"),
        (date(2024, 3, 19), "1402/12/29"),
        (date(2025, 3, 20), "1403/12/30"),
        (date(2025, 3, 21), "1404/01/01"),
        (date(2027, 3, 21), "1406/01/01"),
    ],
)
def test_to_jalali_str(gregorian: date, jalali: str) -> None:
    assert to_jalali_str(gregorian) == jalali


def test_to_jalali_round_trip() -> None:
    d = date(1991, 8, 3)
    assert parse_birth_date(to_jalali_str(d), today=TODAY) == d


# ------------------------------------------------------------------------------------ end of Jalali year


def test_end_of_jalali_year_example() -> None:
    at = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # Azar 1405
    end = end_of_jalali_year(at)
    assert end == datetime(2027, 3, 20, 20, 30, tzinfo=UTC)
    assert end.utcoffset() == timedelta(0)
    assert end.astimezone(TEHRAN) == datetime(2027, 3, 21, 0, 0, tzinfo=TEHRAN)
    assert to_jalali_str(end.astimezone(TEHRAN).date()) == "1406/01/01"


def test_end_of_jalali_year_just_before_nowruz_1403() -> None:
    # 1 Farvardin 1403 = 2024-03-20; its first instant is 2024-03-19T20:30Z.
    nowruz = datetime(2024, 3, 19, 20, 30, tzinfo=UTC)
    just_before = nowruz - timedelta(seconds=1)  # 29 Esfand 1402, 23:59:59 Tehran
    assert end_of_jalali_year(just_before) == nowruz


def test_end_of_jalali_year_at_and_just_after_nowruz_1403() -> None:
    nowruz = datetime(2024, 3, 19, 20, 30, tzinfo=UTC)
    # From 1 Farvardin 1403 on, the year ends at 1 Farvardin 1404 = 2025-03-21 00:00 Tehran.
    next_nowruz = datetime(2025, 3, 20, 20, 30, tzinfo=UTC)
    assert end_of_jalali_year(nowruz) == next_nowruz
    assert end_of_jalali_year(nowruz + timedelta(seconds=1)) == next_nowruz


def test_end_of_jalali_year_uses_tehran_day_not_utc_day() -> None:
    # 2024-03-19T21:00Z is already 2024-03-20 00:30 in Tehran (1 Farvardin 1403) although the UTC
    # date is still 19 March (Esfand 1402).
    at = datetime(2024, 3, 19, 21, 0, tzinfo=UTC)
    assert end_of_jalali_year(at) == datetime(2025, 3, 20, 20, 30, tzinfo=UTC)


def test_end_of_jalali_year_other_input_zones() -> None:
    at_tehran = datetime(2024, 3, 19, 23, 59, tzinfo=TEHRAN)  # 29 Esfand 1402 in Tehran
    assert end_of_jalali_year(at_tehran) == datetime(2024, 3, 19, 20, 30, tzinfo=UTC)
    at_plus5 = datetime(2024, 3, 20, 1, 0, tzinfo=timezone(timedelta(hours=5)))  # 23:30 Tehran, 29 Esfand
    assert end_of_jalali_year(at_plus5) == datetime(2024, 3, 19, 20, 30, tzinfo=UTC)


def test_end_of_jalali_year_dst_era() -> None:
    # Before 2022 Iran observed DST, but it began a day after Nowruz; 1 Farvardin 1400 = 2021-03-21.
    at = datetime(2020, 10, 1, tzinfo=UTC)  # Mehr 1399
    assert end_of_jalali_year(at) == datetime(2021, 3, 20, 20, 30, tzinfo=UTC)


def test_end_of_jalali_year_rejects_naive() -> None:
    with pytest.raises(ValueError):
        end_of_jalali_year(datetime(2024, 1, 1))


# ----------------------------------------------------------------------------------------------- months


def test_add_months_clamps_31_january() -> None:
    jan31 = datetime(2025, 1, 31, 9, 15, tzinfo=UTC)
    assert add_months(jan31, 1) == datetime(2025, 2, 28, 9, 15, tzinfo=UTC)
    assert add_months(datetime(2024, 1, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert add_months(jan31, 2) == datetime(2025, 3, 31, 9, 15, tzinfo=UTC)
    assert add_months(jan31, 3) == datetime(2025, 4, 30, 9, 15, tzinfo=UTC)


def test_add_months_year_boundaries_and_negative() -> None:
    assert add_months(datetime(2025, 11, 15, tzinfo=UTC), 3) == datetime(2026, 2, 15, tzinfo=UTC)
    assert add_months(datetime(2025, 3, 31, tzinfo=UTC), -1) == datetime(2025, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2025, 1, 10, tzinfo=UTC), -1) == datetime(2024, 12, 10, tzinfo=UTC)
    assert add_months(datetime(2025, 1, 10, tzinfo=UTC), 24) == datetime(2027, 1, 10, tzinfo=UTC)
    assert add_months(datetime(2025, 1, 10, tzinfo=UTC), 0) == datetime(2025, 1, 10, tzinfo=UTC)


def test_add_months_keeps_tzinfo_and_wall_time() -> None:
    at = datetime(2025, 8, 31, 23, 45, tzinfo=TEHRAN)
    moved = add_months(at, 1)
    assert moved.tzinfo is TEHRAN
    assert (moved.year, moved.month, moved.day, moved.hour, moved.minute) == (2025, 9, 30, 23, 45)


def test_a_birth_date_in_the_future_is_refused_as_in_the_future_not_as_a_bad_format() -> None:
    with pytest.raises(InvalidDate) as exc:
        parse_birth_date("1405/02/12", today=TODAY)
    assert "in the future" in exc.value.message("en") and "آینده" in exc.value.message("fa")
    assert not exc.value.malformed
    with pytest.raises(InvalidDate) as exc:
        parse_birth_date("1370/13/01", today=TODAY)
    assert exc.value.malformed and "YYYY-MM-DD" in exc.value.message("en")
