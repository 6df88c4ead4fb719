"""Yearly gifts in the console: the owner gives 500 points at Nowruz, changes it to start three days
early and pauses it; a Yalda gift of nothing is refused with what was typed; an analyst only reads."""

from __future__ import annotations

from typing import Any

from web_helpers import WebClient, audit_actions

NOWRUZ = {
    "kind": "nowruz",
    "name_fa": "عیدی نوروز",
    "name_en": "Nowruz gift",
    "points": "۵۰۰",
    "days_early": "0",
}


async def _rules(web: WebClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (
        await web.http.get("/api/v1/occasions", headers=web.club.headers("manager"))
    ).json()["items"]
    return found


async def test_the_owner_gives_points_at_nowruz_moves_it_three_days_early_and_pauses_it(
    web: WebClient,
) -> None:
    await web.sign_in_as("owner", "sara")
    saved = await web.submit("/console/club/occasions", "/console/club/occasions", NOWRUZ)
    assert saved.status_code == 303, saved.text
    [rule] = await _rules(web)
    assert (rule["kind"], rule["points"], rule["tiers"], rule["active"]) == ("nowruz", 500, [], True)
    listed = (await web.get("/console/club/occasions")).text
    assert "عیدی نوروز" in listed and "۵۰۰" in listed and "همه" in listed

    edit = await web.get(f"/console/club/occasions/{rule['id']}")
    assert 'value="عیدی نوروز"' in edit.text
    changed = await web.submit(
        f"/console/club/occasions/{rule['id']}",
        f"/console/club/occasions/{rule['id']}",
        {**NOWRUZ, "days_early": "3"},
    )
    assert changed.status_code == 303, changed.text
    paused = await web.submit(
        "/console/club/occasions", f"/console/club/occasions/{rule['id']}/active", {"active": "0"}
    )
    assert paused.status_code == 303
    [rule] = await _rules(web)
    assert (rule["days_early"], rule["active"], rule["points"]) == (3, False, 500)
    assert await audit_actions(web, "occasion.") == [
        "occasion.created",
        "occasion.changed",
        "occasion.changed",
    ]


async def test_a_yalda_gift_of_nothing_is_refused_with_what_was_typed(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    refused = await web.submit(
        "/console/club/occasions",
        "/console/club/occasions",
        {**NOWRUZ, "kind": "yalda", "name_fa": "شب یلدا", "points": "0"},
    )
    assert refused.status_code == 422
    assert "امتیاز یا جایزه یا هر دو را تعیین کنید" in refused.text and 'value="شب یلدا"' in refused.text
    too_early = await web.submit(
        "/console/club/occasions", "/console/club/occasions", {**NOWRUZ, "days_early": "90"}
    )
    assert too_early.status_code == 422 and "«روزهای زودتر» باید حداکثر ۶۰ باشد" in too_early.text
    assert await _rules(web) == [] and await audit_actions(web, "occasion.") == []


async def test_an_analyst_reads_the_yearly_gifts_but_cannot_change_them(web: WebClient) -> None:
    await web.sign_in_as("manager", "mina")
    assert (await web.submit("/console/club/occasions", "/console/club/occasions", NOWRUZ)).status_code == 303
    web.http.cookies.clear()
    await web.sign_in_as("analyst", "nazanin")
    page = await web.get("/console/club/occasions")
    assert page.status_code == 200 and "عیدی نوروز" in page.text
    assert 'id="occasion-form"' not in page.text and "/active" not in page.text
    assert (await web.http.post("/console/club/occasions", data={"csrf": "x", **NOWRUZ})).status_code == 403
    assert await audit_actions(web, "occasion.") == ["occasion.created"]
