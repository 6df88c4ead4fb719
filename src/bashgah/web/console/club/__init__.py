"""The club's set-up (/console/club): a module per section — programme settings, tiers, rewards, coupon
batches, branches, staff, API keys, gift cards, stamp cards, occasions — and the audit log. Every change
calls the same service as the API or the CLI, in one transaction, and writes one audit line; a refusal
shows the page again with the message and what was typed (``common.FormPage``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from bashgah.web.console.club import (
    audit,
    branches,
    coupons,
    giftcards,
    keys,
    occasions,
    rewards,
    settings,
    staff,
    stamps,
    tiers,
)
from bashgah.web.console.common import Reader

router = APIRouter(include_in_schema=False)


@router.get("/console/club")
async def club(user: Reader) -> Response:
    return RedirectResponse("/console/club/settings", status_code=303)


for section in (
    settings,
    tiers,
    rewards,
    coupons,
    branches,
    staff,
    keys,
    audit,
    giftcards,
    stamps,
    occasions,
):
    router.include_router(section.router)
