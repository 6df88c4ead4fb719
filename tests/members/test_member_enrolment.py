"""Enrolling members: one identity per mobile however it is typed, clean names, both calendars."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bashgah.core.db import Database
from bashgah.members import service as members_service
from support import Club, assert_refused, enrol, error_code

CANONICAL = "+989121234567"
MOBILE_FORMS = {
    "local 0912": "09121234567",
    "international +98": "+989121234567",
    "international 0098": "00989121234567",
    "without the leading zero": "9121234567",
    "with spaces and dashes": "0912 123-4567",
    "Persian digits": "۰۹۱۲۱۲۳۴۵۶۷",
    "Arabic-Indic digits": "٠٩١٢١٢٣٤٥٦٧",
}
VALID_NATIONAL_CODE = "0012345679"


@pytest.mark.parametrize("form", MOBILE_FORMS.values(), ids=MOBILE_FORMS.keys())
async def test_a_mobile_in_any_form_is_stored_as_one_e164_identity(
    client: httpx.AsyncClient, club: Club, form: str
) -> None:
    member = await enrol(client, club, form)
    assert member["mobile"] == CANONICAL

    for other in MOBILE_FORMS.values():
        again = await client.post("/api/v1/members", json={"mobile": other}, headers=club.headers())
        assert again.status_code == 409, (other, again.text)
        assert error_code(again) == "duplicate_member"


async def test_names_with_arabic_yeh_and_kaf_are_stored_with_persian_letters(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await enrol(client, club, first_name="علي", last_name="  كاظمي ")
    assert member["first_name"] == "علی"
    assert member["last_name"] == "کاظمی"

    fetched = await client.get(f"/api/v1/members/{member['id']}", headers=club.headers())
    assert fetched.json()["first_name"] == "علی"


async def test_a_name_with_zwnj_keeps_it_for_display(client: httpx.AsyncClient, club: Club) -> None:
    member = await enrol(client, club, first_name="محمد\u200c\u200cرضا", last_name="\u200cعلی\u200cپور")
    assert member["first_name"] == "محمد\u200cرضا"
    assert member["last_name"] == "علی\u200cپور"


@pytest.mark.parametrize(
    "typed",
    ["1370/05/12", "۱۳۷۰/۰۵/۱۲", "1370-05-12", "1991-08-03", "١٩٩١-٠٨-٠٣"],
    ids=["jalali", "jalali persian digits", "jalali dashes", "gregorian", "gregorian arabic digits"],
)
async def test_birth_date_in_jalali_or_gregorian_is_the_same_day(
    client: httpx.AsyncClient, club: Club, typed: str
) -> None:
    member = await enrol(client, club, birth_date=typed)
    assert member["birth_date"] == "1991-08-03"
    assert member["birth_date_jalali"] == "1370/05/12"


@pytest.mark.parametrize("typed", ["1370/13/01", "1991-02-30", "tomorrow", "2999-01-01"])
async def test_an_impossible_birth_date_is_refused_and_nothing_is_saved(
    client: httpx.AsyncClient, club: Club, typed: str
) -> None:
    response = await client.post(
        "/api/v1/members", json={"mobile": "09121112233", "birth_date": typed}, headers=club.headers()
    )
    assert response.status_code == 422, response.text
    assert error_code(response) == "invalid_date"
    found = await client.get("/api/v1/members/lookup", params={"q": "09121112233"}, headers=club.headers())
    assert found.json()["items"] == []


async def test_an_invalid_national_code_is_refused_and_nothing_is_saved(
    client: httpx.AsyncClient, club: Club
) -> None:
    response = await client.post(
        "/api/v1/members",
        json={"mobile": "09121112233", "national_code": "0012345678", "first_name": "سارا"},
        headers=club.headers(),
    )
    assert_refused(response, 422, "invalid_national_code")

    found = await client.get("/api/v1/members/lookup", params={"q": "09121112233"}, headers=club.headers())
    assert found.json()["items"] == []
    # The same person can enrol at once with the right code: nothing half-made stands in the way.
    member = await enrol(client, club, "09121112233", national_code="۰۰۱۲۳۴۵۶۷۹")
    assert member["national_code"] == VALID_NATIONAL_CODE


async def test_a_national_code_can_belong_to_one_member_only(client: httpx.AsyncClient, club: Club) -> None:
    await enrol(client, club, national_code=VALID_NATIONAL_CODE)
    second = await client.post(
        "/api/v1/members",
        json={"mobile": "09127654321", "national_code": "001-234567-9"},
        headers=club.headers(),
    )
    assert_refused(second, 409, "duplicate_member")


async def test_an_invalid_mobile_is_refused(client: httpx.AsyncClient, club: Club) -> None:
    for bad in ("02188776655", "0912123", "hello", "+1 202 555 0100x"):
        response = await client.post("/api/v1/members", json={"mobile": bad}, headers=club.headers())
        assert response.status_code == 422, (bad, response.text)
        assert error_code(response) == "invalid_mobile"


async def test_a_new_member_gets_a_card_number_with_a_check_digit_and_a_qr_payload(
    client: httpx.AsyncClient, club: Club
) -> None:
    from bashgah.core.normalize import is_valid_card_number

    member = await enrol(client, club)
    assert len(member["card_number"]) == 16 and is_valid_card_number(member["card_number"])
    assert member["card_number"] in member["qr_payload"]
    assert member["status"] == "active"


async def test_sms_consent_is_recorded_with_its_time_and_source(
    client: httpx.AsyncClient, club: Club
) -> None:
    before = datetime.now(UTC)
    member = await enrol(client, club, sms_consent=True, consent_source="pos")
    consent = member["sms_consent"]
    assert consent["given"] is True
    assert consent["source"] == "pos"
    at = datetime.fromisoformat(consent["at"])
    assert before - timedelta(seconds=1) <= at <= datetime.now(UTC) + timedelta(seconds=1)
    assert member["email_consent"] == {"given": False, "at": None, "source": None}


async def test_the_same_mobile_may_enrol_in_two_different_clubs(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    from support import make_club

    other = await make_club(db, "beta")
    first = await enrol(client, club, "09121234567")
    second = await enrol(client, other, "09121234567")
    assert first["mobile"] == second["mobile"] == CANONICAL
    assert first["id"] != second["id"]


def tills_at_once(db: Database, monkeypatch: pytest.MonkeyPatch, tills: int) -> list[int]:
    """Make the tills' enrolments race for real where the database lets them (PostgreSQL): each one waits
    after its duplicate check until every till has checked, so all of them find nobody and all insert —
    the unique index alone must turn all but one away. Returns a list that gets one entry for each till
    that went on after the others had checked (none on SQLite).

    SQLite has one writer at a time, so there the tills take turns: the test then checks that each later
    till finds the member the first one made, in whatever form its mobile was typed."""
    together: list[int] = []
    if db.is_sqlite:
        return together
    everyone_checked = asyncio.Barrier(tills)
    check = members_service._ensure_unique

    async def check_then_wait(*args: Any, **kwargs: Any) -> None:
        await check(*args, **kwargs)
        async with asyncio.timeout(30):
            await everyone_checked.wait()
        together.append(1)

    monkeypatch.setattr(members_service, "_ensure_unique", check_then_wait)
    return together


async def test_the_same_mobile_enrolled_at_several_tills_at_once_makes_one_member(
    client: httpx.AsyncClient, club: Club, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    forms = list(MOBILE_FORMS.values())
    together = tills_at_once(db, monkeypatch, len(forms))
    responses = await asyncio.gather(
        *(client.post("/api/v1/members", json={"mobile": m}, headers=club.headers("cashier")) for m in forms)
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (len(forms) - 1), [r.text for r in responses]
    assert {error_code(r) for r in responses if r.status_code == 409} == {"duplicate_member"}
    assert len(together) == (0 if db.is_sqlite else len(forms))
    found = await client.get("/api/v1/members/lookup", params={"q": CANONICAL}, headers=club.headers())
    assert len(found.json()["items"]) == 1


async def test_the_same_national_code_enrolled_twice_at_once_makes_one_member(
    client: httpx.AsyncClient, club: Club, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    together = tills_at_once(db, monkeypatch, 4)
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/v1/members",
                json={"mobile": f"0912000000{n}", "national_code": VALID_NATIONAL_CODE},
                headers=club.headers("cashier"),
            )
            for n in range(4)
        )
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409], [r.text for r in responses]
    assert {error_code(r) for r in responses if r.status_code == 409} == {"duplicate_member"}
    assert len(together) == (0 if db.is_sqlite else 4)
