"""The cashier's whole round at the till in a real browser (Debian's Chromium), in Persian and in English:
sign in, find a member by a mobile typed in Persian digits, sell with points and a coupon, confirm with
the keyboard, read the receipt, refund it — with screenshots of every page at desktop and phone width."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from playwright.sync_api import expect
from portal_helpers import visit_card
from web_helpers import PASSWORD, LiveServer, PageGuard, shot

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)


def _new_member(
    api: Any, live_server: LiveServer, mobile: str, first_name: str, points: int = 0, **more: str
) -> int:
    """A member enrolled through the API, with ``points`` given by hand; their id."""
    club = live_server.club
    made = api.post(
        "/api/v1/members", json={"mobile": mobile, "first_name": first_name, **more}, headers=club.headers()
    )
    assert made.status_code == 201, made.text
    member_id: int = made.json()["id"]
    if points:
        given = api.post(
            f"/api/v1/members/{member_id}/adjustments",
            json={"points": points, "reason": "browser test"},
            headers=club.headers(**{"Idempotency-Key": f"browser-{mobile}"}),
        )
        assert given.status_code == 201, given.text
    return member_id


def _club_member(live_server: LiveServer, points: int, coupon: str) -> str:
    """A member with points to spend and a coupon batch, made through the API; returns the mobile."""
    n = next(_numbers)
    mobile = f"0912880{n:04d}"
    club = live_server.club
    with live_server.api() as api:
        _new_member(api, live_server, mobile, "مریم", points, last_name="نوری")
        batch = api.post(
            "/api/v1/coupons/batches",
            json={"name": coupon, "discount_type": "fixed", "discount_value": 200_000, "code": coupon},
            headers=club.headers("manager"),
        )
        assert batch.status_code == 201, batch.text
    return mobile


def _persian(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def _shows(page: Any, selector: str, text: str) -> None:
    """The element shows exactly ``text`` as the reader sees it (Playwright waits until it does)."""
    expect(page.locator(selector)).to_have_text(text, use_inner_text=True)


def _focused(page: Any, selector: str) -> None:
    """Keyboard first: the element has the focus by itself (autofocus). Wait for it before typing or
    pressing Enter, or the keys pressed right after the page loads can land nowhere."""
    expect(page.locator(selector)).to_be_focused()


def _member_panel(page: Any, mobile: str) -> None:
    """From the lookup field, open the member by their mobile; the sale's total field takes the focus."""
    page.keyboard.type(mobile)
    page.keyboard.press("Enter")
    page.wait_for_url("**/pos/members/*")
    _focused(page, "#total")


