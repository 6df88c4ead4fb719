"""``bashgah wallet top-up`` and ``bashgah gift-cards issue`` run the API's services."""

from __future__ import annotations

from pathlib import Path

import httpx
from wallet_helpers import card, wallet_of

from bashgah.core.db import Database
from support import Cli, Club, enrol, ledger_problems


async def test_a_top_up_and_a_batch_of_gift_cards_from_the_command_line(
    client: httpx.AsyncClient, club: Club, db: Database, cli: Cli, tmp_path: Path
) -> None:
    member = await enrol(client, club)
    topped = await cli("wallet", "top-up", str(member["id"]), "250000", "--reference", "T-9")
    assert topped.exit_code == 0, topped.output
    assert (await wallet_of(client, club, member["id"]))["balance"]["total_rials"] == 250_000

    out = tmp_path / "cards.csv"
    issued = await cli(
        "gift-cards",
        "issue",
        "--value",
        "100000",
        "--count",
        "3",
        "--batch",
        "b1",
        "--expires",
        "2099-03-20",
        "--out",
        str(out),
    )
    assert issued.exit_code == 0, issued.output
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 4 and lines[0] == "code,value_rials,expires_at"
    first = await card(client, club, lines[1].split(",")[0])
    assert (first["balance_rials"], first["batch"], first["expires_at"][:10]) == (100_000, "b1", "2099-03-20")
    refused = await cli("wallet", "top-up", "999999", "1000")
    assert refused.exit_code == 2 and "not found" in refused.output
    assert await ledger_problems(db) == []
