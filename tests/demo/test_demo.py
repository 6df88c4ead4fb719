"""``bashgah demo``: a believable club, made once, with a tour member who can spend points right away."""

from __future__ import annotations

import functools
import random
from collections import Counter
from datetime import UTC, date, datetime

import httpx
from demo_helpers import DemoBuild
from sqlalchemy import func, select

from bashgah.analytics import reports, trends
from bashgah.core.db import Database
from bashgah.core.normalize import ZWNJ, normalize_national_code, normalize_phone
from bashgah.demo import generate
from bashgah.demo import service as demo
from bashgah.models import ApiKey, Branch, Member, Purchase, Refund, Tenant, Transfer
from support import Cli, ledger_problems


async def counts(db: Database) -> tuple[int, ...]:
    async with db.transaction() as session:
        return tuple(
            [
                int(await session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (Tenant, Branch, Member, Purchase, Transfer, Refund)
            ]
        )


async def test_running_the_demo_again_adds_nothing_but_a_new_key(db: Database, cli: Cli) -> None:
    first = await cli("demo", "--members", "150")
    assert first.exit_code == 0, first.output
    before = await counts(db)
    second = await cli("demo", "--members", "150")
    assert second.exit_code == 0, second.output
    assert "already there" in second.stderr
    assert await counts(db) == before
    keys = {first.stdout.strip(), second.stdout.strip()}
    async with db.transaction() as session:
        names = (await session.scalars(select(ApiKey.name))).all()
    assert len(keys) == 2 and list(names) == ["demo", "demo"]
    assert await ledger_problems(db) == []


class Rules:
    earn_points = 1
    earn_per_rials = 10_000
    rounding = "floor"
    point_value_rials = 1_000
    pending_days = 7


def made(seed: int) -> tuple[list[generate.Customer], list[dict[str, str]]]:
    rng = random.Random(seed)
    people = generate.customers(rng, 2_000, date(2026, 3, 1))
    return people, generate.sales(rng, people, date(2026, 3, 1), Rules())


@functools.cache
def default_club() -> tuple[list[generate.Customer], list[dict[str, str]]]:
    """The default seed's club, made once for the tests that read it."""
    return made(demo.DEFAULT_SEED)


def test_the_same_seed_makes_the_same_club_and_another_seed_another() -> None:
    people, rows = default_club()
    again_people, again_rows = made(demo.DEFAULT_SEED)
    assert [p.record for p in people] == [p.record for p in again_people] and rows == again_rows
    assert made(7)[1] != rows


def test_the_generated_people_and_sales_look_like_a_real_chain_store() -> None:
    people, rows = default_club()
    mobiles = [normalize_phone(p.mobile) for p in people]
    assert len(set(mobiles)) == len(people)
    codes = [p.record["national_code"] for p in people if p.record.get("national_code")]
    assert len(codes) > 500 and all(normalize_national_code(c) == c for c in codes)
    names = {p.record["first_name"] for p in people} | {p.record["last_name"] for p in people}
    assert len(names) > 150 and any(ZWNJ in name for name in names)
    assert all(row["occurred_at"] < "2026-03-01" for row in rows)  # all before today

    spend = Counter[str]()
    for row in rows:
        spend[row["mobile"]] += int(row["total_rials"])
    ranked = sorted(spend.values(), reverse=True)
    assert sum(ranked[: len(people) // 5]) > 0.6 * sum(ranked)  # a fifth of the customers bring most
    redeeming = sum(1 for row in rows if row["redeem_points"])
    assert 0.01 * len(rows) < redeeming < 0.15 * len(rows)
    evenings = sum(1 for row in rows if "18:" <= row["occurred_at"][11:14] <= "21:")
    mornings = sum(1 for row in rows if "09:" <= row["occurred_at"][11:14] <= "11:")
    assert evenings > 2 * mornings


async def test_the_demo_club_comes_with_a_programme_to_show(
    demo_build: DemoBuild, demo_db: Database, demo_client: httpx.AsyncClient
) -> None:
    headers = {"Authorization": f"Bearer {demo_build.key}", "Accept-Language": "en"}
    client = demo_client

    async def names(path: str, field: str = "name_en") -> list[str]:
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        return [
            item["definition"][field] if "definition" in item else item[field]
            for item in response.json()["items"]
        ]

    assert "Double points on Thursday evenings" in await names("/api/v1/campaigns")
    assert "A free coffee" in await names("/api/v1/rewards")
    assert await names("/api/v1/stamp-cards") == ["Coffee card: buy 9, the 10th is on us"]
    assert await names("/api/v1/occasions") == ["Birthday gift"]
    ladder = await client.get("/api/v1/tiers", headers=headers)
    assert [level["code"] for level in ladder.json()["levels"]] == ["bronze", "silver", "gold", "vip"]
    card = await client.get("/api/v1/gift-cards/HEDIYE1405", headers=headers)
    assert card.status_code == 200 and card.json()["balance_rials"] == 1_000_000
    assert await ledger_problems(demo_db) == []


async def test_the_demo_clubs_history_is_dated_when_it_happened_not_on_the_day_it_was_made(
    demo_build: DemoBuild, demo_db: Database
) -> None:
    assert "462 points to spend, 85 pending" in demo_build.stderr  # the README's tour is unchanged
    now = datetime.now(UTC)
    async with demo_db.transaction() as session:
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == "demo"))
        assert tenant_id is not None
        activity = await trends.activity(session, tenant_id)
        months = await trends.monthly(session, tenant_id, months=8, lang="en")
        cohorts = await reports.cohorts(session, tenant_id, "en", reports.Params())
        first_purchase = (
            select(Purchase.member_id, func.min(Purchase.occurred_at).label("first"))
            .group_by(Purchase.member_id)
            .subquery()
        )
        members = (
            await session.execute(
                select(
                    Member.mobile, Member.created_at, Member.sms_consent_at, first_purchase.c.first
                ).outerjoin(first_purchase, first_purchase.c.member_id == Member.id)
            )
        ).all()
        returns = (
            await session.execute(
                select(Refund.created_at, Purchase.occurred_at).join(
                    Purchase, Purchase.id == Refund.purchase_id
                )
            )
        ).all()
        sale_points = (
            await session.execute(
                select(Transfer.created_at, Purchase.occurred_at)
                .join(Purchase, Purchase.id == Transfer.ref_id)
                .where(Transfer.ref_type == "purchase", Transfer.code.in_(("earn", "redeem")))
            )
        ).all()

    # "New in the last 30 days" is a realistic part of the club, not all of it.
    assert activity.members == 2_000
    assert 0.03 * 2_000 < activity.enrolled_30 < 0.25 * 2_000
    # Several enrolment months, each with members who came back later.
    sizes = [row[1] for row in cohorts.tables[0].rows if row[1]]
    assert len(sizes) >= 6 and max(sizes) < 0.5 * 2_000
    # The charts do not spike on the day the demo was made.
    this_month = months[-1]
    assert this_month.enrolled < 0.1 * sum(m.enrolled for m in months)
    assert this_month.points_issued < 0.1 * sum(m.points_issued for m in months)
    assert sum(1 for m in months if m.points_issued) >= 6

    # Everyone joined before their first purchase (never after it), and consented when they joined.
    assert all(joined <= first for _, joined, _, first in members if first is not None)
    assert all(joined < now for _, joined, _, _ in members)
    assert all(consent == joined for _, joined, consent, _ in members if consent is not None)
    sara = next(m for m in members if m.mobile == "+989121234567")
    assert sara.created_at < sara.first and (now - sara.created_at).days >= 149
    # Points move at the sale; a return comes after its sale and before now.
    assert sale_points and all(moved == sold for moved, sold in sale_points)
    assert returns and all(sold < back <= now for back, sold in returns)
    assert await ledger_problems(demo_db) == []


def test_each_generated_customer_joins_minutes_before_their_first_purchase() -> None:
    people, rows = default_club()
    first: dict[str, str] = {}
    for row in rows:
        first.setdefault(row["mobile"], row["occurred_at"])  # rows are in time order
    for person in people:
        joined = person.record["created_at"]
        assert joined < "2026-03-01"
        if person.mobile in first:
            assert joined < first[person.mobile] < joined[:10] + " 23:59:59"
    recent = sum(1 for p in people if p.record["created_at"] >= "2026-01-30")
    assert 0.03 * len(people) < recent < 0.25 * len(people)


def test_the_demo_rewards_and_campaigns_name_their_amounts_in_the_clubs_own_unit() -> None:
    # The demo club shows tomans; a reward called "500 thousand rials off" next to "50,000 toman" confuses.
    from bashgah.demo import programme
    from bashgah.web.fmt import DEFAULT_UNIT, money

    for reward in programme.REWARDS:
        amount = reward.get("discount_rials") or reward.get("credit_rials")
        if amount:
            assert money(amount, "fa", DEFAULT_UNIT) in reward["name_fa"]
            assert money(amount, "en", DEFAULT_UNIT) in reward["name_en"]
    basket = next(c for c in programme._campaigns(0) if "basket" in c["name_en"])
    floor = basket["rules"][0]["conditions"][0]["min_rials"]
    assert money(floor, "fa", DEFAULT_UNIT) in basket["name_fa"]
    assert money(floor, "en", DEFAULT_UNIT) in basket["name_en"]
    for thing in [*programme.REWARDS, *programme._campaigns(0)]:
        assert "ریال" not in thing["name_fa"] and "rial" not in thing["name_en"]


async def test_the_demo_club_has_a_tour_member_who_can_spend_points_with_the_printed_key(
    demo_build: DemoBuild, demo_db: Database, demo_client: httpx.AsyncClient
) -> None:
    # Last in this file: it adds a sale to the shared demo club, which the tests above only read.
    key = demo_build.key
    assert demo_build.stdout.strip() == key and key.startswith("bg_")  # stdout holds the key and nothing else
    assert "462 points to spend, 85 pending" in demo_build.stderr

    async with demo_db.transaction() as session:
        tenant = await session.scalar(select(Tenant).where(Tenant.slug == "demo"))
        branches = (await session.scalars(select(Branch).order_by(Branch.id))).all()
        members = int(await session.scalar(select(func.count(Member.id))) or 0)
        refunds = int(await session.scalar(select(func.count(Refund.id))) or 0)
    assert tenant is not None and tenant.name == "فروشگاه زنجیره‌ای نمونه"
    assert [(b.code, b.name, b.kind) for b in branches] == [
        ("tehran-vanak", "ونک", "store"),
        ("tehran-tajrish", "تجریش", "store"),
        ("online", "فروشگاه اینترنتی", "online"),
    ]
    assert members == 2_000 and refunds > 0
    assert await ledger_problems(demo_db) == []

    # The README's tour: find Sara by her mobile and spend 100 of her points at the till.
    headers = {"Authorization": f"Bearer {key}"}
    found = await demo_client.get("/api/v1/members/lookup", params={"q": "09121234567"}, headers=headers)
    assert found.status_code == 200, found.text
    sara = found.json()["items"][0]
    assert (sara["first_name"], sara["last_name"]) == ("سارا", "محمدی")
    sale = await demo_client.post(
        "/api/v1/purchases",
        json={
            "member": {"mobile": "09121234567"},
            "branch": "tehran-vanak",
            "external_id": "TOUR-1",
            "total_rials": 500_000,
            "redeem_points": 100,
        },
        headers={**headers, "Idempotency-Key": "tour-1"},
    )
    assert sale.status_code == 201, sale.text
    assert sale.json()["discount_rials"] == 100_000
    assert sale.json()["balance"]["available"] == 462 - 100
    assert await ledger_problems(demo_db) == []
