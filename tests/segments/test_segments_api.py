"""Segments through the API: saving, counting, listing, static members, roles and tenants."""

from __future__ import annotations

import httpx
from segment_helpers import sale

from bashgah.core.db import Database
from support import Club, assert_refused, enrol, error_code, make_club

VIP = {"type": "tags", "tags": ["vip"]}


async def new_segment(client: httpx.AsyncClient, club: Club, **body: object) -> dict[str, object]:
    response = await client.post("/api/v1/segments", json=body, headers=club.headers("manager"))
    assert response.status_code == 201, response.text
    segment: dict[str, object] = response.json()
    return segment


async def test_a_dynamic_segment_is_saved_counted_listed_page_by_page_and_follows_its_members(
    client: httpx.AsyncClient, club: Club
) -> None:
    vips = [await enrol(client, club, tags=["vip"]) for _ in range(5)]
    await enrol(client, club, tags=["regular"])
    segment = await new_segment(client, club, name="VIPs", definition=VIP)
    assert segment["kind"] == "dynamic" and segment["definition"] == {**VIP, "match": "any"}
    url = f"/api/v1/segments/{segment['id']}"
    assert (await client.get(url + "/count", headers=club.headers())).json() == {"count": 5}
    first = (await client.get(url + "/members?limit=3", headers=club.headers())).json()
    assert [m["id"] for m in first["items"]] == [v["id"] for v in vips[:3]]
    rest = (
        await client.get(url + f"/members?limit=3&cursor={first['next_cursor']}", headers=club.headers())
    ).json()
    assert [m["id"] for m in rest["items"]] == [v["id"] for v in vips[3:]]
    assert rest["next_cursor"] is None
    # Until 0.3 the old ``after`` (a member id) pages too.
    old = (await client.get(url + f"/members?limit=3&after={vips[2]['id']}", headers=club.headers())).json()
    assert old == rest
    # A member tagged later is in the segment at once: nothing about a dynamic segment is stored.
    await client.patch(f"/api/v1/members/{vips[0]['id']}", json={"tags": []}, headers=club.headers())
    assert (await client.get(url + "/count", headers=club.headers())).json() == {"count": 4}


async def test_preview_counts_a_definition_without_saving_it(client: httpx.AsyncClient, club: Club) -> None:
    spender = await enrol(client, club)
    await enrol(client, club)
    await sale(client, club, spender["id"], 5_000_000, days_ago=0)
    body = {"definition": {"type": "spend", "days": 90, "min_rials": 5_000_000}}
    response = await client.post("/api/v1/segments/preview", json=body, headers=club.headers())
    assert response.json() == {"count": 1}
    assert (await client.get("/api/v1/segments", headers=club.headers())).json()["items"] == []


