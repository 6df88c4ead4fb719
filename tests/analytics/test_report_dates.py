"""A date given to a report means the end of that day in Tehran — on the command line and through the
API alike: ``--as-of 2026-03-01`` counts a purchase made at 20:00 Tehran time that day, where midnight
UTC (03:30 in Tehran) would have dropped it while counting the day."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from report_factories import add_member, add_purchase

from bashgah.core.db import Database
from bashgah.core.errors import InvalidDate
from bashgah.core.jalali import TEHRAN, end_of_day, parse_until
from support import Cli, Club, error_code

#: 1 March 2026 (10 Esfand 1404), 20:00 in Tehran = 16:30 UTC: after midnight UTC, before the day ends.
EVENING = datetime(2026, 3, 1, 20, tzinfo=TEHRAN).astimezone(UTC)


def test_a_day_is_its_last_instant_in_tehran_however_it_is_written() -> None:
    last = datetime(2026, 3, 1, 23, 59, 59, 999_999, tzinfo=TEHRAN).astimezone(UTC)
    assert end_of_day(date(2026, 3, 1)) == last
    assert parse_until("2026-03-01") == parse_until("1404/12/10") == parse_until("۱۴۰۴/۱۲/۱۰") == last
    # In summer Tehran was on +04:30 (before 2022): the day still ends at 23:59:59 there.
    assert parse_until("1997-06-30") == datetime(1997, 6, 30, 19, 29, 59, 999_999, tzinfo=UTC)
    # A time is that moment: Tehran's without an offset, as given with one.
    assert parse_until("2026-03-01T12:00") == datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    assert parse_until("2026-03-01T12:00:00+00:00") == datetime(2026, 3, 1, 12, tzinfo=UTC)
    for wrong in ("2026-02-30", "1404/13/01", "yesterday", ""):
        with pytest.raises(InvalidDate):
            parse_until(wrong)


async def test_the_command_line_counts_the_whole_tehran_day_of_as_of(
    db: Database, club: Club, cli: Cli, tmp_path: Path
) -> None:
    late = await add_member(db, club.tenant_id, "Late")
    await add_purchase(db, club.tenant_id, late, EVENING, 900_000)
    await add_purchase(db, club.tenant_id, late, EVENING - timedelta(days=30), 100_000)

    for day in ("2026-03-01", "1404/12/10"):
        out = tmp_path / "pareto.csv"
        result = await cli("report", "pareto", "-f", "csv", "-o", str(out), "--as-of", day)
        assert result.exit_code == 0, result.output
        with out.open(encoding="utf-8-sig", newline="") as f:
            _, row = list(csv.reader(f))
        assert row[1:3] == [str(late), "Late"] and "1000000" in row

    before = await cli("report", "pareto", "--as-of", "2026-02-28")
    assert before.exit_code == 0 and "1000000" not in before.stdout
    wrong = await cli("report", "pareto", "--as-of", "2026-02-30")
    assert wrong.exit_code == 2 and "--as-of" in wrong.output


async def test_the_reports_api_reads_a_date_as_the_end_of_that_tehran_day(
    db: Database, client: httpx.AsyncClient, club: Club
) -> None:
    late = await add_member(db, club.tenant_id, "Late")
    await add_purchase(db, club.tenant_id, late, EVENING, 900_000)
    headers = club.headers("manager", **{"Accept-Language": "en"})

    for day in ("2026-03-01", "1404/12/10"):
        response = await client.get("/api/v1/reports/pareto", params={"as_of": day}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert datetime.fromisoformat(body["as_of"]) == end_of_day(date(2026, 3, 1))
        members = next(t for t in body["tables"] if t["name"] == "members")["rows"]
        assert [(m["member_id"], m["revenue_rials"]) for m in members] == [(late, 900_000)]

    wrong = await client.get("/api/v1/reports/pareto", params={"as_of": "2026-02-30"}, headers=headers)
    assert wrong.status_code == 422 and error_code(wrong) == "invalid_date"
