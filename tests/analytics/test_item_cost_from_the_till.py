"""Item costs sent by the till reach the Pareto report's profit figures."""

from __future__ import annotations

import json
from typing import Any

import httpx

from support import Club, purchase


async def test_item_costs_sent_with_a_sale_give_the_pareto_profit(
    client: httpx.AsyncClient, club: Club, member: dict[str, Any]
) -> None:
    items = [{"sku": "tea", "quantity": 2, "unit_price_rials": 500_000, "unit_cost_rials": 300_000}]
    sale = await purchase(client, club, member["id"], 1_000_000, items=items)
    assert sale.status_code == 201, sale.text

    report = await client.get("/api/v1/reports/pareto", headers=club.headers(**{"Accept-Language": "en"}))
    assert report.status_code == 200, report.text
    text = json.dumps(report.json())
    assert "profit_rials" in text and "400000" in text  # 2 × (500,000 − 300,000)
