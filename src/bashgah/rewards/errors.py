"""Why a reward cannot be redeemed or a reward instance used, as domain errors."""

from __future__ import annotations

from bashgah.core.errors import Conflict, Count, NotFound


class RewardUnavailable(Conflict):
    code = "reward_unavailable"
    message_en = "This reward is not available now."
    message_fa = "این جایزه در حال حاضر در دسترس نیست."


class RewardOutOfStock(Conflict):
    code = "reward_out_of_stock"
    message_en = "This reward is out of stock."
    message_fa = "موجودی این جایزه تمام شده است."


class RewardMemberLimit(Conflict):
    code = "reward_member_limit"
    message_en = "This member has already redeemed this reward the most times allowed ({limit})."
    message_fa = "این عضو این جایزه را به اندازهٔ مجاز ({limit} بار) دریافت کرده است."
    kinds = {"limit": Count}


class RewardTierRestricted(Conflict):
    code = "reward_tier_restricted"
    message_en = "This reward is for members of these levels only: {levels}."
    message_fa = "این جایزه فقط برای اعضای این سطح‌هاست: {levels}."


class RewardInstanceUnknown(NotFound):
    code = "reward_instance_unknown"
    message_en = "There is no reward with this code."
    message_fa = "جایزه‌ای با این کد وجود ندارد."


class RewardInstanceClosed(Conflict):
    code = "reward_instance_closed"
    message_en = "This reward is {status} and cannot be used or cancelled."
    message_fa = "این جایزه «{status}» است و دیگر قابل استفاده یا لغو نیست."
