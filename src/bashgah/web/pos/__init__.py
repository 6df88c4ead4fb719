"""The cashier's till (/pos): find or enrol a member, record a sale (points, coupon, reward code), print the
receipt, refund it. Every action calls the same services as the API, one transaction per use case; the
sale and the refund forms carry a key rendered with the form, so sending one twice does it once.

One module per screen (``lookup``, ``member``, ``sale``, ``receipt``, ``refund``, ``cards``); ``typed``
reads the forms, ``pricing`` prices a sale for its confirm step, ``common`` holds what they share.
"""

from __future__ import annotations

from fastapi import APIRouter

from bashgah.web.pos import cards, lookup, member, receipt, refund, sale

router = APIRouter()
for screen in (lookup, member, sale, receipt, refund, cards):
    router.include_router(screen.router)
