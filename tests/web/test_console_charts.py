"""The dashboard's monthly figures fall in the right Jalali (or Gregorian) month in Tehran time, and the
charts run the way the page reads."""

from __future__ import annotations

import calendar
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from bashgah.analytics import trends
from bashgah.analytics.labels import GROUPS, group_label
from bashgah.core.db import Database
from bashgah.web import fmt
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


# --- labels that fit -------------------------------------------------------------------------------------

FA_MONTHS = [
    f"{name} {year}"
    for name, year in [
        ("فروردین", "۱۴۰۵"),
        ("اردیبهشت", "۱۴۰۵"),
        ("خرداد", "۱۴۰۵"),
        ("تیر", "۱۴۰۵"),
        ("مرداد", "۱۴۰۵"),
        ("شهریور", "۱۴۰۵"),
        ("مهر", "۱۴۰۵"),
        ("آبان", "۱۴۰۵"),
        ("آذر", "۱۴۰۵"),
        ("دی", "۱۴۰۵"),
        ("بهمن", "۱۴۰۵"),
        ("اسفند", "۱۴۰۵"),
    ]
]
#: Python's own English month names (the C locale), not the module under test.
EN_MONTHS = [f"{name} 2026" for name in calendar.month_name[1:]]
#: Half an em per glyph: what the narrowest system fonts draw digits and letters in (independent of the
#: estimate the charts use, which must be at least as generous).
EM = 0.5


SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str, css: str) -> list[tuple[float, float, str]]:
    """(x, y, text) of every ``<text class=css>`` and of the year lines under month names."""
    found = []
    for x, y, body in re.findall(rf'<text class="{css}" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        name, _, rest = body.partition("<tspan")
        found.append((float(x), float(y), name))
        year = re.search(r'dy="(\d+)">([^<]*)</tspan>', rest)
        if year:
            found.append((float(x), float(y) + float(year.group(1)), year.group(2)))
    return found


def _overlaps(texts: list[tuple[float, float, str]], size: float) -> list[tuple[str, str]]:
    """Pairs of texts on one line (same y) whose boxes, centred on x, touch."""
    clashes = []
    for i, (x1, y1, t1) in enumerate(texts):
        for x2, y2, t2 in texts[i + 1 :]:
            if y1 == y2 and abs(x1 - x2) < (len(t1) + len(t2)) * size * EM / 2:
                clashes.append((t1, t2))
    return clashes


def test_month_names_and_figures_on_the_dashboard_charts_do_not_overlap_in_either_language() -> None:
    revenue = [12_345_678, 9_876_543, 23_456_789, 11_111_111, 8_765_432, 19_999_999] * 2
    for labels, show, rtl in (
        (FA_MONTHS, lambda v: f"{v:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")), True),
        (EN_MONTHS, lambda v: f"{v:,}", False),
    ):
        for width, months in ((charts.WIDTH, 12), (charts.NARROW, 6)):
            shown = labels[-months:]
            bars = str(charts.bars("t", shown, revenue[-months:], show, rtl, width))
            lines = str(charts.lines("t", shown, [charts.Series("s", revenue[-months:])], show, rtl, width))
            for svg in (bars, lines):
                axis = [t for t in _texts(svg, "axis") if t[1] > charts.TOP]  # the month labels
                assert not _overlaps(axis, 13), (width, labels[0])
                assert len(axis) >= 2 * 3  # thinned, not gone: at least three months are named
            values = [(x, 0.0, text) for x, _y, text in _texts(bars, "value")]
            assert not _overlaps(values, 12), (width, labels[0])
            # The latest month is always named, and every figure is still in the description.
            assert shown[-1].rpartition(" ")[0] in bars and show(revenue[months - 1]) in bars


# --- categories: a row per segment ---------------------------------------------------------------------


def _drawn(svg: str) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.fromstring(svg)
    return root, root.findall(f"{SVG}text")


def _segments(lang: str) -> tuple[list[str], list[int], Callable[[int], str]]:
    names = [group_label(key, lang) for key in GROUPS]
    counts = [250, 180, 95, 40, 33, 21, 12, 9, 5, 2, 1]
    show = (lambda v: fmt.number(v, lang)) if lang == "fa" else str
    return names, counts, show


