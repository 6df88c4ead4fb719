"""Why a reward cannot be redeemed or a reward instance used, as domain errors."""

from __future__ import annotations

from bashgah.core.errors import Conflict, Count, NotFound, words

words(
    {
        "reward_unavailable": ("This reward is not available now.", "این جایزه در حال حاضر در دسترس نیست."),
        "reward_out_of_stock": ("This reward is out of stock.", "موجودی این جایزه تمام شده است."),
        "reward_member_limit": (
            "This member has already redeemed this reward the most times allowed ({limit}).",
            "این عضو این جایزه را به اندازهٔ مجاز ({limit} بار) دریافت کرده است.",
        ),
        "reward_tier_restricted": (
            "This reward is for members of these levels only: {levels}.",
            "این جایزه فقط برای اعضای این سطح‌هاست: {levels}.",
        ),
        "reward_instance_unknown": ("There is no reward with this code.", "جایزه‌ای با این کد وجود ندارد."),
        "reward_instance_closed": (
            "This reward is {status} and cannot be used or cancelled.",
            "این جایزه «{status}» است و دیگر قابل استفاده یا لغو نیست.",
        ),
    }
)


class RewardUnavailable(Conflict, code="reward_unavailable"): ...


class RewardOutOfStock(Conflict, code="reward_out_of_stock"): ...


class RewardMemberLimit(Conflict, code="reward_member_limit"):
    kinds = {"limit": Count}


class RewardTierRestricted(Conflict, code="reward_tier_restricted"): ...


class RewardInstanceUnknown(NotFound, code="reward_instance_unknown"): ...


class RewardInstanceClosed(Conflict, code="reward_instance_closed"): ...
