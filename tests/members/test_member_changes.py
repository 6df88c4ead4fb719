"""Updating a member, consent changes, and blocking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from support import Club, assert_refused, enrol, purchase, reserve


async def patch(client: httpx.AsyncClient, club: Club, member_id: int, **fields: object) -> httpx.Response:
    return await client.patch(f"/api/v1/members/{member_id}", json=fields, headers=club.headers())


async def test_update_changes_only_what_is_sent_and_normalises_it(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await enrol(client, club, first_name="سارا", last_name="محمدی", email="sara@example.com")
    response = await patch(
        client,
        club,
        member["id"],
        last_name="كريمي",
        birth_date="1365/12/29",
        mobile="+98 935 111 2233",
        tags=["VIP", "vip ", "VIP"],
        gender="female",
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["first_name"] == "سارا"
    assert updated["last_name"] == "کریمی"
    assert updated["birth_date_jalali"] == "1365/12/29"
    assert updated["mobile"] == "+989351112233"
    assert updated["email"] == "sara@example.com"
    assert updated["gender"] == "female"
    assert updated["tags"] == ["VIP", "vip"]
    assert updated["card_number"] == member["card_number"]
    fetched = await client.get(f"/api/v1/members/{member['id']}", headers=club.headers())
    assert fetched.json() == updated


async def test_changing_the_mobile_to_another_members_is_a_duplicate(
    client: httpx.AsyncClient, club: Club
) -> None:
    await enrol(client, club, "09121234567")
    member = await enrol(client, club, "09127654321")
    response = await patch(client, club, member["id"], mobile="۰۹۱۲۱۲۳۴۵۶۷")
    assert_refused(response, 409, "duplicate_member")
    fetched = await client.get(f"/api/v1/members/{member['id']}", headers=club.headers())
    assert fetched.json()["mobile"] == "+989127654321"


async def test_an_update_with_an_invalid_national_code_changes_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await enrol(client, club, first_name="سارا")
    response = await patch(client, club, member["id"], first_name="مریم", national_code="1111111111")
    assert_refused(response, 422, "invalid_national_code")
    fetched = await client.get(f"/api/v1/members/{member['id']}", headers=club.headers())
    assert fetched.json()["first_name"] == "سارا"
    assert fetched.json()["national_code"] is None


async def test_consent_given_later_records_when_and_where(client: httpx.AsyncClient, club: Club) -> None:
    member = await enrol(client, club, sms_consent=True, consent_source="pos")
    given_at = datetime.fromisoformat(member["sms_consent"]["at"])
    response = await patch(client, club, member["id"], email_consent=True, consent_source="portal")
    updated = response.json()
    assert updated["email_consent"]["given"] is True
    assert updated["email_consent"]["source"] == "portal"
    assert datetime.fromisoformat(updated["email_consent"]["at"]) >= given_at
    # SMS consent was not touched: its time and source stay those of the enrolment.
    assert updated["sms_consent"] == member["sms_consent"]


async def test_withdrawing_sms_consent_records_the_withdrawal(client: httpx.AsyncClient, club: Club) -> None:
    member = await enrol(client, club, sms_consent=True, consent_source="pos")
    response = await patch(client, club, member["id"], sms_consent=False, consent_source="sms")
    consent = response.json()["sms_consent"]
    assert consent["given"] is False
    assert consent["source"] == "sms"
    assert datetime.fromisoformat(consent["at"]) >= datetime.fromisoformat(member["sms_consent"]["at"])


async def test_a_blocked_member_cannot_buy_or_redeem_until_unblocked(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    blocked = await client.post(
        f"/api/v1/members/{member['id']}/block",
        json={"reason": "card misuse"},
        headers=club.headers("cashier"),
    )
    assert blocked.status_code == 200
    assert blocked.json()["status"] == "blocked"
    assert blocked.json()["blocked_reason"] == "card misuse"

    refused = await purchase(client, club, member["id"], 100_000)
    assert_refused(refused, 409, "member_blocked")
    held = await reserve(client, club, member["id"], 1)
    assert_refused(held, 409, "member_blocked")

    cashier_unblock = await client.post(
        f"/api/v1/members/{member['id']}/unblock", headers=club.headers("cashier")
    )
    assert_refused(cashier_unblock, 403, "forbidden")
    unblocked = await client.post(f"/api/v1/members/{member['id']}/unblock", headers=club.headers("manager"))
    assert unblocked.json()["status"] == "active"
    assert unblocked.json()["blocked_reason"] is None
    accepted = await purchase(client, club, member["id"], 100_000)
    assert accepted.status_code == 201, accepted.text


async def test_blocking_needs_a_reason(client: httpx.AsyncClient, club: Club, member: dict[str, Any]) -> None:
    response = await client.post(f"/api/v1/members/{member['id']}/block", json={}, headers=club.headers())
    assert_refused(response, 422, "validation_error")
    fetched = await client.get(f"/api/v1/members/{member['id']}", headers=club.headers())
    assert fetched.json()["status"] == "active"


async def test_a_blocked_member_is_still_found_at_the_till(client: httpx.AsyncClient, club: Club) -> None:
    member = await enrol(client, club, "09121234567")
    await client.post(
        f"/api/v1/members/{member['id']}/block", json={"reason": "fraud"}, headers=club.headers()
    )
    found = await client.get("/api/v1/members/lookup", params={"q": "09121234567"}, headers=club.headers())
    assert [m["status"] for m in found.json()["items"]] == ["blocked"]


async def test_an_invalid_email_is_refused_on_enrolment_and_on_update(
    client: httpx.AsyncClient, club: Club
) -> None:
    refused = await client.post(
        "/api/v1/members", json={"mobile": "09121234567", "email": "sara at example"}, headers=club.headers()
    )
    assert_refused(refused, 422, "invalid_input")
    member = await enrol(client, club, "09121234567", email=" Sara@Example.COM ")
    assert member["email"] == "sara@example.com"
    response = await patch(client, club, member["id"], email="not-an-email")
    assert_refused(response, 422, "invalid_input")
    cleared = await patch(client, club, member["id"], email=None)
    assert cleared.json()["email"] is None
