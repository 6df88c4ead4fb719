"""Members in the console (/console/members): the search and the profile (``profile``), the changes
confirmed in two steps (``confirm``) and the profile's own fields (``edit``)."""

from __future__ import annotations

from fastapi import APIRouter

from bashgah.web.console.members import confirm, edit, profile

router = APIRouter(include_in_schema=False)
for part in (profile, confirm, edit):
    router.include_router(part.router)
