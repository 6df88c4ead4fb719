"""Bad input at the door: NUL characters, numbers no column can hold, bodies too large or sent without a
key — each a clear, localised 4xx that changes nothing, never a 500 (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bashgah.api.app import create_app
from bashgah.core.config import Settings
from bashgah.core.db import Database
from bashgah.models import Member, Purchase, Transfer
from support import Club, assert_refused, error_code, sale_body

HUGE = 2**64 + 5
PERSIAN = "ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهی"


async def count(db: Database, model: Any) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def sale(member_id: int, **extra: Any) -> dict[str, Any]:
    """One receipt, F-1, of 100,000 rials: each attempt below sends it once, changed in one field."""
    return sale_body(member_id, 100_000, **{"external_id": "F-1", **extra})


async def test_a_nul_character_in_a_name_a_receipt_a_lookup_or_a_reason_is_a_clear_422_that_saves_nothing(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    members, purchases, transfers = (
        await count(db, Member),
        await count(db, Purchase),
        await count(db, Transfer),
    )
    attempts = [
        ("post", "/api/v1/members", {"mobile": "09351112233", "first_name": "Sa\x00ra"}, None, "first_name"),
        ("post", "/api/v1/purchases", sale(member["id"], external_id="F-\x001"), "n1", "external_id"),
        ("get", "/api/v1/members/lookup", None, None, "q"),
        (
            "post",
            f"/api/v1/members/{member['id']}/adjustments",
            {"points": 10, "reason": "goodwill\x00"},
            "n2",
            "reason",
        ),
        ("patch", f"/api/v1/members/{member['id']}", {"last_name": "\x00"}, None, "last_name"),
    ]
    for method, path, body, idem, field in attempts:
        for language in ("fa", "en"):
            extra = {"Accept-Language": language}
            if idem:
                extra["Idempotency-Key"] = f"{idem}-{language}"
            response = await client.request(
                method,
                path,
                json=body,
                params={"q": "0912\x00"} if body is None else None,
                headers=club.headers(**extra),
            )
            assert response.status_code == 422, (path, response.text)
            assert error_code(response) == "invalid_character"
            message = response.json()["error"]["message"]
            assert field in message
            assert any(c in PERSIAN for c in message) == (language == "fa"), message
    assert (await count(db, Member), await count(db, Purchase), await count(db, Transfer)) == (
        members,
        purchases,
        transfers,
    )


async def test_an_id_or_an_amount_beyond_64_bits_is_a_clear_422(
    client: httpx.AsyncClient, club: Club, db: Database, member: dict[str, Any]
) -> None:
    attempts = [
        ("get", f"/api/v1/members/{HUGE}", None, "member_id"),
        ("get", f"/api/v1/purchases/{HUGE}", None, "purchase_id"),
        ("get", f"/api/v1/members/{-HUGE}/balance", None, "member_id"),
        ("get", f"/api/v1/members/{member['id']}/ledger?before={HUGE}", None, "before"),
        ("post", "/api/v1/purchases", sale(HUGE), "member.id"),
        ("post", "/api/v1/purchases", sale(member["id"], total_rials=HUGE), "total_rials"),
    ]
    for n, (method, path, body, field) in enumerate(attempts):
        for language in ("fa", "en"):
            headers = club.headers(**{"Accept-Language": language, "Idempotency-Key": f"big-{n}-{language}"})
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code == 422, (path, response.text)
            assert error_code(response) == "out_of_range"
            assert field in response.json()["error"]["message"]
    assert await count(db, Purchase) == 0


# --- body size and authentication first --------------------------------------------------------------


class Upload:
    """Drives the ASGI app directly, feeding the body in chunks and counting how many it asked for."""

    def __init__(self, db: Database, **settings: Any) -> None:
        self.app = create_app(Settings(database_url=db.url, **settings), db=db)

    async def post(
        self, path: str, headers: dict[str, str], chunks: int, chunk: bytes, declare_length: bool = False
    ) -> tuple[int, dict[str, Any] | str, int]:
        read = 0
        sent: list[dict[str, Any]] = []
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        raw.append((b"content-type", b"application/json"))
        if declare_length:
            raw.append((b"content-length", str(chunks * len(chunk)).encode()))
        else:
            raw.append((b"transfer-encoding", b"chunked"))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": raw,
            "client": ("127.0.0.1", 5000),
            "server": ("test", 80),
        }

        async def receive() -> dict[str, Any]:
            nonlocal read
            read += 1
            if read > chunks:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": chunk, "more_body": read < chunks}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        content_type = dict(start["headers"]).get(b"content-type", b"").decode()
        decoded = json.loads(body) if content_type.startswith("application/json") else body.decode()
        return start["status"], decoded, read


MB = 1024 * 1024


async def test_a_huge_body_without_a_key_is_refused_401_before_it_is_read(db: Database, club: Club) -> None:
    upload = Upload(db)
    status, body, read = await upload.post("/api/v1/members", {}, chunks=100, chunk=b"x" * MB)
    assert status == 401
    assert isinstance(body, dict) and body["error"]["code"] == "unauthorized"
    assert read == 0
    status, body, read = await upload.post(
        "/api/v1/members", {"Authorization": "Bearer bg_not-a-key"}, chunks=100, chunk=b"x" * MB
    )
    assert status == 401 and read == 0


@pytest.mark.parametrize(("language", "words"), [("fa", "بزرگ"), ("en", "too large")])
async def test_a_body_over_the_limit_is_refused_413_while_it_streams_in(
    db: Database, club: Club, language: str, words: str
) -> None:
    upload = Upload(db)
    headers = {**club.headers(), "Accept-Language": language}
    status, body, read = await upload.post("/api/v1/members", headers, chunks=1600, chunk=b" " * 64 * 1024)
    assert status == 413
    assert isinstance(body, dict) and body["error"]["code"] == "payload_too_large"
    assert words in body["error"]["message"]
    assert read <= 17  # 1 MB in 64 KB chunks, and then no more: the other 99 MB are never read
    status, body, read = await upload.post(
        "/api/v1/members", headers, chunks=2, chunk=b" " * MB, declare_length=True
    )
    assert status == 413 and read == 0  # a declared Content-Length over the limit: not a byte is read


async def test_the_body_limit_is_a_setting(db: Database, club: Club, client: httpx.AsyncClient) -> None:
    small = Upload(db, max_body_bytes=200)
    body = json.dumps({"mobile": "09121234567", "first_name": "x" * 300}).encode()
    status, answer, _ = await small.post("/api/v1/members", club.headers(), chunks=1, chunk=body)
    assert status == 413
    assert await count(db, Member) == 0
    status, answer, _ = await Upload(db).post("/api/v1/members", club.headers(), chunks=1, chunk=body)
    assert status == 422  # within the default limit: the name is just too long


async def test_an_integer_or_nul_in_a_json_key_or_list_is_caught_too(
    client: httpx.AsyncClient, club: Club
) -> None:
    response = await client.post(
        "/api/v1/segments",
        json={"name": "s", "conditions": {"all": [{"field": "points", "op": ">=", "value": HUGE}]}},
        headers=club.headers(**{"Accept-Language": "en"}),
    )
    assert_refused(response, 422, "out_of_range")
