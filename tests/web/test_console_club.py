"""The club's set-up in the console: programme settings, tiers, rewards, coupon batches, branches, staff
and API keys — each change through the same service as the API, audit-logged, refused cleanly."""

from __future__ import annotations

import httpx
import pytest
from web_helpers import WebClient, audit_actions

SETTINGS = {
    "earn_points": "1",
    "earn_per": "10000",
    "rounding": "floor",
    "point_value": "100",
    "pending_days": "0",
    "expiry_mode": "months",
    "expiry_months": "12",
    "refund_policy": "within_balance",
    "reservation_minutes": "15",
    "money_display": "toman",
}


async def test_the_owner_sets_the_earn_rate_and_shows_amounts_in_rials(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    # One point per 20,000 toman (200,000 rials); a point is worth 50 toman (500 rials).
    saved = await web.submit(
        "/console/club/settings",
        "/console/club/settings",
        {**SETTINGS, "earn_per": "۲۰٬۰۰۰", "point_value": "50", "money_display": "rial"},
    )
    assert saved.status_code == 303
    program = (await web.http.get("/api/v1/programme", headers=web.club.headers())).json()
    assert (program["earn_per_rials"], program["point_value_rials"]) == (200_000, 500)
    page = (await web.get("/console/club/settings")).text
    assert 'name="earn_per" value="200000"' in page  # now typed in rials
    assert "ریال" in (await web.get("/console")).text
    assert await audit_actions(web) == ["programme.settings_changed"]


async def test_a_zero_earn_rate_is_refused_and_nothing_changes(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    before = (await web.http.get("/api/v1/programme", headers=web.club.headers())).json()
    refused = await web.submit(
        "/console/club/settings",
        "/console/club/settings",
        {**SETTINGS, "earn_per": "0", "money_display": "rial"},
    )
    assert refused.status_code == 422
    assert "«به ازای هر» باید دست‌کم ۱ باشد" in refused.text
    assert (await web.http.get("/api/v1/programme", headers=web.club.headers())).json() == before
    assert 'value="toman" checked' not in refused.text  # the choice typed is kept…
    assert "تومان" in (await web.get("/console")).text  # …but not saved
    assert await audit_actions(web) == []


async def test_the_owner_builds_a_tier_ladder_in_the_form(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    form = {
        "metric": "spend",
        "window": "rolling",
        "window_months": "12",
        "downgrade": "one_down",
        "grace_days": "30",
        "enabled": "1",
        "level_code": ["silver", "gold", ""],
        "level_name_fa": ["نقره‌ای", "طلایی", ""],
        "level_name_en": ["Silver", "Gold", ""],
        "level_threshold": ["0", "5,000,000", ""],
        "level_multiplier": ["", "150", ""],
        "level_birthday": ["", "", ""],
    }
    page = await web.get("/console/club/tiers")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    saved = await web.http.post("/console/club/tiers", data={"csrf": token, **form})
    assert saved.status_code == 303, saved.text
    ladder = (await web.http.get("/api/v1/tiers", headers=web.club.headers())).json()
    assert [(lv["code"], lv["threshold_rials"], lv["earn_multiplier_pct"]) for lv in ladder["levels"]] == [
        ("silver", 0, 100),
        ("gold", 50_000_000, 150),
    ]
    no_entry = await web.http.post(
        "/console/club/tiers", data={"csrf": token, **form, "level_threshold": ["10", "20", ""]}
    )
    assert no_entry.status_code == 422 and "سطح اول باید از ۰ شروع شود." in no_entry.text
    assert 'value="طلایی"' in no_entry.text


async def test_rewards_are_added_in_the_clubs_unit_and_paused(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    reward = {"name_fa": "تخفیف ۵۰ هزار تومانی", "name_en": "50k off", "kind": "discount_amount"}
    saved = await web.submit(
        "/console/club/rewards",
        "/console/club/rewards",
        {**reward, "cost_points": "500", "discount": "50,000"},
    )
    assert saved.status_code == 303
    [listed] = (await web.http.get("/api/v1/rewards", headers=web.club.headers())).json()["items"]
    assert listed["discount_rials"] == 500_000
    paused = await web.submit(
        "/console/club/rewards", f"/console/club/rewards/{listed['id']}/active", {"active": "0"}
    )
    assert paused.status_code == 303
    refused = await web.submit(
        "/console/club/rewards", "/console/club/rewards", {**reward, "cost_points": "0"}
    )
    assert refused.status_code == 422 and "«امتیاز لازم» باید بیشتر از ۰ باشد" in refused.text
    assert await audit_actions(web) == ["reward.created", "reward.changed"]


async def test_a_batch_of_single_use_coupons_is_made_and_exported(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    saved = await web.submit(
        "/console/club/coupons",
        "/console/club/coupons",
        {
            "name": "Yalda",
            "discount_type": "percent",
            "discount_value": "10",
            "max_discount": "100000",
            "count": "5",
            "prefix": "YL",
        },
    )
    assert saved.status_code == 303, saved.text
    page = (await web.get("/console/club/coupons")).text
    assert "Yalda" in page and "۱۰٪" in page
    batch_id = page.split("/console/club/coupons/")[1].split("/")[0]
    codes = await web.get(f"/console/club/coupons/{batch_id}/codes.csv")
    assert codes.status_code == 200 and codes.headers["content-type"].startswith("text/csv")
    assert sum(1 for line in codes.text.splitlines() if "YL" in line) == 5
    both = await web.submit(
        "/console/club/coupons",
        "/console/club/coupons",
        {"name": "x", "discount_type": "fixed", "discount_value": "1000", "code": "SHARED", "count": "3"},
    )
    assert both.status_code == 422
    assert "یا یک کد مشترک بدهید یا تعداد کدهایی که ساخته شوند، نه هر دو." in both.text
    assert await audit_actions(web) == ["coupons.batch_created", "coupons.codes_exported"]


async def test_a_branch_is_added_once(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    data = {"code": "north", "name": "شعبه شمال", "kind": "store"}
    assert (await web.submit("/console/club/branches", "/console/club/branches", data)).status_code == 303
    again = await web.submit("/console/club/branches", "/console/club/branches", data)
    assert again.status_code == 422 and "north" in again.text
    assert await audit_actions(web) == ["branch.created"]


async def test_the_owner_adds_a_cashier_who_signs_in_and_then_disables_them(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    person = {"username": "reza", "full_name": "رضا", "role": "cashier", "branch": "main"}
    weak = await web.submit("/console/club/staff", "/console/club/staff", {**person, "password": "short"})
    assert (
        weak.status_code == 422 and 'value="reza"' in weak.text and "short" not in weak.text.split("<main")[1]
    )
    added = await web.submit(
        "/console/club/staff", "/console/club/staff", {**person, "password": "a-long-password"}
    )
    assert added.status_code == 303
    page = (await web.get("/console/club/staff")).text
    staff_id = page.split('<td dir="ltr">reza</td>')[0].rsplit('id="staff-', 1)[1].split('"')[0]
    cashier = WebClient(
        httpx.AsyncClient(transport=web.http._transport, base_url="http://test"), web.db, web.club
    )
    assert (await cashier.sign_in("reza", "a-long-password")).status_code == 303
    assert (
        await web.submit("/console/club/staff", f"/console/club/staff/{staff_id}/disable", {})
    ).status_code == 303
    cashier.http.cookies.clear()
    assert (await cashier.sign_in("reza", "a-long-password")).status_code != 303
    assert await audit_actions(web) == ["staff.added", "staff.disabled"]


async def test_an_api_key_is_shown_once_and_can_be_revoked(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    made = await web.submit(
        "/console/club/keys", "/console/club/keys", {"name": "shop site", "role": "integration"}
    )
    assert made.status_code == 200
    key = made.text.split('<p class="secret" dir="ltr">')[1].split("<")[0]
    assert key.startswith("bg_")
    assert key not in (await web.get("/console/club/keys")).text  # only its first characters, from now on
    headers = {"Authorization": f"Bearer {key}"}
    assert (
        await web.http.get("/api/v1/members/lookup", params={"q": "09120000000"}, headers=headers)
    ).status_code == 200
    page = (await web.get("/console/club/keys")).text
    key_id = page.split('action="/console/club/keys/')[-1].split("/")[0]
    assert (
        await web.submit("/console/club/keys", f"/console/club/keys/{key_id}/revoke", {})
    ).status_code == 303
    audit = (await web.get("/console/club/audit")).text
    assert "کلید API ساخت" in audit and "کلید API را باطل کرد" in audit and key not in audit


async def test_an_analyst_can_change_nothing_in_the_club(web: WebClient) -> None:
    await web.sign_in_as("analyst", "nazanin")
    page = (await web.get("/console/club/settings")).text
    assert "<fieldset disabled>" in page and 'type="submit">ذخیره' not in page
    for path in (
        "/console/club/settings",
        "/console/club/tiers",
        "/console/club/rewards",
        "/console/club/coupons",
        "/console/club/giftcards",
        "/console/club/giftcards/cancel",
        "/console/club/stamps",
        "/console/club/stamps/1",
        "/console/club/occasions",
        "/console/club/occasions/1",
        "/console/club/stamps/1/retire",
        "/console/club/occasions",
        "/console/club/occasions/1",
        "/console/club/occasions/1/active",
        "/console/members/1/wallet",
        "/console/club/branches",
        "/console/club/staff",
        "/console/club/keys",
        "/console/club/staff/1/disable",
        "/console/club/staff/1/password",
        "/console/club/staff/1/role",
        "/console/club/coupons/1",
        "/console/club/coupons/1/active",
        "/console/members/1/edit",
        "/console/club/keys/1/revoke",
        "/console/members/1/adjust",
        "/console/campaigns",
    ):
        assert (await web.http.post(path, data={"csrf": "x", "name": "x"})).status_code == 403, path
    assert await audit_actions(web) == []


CONSOLE_PAGES = [
    "/console",
    "/console/members",
    "/console/members/1",
    "/console/members/1/edit",
    "/console/members/1/purchases",
    "/console/purchases/1",
    "/console/campaigns",
    "/console/campaigns/new",
    "/console/campaigns/1",
    "/console/campaigns/examine",
    "/console/reports",
    "/console/reports/rfm",
    "/console/reports/rfm/download",
    "/console/club",
    "/console/club/settings",
    "/console/club/tiers",
    "/console/club/rewards",
    "/console/club/coupons",
    "/console/club/coupons/1/codes.csv",
    "/console/club/giftcards",
    "/console/club/giftcards/batch.csv",
    "/console/club/stamps",
    "/console/club/stamps/1",
    "/console/club/branches",
    "/console/club/staff",
    "/console/club/keys",
    "/console/club/audit",
    "/console/club/data",
    "/console/club/data/export",
    "/console/club/data/imports/1",
]


@pytest.mark.parametrize("path", CONSOLE_PAGES)
async def test_a_cashier_cannot_open_any_console_page(web: WebClient, path: str) -> None:
    await web.sign_in_as("cashier", "kasra")
    response = await web.get(path)
    assert response.status_code == 403
    assert "اجازهٔ باز کردن این صفحه را ندارد" in response.text


async def test_every_console_route_is_in_the_cashier_test() -> None:
    from bashgah.web.console import router

    paths = {getattr(r, "path", "") for r in router.routes if "GET" in getattr(r, "methods", set())}
    covered = {p.replace("/1", "/{id}") for p in CONSOLE_PAGES}
    normal = {
        p.replace("{member_id}", "{id}")
        .replace("{campaign_id}", "{id}")
        .replace("{batch_id}", "{id}")
        .replace("{job_id}", "{id}")
        .replace("{card_id}", "{id}")
        .replace("{rule_id}", "{id}")
        .replace("{purchase_id}", "{id}")
        .replace("{name}", "rfm")
        for p in paths
    }
    assert normal <= covered | {"/console/reports/rfm", "/console/reports/rfm/download"}, normal - covered
