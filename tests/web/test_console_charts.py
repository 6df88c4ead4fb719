"""The dashboard's monthly figures fall in the right Jalali (or Gregorian) month in Tehran time, and the
charts run the way the page reads."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from bashgah.analytics import trends
from bashgah.core.db import Database
from bashgah.web.console import charts
from support import Club, enrol, purchase


async def test_a_sale_just_before_and_just_after_nowruz_fall_in_two_jalali_months(
    db: Database, club: Club, client: httpx.AsyncClient
) -> None:
    member = await enrol(client, club)
    # Tehran is UTC+03:30: 20:29 UTC on 20 March 2026 is 29 Esfand 1404, 20:31 UTC is 1 Farvardin 1405.
    for at, total in (("2026-03-20T20:29:00+00:00", 1_000_000), ("2026-03-20T20:31:00+00:00", 3_000_000)):
        assert (await purchase(client, club, member["id"], total, occurred_at=at)).status_code == 201
    as_of = datetime(2026, 4, 15, tzinfo=UTC)
    async with db.transaction() as session:
        fa = await trends.monthly(session, club.tenant_id, "fa", months=2, as_of=as_of)
        en = await trends.monthly(session, club.tenant_id, "en", months=2, as_of=as_of)
    assert [(m.label, m.purchases, m.revenue_rials) for m in fa] == [
        ("اسفند ۱۴۰۴", 1, 1_000_000),
        ("فروردین ۱۴۰۵", 1, 3_000_000),
    ]
    # The points are the ledger's, counted when they moved (today): neither month holds them.
    assert sum(m.points_issued for m in fa) == 0
    # In English both are March 2026 (Gregorian), April has none yet.
    assert [(m.label, m.purchases) for m in en] == [("March 2026", 2), ("April 2026", 0)]


def _xs(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'<rect class="bar s1" x="([\d.]+)"', svg)]


def test_time_runs_right_to_left_in_persian_and_left_to_right_in_english() -> None:
    labels, values = ["فروردین ۱۴۰۵", "اردیبهشت ۱۴۰۵", "خرداد ۱۴۰۵"], [1, 2, 3]
    rtl = str(charts.bars("t", labels, values, str, rtl=True))
    ltr = str(charts.bars("t", labels, values, str, rtl=False))
    assert _xs(rtl) == sorted(_xs(rtl), reverse=True)  # the oldest month on the right
    assert _xs(ltr) == sorted(_xs(ltr))
    assert "style=" not in rtl and "<script" not in rtl  # nothing the pages' CSP would block
    assert 'aria-label="t"' in rtl and "<desc>t: فروردین ۱۴۰۵ 1" in rtl
