"""Campaigns in the console, as an owner plans them: a campaign that starts later is "scheduled" and the
list says when each one runs; the form covers tiers, segments, hours and weekdays (the same ``CampaignCreate``
the API takes); and ``examine`` shows what a sale would earn at a chosen day and time."""

from __future__ import annotations

from datetime import datetime, timedelta

import jdatetime
from sqlalchemy import select
from web_helpers import WebClient, bronze_and_gold

from bashgah.core.jalali import TEHRAN
from bashgah.models import Campaign
from bashgah.segments import service as segments
from bashgah.segments.schemas import SegmentCreate
from support import enrol

BASE = {
    "mode": "form",
    "name_fa": "شب‌های جمعه",
    "name_en": "Friday nights",
    "active": "1",
    "effect": "points_multiplier",
    "factor": "2",
    "rule_key": "main",
}


async def _ladder_and_segment(web: WebClient) -> int:
    await bronze_and_gold(web)
    async with web.db.transaction() as session:
        made = await segments.create(
            session, web.club.tenant_id, SegmentCreate(name="مشتریان وفادار", kind="static")
        )
        return made.id


async def _definition(web: WebClient) -> dict:
    async with web.db.transaction() as session:
        campaign = await session.scalar(select(Campaign))
        assert campaign is not None
        return dict(campaign.definition)


