"""The member portal in a real browser, in Persian and in English, at desktop and phone width: a member
signs in with the SMS code, sees a reward still out of reach, confirms a redemption (after cancelling
once), sees its code and the new balance, and shows the membership card from the phone's tab bar."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from portal_helpers import LADDER, last_code, visit_card
from web_helpers import DESKTOP, PHONE, LiveServer, shot

from bashgah.core.normalize import to_persian_digits
from bashgah.sms.gateway import FileGateway, SmsSettings

pytestmark = pytest.mark.browser


def _club_with_a_member(live_server: LiveServer, mobile: str) -> None:
    """A member with 150 points and a stamp from a purchase, 35,000 toman in the wallet, a ladder of levels
    and a coffee for 100 points."""
    headers = live_server.club.headers()
    with live_server.api() as api:
        member = api.post("/api/v1/members", json={"mobile": mobile, "first_name": "Sara"}, headers=headers)
        assert member.status_code == 201, member.text
        visit_card(live_server, api, "کارت قهوه", "Coffee card", 6, "COF")
        sale = api.post(
            "/api/v1/purchases",
            json={
                "member": {"id": member.json()["id"]},
                "branch": "main",
                "external_id": f"R-{mobile}",
                "total_rials": 1_500_000,
            },
            headers={**headers, "Idempotency-Key": f"sale-{mobile}"},
        )
        assert sale.status_code == 201, sale.text
        topped = api.post(
            f"/api/v1/members/{member.json()['id']}/wallet/top-ups",
            json={"amount_rials": 350_000},
            headers={**headers, "Idempotency-Key": f"wallet-{mobile}"},
        )
        assert topped.status_code == 201, topped.text
        if not live_server.extra.get("portal_ready"):
            assert api.put("/api/v1/tiers", json=LADDER, headers=headers).status_code == 200
            coffee = {
                "name_fa": "قهوهٔ رایگان",
                "name_en": "Free coffee",
                "kind": "free_product",
                "sku": "COF",
            }
            made = api.post("/api/v1/rewards", json={**coffee, "cost_points": 100}, headers=headers)
            assert made.status_code == 201, made.text
            off = {"name_fa": "۵۰ هزار تومان تخفیف", "name_en": "50,000 toman off", "kind": "discount_amount"}
            made = api.post(
                "/api/v1/rewards",
                json={**off, "discount_rials": 500_000, "cost_points": 140},
                headers=headers,
            )
            assert made.status_code == 201, made.text
            cinema = {"name_fa": "بلیت سینما", "name_en": "Cinema ticket", "kind": "physical_gift"}
            made = api.post(
                "/api/v1/rewards", json={**cinema, "cost_points": 400, "stock": 20}, headers=headers
            )
            assert made.status_code == 201, made.text
            live_server.extra["portal_ready"] = True


def _shows(page: Any, selector: str, text: str) -> None:
    """The element shows exactly ``text`` as the reader sees it (Playwright waits until it does)."""
    expect(page.locator(selector)).to_have_text(text, use_inner_text=True)


def _walk(page: Any, live_server: LiveServer, lang: str, mobile: str, e164: str) -> None:
    _club_with_a_member(live_server, mobile)
    page.goto(f"/m/{live_server.club.slug}/login")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    # The switch posts and comes back: wait for the page in that language, not the one being left.
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
    shot(page, "portal-login")
    page.fill("#mobile", to_persian_digits(mobile) if lang == "fa" else mobile)
    page.keyboard.press("Enter")
    expect(page.locator("#code")).to_be_visible()
    shot(page, "portal-code")
    code = last_code(FileGateway(SmsSettings().outbox), e164)
    page.fill("#code", to_persian_digits(code) if lang == "fa" else code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/m$"))
    _shows(page, "#balance", "۱۵۰" if lang == "fa" else "150")
    shot(page, "portal-home")
    page.goto("/m/history")
    shot(page, "portal-history")
    page.goto("/m/rewards")
    to_go = "۲۵۰ امتیاز مانده" if lang == "fa" else "250 points to go"  # the cinema ticket
    expect(page.locator("#coming")).to_contain_text(to_go, use_inner_text=True)
    shot(page, "portal-rewards")
    coffee = re.compile("قهوهٔ رایگان" if lang == "fa" else "Free coffee")
    page.get_by_role("button", name=coffee).click()
    page.wait_for_url(re.compile(r"/m/rewards/\d+"))
    page.get_by_role("link", name="انصراف" if lang == "fa" else "Cancel").click()  # changed her mind
    page.wait_for_url(re.compile(r"/m/rewards$"))
    balance_now = "شما ۱۵۰ امتیاز دارید." if lang == "fa" else "You have 150 points."
    expect(page.locator("main")).to_contain_text(balance_now, use_inner_text=True)  # nothing was spent
    get_coffee = page.get_by_role("button", name=coffee)
    get_coffee.focus()
    page.keyboard.press("Enter")  # the keyboard is enough
    page.wait_for_url(re.compile(r"/m/rewards/\d+"))
    _shows(page, "#confirm-now", "۱۵۰" if lang == "fa" else "150")
    _shows(page, "#confirm-cost", "− ۱۰۰" if lang == "fa" else "− 100")
    _shows(page, "#confirm-after", "۵۰" if lang == "fa" else "50")
    shot(page, "portal-confirm")
    page.locator("#confirm-redeem").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/m/my-rewards/[A-Z0-9]+"))
    code_shown = page.locator("#reward-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{8}", code_shown)
    _shows(page, "#new-balance", "۵۰" if lang == "fa" else "50")
    shot(page, "portal-reward-code")
    page.goto("/m/my-rewards")
    expect(page.locator(f'main a[href="/m/my-rewards/{code_shown}"]')).to_have_count(
        1
    )  # the reward links to its code
    shot(page, "portal-my-rewards")
    page.goto("/m/coupons")
    shot(page, "portal-coupons")
    page.get_by_role("link", name="کیف پول" if lang == "fa" else "Wallet").click()
    page.wait_for_url(re.compile(r"/m/wallet$"))
    _shows(page, "#wallet-available", "۳۵٬۰۰۰ تومان" if lang == "fa" else "35,000 toman")
    shot(page, "portal-wallet")
    page.get_by_role("link", name="کارت‌های مهر" if lang == "fa" else "Stamp cards").click()
    page.wait_for_url(re.compile(r"/m/stamps$"))
    expect(page.locator("#stamp-cards")).to_contain_text(
        "۱ از ۶" if lang == "fa" else "1 of 6", use_inner_text=True
    )
    shot(page, "portal-stamps")
    page.goto("/m/profile")
    shot(page, "portal-profile")
    page.fill("#birth_date", "۱۳۷۰/۰۵/۱۲")
    page.check("input[name=sms_consent]")
    page.get_by_role("button", name="ذخیره" if lang == "fa" else "Save").click()
    page.wait_for_url(re.compile(r"/m/profile\?saved=1"))
    expect(page.locator("#birth_date")).to_have_value("۱۳۷۰/۰۵/۱۲" if lang == "fa" else "1991-08-03")
    _card_from_the_phone(page, lang)


def _card_from_the_phone(page: Any, lang: str) -> None:
    """On a phone the parts of the club are in a bar at the bottom; the card is one tab away."""
    page.set_viewport_size(PHONE)
    page.goto("/m")
    bar = page.locator("nav.tabbar")
    expect(bar).to_be_visible()
    expect(page.locator("nav.tabs")).to_be_hidden()
    box = bar.bounding_box()
    assert box is not None and box["y"] + box["height"] == PHONE["height"]  # pinned to the bottom
    assert box["height"] < 80  # one row, not two
    card_tab = bar.get_by_role("link", name="کارت عضویت" if lang == "fa" else "Membership card")
    card_tab.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/m/card$"))
    expect(card_tab).to_have_attribute("aria-current", "page")
    qr = page.locator("#card-qr svg")
    size = qr.bounding_box()
    assert size is not None and size["width"] >= 200 and abs(size["width"] - size["height"]) < 1
    # The card number is a code: its own digits, in groups of four, the same on the till and the card.
    number = page.locator("#card-number").inner_text().strip("\u2066\u2069")
    assert re.fullmatch(r"[0-9]{4}( [0-9]{4}){3}", number), number
    shot(page, "portal-card")
    page.set_viewport_size(PHONE)
    bar.get_by_role("link", name="بیشتر" if lang == "fa" else "More").click()
    page.wait_for_url(re.compile(r"/m/more$"))
    shot(page, "portal-more")
    page.set_viewport_size(PHONE)
    page.locator("#more").get_by_role("link", name="کیف پول" if lang == "fa" else "Wallet").click()
    page.wait_for_url(re.compile(r"/m/wallet$"))
    shot(page, "portal-wallet-phone-bar")
    page.set_viewport_size(DESKTOP)


def test_a_member_signs_in_with_the_sms_code_and_redeems_a_reward_in_persian(
    page: Any, live_server: LiveServer
) -> None:
    _walk(page, live_server, "fa", "09127770001", "+989127770001")


def test_a_member_signs_in_with_the_sms_code_and_redeems_a_reward_in_english(
    page: Any, live_server: LiveServer
) -> None:
    _walk(page, live_server, "en", "09127770002", "+989127770002")