def _sign_in(page: Any, lang: str) -> None:
    page.goto("/login")
    if lang == "en":
        page.get_by_role("button", name="English").click()
    # The switch posts and comes back: wait for the page in that language, not the one being left.
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shot(page, "login")
    page.fill("#username", "kasra")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/pos")
    _focused(page, "#q")


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_cashier_sells_with_points_and_a_coupon_prints_the_receipt_and_refunds_it(
    page: Any, live_server: LiveServer, lang: str
) -> None:
    coupon = f"YALDA{lang.upper()}"
    mobile = _club_member(live_server, points=300, coupon=coupon)
    fa = lang == "fa"
    _sign_in(page, lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if fa else "ltr")
    shot(page, "pos-lookup")

    # The customer says her number; the cashier types it with Persian digits and spaces.
    _member_panel(page, _persian(f"{mobile[:4]} {mobile[4:7]} {mobile[7:]}"))
    _shows(page, "#available", "۳۰۰" if fa else "300")
    shot(page, "pos-member")

    # 250,000 toman, 100 points (100,000 rials) and the coupon (200,000 rials): 220,000 toman to pay.
    page.keyboard.type(_persian("250000") if fa else "250000")  # the total field has the focus
    page.fill("#redeem", "100")
    page.fill("#coupon", coupon.lower())
    page.keyboard.press("Enter")
    _shows(page, "#to-pay", "۲۲۰٬۰۰۰ تومان" if fa else "220,000 toman")
    shot(page, "pos-confirm")
    _focused(page, "button[autofocus]")  # the confirm button
    page.keyboard.press("Enter")
    page.wait_for_url("**/pos/receipts/*")

    # 2,200,000 rials paid → 220 points; 300 - 100 + 220 = 420.
    _shows(page, "#paid", "۲۲۰٬۰۰۰ تومان" if fa else "220,000 toman")
    _shows(page, "#earned", "۲۲۰" if fa else "220")
    _shows(page, "#balance", "۴۲۰" if fa else "420")
    shot(page, "pos-receipt")

    # The customer brings it all back: the amount left empty is previewed as everything not yet refunded —
    # the money paid back, the earned points taken back, the spent ones given back — and then confirmed.
    page.fill("#reason", "معیوب" if fa else "faulty")
    page.get_by_role("button", name="بررسی مرجوعی" if fa else "Review the refund").click()
    whole = "همهٔ آنچه هنوز مرجوع نشده" if fa else "Everything not yet refunded"
    expect(page.locator("#refund-whole")).to_contain_text(whole, use_inner_text=True)
    _shows(page, "#refund-cash", "۲۲۰٬۰۰۰ تومان" if fa else "220,000 toman")
    _shows(page, "#refund-taken", "۲۲۰" if fa else "220")
    _shows(page, "#refund-given", "۱۰۰" if fa else "100")
    _shows(page, "#refund-balance", "۳۰۰" if fa else "300")
    shot(page, "pos-refund-preview")
    _focused(page, "button[autofocus]")  # the refund button
    page.keyboard.press("Enter")
    notice = page.locator("#refund-notice")
    expect(notice).to_contain_text("۲۲۰٬۰۰۰ تومان" if fa else "220,000 toman", use_inner_text=True)
    _shows(page, "#balance", "۳۰۰" if fa else "300")
    shot(page, "pos-refund")

    # F2: the next customer; the lookup field takes the focus again.
    page.keyboard.press("F2")
    expect(page).to_have_url(re.compile(r"/pos$"))
    _focused(page, "#q")


def test_a_cashier_cannot_open_the_console(page: Any, live_server: LiveServer, guard: PageGuard) -> None:
    _sign_in(page, "fa")
    guard.expect_status(403)
    response = page.goto("/console")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("اجازهٔ باز کردن این صفحه را ندارد")
    shot(page, "forbidden")


def test_an_unknown_mobile_is_enrolled_from_the_till(page: Any, live_server: LiveServer) -> None:
    _sign_in(page, "en")
    page.keyboard.type("0912 990 0001")
    page.keyboard.press("Enter")
    _focused(page, "#mobile")  # no one has it: the enrolment's mobile field, filled in
    page.keyboard.press("Enter")
    page.wait_for_url("**/pos/members/*")
    expect(page.locator("main")).to_contain_text("New member enrolled.")
    _shows(page, "#available", "0")


