"""How an asset is described to the ledger.

The ledger keeps every asset the same way (accounts, transfers, lots, holds); what differs is policy,
and the domain that owns an asset says it once, in an :class:`Asset`: its statement texts, the codes its
adjustments and expiries are posted under, what a manual take-away may take and the error for asking too
much. The ledger's asset-aware functions (``take``, ``adjust``, ``statement``, ``tasks.expire_lots``)
take that description; the ledger never imports the domains that own one (``wallet.service.WALLET``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bashgah.core.errors import BashgahError, InsufficientPoints
from bashgah.ledger.accounts import POINTS


@dataclass(frozen=True)
class Asset:
    #: ``accounts.asset`` of its accounts (``ledger.accounts.ASSETS``).
    name: str
    #: Statement texts per transfer code: (English, Persian). A code without one shows itself.
    texts: Mapping[str, tuple[str, str]]
    #: The codes a manual adjustment and the expiry job post under.
    adjust_code: str
    expire_code: str
    #: Raised when more is asked than there is: ``shortfall(available, requested)``.
    shortfall: Callable[[int, int], BashgahError]
    #: A manual take-away may take what is still pending too (True), or only what could be spent now.
    take_pending: bool = False
    #: Its accounts have two-phase holds, which a lapse gives back before anything is taken.
    holds: bool = False

    def describe(self, code: str, lang: str) -> str:
        en, fa = self.texts.get(code, (code, code))
        return fa if lang == "fa" else en


#: The member's points. What can be taken by hand is what the member could spend: points still in their
#: return window go back by a refund of the sale; expired ones are already gone; held ones are the hold's
#: until it ends.
MEMBER_POINTS = Asset(
    name=POINTS,
    texts={
        "earn": ("Points earned on a purchase", "امتیاز خرید"),
        "redeem": ("Points spent", "مصرف امتیاز"),
        "earn_reversal": ("Points taken back for a return", "کسر امتیاز بابت مرجوعی"),
        "redeem_return": ("Spent points given back for a return", "بازگشت امتیاز مصرف‌شده بابت مرجوعی"),
        "expire": ("Points expired", "انقضای امتیاز"),
        "adjust": ("Manual adjustment", "اصلاح دستی"),
        "transfer": ("Transfer", "انتقال امتیاز"),
        "bonus": ("Campaign bonus", "امتیاز جشنواره"),
        "bonus_reversal": ("Campaign bonus taken back for a return", "کسر امتیاز جشنواره بابت مرجوعی"),
        "occasion": (
            "Occasion gift (birthday, anniversary, Nowruz, Yalda)",
            "هدیهٔ مناسبت (تولد، سالگرد، نوروز، یلدا)",
        ),
    },
    adjust_code="adjust",
    expire_code="expire",
    shortfall=InsufficientPoints,
    holds=True,
)
