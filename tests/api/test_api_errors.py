"""Every error is ``{"error": {"code", "message"}}``, in Persian by default and in English on request."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from scenarios import member_with
from support import Club, assert_refused, enrol, error_code, purchase, sale_body

PERSIAN_LETTERS = re.compile(r"[\u0600-\u06FF]")


async def insufficient(client: httpx.AsyncClient, club: Club, language: str | None) -> httpx.Response:
    member = await member_with(client, club, 5)
    extra = {"Accept-Language": language} if language is not None else {}
    return await client.post(
        "/api/v1/purchases",
        json=sale_body(member["id"], 100_000, 9, external_id="E-1"),
        headers=club.headers("cashier", **{"Idempotency-Key": f"e-{language}", **extra}),
    )


@pytest.mark.parametrize("language", [None, "fa", "fa-IR", "fa-IR,fa;q=0.9,en;q=0.8"])
async def test_errors_are_in_persian_by_default_and_on_request(
    client: httpx.AsyncClient, club: Club, language: str | None
) -> None:
    response = await insufficient(client, club, language)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/json")
    assert error_code(response) == "insufficient_points"
    message = response.json()["error"]["message"]
    assert PERSIAN_LETTERS.search(message), message
    assert "۵" in message and "۹" in message  # Persian digits in a Persian message


@pytest.mark.parametrize("language", ["en", "en-US", "en-GB,en;q=0.9", "fa;q=0.4, en;q=0.9", "de, en;q=0.5"])
async def test_errors_are_in_english_when_asked(client: httpx.AsyncClient, club: Club, language: str) -> None:
    response = await insufficient(client, club, language)
    assert error_code(response) == "insufficient_points"
    message = response.json()["error"]["message"]
    assert message == "Not enough points: 5 available, 9 requested."


async def test_a_validation_error_names_the_fields_in_the_callers_language(
    client: httpx.AsyncClient, club: Club
) -> None:
    body = {"member": {"id": 1}, "branch": "main", "external_id": "", "total_rials": -5}
    for language, script in (("en", re.compile(r"[A-Za-z]")), ("fa", PERSIAN_LETTERS)):
        response = await client.post(
            "/api/v1/purchases",
            json=body,
            headers=club.headers("cashier", **{"Idempotency-Key": "v", "Accept-Language": language}),
        )
        assert_refused(response, 422, "validation_error")
        error = response.json()["error"]
        assert script.search(error["message"])
        assert "total_rials" in error["message"] and "external_id" in error["message"]
        assert {d["field"] for d in error["details"]} == {"external_id", "total_rials"}


async def test_a_body_that_is_not_json_is_a_validation_error(client: httpx.AsyncClient, club: Club) -> None:
    response = await client.post(
        "/api/v1/members",
        content=b"mobile=0912",
        headers=club.headers("cashier", **{"Content-Type": "application/json"}),
    )
    assert_refused(response, 422, "validation_error")


async def test_an_unknown_field_is_a_validation_error(client: httpx.AsyncClient, club: Club) -> None:
    response = await client.post(
        "/api/v1/members", json={"mobile": "09121234567", "points": 1_000_000}, headers=club.headers()
    )
    assert_refused(response, 422, "validation_error")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "A valid API key is required"), ("fa", "کلید API معتبر لازم است")],
)
async def test_unauthorized_is_translated_too(
    client: httpx.AsyncClient, language: str, expected: str
) -> None:
    response = await client.get("/api/v1/members/1", headers={"Accept-Language": language})
    assert_refused(response, 401, "unauthorized")
    assert response.json()["error"]["message"].startswith(expected)


async def test_domain_errors_in_both_languages(client: httpx.AsyncClient, club: Club) -> None:
    await enrol(client, club, "09121234567")
    cases = [
        ("post", "/api/v1/members", {"mobile": "09121234567"}, 409, "duplicate_member"),
        ("post", "/api/v1/members", {"mobile": "0912"}, 422, "invalid_mobile"),
        (
            "post",
            "/api/v1/members",
            {"mobile": "09351234567", "national_code": "1234567890"},
            422,
            "invalid_national_code",
        ),
        ("get", "/api/v1/members/424242", None, 404, "not_found"),
    ]
    for method, path, body, status, code in cases:
        messages = {}
        for language in ("fa", "en"):
            response = await client.request(
                method, path, json=body, headers=club.headers(**{"Accept-Language": language})
            )
            assert response.status_code == status, response.text
            assert error_code(response) == code
            messages[language] = response.json()["error"]["message"]
        assert PERSIAN_LETTERS.search(messages["fa"]), messages
        assert not PERSIAN_LETTERS.search(messages["en"]), messages


async def test_an_unknown_address_and_a_wrong_method_are_json_errors(
    client: httpx.AsyncClient, club: Club
) -> None:
    missing = await client.get("/api/v1/nothing-here", headers=club.headers(**{"Accept-Language": "en"}))
    assert_refused(missing, 404, "not_found")
    wrong = await client.delete("/api/v1/programme", headers=club.headers())
    assert_refused(wrong, 405, "method_not_allowed")


async def test_an_idempotency_key_that_is_too_long_is_refused(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    response = await purchase(client, club, member["id"], 100_000, key="k" * 201)
    assert_refused(response, 422, "invalid_input")
