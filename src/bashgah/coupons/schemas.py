from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from bashgah.core.normalize import CleanText
from bashgah.members.schemas import MemberRef

MAX_CODES = 100_000


class Discount(BaseModel):
    """A batch's discount: ``discount_rials`` off for ``fixed``, ``discount_percent`` off for ``percent``.

    The database keeps one figure (``coupon_batches.discount_value``: rials or a whole percent, by type);
    the API names the unit. Until 0.3 ``discount_value`` is still read, as the field of the type's unit.
    """

    discount_type: Literal["fixed", "percent"]
    #: Rials off, for a ``fixed`` discount; null for ``percent``.
    discount_rials: int | None = Field(None, gt=0, le=10**13)
    #: Whole percent off (1–100), for a ``percent`` discount; null for ``fixed``.
    discount_percent: int | None = Field(None, ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def _stored_figure(cls, data: Any) -> Any:
        if isinstance(data, dict) and "discount_value" in data:
            data = dict(data)
            value = data.pop("discount_value")
            unit = "discount_percent" if data.get("discount_type") == "percent" else "discount_rials"
            data.setdefault(unit, value)
        return data

    @staticmethod
    def stored(discount_type: str, value: int) -> dict[str, Any]:
        """The fields of a discount kept as one figure (rials or a whole percent, by type)."""
        unit = "discount_percent" if discount_type == "percent" else "discount_rials"
        return {"discount_type": discount_type, unit: value}

    @property
    def discount_value(self) -> int:
        """The figure as stored: rials or a whole percent, by type."""
        return (self.discount_percent if self.discount_type == "percent" else self.discount_rials) or 0


class BatchCreate(Discount):
    """A universal ``code`` (one code everyone shares) or a ``count`` of generated unique codes."""

    model_config = ConfigDict(extra="forbid")

    name: CleanText = Field(min_length=1, max_length=200)
    #: The cap of a percent discount, in rials.
    max_discount_rials: int | None = Field(None, gt=0, le=10**13)
    min_basket_rials: int = Field(0, ge=0, le=10**13)
    #: Now when left out.
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    #: Uses of the whole batch; null is no limit.
    max_uses: int | None = Field(None, ge=1, le=10**9)
    #: Uses of each code; generated codes default to single use.
    max_uses_per_code: int | None = Field(None, ge=1, le=10**9)
    max_uses_per_member: int | None = Field(None, ge=1, le=10**9)
    code: str | None = Field(None, min_length=3, max_length=32)
    #: 0 makes an empty batch whose codes campaigns draw one at a time for a member (an ``issue_coupon``
    #: effect): a personal "thank you, 20 % off next time" code.
    count: int | None = Field(None, ge=0, le=MAX_CODES)
    #: Random characters of each generated code, after the prefix.
    length: int = Field(8, ge=4, le=16)
    prefix: str = Field("", max_length=10)

    @model_validator(mode="after")
    def _consistent(self) -> BatchCreate:
        if (self.code is None) == (self.count is None):
            raise ValueError("give either code (one universal code) or count (generated unique codes)")
        given = "discount_percent" if self.discount_type == "percent" else "discount_rials"
        other = "discount_rials" if self.discount_type == "percent" else "discount_percent"
        if getattr(self, given) is None or getattr(self, other) is not None:
            raise ValueError(f"a {self.discount_type} discount takes {given} (and not {other})")
        if self.discount_type == "fixed" and self.max_discount_rials is not None:
            raise ValueError("max_discount_rials caps percent discounts only")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class BatchUpdate(BaseModel):
    """A batch's validity and whether it is on; fields left out stay as they are (``valid_until`` null:
    no end). The discount itself is not changed: codes already handed out keep their terms."""

    model_config = ConfigDict(extra="forbid")

    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    active: bool | None = None


class BatchRead(Discount):
    id: int
    name: str
    kind: Literal["universal", "unique"]
    max_discount_rials: int | None
    min_basket_rials: int
    valid_from: datetime
    valid_until: datetime | None
    max_uses: int | None
    max_uses_per_code: int | None
    max_uses_per_member: int | None
    code_count: int
    #: False while a manager has switched the batch off: none of its codes is accepted.
    active: bool = True
    #: The universal code; null for a batch of unique codes (see codes.csv).
    code: str | None
    #: Uses not given back by a full refund.
    uses: int
    discount_given_rials: int
    created_at: datetime


class MemberCouponRead(Discount):
    """A code a campaign gave the member, with its batch's terms and whether it is still usable."""

    id: int
    code: str
    batch_id: int
    name: str
    max_discount_rials: int | None
    min_basket_rials: int
    valid_until: datetime | None
    #: False once used up or past its validity.
    usable: bool


class CouponCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64)
    member: MemberRef
    total_rials: int = Field(gt=0, le=10**13)


class CouponVerdict(BaseModel):
    valid: bool
    code: str
    batch_id: int | None = None
    #: The discount the coupon would give on this basket (0 when refused).
    discount_rials: int = 0
    #: Why not: a stable code (``coupon_used_up``…) and a message in the caller's language.
    reason_code: str | None = None
    reason: str | None = None


#: Old names, for code written before issue 15 (removed in 0.3, with the API aliases).
MemberCoupon = MemberCouponRead
