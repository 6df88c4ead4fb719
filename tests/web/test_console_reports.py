"""Report pages in the console: the same reports as the API, written for people (money in the club's
unit, shares as percentages, the page's digits) with the API's CSV and XLSX downloads."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape as html_escape

import pytest
from web_helpers import WebClient

from bashgah.analytics.reports import REPORTS, Params
from bashgah.core.jalali import utcnow
from bashgah.web import fmt
from bashgah.web.console.reports import NAMES
from support import enrol, purchase


async def _shop(web: WebClient) -> list[int]:
    ids = []
    for total in (9_000_000, 1_000_000, 500_000, 400_000, 100_000):
        member = await enrol(web.http, web.club)
        assert (await purchase(web.http, web.club, member["id"], total)).status_code == 201
        ids.append(member["id"])
    # The smallest spender came back two months ago with another 100,000 rials.
    at = (utcnow() - timedelta(days=60)).isoformat()
    assert (await purchase(web.http, web.club, ids[-1], 100_000, occurred_at=at)).status_code == 201
    # A member who came twice, three weeks apart, more than a year ago: overdue for churn.
    gone = await enrol(web.http, web.club)
    for days in (420, 400):
        at = (utcnow() - timedelta(days=days)).isoformat()
        assert (await purchase(web.http, web.club, gone["id"], 200_000, occurred_at=at)).status_code == 201
    return ids


@pytest.mark.parametrize("name", NAMES)
async def test_every_report_opens_for_an_analyst_in_both_languages(web: WebClient, name: str) -> None:
    await _shop(web)
    await web.sign_in_as("analyst", "nazanin")
    fa = await web.get(f"/console/reports/{name}")
    assert fa.status_code == 200, fa.text
    assert 'dir="rtl"' in fa.text and "<table>" in fa.text
    web.http.cookies.set("bg_lang", "en")
    en = await web.get(f"/console/reports/{name}")
    assert en.status_code == 200 and 'dir="ltr"' in en.text


async def test_pareto_shows_the_top_fifth_and_its_share_of_revenue(web: WebClient) -> None:
    ids = await _shop(web)
    await web.sign_in_as("manager", "mina")
    web.http.cookies.set("bg_lang", "en")
    html = (await web.get("/console/reports/pareto")).text
    # Five buying members this year: the top 20 % is the one who spent 900,000 toman of 1,110,000.
    assert f'href="/console/members/{ids[0]}"' in html
    assert f'href="/console/members/{ids[1]}"' not in html
    assert "900,000 toman" in html and "81.1%" in html
    assert "(rials)" not in html  # amounts are written in the club's unit


async def test_rfm_draws_members_per_group_and_health_the_liability(web: WebClient) -> None:
    await _shop(web)
    await web.sign_in_as("owner", "sara")
    rfm = (await web.get("/console/reports/rfm")).text
    assert "<svg" in rfm and "تعداد اعضای هر گروه" in rfm
    health = (await web.get("/console/reports/health")).text
    assert "تعهد امتیازی" in health and "تومان" in health


async def test_a_report_downloads_as_csv_and_xlsx(web: WebClient) -> None:
    await _shop(web)
    await web.sign_in_as("manager", "mina")
    csv = await web.get("/console/reports/rfm/download", params={"format": "csv", "window_days": "90"})
    assert csv.status_code == 200
    assert csv.headers["content-disposition"] == 'attachment; filename="rfm.csv"'
    assert csv.text.count("\n") >= 6  # a header and the five members
    xlsx = await web.get("/console/reports/health/download", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


async def test_lifetime_value_without_enough_history_says_so(web: WebClient) -> None:
    member = await enrol(web.http, web.club)
    assert (await purchase(web.http, web.club, member["id"], 100_000)).status_code == 201
    await web.sign_in_as("owner", "sara")
    response = await web.get("/console/reports/clv")
    assert response.status_code == 409
    assert "سابقه‌ی خرید برای برآورد ارزش طول عمر مشتری کافی نیست" in response.text


async def test_a_wrong_report_setting_is_explained_and_changes_nothing(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    response = await web.get("/console/reports/cohorts", params={"months": "۹۹"})
    assert response.status_code == 422
    assert "بین ۱ و ۶۰" in response.text
    assert 'value="۹۹"' in response.text
    assert (await web.get("/console/reports/nonsense")).status_code == 404


async def test_a_report_as_of_a_day_counts_that_whole_tehran_day_in_both_languages(
    web: WebClient,
) -> None:
    from datetime import UTC, datetime

    from bashgah.core.jalali import TEHRAN
    from bashgah.core.normalize import to_latin_digits

    late = (await enrol(web.http, web.club, first_name="Late"))["id"]
    evening = datetime(2026, 3, 1, 20, tzinfo=TEHRAN).astimezone(UTC)  # 10 Esfand 1404, 20:00 Tehran
    sale = await purchase(web.http, web.club, late, 900_000, occurred_at=evening.isoformat())
    assert sale.status_code == 201, sale.text
    await web.sign_in_as("manager", "mina")  # the download holds names: a manager's right
    for lang, day in (("fa", "۱۴۰۴/۱۲/۱۰"), ("en", "2026-03-01")):
        web.http.cookies.set("bg_lang", lang)
        shown = await web.get("/console/reports/pareto", params={"as_of": day})
        assert shown.status_code == 200, shown.text
        assert "Late" in shown.text
        # The form keeps the day typed in its own box, so the next click shows the same moment.
        assert f'<input id="as_of" name="as_of" value="{day}"' in shown.text
        assert "90,000" in to_latin_digits(shown.text).replace("٬", ",")  # toman: 900,000 rials
        download = await web.get("/console/reports/pareto/download", params={"format": "csv", "as_of": day})
        assert download.status_code == 200 and "900000" in download.text
        wrong = await web.get("/console/reports/pareto", params={"as_of": "1404/13/01"})
        assert wrong.status_code == 422
        assert ("YYYY/MM/DD (Jalali)" if lang == "en" else "(شمسی)") in wrong.text


@pytest.mark.parametrize("name", ["rfm", "lrfm"])
async def test_the_segment_chart_names_every_group_with_members_and_its_count(
    web: WebClient, name: str
) -> None:
    await _shop(web)
    await web.sign_in_as("owner", "sara")
    for lang in ("fa", "en"):
        web.http.cookies.set("bg_lang", lang)
        html = (await web.get(f"/console/reports/{name}")).text
        svg = re.search(r"<svg class=\"chart rows\".*?</svg>", html, re.S)
        assert svg, lang
        drawn = re.findall(r"<text [^>]*>([^<]*)</text>", svg.group(0))
        async with web.db.transaction() as session:
            report = await REPORTS[name](session, web.club.tenant_id, lang, Params())
        groups = [g for g in report.as_dicts("groups") if g["members"]]
        assert len(groups) >= 2, lang
        for group in groups:
            assert html_escape(group["group"]) in drawn, (lang, group["group"])
            assert fmt.number(group["members"], lang) in drawn, (lang, group["members"])


async def test_programme_health_names_each_branch_never_its_code(web: WebClient) -> None:
    from sqlalchemy import update

    from bashgah.models import Branch

    await _shop(web)
    async with web.db.transaction() as session:
        await session.execute(update(Branch).where(Branch.code == "main").values(name="شعبهٔ ونک"))
    await web.sign_in_as("owner", "sara")
    html = (await web.get("/console/reports/health")).text
    assert "<td>شعبهٔ ونک</td>" in html and "<td>main</td>" not in html


def test_money_in_a_report_is_in_whole_tomans_rials_or_qeran_rounded_half_up() -> None:
    from bashgah.web.console.reports import Cells

    # 1,140,000,504 rials is 114,000,050.4 toman: the page says 114,000,050 toman, never a tenth of one.
    assert Cells("fa", "toman")("average_rials", 1_140_000_504.0) == "۱۱۴٬۰۰۰٬۰۵۰ تومان"
    assert Cells("en", "toman")("basket_rials", 1_580_715) == "158,072 toman"
    assert Cells("en", "rial")("basket_rials", 1_580_714.5) == "1,580,715 rials"
    assert Cells("en", "new_rial")("basket_rials", 1_580_714.5) == "158.07 new rials"
