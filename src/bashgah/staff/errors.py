"""Why a web sign-in or a new password is refused."""

from __future__ import annotations

from bashgah.core.errors import BashgahError, Count, InvalidInput


class LoginFailed(BashgahError):
    """Wrong club, username or password — deliberately not saying which."""

    status = 401
    code = "login_failed"
    message_en = "The club, username or password is wrong."
    message_fa = "نام باشگاه، نام کاربری یا گذرواژه درست نیست."


class LoginLocked(BashgahError):
    status = 429
    code = "login_locked"
    message_en = "Too many wrong passwords: signing in is locked for {minutes} minutes."
    message_fa = "گذرواژه چند بار اشتباه وارد شد: ورود تا {minutes} دقیقهٔ دیگر بسته است."
    kinds = {"minutes": Count}

    def __init__(self, minutes: int) -> None:
        super().__init__(None, minutes=minutes)


class WeakPassword(InvalidInput):
    code = "weak_password"

    def __init__(self, minimum: int) -> None:
        super().__init__(
            "password",
            "at least {minimum} characters",
            "دست‌کم {minimum} نویسه",
            "گذرواژه",
            minimum=Count(minimum),
        )
