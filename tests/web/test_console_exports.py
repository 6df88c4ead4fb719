"""Downloads of personal data and codes in the console: an analyst is refused (in fa and en), a manager's
download is written in the audit log without the data, and the club can let its analysts download too."""

from __future__ import annotations

import html

import httpx
import pytest
from sqlalchemy import select, update
from web_helpers import WebClient

from bashgah.models import AuditEntry, Staff, Tenant
from support import enrol, execute, purchase

REFUSED = {
    "fa": "دریافت فایل اطلاعات شخصی اعضا یا کدها فقط برای مالک و مدیر است",
    "en": "Only owners and managers may download members' personal data or codes",
}


async def _coupon_batch(web: WebClient) -> int:
    response = await web.http.post(
        "/api/v1/coupons/batches",
        json={"name": "یلدا", "discount_type": "fixed", "discount_value": 100_000, "count": 3},
        headers=web.club.headers("manager"),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _gift_cards(web: WebClient) -> str:
    response = await web.http.post(
        "/api/v1/gift-cards",
        json={"value_rials": 1_000_000, "count": 2, "batch": "nowruz"},
        headers=web.club.headers("manager"),
    )
    assert response.status_code == 201, response.text
    return "nowruz"


async def _downloads(web: WebClient) -> list[str]:
    member = await enrol(web.http, web.club, "09121234567", first_name="سارا")
    assert (await purchase(web.http, web.club, member["id"], 1_000_000)).status_code == 201
    batch = await _coupon_batch(web)
    cards = await _gift_cards(web)
    return [
        "/console/club/data/export?what=members&format=csv",
        "/console/club/data/export?what=purchases&format=xlsx",
        "/console/club/data/export?what=ledger&format=csv",
        f"/console/club/coupons/{batch}/codes.csv",
        f"/console/club/giftcards/batch.csv?batch={cards}",
        "/console/reports/rfm/download?format=csv",
        "/console/reports/rfm/download?format=xlsx",
    ]


async def _exports_logged(web: WebClient) -> list[tuple[str, int | None, dict[str, object]]]:
    async with web.db.transaction() as session:
        rows = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.actor_staff_id, AuditEntry.summary)
                .where(AuditEntry.action.like("%exported"))
                .order_by(AuditEntry.id)
            )
        ).all()
    return [(action, actor, summary) for action, actor, summary in rows]


@pytest.mark.parametrize("lang", ["fa", "en"])
async def test_an_analyst_cannot_download_members_purchases_the_ledger_codes_or_named_reports(
    web: WebClient, lang: str
) -> None:
    paths = await _downloads(web)
    await web.sign_in_as("analyst", "nazanin")
    web.http.cookies.set("bg_lang", lang)
    for path in paths:
        refused = await web.get(path)
        assert refused.status_code == 403, path
        assert REFUSED[lang] in html.unescape(refused.text), path
        assert "09121234567" not in refused.text and "۰۹۱۲۱۲۳۴۵۶۷" not in refused.text
    assert await _exports_logged(web) == []
    # The links are not offered either.
    assert "/console/club/data/export" not in (await web.get("/console/club/data")).text
    assert "/download?format=csv" not in (await web.get("/console/reports/rfm")).text


async def test_a_report_without_names_still_downloads_for_an_analyst(web: WebClient) -> None:
    member = await enrol(web.http, web.club)
    assert (await purchase(web.http, web.club, member["id"], 1_000_000)).status_code == 201
    await web.sign_in_as("analyst", "nazanin")
    health = await web.get("/console/reports/health/download", params={"format": "csv"})
    assert health.status_code == 200
    [(action, _, summary)] = await _exports_logged(web)
    assert action == "reports.exported" and summary["via"] == "console"


