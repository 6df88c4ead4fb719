"""Each kind of segment condition, on hand-made members and purchases with exact dates."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError
from segment_helpers import NOW, matching, sale, score
from sqlalchemy import func, select

from bashgah.analytics.labels import GROUPS
from bashgah.core.db import Database
from bashgah.core.errors import InvalidInput
from bashgah.models import Member
from bashgah.segments import service
from bashgah.segments.schemas import CONDITION
from support import Club, enrol, give_points, refund

VALID_NATIONAL_CODE = "0013542419"


async def test_gender_with_unknown_for_members_who_did_not_say(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    ana = await enrol(client, club, gender="female")
    bob = await enrol(client, club, gender="male")
    cyd = await enrol(client, club)
    assert await matching(db, club, {"type": "gender", "values": ["female"]}) == {ana["id"]}
    assert await matching(db, club, {"type": "gender", "values": ["male", "unknown"]}) == {
        bob["id"],
        cyd["id"],
    }


async def test_has_email_and_national_code_given_or_not(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    ana = await enrol(client, club, email="ana@example.com", national_code=VALID_NATIONAL_CODE)
    bob = await enrol(client, club)
    assert await matching(db, club, {"type": "has_field", "field": "email"}) == {ana["id"]}
    assert await matching(db, club, {"type": "has_field", "field": "email", "present": False}) == {bob["id"]}
    assert await matching(db, club, {"type": "has_field", "field": "national_code"}) == {ana["id"]}
    assert await matching(db, club, {"type": "has_field", "field": "birth_date"}) == set()


async def test_age_counts_whole_years_up_to_the_day_before_the_birthday(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    # On 1 November 2026 (Tehran): 20 until 1 Nov 2026 inclusive of 1 Nov as the 21st birthday.
    turns_21_today = await enrol(client, club, birth_date="2005-11-01")
    turns_21_tomorrow = await enrol(client, club, birth_date="2005-11-02")
    thirty = await enrol(client, club, birth_date="1996-01-15")
    await enrol(client, club)  # no birth date: never matches an age
    assert await matching(db, club, {"type": "age", "max_age": 20}) == {turns_21_tomorrow["id"]}
    assert await matching(db, club, {"type": "age", "min_age": 21, "max_age": 30}) == {
        turns_21_today["id"],
        thirty["id"],
    }
    assert await matching(db, club, {"type": "age", "min_age": 31}) == set()


async def test_tags_any_or_all_with_persian_letter_forms_folded(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    vip_coffee = await enrol(client, club, tags=["مشتری ویژه", "coffee"])
    coffee = await enrol(client, club, tags=["coffee"])
    await enrol(client, club, tags=[])
    # Arabic yeh in the condition still finds the Persian tag.
    assert await matching(db, club, {"type": "tags", "tags": ["مشتري ويژه"]}) == {vip_coffee["id"]}
    assert await matching(db, club, {"type": "tags", "tags": ["coffee", "tea"]}) == {
        vip_coffee["id"],
        coffee["id"],
    }
    assert await matching(db, club, {"type": "tags", "tags": ["coffee", "مشتری ویژه"], "match": "all"}) == {
        vip_coffee["id"]
    }
    assert await matching(db, club, {"type": "tags", "tags": ["coffee", "tea"], "match": "all"}) == set()


async def test_enrolment_branch(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    at_main = await enrol(client, club, branch="main")
    online = await enrol(client, club, branch="online")
    await enrol(client, club)
    assert await matching(db, club, {"type": "branch", "branches": ["main"]}) == {at_main["id"]}
    assert await matching(db, club, {"type": "branch", "branches": ["main", "online"]}) == {
        at_main["id"],
        online["id"],
    }


async def test_consent_status_and_points_balance(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    sms = await enrol(client, club, sms_consent=True)
    email = await enrol(client, club, email="e@example.com", email_consent=True)
    blocked = await enrol(client, club)
    response = await client.post(
        f"/api/v1/members/{blocked['id']}/block", json={"reason": "fraud"}, headers=club.headers()
    )
    assert response.status_code == 200, response.text
    await give_points(client, club, sms["id"], 500)
    await give_points(client, club, email["id"], 499)
    assert await matching(db, club, {"type": "consent", "channel": "sms"}) == {sms["id"]}
    assert await matching(db, club, {"type": "consent", "channel": "email"}) == {email["id"]}
    assert await matching(db, club, {"type": "consent", "channel": "sms", "given": False}) == {
        email["id"],
        blocked["id"],
    }
    assert await matching(db, club, {"type": "status", "status": "blocked"}) == {blocked["id"]}
    assert await matching(db, club, {"type": "points_balance", "min_points": 500}) == {sms["id"]}
    assert await matching(db, club, {"type": "points_balance", "max_points": 0}) == {blocked["id"]}


async def test_spend_in_a_window_is_net_of_refunds(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    big = await enrol(client, club)
    refunded = await enrol(client, club)
    old = await enrol(client, club)
    await sale(client, club, big["id"], 3_000_000, days_ago=10)
    await sale(client, club, big["id"], 2_000_000, days_ago=89.9)
    bought = await sale(client, club, refunded["id"], 6_000_000, days_ago=5)
    assert (await refund(client, club, bought["id"], amount_rials=1_000_001)).status_code == 201
    await sale(client, club, old["id"], 9_000_000, days_ago=90.1)
    rich = {"type": "spend", "days": 90, "min_rials": 5_000_000}
    assert await matching(db, club, rich) == {big["id"]}
    assert await matching(db, club, {"type": "spend", "days": 90, "max_rials": 4_999_999}) == {
        refunded["id"],
        old["id"],
    }
    assert await matching(db, club, {"type": "spend", "days": 91, "min_rials": 9_000_000}) == {old["id"]}


async def test_visits_in_a_window_leave_out_purchases_refunded_in_full(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    regular = await enrol(client, club)
    returner = await enrol(client, club)
    for days_ago in (1, 12, 29.5):
        await sale(client, club, regular["id"], 100_000, days_ago=days_ago)
    for days_ago in (2, 3):
        await sale(client, club, returner["id"], 100_000, days_ago=days_ago)
    returned = await sale(client, club, returner["id"], 100_000, days_ago=4)
    assert (await refund(client, club, returned["id"])).status_code == 201
    assert await matching(db, club, {"type": "visits", "days": 30, "min_visits": 3}) == {regular["id"]}
    assert await matching(db, club, {"type": "visits", "days": 29, "min_visits": 3}) == set()
    assert await matching(db, club, {"type": "visits", "days": 30, "min_visits": 2, "max_visits": 2}) == {
        returner["id"]
    }


async def test_days_since_last_purchase(client: httpx.AsyncClient, club: Club, db: Database) -> None:
    lapsed = await enrol(client, club)
    recent = await enrol(client, club)
    never = await enrol(client, club)
    await sale(client, club, lapsed["id"], 100_000, days_ago=200)
    await sale(client, club, lapsed["id"], 100_000, days_ago=60.5)
    await sale(client, club, recent["id"], 100_000, days_ago=59.5)
    assert await matching(db, club, {"type": "days_since_last_purchase", "min_days": 60}) == {lapsed["id"]}
    assert await matching(
        db, club, {"type": "days_since_last_purchase", "min_days": 60, "include_never": True}
    ) == {lapsed["id"], never["id"]}
    # 59.5 days ago is 59 whole days; 60.5 is 60.
    assert await matching(db, club, {"type": "days_since_last_purchase", "max_days": 59}) == {recent["id"]}
    assert await matching(db, club, {"type": "days_since_last_purchase", "min_days": 60, "max_days": 60}) == {
        lapsed["id"]
    }


async def test_birthday_month_follows_the_jalali_calendar_across_leap_years(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    last_of_esfand_1378 = await enrol(client, club, birth_date="2000-03-19")
    nowruz_1379 = await enrol(client, club, birth_date="2000-03-20")
    thirtieth_esfand_1379 = await enrol(client, club, birth_date="1379/12/30")  # 2001-03-20
    nowruz_1380 = await enrol(client, club, birth_date="2001-03-21")
    last_of_azar = await enrol(client, club, birth_date="1999-12-21")
    first_of_dey = await enrol(client, club, birth_date="1999-12-22")
    aban = await enrol(client, club, birth_date="۱۳۶۹/۰۸/۲۰")
    await enrol(client, club)
    assert await matching(db, club, {"type": "birthday_month", "months": [12]}) == {
        last_of_esfand_1378["id"],
        thirtieth_esfand_1379["id"],
    }
    assert await matching(db, club, {"type": "birthday_month", "months": [1]}) == {
        nowruz_1379["id"],
        nowruz_1380["id"],
    }
    assert await matching(db, club, {"type": "birthday_month", "months": [9, 10]}) == {
        last_of_azar["id"],
        first_of_dey["id"],
    }
    assert await matching(db, club, {"type": "birthday_month", "months": [10]}) == {first_of_dey["id"]}
    # 1 November 2026 is 10 Aban 1405.
    assert await matching(db, club, {"type": "birthday_month", "this_month": True}) == {aban["id"]}
    assert await matching(
        db, club, {"type": "birthday_month", "this_month": True}, at=NOW + timedelta(days=30)
    ) == {last_of_azar["id"]}


async def test_all_and_any_combine_nested_conditions(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    woman_spender = await enrol(client, club, gender="female", sms_consent=True)
    woman_quiet = await enrol(client, club, gender="female", sms_consent=True)
    man_vip = await enrol(client, club, gender="male", tags=["vip"], sms_consent=True)
    man_no_consent = await enrol(client, club, gender="male", tags=["vip"])
    await sale(client, club, woman_spender["id"], 5_000_000, days_ago=3)
    definition = {
        "type": "all",
        "conditions": [
            {"type": "consent", "channel": "sms"},
            {
                "type": "any",
                "conditions": [
                    {"type": "spend", "days": 90, "min_rials": 5_000_000},
                    {"type": "tags", "tags": ["vip"]},
                ],
            },
        ],
    }
    assert await matching(db, club, definition) == {woman_spender["id"], man_vip["id"]}
    assert woman_quiet["id"] not in await matching(db, club, definition)
    assert man_no_consent["id"] not in await matching(db, club, definition)


@pytest.mark.parametrize(
    "definition",
    [
        {"type": "age"},
        {"type": "age", "min_age": 40, "max_age": 30},
        {"type": "spend", "days": 0, "min_rials": 1},
        {"type": "tags", "tags": ["  "]},
        {"type": "birthday_month", "months": [13]},
        {"type": "birthday_month", "months": [1], "this_month": True},
        {"type": "gender", "values": ["robot"]},
        {"type": "all", "conditions": []},
        {"type": "favourite_colour", "colour": "blue"},
        {"type": "status", "status": "active", "extra": 1},
        {"type": "rfm_group", "groups": ["vips"]},
        {"type": "rfm_group", "groups": ["champions"], "window_days": 90},
    ],
)
def test_malformed_definitions_are_refused(definition: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CONDITION.validate_python(definition)


async def test_rfm_group_uses_the_rfm_report_scores_stored_by_the_job(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    # Five buyers with distinct recency, frequency and money: buyer i scores i on R, F and M.
    buyers = [await enrol(client, club) for _ in range(5)]
    for i, buyer in enumerate(buyers, start=1):
        for k in range(i):
            await sale(client, club, buyer["id"], i * 100_000, days_ago=60 - 10 * i + 15 * k)
    never = await enrol(client, club)
    champions = {"type": "rfm_group", "groups": ["champions"]}
    # Nobody is in a group until the scoring job has run.
    assert await matching(db, club, champions) == set()
    assert await score(db) == 5
    assert await matching(db, club, champions) == {buyers[4]["id"]}
    assert await matching(db, club, {"type": "rfm_group", "groups": ["lost", "need_attention"]}) == {
        buyers[0]["id"],
        buyers[2]["id"],
    }
    # The same as the RFM report says, group by group; who never bought is in no group.
    from bashgah.analytics import reports

    async with db.transaction() as session:
        report = await reports.rfm(session, club.tenant_id, "en", reports.Params(as_of=NOW))
    for row in report.as_dicts("members"):
        assert row["member_id"] in await matching(
            db, club, {"type": "rfm_group", "groups": [row["group_key"]]}
        )
    everyone = {"type": "rfm_group", "groups": list(GROUPS)}
    assert never["id"] not in await matching(db, club, everyone)
    assert len(await matching(db, club, everyone)) == 5


async def test_tier_level_with_members_never_placed_at_the_entry_level(
    client: httpx.AsyncClient, club: Club, db: Database
) -> None:
    gold = await enrol(client, club)
    entry = await enrol(client, club)
    # No ladder yet: the codes are refused, and a stored definition naming them matches nobody.
    with pytest.raises(InvalidInput):
        await matching(db, club, {"type": "tier", "levels": ["bronze"]})
    async with db.transaction() as session:
        where = await service.predicate(
            session, club.tenant_id, CONDITION.validate_python({"type": "tier", "levels": ["bronze"]})
        )
        assert await session.scalar(select(func.count()).select_from(Member).where(where)) == 0
    ladder = {
        "metric": "spend",
        "window": "rolling",
        "window_months": 12,
        "levels": [
            {"code": "bronze", "name_fa": "برنزی", "name_en": "Bronze", "threshold": 0},
            {"code": "gold", "name_fa": "طلایی", "name_en": "Gold", "threshold": 50_000_000},
        ],
    }
    response = await client.put("/api/v1/tiers", json=ladder, headers=club.headers())
    assert response.status_code == 200, response.text
    response = await client.post(
        f"/api/v1/members/{gold['id']}/tier",
        json={"level": "gold", "reason": "loyal since 1390"},
        headers=club.headers(),
    )
    assert response.status_code == 200, response.text
    assert await matching(db, club, {"type": "tier", "levels": ["gold"]}) == {gold["id"]}
    assert await matching(db, club, {"type": "tier", "levels": ["bronze"]}) == {entry["id"]}
    assert await matching(db, club, {"type": "tier", "levels": ["bronze", "gold"]}) == {
        gold["id"],
        entry["id"],
    }
    unknown = await client.post(
        "/api/v1/segments/preview",
        json={"definition": {"type": "tier", "levels": ["platinum"]}},
        headers=club.headers(),
    )
    assert unknown.status_code == 422
