"""Scenario steps the domain tests share (programme, stamps, purchases, rewards, tiers, occasions,
coupons): API calls that must succeed, a till's sale, a return, a reward, a coupon batch, a tier ladder.

The club, its keys and members come from ``support``; these are the steps a scenario takes with them.
"""

from __future__ import annotations

from typing import Any

import httpx

from support import Club, bought, enrol, give_points, refund


async def ok(
    client: httpx.AsyncClient,
    club: Club,
    path: str,
    body: dict[str, Any] | None = None,
    role: str = "manager",
    status: int = 201,
    method: str = "POST",
    **headers: str,
) -> Any:
    """Call the API as ``role``; the answer must have ``status``. Returns its body."""
    response = await client.request(method, path, json=body, headers=club.headers(role, **headers))
    assert response.status_code == status, response.text
    return response.json()


async def till_sale(
    client: httpx.AsyncClient, club: Club, member_id: int, total: int, **fields: Any
) -> dict[str, Any]:
    """A sale rung up by the cashier that must succeed; returns its body."""
    return await bought(client, club, member_id, total, role="cashier", **fields)


async def returned(client: httpx.AsyncClient, club: Club, purchase_id: int, **body: Any) -> dict[str, Any]:
    """A return (refund) the owner makes that must succeed; returns its body."""
    response = await refund(client, club, purchase_id, **body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def new_reward(client: httpx.AsyncClient, club: Club, **fields: Any) -> dict[str, Any]:
    """A catalogue reward (free shipping for 100 points unless ``fields`` say otherwise)."""
    body = {"name_fa": "جایزه", "name_en": "Reward", "kind": "free_shipping", "cost_points": 100, **fields}
    reward: dict[str, Any] = await ok(client, club, "/api/v1/rewards", body)
    return reward


async def new_batch(client: httpx.AsyncClient, club: Club, **fields: Any) -> dict[str, Any]:
    """A coupon batch (100,000 rials off unless ``fields`` say otherwise)."""
    body = {"name": "کد تخفیف", "discount_type": "fixed", **fields}
    if body["discount_type"] == "fixed" and "discount_value" not in body:
        body.setdefault("discount_rials", 100_000)
    batch: dict[str, Any] = await ok(client, club, "/api/v1/coupons/batches", body)
    return batch


def level(code: str, name_fa: str, name_en: str, threshold: int, **extra: Any) -> dict[str, Any]:
    """One level of a tier ladder's body."""
    return {"code": code, "name_fa": name_fa, "name_en": name_en, "threshold": threshold, **extra}


BRONZE = level("bronze", "برنزی", "Bronze", 0)


def ladder(*levels: dict[str, Any], **policy: Any) -> dict[str, Any]:
    """A tier ladder's body: spend over a rolling year, one level down after 30 days' grace, unless
    ``policy`` says otherwise."""
    body: dict[str, Any] = {
        "metric": "spend",
        "window": "rolling",
        "window_months": 12,
        "downgrade": "one_down",
        "grace_days": 30,
        **policy,
    }
    # Each level's threshold named by its unit, as the API names it (``threshold_rials`` for spend).
    named = f"threshold_{THRESHOLD_UNITS[body['metric']]}"
    body["levels"] = [{named if k == "threshold" else k: v for k, v in lv.items()} for lv in levels]
    return body


#: The unit a ladder's metric is counted in.
THRESHOLD_UNITS = {"spend": "rials", "points": "points", "visits": "visits"}


async def member_with(client: httpx.AsyncClient, club: Club, points: int) -> dict[str, Any]:
    """A new member given ``points`` by an adjustment, ready to spend them."""
    member = await enrol(client, club)
    await give_points(client, club, member["id"], points)
    return member


async def first_sale(
    client: httpx.AsyncClient, club: Club, total: int, points: int = 0, **fields: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new member (given ``points`` first, if any) and their sale of ``total`` rials: (member, sale)."""
    member = await member_with(client, club, points) if points else await enrol(client, club)
    return member, await bought(client, club, member["id"], total, **fields)
