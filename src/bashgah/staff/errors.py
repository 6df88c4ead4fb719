"""Why a web sign-in or a new password is refused."""

from __future__ import annotations

from bashgah.core.errors import BashgahError, Count, InvalidInput, words

words(
    {
        "login_failed": (
            "The club, username or password is wrong.",
            "نام باشگاه، نام کاربری یا گذرواژه درست نیست.",
        ),
        "login_locked": (
            "Too many wrong passwords: signing in is locked for {minutes} minutes.",
            "گذرواژه چند بار اشتباه وارد شد: ورود تا {minutes} دقیقهٔ دیگر بسته است.",
        ),
        "last_owner": (
            "This is the club's last owner: make someone else owner first.",
            "این آخرین مالک باشگاه است: اول کس دیگری را مالک کنید.",
        ),
        "owners_only": (
            "Only an owner may change an owner or make someone owner.",
            "فقط مالک می‌تواند مالک را تغییر دهد یا کسی را مالک کند.",
        ),
    }
)


class LoginFailed(BashgahError, code="login_failed"):
    """Wrong club, username or password — deliberately not saying which."""

    status = 401


class LoginLocked(BashgahError, code="login_locked"):
    status = 429
    kinds = {"minutes": Count}
    takes = ("minutes",)


class WeakPassword(InvalidInput, code="weak_password"):
    def __init__(self, minimum: int) -> None:
        super().__init__(
            "password",
            "at least {minimum} characters",
            "دست‌کم {minimum} نویسه",
            "گذرواژه",
            minimum=Count(minimum),
        )


class LastOwner(BashgahError, code="last_owner"):
    """A club always keeps one active owner: the last one cannot be made anything else."""

    status = 409


class OwnersOnly(BashgahError, code="owners_only"):
    """Only an owner makes, unmakes or resets the password of an owner (a manager who could would make
    themself owner through it)."""

    status = 403
