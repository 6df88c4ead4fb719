"""The member portal (/m): sign in with a code sent by SMS, then the member's points, history, rewards,
coupons and profile. Mobile first.

Every page takes the member's id from their session (``require_member``), never from the address or
the form, so a member can only ever read and change their own things. The member's session is a
``web_sessions`` row with ``member_id`` set: it opens no staff page, and a staff session opens no page
here. A receipt's QR code points at ``/m/<club>/login``; with a single club ``/m/login`` is enough.

One module per part (``signin``, ``home``, ``statements``, ``rewards``, ``profile``); ``common`` holds
the guard, the club, the tabs and the page helpers they share.
"""

from __future__ import annotations

from fastapi import APIRouter

from bashgah.web.portal import home, profile, rewards, signin, statements

router = APIRouter()
# Sign-in first: ``/m/<club>/login`` is matched before the pages' own paths with an id in them.
for part in (signin, home, statements, rewards, profile):
    router.include_router(part.router)
