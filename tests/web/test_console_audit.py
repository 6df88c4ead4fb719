"""The audit log as an owner reads it: actions in words (not ``pos.sale``), people and objects by name with
links (not ``staff 1``), details as labelled figures in the club's unit (not ``coupon=True``), filtered
by person, action and days (Jalali in Persian), a page at a time; and the member's tier progress in the
club's money unit, reward kinds by name."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from web_helpers import WebClient, add_staff, bronze_and_gold

from bashgah.models import AuditEntry, Staff
from bashgah.web import audit
from bashgah.web.console import club
from support import enrol, give_points, purchase


async def _staff_id(web: WebClient, username: str) -> int:
    async with web.db.transaction() as session:
        found = await session.scalar(select(Staff.id).where(Staff.username == username))
        assert found is not None
        return found


async def _sale_at_the_till(web: WebClient) -> tuple[int, int]:
    member = await enrol(web.http, web.club, "09121234567", first_name="مریم", last_name="احمدی")
    sale = (await purchase(web.http, web.club, member["id"], 3_000_000, external_id="F-77")).json()
    await add_staff(web.db, web.club, "kasra", "cashier")
    kasra = await _staff_id(web, "kasra")
    async with web.db.transaction() as session:
        await audit.record(
            session,
            web.club.tenant_id,
            "pos.sale",
            kasra,
            "purchase",
            sale["id"],
            total_rials=3_000_000,
            points_redeemed=0,
            points_earned=30,
            coupon=True,
            reward_rials=0,
            wallet_rials=0,
            gift_card_rials=0,
        )
        await audit.record(session, web.club.tenant_id, "staff.login", kasra, "staff", kasra)
    return member["id"], sale["id"]


async def test_a_sale_at_the_till_reads_as_words_names_and_figures_in_persian(web: WebClient) -> None:
    _, sale_id = await _sale_at_the_till(web)
    await web.sign_in_as("owner", "sara")
    page = (await web.get("/console/club/audit")).text
    assert "<td>pos.sale</td>" not in page and "coupon=True" not in page and "staff 1" not in page
    assert "<td>فروشی را در صندوق ثبت کرد</td>" in page
    assert "<td>Kasra</td>" in page  # who, by name
    # A receipt number is a code: its own digits, kept left to right.
    assert f'<a href="/console/purchases/{sale_id}">فاکتور \u2066F-77\u2069</a>' in page
    assert "جمع: <bdi>۳۰۰٬۰۰۰ تومان</bdi>" in page and "کد تخفیف به کار رفت: <bdi>بله</bdi>" in page
    assert "امتیاز کسب‌شده: <bdi>۳۰</bdi>" in page
    assert '<a href="/console/club/staff">Kasra</a>' in page  # the sign-in names the person signed in


async def test_the_same_lines_in_english(web: WebClient) -> None:
    await _sale_at_the_till(web)
    await web.sign_in_as("owner", "sara")
    web.http.cookies.set("bg_lang", "en")
    page = (await web.get("/console/club/audit")).text
    assert "<td>Recorded a sale at the till</td>" in page and "Receipt F-77" in page
    assert "Total: <bdi>300,000 toman</bdi>" in page and "Coupon used: <bdi>yes</bdi>" in page


async def test_a_members_change_names_the_member_with_a_link(web: WebClient) -> None:
    member = await enrol(web.http, web.club, "09121234567", first_name="مریم", last_name="احمدی")
    await web.sign_in_as("manager", "mina")
    await web.submit(
        f"/console/members/{member['id']}",
        f"/console/members/{member['id']}/adjust",
        {"points": "50", "reason": "هدیه", "step": "confirm"},
    )
    page = (await web.get("/console/club/audit")).text
    assert f'<a href="/console/members/{member["id"]}">مریم احمدی</a>' in page
    assert "<td>امتیاز عضو را تغییر داد</td>" in page
    assert "transfer_id" not in page


async def test_the_log_is_filtered_by_person_action_and_jalali_days(web: WebClient) -> None:
    await _sale_at_the_till(web)
    await web.sign_in_as("owner", "sara")
    kasra = await _staff_id(web, "kasra")
    # Date the till's lines in autumn 1404 (Jalali): 1404/08/15 is 2025-11-06.
    async with web.db.transaction() as session:
        await session.execute(
            update(AuditEntry)
            .where(AuditEntry.actor_staff_id == kasra)
            .values(at=datetime(2025, 11, 6, 9, 0, tzinfo=UTC))
        )
    by_person = (await web.get("/console/club/audit", params={"who": str(kasra)})).text
    assert "<td>فروشی را در صندوق ثبت کرد</td>" in by_person and "<td>Sara</td>" not in by_person
    by_action = (await web.get("/console/club/audit", params={"what": "staff.login"})).text
    assert "<td>فروشی را در صندوق ثبت کرد</td>" not in by_action and "<td>Sara</td>" in by_action
    in_days = (
        await web.get("/console/club/audit", params={"since": "۱۴۰۴/۰۸/۱۵", "until": "1404/08/15"})
    ).text
    assert "<td>فروشی را در صندوق ثبت کرد</td>" in in_days and "<td>Sara</td>" not in in_days
    before = (await web.get("/console/club/audit", params={"until": "1404/08/14"})).text
    assert "سطری با این شرایط نیست." in before
    web.http.cookies.set("bg_lang", "en")
    wrong = await web.get("/console/club/audit", params={"since": "yesterday"})
    assert wrong.status_code == 200 and "From must look like 1405/09/03" in wrong.text
    english = (
        await web.get("/console/club/audit", params={"since": "2025-11-06", "until": "2025-11-06"})
    ).text
    assert "<td>Recorded a sale at the till</td>" in english


async def test_the_log_pages_back_keeping_the_filter(web: WebClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(club.audit, "AUDIT_PAGE", 2)
    await web.sign_in_as("owner", "sara")
    sara = await _staff_id(web, "sara")
    async with web.db.transaction() as session:
        for _ in range(3):
            await audit.record(session, web.club.tenant_id, "staff.login", sara, "staff", sara)
    first = (await web.get("/console/club/audit", params={"what": "staff.login"})).text
    assert first.count("<td>Sara</td>") == 2
    older = first.split('<a href="')[-1] if 'id="older"' in first else ""
    link = first.split('id="older"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert older and "what=staff.login" in link and "before=" in link
    second = (await web.get(link)).text
    assert second.count("<td>Sara</td>") == 2  # four sign-ins in all: this one's and the three above


async def test_tier_progress_is_in_the_clubs_money_unit(web: WebClient) -> None:
    await bronze_and_gold(web)
    member = await enrol(web.http, web.club, "09121234567")
    await purchase(web.http, web.club, member["id"], 4_000_000)
    await web.sign_in_as("owner", "sara")
    page = (await web.get(f"/console/members/{member['id']}")).text
    assert '<dd id="tier">برنزی' in page and '<dd id="tier-to-next">۶۰۰٬۰۰۰ تومان</dd>' in page
    web.http.cookies.set("bg_lang", "en")
    page = (await web.get(f"/console/members/{member['id']}")).text
    assert '<dd id="tier-to-next">600,000 toman</dd>' in page and "To Gold" in page


async def test_a_wallet_credit_reward_shows_its_kind_by_name(web: WebClient) -> None:
    made = await web.http.post(
        "/api/v1/rewards",
        json={
            "name_fa": "شارژ",
            "name_en": "Top-up",
            "kind": "wallet_credit",
            "cost_points": 100,
            "credit_rials": 100_000,
        },
        headers=web.club.headers(),
    )
    assert made.status_code == 201, made.text
    await web.sign_in_as("owner", "sara")
    page = (await web.get("/console/club/rewards")).text
    assert "اعتبار کیف پول" in page and "<td>wallet_credit</td>" not in page


async def test_a_redeemed_rewards_statement_line_is_in_the_page_language_only(web: WebClient) -> None:
    member = await enrol(web.http, web.club, "09121234567")
    await give_points(web.http, web.club, member["id"], 500)
    made = await web.http.post(
        "/api/v1/rewards",
        json={
            "name_fa": "قهوهٔ رایگان",
            "name_en": "A free coffee",
            "kind": "free_product",
            "sku": "COF",
            "cost_points": 100,
        },
        headers=web.club.headers(),
    )
    redeemed = await web.http.post(
        f"/api/v1/members/{member['id']}/rewards",
        json={"reward_id": made.json()["id"]},
        headers=web.club.headers(**{"Idempotency-Key": "coffee-1"}),
    )
    assert redeemed.status_code == 201, redeemed.text
    await web.sign_in_as("owner", "sara")
    page = (await web.get(f"/console/members/{member['id']}")).text
    assert "<bdi>قهوهٔ رایگان</bdi>" in page and "A free coffee" not in page and "Reward:" not in page
    web.http.cookies.set("bg_lang", "en")
    page = (await web.get(f"/console/members/{member['id']}")).text
    assert "<bdi>A free coffee</bdi>" in page and "قهوهٔ رایگان" not in page


async def test_a_change_of_the_programme_settings_reads_as_labelled_words(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    sara = await _staff_id(web, "sara")
    async with web.db.transaction() as session:
        await audit.record(
            session,
            web.club.tenant_id,
            "programme.settings_changed",
            sara,
            "programme",
            web.club.tenant_id,
            rounding="floor",
            expiry_mode="months",
            refund_policy="within_balance",
        )
        await audit.record(
            session, web.club.tenant_id, "reports.exported", sara, "report", "health", rows=3, format="csv"
        )
    page = (await web.get("/console/club/audit")).text
    assert "floor" not in page and "within_balance" not in page and "expiry_mode" not in page
    assert "<bdi>رو به پایین</bdi>" in page
    assert "report health" not in page and "گزارش: سلامت برنامه" in page
    web.http.cookies.set("bg_lang", "en")
    page = (await web.get("/console/club/audit")).text
    assert "Rounding: <bdi>Down</bdi>" in page and "Points expire: <bdi>After some months</bdi>" in page
    assert "On a return: <bdi>Take back only the points the member still has</bdi>" in page
    assert "Report: Programme health" in page and "report health" not in page


async def test_a_receipt_number_keeps_its_own_digits_on_the_members_purchases_and_its_page(
    web: WebClient,
) -> None:
    member = await enrol(web.http, web.club, "09121234567")
    sale = (await purchase(web.http, web.club, member["id"], 3_000_000, external_id="VNK-005957")).json()
    await web.sign_in_as("owner", "sara")
    for lang in ("fa", "en"):
        web.http.cookies.set("bg_lang", lang)
        listed = (await web.get(f"/console/members/{member['id']}/purchases")).text
        shown = (await web.get(f"/console/purchases/{sale['id']}")).text
        assert "VNK-005957" in listed and "VNK-005957" in shown, lang
        assert "۰۰۵۹۵۷" not in listed + shown, lang


async def test_the_card_number_reads_in_groups_of_four_in_the_member_list_and_profile(web: WebClient) -> None:
    member = await enrol(web.http, web.club, "09121234567")
    card = member["card_number"]
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    await web.sign_in_as("owner", "sara")
    for lang in ("fa", "en"):
        web.http.cookies.set("bg_lang", lang)
        listed = (await web.get("/console/members")).text
        profile = (await web.get(f"/console/members/{member['id']}")).text
        assert grouped in listed and grouped in profile, lang
        assert card not in listed + profile, lang
