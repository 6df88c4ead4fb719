"""The manager's console (/console): owners and managers change things, analysts only read.

One module per section (dashboard, members, campaigns, reports, data, purchases) and a package for the
club's set-up (``club``, a module per section); ``common`` holds the guards, the rendering, the page helper
(``FormPage``) and the audit helper they share; the fields are read by ``web.forms``.
"""

from __future__ import annotations

from fastapi import APIRouter

from bashgah.web.console import (
    campaigns,
    club,
    dashboard,
    data,
    members,
    purchases,
    reports,
)

router = APIRouter()
router.include_router(dashboard.router)
router.include_router(members.router)
router.include_router(purchases.router)
router.include_router(campaigns.router)
router.include_router(reports.router)
router.include_router(club.router)
router.include_router(data.router)
