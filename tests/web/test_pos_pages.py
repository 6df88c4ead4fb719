"""The till's pages in process: find, enrol, sell with points and a coupon, the receipt, refunds — and
what a cashier sees when something is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from web_helpers import WebClient

from bashgah.core.db import Database
from bashgah.models import Purchase
from support import Club, balance, bought, enrol, give_points, ledger_problems

PHONE_FA = "۰۹۱۲ ۵۵۵ ۰۱۰۱"


async def _purchases(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count(Purchase.id))) or 0)


def _form_values(html: str) -> dict[str, str]:
    """The hidden and typed fields of the page's sale/confirm form."""
    return dict(
        re.findall(
            r'name="(key|total|redeem|coupon|reward|branch|step|items|wallet|gift_card|gift_card_amount|invoice)"'
            r' value="([^"]*)"',
            html,
        )
    )


async def _member(client: httpx.AsyncClient, club: Club, points: int = 0) -> int:
    member_id = int((await enrol(client, club, mobile="09125550101"))["id"])
    if points:
        await give_points(client, club, member_id, points)
    return member_id


async def _coupon(client: httpx.AsyncClient, club: Club, code: str, **fields: object) -> None:
    body = {"name": "Yalda", "discount_type": "fixed", "discount_value": 200_000, "code": code, **fields}
    response = await client.post("/api/v1/coupons/batches", json=body, headers=club.headers("manager"))
    assert response.status_code == 201, response.text


async def at_till(web: WebClient, lang: str = "fa") -> None:
    """Signed in as the cashier Kasra, with the till in ``lang``."""
    await web.sign_in_as("cashier", "kasra")
    if lang == "en":
        await in_english(web)


async def in_english(web: WebClient, path: str = "/pos") -> None:
    """The language switch of the page at ``path``, to English, as the cashier uses it."""
    switched = await web.submit(path, "/lang", {"lang": "en", "next": path})
    assert switched.status_code == 303 and switched.headers["location"] == path


async def sold_at_till(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str = "fa"
) -> tuple[int, httpx.Response]:
    """A new member buys for 100,000 toman (100 points) at the till in ``lang``; their id and the sale's
    answer (the redirect to its receipt)."""
    member_id = await _member(client, club)
    await at_till(web, lang)
    return member_id, await _sell(web, member_id, total="100000")


async def _review(web: WebClient, member_id: int, **typed: str) -> httpx.Response:
    """The sale form of the member's panel, as typed, sent to its confirm step."""
    panel = f"/pos/members/{member_id}"
    key = _form_values((await web.get(panel)).text).get("key", "")
    return await web.submit(panel, f"{panel}/sale", {"key": key, "step": "review", **typed})


async def _sell(web: WebClient, member_id: int, **typed: str) -> httpx.Response:
    """Fill the sale form, review it, confirm it; returns the confirmation's answer (a redirect)."""
    await web.get(f"/pos/members/{member_id}")
    key = _form_values(web.last_html)["key"]
    review = await web.http.post(
        f"/pos/members/{member_id}/sale",
        data={"csrf": _csrf(web.last_html), "key": key, "step": "review", **typed},
    )
    assert review.status_code == 200, review.text
    web.last_html = review.text
    return await web.http.post(
        f"/pos/members/{member_id}/sale", data={"csrf": _csrf(review.text), **_form_values(review.text)}
    )


async def refund_at_till(web: WebClient, receipt_path: str, amount: str, reason: str = "") -> httpx.Response:
    """Fill the receipt's refund form, review what it would do, confirm it; returns the confirmation's
    answer (a redirect to the receipt)."""
    await web.get(receipt_path)
    key = re.search(r'name="key" value="([^"]+)"', web.last_html)
    assert key is not None
    review = await web.http.post(
        receipt_path + "/refund",
        data={
            "csrf": _csrf(web.last_html),
            "key": key[1],
            "step": "review",
            "amount": amount,
            "reason": reason,
        },
    )
    assert review.status_code == 200, review.text
    web.last_html = review.text
    fields = dict(re.findall(r'name="(key|step|amount|reason)" value="([^"]*)"', review.text))
    assert fields["step"] == "confirm"
    return await web.http.post(receipt_path + "/refund", data={"csrf": _csrf(review.text), **fields})