def _member_with_a_wallet(live_server: LiveServer) -> str:
    """A member with 50,000 toman in the wallet and one stamp on the club's visit card; returns the mobile."""
    n = next(_numbers)
    mobile = f"0912881{n:04d}"
    club = live_server.club
    with live_server.api() as api:
        visit_card(live_server, api, "کارت مهمان", "Visit card", 9, "CAKE")
        member_id = _new_member(api, live_server, mobile, "Nika")
        topped = api.post(
            f"/api/v1/members/{member_id}/wallet/top-ups",
            json={"amount_rials": 500_000},
            headers=club.headers(**{"Idempotency-Key": f"wallet-{mobile}"}),
        )
        assert topped.status_code == 201, topped.text
        sale = api.post(
            "/api/v1/purchases",
            json={
                "member": {"id": member_id},
                "branch": "main",
                "external_id": f"V-{mobile}",
                "total_rials": 100_000,
            },
            headers=club.headers(**{"Idempotency-Key": f"visit-{mobile}"}),
        )
        assert sale.status_code == 201, sale.text
    return mobile


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_cashier_takes_part_of_a_sale_from_the_wallet_and_sees_the_stamp_card_fill(
    page: Any, live_server: LiveServer, lang: str
) -> None:
    fa = lang == "fa"
    mobile = _member_with_a_wallet(live_server)
    _sign_in(page, lang)
    _member_panel(page, mobile)
    _shows(page, "#wallet-available", "۵۰٬۰۰۰ تومان" if fa else "50,000 toman")
    expect(page.locator("#stamps")).to_contain_text("۱ از ۹" if fa else "1 of 9", use_inner_text=True)
    shot(page, "pos-member-wallet")

    # 120,000 toman, 30,000 of it from the wallet: 90,000 in cash or by card.
    page.keyboard.type("120000")
    page.get_by_text("پرداخت از کیف پول یا کارت هدیه" if fa else "Pay from the wallet or a gift card").click()
    page.fill("#wallet-pay", "۳۰٬۰۰۰" if fa else "30,000")
    page.locator("#wallet-pay").press("Enter")
    expect(page.locator("#from-wallet")).to_be_visible()
    _shows(page, "#rest", "۹۰٬۰۰۰ تومان" if fa else "90,000 toman")
    shot(page, "pos-confirm-wallet")
    _focused(page, "button[autofocus]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pos/receipts/*")
    _shows(page, "#paid-wallet", "۳۰٬۰۰۰ تومان" if fa else "30,000 toman")
    _shows(page, "#wallet-now", "۲۰٬۰۰۰ تومان" if fa else "20,000 toman")
    stamped = expect(page.locator("#receipt-stamps"))
    stamped.to_contain_text("۲ از ۹" if fa else "2 of 9", use_inner_text=True)
    stamped.to_contain_text("کارت مهمان" if fa else "Visit card", use_inner_text=True)
    shot(page, "pos-receipt-wallet")

    # The gift card page, opened from the member: the top-up form for them.
    page.get_by_role("link", name="بازگشت به عضو" if fa else "Back to the member").click()
    page.wait_for_url("**/pos/members/*")
    page.get_by_role("link", name=re.compile("شارژ کیف پول" if fa else "wallet top-up")).click()
    page.wait_for_url("**/pos/gift-cards?member=*")
    page.fill("#amount", "۱۰۰٬۰۰۰" if fa else "100,000")
    page.get_by_role("button", name="شارژ" if fa else "Top up", exact=True).click()
    expect(page.locator(".alert-ok")).to_be_visible()
    _shows(page, "#wallet-available", "۱۲۰٬۰۰۰ تومان" if fa else "120,000 toman")
    shot(page, "pos-gift-cards")


