"""Making coupon batches and checking codes through the API, as a shop's staff would."""

from __future__ import annotations

from typing import Any

import httpx

from support import Club


async def new_batch(client: httpx.AsyncClient, club: Club, **fields: Any) -> dict[str, Any]:
    body = {"name": "کد تخفیف", "discount_type": "fixed", **fields}
    if body["discount_type"] == "fixed" and "discount_value" not in body:
        body.setdefault("discount_rials", 100_000)
    response = await client.post("/api/v1/coupons/batches", json=body, headers=club.headers("manager"))
    assert response.status_code == 201, response.text
    batch: dict[str, Any] = response.json()
    return batch


async def codes_of(client: httpx.AsyncClient, club: Club, batch_id: int) -> list[tuple[str, int]]:
    response = await client.get(f"/api/v1/coupons/batches/{batch_id}/codes.csv", headers=club.headers())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    header, *rows = response.text.splitlines()
    assert header == "code,uses"
    return [(code, int(uses)) for code, uses in (row.split(",") for row in rows)]


async def validate(
    client: httpx.AsyncClient, club: Club, code: str, member_id: int, total: int, lang: str = "en"
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/coupons/validate",
        json={"code": code, "member": {"id": member_id}, "total_rials": total},
        headers=club.headers("cashier", **{"Accept-Language": lang}),
    )
    assert response.status_code == 200, response.text
    verdict: dict[str, Any] = response.json()
    return verdict
