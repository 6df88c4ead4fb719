"""A manager corrects a member's profile in the console (name, birthday typed Jalali or Gregorian, email,
national code, tags, mobile — a mobile another member has is refused with a link to them), through the
same service as the API and audit-logged without personal data; and follows a statement line to the
purchase behind it: its items, the points it earned and spent, and its returns."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from web_helpers import WebClient

from bashgah.models import AuditEntry, Member
from support import enrol, purchase, refund

EDIT = {
    "first_name": "علی",
    "last_name": "کریمی",
    "mobile": "۰۹۱۲۱۲۳۴۵۶۷",
    "birth_date": "۱۳۷۰/۰۵/۱۲",
    "email": "ali@example.com",
    "national_code": "",
    "tags": "وی‌آی‌پی، همکار",
}


async def _member(web: WebClient, mobile: str = "09121234567", **fields: Any) -> dict[str, Any]:
    return await enrol(web.http, web.club, mobile, first_name="علی", last_name="کریمی", **fields)


async def _stored(web: WebClient, member_id: int) -> Member:
    async with web.db.transaction() as session:
        found = await session.get(Member, member_id)
        assert found is not None
        return found


async def test_a_manager_edits_a_members_profile_in_persian_and_it_is_audit_logged(web: WebClient) -> None:
    member = await _member(web)
    await web.sign_in_as("manager", "mina")
    profile = (await web.get(f"/console/members/{member['id']}")).text
    assert f'href="/console/members/{member["id"]}/edit"' in profile
    path = f"/console/members/{member['id']}/edit"
    saved = await web.submit(path, path, {**EDIT, "first_name": "علي", "mobile": "۰۹۱۲ ۷۶۵ ۴۳۲۱"})
    assert saved.status_code == 303, saved.text
    shown = (await web.get(saved.headers["location"])).text
    assert "مشخصات ذخیره شد." in shown and "وی‌آی‌پی" in shown and "۰۹۱۲۷۶۵۴۳۲۱" in shown
    stored = await _stored(web, member["id"])
    assert stored.first_name == "علی"  # the Arabic ي is stored as ی, as the API does it
    assert stored.mobile == "+989127654321" and stored.birth_date == date(1991, 8, 3)
    assert stored.email == "ali@example.com" and stored.tags == ["وی‌آی‌پی", "همکار"]
    async with web.db.transaction() as session:
        line = await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.profile_changed"))
    assert line is not None
    # Which fields changed (علي typed with the Arabic ي is the same name), never what they hold.
    assert line.summary == {"fields": ["mobile", "birth_date", "email", "tags"]}
    form = (await web.get(path)).text
    assert 'name="birth_date" value="1370/05/12"' in form


async def test_the_edit_form_shows_the_birthday_gregorian_in_english(web: WebClient) -> None:
    member = await _member(web, birth_date="1991-08-03")
    await web.sign_in_as("owner", "sara")
    web.http.cookies.set("bg_lang", "en")
    form = (await web.get(f"/console/members/{member['id']}/edit")).text
    assert "Edit the profile" in form and 'name="birth_date" value="1991-08-03"' in form
    assert 'name="mobile" value="09121234567"' in form


async def test_a_mobile_another_member_has_is_refused_with_a_link_to_them(web: WebClient) -> None:
    member = await _member(web)
    other = await _member(web, "09350001122")
    await web.sign_in_as("manager", "mina")
    path = f"/console/members/{member['id']}/edit"
    refused = await web.submit(path, path, {**EDIT, "mobile": "09350001122"})
    assert refused.status_code == 422
    assert "عضوی با این شماره موبایل از قبل وجود دارد." in refused.text
    assert f'href="/console/members/{other["id"]}" id="other-member"' in refused.text
    assert 'value="09350001122"' in refused.text  # what was typed comes back
    assert (await _stored(web, member["id"])).mobile == "+989121234567"
    web.http.cookies.set("bg_lang", "en")
    refused = await web.submit(path, path, {**EDIT, "birth_date": "1370/13/40"})
    assert refused.status_code == 422 and "birth" in refused.text.lower()
    async with web.db.transaction() as session:
        assert (
            await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.profile_changed"))
            is None
        )


async def test_an_analyst_cannot_open_or_send_the_edit_form(web: WebClient) -> None:
    member = await _member(web)
    await web.sign_in_as("analyst", "nazanin")
    assert (await web.get(f"/console/members/{member['id']}/edit")).status_code == 403
    refused = await web.http.post(f"/console/members/{member['id']}/edit", data={**EDIT, "csrf": "x"})
    assert refused.status_code == 403
    profile = (await web.get(f"/console/members/{member['id']}")).text
    assert "/edit" not in profile


async def test_a_statement_line_links_to_its_purchase_with_items_points_and_returns(web: WebClient) -> None:
    member = await _member(web)
    items = [{"sku": "TEA-1", "category": "tea", "quantity": 2, "unit_price_rials": 1_500_000}]
    sale = await purchase(web.http, web.club, member["id"], 3_000_000, external_id="F-1001", items=items)
    assert sale.status_code == 201, sale.text
    bought = sale.json()
    assert (await refund(web.http, web.club, bought["id"], amount_rials=1_500_000)).status_code == 201
    await web.sign_in_as("manager", "mina")
    profile = (await web.get(f"/console/members/{member['id']}")).text
    assert f'<a href="/console/purchases/{bought["id"]}">' in profile
    assert profile.count(f'href="/console/purchases/{bought["id"]}"') >= 2  # the earn and the return
    listing = (await web.get(f"/console/members/{member['id']}/purchases")).text
    assert f'href="/console/purchases/{bought["id"]}"' in listing and "F-1001" in listing
    page = (await web.get(f"/console/purchases/{bought['id']}")).text
    assert "TEA-1" in page and "۳۰۰٬۰۰۰ تومان" in page and "۱۵۰٬۰۰۰ تومان" in page
    assert (
        f'<dd id="points-earned">{bought["points_earned"]}'.translate(
            str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
        )
        in page
    )
    assert "مرجوعی‌ها" in page and "چیزی مرجوع نشده است." not in page
    web.http.cookies.set("bg_lang", "en")
    page = (await web.get(f"/console/purchases/{bought['id']}")).text
    assert "300,000 toman" in page and "Points taken back" in page and "F-1001" in page


async def test_a_purchase_of_another_club_or_none_is_a_page_not_found(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    for path in ("/console/purchases/999", "/console/members/999/purchases"):
        missing = await web.get(path)
        assert missing.status_code == 404 and "پیدا نشد" in missing.text


async def test_the_gregorian_examples_in_persian_hints_keep_their_order(web: WebClient) -> None:
    member = await enrol(web.http, web.club, "09121234567")
    await web.sign_in_as("owner", "sara")
    for lang in ("fa", "en"):
        web.http.cookies.set("bg_lang", lang)
        edit = (await web.get(f"/console/members/{member['id']}/edit")).text
        assert '(<bdi dir="ltr">1991-08-03</bdi>)' in edit, lang
        new = (await web.get("/console/campaigns/new")).text
        assert '(<bdi dir="ltr">2026-03-21</bdi>)' in new, lang
    assert '(<bdi dir="ltr">1405/01/01</bdi>)' in new
    web.http.cookies.set("bg_lang", "fa")
    new = (await web.get("/console/campaigns/new")).text
    assert 'میلادی (<bdi dir="ltr">2026-03-21</bdi>)' in new and '(<bdi dir="ltr">۱۴۰۵/۰۱/۰۱</bdi>)' in new
