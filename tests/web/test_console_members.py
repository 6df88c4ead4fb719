"""Members in the console: a manager finds a member however the number or name is typed, reads their
points and statement, changes points with a reason, blocks them and sets their tier — all audit-logged,
nothing half-saved on a mistake, and an analyst only reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from web_helpers import WebClient

from bashgah.models import AuditEntry
from support import balance, enrol, give_points, ledger_problems


async def _audit(web: WebClient) -> list[AuditEntry]:
    """The audit lines of changes to members (signing in has its own lines)."""
    async with web.db.transaction() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "member").order_by(AuditEntry.id)
        )
        return list(found.all())


async def _member(web: WebClient, **fields: Any) -> dict[str, Any]:
    return await enrol(web.http, web.club, "09121234567", first_name="علی", last_name="کریمی", **fields)


async def test_a_member_is_found_by_a_mobile_typed_in_persian_digits(web: WebClient) -> None:
    member = await _member(web)
    await web.sign_in_as("manager", "mina")
    found = await web.get("/console/members", params={"q": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    assert found.status_code == 200
    assert f'href="/console/members/{member["id"]}"' in found.text
    assert "۰۹۱۲۱۲۳۴۵۶۷" in found.text


async def test_a_member_is_found_by_a_name_typed_with_arabic_letters(web: WebClient) -> None:
    member = await _member(web)
    await web.sign_in_as("manager", "mina")
    # ي and ك (Arabic keyboard) find the name stored with ی and ک.
    found = await web.get("/console/members", params={"q": "علي كريمي"})
    assert f'href="/console/members/{member["id"]}"' in found.text
    nothing = await web.get("/console/members", params={"q": "Zahra"})
    assert "عضوی پیدا نشد" in nothing.text


async def test_the_profile_shows_points_statement_reasons_and_consent_in_the_page_language(
    web: WebClient,
) -> None:
    member = await _member(web, sms_consent=True)
    await give_points(web.http, web.club, member["id"], 1200)
    await web.sign_in_as("owner", "sara")
    html = (await web.get(f"/console/members/{member['id']}")).text
    assert '<dd id="available">۱٬۲۰۰</dd>' in html
    assert "اصلاح دستی" in html and "test setup" in html
    assert "موافقت کرده" in html  # text messages
    web.http.cookies.set("bg_lang", "en")
    html = (await web.get(f"/console/members/{member['id']}")).text
    assert '<dd id="available">1,200</dd>' in html
    assert "Manual adjustment" in html
    assert "Agreed" in html and "Not agreed" in html  # text messages yes, email no


async def test_a_manager_gives_points_with_a_reason_and_it_is_audit_logged(web: WebClient) -> None:
    member = await _member(web)
    await web.sign_in_as("manager", "mina")
    path = f"/console/members/{member['id']}"
    response = await web.submit(
        path, f"{path}/adjust", {"points": "۲۵۰", "reason": "جبران تأخیر ارسال", "step": "confirm"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?done=adjusted"
    page = (await web.get(response.headers["location"])).text
    assert "امتیاز تغییر کرد" in page and "جبران تأخیر ارسال" in page
    assert (await balance(web.http, web.club, member["id"]))["available"] == 250
    [entry] = await _audit(web)
    assert (entry.action, entry.object_type, entry.object_id) == (
        "member.points_adjusted",
        "member",
        str(member["id"]),
    )
    assert entry.summary["points"] == 250 and entry.actor_staff_id is not None
    assert await ledger_problems(web.db) == []


async def test_a_points_change_without_a_reason_is_refused_in_persian_and_keeps_the_figure(
    web: WebClient,
) -> None:
    member = await _member(web)
    await web.sign_in_as("manager", "mina")
    path = f"/console/members/{member['id']}"
    response = await web.submit(path, f"{path}/adjust", {"points": "75", "reason": "x"})
    assert response.status_code == 422
    assert "«دلیل» کوتاه است" in response.text
    assert 'id="adjust-points" name="points" value="75"' in response.text
    assert (await balance(web.http, web.club, member["id"]))["available"] == 0
    assert await _audit(web) == []


async def test_taking_more_points_than_the_member_has_changes_nothing(web: WebClient) -> None:
    member = await _member(web)
    await give_points(web.http, web.club, member["id"], 100)
    await web.sign_in_as("manager", "mina")
    web.http.cookies.set("bg_lang", "en")
    path = f"/console/members/{member['id']}"
    response = await web.submit(path, f"{path}/adjust", {"points": "-500", "reason": "wrong sale"})
    assert response.status_code == 422
    assert "Not enough points: 100 available, 500 requested." in response.text
    assert (await balance(web.http, web.club, member["id"]))["available"] == 100
    assert await _audit(web) == []
    assert await ledger_problems(web.db) == []


async def test_a_manager_blocks_and_unblocks_a_member(web: WebClient) -> None:
    member = await _member(web)
    await web.sign_in_as("owner", "sara")
    path = f"/console/members/{member['id']}"
    blocked = await web.submit(path, f"{path}/block", {"reason": "misuse of the card", "step": "confirm"})
    assert blocked.status_code == 303
    page = (await web.get(path)).text
    assert "misuse of the card" in page and 'action="' + path + '/unblock"' in page
    assert (await web.submit(path, f"{path}/unblock", {})).status_code == 303
    assert [e.action for e in await _audit(web)] == ["member.blocked", "member.unblocked"]
    # The reason (free text about a person) is not copied into the audit log.
    assert all("misuse" not in str(e.summary) for e in await _audit(web))


async def test_a_manager_sets_and_locks_a_members_tier(web: WebClient) -> None:
    ladder = {
        "levels": [
            {"code": "silver", "name_fa": "نقره‌ای", "name_en": "Silver", "threshold": 0},
            {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 10_000_000},
        ]
    }
    assert (await web.http.put("/api/v1/tiers", json=ladder, headers=web.club.headers())).status_code == 200
    member = await _member(web)
    await web.sign_in_as("manager", "mina")
    path = f"/console/members/{member['id']}"
    assert '<dd id="tier">نقره‌ای</dd>' in (await web.get(path)).text
    response = await web.submit(
        path, f"{path}/tier", {"level": "gold", "reason": "VIP customer", "lock": "1"}
    )
    assert response.status_code == 303
    html = (await web.get(path)).text
    assert 'id="tier">طلایی <span class="badge">قفل</span>' in html
    refused = await web.submit(path, f"{path}/tier", {"level": "platinum", "reason": "typo"})
    assert refused.status_code == 422 and "«platinum» وجود ندارد" in refused.text
    assert (await web.submit(path, f"{path}/tier/unlock", {})).status_code == 303
    assert [e.action for e in await _audit(web)] == ["member.tier_set", "member.tier_unlocked"]


async def test_an_analyst_reads_a_profile_but_cannot_change_points(web: WebClient) -> None:
    member = await _member(web)
    await web.sign_in_as("analyst", "nazanin")
    path = f"/console/members/{member['id']}"
    html = (await web.get(path)).text
    assert "/adjust" not in html and "/block" not in html
    response = await web.http.post(
        f"{path}/adjust", data={"csrf": "whatever", "points": "9", "reason": "because"}
    )
    assert response.status_code == 403
    assert (await balance(web.http, web.club, member["id"]))["available"] == 0


async def test_a_points_change_without_the_forms_token_does_nothing(web: WebClient) -> None:
    member = await _member(web)
    await web.sign_in_as("owner", "sara")
    path = f"/console/members/{member['id']}"
    response = await web.http.post(f"{path}/adjust", data={"points": "9", "reason": "because"})
    assert response.status_code == 403
    assert (await balance(web.http, web.club, member["id"]))["available"] == 0


async def test_the_refusal_to_take_points_names_the_available_figure_the_card_shows(
    web: WebClient,
) -> None:
    from bashgah.core.normalize import to_latin_digits
    from support import bought, set_program

    await set_program(web.http, web.club, pending_days=14)
    member = await _member(web)
    await give_points(web.http, web.club, member["id"], 552)
    await bought(web.http, web.club, member["id"], 6_690_000)  # 669 points pending
    await web.sign_in_as("manager", "mina")
    path = f"/console/members/{member['id']}"
    for lang, words in (("fa", "امتیاز کافی نیست"), ("en", "Not enough points")):
        web.http.cookies.set("bg_lang", lang)
        card = to_latin_digits((await web.get(path)).text)
        assert 'id="available">552<' in card

        response = await web.submit(path, f"{path}/adjust", {"points": "-1000", "reason": "wrong sale"})

        assert response.status_code == 422
        shown = to_latin_digits(response.text)
        assert words in shown and "552" in shown and "1221" not in shown and "1,221" not in shown
    assert (await balance(web.http, web.club, member["id"]))["available"] == 552
    assert await _audit(web) == []