async def test_a_campaign_starting_next_month_is_listed_as_scheduled_with_its_days(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    first = datetime.now(TEHRAN).date() + timedelta(days=30)
    last = first + timedelta(days=6)
    j_first = jdatetime.date.fromgregorian(date=first)
    saved = await web.submit(
        "/console/campaigns/new",
        "/console/campaigns",
        {
            **BASE,
            "starts_on": f"{j_first.year}/{j_first.month:02d}/{j_first.day:02d}",
            "ends_on": last.isoformat(),
            "weekdays": "friday",
            "from_hour": "۱۸",
            "to_hour": "22",
        },
    )
    assert saved.status_code == 303, saved.text
    listing = (await web.get("/console/campaigns")).text
    assert 'data-status="scheduled">زمان‌بندی‌شده</span>' in listing
    assert "جمعه" in listing and "۱۸:۰۰–۲۲:۰۰" in listing
    from bashgah.web import fmt

    assert f"{fmt.day(first, 'fa')} تا {fmt.day(last, 'fa')}" in listing
    web.http.cookies.set("bg_lang", "en")
    listing = (await web.get("/console/campaigns")).text
    assert 'data-status="scheduled">Scheduled</span>' in listing
    assert f"{fmt.day(first, 'en')} to {fmt.day(last, 'en')} · Friday · 18:00–22:00" in listing


async def test_a_campaign_that_has_begun_is_active_and_one_without_dates_runs_always(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    await web.submit("/console/campaigns/new", "/console/campaigns", BASE)
    web.http.cookies.set("bg_lang", "en")
    listing = (await web.get("/console/campaigns")).text
    assert 'data-status="active">Active</span>' in listing and "<td>Always</td>" in listing


async def test_the_form_sets_tiers_segments_and_hours_and_shows_them_again(web: WebClient) -> None:
    segment_id = await _ladder_and_segment(web)
    await web.sign_in_as("owner", "sara")
    editor = (await web.get("/console/campaigns/new")).text
    assert "طلایی" in editor and "مشتریان وفادار" in editor and 'name="from_hour"' in editor
    saved = await web.submit(
        "/console/campaigns/new",
        "/console/campaigns",
        {**BASE, "tiers": "gold", "segments": str(segment_id), "from_hour": "18", "to_hour": "22"},
    )
    assert saved.status_code == 303, saved.text
    definition = await _definition(web)
    conditions = definition["rules"][0]["conditions"]
    assert {"type": "tier", "levels": ["gold"]} in conditions
    assert {"type": "segment", "segments": [segment_id]} in conditions
    assert definition["schedule"]["from_hour"] == 18 and definition["schedule"]["to_hour"] == 22
    async with web.db.transaction() as session:
        campaign_id = await session.scalar(select(Campaign.id))
    web.http.cookies.set("bg_lang", "en")
    editor = (await web.get(f"/console/campaigns/{campaign_id}")).text
    # Still the form (not the JSON box), with every choice ticked.
    assert 'name="mode" value="form" checked' in editor
    assert 'value="gold" checked' in editor and f'value="{segment_id}" checked' in editor
    assert 'name="from_hour" value="18"' in editor and 'name="to_hour" value="22"' in editor


async def test_hours_given_half_are_refused_in_persian_and_english(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    refused = await web.submit("/console/campaigns/new", "/console/campaigns", {**BASE, "from_hour": "18"})
    assert refused.status_code == 422
    assert "ساعت شروع و پایان را با هم بدهید." in refused.text
    web.http.cookies.set("bg_lang", "en")
    refused = await web.submit("/console/campaigns/new", "/console/campaigns", {**BASE, "to_hour": "x"})
    assert refused.status_code == 422 and "Until hour must be a whole number" in refused.text


async def _happy_hour(web: WebClient) -> None:
    saved = await web.submit(
        "/console/campaigns/new",
        "/console/campaigns",
        {**BASE, "weekdays": "friday", "from_hour": "18", "to_hour": "22"},
    )
    assert saved.status_code == 303, saved.text


def _next_friday() -> jdatetime.date:
    today = datetime.now(TEHRAN).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return jdatetime.date.fromgregorian(date=friday)


async def test_examine_at_a_friday_evening_shows_the_happy_hour_firing_and_at_noon_not(
    web: WebClient,
) -> None:
    await enrol(web.http, web.club, "09351112233")
    await web.sign_in_as("owner", "sara")
    await _happy_hour(web)
    friday = _next_friday()
    on = f"{friday.year}/{friday.month:02d}/{friday.day:02d}"
    query = {"member": "09351112233", "branch": "main", "total": "600000", "on": on}
    evening = await web.get("/console/campaigns/examine", params={**query, "at": "۱۹:۳۰"})
    assert evening.status_code == 200, evening.text
    assert 'شب‌های جمعه — <span class="pass">' in evening.text
    assert "بررسی در" in evening.text and "۱۹:۳۰" in evening.text
    assert "قاعدهٔ اصلی" in evening.text and "قاعدهٔ main" not in evening.text
    web.http.cookies.set("bg_lang", "en")
    noon = await web.get("/console/campaigns/examine", params={**query, "at": "12:00"})
    assert 'Friday nights — <span class="fail">gives nothing' in noon.text
    assert "Examined at" in noon.text and "12:00" in noon.text
    wrong = await web.get("/console/campaigns/examine", params={**query, "at": "25:00"})
    assert wrong.status_code == 200 and "Time must look like 18:30" in wrong.text


async def test_the_api_examines_a_sale_at_a_future_moment(web: WebClient) -> None:
    member = await enrol(web.http, web.club, "09351112244")
    await web.sign_in_as("owner", "sara")
    await _happy_hour(web)
    friday = _next_friday().togregorian()
    body = {"member": {"id": member["id"]}, "branch": "main", "external_id": "x", "total_rials": 6_000_000}
    for hour, fires in ((19, True), (12, False)):
        at = datetime(friday.year, friday.month, friday.day, hour, tzinfo=TEHRAN).isoformat()
        answer = await web.http.post(
            "/api/v1/purchases/examine", json={**body, "occurred_at": at}, headers=web.club.headers()
        )
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert datetime.fromisoformat(found["at"]) == datetime.fromisoformat(at)
        assert found["campaigns"][0]["fires"] is fires


async def test_examine_names_tier_levels_not_their_codes(web: WebClient) -> None:
    await _ladder_and_segment(web)
    await enrol(web.http, web.club, "09351112255")
    await web.sign_in_as("owner", "sara")
    saved = await web.submit("/console/campaigns/new", "/console/campaigns", {**BASE, "tiers": "gold"})
    assert saved.status_code == 303, saved.text
    query = {"member": "09351112255", "branch": "main", "total": "600000"}
    persian = (await web.get("/console/campaigns/examine", params=query)).text
    assert "سطح عضو برنزی است، نه طلایی" in persian and "bronze" not in persian
    web.http.cookies.set("bg_lang", "en")
    english = (await web.get("/console/campaigns/examine", params=query)).text
    assert "the member is Bronze, not Gold" in english
