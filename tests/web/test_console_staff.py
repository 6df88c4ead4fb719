"""Staff in the console, as an owner runs the shop: the list says where each person works; an owner or
manager gives someone who forgot their password a new one (which signs them out everywhere) and changes
a person's role — but a club never loses its last owner, and only an owner touches an owner."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from web_helpers import PASSWORD, WebClient, add_staff, audit_actions

from bashgah.models import AuditEntry, Staff, WebSession


async def _id(web: WebClient, username: str) -> int:
    async with web.db.transaction() as session:
        found = await session.scalar(select(Staff.id).where(Staff.username == username))
        assert found is not None
        return found


async def _role(web: WebClient, username: str) -> str:
    async with web.db.transaction() as session:
        return str(await session.scalar(select(Staff.role).where(Staff.username == username)))


def _other(web: WebClient) -> WebClient:
    return WebClient(
        httpx.AsyncClient(transport=web.http._transport, base_url="http://test"), web.db, web.club
    )


async def test_the_staff_list_shows_each_persons_branch(web: WebClient) -> None:
    await add_staff(web.db, web.club, "kasra", "cashier")
    await web.sign_in_as("owner", "sara")
    page = (await web.get("/console/club/staff")).text
    row = page.split('<td dir="ltr">kasra</td>')[1].split("</tr>")[0]
    assert "<td>صندوق‌دار</td>" in row and "<td>main</td>" in row  # the branch's name
    web.http.cookies.set("bg_lang", "en")
    page = (await web.get("/console/club/staff")).text
    assert "<th>Branch</th>" in page


async def test_a_manager_sets_a_cashiers_new_password_and_their_sessions_end(web: WebClient) -> None:
    await add_staff(web.db, web.club, "kasra", "cashier")
    cashier = _other(web)
    assert (await cashier.sign_in("kasra")).status_code == 303
    await web.sign_in_as("manager", "mina")
    kasra = await _id(web, "kasra")
    reset = await web.submit(
        "/console/club/staff", f"/console/club/staff/{kasra}/password", {"password": "a-new-password"}
    )
    assert reset.status_code == 303, reset.text
    async with web.db.transaction() as session:
        assert await session.scalar(select(WebSession.id_hash).where(WebSession.staff_id == kasra)) is None
    # The old session is gone: the till sends them to sign in again.
    assert (await cashier.get("/pos")).status_code in (303, 307)
    cashier.http.cookies.clear()
    assert (await cashier.sign_in("kasra", PASSWORD)).status_code != 303
    assert (await cashier.sign_in("kasra", "a-new-password")).status_code == 303
    assert await audit_actions(web, "staff.") == ["staff.password_reset"]


async def test_a_short_new_password_is_refused_in_both_languages(web: WebClient) -> None:
    await add_staff(web.db, web.club, "kasra", "cashier")
    await web.sign_in_as("owner", "sara")
    kasra = await _id(web, "kasra")
    short = await web.submit(
        "/console/club/staff", f"/console/club/staff/{kasra}/password", {"password": "short"}
    )
    assert short.status_code == 422 and "گذرواژه" in short.text and "نویسه" in short.text
    web.http.cookies.set("bg_lang", "en")
    short = await web.submit(
        "/console/club/staff", f"/console/club/staff/{kasra}/password", {"password": "short"}
    )
    assert short.status_code == 422 and "at least 8 characters" in short.text
    assert await audit_actions(web, "staff.") == []


async def test_an_owner_makes_a_cashier_manager_and_it_is_audit_logged(web: WebClient) -> None:
    await add_staff(web.db, web.club, "kasra", "cashier")
    await web.sign_in_as("owner", "sara")
    kasra = await _id(web, "kasra")
    changed = await web.submit(
        "/console/club/staff", f"/console/club/staff/{kasra}/role", {"role": "manager", "branch": ""}
    )
    assert changed.status_code == 303, changed.text
    assert await _role(web, "kasra") == "manager"
    async with web.db.transaction() as session:
        line = await session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.role_changed"))
    assert line is not None and line.summary == {"role_before": "cashier", "role": "manager"}
    audit = (await web.get("/console/club/audit")).text
    assert "نقش یک کارمند را تغییر داد" in audit and "نقش پیشین: <bdi>صندوق‌دار</bdi>" in audit


async def test_the_last_owner_cannot_be_demoted(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    sara = await _id(web, "sara")
    refused = await web.submit(
        "/console/club/staff", f"/console/club/staff/{sara}/role", {"role": "manager", "branch": ""}
    )
    assert refused.status_code == 422
    assert "این آخرین مالک باشگاه است" in refused.text
    web.http.cookies.set("bg_lang", "en")
    refused = await web.submit(
        "/console/club/staff", f"/console/club/staff/{sara}/role", {"role": "analyst", "branch": ""}
    )
    assert "last owner: make someone else owner first" in refused.text
    assert await _role(web, "sara") == "owner"
    # With a second owner, the first may step down.
    await add_staff(web.db, web.club, "omid", "owner")
    stepped = await web.submit(
        "/console/club/staff", f"/console/club/staff/{sara}/role", {"role": "manager", "branch": ""}
    )
    assert stepped.status_code == 303 and await _role(web, "sara") == "manager"


async def test_a_manager_cannot_make_an_owner_or_reset_an_owners_password(web: WebClient) -> None:
    await add_staff(web.db, web.club, "sara", "owner")
    await add_staff(web.db, web.club, "kasra", "cashier")
    await web.sign_in_as("manager", "mina")
    sara, mina = await _id(web, "sara"), await _id(web, "mina")
    page = (await web.get("/console/club/staff")).text
    assert f'action="/console/club/staff/{sara}/password"' not in page
    refused = await web.submit(
        "/console/club/staff", f"/console/club/staff/{sara}/password", {"password": "taken-over-1"}
    )
    assert refused.status_code == 422 and "فقط مالک" in refused.text
    promoted = await web.submit(
        "/console/club/staff", f"/console/club/staff/{mina}/role", {"role": "owner", "branch": ""}
    )
    assert promoted.status_code == 422 and await _role(web, "mina") == "manager"
    assert await audit_actions(web, "staff.") == []


async def test_a_cashier_needs_a_branch_and_an_analyst_changes_no_one(web: WebClient) -> None:
    await add_staff(web.db, web.club, "mina", "manager")
    await web.sign_in_as("owner", "sara")
    mina = await _id(web, "mina")
    refused = await web.submit(
        "/console/club/staff", f"/console/club/staff/{mina}/role", {"role": "cashier", "branch": ""}
    )
    assert refused.status_code == 422 and "شعبه" in refused.text
    analyst = _other(web)
    await add_staff(web.db, web.club, "nazanin", "analyst")
    assert (await analyst.sign_in("nazanin")).status_code == 303
    page = (await analyst.get("/console/club/staff")).text
    assert "/password" not in page
    assert (
        await analyst.http.post(f"/console/club/staff/{mina}/role", data={"csrf": "x", "role": "owner"})
    ).status_code == 403
    assert await _role(web, "mina") == "manager"


async def test_an_owner_adds_a_cashier_with_the_form_as_it_opens_and_the_first_branch_is_chosen(
    web: WebClient,
) -> None:
    # The form used to open at "cashier" with no branch, which could never be sent as it was.
    await web.sign_in_as("owner", "sara")
    for lang in ("fa", "en"):
        page = (await web.get("/console/club/staff", headers={"Accept-Language": lang})).text
        form = page[page.index('id="s-role"') :]
        role = re.search(r'<option value="(\w+)" selected>', form)
        branch = re.search(r'id="s-branch".*?<option value="([^"]*)" selected>', form, re.S)
        assert role is not None and role.group(1) == "cashier"
        assert branch is not None and branch.group(1) == "main"
    added = await web.submit(
        "/console/club/staff",
        "/console/club/staff",
        {"username": "reza", "full_name": "Reza", "role": "cashier", "branch": "main", "password": PASSWORD},
    )
    assert added.status_code == 303, added.text
    assert await _role(web, "reza") == "cashier"
