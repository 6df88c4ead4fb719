"""The interactive API docs work without internet: every asset comes from the app itself."""

from __future__ import annotations

import re

import httpx


async def test_the_docs_page_loads_swagger_from_the_app_not_a_cdn(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert assets, page.text
    for asset in assets:
        assert asset.startswith("/"), f"off-host asset {asset}"
        assert (await client.get(asset)).status_code == 200, asset
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/purchases" in spec["paths"]
