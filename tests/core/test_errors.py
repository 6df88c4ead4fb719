"""Every figure in an error message is written for its reader: Persian digits and separators in Persian,
money with its unit named (rials where no page is at hand, the club's unit on a page), dates that keep
their order inside a right-to-left sentence."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bashgah.core.errors import (
    LRI,
    PDI,
    BashgahError,
    DuplicateReceipt,
    InsufficientPoints,
    InvalidDate,
    Money,
    Points,
)
from bashgah.coupons.errors import CouponRefused
from bashgah.portal.errors import CodeTooSoon, WrongCode
from bashgah.rewards.errors import RewardMemberLimit
from bashgah.staff.errors import LoginLocked, WeakPassword
from bashgah.wallet.errors import InsufficientGiftCard, InsufficientWallet
from bashgah.web import fmt

LATIN_DIGIT = re.compile(r"[0-9]")


def representative() -> list[BashgahError]:
    """Errors a person meets at the till, in the console and in the portal, with figures in them."""
    return [
        InsufficientPoints(402, 99_999),
        CouponRefused.of("coupon_below_minimum", minimum=3_000_000),
        CouponRefused.of("coupon_used_up", limit=1),
        CouponRefused.of("coupon_member_limit", limit=2),
        RewardMemberLimit(None, limit=1),
        InsufficientWallet(available=150_000, requested=2_000_000),
        InsufficientGiftCard(available=50_000, requested=70_000),
        LoginLocked(15),
        WeakPassword(10),
        CodeTooSoon(None, seconds=60),
        WrongCode(None, left=3),
        CouponRefused.of("coupon_not_yet_valid", at=datetime(2026, 3, 21, 8, 30, tzinfo=UTC)),
    ]


def test_the_api_writes_the_figures_of_a_persian_message_in_persian_digits_and_money_in_rials() -> None:
    for error in representative():
        text = error.message("fa")
        assert not LATIN_DIGIT.search(text), text
    assert InsufficientPoints(402, 99_999).message("fa") == (
        "امتیاز کافی نیست: ۴۰۲ امتیاز موجود است و ۹۹٬۹۹۹ درخواست شده."
    )
    assert "حداقل ۳٬۰۰۰٬۰۰۰ ریال" in CouponRefused.of("coupon_below_minimum", minimum=3_000_000).message("fa")
    assert "(۱ بار)" in RewardMemberLimit(None, limit=1).message("fa")
    assert "at least 3,000,000 rials" in CouponRefused.of("coupon_below_minimum", minimum=3_000_000).message(
        "en"
    )


def test_a_page_writes_the_figures_like_its_own_with_the_clubs_unit() -> None:
    for error in representative():
        for unit in fmt.UNITS:
            text = fmt.error(error, "fa", unit)
            assert not LATIN_DIGIT.search(text), text
            assert "ریال" not in text or unit != "toman", text
    below = CouponRefused.of("coupon_below_minimum", minimum=3_000_000)
    assert "حداقل ۳۰۰٬۰۰۰ تومان" in fmt.error(below, "fa", "toman")
    assert "at least 300,000 toman" in fmt.error(below, "en", "toman")
    assert "حداقل ۳۰۰ ریال جدید" in fmt.error(below, "fa", "new_rial")
    wallet = fmt.error(InsufficientWallet(available=150_005, requested=2_000_000), "fa", "toman")
    assert "۱۵٬۰۰۰٫۵ تومان موجود است و ۲۰۰٬۰۰۰ تومان درخواست شده" in wallet
    # A moment is the page's: Jalali day and Tehran time (12:00 on 1 Farvardin 1405).
    soon = CouponRefused.of("coupon_not_yet_valid", at=datetime(2026, 3, 21, 8, 30, tzinfo=UTC))
    assert "۱ فروردین ۱۴۰۵، ۱۲:۰۰" in fmt.error(soon, "fa", "toman")
    assert "21 Mar 2026, 12:00" in fmt.error(soon, "en", "toman")


def test_figures_keep_their_type_whatever_the_caller_passed() -> None:
    error = InsufficientPoints(available=402, requested=500)
    assert isinstance(error.params["available"], Points)
    assert isinstance(InsufficientWallet(1, 2).params["requested"], Money)


def test_a_gregorian_date_or_a_code_inside_a_persian_message_keeps_its_order() -> None:
    expired = CouponRefused.of("coupon_expired", at=datetime(2026, 3, 21, 8, 30, tzinfo=UTC)).message("fa")
    assert f"{LRI}۲۰۲۶-۰۳-۲۱ ۰۸:۳۰ UTC{PDI}" in expired
    assert f"{LRI}1991-08-03{PDI}" in InvalidDate().message("fa")
    assert f"{LRI}F-1001{PDI}" in DuplicateReceipt("F-1001").message("fa")
    # English needs no isolation: the sentence runs the same way as the date.
    assert LRI not in CouponRefused.of("coupon_expired", at=datetime(2026, 3, 21, tzinfo=UTC)).message("en")
