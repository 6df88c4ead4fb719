"""Campaigns in the console: the structured form and the JSON box build the campaign the API takes; the
next sale earns by it; mistakes come back in the page language with what was typed; the examine preview
says which rules fire and why."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from web_helpers import WebClient

from bashgah.models import AuditEntry, Campaign
from support import enrol, purchase

DOUBLE = {
    "mode": "form",
    "name_fa": "امتیاز دوبرابر",
    "name_en": "Double points",
    "active": "1",
    "priority": "",
    "budget_points": "",
    "min_total": "۵۰۰٬۰۰۰",
    "effect": "points_multiplier",
    "factor": "2",
    "rule_key": "main",
}


async def _campaigns(web: WebClient) -> int:
    async with web.db.transaction() as session:
        return int(await session.scalar(select(func.count(Campaign.id))) or 0)


async def test_a_manager_creates_double_points_and_the_next_sale_earns_double(web: WebClient) -> None:
    member = await enrol(web.http, web.club)
    await web.sign_in_as("manager", "mina")
    response = await web.submit("/console/campaigns/new", "/console/campaigns", DOUBLE)
    assert response.status_code == 303, response.text
    listing = (await web.get(response.headers["location"])).text
    assert "امتیاز دوبرابر" in listing and "از فروش بعدی اعمال می‌شود" in listing
    # 600,000 toman is above the campaign's 500,000 toman minimum: the bonus equals the base points.
    sale = (await purchase(web.http, web.club, member["id"], 6_000_000)).json()
    assert sale["points_earned"] > 0
    assert sale["points_bonus"] == sale["points_earned"]
    small = (await purchase(web.http, web.club, member["id"], 4_000_000)).json()
    assert small["points_bonus"] == 0
    async with web.db.transaction() as session:
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "campaign"))
        ).all()
    assert actions == ["campaign.created"]


async def test_a_wrong_multiplier_is_refused_in_persian_with_the_values_kept(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    response = await web.submit("/console/campaigns/new", "/console/campaigns", {**DOUBLE, "factor": "1"})
    assert response.status_code == 422
    assert "«ضریب» باید بیشتر از ۱ باشد" in response.text
    assert 'value="امتیاز دوبرابر"' in response.text
    assert 'name="min_total" value="۵۰۰٬۰۰۰"' in response.text
    assert await _campaigns(web) == 0


async def test_a_missing_name_is_refused_in_english(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    web.http.cookies.set("bg_lang", "en")
    response = await web.submit("/console/campaigns/new", "/console/campaigns", {**DOUBLE, "name_fa": ""})
    assert response.status_code == 422
    assert "Name (Persian) is too short (at least 1 characters)" in response.text
    assert await _campaigns(web) == 0


async def test_an_advanced_campaign_is_written_as_json_and_edited_as_json(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    broken = await web.submit(
        "/console/campaigns/new", "/console/campaigns", {"mode": "json", "json": "{oops"}
    )
    assert broken.status_code == 422 and "«پیشرفته (JSON)» معتبر نیست (سطر ۱)" in broken.text
    assert "{oops" in broken.text
    happy_hour = {
        "name_fa": "ساعت خوش",
        "rules": [
            {
                "key": "evening",
                "conditions": [{"type": "hours", "from_hour": 18, "to_hour": 21}],
                "effects": [{"type": "fixed_bonus", "points": 40}],
            }
        ],
    }
    made = await web.submit(
        "/console/campaigns/new", "/console/campaigns", {"mode": "json", "json": json.dumps(happy_hour)}
    )
    assert made.status_code == 303
    async with web.db.transaction() as session:
        campaign_id = await session.scalar(select(Campaign.id))
    editor = (await web.get(f"/console/campaigns/{campaign_id}")).text
    assert 'name="mode" value="json" checked' in editor
    assert "&#34;from_hour&#34;: 18" in editor


async def test_editing_a_campaign_makes_a_new_version_with_the_form_filled_in(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    await web.submit("/console/campaigns/new", "/console/campaigns", {**DOUBLE, "weekdays": "friday"})
    async with web.db.transaction() as session:
        campaign_id = await session.scalar(select(Campaign.id))
    path = f"/console/campaigns/{campaign_id}"
    editor = (await web.get(path)).text
    assert 'name="factor" value="2"' in editor and 'name="min_total" value="500000"' in editor
    assert 'value="friday" checked' in editor
    changed = await web.submit(path, path, {**DOUBLE, "factor": "3"})
    assert changed.status_code == 303
    editor = (await web.get(path)).text
    assert "نسخهٔ ۲" in editor and 'name="factor" value="3"' in editor


async def test_examine_says_which_rules_fire_and_why(web: WebClient) -> None:
    member = await enrol(web.http, web.club, "09351112233")
    await web.sign_in_as("manager", "mina")
    await web.submit("/console/campaigns/new", "/console/campaigns", DOUBLE)
    web.http.cookies.set("bg_lang", "en")
    big = await web.get(
        "/console/campaigns/examine", params={"member": "۰۹۳۵۱۱۱۲۲۳۳", "branch": "main", "total": "600000"}
    )
    assert big.status_code == 200
    assert 'Double points — <span class="pass">gives' in big.text
    small = await web.get(
        "/console/campaigns/examine", params={"member": "09351112233", "branch": "main", "total": "1000"}
    )
    assert "gives nothing" in small.text and "✗" in small.text
    unknown = await web.get("/console/campaigns/examine", params={"member": "09350000000", "total": "1000"})
    assert "was not found" in unknown.text
    # Examining writes nothing: the member still has no purchase.
    assert member["id"]
    assert (await web.get(f"/console/members/{member['id']}")).text.count("Points earned on a purchase") == 0


async def test_an_analyst_reads_campaigns_but_cannot_save_one(web: WebClient) -> None:
    await web.sign_in_as("analyst", "nazanin")
    assert (await web.get("/console/campaigns")).status_code == 200
    assert "/console/campaigns/new" not in (await web.get("/console/campaigns")).text
    assert (await web.get("/console/campaigns/new")).status_code == 403
    refused = await web.http.post("/console/campaigns", data={**DOUBLE, "csrf": "x"})
    assert refused.status_code == 403
    assert await _campaigns(web) == 0


async def test_a_campaign_or_member_that_does_not_exist_is_a_page_not_found(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    for path in ("/console/campaigns/999", "/console/members/999"):
        response = await web.get(path)
        assert response.status_code == 404 and "text/html" in response.headers["content-type"]
        assert "پیدا نشد" in response.text
    changed = await web.submit("/console/campaigns/new", "/console/campaigns/999", DOUBLE)
    assert changed.status_code == 404 and "کمپین پیدا نشد" in changed.text
    adjusted = await web.submit(
        "/console/members", "/console/members/999/adjust", {"points": "5", "reason": "why not"}
    )
    assert adjusted.status_code == 404 and "text/html" in adjusted.headers["content-type"]
