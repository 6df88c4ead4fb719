"""The manager's console (/console): owners and managers change things, analysts only read.

One module per section (dashboard, members, campaigns, reports, club); ``common`` holds the guards, the
rendering, the form helpers and the audit helper they share.
"""

from __future__ import annotations

from fastapi import APIRouter

from bashgah.web.console import (
    campaigns,
    club,
    dashboard,
    data,
    giftcards,
    members,
    occasions,
    purchases,
    reports,
    stamps,
)

router = APIRouter()
router.include_router(dashboard.router)
router.include_router(members.router)
router.include_router(purchases.router)
router.include_router(campaigns.router)
router.include_router(reports.router)
router.include_router(club.router)
router.include_router(data.router)
router.include_router(giftcards.router)
router.include_router(stamps.router)
router.include_router(occasions.router)