def _csrf(html: str) -> str:
    from web_helpers import csrf_of

    return csrf_of(html)


async def test_a_cashier_finds_a_member_by_a_phone_typed_in_persian_digits(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id = await _member(client, club)
    await at_till(web)
    found = await web.get("/pos/find", params={"q": PHONE_FA})
    assert found.status_code == 303
    assert found.headers["location"] == f"/pos/members/{member_id}"
    panel = await web.get(found.headers["location"])
    assert "۰۹۱۲۵۵۵۰۱۰۱" in panel.text  # the mobile as people write it, in Persian digits


async def test_an_unknown_mobile_is_offered_for_enrolment_and_enrolled_with_just_that(
    web: WebClient, db: Database
) -> None:
    await at_till(web)
    missing = await web.get("/pos/find", params={"q": "0912 777 1234"})
    assert missing.status_code == 200
    assert "هیچ عضوی با این مشخصات پیدا نشد" in missing.text
    assert 'name="mobile" value="0912 777 1234"' in missing.text
    enrolled = await web.submit("/pos", "/pos/enrol", {"mobile": "۰۹۱۲ ۷۷۷ ۱۲۳۴"})
    assert enrolled.status_code == 303
    panel = await web.get(enrolled.headers["location"])
    assert "عضو جدید ثبت شد" in panel.text and "۰۹۱۲۷۷۷۱۲۳۴" in panel.text


async def test_enrolling_a_bad_mobile_says_why_and_keeps_what_was_typed(web: WebClient) -> None:
    await at_till(web)
    response = await web.submit("/pos", "/pos/enrol", {"mobile": "12ab"})
    assert response.status_code == 422
    assert "شماره موبایل معتبر نیست" in response.text
    assert "هیچ عضوی" not in response.text
    assert 'value="12ab"' in response.text


async def test_a_sale_with_points_and_a_coupon_shows_the_receipt_with_the_new_balance(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club, points=300)
    await _coupon(client, club, "YALDA05")
    await at_till(web)
    # 250,000 toman = 2,500,000 rials; coupon 200,000 rials; 100 points = 100,000 rials off;
    # paid 2,200,000 rials → 220 points earned; 300 - 100 + 220 = 420.
    done = await _sell(web, member_id, total="۲۵۰٬۰۰۰", redeem="۱۰۰", coupon="yalda05")
    assert "۲۲۰٬۰۰۰ تومان" in web.last_html  # the confirmation showed what is to be paid
    assert done.status_code == 303
    receipt = await web.get(done.headers["location"])
    assert 'id="paid">۲۲۰٬۰۰۰ تومان' in receipt.text
    assert 'id="earned">۲۲۰<' in receipt.text
    assert 'id="balance">۴۲۰<' in receipt.text
    assert (await balance(client, club, member_id))["available"] == 420


async def test_sending_the_confirmation_twice_records_one_sale(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club)
    await at_till(web)
    first = await _sell(web, member_id, total="100000")
    again = await web.http.post(
        f"/pos/members/{member_id}/sale", data={"csrf": _csrf(web.last_html), **_form_values(web.last_html)}
    )
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert await _purchases(db) == 1


async def test_spending_more_points_than_the_member_has_is_refused_and_the_form_kept(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club, points=50)
    await at_till(web)
    response = await _review(web, member_id, total="100000", redeem="80")
    assert response.status_code == 409
    assert "امتیاز کافی نیست" in response.text
    assert 'name="total" value="100000"' in response.text and 'name="redeem" value="80"' in response.text
    assert await _purchases(db) == 0


async def test_a_used_coupon_is_refused_in_english_and_nothing_is_recorded(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club)
    await _coupon(client, club, "ONCE01", max_uses=1)
    await at_till(web, "en")
    assert (await _sell(web, member_id, total="100000", coupon="ONCE01")).status_code == 303
    refused = await _review(web, member_id, total="50000", coupon="ONCE01")
    assert refused.status_code == 409
    assert "coupon" in refused.text.lower() and 'name="coupon" value="ONCE01"' in refused.text
    assert await _purchases(db) == 1


async def test_amounts_are_in_latin_digits_in_english_and_in_rials_when_the_club_says_so(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from sqlalchemy import update

    from bashgah.models import Tenant
    from support import execute

    await execute(db, update(Tenant).values(money_display="rial"))
    member_id = await _member(client, club)
    await at_till(web, "en")
    done = await _sell(web, member_id, total="1,250,000")
    receipt = await web.get(done.headers["location"])
    assert 'id="paid">1,250,000 rials' in receipt.text


async def test_a_refund_gives_the_money_back_and_takes_the_earned_points_back(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id = await _member(client, club)
    await at_till(web)
    done = await _sell(web, member_id, total="200000")  # 2,000,000 rials → 200 points
    receipt_path = done.headers["location"].split("?")[0]  # without the sale's one-off key
    refunded = await refund_at_till(web, receipt_path, amount="", reason="معیوب")
    assert refunded.status_code == 303
    after = await web.get(refunded.headers["location"])
    assert "مرجوعی ثبت شد" in after.text and "۲۰۰٬۰۰۰ تومان" in after.text
    assert 'name="amount"' not in after.text  # nothing left to refund
    assert (await balance(client, club, member_id))["total"] == 0
    assert await ledger_problems(web.db) == []


async def test_refunding_more_than_was_paid_is_refused_with_the_amount_kept(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id, done = await sold_at_till(web, client, club)
    path = done.headers["location"].split("?")[0]
    refused = await web.submit(path, path + "/refund", {"amount": "900000", "reason": ""})
    assert refused.status_code in (409, 422)
    assert 'name="amount" value="900000"' in refused.text
    assert (await balance(client, club, member_id))["total"] == 100


async def test_a_receipt_is_found_by_its_number(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id, done = await sold_at_till(web, client, club)
    number = _form_values(web.last_html)["key"]
    found = await web.get("/pos/receipt", params={"number": number.lower()})
    assert found.headers["location"] == done.headers["location"].split("?")[0]
    missing = await web.get("/pos/receipt", params={"number": "NOSUCH"})
    assert missing.status_code == 404


async def test_a_sale_form_without_its_csrf_token_records_nothing(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club)
    await at_till(web)
    response = await web.http.post(
        f"/pos/members/{member_id}/sale", data={"key": "ABCDEFGH", "step": "confirm", "total": "100000"}
    )
    assert response.status_code == 403
    assert await _purchases(db) == 0


async def test_a_sale_can_be_typed_as_items_and_its_total_is_their_sum(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from bashgah.models import PurchaseItem

    member_id = await _member(client, club)
    await at_till(web)
    # Two teas at 45,000 toman and a cup at ۱۰٬۰۰۰ toman: 100,000 toman = 1,000,000 rials → 100 points.
    done = await _sell(web, member_id, total="", items="TEA-01 2 45,000\nCUP-7 ۱ ۱۰٬۰۰۰")
    assert "TEA-01" in web.last_html  # the confirmation lists the items
    receipt = await web.get(done.headers["location"])
    assert 'id="paid">۱۰۰٬۰۰۰ تومان' in receipt.text and 'id="earned">۱۰۰<' in receipt.text
    async with db.transaction() as session:
        lines = (await session.scalars(select(PurchaseItem).order_by(PurchaseItem.sku))).all()
    assert [(i.sku, i.quantity, i.unit_price_rials) for i in lines] == [
        ("CUP-7", 1, 100_000),
        ("TEA-01", 2, 450_000),
    ]


async def test_an_item_line_without_a_price_is_refused_naming_the_line(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club)
    await at_till(web)
    refused = await _review(web, member_id, total="", items="TEA-01 2 45000\nCUP-7 1")
    assert refused.status_code == 422
    assert "سطر ۲" in refused.text and "CUP-7 1</textarea>" in refused.text
    assert await _purchases(db) == 0


async def _reward_code(client: httpx.AsyncClient, club: Club, member_id: int) -> str:
    """The member spends 100 points on a 50,000-rial discount and gets its code."""
    reward = await client.post(
        "/api/v1/rewards",
        json={"name_fa": "تخفیف ۵ هزار تومانی", "name_en": "5,000 toman off", "kind": "discount_amount",
              "cost_points": 100, "discount_rials": 50_000},
        headers=club.headers("manager"),
    )  # fmt: skip
    assert reward.status_code == 201, reward.text
    redeemed = await client.post(
        f"/api/v1/members/{member_id}/rewards",
        json={"reward_id": reward.json()["id"]},
        headers=club.headers(**{"Idempotency-Key": f"reward-{member_id}"}),
    )
    assert redeemed.status_code == 201, redeemed.text
    return str(redeemed.json()["code"])


async def test_a_reward_code_takes_its_discount_off_and_is_used_once(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club, points=150)
    code = await _reward_code(client, club, member_id)
    await at_till(web)
    panel = await web.get(f"/pos/members/{member_id}")
    assert code in panel.text  # the panel lists the member's rewards to use
    # 100,000 toman less the reward's 5,000 toman: 95,000 toman paid, 95 points earned.
    done = await _sell(web, member_id, total="100000", reward=code.lower())
    assert "تخفیف ۵ هزار تومانی" in web.last_html
    receipt = await web.get(done.headers["location"])
    assert 'id="paid">۹۵٬۰۰۰ تومان' in receipt.text and code in receipt.text
    used = await client.get(f"/api/v1/members/{member_id}/rewards", headers=club.headers())
    assert used.json()["items"][0]["status"] == "used"
    await web.get(f"/pos/members/{member_id}")
    again = await _review(web, member_id, total="100000", reward=code)
    assert again.status_code == 409 and await _purchases(db) == 1


async def test_another_members_reward_code_is_refused(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    owner_id = await _member(client, club, points=150)
    code = await _reward_code(client, club, owner_id)
    other = int((await enrol(client, club, mobile="09125550202"))["id"])
    await at_till(web)
    refused = await _review(web, other, total="100000", reward=code)
    assert refused.status_code == 404
    assert "جایزه‌ای با این کد وجود ندارد" in refused.text
    assert await _purchases(db) == 0


async def test_an_owner_without_a_branch_picks_the_branch_of_the_sale(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id = await _member(client, club)
    await web.sign_in_as("owner", "sara")
    panel = await web.get(f"/pos/members/{member_id}")
    assert '<select id="branch" name="branch"' in panel.text
    done = await _sell(web, member_id, total="100000", branch="online")
    receipt = await web.get(done.headers["location"])
    assert receipt.status_code == 200
    sale = await client.get(
        f"/api/v1/purchases/{done.headers['location'].rsplit('/', 1)[1]}", headers=club.headers()
    )
    assert sale.json()["branch"] == "online"


async def test_a_scanned_card_or_qr_code_opens_the_member(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member = await enrol(client, club, mobile="09125550303")
    await at_till(web)
    for scanned in (member["card_number"], member["qr_payload"]):
        found = await web.get("/pos/find", params={"q": scanned})
        assert found.headers["location"] == f"/pos/members/{member['id']}"


async def test_the_member_panel_shows_the_tier_in_the_pages_language(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    ladder = {
        "metric": "spend", "window": "rolling", "window_months": 12, "downgrade": "one_down", "grace_days": 30,
        "levels": [
            {"code": "bronze", "name_fa": "برنزی", "name_en": "Bronze", "threshold": 0},
            {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 50_000_000},
        ],
    }  # fmt: skip
    assert (await client.put("/api/v1/tiers", json=ladder, headers=club.headers())).status_code == 200
    member_id = await _member(client, club)
    await at_till(web)
    assert "برنزی" in (await web.get(f"/pos/members/{member_id}")).text
    await in_english(web)
    assert "Bronze" in (await web.get(f"/pos/members/{member_id}")).text


# ------------------------------------------------------------------ wallet, gift cards, stamps, gifts

COFFEE_CARD = {
    "name_fa": "کارت قهوه",
    "name_en": "Coffee card",
    "stamps_needed": 9,
    "earn": {"per": "unit", "items": {"skus": ["CF-1"]}},
    "reward": {"kind": "free_product", "sku": "CF-1"},
}


async def _api(
    client: httpx.AsyncClient, club: Club, path: str, body: dict[str, object], **headers: str
) -> Any:
    response = await client.post(path, json=body, headers=club.headers("manager", **headers))
    assert response.status_code == 201, response.text
    return response.json()


async def _top_up(client: httpx.AsyncClient, club: Club, member_id: int, rials: int) -> None:
    await _api(client, club, f"/api/v1/members/{member_id}/wallet/top-ups", {"amount_rials": rials},
               **{"Idempotency-Key": f"top-{member_id}-{rials}"})  # fmt: skip


async def _thank_you_coupon(client: httpx.AsyncClient, club: Club) -> None:
    """A campaign giving a personal 10 % code on the first purchase."""
    batch = await _api(client, club, "/api/v1/coupons/batches",
                       {"name": "۱۰٪ خرید بعدی", "discount_type": "percent", "discount_value": 10, "count": 0})  # fmt: skip
    await _api(client, club, "/api/v1/campaigns", {
        "name_fa": "کد خرید بعدی",
        "rules": [{"key": "thanks", "conditions": [{"type": "first_purchase"}],
                   "effects": [{"type": "issue_coupon", "batch_id": batch["id"]}]}],
    })  # fmt: skip


async def test_the_member_panel_shows_the_wallet_the_stamp_progress_and_the_members_own_coupons(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id = await _member(client, club)
    await _api(client, club, "/api/v1/stamp-cards", COFFEE_CARD)
    await _thank_you_coupon(client, club)
    sold = await bought(
        client,
        club,
        member_id,
        700_000,
        role="manager",
        items=[{"sku": "CF-1", "quantity": 7, "unit_price_rials": 100_000}],
    )
    [gift] = sold["gifts"]
    await _top_up(client, club, member_id, 500_000)
    await at_till(web)
    panel = await web.get(f"/pos/members/{member_id}")
    assert 'id="wallet-available">۵۰٬۰۰۰ تومان' in panel.text
    assert "<bdi>کارت قهوه</bdi>: <strong>۷ از ۹</strong>" in panel.text
    assert gift["code"] in panel.text and "۱۰٪ خرید بعدی" in panel.text
    await in_english(web, f"/pos/members/{member_id}")
    english = await web.get(f"/pos/members/{member_id}")
    assert "<bdi>Coffee card</bdi>: <strong>7 of 9</strong>" in english.text
    assert 'id="wallet-available">50,000 toman' in english.text


async def test_a_sale_paid_from_the_wallet_and_a_gift_card_shows_them_with_the_stamps_and_gifts_on_the_receipt(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club)
    await _api(client, club, "/api/v1/stamp-cards", {**COFFEE_CARD, "stamps_needed": 2})
    await _thank_you_coupon(client, club)
    await _top_up(client, club, member_id, 800_000)
    await _api(client, club, "/api/v1/gift-cards", {"value_rials": 300_000, "code": "GIFT2026"})
    await at_till(web)
    # 2 coffees of 100,000 toman: 2,000,000 rials; 50,000 toman from the wallet, 20,000 from the card.
    done = await _sell(web, member_id, items="CF-1 2 100000", wallet="۵۰٬۰۰۰", gift_card="gift2026",
                       gift_card_amount="20000")  # fmt: skip
    confirm = web.last_html
    assert 'id="from-wallet">۵۰٬۰۰۰ تومان' in confirm and 'id="from-card">۲۰٬۰۰۰ تومان' in confirm
    assert 'id="rest">۱۳۰٬۰۰۰ تومان' in confirm
    assert done.status_code == 303, done.text
    receipt = await web.get(done.headers["location"])
    assert 'id="paid-wallet">۵۰٬۰۰۰ تومان' in receipt.text
    assert 'id="paid-card">۲۰٬۰۰۰ تومان' in receipt.text
    assert 'id="wallet-now">۳۰٬۰۰۰ تومان' in receipt.text
    stamps = receipt.text.partition('id="receipt-stamps"')[2].partition("</ul>")[0]
    assert "+۲ مهر" in stamps and "کارت پر شد!" in stamps, stamps
    cards = (await client.get(f"/api/v1/members/{member_id}/stamp-cards", headers=club.headers())).json()[
        "items"
    ]
    reward_code = cards[0]["completed"][0]["reward_code"]
    assert reward_code and reward_code in receipt.text
    coupons = (await client.get(f"/api/v1/members/{member_id}/coupons", headers=club.headers())).json()[
        "items"
    ]
    assert coupons[0]["code"] in receipt.text and "۱۰٪ خرید بعدی" in receipt.text
    card = (await client.get("/api/v1/gift-cards/GIFT2026", headers=club.headers())).json()
    assert card["balance_rials"] == 100_000
    # Printed again later, the receipt still shows what the wallet paid (the one-off lines are gone).
    again = await web.get(done.headers["location"].split("?")[0])
    assert 'id="paid-wallet">۵۰٬۰۰۰ تومان' in again.text and "کارت پر شد!" not in again.text
    assert await ledger_problems(db) == []


async def test_paying_more_from_the_wallet_than_it_holds_is_refused_with_the_form_kept(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club)
    await _top_up(client, club, member_id, 100_000)
    await at_till(web)
    refused = await _review(web, member_id, total="50000", wallet="20000")
    assert refused.status_code == 409
    assert "موجودی کیف پول کافی نیست" in refused.text
    assert 'name="wallet" value="20000"' in refused.text and 'name="total" value="50000"' in refused.text
    assert await _purchases(db) == 0


async def test_an_unknown_or_expired_gift_card_is_refused_in_english_and_nothing_is_recorded(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from sqlalchemy import update

    from bashgah.models import GiftCard
    from support import execute

    member_id = await _member(client, club)
    await _api(client, club, "/api/v1/gift-cards", {"value_rials": 300_000, "code": "OLDCARD1"})
    await execute(db, update(GiftCard).values(expires_at=datetime.now(UTC) - timedelta(days=1)))
    await at_till(web, "en")
    unknown = await _review(web, member_id, total="50000", gift_card="NOSUCH99")
    assert unknown.status_code == 404 and "There is no gift card with this code." in unknown.text
    assert 'name="gift_card" value="NOSUCH99"' in unknown.text
    expired = await _review(web, member_id, total="50000", gift_card="OLDCARD1")
    assert expired.status_code == 409 and "it is expired" in expired.text
    assert await _purchases(db) == 0


async def test_a_cashier_checks_a_gift_card_and_tops_up_the_wallet_once_however_often_it_is_sent(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member_id = await _member(client, club)
    await _api(client, club, "/api/v1/gift-cards", {"value_rials": 300_000, "code": "GIFT2026"})
    await at_till(web)
    checked = await web.get("/pos/gift-cards", params={"code": "gift2026"})
    assert 'id="card-balance">۳۰٬۰۰۰ تومان' in checked.text and "قابل استفاده" in checked.text
    missing = await web.get("/pos/gift-cards", params={"code": "NOPE1234"})
    assert missing.status_code == 404 and "کارت هدیه‌ای با این کد وجود ندارد" in missing.text

    page = f"/pos/gift-cards?member={member_id}"
    await web.get(page)
    form = {"csrf": _csrf(web.last_html), "key": re.findall(r'name="key" value="([^"]+)"', web.last_html)[0],
            "amount": "۱۰۰٬۰۰۰", "reference": "TR-55"}  # fmt: skip
    first = await web.http.post(f"/pos/members/{member_id}/top-up", data=form)
    second = await web.http.post(f"/pos/members/{member_id}/top-up", data=form)
    assert first.status_code == second.status_code == 303
    after = await web.get(first.headers["location"])
    assert "کیف پول شارژ شد" in after.text and 'id="wallet-available">۱۰۰٬۰۰۰ تومان' in after.text
    wallet = (await client.get(f"/api/v1/members/{member_id}/wallet", headers=club.headers())).json()
    assert wallet["balance"]["available_rials"] == 1_000_000
    assert await ledger_problems(db) == []


async def test_a_top_up_without_an_amount_is_refused_and_the_reference_kept(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id = await _member(client, club)
    await at_till(web)
    page = f"/pos/gift-cards?member={member_id}"
    refused = await web.submit(
        page, f"/pos/members/{member_id}/top-up", {"key": "K1", "amount": "", "reference": "TR-9"}
    )
    assert refused.status_code == 422 and 'name="reference" value="TR-9"' in refused.text
    wallet = (await client.get(f"/api/v1/members/{member_id}/wallet", headers=club.headers())).json()
    assert wallet["balance"]["total_rials"] == 0


async def test_the_enrolment_birthday_hint_keeps_the_gregorian_example_in_order(web: WebClient) -> None:
    await at_till(web)
    missing = (await web.get("/pos/find", params={"q": "0912 777 1234"})).text
    assert 'میلادی (<bdi dir="ltr">1991-08-03</bdi>)' in missing


@pytest.mark.parametrize(
    ("lang", "hand_over", "stays"),
    [
        ("fa", "تحویل بدهید: قهوهٔ رایگان", "استفاده‌شده می‌ماند"),
        ("en", "Hand over: A free coffee", "stays used"),
    ],
)
async def test_a_free_coffee_reward_tells_the_cashier_to_hand_it_over_not_a_zero_discount(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str, hand_over: str, stays: str
) -> None:
    member_id = await _member(client, club, points=200)
    reward = await _api(client, club, "/api/v1/rewards", {
        "name_fa": "قهوهٔ رایگان", "name_en": "A free coffee", "kind": "free_product", "cost_points": 150,
        "sku": "CF-1"})  # fmt: skip
    redeemed = await client.post(
        f"/api/v1/members/{member_id}/rewards",
        json={"reward_id": reward["id"]},
        headers=club.headers(**{"Idempotency-Key": f"coffee-{member_id}"}),
    )
    code = str(redeemed.json()["code"])
    await at_till(web, lang)
    done = await _sell(web, member_id, total="200000", reward=code)
    confirm = web.last_html
    assert hand_over in confirm and 'id="hand-over"' in confirm
    assert "− ۰" not in confirm and "− 0 " not in confirm
    receipt_path = done.headers["location"].split("?")[0]
    receipt = (await web.get(done.headers["location"])).text
    assert hand_over in receipt and code in receipt and "− ۰" not in receipt and "− 0 " not in receipt
    review = await web.http.post(
        receipt_path + "/refund",
        data={"csrf": _csrf(receipt), "key": "R-COFFEE", "step": "review", "amount": "", "reason": ""},
    )
    assert review.status_code == 200 and 'id="refund-reward"' in review.text and stays in review.text


@pytest.mark.parametrize(
    ("lang", "base", "bonus"),
    [("fa", "امتیاز خود خرید", "کمپین: سبد بزرگ"), ("en", "Points for the purchase", "Campaign: Big basket")],
)
async def test_the_confirm_step_and_the_receipt_name_the_campaign_that_gave_bonus_points(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str, base: str, bonus: str
) -> None:
    await _api(client, club, "/api/v1/campaigns", {
        "name_fa": "سبد بزرگ", "name_en": "Big basket",
        "rules": [{"key": "big", "conditions": [{"type": "purchase_total", "min_rials": 1_000_000}],
                   "effects": [{"type": "fixed_bonus", "points": 200}]}],
    })  # fmt: skip
    member_id = await _member(client, club)
    await at_till(web, lang)
    done = await _sell(web, member_id, total="200000")
    twos = "۲۰۰" if lang == "fa" else "200"
    for page in (web.last_html, (await web.get(done.headers["location"])).text):
        assert base in page and bonus in page and f"+{twos}" in page


@pytest.mark.parametrize(
    ("lang", "points", "coupon"),
    [
        ("fa", "امتیاز کافی نیست: ۲۴۷ امتیاز موجود است", "کد تخفیف"),
        ("en", "Not enough points: 247 available", "oupon"),
    ],
)
async def test_too_many_points_and_an_unknown_coupon_are_both_named_not_a_discount_over_the_total(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database, lang: str, points: str, coupon: str
) -> None:
    member_id = await _member(client, club, points=247)
    await at_till(web, lang)
    refused = await _review(web, member_id, total="200000", redeem="5000", coupon="NOPE123")
    assert refused.status_code == 409
    box = refused.text.partition('id="form-errors">')[2].partition("</div>")[0]
    found = re.findall(r"<p>(.*?)</p>", box, re.S)
    assert len(found) == 2, found
    assert points in found[0] and coupon in found[1]
    assert "از مبلغ خرید بیشتر است" not in box and "more than the total" not in box
    assert await _purchases(db) == 0


@pytest.mark.parametrize(("lang", "label"), [("fa", "«امتیاز قابل مصرف»"), ("en", "Points to spend")])
async def test_points_worth_more_than_the_total_name_the_field_as_the_form_labels_it(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str, label: str
) -> None:
    member_id = await _member(client, club, points=500)
    await at_till(web, lang)
    refused = await _review(web, member_id, total="20000", redeem="400")
    assert refused.status_code == 422 and label in refused.text and "redeem_points" not in refused.text