async def test_update_rename_and_soft_delete(client: httpx.AsyncClient, club: Club) -> None:
    await enrol(client, club, gender="female")
    segment = await new_segment(
        client, club, name="Women", definition={"type": "gender", "values": ["female"]}
    )
    url = f"/api/v1/segments/{segment['id']}"
    changed = await client.patch(
        url,
        json={"name": "Men", "definition": {"type": "gender", "values": ["male"]}},
        headers=club.headers(),
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Men"
    assert (await client.get(url + "/count", headers=club.headers())).json() == {"count": 0}
    taken = await new_segment(client, club, name="Women", kind="static")
    clash = await client.patch(
        f"/api/v1/segments/{taken['id']}", json={"name": "Men"}, headers=club.headers()
    )
    assert clash.status_code == 409 and error_code(clash) == "segment_name_taken"
    assert (await client.delete(url, headers=club.headers("manager"))).status_code == 204
    assert (await client.get(url, headers=club.headers())).status_code == 404
    assert [
        s["name"] for s in (await client.get("/api/v1/segments", headers=club.headers())).json()["items"]
    ] == ["Women"]
    # The name is free again once its segment is deleted.
    await new_segment(client, club, name="Men", definition=VIP)


async def test_bad_definitions_get_a_clear_error_and_save_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    cases = [
        ({"name": "x", "definition": {"type": "age", "min_age": 50, "max_age": 20}}, 422, "validation_error"),
        ({"name": "x"}, 422, "validation_error"),
        ({"name": "x", "kind": "static", "definition": VIP}, 422, "validation_error"),
        ({"name": "x", "definition": {"type": "branch", "branches": ["nowhere"]}}, 422, "invalid_input"),
    ]
    too_deep: dict[str, object] = VIP
    for _ in range(4):
        too_deep = {"type": "all", "conditions": [too_deep]}
    cases.append(({"name": "x", "definition": too_deep}, 422, "validation_error"))
    for body, status, code in cases:
        response = await client.post("/api/v1/segments", json=body, headers=club.headers())
        assert (response.status_code, error_code(response)) == (status, code), body
    assert (await client.get("/api/v1/segments", headers=club.headers())).json()["items"] == []
    static = await new_segment(client, club, name="list", kind="static")
    response = await client.patch(
        f"/api/v1/segments/{static['id']}", json={"definition": VIP}, headers=club.headers()
    )
    assert_refused(response, 409, "invalid_state")
    response = await client.post(
        f"/api/v1/segments/{static['id']}/members", json={"mobiles": ["12345"]}, headers=club.headers()
    )
    assert_refused(response, 422, "invalid_input")
    members = await client.get(f"/api/v1/segments/{static['id']}/members", headers=club.headers())
    assert members.json() == {"items": [], "next_cursor": None}


async def test_static_members_added_by_mobile_in_any_form_or_id_and_removed(
    client: httpx.AsyncClient, club: Club
) -> None:
    ana = await enrol(client, club, mobile="09121110001")
    bob = await enrol(client, club, mobile="09121110002")
    segment = await new_segment(client, club, name="Panel", kind="static")
    url = f"/api/v1/segments/{segment['id']}"
    added = await client.post(
        url + "/members", json={"mobiles": ["+98 912 111 0001", "۰۹۱۲۱۱۱۰۰۰۱"]}, headers=club.headers()
    )
    assert added.json() == {"added": 1, "already": 0}
    again = await client.post(
        url + "/members", json={"mobiles": ["9121110001"], "member_ids": [bob["id"]]}, headers=club.headers()
    )
    assert again.json() == {"added": 1, "already": 1}
    unknown = await client.post(
        url + "/members", json={"mobiles": ["09120000000"], "member_ids": [ana["id"]]}, headers=club.headers()
    )
    assert unknown.status_code == 422 and error_code(unknown) == "invalid_input"
    assert (await client.get(url + "/count", headers=club.headers())).json() == {"count": 2}
    assert (await client.delete(url + f"/members/{ana['id']}", headers=club.headers())).status_code == 204
    members = (await client.get(url + "/members", headers=club.headers())).json()["items"]
    assert [m["id"] for m in members] == [bob["id"]]
    dynamic = await new_segment(client, club, name="VIP", definition=VIP)
    refused = await client.post(
        f"/api/v1/segments/{dynamic['id']}/members", json={"member_ids": [ana["id"]]}, headers=club.headers()
    )
    assert refused.status_code == 409 and error_code(refused) == "invalid_state"


async def test_owner_and_manager_write_integration_reads_cashier_sees_nothing(
    client: httpx.AsyncClient, club: Club
) -> None:
    member = await enrol(client, club, tags=["vip"])
    segment = await new_segment(client, club, name="VIP", definition=VIP)
    url = f"/api/v1/segments/{segment['id']}"
    for role in ("owner", "manager", "integration"):
        assert (await client.get(url + "/count", headers=club.headers(role))).json() == {"count": 1}, role
        assert (await client.get(url + "/members", headers=club.headers(role))).status_code == 200
    for method, path, body in [
        ("GET", "/api/v1/segments", None),
        ("GET", url, None),
        ("GET", url + "/count", None),
        ("GET", url + "/members", None),
        ("POST", "/api/v1/segments", {"name": "y", "definition": VIP}),
        ("POST", "/api/v1/segments/preview", {"definition": VIP}),
    ]:
        response = await client.request(method, path, json=body, headers=club.headers("cashier"))
        assert (response.status_code, error_code(response)) == (403, "forbidden"), (method, path)
    for method, path, body in [
        ("POST", "/api/v1/segments", {"name": "y", "definition": VIP}),
        ("PATCH", url, {"name": "z"}),
        ("DELETE", url, None),
        ("POST", "/api/v1/segments/preview", {"definition": VIP}),
    ]:
        response = await client.request(method, path, json=body, headers=club.headers("integration"))
        assert response.status_code == 403, (method, path)
    static = await new_segment(client, club, name="list", kind="static")
    response = await client.post(
        f"/api/v1/segments/{static['id']}/members",
        json={"member_ids": [member["id"]]},
        headers=club.headers("integration"),
    )
    assert response.status_code == 403
    assert (await client.get(url, headers=club.headers("owner"))).json()["name"] == "VIP"


async def test_another_club_neither_sees_the_segment_nor_its_members_nor_adds_its_own(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    other = await make_club(db, "beta")
    ours = await enrol(client, club, tags=["vip"])
    theirs = await enrol(client, other, tags=["vip"])
    segment = await new_segment(client, club, name="VIP", definition=VIP)
    url = f"/api/v1/segments/{segment['id']}"
    for path in (url, url + "/count", url + "/members"):
        response = await client.get(path, headers=other.headers())
        assert (response.status_code, error_code(response)) == (404, "not_found"), path
    assert (await client.get("/api/v1/segments", headers=other.headers())).json()["items"] == []
    members = (await client.get(url + "/members", headers=club.headers())).json()["items"]
    assert [m["id"] for m in members] == [ours["id"]]
    mine = await new_segment(client, club, name="list", kind="static")
    response = await client.post(
        f"/api/v1/segments/{mine['id']}/members", json={"member_ids": [theirs["id"]]}, headers=club.headers()
    )
    assert response.status_code == 422
    # Both clubs may use the same segment name.
    response = await client.post(
        "/api/v1/segments", json={"name": "VIP", "definition": VIP}, headers=other.headers()
    )
    assert response.status_code == 201
    counted = await client.get(f"/api/v1/segments/{response.json()['id']}/count", headers=other.headers())
    assert counted.json() == {"count": 1}
