"""The member portal (/m): a member signs in with a code sent by SMS and sees only their own club life —
points, history, rewards, coupons, profile."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from portal_helpers import (
    LADDER,
    Portal,
    add_reward,
    ask_code,
    enter_code,
    in_english,
    last_code,
    portal_app,
    sign_in_member,
)
from sqlalchemy import select, update
from web_helpers import WebClient, csrf_of

from bashgah.api.app import create_app
from bashgah.core.config import Settings
from bashgah.core.db import Database
from bashgah.core.normalize import to_persian_digits
from bashgah.members.service import qr_payload
from bashgah.models import Member, MemberOtp, PointLot, Transfer, utcnow
from bashgah.portal import otp
from bashgah.portal.errors import BadCodeShape
from bashgah.web.qr import qr_svg
from bashgah.web.render import LANG_COOKIE
from support import Club, bought, enrol, execute, give_points, ledger_problems

SARA, SARA_E164 = "۰۹۱۲ ۱۱۱ ۲۲۳۳", "+989121112233"
REZA, REZA_E164 = "09122223344", "+989122223344"


@pytest.fixture
async def portal(db: Database, club: Club, tmp_path: Path) -> AsyncIterator[Portal]:
    async with portal_app(db, club, tmp_path) as found:
        yield found


@pytest.fixture
async def sara(portal: Portal) -> AsyncIterator[WebClient]:
    """Sara, a member with 120 points from a purchase, signed in to the portal in her own browser."""
    async with portal.browser() as web:
        member = await enrol(web.http, portal.club, SARA, first_name="سارا")
        await bought(web.http, portal.club, member["id"], 1_200_000)
        await sign_in_member(web, portal.outbox, SARA, SARA_E164)
        yield web


async def age_codes(db: Database, by: timedelta) -> None:
    """Move every sign-in code back in time, as if ``by`` had passed."""
    async with db.transaction() as session:
        for row in (await session.scalars(select(MemberOtp))).all():
            row.created_at -= by
            row.expires_at -= by


async def member_id(db: Database, e164: str) -> int:
    async with db.transaction() as session:
        found = await session.scalar(select(Member.id).where(Member.mobile == e164))
    assert found is not None
    return found


# --------------------------------------------------------------------------------------------- sign in


async def test_a_member_signs_in_with_the_sms_code_typed_in_persian_digits(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        asked = await ask_code(web, SARA)
        assert asked.status_code == 200
        assert "۰۹۱۲۱۱۱۲۲۳۳" in asked.text  # the number as typed, shown back in Persian digits
        code = last_code(portal.outbox, SARA_E164)
        persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        done = await enter_code(web, SARA_E164, f" {persian[:3]} {persian[3:]} ")
        assert done.status_code == 303 and done.headers["location"] == "/m"
        home = await web.get("/m")
        assert home.status_code == 200 and 'id="balance"' in home.text
    async with portal.db.transaction() as session:
        stored = (await session.scalars(select(MemberOtp.code_hash))).all()
    assert stored and all(code not in h for h in stored)  # only a hash of the code is kept


async def test_a_number_that_is_not_a_members_gets_the_same_answer_and_no_sms(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        member = await ask_code(web, SARA)
        stranger = await ask_code(web, REZA)
    assert member.status_code == stranger.status_code == 200
    assert 'name="code"' in stranger.text
    assert portal.outbox.messages(REZA_E164) == []
    assert len(portal.outbox.messages(SARA_E164)) == 1


async def test_a_wrong_number_is_refused_in_the_members_language_and_keeps_what_was_typed(
    portal: Portal,
) -> None:
    async with portal.browser() as web:
        refused = await ask_code(web, "۰۹۱۲")
    assert refused.status_code == 422
    assert "شماره" in refused.text and 'value="۰۹۱۲"' in refused.text
    assert portal.outbox.messages() == []


async def test_one_code_a_minute_and_five_an_hour_per_number(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        assert (await ask_code(web, SARA)).status_code == 200
        again = await ask_code(web, SARA)
        assert again.status_code == 429 and "ثانیه" in again.text
        for _ in range(4):
            await age_codes(portal.db, timedelta(seconds=61))
            assert (await ask_code(web, SARA)).status_code == 200
        await age_codes(portal.db, timedelta(seconds=61))
        sixth = await ask_code(web, SARA)
        assert sixth.status_code == 429 and "یک ساعت" in sixth.text
    assert len(portal.outbox.messages(SARA_E164)) == 5


@pytest.mark.parametrize(("lang", "wait"), [("fa", "ثانیه صبر کنید"), ("en", "seconds before asking")])
async def test_asking_again_at_once_shows_the_box_for_the_code_already_sent_not_the_number_form(
    portal: Portal, lang: str, wait: str
) -> None:
    # The back button or a double tap within 15 seconds used to end on the number form with no box for the
    # code that had arrived and still worked for two minutes.
    async with portal.browser() as web:
        web.http.cookies.set(LANG_COOKIE, lang)
        await enrol(web.http, portal.club, SARA)
        await ask_code(web, SARA)
        again = await ask_code(web, SARA)
        assert again.status_code == 429 and wait in again.text
        assert 'name="code"' in again.text and f'name="mobile" value="{SARA_E164}"' in again.text
        stranger = await ask_code(web, REZA)
        stranger_again = await ask_code(web, REZA)
        # Not a member: the very same page, so the answer never tells who is one.
        assert stranger_again.status_code == again.status_code and 'name="code"' in stranger_again.text
        assert stranger.status_code == 200 and wait in stranger_again.text
        await ask_code(web, SARA)  # the page shown last is Sara's code box again
        done = await enter_code(web, SARA_E164, last_code(portal.outbox, SARA_E164))
        assert done.status_code == 303
    assert len(portal.outbox.messages(SARA_E164)) == 1 and portal.outbox.messages(REZA_E164) == []


async def test_five_wrong_codes_lock_the_number_even_for_the_right_code(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        await ask_code(web, SARA)
        code = last_code(portal.outbox, SARA_E164)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for left in (4, 3, 2, 1):
            answer = await enter_code(web, SARA_E164, wrong)
            assert answer.status_code == 401 and f"{left}" in answer.text.translate(
                str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
            )
        fifth = await enter_code(web, SARA_E164, wrong)
        assert fifth.status_code == 429 and "دقیقه" in fifth.text
        right = await enter_code(web, SARA_E164, code)
        assert right.status_code == 429
        assert "bg_session" not in web.http.cookies
        assert (await ask_code(web, SARA)).status_code == 429  # no new code while locked


async def test_an_expired_code_or_a_used_one_does_not_sign_in(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        await ask_code(web, SARA)
        code = last_code(portal.outbox, SARA_E164)
        await age_codes(portal.db, timedelta(minutes=2, seconds=1))
        assert (await enter_code(web, SARA_E164, code)).status_code == 401
        await ask_code(web, SARA)
        fresh = last_code(portal.outbox, SARA_E164)
        assert (await enter_code(web, SARA_E164, fresh)).status_code == 303
    async with portal.browser() as thief:
        await thief.get("/m/login")
        thief.last_html = thief.last_html
        assert (await enter_code(thief, SARA_E164, fresh)).status_code == 401


async def test_a_code_form_without_its_security_token_does_nothing(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        refused = await web.http.post("/m/login", data={"club": portal.club.slug, "mobile": SARA})
    assert refused.status_code == 403
    assert portal.outbox.messages() == []


async def test_the_receipt_link_names_the_club_and_an_unknown_club_is_said_plainly(portal: Portal) -> None:
    async with portal.browser() as web:
        page = await web.get(f"/m/{portal.club.slug}/login")
        assert page.status_code == 200 and f'name="club" value="{portal.club.slug}"' in page.text
        unknown = await web.get("/m/nope/login")
        assert unknown.status_code == 404 and "باشگاه پیدا نشد" in unknown.text


async def test_signing_out_ends_the_members_session(sara: WebClient) -> None:
    await sara.get("/m")
    out = await sara.http.post("/m/logout", data={"csrf": csrf_of(sara.last_html)})
    assert out.status_code == 303 and out.headers["location"].endswith("/login")
    again = await sara.get("/m")
    assert again.status_code == 303 and again.headers["location"].startswith("/m/login")


# ------------------------------------------------------------------------------------------ the pages


async def test_the_home_page_shows_points_their_worth_expiry_level_and_history_in_persian(
    portal: Portal, sara: WebClient
) -> None:
    async with portal.browser() as owner:
        response = await owner.http.put("/api/v1/tiers", json=LADDER, headers=portal.club.headers())
        assert response.status_code == 200, response.text
    home = await sara.get("/m")
    assert home.status_code == 200
    text = home.text
    assert 'lang="fa" dir="rtl"' in text
    assert "سلام سارا" in text
    assert '<p class="big" id="balance">۱۲۰</p>' in text
    assert "۱۲٬۰۰۰ تومان" in text  # 120 points × 1,000 rials, shown in toman
    assert "۱۲۰ امتیاز در" in text  # the expiry date of those points
    assert "نقره‌ای" in text and "طلایی" in text  # level and the next one
    assert "امتیاز خرید" in text  # the statement's description in Persian
    assert "۱۴۰" in text  # a Jalali year


async def test_the_pages_are_in_english_with_gregorian_dates_when_the_member_chooses_it(
    sara: WebClient,
) -> None:
    await in_english(sara, "/m/history")
    page = await sara.get("/m/history")
    assert 'lang="en" dir="ltr"' in page.text
    assert "Points earned on a purchase" in page.text and "+120" in page.text
    assert str(utcnow().year) in page.text


async def test_a_member_redeems_a_reward_and_sees_its_code_and_the_new_balance(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    reward_id = await add_reward(sara.http, portal.club)
    catalogue = await sara.get("/m/rewards")
    assert "قهوهٔ رایگان" in catalogue.text
    asked = await sara.get(f"/m/rewards/{reward_id}")
    got = await sara.http.post(
        f"/m/rewards/{reward_id}/redeem", data={"csrf": csrf_of(asked.text), "step": "confirm"}
    )
    assert got.status_code == 303
    shown = await sara.get(got.headers["location"])
    code = got.headers["location"].split("/")[-1].split("?")[0]
    assert f'id="reward-code" dir="ltr" lang="en" aria-label="کد جایزه">{code}</p>' in shown.text
    assert '<strong id="new-balance">۲۰</strong>' in shown.text
    mine = await sara.get("/m/my-rewards")
    assert "آمادهٔ استفاده" in mine.text and code in mine.text
    async with db.transaction() as session:
        actors = set((await session.scalars(select(Transfer.actor).where(Transfer.code == "redeem"))).all())
    assert actors == {f"member:{await member_id(db, SARA_E164)}"}
    assert await ledger_problems(db) == []


async def test_a_reward_beyond_the_members_points_is_refused_and_nothing_is_spent(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    gift = {"name_fa": "هدیه", "name_en": "Gift", "kind": "physical_gift", "sku": None, "stock": 3}
    reward_id = await add_reward(sara.http, portal.club, cost=500, **gift)
    page = await sara.get("/m/rewards")
    assert f'action="/m/rewards/{reward_id}"' not in page.text  # not offered: out of reach
    for refused in (
        await sara.get(f"/m/rewards/{reward_id}"),
        await sara.http.post(
            f"/m/rewards/{reward_id}/redeem", data={"csrf": csrf_of(page.text), "step": "confirm"}
        ),
    ):
        assert refused.status_code == 409
        assert 'role="alert"' in refused.text
        assert "<p>شما ۱۲۰ امتیاز دارید.</p>" in refused.text
    after = await sara.http.get(f"/api/v1/rewards/{reward_id}", headers=portal.club.headers())
    assert after.json()["stock"] == 3
    assert await ledger_problems(db) == []


async def test_the_coupons_page_lists_the_coupons_the_member_used(portal: Portal, sara: WebClient) -> None:
    batch = await sara.http.post(
        "/api/v1/coupons/batches",
        json={"name": "یلدا", "discount_type": "fixed", "discount_value": 100_000, "code": "YALDA"},
        headers=portal.club.headers(),
    )
    assert batch.status_code == 201, batch.text
    await bought(sara.http, portal.club, await member_id(portal.db, SARA_E164), 1_000_000, coupon="yalda")
    page = await sara.get("/m/coupons")
    assert "یلدا" in page.text and "YALDA" in page.text and "۱۰٬۰۰۰ تومان" in page.text


async def test_the_profile_saves_name_jalali_birth_date_email_and_consent_with_its_time(
    sara: WebClient, db: Database
) -> None:
    page = await sara.get("/m/profile")
    saved = await sara.http.post(
        "/m/profile",
        data={
            "csrf": csrf_of(page.text),
            "first_name": "سارا",
            "last_name": "رضایی",
            "birth_date": "۱۳۷۰/۰۵/۱۲",
            "email": "Sara@Example.com",
            "sms_consent": "1",
        },
    )
    assert saved.status_code == 303
    again = await sara.get("/m/profile")
    assert 'value="۱۳۷۰/۰۵/۱۲"' in again.text and "آخرین تغییر" in again.text
    sara_id = await member_id(db, SARA_E164)
    async with db.transaction() as session:
        member = await session.get(Member, sara_id)
    assert member is not None
    assert (member.last_name, member.email, str(member.birth_date)) == (
        "رضایی",
        "sara@example.com",
        "1991-08-03",
    )
    assert member.sms_consent and member.sms_consent_source == "portal" and member.sms_consent_at is not None
    assert not member.email_consent


async def test_a_bad_email_changes_nothing_and_says_why(sara: WebClient, db: Database) -> None:
    page = await sara.get("/m/profile")
    refused = await sara.http.post(
        "/m/profile",
        data={"csrf": csrf_of(page.text), "first_name": "تغییر", "email": "not-an-email", "sms_consent": "1"},
    )
    assert refused.status_code == 422 and "ایمیل معتبر نیست" in refused.text
    assert 'value="تغییر"' in refused.text  # what was typed stays on the form
    sara_id = await member_id(db, SARA_E164)
    async with db.transaction() as session:
        member = await session.get(Member, sara_id)
    assert member is not None and member.first_name == "سارا" and not member.sms_consent


async def test_the_profile_form_cannot_change_the_mobile(sara: WebClient, db: Database) -> None:
    page = await sara.get("/m/profile")
    assert 'name="mobile"' not in page.text
    saved = await sara.http.post(
        "/m/profile", data={"csrf": csrf_of(page.text), "first_name": "سارینا", "mobile": REZA}
    )
    # The name she typed is saved; the mobile sent beside it is ignored, not refused.
    assert saved.status_code == 303 and saved.headers["location"] == "/m/profile?saved=1"
    again = await sara.get("/m/profile")
    assert 'value="سارینا"' in again.text
    assert (
        to_persian_digits("09121112233") in again.text and to_persian_digits("09122223344") not in again.text
    )
    async with db.transaction() as session:
        assert await session.scalar(select(Member.mobile).where(Member.first_name == "سارینا")) == SARA_E164


# ---------------------------------------------------------------------------------------------- privacy


async def test_a_member_cannot_see_another_members_rewards_or_statement(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    async with portal.browser() as other:
        reza = await enrol(other.http, portal.club, REZA, first_name="رضا")
        await give_points(other.http, portal.club, reza["id"], 300)
        cake = await add_reward(other.http, portal.club, cost=200, name_fa="کیک", name_en="Cake", sku="CAKE")
        got = await other.http.post(
            f"/api/v1/members/{reza['id']}/rewards",
            json={"reward_id": cake},
            headers=portal.club.headers(**{"Idempotency-Key": "reza-cake"}),
        )
        assert got.status_code == 201, got.text
        rezas_code, rezas_instance = got.json()["code"], got.json()["id"]
    stolen = await sara.get(f"/m/my-rewards/{rezas_code}")
    assert stolen.status_code == 404 and "کیک" not in stolen.text
    assert (await sara.get(f"/m/my-rewards/{rezas_instance}")).status_code == 404
    assert (await sara.get(f"/m/my-rewards/{rezas_code.lower()}")).status_code == 404
    assert rezas_code not in (await sara.get("/m/my-rewards")).text
    # The member is never taken from the address: extra parameters change nothing.
    statement = await sara.get(f"/m/history?member_id={reza['id']}")
    assert (
        "+120" in statement.text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
        or "۱۲۰" in statement.text
    )
    assert "۳۰۰" not in statement.text and "اصلاح دستی" not in statement.text
    home = await sara.get(f"/m?member_id={reza['id']}")
    assert "رضا" not in home.text and "سارا" in home.text


async def test_member_and_staff_sessions_open_only_their_own_pages(portal: Portal, sara: WebClient) -> None:
    till = await sara.get("/pos")
    assert till.status_code == 303 and till.headers["location"].startswith("/login")
    console = await sara.get("/console")
    assert console.status_code == 303 and console.headers["location"].startswith("/login")
    async with portal.browser() as cashier:
        await cashier.sign_in_as("cashier", "kasra")
        portal_page = await cashier.get("/m")
        assert portal_page.status_code == 303 and portal_page.headers["location"].startswith("/m/login")


async def test_a_page_asks_for_sign_in_and_comes_back_after_it(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        first = await web.get("/m/rewards")
        assert first.status_code == 303 and first.headers["location"] == "/m/login?next=%2Fm%2Frewards"
        await web.get(first.headers["location"])
        asked = await web.http.post(
            "/m/login",
            data={
                "csrf": csrf_of(web.last_html),
                "club": portal.club.slug,
                "mobile": SARA,
                "next": "/m/rewards",
            },
        )
        web.last_html = asked.text
        done = await enter_code(web, SARA_E164, last_code(portal.outbox, SARA_E164))
        assert done.headers["location"] == "/m/rewards"


async def test_one_address_asking_codes_for_many_numbers_is_stopped(portal: Portal) -> None:
    async with portal.browser() as web:
        portal.app.state.portal_addresses = otp.AddressWindow(limit=3)
        for n in range(3):
            assert (await ask_code(web, f"0912555000{n}")).status_code == 200
        stopped = await ask_code(web, "09125550009")
    assert stopped.status_code == 429 and "یک ساعت" in stopped.text


def test_the_address_window_forgets_requests_older_than_an_hour() -> None:
    window = otp.AddressWindow(limit=2, seconds=3600)
    assert window.hit("10.0.0.1", now=0) and window.hit("10.0.0.1", now=10)
    assert not window.hit("10.0.0.1", now=20)
    assert window.hit("10.0.0.2", now=20)  # another address has its own count
    assert window.hit("10.0.0.1", now=3601)


def test_a_code_may_be_typed_in_any_digits_with_spaces_but_must_have_six() -> None:
    assert otp.clean_code(" ۱۲۳ ۴۵۶ ") == "123456"
    assert otp.clean_code("١٢٣-٤٥٦") == "123456"
    with pytest.raises(BadCodeShape):
        otp.clean_code("12345")
    with pytest.raises(BadCodeShape):
        otp.clean_code("12a456")
    stored = otp.hash_code("123456")
    assert otp.code_matches("123456", stored) and not otp.code_matches("123457", stored)
    assert "123456" not in stored


async def test_ten_guesses_sent_at_the_same_instant_use_exactly_the_five_tries(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        await ask_code(web, SARA)
        code = last_code(portal.outbox, SARA_E164)
        token = csrf_of(web.last_html)
        guesses = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 11)]
        answers = await asyncio.gather(
            *(
                web.http.post(
                    "/m/login/code",
                    data={"csrf": token, "club": portal.club.slug, "mobile": SARA_E164, "code": guess},
                )
                for guess in guesses
            )
        )
        assert sorted(a.status_code for a in answers) == [401] * 4 + [429] * 6
        async with portal.db.transaction() as session:
            assert await session.scalar(select(MemberOtp.attempts)) == 5
        assert (await enter_code(web, SARA_E164, code)).status_code == 429


async def test_a_member_blocked_after_asking_cannot_sign_in_with_the_code(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        await ask_code(web, SARA)
        await execute(portal.db, update(Member).values(status="blocked", blocked_reason="fraud"))
        refused = await enter_code(web, SARA_E164, last_code(portal.outbox, SARA_E164))
    assert refused.status_code == 401 and "bg_session" not in web.http.cookies


async def test_five_requests_for_one_number_at_the_same_instant_send_one_sms(portal: Portal) -> None:
    async with portal.browser() as web:
        await enrol(web.http, portal.club, SARA)
        await web.get(f"/m/{portal.club.slug}/login")
        token = csrf_of(web.last_html)
        answers = await asyncio.gather(
            *(
                web.http.post("/m/login", data={"csrf": token, "club": portal.club.slug, "mobile": SARA})
                for _ in range(5)
            )
        )
    assert sorted(a.status_code for a in answers) == [200] + [429] * 4
    assert len(portal.outbox.messages(SARA_E164)) == 1


# ------------------------------------------------------------------ wallet, stamp cards, own coupons


async def _made(web: WebClient, club: Club, path: str, body: dict[str, object], **headers: str) -> Any:
    response = await web.http.post(path, json=body, headers=club.headers("manager", **headers))
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_wallet_page_shows_the_balance_the_cashback_on_its_way_and_the_statement(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    sara_id = await member_id(db, SARA_E164)
    await _made(sara, portal.club, f"/api/v1/members/{sara_id}/wallet/top-ups", {"amount_rials": 750_000},
                **{"Idempotency-Key": "top-1"})  # fmt: skip
    await _made(sara, portal.club, "/api/v1/campaigns", {
        "name_fa": "کش‌بک", "rules": [{"key": "cb", "effects": [{"type": "wallet_cashback", "percent": "10"}]}],
    })  # fmt: skip
    await bought(sara.http, portal.club, sara_id, 1_000_000, wallet_rials=250_000)
    page = await sara.get("/m/wallet")
    assert page.status_code == 200
    # 75,000 toman topped up, 25,000 paid from it, 10 % cashback on the 75,000 paid otherwise.
    assert 'id="wallet-available">۵۷٬۵۰۰ تومان' in page.text
    statement = page.text.partition('id="statement"')[2]
    assert statement.count("<li>") == 3 and "−۲۵٬۰۰۰ تومان" in statement and "+۷٬۵۰۰ تومان" in statement
    await in_english(sara, "/m/wallet")
    english = await sara.get("/m/wallet")
    assert "57,500 toman" in english.text and 'href="/m/stamps"' in english.text


async def test_the_wallet_page_needs_a_signed_in_member_and_shows_only_their_own_wallet(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    reza = await enrol(sara.http, portal.club, REZA)
    await _made(sara, portal.club, f"/api/v1/members/{reza['id']}/wallet/top-ups", {"amount_rials": 990_000},
                **{"Idempotency-Key": "top-reza"})  # fmt: skip
    page = await sara.get("/m/wallet")
    assert "۹۹٬۰۰۰" not in page.text and 'id="wallet-available">۰ تومان' in page.text
    async with portal.browser() as stranger:
        response = await stranger.get("/m/wallet")
    assert response.status_code == 303 and response.headers["location"].startswith("/m/login")


async def test_the_stamp_cards_page_shows_progress_and_the_reward_code_of_a_full_card(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    sara_id = await member_id(db, SARA_E164)
    await _made(sara, portal.club, "/api/v1/stamp-cards", {
        "name_fa": "کارت قهوه", "name_en": "Coffee card", "stamps_needed": 4,
        "earn": {"per": "unit", "items": {"skus": ["CF-1"]}}, "reward": {"kind": "free_product", "sku": "CF-1"},
    })  # fmt: skip
    coffees = [{"sku": "CF-1", "quantity": 5, "unit_price_rials": 100_000}]
    sold = await bought(sara.http, portal.club, sara_id, 500_000, items=coffees)
    code = sold["stamps"][0]["completed"][0]["reward_code"]
    page = await sara.get("/m/stamps")
    assert "کارت قهوه" in page.text and "۱ از ۴" in page.text
    assert code in page.text and "این کد را هنگام پرداخت نشان دهید" in page.text
    await in_english(sara, "/m/stamps")
    english = await sara.get("/m/stamps")
    assert (
        "Coffee card" in english.text and "1 of 4" in english.text and 'aria-current="page"' in english.text
    )


async def test_the_stamp_cards_page_says_so_when_the_club_has_none(sara: WebClient) -> None:
    page = await sara.get("/m/stamps")
    assert page.status_code == 200 and "باشگاه اکنون کارت مهری ندارد" in page.text


async def test_the_coupons_page_lists_the_members_own_codes_usable_first_then_used(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    sara_id = await member_id(db, SARA_E164)
    batch = await _made(sara, portal.club, "/api/v1/coupons/batches",
                        {"name": "هدیهٔ خرید", "discount_type": "fixed", "discount_value": 50_000, "count": 0})  # fmt: skip
    await _made(sara, portal.club, "/api/v1/campaigns", {
        "name_fa": "کد هدیه", "rules": [{"key": "g", "effects": [{"type": "issue_coupon", "batch_id": batch["id"]}]}],
    })  # fmt: skip
    older = (await bought(sara.http, portal.club, sara_id, 400_000))["gifts"][0]["code"]
    newer = (await bought(sara.http, portal.club, sara_id, 400_000))["gifts"][0]["code"]
    newest = (await bought(sara.http, portal.club, sara_id, 400_000, coupon=newer))["gifts"][0]["code"]
    page = await sara.get("/m/coupons")
    mine = page.text.partition('id="my-coupons"')[2].partition("</ul>")[0]
    assert mine.index(newest) < mine.index(older) < mine.index(newer)  # usable first, the used one last
    assert "استفاده‌شده یا منقضی" in mine and "۵٬۰۰۰ تومان تخفیف" in mine
    async with portal.browser() as reza_browser:
        await enrol(reza_browser.http, portal.club, REZA)
        await sign_in_member(reza_browser, portal.outbox, REZA, REZA_E164)
        theirs = await reza_browser.get("/m/coupons")
    assert older not in theirs.text and "باشگاه هنوز کوپن شخصی به شما نداده است" in theirs.text


# ------------------------------------------------------------- the confirm step, the card, the tab bar


async def _spent(db: Database) -> int:
    async with db.transaction() as session:
        found = await session.scalars(select(Transfer.amount).where(Transfer.code == "redeem"))
        return sum(found.all())


async def test_get_it_asks_first_with_the_cost_and_the_points_after_and_spends_nothing_yet(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    reward_id = await add_reward(sara.http, portal.club)
    catalogue = await sara.get("/m/rewards")
    # The list's «دریافت» only opens the confirm step; no form on it spends points.
    assert f'<form method="get" action="/m/rewards/{reward_id}">' in catalogue.text
    assert "/redeem" not in catalogue.text
    asked = await sara.get(f"/m/rewards/{reward_id}")
    assert asked.status_code == 200
    text = asked.text
    assert "این جایزه را می‌گیرید؟" in text and "قهوهٔ رایگان" in text
    assert '<td class="num" id="confirm-now">۱۲۰</td>' in text
    assert '<td class="num" id="confirm-cost">− ۱۰۰</td>' in text
    assert '<td class="num" id="confirm-after">۲۰</td>' in text
    assert f'action="/m/rewards/{reward_id}/redeem"' in text and 'name="step" value="confirm"' in text
    assert '<a class="cancel" href="/m/rewards">انصراف</a>' in text
    assert await _spent(db) == 0
    done = await sara.http.post(
        f"/m/rewards/{reward_id}/redeem", data={"csrf": csrf_of(text), "step": "confirm"}
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/m/my-rewards/")
    assert await _spent(db) == 100


async def test_the_confirm_step_is_in_english_with_the_clubs_numbers(portal: Portal, sara: WebClient) -> None:
    reward_id = await add_reward(
        sara.http, portal.club, cost=100, kind="discount_amount", discount_rials=500_000, sku=None
    )
    await in_english(sara)
    asked = await sara.get(f"/m/rewards/{reward_id}")
    assert asked.status_code == 200
    assert "Get this reward?" in asked.text and "50,000 toman off your purchase" in asked.text
    assert '<td class="num" id="confirm-after">20</td>' in asked.text
    assert "Spend 100 points" in asked.text and ">Cancel</a>" in asked.text


async def test_a_redeem_post_without_the_confirm_step_spends_nothing_and_shows_the_step(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    reward_id = await add_reward(sara.http, portal.club)
    catalogue = await sara.get("/m/rewards")
    tapped = await sara.http.post(f"/m/rewards/{reward_id}/redeem", data={"csrf": csrf_of(catalogue.text)})
    assert tapped.status_code == 303 and tapped.headers["location"] == f"/m/rewards/{reward_id}"
    forged = await sara.http.post(f"/m/rewards/{reward_id}/redeem", data={"step": "confirm"})
    assert forged.status_code == 403
    assert await _spent(db) == 0
    assert await ledger_problems(db) == []


async def test_a_reward_the_member_cannot_afford_yet_shows_the_points_to_go(
    portal: Portal, sara: WebClient
) -> None:
    await add_reward(sara.http, portal.club, cost=500)
    await add_reward(sara.http, portal.club, cost=121, name_fa="چای", name_en="Tea")
    fa = await sara.get("/m/rewards")
    coming = fa.text.partition('id="coming"')[2]
    assert "قهوهٔ رایگان" in coming and "۳۸۰ امتیاز مانده" in coming
    assert "۱ امتیاز مانده" in coming
    assert coming.index("چای") < coming.index("قهوهٔ رایگان")  # the nearest first
    assert "/m/rewards/" not in coming  # nothing to get there yet
    await in_english(sara)
    en = await sara.get("/m/rewards")
    assert "380 points to go" in en.text and "1 point to go" in en.text and "Keep collecting" in en.text


async def test_the_membership_card_shows_the_qr_code_the_till_finds_the_member_by(
    portal: Portal, sara: WebClient, db: Database
) -> None:
    async with db.transaction() as session:
        member = await session.scalar(select(Member).where(Member.mobile == SARA_E164))
        assert member is not None
        card, sara_id = member.card_number, member.id
    shown = await sara.get("/m/card")
    assert shown.status_code == 200
    text = shown.text
    assert qr_svg(qr_payload(card)) in text  # drawn on the server, as inline SVG
    assert "<script" not in text.partition("<main")[2] and "https://" not in text
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert f'id="card-number" dir="ltr" aria-label="شمارهٔ کارت">\u2066{grouped}\u2069</p>' in text
    assert "سارا" in text and '<strong id="card-points">۱۲۰</strong>' in text
    async with portal.browser() as till:
        await till.sign_in_as("cashier", "kasra")
        for scanned in (qr_payload(card), to_persian_digits(grouped)):
            found = await till.get("/pos/find", params={"q": scanned})
            assert found.status_code == 303, scanned
            assert found.headers["location"] == f"/pos/members/{sara_id}"


async def test_the_phone_tab_bar_holds_the_main_places_and_more_holds_the_rest(sara: WebClient) -> None:
    home = await sara.get("/m")
    bar = home.text.partition('<nav class="tabbar"')[2].partition("</nav>")[0]
    assert [href for href in re.findall(r'href="([^"]+)"', bar)] == [
        "/m",
        "/m/card",
        "/m/rewards",
        "/m/my-rewards",
        "/m/more",
    ]
    assert 'href="/m" aria-current="page"' in bar
    more = await sara.get("/m/more")
    assert more.status_code == 200
    listed = more.text.partition('id="more"')[2].partition("</ul>")[0]
    for href in ("/m/history", "/m/wallet", "/m/coupons", "/m/stamps", "/m/profile"):
        assert f'href="{href}"' in listed
    wallet = await sara.get("/m/wallet")
    bar = wallet.text.partition('<nav class="tabbar"')[2].partition("</nav>")[0]
    assert 'href="/m/more" aria-current="page"' in bar


async def test_a_reward_that_does_not_exist_is_not_found_whatever_its_number(sara: WebClient) -> None:
    await sara.get("/m/rewards")
    token = csrf_of(sara.last_html)
    for reward_id in ("999999", "-1"):
        asked = await sara.get(f"/m/rewards/{reward_id}")
        assert asked.status_code == 404 and "جایزه پیدا نشد" in asked.text, reward_id
        sent = await sara.http.post(f"/m/rewards/{reward_id}/redeem", data={"csrf": token, "step": "confirm"})
        assert sent.status_code == 404, reward_id
    # A number no id can be (beyond 64 bits) is refused at the door as out of range: a page, never a 500.
    huge = "99999999999999999999"
    asked = await sara.get(f"/m/rewards/{huge}")
    assert asked.status_code == 422 and "<html" in asked.text
    sent = await sara.http.post(f"/m/rewards/{huge}/redeem", data={"csrf": token, "step": "confirm"})
    assert sent.status_code == 422


async def test_production_without_an_sms_gateway_says_codes_cannot_be_sent_and_sends_none(
    db: Database, club: Club, tmp_path: Path
) -> None:
    app = create_app(Settings(database_url=db.url, env="production"), db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        web = WebClient(http, db, club)
        await enrol(http, club, SARA)
        refused = await ask_code(web, SARA)
    assert refused.status_code == 503
    assert "فرستادن کد ورود اکنون ممکن نیست" in refused.text
    async with db.transaction() as session:
        assert (await session.scalars(select(MemberOtp))).all() == []


# ------------------------------------------------------------------------------------------- expiries


async def test_points_expiring_on_the_same_day_show_as_one_line_with_their_sum(
    portal: Portal, sara: WebClient
) -> None:
    mine = await member_id(portal.db, SARA_E164)
    await bought(sara.http, portal.club, mine, 800_000)  # a second lot: 120 + 80 points
    async with portal.db.transaction() as session:
        lots = (await session.scalars(select(PointLot).order_by(PointLot.id))).all()
        # Earned at different hours, they expire at different hours of 1 Esfand 1405 in Tehran.
        lots[0].expires_at = datetime(2027, 2, 20, 6, 0, tzinfo=UTC)
        lots[1].expires_at = datetime(2027, 2, 20, 17, 0, tzinfo=UTC)
    home = await sara.get("/m")
    listed = home.text.split('id="expiries"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 1
    assert "۲۰۰ امتیاز" in listed and "۱ اسفند ۱۴۰۵" in listed


async def test_a_wallet_credit_reward_says_what_it_gives_never_its_code_in_persian_and_english(
    portal: Portal, sara: WebClient
) -> None:
    top_up = {"name_fa": "شارژ کیف پول", "name_en": "Wallet top-up", "kind": "wallet_credit", "sku": None}
    await add_reward(sara.http, portal.club, credit_rials=500_000, **top_up)
    page = (await sara.get("/m/rewards")).text
    assert "wallet_credit" not in page and "۵۰٬۰۰۰ تومان در کیف پول شما" in page
    sara.http.cookies.set("bg_lang", "en")
    page = (await sara.get("/m/rewards")).text
    assert "wallet_credit" not in page and "50,000 toman in your wallet" in page


async def test_the_profile_shows_the_card_number_in_groups_of_four_as_the_card_does(
    sara: WebClient, db: Database
) -> None:
    async with db.transaction() as session:
        card = await session.scalar(select(Member.card_number).where(Member.mobile == SARA_E164))
    assert card is not None
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    for lang in ("fa", "en"):
        sara.http.cookies.set("bg_lang", lang)
        profile, shown = (await sara.get("/m/profile")).text, (await sara.get("/m/card")).text
        assert grouped in profile and grouped in shown, lang
        assert card not in profile and to_persian_digits(card[:4]) not in profile + shown, lang


async def test_the_birthday_hint_keeps_the_gregorian_example_in_order_in_persian(sara: WebClient) -> None:
    page = (await sara.get("/m/profile")).text
    assert 'میلادی مانند <bdi dir="ltr">1991-08-03</bdi>' in page
