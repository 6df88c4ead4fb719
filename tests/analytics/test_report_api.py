"""``GET /api/v1/reports/{name}`` and programme health, with the sales made through the real API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
from openpyxl import load_workbook
from sqlalchemy import select, update

from bashgah.core.db import Database
from bashgah.ledger.tasks import expire_points
from bashgah.models import PointLot
from support import Club, bought, enrol, error_code, execute, reserve, set_program


async def _programme(db: Database, client: httpx.AsyncClient, club: Club) -> tuple[int, int]:
    """X buys 1,000,000 (100 points) and 200,000 spending 30 (17 more); Y buys 500,000, whose 50
    points then expire; X holds 7 for a redemption. Default programme: 1 point per 10,000 rials, a
    point is worth 1,000 rials, 12 months to expiry."""
    x = (await enrol(client, club))["id"]
    y = (await enrol(client, club))["id"]
    await bought(client, club, x, 1_000_000)
    await bought(client, club, y, 500_000)
    await bought(client, club, x, 200_000, redeem=30)
    async with db.transaction() as session:
        y_lot = await session.scalar(select(PointLot.id).where(PointLot.amount == 50))
    await execute(
        db,
        update(PointLot).where(PointLot.id == y_lot).values(expires_at=datetime.now(UTC) - timedelta(days=1)),
    )
    async with db.transaction() as session:
        assert await expire_points(session) == 50
    held = await reserve(client, club, x, 7)
    assert held.status_code == 201, held.text
    return x, y


async def test_programme_health(db: Database, client: httpx.AsyncClient, club: Club) -> None:
    await _programme(db, client, club)
    response = await client.get(
        "/api/v1/reports/health", headers=club.headers("manager", **{"Accept-Language": "en"})
    )
    assert response.status_code == 200, response.text
    tables = {table["name"]: table for table in response.json()["tables"]}
    summary = {row["metric_key"]: row["value"] for row in tables["summary"]["rows"]}
    # X: 100 − 30 + 17 = 87 points, 7 of them held; Y: 0.
    assert summary["outstanding_points"] == 87
    assert summary["held_points"] == 7
    assert summary["liability_rials"] == 87_000
    assert summary["issued_points"] == 167
    assert summary["expired_points"] == 50
    assert summary["redeemed_points"] == 30
    assert summary["breakage"] == round(50 / 167, 4)
    assert summary["redemption_rate"] == round(30 / 167, 4)
    assert summary["member_revenue_rials"] == 1_700_000
    assert "member_revenue_share" not in summary
    # The 80 points left in lots expire 12 months after the sales, in one month.
    months = tables["by_expiry_month"]["rows"]
    assert len(months) == 1 and months[0]["points"] == 80 and months[0]["liability_rials"] == 80_000
    main = next(row for row in tables["by_branch"]["rows"] if row["branch"] == "main")
    assert (main["purchases"], main["revenue_rials"], main["earned"], main["burned"]) == (
        3,
        1_700_000,
        167,
        30,
    )
    assert main["discount_rials"] == 30_000
    shared = await client.get(
        "/api/v1/reports/health?store_revenue_rials=3400000", headers=club.headers("owner")
    )
    rows = {t["name"]: t for t in shared.json()["tables"]}["summary"]["rows"]
    share = next(row for row in rows if row["metric_key"] == "member_revenue_share")
    assert share["value"] == 0.5
    assert share["metric"] == "سهم اعضا از فروش"


async def test_reports_are_for_owners_and_managers(client: httpx.AsyncClient, club: Club) -> None:
    for role, status in (("owner", 200), ("manager", 200), ("cashier", 403), ("integration", 403)):
        response = await client.get("/api/v1/reports/rfm", headers=club.headers(role))
        assert response.status_code == status, (role, response.text)
    assert (await client.get("/api/v1/reports/rfm")).status_code == 401
    missing = await client.get("/api/v1/reports/nonsense", headers=club.headers())
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    bad = await client.get("/api/v1/reports/rfm?window_days=0", headers=club.headers())
    assert bad.status_code == 422


async def test_report_labels_follow_accept_language_and_export(
    db: Database, client: httpx.AsyncClient, club: Club
) -> None:
    x = (await enrol(client, club, first_name="سارا"))["id"]
    await bought(client, club, x, 1_000_000)
    fa = (await client.get("/api/v1/reports/rfm", headers=club.headers())).json()
    en = (
        await client.get("/api/v1/reports/rfm", headers=club.headers(**{"Accept-Language": "en-GB"}))
    ).json()
    fa_members, en_members = fa["tables"][1], en["tables"][1]
    # Scores rank members against each other: a club's only buyer ranks last on everything.
    assert fa_members["rows"][0]["group"] == "از دست رفته‌ها" and en_members["rows"][0]["group"] == "Lost"
    assert fa_members["columns"][-2]["label"] == "گروه" and en_members["columns"][-2]["label"] == "Group"

    as_csv = await client.get(
        "/api/v1/reports/rfm?format=csv", headers=club.headers(**{"Accept-Language": "en"})
    )
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    header, row = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert header[:3] == ["Member", "Name", "Mobile"]
    assert row[0] == str(x) and row[1] == "سارا" and row[-1] == "lost"

    as_xlsx = await client.get("/api/v1/reports/rfm?format=xlsx", headers=club.headers())
    book = load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    assert book.sheetnames == ["گروه‌ها", "اعضا"]
    rows = list(book["اعضا"].iter_rows(values_only=True))
    assert rows[0][0] == "عضو" and rows[1][0] == x and rows[1][-2] == "از دست رفته‌ها"


async def test_programme_health_by_campaign(client: httpx.AsyncClient, club: Club) -> None:
    created = await client.post(
        "/api/v1/campaigns",
        json={
            "name_fa": "هدیه اولین خرید",
            "name_en": "First purchase gift",
            "rules": [
                {
                    "key": "first",
                    "conditions": [{"type": "first_purchase"}],
                    "effects": [{"type": "fixed_bonus", "points": 500}],
                }
            ],
        },
        headers=club.headers("manager"),
    )
    assert created.status_code == 201, created.text
    member = (await enrol(client, club))["id"]
    await bought(client, club, member, 100_000)
    await bought(client, club, member, 100_000)
    for lang, name in (("en", "First purchase gift"), ("fa", "هدیه اولین خرید")):
        response = await client.get(
            "/api/v1/reports/health", headers=club.headers(**{"Accept-Language": lang})
        )
        tables = {table["name"]: table for table in response.json()["tables"]}
        assert tables["by_campaign"]["rows"] == [
            {"campaign_id": created.json()["id"], "name": name, "awards": 1, "points": 500}
        ]
        summary = {row["metric_key"]: row["value"] for row in tables["summary"]["rows"]}
        # 10 + 10 points earned on the two sales, 500 given by the campaign.
        assert summary["issued_points"] == 520 and summary["outstanding_points"] == 520


async def test_points_that_never_expire_have_their_own_line(client: httpx.AsyncClient, club: Club) -> None:
    await set_program(client, club, expiry_mode="never")
    member = (await enrol(client, club))["id"]
    await bought(client, club, member, 300_000)
    for lang, label in (("en", "Never"), ("fa", "بدون انقضا")):
        response = await client.get(
            "/api/v1/reports/health", headers=club.headers(**{"Accept-Language": lang})
        )
        tables = {table["name"]: table for table in response.json()["tables"]}
        assert tables["by_expiry_month"]["rows"] == [
            {"month": label, "points": 30, "liability_rials": 30_000}
        ]
