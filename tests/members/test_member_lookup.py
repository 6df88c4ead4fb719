"""Finding a member at the till by whatever the cashier types or scans."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bashgah.core.normalize import to_persian_digits
from support import Club, assert_refused, enrol


async def lookup(client: httpx.AsyncClient, club: Club, q: str, role: str = "cashier") -> dict[str, Any]:
    response = await client.get("/api/v1/members/lookup", params={"q": q}, headers=club.headers(role))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(found: dict[str, Any]) -> list[int]:
    return [m["id"] for m in found["items"]]


@pytest.mark.parametrize(
    "typed",
    ["09121234567", "+989121234567", "00989121234567", "9121234567", "0912 123 4567", "۰۹۱۲۱۲۳۴۵۶۷"],
)
async def test_lookup_by_phone_in_any_form(client: httpx.AsyncClient, club: Club, typed: str) -> None:
    member = await enrol(client, club, "09121234567")
    await enrol(client, club, "09121234568")
    found = await lookup(client, club, typed)
    assert found["matched_by"] == "mobile"
    assert ids(found) == [member["id"]]


async def test_lookup_by_card_number_as_printed_or_in_persian_digits(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    await enrol(client, club)
    card = member["card_number"]
    for typed in (card, f"{card[:4]} {card[4:8]} {card[8:12]} {card[12:]}", to_persian_digits(card)):
        found = await lookup(client, club, typed)
        assert found["matched_by"] == "card", typed
        assert ids(found) == [member["id"]]


async def test_lookup_by_scanned_qr_payload(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    found = await lookup(client, club, member["qr_payload"])
    assert found["matched_by"] == "card"
    assert ids(found) == [member["id"]]


async def test_a_card_number_with_a_wrong_check_digit_finds_no_card(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    card = member["card_number"]
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    found = await lookup(client, club, wrong)
    assert found["items"] == []


async def test_lookup_by_national_code(client: httpx.AsyncClient, club: Club) -> None:
    member = await enrol(client, club, national_code="0012345679")
    await enrol(client, club, national_code="1234567891")
    for typed in ("0012345679", "۰۰۱۲۳۴۵۶۷۹"):
        found = await lookup(client, club, typed)
        assert found["matched_by"] == "national_code"
        assert ids(found) == [member["id"]]


async def test_lookup_by_name_ignores_arabic_letter_variants(client: httpx.AsyncClient, club: Club) -> None:
    ali = await enrol(client, club, first_name="علی", last_name="کریمی")
    await enrol(client, club, first_name="زهرا", last_name="احمدی")
    for typed in ("علي", "كريمي", "علی کریمی", "علي كريمي"):
        found = await lookup(client, club, typed)
        assert found["matched_by"] == "name", typed
        assert ids(found) == [ali["id"]], typed


async def test_lookup_by_name_treats_zwnj_and_space_alike(client: httpx.AsyncClient, club: Club) -> None:
    with_zwnj = await enrol(client, club, first_name="محمد\u200cرضا", last_name="رضایی")
    with_space = await enrol(client, club, first_name="محمد رضا", last_name="نوری")
    await enrol(client, club, first_name="رضا", last_name="محمدی")
    for typed in ("محمد رضا", "محمد\u200cرضا"):
        found = await lookup(client, club, typed)
        assert found["matched_by"] == "name"
        assert sorted(ids(found)) == sorted([with_zwnj["id"], with_space["id"]]), typed


async def test_lookup_of_an_unknown_phone_finds_nobody(client: httpx.AsyncClient, club: Club) -> None:
    await enrol(client, club, "09121234567")
    found = await lookup(client, club, "09350000000")
    assert found == {"matched_by": "mobile", "items": [], "next_cursor": None}


async def test_an_empty_lookup_is_a_validation_error(client: httpx.AsyncClient, club: Club) -> None:
    response = await client.get("/api/v1/members/lookup", params={"q": ""}, headers=club.headers())
    assert_refused(response, 422, "validation_error")


async def test_get_a_member_by_id_and_an_unknown_id_is_404(client: httpx.AsyncClient, club: Club) -> None:
    member = await enrol(client, club, first_name="سارا")
    fetched = await client.get(f"/api/v1/members/{member['id']}", headers=club.headers("integration"))
    assert fetched.status_code == 200
    assert fetched.json() == member
    missing = await client.get("/api/v1/members/999999", headers=club.headers())
    assert_refused(missing, 404, "not_found")


async def test_lookup_by_a_national_code_that_lost_its_leading_zeros(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await enrol(client, club, national_code="0012345679")
    for typed in ("012345679", "12345679"):
        found = await lookup(client, club, typed)
        assert found["matched_by"] == "national_code", typed
        assert ids(found) == [member["id"]]
