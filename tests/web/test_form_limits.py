"""A form that cannot be taken as it is — a field over a megabyte, a NUL character — is refused with a
message on the page in the visitor's language, never a crash page, and nothing is done."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from web_helpers import WebClient, add_staff, csrf_of

from bashgah.models import AuditEntry

CRASH_FA = "خطای داخلی"
CRASH_EN = "internal error"


async def audit_entries(web: WebClient) -> int:
    async with web.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.parametrize(("language", "words"), [("fa", "بیش از اندازه بزرگ"), ("en", "too large")])
async def test_a_sign_in_field_over_a_megabyte_is_refused_with_a_message(
    web: WebClient, language: str, words: str
) -> None:
    await add_staff(web.db, web.club, "kasra", "cashier")
    web.http.cookies.set("bg_lang", language)
    await web.get("/login")
    token = csrf_of(web.last_html)
    huge = "u" * (1024 * 1024 + 10)
    response = await web.http.post(
        "/login", data={"csrf": token, "tenant": web.club.slug, "username": huge, "password": "x"}
    )
    assert response.status_code == 413
    assert words in response.text
    assert CRASH_FA not in response.text and CRASH_EN not in response.text.lower()
    # The same field sent as multipart (under the upload limit, over the form parser's 1 MB per field).
    response = await web.http.post(
        "/login",
        files={"csrf": (None, token), "tenant": (None, web.club.slug), "username": (None, huge)},
    )
    assert response.status_code == 400
    assert ("خوانده نشد" if language == "fa" else "could not be read") in response.text
    assert await audit_entries(web) == 0
    assert "bg_session" not in web.http.cookies


@pytest.mark.parametrize(("language", "words"), [("fa", "نویسهٔ نامعتبر"), ("en", "NUL character")])
async def test_a_nul_character_in_a_form_or_a_lookup_is_refused_with_a_message(
    web: WebClient, language: str, words: str
) -> None:
    web.http.cookies.set("bg_lang", language)
    await add_staff(web.db, web.club, "kasra", "cashier")
    response = await web.submit(
        "/login", "/login", {"tenant": web.club.slug, "username": "kas\x00ra", "password": "x"}
    )
    assert response.status_code == 422
    assert words in response.text
    await web.sign_in_as("cashier", "dara")
    response = await web.get("/pos/find", params={"q": "0912\x00"})
    assert response.status_code == 422
    assert words in response.text
    assert CRASH_FA not in response.text


async def test_a_receipt_number_beyond_64_bits_in_the_address_is_a_page_message(web: WebClient) -> None:
    await web.sign_in_as("cashier", "dara")
    response = await web.get(f"/pos/receipts/{2**64}")
    assert response.status_code == 422
    assert "عدد بیش از اندازه بزرگ است" in response.text
    assert CRASH_FA not in response.text
