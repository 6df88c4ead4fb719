"""A member's odd name never breaks a file or turns into a formula: control characters are dropped when the
name is typed (and when an old one is written out), a name that starts like a formula is written as text."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from bashgah.core.db import Database
from bashgah.models import Member, Segment
from support import Club, bought, enrol, execute

FORMULA = '=HYPERLINK("http://evil.example","click")'


async def _shop(db: Database, client: httpx.AsyncClient, club: Club) -> list[int]:
    ids = []
    for total in (900_000, 400_000, 250_000):
        member = (await enrol(client, club))["id"]
        await bought(client, club, member, total)
        await bought(client, club, member, total // 2)
        ids.append(member)
    return ids


async def test_a_control_character_typed_in_a_name_is_dropped(client: httpx.AsyncClient, club: Club) -> None:
    member = await enrol(client, club, first_name="سارا\x1b\x07", last_name="احمدی\x01")
    assert (member["first_name"], member["last_name"]) == ("سارا", "احمدی")
    changed = await client.patch(
        f"/api/v1/members/{member['id']}", json={"first_name": "Sara\x1f\x0b"}, headers=club.headers()
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["first_name"] == "Sara"


@pytest.mark.parametrize("name", ["rfm", "habits", "churn"])
async def test_reports_with_an_old_dirty_name_still_download_as_xlsx(
    db: Database, client: httpx.AsyncClient, club: Club, name: str
) -> None:
    first, *_ = await _shop(db, client, club)
    # A name stored before names were cleaned.
    await execute(db, update(Member).where(Member.id == first).values(first_name="سارا\x1b\x07"))
    response = await client.get(f"/api/v1/reports/{name}?format=xlsx", headers=club.headers("manager"))
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    if name != "churn":
        assert any(c.startswith("سارا") for c in cells)
    assert not any("\x1b" in c or "\x07" in c for c in cells)


async def test_a_name_that_looks_like_a_formula_is_written_as_text_in_every_file(
    db: Database, client: httpx.AsyncClient, club: Club
) -> None:
    first, *_ = await _shop(db, client, club)
    await execute(db, update(Member).where(Member.id == first).values(first_name=FORMULA, last_name="@x"))
    rfm = await client.get("/api/v1/reports/rfm?format=csv", headers=club.headers("manager"))
    assert rfm.status_code == 200, rfm.text
    names = [row[1] for row in csv.reader(io.StringIO(rfm.content.decode("utf-8-sig")))]
    assert f"'{FORMULA} @x" in names and FORMULA not in [n[: len(FORMULA)] for n in names]

    xlsx = await client.get("/api/v1/reports/habits?format=xlsx", headers=club.headers("manager"))
    book = load_workbook(io.BytesIO(xlsx.content))
    texts = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value.startswith("'=HYPERLINK") for c in texts)
    assert all(c.data_type != "f" for c in texts)

    async with db.transaction() as session:
        segment = Segment(
            tenant_id=club.tenant_id,
            name="all",
            kind="dynamic",
            definition={"type": "status", "status": "active"},
        )
        session.add(segment)
        await session.flush()
        segment_id = segment.id
    exported = await client.get(
        f"/api/v1/segments/{segment_id}/export?format=csv", headers=club.headers("manager")
    )
    assert exported.status_code == 200, exported.text
    cells = [c for row in csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))) for c in row]
    assert f"'{FORMULA}" in cells and FORMULA not in cells
