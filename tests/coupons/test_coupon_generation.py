"""Generating a batch of unique codes: fast, unique in the club, retried around codes already taken."""

from __future__ import annotations

import time

import httpx
import pytest
from coupon_helpers import codes_of

from bashgah.coupons import rules
from scenarios import new_batch
from support import Club, error_code


async def test_100000_unique_codes_in_one_go_within_seconds(client: httpx.AsyncClient, club: Club) -> None:
    started = time.perf_counter()
    batch = await new_batch(client, club, name="کمپین بزرگ", count=100_000, length=8, prefix="BG")
    took = time.perf_counter() - started
    codes = await codes_of(client, club, batch["id"])
    assert len(codes) == 100_000 and len({c for c, _ in codes}) == 100_000
    assert all(c.startswith("BG") and len(c) == 10 and set(c[2:]) <= set(rules.ALPHABET) for c, _ in codes)
    assert took < 15, f"{took:.1f} s"


async def test_codes_another_batch_already_has_are_drawn_again(
    client: httpx.AsyncClient, club: Club, monkeypatch: pytest.MonkeyPatch
) -> None:
    await new_batch(client, club, code="XAAAAA")
    real = rules.random_codes
    calls: list[int] = []

    def first_draw_collides(n: int, length: int, prefix: str) -> set[str]:
        calls.append(n)
        codes = real(n, length, prefix)
        if len(calls) == 1:
            codes.pop()
            codes.add("XAAAAA")  # taken by the universal batch above
        return codes

    monkeypatch.setattr(rules, "random_codes", first_draw_collides)
    batch = await new_batch(client, club, count=50, length=5, prefix="X")
    codes = [c for c, _ in await codes_of(client, club, batch["id"])]
    assert calls == [50, 1]
    assert len(set(codes)) == 50 and "XAAAAA" not in codes


async def test_a_batch_too_large_for_its_code_length_is_refused(
    client: httpx.AsyncClient, club: Club
) -> None:
    body = {"name": "x", "discount_type": "fixed", "discount_rials": 1000, "count": 100_000, "length": 4}
    response = await client.post("/api/v1/coupons/batches", json=body, headers=club.headers())
    assert response.status_code == 422 and error_code(response) == "invalid_input"
    listed = await client.get("/api/v1/coupons/batches", headers=club.headers())
    assert listed.json() == {"items": [], "next_cursor": None}