def test_every_rfm_segment_is_named_and_counted_on_its_own_row_in_either_language() -> None:
    for lang, rtl in (("fa", True), ("en", False)):
        names, counts, show = _segments(lang)
        root, texts = _drawn(str(charts.rows("t", names, counts, show, rtl)))
        written = [t.text for t in texts]
        assert all(name in written for name in names), lang  # all eleven, the largest too
        assert all(show(n) in written for n in counts), lang
        width = float(root.get("viewBox", "").split()[2])
        bars = root.findall(f"{SVG}rect")
        assert len(bars) == len(names)
        for index, bar in enumerate(bars):
            name, figure = texts[2 * index], texts[2 * index + 1]
            x, w = float(bar.get("x", "")), float(bar.get("width", ""))
            # The name sits on its bar's row, at the side the page starts reading from; the figure at the
            # bar's far end; both inside the picture.
            y = float(bar.get("y", ""))
            assert y < float(name.get("y", "")) < y + charts.ROW_BAR
            name_x, figure_x = float(name.get("x", "")), float(figure.get("x", ""))
            size = charts.text_width(name.text or "", charts.AXIS_SIZE)
            if rtl:
                assert name.get("text-anchor") == "start" and name_x >= x + w and name_x + size <= width
                assert figure.get("text-anchor") == "end" and figure_x < x
            else:
                assert name.get("text-anchor") == "end" and name_x <= x and name_x - size >= 0
                assert figure.get("text-anchor") == "start" and figure_x > x + w
        # The longest bar is the largest group's.
        assert max(bars, key=lambda b: float(b.get("width", ""))) is bars[0]


def test_a_long_segment_name_widens_the_picture_rather_than_run_off_it() -> None:
    name = "A segment with a name far longer than any of the usual eleven"
    root, texts = _drawn(str(charts.rows("t", [name, "Lost"], [3, 1], str, rtl=False)))
    width = float(root.get("viewBox", "").split()[2])
    label = texts[0]
    assert float(label.get("x", "")) - charts.text_width(name, charts.AXIS_SIZE) >= 0
    assert width > charts.ROWS_WIDTH


def test_a_month_label_says_the_month_and_its_year_apart_in_either_language() -> None:
    for labels, rtl in ((EN_MONTHS, False), (FA_MONTHS, True)):
        for svg in (
            str(charts.bars("t", labels[:3], [1, 2, 3], str, rtl)),
            str(charts.lines("t", labels[:3], [charts.Series("s", [1, 2, 3])], str, rtl)),
        ):
            root = ET.fromstring(svg)
            for said in (*root.findall(f"{SVG}title"), *root.findall(f"{SVG}desc")):
                root.remove(said)  # the description lists every label anyway: read only what is drawn
            # The page's text (what is copied or read out) keeps a space between the two lines.
            text = " ".join("".join(root.itertext()).split())
            for label in labels[:3]:
                assert label in text, label
            assert "February2026" not in text


def test_a_trillion_above_the_latest_bar_and_on_the_axis_stays_in_the_picture_and_clear_of_the_legend() -> (
    None
):
    huge = [0] * 11 + [10_000_987_654_321]
    for labels, rtl in ((EN_MONTHS, False), (FA_MONTHS, True)):
        for width, months in ((charts.WIDTH, 12), (charts.NARROW, 6)):
            bars = ET.fromstring(
                str(charts.bars("t", labels[-months:], huge[-months:], "{:,}".format, rtl, width))
            )
            for text in bars.findall(f"{SVG}text[@class='value']"):
                half = charts.text_width(text.text or "", charts.VALUE_SIZE) / 2
                assert half <= float(text.get("x", "")) <= width - half, (rtl, width)
            series = [charts.Series("Issued", huge[-months:])]
            drawn = ET.fromstring(str(charts.lines("t", labels[-months:], series, "{:,}".format, rtl, width)))
            top, key = drawn.findall(f"{SVG}text")[0], drawn.find(f"{SVG}rect[@class='key s1']")
            assert key is not None
            reach = charts.text_width(top.text or "", charts.AXIS_SIZE)
            if rtl:
                assert float(key.get("x", "")) + 12 <= float(top.get("x", "")) - reach, width
            else:
                assert float(key.get("x", "")) >= float(top.get("x", "")) + reach, width
