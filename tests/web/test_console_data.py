"""Import and export in the console: a members file comes in with its progress on a page, a file with a
problem imports nothing and says where, and every table goes out as CSV or XLSX."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from web_helpers import WebClient, csrf_of

from bashgah.models import AuditEntry, Member, Staff, Transfer
from support import enrol, ledger_problems

GOOD = "mobile,first_name,last_name\n09120000001,سارا,احمدی\n09120000002,Ali,Karimi\n۰۹۱۲۰۰۰۰۰۰۳,نرگس,\n"
BAD = "mobile,first_name\n09120000001,Sara\nnot-a-phone,Ali\n"


async def _members(web: WebClient) -> int:
    async with web.db.transaction() as session:
        return int(await session.scalar(select(func.count(Member.id))) or 0)


async def _import(web: WebClient, what: str, name: str, content: str) -> str:
    """Send the file and follow the progress page until the import is over; its last HTML."""
    token = csrf_of((await web.get("/console/club/data")).text)
    started = await web.http.post(
        "/console/club/data/import",
        data={"csrf": token, "what": what},
        files={"file": (name, content.encode(), "text/csv")},
    )
    assert started.status_code == 303, started.text
    for _ in range(200):
        html = (await web.get(started.headers["location"])).text
        if 'http-equiv="refresh"' not in html:
            return html
        await asyncio.sleep(0.05)
    raise AssertionError("the import did not finish")


async def test_a_manager_imports_members_from_a_file_and_sees_the_result(web: WebClient) -> None:
    await enrol(web.http, web.club, "09120000002")  # already a member: skipped
    await web.sign_in_as("manager", "mina")
    html = await _import(web, "members", "members.csv", GOOD)
    assert "انجام شد: ۲ مورد افزوده شد، ۱ مورد از قبل بود." in html
    assert await _members(web) == 3
    async with web.db.transaction() as session:
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "import"))
        ).all()
    assert actions == ["data.members_imported"]


async def test_a_file_with_a_problem_imports_nothing_and_says_which_line_in_the_page_language(
    web: WebClient,
) -> None:
    await web.sign_in_as("owner", "sara")
    html = await _import(web, "members", "members.csv", BAD)
    assert "فایل ۱ ایراد دارد؛ چیزی وارد نشد." in html
    assert "سطر ۳، mobile (موبایل): شماره موبایل معتبر نیست" in html
    assert "line 3" not in html
    web.http.cookies.set("bg_lang", "en")
    html = await _import(web, "members", "members.csv", BAD)
    assert "The file has 1 problem(s); nothing was imported." in html
    assert "line 3, mobile: not a valid mobile number" in html
    assert await _members(web) == 0


async def test_a_file_that_is_not_csv_or_xlsx_is_refused_at_once(web: WebClient) -> None:
    await web.sign_in_as("owner", "sara")
    web.http.cookies.set("bg_lang", "en")
    token = csrf_of((await web.get("/console/club/data")).text)
    refused = await web.http.post(
        "/console/club/data/import",
        data={"csrf": token, "what": "members"},
        files={"file": ("members.xls", b"\xd0\xcf", "application/vnd.ms-excel")},
    )
    assert refused.status_code == 422 and "use a .csv (UTF-8) or .xlsx file" in refused.text


async def test_members_and_the_ledger_are_exported_in_the_page_language(web: WebClient) -> None:
    await enrol(web.http, web.club, "09121234567", first_name="سارا")
    await web.sign_in_as("manager", "mina")
    csv = await web.get("/console/club/data/export", params={"what": "members", "format": "csv"})
    assert csv.status_code == 200 and "سارا" in csv.text
    xlsx = await web.get("/console/club/data/export", params={"what": "ledger", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


async def test_an_analyst_can_neither_import_nor_download_the_members(web: WebClient) -> None:
    await web.sign_in_as("analyst", "nazanin")
    html = (await web.get("/console/club/data")).text
    assert 'action="/console/club/data/import"' not in html
    assert "/console/club/data/export" not in html


async def test_imported_purchases_earn_points_in_the_name_of_the_manager(web: WebClient) -> None:
    member = await enrol(web.http, web.club, "09125550000")
    await web.sign_in_as("manager", "mina")
    purchases = (
        "branch,external_id,total_rials,occurred_at,mobile\nmain,IMP-1,2000000,1405/08/01 10:00,09125550000\n"
    )
    html = await _import(web, "purchases", "sales.csv", purchases)
    assert "انجام شد: ۱ مورد افزوده شد، ۰ مورد از قبل بود." in html
    async with web.db.transaction() as session:
        staff_id = await session.scalar(select(Staff.id).where(Staff.username == "mina"))
        actors = set((await session.scalars(select(Transfer.actor))).all())
    assert f"staff:{staff_id}" in actors
    profile = (await web.get(f"/console/members/{member['id']}")).text
    assert "امتیاز خرید" in profile
    assert await ledger_problems(web.db) == []
