"""The console's confirm step before points, wallet money or a block move: the first send only shows what
will happen (the member, the change with its sign, the reason, the balance now and after, in the page's
language and the club's unit); only the confirmation does it, once; Cancel goes back to the member."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from web_helpers import WebClient, audit_actions

from support import balance, enrol, give_points, ledger_problems

_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


async def _member(web: WebClient) -> dict[str, Any]:
    return await enrol(web.http, web.club, "09121234567", first_name="علی", last_name="کریمی")


async def _at_member(web: WebClient, points: int = 0, role: str = "manager") -> tuple[dict[str, Any], str]:
    """A member (with ``points``), the console signed in as ``role``, and the member's page."""
    member = await _member(web)
    if points:
        await give_points(web.http, web.club, member["id"], points)
    await web.sign_in_as(role, "mina" if role == "manager" else "sara")
    return member, f"/console/members/{member['id']}"


async def _wallet_rials(web: WebClient, member_id: int) -> int:
    read = await web.http.get(f"/api/v1/members/{member_id}/wallet", headers=web.club.headers())
    return int(read.json()["balance"]["available_rials"])


def _box(page: str, element: str) -> str:
    return page.split(f'id="{element}"')[1].split("</dd>")[0]


async def _confirm(web: WebClient, confirm_page: httpx.Response) -> httpx.Response:
    """Press the confirm page's button: send exactly the fields its form carries."""
    form = confirm_page.text.split('id="confirm-form"')[1].split("</form>")[0]
    action = confirm_page.text.split('id="confirm-form"')[0].rsplit('action="', 1)[1].split('"')[0]
    data = {name: html.unescape(value) for name, value in _HIDDEN.findall(form)}
    assert data["step"] == "confirm" and data["csrf"]
    return await web.http.post(action, data=data)


async def test_giving_ten_points_shows_the_signed_change_and_the_points_now_and_after_before_anything_moves(
    web: WebClient,
) -> None:
    member, path = await _at_member(web, 1200)

    shown = await web.submit(path, f"{path}/adjust", {"points": "۱۰", "reason": "جبران تأخیر ارسال"})

    assert shown.status_code == 200
    page = shown.text
    assert "علی کریمی" in _box(page, "confirm-member") and "۰۹۱۲۱۲۳۴۵۶۷" in _box(page, "confirm-member")
    assert '<bdi dir="ltr">+۱۰</bdi>' in _box(page, "confirm-change")
    assert "جبران تأخیر ارسال" in _box(page, "confirm-reason")
    assert "۱٬۲۰۰" in _box(page, "confirm-now") and "۱٬۲۱۰" in _box(page, "confirm-after")
    assert f'href="{path}" id="confirm-cancel"' in page
    assert (await balance(web.http, web.club, member["id"]))["available"] == 1200
    assert await audit_actions(web, object_type="member") == []

    web.http.cookies.set("bg_lang", "en")
    taking = await web.submit(path, f"{path}/adjust", {"points": "-200", "reason": "wrong sale"})
    assert taking.status_code == 200
    assert '<bdi dir="ltr">−200</bdi>' in _box(taking.text, "confirm-change")
    assert "1,200" in _box(taking.text, "confirm-now") and "1,000" in _box(taking.text, "confirm-after")
    assert "Take the points" in taking.text
    assert (await balance(web.http, web.club, member["id"]))["available"] == 1200
    assert await audit_actions(web, object_type="member") == []
    assert await ledger_problems(web.db) == []


async def test_the_confirmed_points_change_is_applied_once_even_if_the_confirmation_is_sent_twice(
    web: WebClient,
) -> None:
    member, path = await _at_member(web, 1200)
    shown = await web.submit(path, f"{path}/adjust", {"points": "۱۰", "reason": "جبران تأخیر ارسال"})

    first = await _confirm(web, shown)
    again = await _confirm(web, shown)

    assert first.status_code == 303 and first.headers["location"] == f"{path}?done=adjusted"
    assert again.status_code == 303
    assert (await balance(web.http, web.club, member["id"]))["available"] == 1210
    assert await audit_actions(web, object_type="member") == ["member.points_adjusted"]
    assert "امتیاز تغییر کرد" in (await web.get(first.headers["location"])).text
    assert await ledger_problems(web.db) == []


