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
    takes = ("minutes",)


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


class LastOwner(BashgahError):
    """A club always keeps one active owner: the last one cannot be made anything else."""

    status = 409
    code = "last_owner"
    message_en = "This is the club's last owner: make someone else owner first."
    message_fa = "این آخرین مالک باشگاه است: اول کس دیگری را مالک کنید."


class OwnersOnly(BashgahError):
    """Only an owner makes, unmakes or resets the password of an owner (a manager who could would make
    themself owner through it)."""

    status = 403
    code = "owners_only"
    message_en = "Only an owner may change an owner or make someone owner."
    message_fa = "فقط مالک می‌تواند مالک را تغییر دهد یا کسی را مالک کند."
