"""The till's forms as the cashier typed them (kept to show the form again after an error), and the sale
and the refund read from them in rials and points."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, NamedTuple

from pydantic import ValidationError

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import InvalidInput
from bashgah.core.normalize import normalize_reference
from bashgah.coupons import rules as coupon_rules
from bashgah.idempotency import service as idempotency
from bashgah.purchases.schemas import PurchaseCreate, RefundCreate
from bashgah.web import forms

#: Receipt numbers of the till: short, from letters and digits nobody misreads (as coupon codes).
RECEIPT_LENGTH = 8


def receipt_number() -> str:
    return coupon_rules.random_codes(1, RECEIPT_LENGTH, "").pop()


def _limit(limit: int) -> Any:
    """A typed field of at most ``limit`` characters (the form keeps no more)."""
    return field(default="", metadata={"limit": limit})


def _limits(form_class: type) -> dict[str, int]:
    return {f.name: f.metadata["limit"] for f in fields(form_class)}


@dataclass
class EnrolForm:
    """The enrolment as the cashier typed it: the mobile, and optionally the name and the birthday (Jalali
    ``1370/05/12`` or Gregorian, any digits)."""

    mobile: str = _limit(32)
    first_name: str = _limit(100)
    last_name: str = _limit(100)
    birth_date: str = _limit(16)

    @classmethod
    def read(cls, form: forms.Fields) -> EnrolForm:
        return cls(**forms.fields(form, _limits(cls)))


@dataclass
class SaleForm:
    """The sale as the cashier typed it (kept to show the form again after an error)."""

    total: str = _limit(40)
    redeem: str = _limit(20)
    coupon: str = _limit(64)
    reward: str = _limit(16)
    branch: str = _limit(64)
    #: Rials (in the club's unit) to pay from the member's wallet.
    wallet: str = _limit(40)
    gift_card: str = _limit(64)
    #: Of the gift card; empty: as much as the card and the bill allow.
    gift_card_amount: str = _limit(40)
    #: Item lines "code quantity unit-price", one per line (or separated by ";").
    items: str = _limit(5000)
    #: The shop's own invoice number, when it has one: it becomes the sale's receipt number.
    invoice: str = _limit(64)
    key: str = field(default_factory=receipt_number, metadata={"limit": 64})

    @classmethod
    def read(cls, form: forms.Fields) -> SaleForm:
        return cls(**forms.fields(form, _limits(cls)))

    def on_one_line(self) -> SaleForm:
        """The same sale with its item lines on one line, to travel on in a hidden field."""
        one = "; ".join(x.strip() for x in self.items.splitlines() if x.strip())
        return SaleForm(**{**asdict(self), "items": one})


class Item(NamedTuple):
    sku: str
    quantity: int
    unit_price_rials: int


def read_items(text: str, unit: str) -> list[Item]:
    """Item lines as a cashier types them: ``TEA-01 2 45,000`` (code, quantity, unit price in the club's
    unit), one per line or separated by ``;``; any digits."""
    return [Item(*line) for line in forms.item_lines(text, unit)]


@dataclass
class Sale:
    """A sale read from the form, in rials and points."""

    total_rials: int
    redeem_points: int
    coupon: str | None
    reward: str | None
    branch: str | None
    key: str
    items: list[Item] = field(default_factory=list)
    wallet_rials: int = 0
    gift_card: str | None = None
    gift_card_rials: int | None = None
    #: The shop's invoice number (normalised); without one the form's key is the receipt number.
    invoice: str | None = None

    def fingerprint(self, member_id: int) -> str:
        body = {
            "member": member_id,
            "total": self.total_rials,
            "redeem": self.redeem_points,
            "coupon": self.coupon,
            "reward": self.reward,
            "branch": self.branch,
            "items": [list(i) for i in self.items],
            "wallet": self.wallet_rials,
            "gift_card": self.gift_card,
            "gift_card_rials": self.gift_card_rials,
            "invoice": self.invoice,
        }
        return idempotency.fingerprint("POST", "/pos/sale", body)

    def purchase(self, member_id: int) -> PurchaseCreate:
        """The sale as the API takes it: the reward code goes with it and comes off in the service."""
        return PurchaseCreate.model_validate(
            {
                "member": {"id": member_id},
                "branch": self.branch,
                "external_id": self.invoice or self.key,
                "total_rials": self.total_rials,
                "redeem_points": self.redeem_points,
                "coupon": self.coupon,
                "reward": self.reward,
                "wallet_rials": self.wallet_rials,
                "gift_card": self.gift_card,
                "gift_card_rials": self.gift_card_rials,
                "items": [
                    {"sku": i.sku, "quantity": i.quantity, "unit_price_rials": i.unit_price_rials}
                    for i in self.items
                ],
            }
        )


def read_sale(typed: SaleForm, unit: str, user: StaffUser) -> Sale:
    data = {
        "total": typed.total,
        "redeem": typed.redeem,
        "wallet": typed.wallet,
        "card": typed.gift_card_amount,
    }
    items = read_items(typed.items, unit)
    total = forms.amount_rials(data, "total", unit, "مبلغ خرید", required=not items)
    if total is None:
        total = sum(i.quantity * i.unit_price_rials for i in items)
    if not total:
        raise InvalidInput("total", "more than zero", "بیشتر از صفر", "مبلغ خرید")
    key = typed.key.strip().upper()
    if not 1 <= len(key) <= 64 or not key.isalnum():
        raise InvalidInput("key", "reload the page", "صفحه را دوباره باز کنید", "فرم")
    invoice = normalize_reference(typed.invoice)
    if len(invoice) > 64:
        raise InvalidInput("invoice", "at most 64 characters", "حداکثر ۶۴ نویسه", "شمارهٔ فاکتور فروشگاه")
    return Sale(
        invoice=invoice or None,
        total_rials=total,
        redeem_points=forms.whole_number(data, "redeem", "امتیاز مصرفی", maximum=10**9) or 0,
        coupon=typed.coupon.strip() or None,
        reward=typed.reward.strip().upper() or None,
        branch=None if user.branch_id is not None else (typed.branch.strip() or None),
        key=key,
        items=items,
        wallet_rials=forms.amount_rials(data, "wallet", unit, "پرداخت از کیف پول") or 0,
        gift_card=typed.gift_card.strip().upper() or None,
        gift_card_rials=forms.amount_rials(data, "card", unit, "مبلغ کارت هدیه") or None,
    )


def read_refund(form: forms.Fields, unit: str) -> RefundCreate:
    amount = forms.amount_rials(form, "amount", unit, "مبلغ بازگشتی")
    reason = forms.text(form, "reason", 500)
    try:
        return RefundCreate.model_validate({"amount_rials": amount or None, "reason": reason or None})
    except ValidationError:
        raise InvalidInput("amount", "out of range", "خارج از بازه", "مبلغ بازگشتی") from None