async def test_a_points_change_sent_without_the_confirm_step_changes_nothing(web: WebClient) -> None:
    member, path = await _at_member(web)
    for lang, step in (("fa", ""), ("en", "apply")):
        web.http.cookies.set("bg_lang", lang)
        sent = await web.submit(path, f"{path}/adjust", {"points": "100000", "reason": "typo", "step": step})
        assert sent.status_code == 200 and 'id="confirm-form"' in sent.text
    assert (await balance(web.http, web.club, member["id"]))["available"] == 0
    assert await audit_actions(web, object_type="member") == []


async def test_taking_more_points_than_available_is_refused_at_the_first_step_in_both_languages(
    web: WebClient,
) -> None:
    member, path = await _at_member(web, 100)
    for lang, words in (("fa", "امتیاز کافی نیست"), ("en", "Not enough points")):
        web.http.cookies.set("bg_lang", lang)
        refused = await web.submit(path, f"{path}/adjust", {"points": "-500", "reason": "wrong sale"})
        assert refused.status_code == 422 and words in refused.text
        assert 'id="confirm-form"' not in refused.text and 'id="adjust-errors"' in refused.text
    assert (await balance(web.http, web.club, member["id"]))["available"] == 100
    assert await audit_actions(web, object_type="member") == []


async def test_a_wallet_top_up_shows_the_amount_in_the_clubs_unit_and_the_wallet_now_and_after(
    web: WebClient,
) -> None:
    member, path = await _at_member(web)

    shown = await web.submit(path, f"{path}/wallet", {"amount": "۵۰۰٬۰۰۰", "reason": "جبران تأخیر ارسال"})

    assert shown.status_code == 200
    assert "۵۰۰٬۰۰۰ تومان" in _box(shown.text, "confirm-change")
    assert "افزوده به کیف پول" in shown.text
    assert "۰ تومان" in _box(shown.text, "confirm-now")
    assert "۵۰۰٬۰۰۰ تومان" in _box(shown.text, "confirm-after")
    assert await _wallet_rials(web, member["id"]) == 0

    web.http.cookies.set("bg_lang", "en")
    english = await web.submit(path, f"{path}/wallet", {"amount": "500000", "reason": "late delivery"})
    assert "500,000 toman" in _box(english.text, "confirm-change")
    assert "500,000 toman" in _box(english.text, "confirm-after")
    assert await _wallet_rials(web, member["id"]) == 0
    assert await audit_actions(web, object_type="member") == []

    done = await _confirm(web, shown)
    assert done.status_code == 303 and done.headers["location"] == f"{path}?done=wallet"
    assert (await _confirm(web, shown)).status_code == 303
    assert await _wallet_rials(web, member["id"]) == 5_000_000
    assert await audit_actions(web, object_type="member") == ["member.wallet_adjusted"]
    assert await ledger_problems(web.db) == []


async def test_a_wallet_change_sent_without_the_confirm_step_changes_nothing(web: WebClient) -> None:
    member, path = await _at_member(web)
    sent = await web.submit(path, f"{path}/wallet", {"amount": "5000000", "reason": "one zero too many"})
    assert sent.status_code == 200 and 'id="confirm-form"' in sent.text
    assert await _wallet_rials(web, member["id"]) == 0
    assert await audit_actions(web, object_type="member") == []


async def test_blocking_says_what_it_means_and_blocks_only_when_confirmed(web: WebClient) -> None:
    member, path = await _at_member(web, role="owner")

    shown = await web.submit(path, f"{path}/block", {"reason": "misuse of the card"})

    assert shown.status_code == 200
    meaning = shown.text.split('id="confirm-meaning"')[1].split("</div>")[0]
    assert "صندوق" in meaning and "پرتال" in meaning
    assert "misuse of the card" in _box(shown.text, "confirm-reason")
    assert 'action="' + path + '/unblock"' not in (await web.get(path)).text
    assert await audit_actions(web, object_type="member") == []

    web.http.cookies.set("bg_lang", "en")
    english = await web.submit(path, f"{path}/block", {"reason": "misuse of the card"})
    meaning = english.text.split('id="confirm-meaning"')[1].split("</div>")[0]
    assert "till" in meaning and "sign in to the portal" in meaning
    assert await audit_actions(web, object_type="member") == []

    blocked = await _confirm(web, english)
    assert blocked.status_code == 303 and blocked.headers["location"] == f"{path}?done=blocked"
    assert 'action="' + path + '/unblock"' in (await web.get(path)).text
    assert await audit_actions(web, object_type="member") == ["member.blocked"]