def _member_with_a_reward(live_server: LiveServer) -> tuple[str, str]:
    """A member with 300 points who spent 100 on a 50,000-toman reward; returns the mobile and its code."""
    n = next(_numbers)
    mobile = f"0912882{n:04d}"
    club = live_server.club
    with live_server.api() as api:
        member_id = _new_member(api, live_server, mobile, "Sara", 300)
        reward = api.post(
            "/api/v1/rewards",
            json={"name_fa": "۵۰ هزار تومان تخفیف", "name_en": "50,000 toman off", "kind": "discount_amount",
                  "cost_points": 100, "discount_rials": 500_000},
            headers=club.headers("manager"),
        )  # fmt: skip
        assert reward.status_code == 201, reward.text
        redeemed = api.post(
            f"/api/v1/members/{member_id}/rewards",
            json={"reward_id": reward.json()["id"]},
            headers=club.headers(**{"Idempotency-Key": f"redeem-{mobile}"}),
        )
        assert redeemed.status_code == 201, redeemed.text
    return mobile, str(redeemed.json()["code"])


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_sale_with_a_reward_code_prints_the_discount_the_confirm_step_showed_and_a_partial_refund_is_previewed(
    page: Any, live_server: LiveServer, lang: str
) -> None:
    fa = lang == "fa"
    mobile, code = _member_with_a_reward(live_server)
    _sign_in(page, lang)
    _member_panel(page, mobile)

    # 200,000 toman less the reward's 50,000: 150,000 toman to pay.
    page.keyboard.type("200000")
    page.fill("#reward", code)
    page.fill("#invoice", "F-۱۰۱" if fa else "F-102")  # one club for both: F-۱۰۱ is F-101
    page.locator("#reward").press("Enter")
    _shows(page, "#to-pay", "۱۵۰٬۰۰۰ تومان" if fa else "150,000 toman")
    shot(page, "pos-confirm-reward")
    _focused(page, "button[autofocus]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pos/receipts/*")

    # The receipt: the subtotal, the reward's line and the same total; the shop's invoice number, the
    # branch, the cashier and the portal's QR.
    _shows(page, "#subtotal", "۲۰۰٬۰۰۰ تومان" if fa else "200,000 toman")
    reward_line = expect(page.locator("#reward-line"))
    reward_line.to_contain_text("۵۰٬۰۰۰ تومان" if fa else "50,000 toman", use_inner_text=True)
    reward_line.to_contain_text(code)
    _shows(page, "#paid", "۱۵۰٬۰۰۰ تومان" if fa else "150,000 toman")
    expect(page.locator("#receipt-title + p")).to_contain_text("F-101" if fa else "F-102")
    expect(page.locator("#receipt-where")).to_contain_text("Kasra")
    expect(page.locator("#portal-qr svg")).to_be_visible()
    shot(page, "pos-receipt-reward")

    # Half of it comes back: half of what was paid (75,000 toman), not half of the total.
    page.fill("#amount", "۱۰۰٬۰۰۰" if fa else "100,000")
    page.get_by_role("button", name="بررسی مرجوعی" if fa else "Review the refund").click()
    _shows(page, "#refund-cash", "۷۵٬۰۰۰ تومان" if fa else "75,000 toman")
    expect(page.locator("#refund-whole")).to_have_count(0)
    _shows(page, "#refund-taken", "۷۵" if fa else "75")
    shot(page, "pos-refund-preview-partial")
    _focused(page, "button[autofocus]")
    page.keyboard.press("Enter")
    expect(page.locator("#refund-notice")).to_be_visible()
    _shows(page, "#left", "۱۰۰٬۰۰۰ تومان" if fa else "100,000 toman")
    _shows(page, "#kept", "۷۵٬۰۰۰ تومان" if fa else "75,000 toman")
    shot(page, "pos-receipt-after-refund")


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_cashier_enrols_with_a_name_and_a_birthday_and_a_known_mobile_opens_its_member(
    page: Any, live_server: LiveServer, guard: PageGuard, lang: str
) -> None:
    fa = lang == "fa"
    mobile = f"0912883{next(_numbers):04d}"
    _sign_in(page, lang)
    page.keyboard.type(mobile)
    page.keyboard.press("Enter")
    _focused(page, "#mobile")
    page.get_by_text("نام و تاریخ تولد (اختیاری)" if fa else "Name and birthday (optional)").click()
    page.fill("#first-name", "مریم")
    page.fill("#last-name", "نوری")
    page.fill("#birth-date", "۱۳۷۰/۰۵/۱۲" if fa else "1991-08-03")
    shot(page, "pos-enrol")
    page.locator("#birth-date").press("Enter")
    page.wait_for_url("**/pos/members/*")
    member_url = page.url.split("?")[0]
    expect(page.locator("main")).to_contain_text("مریم نوری")

    # The same mobile again: the till says whose it is (409) and links to them.
    guard.expect_status(409)
    page.goto("/pos")
    page.fill("#mobile", _persian(mobile) if fa else mobile)
    page.locator("#mobile").press("Enter")
    expect(page.locator("#existing-member")).to_be_visible()
    shot(page, "pos-enrol-known")
    page.locator("#existing-member a").click()
    page.wait_for_url(member_url)
