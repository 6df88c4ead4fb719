"""Why a member could not sign in to the portal, as domain errors."""

from __future__ import annotations

from bashgah.core.errors import BashgahError, Count, words

words(
    {
        "otp_too_soon": (
            "A code was just sent. Wait {seconds} seconds before asking for another one.",
            "کدی همین حالا فرستاده شد. برای کد تازه {seconds} ثانیه صبر کنید.",
        ),
        "otp_too_many": (
            "Too many codes were asked for in the last hour. Try again later.",
            "در یک ساعت گذشته کدهای زیادی درخواست شده است. کمی بعد دوباره امتحان کنید.",
        ),
        "otp_locked": (
            "Too many wrong codes: signing in with this number is locked for {minutes} minutes.",
            "کد نادرست بیش از حد وارد شد: ورود با این شماره تا {minutes} دقیقه بسته است.",
        ),
        "otp_wrong": (
            "The code is wrong or has expired. Tries left: {left}.",
            "کد نادرست است یا زمانش گذشته است. دفعات باقی‌مانده: {left}.",
        ),
        "otp_shape": ("Type the {digits}-digit code from the SMS.", "کد {digits} رقمی پیامک را وارد کنید."),
    }
)


class PortalError(BashgahError):
    """The portal's refusals: most say "wait", as 429."""

    status = 429
    kinds = {"seconds": Count, "minutes": Count, "left": Count, "digits": Count}


class CodeTooSoon(PortalError, code="otp_too_soon"): ...


class TooManyCodes(PortalError, code="otp_too_many"): ...


class SignInLocked(PortalError, code="otp_locked"): ...


class WrongCode(PortalError, code="otp_wrong"):
    status = 401


class BadCodeShape(PortalError, code="otp_shape"):
    status = 422
