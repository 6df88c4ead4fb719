"""Static segments from CSV/XLSX lists, exports that import back, and is_member for campaigns."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook
from segment_helpers import NOW, sale, score

from bashgah.core.db import Database
from bashgah.importing.report import ImportRejected
from bashgah.segments import service
from bashgah.segments.schemas import SegmentCreate, SegmentUpdate
from support import Club, enrol, make_club


async def _segment(db: Database, club: Club, **body: object) -> int:
    async with db.transaction() as session:
        segment = await service.create(session, club.tenant_id, SegmentCreate.model_validate(body))
        return segment.id


async def _members(db: Database, club: Club, segment_id: int) -> list[int]:
    async with db.transaction() as session:
        page, _ = await service.list_members(session, club.tenant_id, segment_id, limit=500)
        return [m.id for m in page]


async def _import(
    db: Database, club: Club, segment_id: int, path: Path, replace: bool = False
) -> service.StaticChange:
    async with db.transaction() as session:
        return await service.import_file(session, club.tenant_id, segment_id, path, replace)


async def test_a_csv_list_of_mobiles_in_any_form_fills_a_static_segment(
    client: httpx.AsyncClient, club: Club, db: Database, tmp_path: Path
) -> None:
    ana = await enrol(client, club, mobile="09121110001")
    bob = await enrol(client, club, mobile="09121110002")
    await enrol(client, club, mobile="09121110003")
    segment_id = await _segment(db, club, name="Panel", kind="static")
    listed = tmp_path / "panel.csv"
    listed.write_text(
        "شماره موبایل;name\n+98 912 111 0001;Ana\n\n۰۹۱۲۱۱۱۰۰۰۲;Bob\n9121110001;Ana again\n", "utf-8"
    )
    change = await _import(db, club, segment_id, listed)
    assert (change.added, change.already) == (2, 0)
    assert await _members(db, club, segment_id) == [ana["id"], bob["id"]]


async def test_a_list_with_a_bad_line_is_rejected_line_by_line_and_changes_nothing(
    client: httpx.AsyncClient, club: Club, db: Database, tmp_path: Path
) -> None:
    ana = await enrol(client, club, mobile="09121110001")
    await enrol(client, club, mobile="09121110002")
    segment_id = await _segment(db, club, name="Panel", kind="static")
    first = tmp_path / "first.csv"
    first.write_text("mobile\n09121110001\n", "utf-8")
    await _import(db, club, segment_id, first)
    bad = tmp_path / "bad.csv"
    bad.write_text("mobile\n09121110002\n0912-not-a-number\n09129999999\n", "utf-8")
    with pytest.raises(ImportRejected) as rejected:
        await _import(db, club, segment_id, bad, replace=True)
    assert [(e.line, e.column, e.message) for e in rejected.value.errors] == [
        (3, "mobile", "not a valid mobile number"),
        (4, "mobile", "no member of the club has this mobile"),
    ]
    assert await _members(db, club, segment_id) == [ana["id"]]


async def test_an_xlsx_list_replaces_the_members_when_asked(
    client: httpx.AsyncClient, club: Club, db: Database, tmp_path: Path
) -> None:
    ana = await enrol(client, club, mobile="09121110001")
    bob = await enrol(client, club, mobile="09121110002")
    segment_id = await _segment(db, club, name="Panel", kind="static")
    async with db.transaction() as session:
        await service.add_members(session, club.tenant_id, segment_id, member_ids=[ana["id"]])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mobile"])
    sheet.append([9121110002])  # a spreadsheet keeps it as a number and drops the 0
    path = tmp_path / "panel.xlsx"
    book.save(path)
    change = await _import(db, club, segment_id, path, replace=True)
    assert (change.added, change.removed) == (1, 1)
    assert await _members(db, club, segment_id) == [bob["id"]]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_an_exported_segment_imports_back_as_the_same_static_segment(
    client: httpx.AsyncClient, club: Club, db: Database, tmp_path: Path, suffix: str
) -> None:
    vips = [await enrol(client, club, tags=["vip"], first_name="علی") for _ in range(3)]
    await enrol(client, club)
    dynamic_id = await _segment(db, club, name="VIP", definition={"type": "tags", "tags": ["vip"]})
    path = tmp_path / f"vip{suffix}"
    for lang in ("fa", "en"):
        async with db.transaction() as session:
            written = await service.export(session, club.tenant_id, dynamic_id, path, lang)
        assert written == 3
        static_id = await _segment(db, club, name=f"VIP copy {lang}", kind="static")
        change = await _import(db, club, static_id, path)
        assert change.added == 3
        assert await _members(db, club, static_id) == [v["id"] for v in vips]


async def test_is_member_for_static_and_dynamic_segments_and_after_changes(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    spender = await enrol(client, club)
    other = await enrol(client, club)
    await sale(client, club, spender["id"], 5_000_000, days_ago=10)
    rich = await _segment(
        db, club, name="rich", definition={"type": "spend", "days": 90, "min_rials": 5_000_000}
    )
    panel = await _segment(db, club, name="panel", kind="static")
    async with db.transaction() as session:
        await service.add_members(session, club.tenant_id, panel, member_ids=[other["id"]])
    async with db.transaction() as session:
        assert await service.is_member(session, club.tenant_id, rich, spender["id"], at=NOW)
        assert not await service.is_member(session, club.tenant_id, rich, other["id"], at=NOW)
        # 81 days on, the purchase (91 days old) has left the 90-day window.
        assert not await service.is_member(
            session, club.tenant_id, rich, spender["id"], at=NOW + timedelta(days=81)
        )
        assert await service.is_member(session, club.tenant_id, panel, other["id"])
        assert not await service.is_member(session, club.tenant_id, panel, spender["id"])
        # An unknown segment, or another club's, matches nobody.
        assert not await service.is_member(session, club.tenant_id, 10_000, spender["id"])
    beta = await make_club(db, "beta")
    async with db.transaction() as session:
        assert not await service.is_member(session, beta.tenant_id, panel, other["id"])
    # An edit is seen at once (the cached definition is dropped); a deleted segment matches nobody.
    async with db.transaction() as session:
        await service.update(
            session,
            club.tenant_id,
            rich,
            SegmentUpdate.model_validate(
                {"definition": {"type": "spend", "days": 90, "min_rials": 6_000_000}}
            ),
        )
    async with db.transaction() as session:
        assert not await service.is_member(session, club.tenant_id, rich, spender["id"], at=NOW)
        await service.delete_segment(session, club.tenant_id, panel)
    async with db.transaction() as session:
        assert not await service.is_member(session, club.tenant_id, panel, other["id"])


async def test_is_member_of_an_rfm_segment(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    # Five buyers with distinct recency, frequency and money: the last scores 5, 5, 5 (champions).
    buyers = [await enrol(client, club) for _ in range(5)]
    for i, buyer in enumerate(buyers, start=1):
        for k in range(i):
            await sale(client, club, buyer["id"], i * 100_000, days_ago=60 - 10 * i + 15 * k)
    best, least = buyers[4], buyers[0]
    await score(db, at=None)  # the nightly job, by the real clock
    segment_id = await _segment(
        db, club, name="best", definition={"type": "rfm_group", "groups": ["champions"]}
    )
    async with db.transaction() as session:
        assert await service.is_member(session, club.tenant_id, segment_id, best["id"])
        assert not await service.is_member(session, club.tenant_id, segment_id, least["id"])
        assert await service.is_member(session, club.tenant_id, segment_id, best["id"], at=NOW)
        assert await service.count(session, club.tenant_id, segment_id) == 1


@pytest.mark.parametrize(("fmt", "lang"), [("csv", "fa"), ("xlsx", "en")])
async def test_the_api_export_downloads_a_file_that_imports_back(
    client: httpx.AsyncClient, club: Club, db: Database, tmp_path: Path, fmt: str, lang: str
) -> None:
    vips = [await enrol(client, club, tags=["vip"]) for _ in range(2)]
    await enrol(client, club)
    dynamic_id = await _segment(db, club, name="VIP", definition={"type": "tags", "tags": ["vip"]})
    response = await client.get(
        f"/api/v1/segments/{dynamic_id}/export?format={fmt}",
        headers=club.headers("manager", **{"Accept-Language": lang}),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="segment-{dynamic_id}.{fmt}"'
    path = tmp_path / f"download.{fmt}"
    path.write_bytes(response.content)
    if fmt == "csv":
        assert response.content.decode("utf-8-sig").splitlines()[0].startswith("شناسه عضو,موبایل")
    static_id = await _segment(db, club, name="copy", kind="static")
    assert (await _import(db, club, static_id, path)).added == 2
    assert await _members(db, club, static_id) == [v["id"] for v in vips]
    for role in ("cashier", "integration"):
        refused = await client.get(f"/api/v1/segments/{dynamic_id}/export", headers=club.headers(role))
        assert refused.status_code == 403
