"""``bashgah segments list|show|count|export|import`` against the test database."""

from __future__ import annotations

from pathlib import Path

import httpx

from bashgah.analytics.labels import GROUPS
from support import Cli, Club, enrol


async def test_list_show_count_export_and_import_from_the_command_line(
    client: httpx.AsyncClient, club: Club, cli: Cli, tmp_path: Path
) -> None:
    for _ in range(2):
        await enrol(client, club, tags=["vip"])
    await enrol(client, club)
    vip = await client.post(
        "/api/v1/segments",
        json={"name": "VIP", "definition": {"type": "tags", "tags": ["vip"]}},
        headers=club.headers(),
    )
    static = await client.post(
        "/api/v1/segments", json={"name": "Copy", "kind": "static"}, headers=club.headers()
    )
    vip_id, static_id = str(vip.json()["id"]), str(static.json()["id"])

    listed = await cli("segments", "list", "--tenant", "alpha")
    assert listed.exit_code == 0, listed.output
    assert "VIP" in listed.output and "static" in listed.output
    shown = await cli("segments", "show", vip_id)
    assert shown.exit_code == 0 and "2 members" in shown.output and '"vip"' in shown.output
    assert (await cli("segments", "count", vip_id)).output.strip() == "2"

    exported = tmp_path / "vip.xlsx"
    result = await cli("segments", "export", vip_id, str(exported), "--lang", "fa")
    assert result.exit_code == 0, result.output
    result = await cli("segments", "import", static_id, str(exported))
    assert result.exit_code == 0, result.output
    assert "2 added, 0 already in it" in result.output
    assert (await cli("segments", "count", static_id)).output.strip() == "2"

    bad = tmp_path / "bad.csv"
    bad.write_text("mobile\n09120000000\n", "utf-8")
    result = await cli("segments", "import", static_id, str(bad), "--replace", "--lang", "en")
    assert result.exit_code == 1
    assert "line 2, mobile: no member of the club has this mobile" in result.output
    assert (tmp_path / "bad.csv.errors.csv").exists()
    result = await cli("segments", "import", static_id, str(bad), "--replace")  # the club speaks Persian
    assert result.exit_code == 1
    assert "سطر ۲، mobile (موبایل): هیچ عضو باشگاه این موبایل را ندارد" in result.output
    assert (await cli("segments", "count", static_id)).output.strip() == "2"

    missing = await cli("segments", "count", "999")
    assert missing.exit_code == 2 and "not found" in missing.output


async def test_jobs_run_scores_stores_the_scores_that_rfm_segments_read(
    client: httpx.AsyncClient, club: Club, cli: Cli
) -> None:
    buyer = await enrol(client, club)
    await enrol(client, club)
    sold = await client.post(
        "/api/v1/purchases",
        json={"member": {"id": buyer["id"]}, "branch": "main", "external_id": "S-1", "total_rials": 100_000},
        headers=club.headers("cashier", **{"Idempotency-Key": "s-1"}),
    )
    assert sold.status_code == 201, sold.text
    scored = await client.post(
        "/api/v1/segments",
        json={"name": "Scored", "definition": {"type": "rfm_group", "groups": list(GROUPS)}},
        headers=club.headers(),
    )
    scored_id = str(scored.json()["id"])
    assert (await cli("segments", "count", scored_id)).output.strip() == "0"  # not scored yet
    for _ in range(2):  # safe to run twice
        result = await cli("jobs", "run", "scores")
        assert result.exit_code == 0, result.output
        assert "scores: 1" in result.output
    assert (await cli("segments", "count", scored_id)).output.strip() == "1"
