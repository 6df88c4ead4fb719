"""Why a member could not sign in to the portal, as domain errors."""

from __future__ import annotations

from bashgah.core.errors import BashgahError, Count


class PortalError(BashgahError):
    kinds = {"seconds": Count, "minutes": Count, "left": Count, "digits": Count}


class CodeTooSoon(PortalError):
    status = 429
    code = "otp_too_soon"
    message_en = "A code was just sent. Wait {seconds} seconds before asking for another one."
    message_fa = "کدی همین حالا فرستاده شد. برای کد تازه {seconds} ثانیه صبر کنید."


class TooManyCodes(PortalError):
    status = 429
    code = "otp_too_many"
    message_en = "Too many codes were asked for in the last hour. Try again later."
    message_fa = "در یک ساعت گذشته کدهای زیادی درخواست شده است. کمی بعد دوباره امتحان کنید."


class SignInLocked(PortalError):
    status = 429
    code = "otp_locked"
    message_en = "Too many wrong codes: signing in with this number is locked for {minutes} minutes."
    message_fa = "کد نادرست بیش از حد وارد شد: ورود با این شماره تا {minutes} دقیقه بسته است."


class WrongCode(PortalError):
    status = 401
    code = "otp_wrong"
    message_en = "The code is wrong or has expired. Tries left: {left}."
    message_fa = "کد نادرست است یا زمانش گذشته است. دفعات باقی‌مانده: {left}."


class BadCodeShape(PortalError):
    status = 422
    code = "otp_shape"
    message_en = "Type the {digits}-digit code from the SMS."
    message_fa = "کد {digits} رقمی پیامک را وارد کنید."
