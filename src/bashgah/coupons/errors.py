"""Why a coupon is refused, as domain errors: the till shows the message, the API the code."""

from __future__ import annotations

from typing import Any

from bashgah.core.errors import Code, Conflict, Count, Money, NotFound, words

words(
    {
        "coupon_unknown": ("There is no coupon with this code.", "کد تخفیفی با این کد وجود ندارد."),
        "coupon_not_yet_valid": (
            "This coupon is not valid yet (from {at}).",
            "این کد تخفیف هنوز فعال نشده است (از {at}).",
        ),
        "coupon_switched_off": (
            "The club has switched this coupon off.",
            "باشگاه این کد تخفیف را غیرفعال کرده است.",
        ),
        "coupon_expired": ("This coupon has expired ({at}).", "مهلت این کد تخفیف تمام شده است ({at})."),
        "coupon_below_minimum": (
            "This coupon needs a basket of at least {minimum}.",
            "این کد تخفیف برای خرید حداقل {minimum} است.",
        ),
        "coupon_used_up": (
            "This coupon has been used up ({limit} uses).",
            "ظرفیت استفاده از این کد تخفیف ({limit} بار) تمام شده است.",
        ),
        "coupon_member_limit": (
            "This member has already used this coupon the most times allowed ({limit}).",
            "این عضو از این کد تخفیف به اندازهٔ مجاز ({limit} بار) استفاده کرده است.",
        ),
        "coupon_of_another_member": (
            "This coupon was given to another member; only they can use it.",
            "این کد تخفیف به عضو دیگری داده شده و فقط خود او می‌تواند از آن استفاده کند.",
        ),
        "coupon_code_taken": (
            "The code {code} is already used by another coupon of this club.",
            "کد {code} قبلاً برای کد تخفیف دیگری در این باشگاه ثبت شده است.",
        ),
    }
)


class CouponUnknown(NotFound, code="coupon_unknown"): ...


class CouponRefused(Conflict):
    """Base of the refusals; ``of(code, **figures)`` builds the one of that code."""

    kinds = {"minimum": Money, "limit": Count}

    @staticmethod
    def of(code: str, **figures: Any) -> CouponRefused:
        return _REFUSALS[code](**figures)


_REFUSALS = CouponRefused.variants(
    "coupon_not_yet_valid",
    "coupon_switched_off",
    "coupon_expired",
    "coupon_below_minimum",
    "coupon_used_up",
    "coupon_member_limit",
    "coupon_of_another_member",
)


class CouponCodeTaken(Conflict, code="coupon_code_taken"):
    kinds = {"code": Code}
    takes = ("code",)
