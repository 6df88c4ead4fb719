"""Why a coupon is refused, as domain errors: the till shows the message, the API the code."""

from __future__ import annotations

from typing import Any

from bashgah.core.errors import BashgahError, Code, Conflict, Count, Money, NotFound


class CouponUnknown(NotFound):
    code = "coupon_unknown"
    message_en = "There is no coupon with this code."
    message_fa = "کد تخفیفی با این کد وجود ندارد."

    def __init__(self) -> None:
        BashgahError.__init__(self)


class CouponRefused(Conflict):
    """Base of the refusals; ``of(code, **figures)`` builds the right one."""

    @staticmethod
    def of(code: str, **figures: Any) -> CouponRefused:
        return _BY_CODE[code](None, **figures)


class CouponNotYetValid(CouponRefused):
    code = "coupon_not_yet_valid"
    message_en = "This coupon is not valid yet (from {at})."
    message_fa = "این کد تخفیف هنوز فعال نشده است (از {at})."


class CouponSwitchedOff(CouponRefused):
    code = "coupon_switched_off"
    message_en = "The club has switched this coupon off."
    message_fa = "باشگاه این کد تخفیف را غیرفعال کرده است."


class CouponExpired(CouponRefused):
    code = "coupon_expired"
    message_en = "This coupon has expired ({at})."
    message_fa = "مهلت این کد تخفیف تمام شده است ({at})."


class CouponBelowMinimum(CouponRefused):
    code = "coupon_below_minimum"
    message_en = "This coupon needs a basket of at least {minimum}."
    message_fa = "این کد تخفیف برای خرید حداقل {minimum} است."
    kinds = {"minimum": Money}


class CouponUsedUp(CouponRefused):
    code = "coupon_used_up"
    message_en = "This coupon has been used up ({limit} uses)."
    message_fa = "ظرفیت استفاده از این کد تخفیف ({limit} بار) تمام شده است."
    kinds = {"limit": Count}


class CouponMemberLimit(CouponRefused):
    code = "coupon_member_limit"
    message_en = "This member has already used this coupon the most times allowed ({limit})."
    message_fa = "این عضو از این کد تخفیف به اندازهٔ مجاز ({limit} بار) استفاده کرده است."
    kinds = {"limit": Count}


class CouponOfAnotherMember(CouponRefused):
    code = "coupon_of_another_member"
    message_en = "This coupon was given to another member; only they can use it."
    message_fa = "این کد تخفیف به عضو دیگری داده شده و فقط خود او می‌تواند از آن استفاده کند."


class CouponCodeTaken(Conflict):
    code = "coupon_code_taken"
    message_en = "The code {code} is already used by another coupon of this club."
    message_fa = "کد {code} قبلاً برای کد تخفیف دیگری در این باشگاه ثبت شده است."
    kinds = {"code": Code}

    def __init__(self, code: str) -> None:
        super().__init__(None, code=code)


_BY_CODE: dict[str, type[CouponRefused]] = {
    c.code: c
    for c in (
        CouponNotYetValid,
        CouponSwitchedOff,
        CouponExpired,
        CouponBelowMinimum,
        CouponUsedUp,
        CouponMemberLimit,
        CouponOfAnotherMember,
    )
}