async def test_a_managers_downloads_are_in_the_audit_log_with_their_row_counts_only(web: WebClient) -> None:
    paths = await _downloads(web)
    await web.sign_in_as("manager", "mina")
    for path in paths:
        response = await web.get(path)
        assert response.status_code == 200, path
    async with web.db.transaction() as session:
        mina = await session.scalar(select(Staff.id).where(Staff.username == "mina"))
    logged = await _exports_logged(web)
    assert [action for action, _, _ in logged] == [
        "data.members_exported",
        "data.purchases_exported",
        "data.ledger_exported",
        "coupons.codes_exported",
        "giftcards.codes_exported",
        "reports.exported",
        "reports.exported",
    ]
    assert {actor for _, actor, _ in logged} == {mina}
    members, purchases, _, coupons, cards, *_ = (summary for _, _, summary in logged)
    assert members == {"rows": 1, "format": "csv", "via": "console"}
    assert purchases["rows"] == 1 and purchases["format"] == "xlsx"
    assert coupons["rows"] == 3 and cards["rows"] == 2
    assert "0912" not in str(logged) and "سارا" not in str(logged)


async def test_the_club_can_let_its_analysts_download_too(web: WebClient) -> None:
    paths = await _downloads(web)
    await web.sign_in_as("owner", "sara")
    settings = (await web.get("/console/club/settings")).text
    assert (
        'name="analysts_may_export"' in settings
        and "checked" not in settings.split("analysts_may_export")[1][:40]
    )
    saved = await web.submit(
        "/console/club/settings",
        "/console/club/settings",
        {
            "earn_points": "1",
            "earn_per": "10000",
            "rounding": "floor",
            "point_value": "100",
            "pending_days": "0",
            "expiry_mode": "never",
            "expiry_months": "12",
            "refund_policy": "within_balance",
            "reservation_minutes": "15",
            "money_display": "toman",
            "analysts_may_export": "1",
        },
    )
    assert saved.status_code == 303, saved.text
    async with web.db.transaction() as session:
        assert await session.scalar(select(Tenant.analysts_may_export)) is True
    web.http.cookies.clear()
    await web.sign_in_as("analyst", "nazanin")
    for path in paths:
        assert (await web.get(path)).status_code == 200, path
    assert "/console/club/data/export" in (await web.get("/console/club/data")).text
    logged = await _exports_logged(web)
    assert len(logged) == len(paths)


async def test_api_downloads_of_codes_and_members_are_audited_and_kept_from_integrations(
    web: WebClient,
) -> None:
    await _downloads(web)
    http: httpx.AsyncClient = web.http
    club = web.club
    segment = await http.post(
        "/api/v1/segments",
        json={"name": "all", "definition": {"type": "status", "status": "active"}},
        headers=club.headers("manager"),
    )
    assert segment.status_code == 201, segment.text
    seg_id = segment.json()["id"]
    batch = await _coupon_batch(web)
    files = [
        f"/api/v1/coupons/batches/{batch}/codes.csv",
        "/api/v1/gift-cards/batches/nowruz.csv",
        f"/api/v1/segments/{seg_id}/export?format=csv",
        "/api/v1/reports/rfm?format=csv",
    ]
    for path in files:
        for role in ("integration", "cashier"):
            refused = await http.get(path, headers=club.headers(role, **{"Accept-Language": "en"}))
            assert refused.status_code == 403, (path, role)
    assert await _exports_logged(web) == []
    for path in files:
        assert (await http.get(path, headers=club.headers("manager"))).status_code == 200, path
    logged = await _exports_logged(web)
    assert [a for a, _, _ in logged] == [
        "coupons.codes_exported",
        "giftcards.codes_exported",
        "segments.exported",
        "reports.exported",
    ]
    assert all(s["via"] == "api" and isinstance(s["key_id"], int) for _, _, s in logged)
    # JSON reads are not downloads.
    assert (await http.get("/api/v1/reports/rfm", headers=club.headers("manager"))).status_code == 200
    assert len(await _exports_logged(web)) == 4


async def test_the_setting_is_off_for_a_new_club(web: WebClient) -> None:
    async with web.db.transaction() as session:
        assert await session.scalar(select(Tenant.analysts_may_export)) is False
    await execute(web.db, update(Tenant).values(analysts_may_export=True))
    await web.sign_in_as("analyst", "nazanin")
    assert (await web.get("/console/club/data/export?what=members")).status_code == 200
