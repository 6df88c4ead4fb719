"""Why stored value cannot be spent, as domain errors with Persian and English messages."""

from __future__ import annotations

from bashgah.core.errors import Code, Conflict, Money, NotFound


class InsufficientWallet(Conflict):
    code = "insufficient_wallet"
    message_en = "Not enough in the wallet: {available} available, {requested} requested."
    message_fa = "موجودی کیف پول کافی نیست: {available} موجود است و {requested} درخواست شده."
    kinds = {"available": Money, "requested": Money}
    takes = ("available", "requested")


class GiftCardUnknown(NotFound):
    code = "gift_card_unknown"
    message_en = "There is no gift card with this code."
    message_fa = "کارت هدیه‌ای با این کد وجود ندارد."


class GiftCardClosed(Conflict):
    code = "gift_card_closed"
    message_en = "This gift card cannot be used: it is {status}."
    message_fa = "از این کارت هدیه نمی‌توان استفاده کرد: {status_fa}."

    def __init__(self, status: str) -> None:
        status_fa = {"used_up": "موجودی آن تمام شده", "expired": "منقضی شده", "cancelled": "باطل شده"}
        super().__init__(status=status.replace("_", " "), status_fa=status_fa.get(status, status))


class InsufficientGiftCard(Conflict):
    code = "insufficient_gift_card"
    message_en = "Not enough on the gift card: {available} left, {requested} requested."
    message_fa = "موجودی کارت هدیه کافی نیست: {available} مانده و {requested} درخواست شده."
    kinds = {"available": Money, "requested": Money}
    takes = ("available", "requested")


class GiftCardCodeTaken(Conflict):
    code = "gift_card_code_taken"
    message_en = "The code {code} is already used by another gift card of this club."
    message_fa = "کد {code} قبلاً برای کارت هدیهٔ دیگری در این باشگاه ثبت شده است."
    kinds = {"code": Code}
    takes = ("code",)
