"""The till's receipt and refund in process (issue 11): a refund is previewed before it is done, the
receipt's notices come from the server's records, a reward shows on the receipt as on the confirm step,
the shop's invoice number, the branch, the cashier and the portal QR on the receipt, what is left after a
partial refund — and enrolling with a name, a birthday, or a mobile that is already a member's."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from sqlalchemy import select
from test_pos_pages import (
    _csrf,
    _form_values,
    _member,
    _reward_code,
    _sell,
    at_till,
    refund_at_till,
    sold_at_till,
)
from web_helpers import WebClient

from bashgah.core.db import Database
from bashgah.models import Member, Purchase
from support import Club, balance, enrol

LANGS = pytest.mark.parametrize("lang", ["fa", "en"])


def _cell(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert found is not None, element_id
    return found[1]


async def _review_refund(web: WebClient, receipt_path: str, amount: str) -> httpx.Response:
    await web.get(receipt_path)
    key = re.search(r'name="key" value="([^"]+)"', web.last_html)
    assert key is not None
    return await web.http.post(
        receipt_path + "/refund",
        data={"csrf": _csrf(web.last_html), "key": key[1], "step": "review", "amount": amount, "reason": ""},
    )


@LANGS
async def test_a_refund_at_the_till_shows_what_will_be_returned_before_it_is_done(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database, lang: str
) -> None:
    member_id = await _member(client, club, points=200)
    await at_till(web, lang)
    # 100,000 toman, 100 points (10,000 toman) spent: 90,000 toman paid, 90 points earned.
    done = await _sell(web, member_id, total="100000", redeem="100")
    path = done.headers["location"].split("?")[0]
    before = await balance(client, club, member_id)

    review = await _review_refund(web, path, "40000")  # 40 % of the purchase
    assert review.status_code == 200
    fa = lang == "fa"
    assert _cell(review.text, "refund-amount") == ("۴۰٬۰۰۰ تومان" if fa else "40,000 toman")
    assert _cell(review.text, "refund-cash") == ("۳۶٬۰۰۰ تومان" if fa else "36,000 toman")
    assert _cell(review.text, "refund-taken") == ("۳۶" if fa else "36")
    assert _cell(review.text, "refund-given") == ("۴۰" if fa else "40")
    assert 'id="refund-whole"' not in review.text
    # Nothing happened yet.
    assert await balance(client, club, member_id) == before
    async with db.transaction() as session:
        assert (await session.scalar(select(Purchase.refunded_rials))) == 0

    fields = dict(re.findall(r'name="(key|step|amount|reason)" value="([^"]*)"', review.text))
    confirmed = await web.http.post(path + "/refund", data={"csrf": _csrf(review.text), **fields})
    assert confirmed.status_code == 303
    receipt = await web.get(confirmed.headers["location"])
    notice = receipt.text[receipt.text.index('id="refund-notice"') :]
    assert ("۳۶٬۰۰۰ تومان" if fa else "36,000 toman") in notice[: notice.index("</div>")]
    after = await balance(client, club, member_id)
    assert after["available"] == before["available"] - 36 + 40


@LANGS
async def test_an_empty_refund_amount_is_previewed_as_everything_not_yet_refunded(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str
) -> None:
    member_id, done = await sold_at_till(web, client, club, lang)
    path = done.headers["location"].split("?")[0]
    await refund_at_till(web, path, amount="30000")
    receipt = await web.get(path)
    assert ("۷۰٬۰۰۰ تومان" if lang == "fa" else "70,000 toman") in receipt.text  # the hint says how much
    review = await _review_refund(web, path, "")
    whole = review.text[review.text.index('id="refund-whole"') :]
    assert ("همهٔ" if lang == "fa" else "Everything not yet refunded") in whole[:300]
    assert ("۷۰٬۰۰۰ تومان" if lang == "fa" else "70,000 toman") in whole[:300]
    assert (await balance(client, club, member_id))["total"] == 70


async def test_a_receipt_ignores_a_refund_notice_written_into_its_address(
    web: WebClient, client: httpx.AsyncClient, club: Club
) -> None:
    member_id, done = await sold_at_till(web, client, club)
    path = done.headers["location"].split("?")[0]
    forged = await web.get(path, params={"refunded": "98765432", "taken": "4321", "given": "8642"})
    assert forged.status_code == 200
    assert 'role="status"' not in forged.text, forged.text[forged.text.index('role="status"') - 300 :][:600]
    assert "۹۸٬۷۶۵" not in forged.text and "۴٬۳۲۱" not in forged.text and "۸٬۶۴۲" not in forged.text
    # Another purchase's refund does not show on this receipt either.
    other = await _sell(web, member_id, total="50000")
    other_path = other.headers["location"].split("?")[0]
    refunded = await refund_at_till(web, other_path, amount="")
    refund_id = refunded.headers["location"].split("refund=")[1]
    borrowed = await web.get(path, params={"refund": refund_id})
    assert 'id="refund-notice"' not in borrowed.text
    shown = await web.get(refunded.headers["location"])
    assert 'id="refund-notice"' in shown.text and "۵۰٬۰۰۰ تومان" in shown.text


@LANGS
async def test_the_receipt_of_a_sale_with_a_reward_shows_what_the_confirm_step_showed(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str
) -> None:
    member_id = await _member(client, club, points=150)
    code = await _reward_code(client, club, member_id)  # 5,000 toman off
    await at_till(web, lang)
    done = await _sell(web, member_id, total="30000", reward=code)
    fa = lang == "fa"
    confirm = web.last_html
    assert _cell(confirm, "to-pay") == ("۲۵٬۰۰۰ تومان" if fa else "25,000 toman")
    receipt = await web.get(done.headers["location"])
    assert _cell(receipt.text, "subtotal") == ("۳۰٬۰۰۰ تومان" if fa else "30,000 toman")
    line = receipt.text[receipt.text.index('id="reward-line"') :]
    line = line[: line.index("</tr>")]
    assert code in line and ("− ۵٬۰۰۰ تومان" if fa else "− 5,000 toman") in line
    assert ("تخفیف ۵ هزار تومانی" if fa else "5,000 toman off") in line
    assert _cell(receipt.text, "paid") == _cell(confirm, "to-pay")
    # And it stays so when the receipt is opened again later, by its number.
    again = await web.get(done.headers["location"].split("?")[0])
    assert 'id="reward-line"' in again.text


@LANGS
async def test_the_printed_receipt_names_the_branch_and_the_cashier_and_carries_the_portal_qr(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str
) -> None:
    member_id, done = await sold_at_till(web, client, club, lang)
    receipt = await web.get(done.headers["location"])
    where = receipt.text[receipt.text.index('id="receipt-where"') :]
    where = where[: where.index("</p>")]
    assert "main" in where and "Kasra" in where
    assert ("شعبه" if lang == "fa" else "Branch") in where
    qr = receipt.text[receipt.text.index('id="portal-qr"') :]
    assert "<svg" in qr[:400] and "<path" in qr  # drawn on the server, nothing loaded from elsewhere
    assert "·" not in receipt.text  # a middle dot reads as a Persian zero (the printed title too)


@LANGS
async def test_the_receipt_after_a_partial_refund_shows_what_is_left(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str
) -> None:
    member_id, done = await sold_at_till(web, client, club, lang)  # 100 points
    path = done.headers["location"].split("?")[0]
    refunded = await refund_at_till(web, path, amount="25000")
    receipt = await web.get(refunded.headers["location"])
    fa = lang == "fa"
    assert _cell(receipt.text, "left") == ("۷۵٬۰۰۰ تومان" if fa else "75,000 toman")
    assert _cell(receipt.text, "paid-back") == ("۲۵٬۰۰۰ تومان" if fa else "25,000 toman")
    assert _cell(receipt.text, "kept") == ("۷۵٬۰۰۰ تومان" if fa else "75,000 toman")
    assert _cell(receipt.text, "points-kept") == ("۷۵" if fa else "75")
    assert 'name="amount"' in receipt.text  # the rest may still be refunded


@LANGS
async def test_the_shops_own_invoice_number_becomes_the_receipt_number(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database, lang: str
) -> None:
    member_id = await _member(client, club)
    await at_till(web, lang)
    done = await _sell(web, member_id, total="100000", invoice="INV-۴۲")
    receipt = await web.get(done.headers["location"])
    assert "INV-42" in receipt.text
    found = await web.get("/pos/receipt", params={"number": "inv-۴۲"})
    assert found.headers["location"] == done.headers["location"].split("?")[0]
    # The same invoice number again is refused, and earns nothing twice.
    await web.get(f"/pos/members/{member_id}")
    review = await web.http.post(
        f"/pos/members/{member_id}/sale",
        data={"csrf": _csrf(web.last_html), "key": _form_values(web.last_html)["key"], "step": "review",
              "total": "100000", "invoice": "INV-42"},
    )  # fmt: skip
    fields = _form_values(review.text)
    twice = await web.http.post(f"/pos/members/{member_id}/sale", data={"csrf": _csrf(review.text), **fields})
    assert twice.status_code == 409
    assert "INV-42" in twice.text
    assert (await balance(client, club, member_id))["total"] == 100


@LANGS
async def test_enrolling_a_mobile_that_is_already_a_member_links_to_that_member(
    web: WebClient, client: httpx.AsyncClient, club: Club, lang: str
) -> None:
    member = await enrol(client, club, mobile="09125550303", first_name="سارا")
    await at_till(web, lang)
    again = await web.submit("/pos", "/pos/enrol", {"mobile": "۰۹۱۲ ۵۵۵ ۰۳۰۳"})
    assert again.status_code == 409
    link = again.text[again.text.index('id="existing-member"') :]
    assert f'href="/pos/members/{member["id"]}"' in link[:500] and "سارا" in link[:500]


@LANGS
async def test_a_cashier_enrols_a_member_with_a_name_and_a_birthday(
    web: WebClient, client: httpx.AsyncClient, club: Club, db: Database, lang: str
) -> None:
    await at_till(web, lang)
    birthday = "۱۳۷۰/۰۵/۱۲" if lang == "fa" else "1991-08-03"
    made = await web.submit(
        "/pos",
        "/pos/enrol",
        {"mobile": "09125550404", "first_name": "مریم", "last_name": "نوری", "birth_date": birthday},
    )
    assert made.status_code == 303
    async with db.transaction() as session:
        member = await session.scalar(select(Member).where(Member.mobile == "+989125550404"))
    assert member is not None
    assert (member.first_name, member.last_name, member.birth_date) == ("مریم", "نوری", date(1991, 8, 3))
    refused = await web.submit("/pos", "/pos/enrol", {"mobile": "09125550505", "birth_date": "1370/13/40"})
    assert refused.status_code == 422
    assert 'value="1370/13/40"' in refused.text  # kept to correct
