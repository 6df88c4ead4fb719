"""Why stored value cannot be spent, as domain errors with Persian and English messages."""

from __future__ import annotations

from bashgah.core.errors import Code, Conflict, Money, NotFound, words

words(
    {
        "insufficient_wallet": (
            "Not enough in the wallet: {available} available, {requested} requested.",
            "موجودی کیف پول کافی نیست: {available} موجود است و {requested} درخواست شده.",
        ),
        "gift_card_unknown": ("There is no gift card with this code.", "کارت هدیه‌ای با این کد وجود ندارد."),
        "gift_card_closed": (
            "This gift card cannot be used: it is {status}.",
            "از این کارت هدیه نمی‌توان استفاده کرد: {status_fa}.",
        ),
        "insufficient_gift_card": (
            "Not enough on the gift card: {available} left, {requested} requested.",
            "موجودی کارت هدیه کافی نیست: {available} مانده و {requested} درخواست شده.",
        ),
        "gift_card_code_taken": (
            "The code {code} is already used by another gift card of this club.",
            "کد {code} قبلاً برای کارت هدیهٔ دیگری در این باشگاه ثبت شده است.",
        ),
    }
)

#: What a gift card that cannot be used has become, in Persian.
_CLOSED_FA = {"used_up": "موجودی آن تمام شده", "expired": "منقضی شده", "cancelled": "باطل شده"}


class InsufficientWallet(Conflict, code="insufficient_wallet"):
    kinds = {"available": Money, "requested": Money}
    takes = ("available", "requested")


class GiftCardUnknown(NotFound, code="gift_card_unknown"): ...


class GiftCardClosed(Conflict, code="gift_card_closed"):
    def __init__(self, status: str) -> None:
        super().__init__(status=status.replace("_", " "), status_fa=_CLOSED_FA.get(status, status))


class InsufficientGiftCard(Conflict, code="insufficient_gift_card"):
    kinds = {"available": Money, "requested": Money}
    takes = ("available", "requested")


class GiftCardCodeTaken(Conflict, code="gift_card_code_taken"):
    kinds = {"code": Code}
    takes = ("code",)
