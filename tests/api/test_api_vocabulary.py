"""One vocabulary across the API: one list envelope with an opaque cursor, and the old names of 0.1
still answering — marked deprecated — until 0.3 (CHANGELOG.md)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from bashgah.http.paging import (
    CURSOR_PATTERN,
    MAX_LIMIT,
    PageQuery,
    cursor_for,
    decode_cursor,
    encode_cursor,
    page_of,
)
from support import Club, enrol, error_code

#: Every list the API answers, as the envelope; ``{member}`` is a member's id.
LISTS = [
    "/api/v1/members/{member}/ledger",
    "/api/v1/members/{member}/wallet",
    "/api/v1/members/{member}/notices",
    "/api/v1/members/{member}/rewards",
    "/api/v1/members/{member}/coupons",
    "/api/v1/members/{member}/stamp-cards",
    "/api/v1/notices",
    "/api/v1/campaigns",
    "/api/v1/stamp-cards",
    "/api/v1/rewards",
    "/api/v1/coupons/batches",
    "/api/v1/occasions",
    "/api/v1/segments",
    "/api/v1/branches",
]


def test_a_cursor_is_opaque_of_one_shape_and_gives_back_its_position() -> None:
    for position in (0, 1, 12345, 2**63 - 1):
        cursor = encode_cursor(position)
        assert re.fullmatch(CURSOR_PATTERN, cursor) and str(position) not in cursor
        assert decode_cursor(cursor) == position
    assert cursor_for(None) is None
    # Any string of the shape is a cursor; one past every 64-bit id means "past them all".
    assert decode_cursor("___________") == 2**63 - 1


def test_a_page_of_a_list_read_whole_starts_after_the_cursor_in_either_order() -> None:
    rows = [1, 2, 3, 4, 5]
    first = page_of(rows, PageQuery(None, 2), lambda r: r)
    assert (first.items, first.next_cursor) == ([1, 2], encode_cursor(2))
    last = page_of(rows, PageQuery(4, 2), lambda r: r)
    assert (last.items, last.next_cursor) == ([5], None)
    newest = page_of(rows[::-1], PageQuery(4, 2), lambda r: r, descending=True)
    assert (newest.items, newest.next_cursor) == ([3, 2], encode_cursor(2))
    assert page_of([], PageQuery(None, 2), lambda r: r).items == []


async def test_every_list_answers_the_one_envelope(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    for path in LISTS:
        response = await client.get(path.format(member=member["id"]), headers=club.headers())
        assert response.status_code == 200, (path, response.text)
        body = response.json()
        assert isinstance(body["items"], list) and "next_cursor" in body, path


async def test_limit_and_cursor_are_checked_like_any_parameter(client: httpx.AsyncClient, club: Club) -> None:
    await enrol(client, club)
    for query in (f"limit={MAX_LIMIT + 1}", "limit=0", "cursor=not-a-cursor", "cursor=" + "A" * 12):
        response = await client.get(f"/api/v1/campaigns?{query}", headers=club.headers())
        assert (response.status_code, error_code(response)) == (422, "validation_error"), query


async def test_campaigns_page_by_cursor(client: httpx.AsyncClient, club: Club) -> None:
    body: dict[str, Any] = {
        "rules": [{"key": "x", "effects": [{"type": "fixed_bonus", "points": 1}]}],
    }
    made = []
    for n in range(3):
        response = await client.post(
            "/api/v1/campaigns", json={**body, "name_fa": f"کمپین {n}"}, headers=club.headers()
        )
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    seen: list[int] = []
    query = "limit=2"
    while True:
        page = (await client.get(f"/api/v1/campaigns?{query}", headers=club.headers())).json()
        seen += [c["id"] for c in page["items"]]
        if page["next_cursor"] is None:
            break
        query = f"limit=2&cursor={page['next_cursor']}"
    assert seen == made


async def test_the_old_names_are_in_the_document_marked_deprecated(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    assert paths["/api/v1/program"]["get"]["deprecated"] is True
    assert paths["/api/v1/program"]["patch"]["deprecated"] is True
    assert "deprecated" not in paths["/api/v1/programme"]["get"]
    assert paths["/api/v1/campaigns/{campaign_id}"]["put"]["deprecated"] is True
    assert paths["/api/v1/stamp-cards/{card_id}"]["put"]["deprecated"] is True
    assert "201" in paths["/api/v1/campaigns/{campaign_id}/versions"]["post"]["responses"]
    assert "204" in paths["/api/v1/stamp-cards/{card_id}"]["delete"]["responses"]
    assert "204" in paths["/api/v1/rewards/{reward_id}"]["delete"]["responses"]
    for path, old in (
        ("/api/v1/members/{member_id}/ledger", "before"),
        ("/api/v1/members/{member_id}/wallet", "before"),
        ("/api/v1/notices", "after"),
        ("/api/v1/segments/{segment_id}/members", "after"),
    ):
        parameters = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert parameters[old].get("deprecated") is True, path
        assert "cursor" in parameters and "limit" in parameters


async def test_every_create_answers_201_and_every_delete_204(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    for path, operations in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        if "delete" in operations:
            assert "204" in operations["delete"]["responses"], path
        post = operations.get("post")
        if post and post["operationId"].split("_", 1)[1].startswith("create_"):
            assert "201" in post["responses"], path
