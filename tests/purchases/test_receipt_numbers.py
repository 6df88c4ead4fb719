"""Receipt numbers in any digits name one sale: F-۱۰۰۱ and F-1001 at one branch are the same receipt,
through the API, the importer and the lookup by number."""

from __future__ import annotations

from typing import Any

import httpx

from bashgah.core.db import Database
from bashgah.core.normalize import normalize_reference
from bashgah.purchases import reads as purchases
from scenarios import first_sale
from support import Club, balance, error_code, purchase


def test_a_receipt_number_has_one_form_whatever_digits_and_marks_it_was_typed_with() -> None:
    assert normalize_reference("F-۱۰۰۱") == "F-1001"
    assert normalize_reference("F-١٠٠١") == "F-1001"
    assert normalize_reference(" \u200fＦ－1001\u200e ") == "F-1001"
    assert normalize_reference("inv-7") == "inv-7"  # letter case is the shop's


async def test_the_same_receipt_in_persian_digits_is_a_duplicate_and_earns_once(
    client: httpx.AsyncClient, club: Club
) -> None:
    member, first = await first_sale(client, club, 1_000_000, external_id="F-1001")
    assert first["external_id"] == "F-1001"
    again = await purchase(client, club, member["id"], 1_000_000, external_id="F-۱۰۰۱")
    assert again.status_code == 409 and error_code(again) == "duplicate_receipt"
    arabic = await purchase(client, club, member["id"], 1_000_000, external_id=" F-١٠٠١ ")
    assert arabic.status_code == 409
    assert (await balance(client, club, member["id"]))["lifetime_earned"] == 100


async def test_a_receipt_typed_in_persian_digits_is_stored_and_found_in_latin_digits(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    member, sale = await first_sale(client, club, 1_000_000, external_id="F-۲۰۰۲")
    assert sale["external_id"] == "F-2002"
    from bashgah.auth.service import Principal

    who = Principal(tenant_id=club.tenant_id, role="owner", branch_id=None, key_id=None)
    async with db.transaction() as session:
        assert await purchases.find_by_receipt(session, who, "F-٢٠٠٢") == sale["id"]
        assert await purchases.find_by_receipt(session, who, "F-2002") == sale["id"]


async def test_a_receipt_number_of_only_invisible_marks_is_refused(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    refused = await purchase(client, club, member["id"], 1_000_000, external_id="\u200f \u200e")
    assert refused.status_code == 422
