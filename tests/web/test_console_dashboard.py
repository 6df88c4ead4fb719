"""The console's dashboard: the club's figures at a glance and twelve months of charts drawn as SVG."""

from __future__ import annotations

import re

import jdatetime
from web_helpers import WebClient

from bashgah.core.jalali import MONTH_NAMES_FA, TEHRAN, utcnow
from support import enrol, give_points, purchase


async def _shop_with_two_members(web: WebClient) -> None:
    first = await enrol(web.http, web.club)
    await enrol(web.http, web.club)
    assert (await purchase(web.http, web.club, first["id"], 2_000_000)).status_code == 201
    await give_points(web.http, web.club, first["id"], 300)


async def test_the_owner_sees_members_points_and_liability_in_persian(web: WebClient) -> None:
    await _shop_with_two_members(web)
    await web.sign_in_as("owner", "sara")
    response = await web.get("/console")
    assert response.status_code == 200
    html = response.text
    assert 'dir="rtl"' in html
    # Two members, one of them active this month; money in toman with Persian digits.
    assert re.search(r"<span>اعضا</span><strong>۲</strong>", html)
    assert re.search(r"<span>فعال در ۳۰ روز گذشته</span><strong>۱</strong>", html)
    assert "تومان" in html
    # Three charts, each drawn for a wide screen (twelve months) and a phone (six), on this Jalali month.
    assert html.count("<svg") == 6
    this_month = jdatetime.date.fromgregorian(date=utcnow().astimezone(TEHRAN).date()).month
    assert MONTH_NAMES_FA[this_month - 1] in html
    assert "<script" not in html.split("</head>")[1]  # the charts need no script


async def test_the_dashboard_in_english_has_gregorian_months_and_latin_digits(web: WebClient) -> None:
    await _shop_with_two_members(web)
    await web.sign_in_as("owner", "sara")
    web.http.cookies.set("bg_lang", "en")
    html = (await web.get("/console")).text
    assert 'dir="ltr"' in html
    assert re.search(r"<span>Members</span><strong>2</strong>", html)
    assert f"{utcnow().astimezone(TEHRAN):%b}" in html
    assert "toman" in html
    # This month's points in the chart are the issued points of the key figures (all moved today).
    issued = re.search(r"<span>Points issued</span><strong>([\d,]+)</strong>", html)
    assert issued and issued.group(1) != "0"
    assert f"{utcnow().astimezone(TEHRAN):%B %Y} {issued.group(1)}; Redeemed:" in html


async def test_the_members_share_of_revenue_needs_the_shops_whole_revenue(web: WebClient) -> None:
    await _shop_with_two_members(web)
    await web.sign_in_as("manager", "mina")
    web.http.cookies.set("bg_lang", "en")
    without = (await web.get("/console")).text
    assert re.search(r"Members&#39; share of revenue</span><strong>—</strong>", without)
    # 2,000,000 rials of members' revenue out of 800,000 toman (8,000,000 rials) is a quarter.
    share = (await web.get("/console", params={"store_revenue": "800,000"})).text
    assert re.search(r"Members&#39; share of revenue</span><strong>25%</strong>", share)
    wrong = await web.get("/console", params={"store_revenue": "lots"})
    assert "Shop revenue must be a number" in wrong.text
