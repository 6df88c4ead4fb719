"""Campaigns in the console (/console/campaigns): the list and the editor (``pages``, with the form's
conversion to and from the campaign's JSON in ``form``) and the ``examine`` preview (``examine``, routed
before ``/{campaign_id}``)."""

from __future__ import annotations

from fastapi import APIRouter

from bashgah.web.console.campaigns import examine, pages

router = APIRouter(include_in_schema=False)
router.include_router(examine.router)
router.include_router(pages.router)
