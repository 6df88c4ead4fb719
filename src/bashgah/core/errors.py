"""Domain errors.

Every error a user can meet is a subclass of :class:`BashgahError`. It carries the HTTP status it maps to,
a stable machine ``code`` and a message in Persian and English. One exception handler renders it as
``{"error": {"code": ..., "message": ...}}`` in the language the client asked for; services never raise
``HTTPException``.

Figures travel as typed parameters (:class:`Points`, :class:`Money`, :class:`Count`, :class:`Ref`,
:class:`Code`, dates) and are written only when the message is rendered for a person: ``message(lang)``
writes them plainly (the API: Persian digits in Persian, money in rials with the unit named), the web
pages pass ``show`` from ``web.fmt.shown`` to write them like the rest of the page (the club's unit,
Jalali days).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Self, cast


class Points(int):
    """A number of points in a message."""


class Money(int):
    """An amount of money in a message, in integer rials (written in the reader's unit)."""


class Count(int):
    """How many of something (times, codes, minutes…) in a message."""


class Ref(int):
    """A number that names a row (a campaign's or a purchase's id): the reader's digits, no separators."""


class Code(str):
    """A code, receipt number or other left-to-right text quoted in a message: kept as typed, isolated so a
    right-to-left sentence does not reorder it."""


#: Writes one parameter of a message for its reader.
Show = Callable[[Any], str]

#: Unicode "left-to-right isolate" and "pop directional isolate": the plain-text twin of ``<bdi dir=ltr>``.
LRI, PDI = "\u2066", "\u2069"
_FA_SEPARATORS = str.maketrans({",": "\u066c", ".": "\u066b"})
#: Persian digits (``core.normalize`` imports this module, so it keeps its own table).
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def to_persian_digits(text: str) -> str:
    return text.translate(_FA_DIGITS)


def isolate(text: str, lang: str) -> str:
    """Left-to-right text (a date written with digits, a code) kept in its order inside Persian text."""
    return f"{LRI}{text}{PDI}" if lang == "fa" else text


def plain(lang: str) -> Show:
    """How figures are written where no page is at hand (the API, the CLI): the language's digits, money in
    rials with the unit named, instants as UTC."""

    def number(value: int) -> str:
        text = f"{value:,}"
        return to_persian_digits(text).translate(_FA_SEPARATORS) if lang == "fa" else text

    def show(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, Money):
            return f"{number(value)} {'ریال' if lang == 'fa' else 'rials'}"
        if isinstance(value, Ref):
            return to_persian_digits(str(int(value))) if lang == "fa" else str(int(value))
        if isinstance(value, int):
            return number(value)
        if isinstance(value, datetime):
            at = value.astimezone(UTC) if value.tzinfo else value
            text = f"{at:%Y-%m-%d %H:%M} UTC"
            return isolate(to_persian_digits(text), lang) if lang == "fa" else text
        if isinstance(value, date):
            return isolate(to_persian_digits(value.isoformat()), lang) if lang == "fa" else value.isoformat()
        if isinstance(value, Code):
            return isolate(str(value), lang)
        return value

    return show


#: Each error's English and Persian message template, by code (see :func:`words`).
_WORDS: dict[str, tuple[str, str]] = {}


def words(table: dict[str, tuple[str, str]]) -> None:
    """Add a domain's messages (code → English and Persian template) to the catalogue; an error class
    declared with that ``code=`` afterwards takes them."""
    clashes = [code for code, pair in table.items() if _WORDS.get(code, pair) != pair]
    if clashes:
        raise ValueError(f"error codes given two messages: {clashes}")
    _WORDS.update(table)


words(
    {
        "not_found": ("{what} was not found.", "{what_fa} پیدا نشد."),
        "invalid_input": (
            "Invalid value for {field}: {reason_en}",
            "مقدار «{field_fa}» نامعتبر است: {reason_fa}",
        ),
        "unauthorized": (
            "A valid API key is required (header: Authorization: Bearer <key>).",
            "کلید API معتبر لازم است (سرآیند Authorization: Bearer <key>).",
        ),
        "forbidden": ("Your role ({role}) may not do this.", "نقش شما ({role}) اجازهٔ این کار را ندارد."),
        "duplicate_member": (
            "A member with this {field} already exists.",
            "عضوی با این {field_fa} از قبل وجود دارد.",
        ),
        "duplicate_receipt": (
            "Receipt {external_id} was already recorded for this branch.",
            "فاکتور {external_id} قبلاً برای این شعبه ثبت شده است.",
        ),
        "idempotency_conflict": (
            "This Idempotency-Key was already used with a different request.",
            "این Idempotency-Key قبلاً با درخواست دیگری استفاده شده است.",
        ),
        "idempotency_key_required": (
            "The Idempotency-Key header is required for this call.",
            "سرآیند Idempotency-Key برای این درخواست لازم است.",
        ),
        "insufficient_points": (
            "Not enough points: {available} available, {requested} requested.",
            "امتیاز کافی نیست: {available} امتیاز موجود است و {requested} درخواست شده.",
        ),
        "member_blocked": ("This member is blocked.", "این عضو مسدود شده است."),
        "invalid_state": (
            "Not possible in the current state: {reason_en}",
            "در وضعیت فعلی ممکن نیست: {reason_fa}",
        ),
        "payload_too_large": (
            "The request is too large: at most {size_en} may be sent.",
            "درخواست بیش از اندازه بزرگ است: حداکثر {size_fa} را می‌توان فرستاد.",
        ),
        "unreadable_form": (
            "The form could not be read (a field may be too long); nothing was done.",
            "فرم خوانده نشد (شاید یکی از خانه‌ها بیش از اندازه بلند است)؛ کاری انجام نشد.",
        ),
        "busy": (
            "The club is busy with another request on the same data; nothing was saved. Try again.",
            "درخواست دیگری روی همین داده در جریان است؛ چیزی ذخیره نشد. دوباره تلاش کنید.",
        ),
    }
)


class BashgahError(Exception):
    """An error is declared, not programmed: its ``status``, ``code`` and English and Persian message
    templates as class attributes; ``kinds`` types the figures the templates name and ``takes`` lists the
    figures it is given by position (``InsufficientPoints(available, requested)``). An error that takes
    none may be given its ``detail`` there instead (``BashgahError("why")``).

    A subclass declared with ``code=`` takes its templates from the catalogue (:func:`words`), where a
    domain keeps all its messages together; without an entry there it keeps its parent's."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message_en: ClassVar[str] = "The request could not be processed."
    message_fa: ClassVar[str] = "درخواست قابل انجام نیست."
    #: The type each named figure is kept as (``{"available": Points}``), whatever the caller passed.
    kinds: ClassVar[dict[str, Callable[[Any], Any]]] = {}
    #: The figures given by position, in order.
    takes: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, code: str | None = None, **options: Any) -> None:
        super().__init_subclass__(**options)
        if code is not None:
            cls.code = code
            if code in _WORDS:
                cls.message_en, cls.message_fa = _WORDS[code]

    def __init__(self, *figures: Any, detail: str | None = None, **params: Any) -> None:
        if len(figures) > max(len(self.takes), 1):
            raise TypeError(f"{type(self).__name__} takes {self.takes or 'a detail'} by position")
        if not self.takes and figures:
            detail = figures[0]
        params = dict(zip(self.takes, figures, strict=False)) | params
        self.params = {
            name: self.kinds[name](value) if name in self.kinds and value is not None else value
            for name, value in params.items()
        }
        self.detail = detail
        super().__init__(self.message("en"))

    @classmethod
    def variants(cls, *codes: str) -> dict[str, type[Self]]:
        """One subclass of this error per code, for errors told apart only by their code and words."""
        return {
            code: cast(
                type[Self],
                type(code.title().replace("_", ""), (cls,), {"__module__": cls.__module__}, code=code),
            )
            for code in codes
        }

    def shown(self, lang: str, show: Show | None) -> dict[str, Any]:
        """The parameters as the reader sees them."""
        show = show or plain(lang)
        return {name: show(value) for name, value in self.params.items()}

    def message(self, lang: str, show: Show | None = None) -> str:
        """The message in ``lang``; ``show`` writes the figures (default: :func:`plain`)."""
        template = self.message_fa if lang == "fa" else self.message_en
        text = fill(template, self.shown(lang, show))
        if self.detail:
            text = f"{text} ({isolate(self.detail, lang)})"
        return text


def fill(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


class NotFound(BashgahError, code="not_found"):
    status = 404
    takes = ("what", "what_fa")


class InvalidInput(BashgahError, code="invalid_input"):
    """A value that passed the schema but breaks a business rule of its field. The reasons may name
    ``figures`` (``"at least {minimum} characters"``), written for the reader like any parameter."""

    status = 422

    def __init__(
        self, field: str, reason_en: str, reason_fa: str, field_fa: str | None = None, **figures: Any
    ) -> None:
        self.figures = figures
        super().__init__(field=field, field_fa=field_fa or field, reason_en=reason_en, reason_fa=reason_fa)
        self.field = field

    def shown(self, lang: str, show: Show | None) -> dict[str, Any]:
        values = super().shown(lang, show)
        if self.figures:
            show = show or plain(lang)
            figures = {name: show(value) for name, value in self.figures.items()}
            for reason in ("reason_en", "reason_fa"):
                values[reason] = fill(str(self.params[reason]), figures)
        return values


class InvalidPhone(InvalidInput, code="invalid_mobile"):
    def __init__(self) -> None:
        super().__init__("mobile", "not a valid mobile number", "شماره موبایل معتبر نیست", "شماره موبایل")


class InvalidNationalCode(InvalidInput, code="invalid_national_code"):
    def __init__(
        self,
        reason_en: str = "the check digit does not match",
        reason_fa: str = "رقم کنترل کد ملی درست نیست",
    ) -> None:
        super().__init__("national_code", reason_en, reason_fa, "کد ملی")


class InvalidDate(InvalidInput, code="invalid_date"):
    """A date that is not one (``malformed``: the reason says which forms to use) or is out of range (the
    reason says why: in the future, before 1900)."""

    def __init__(
        self,
        field: str = "date",
        field_fa: str = "تاریخ",
        reason_en: str | None = None,
        reason_fa: str | None = None,
    ) -> None:
        super().__init__(
            field,
            reason_en or "use YYYY-MM-DD (Gregorian) or YYYY/MM/DD (Jalali)",
            reason_fa
            or f"از قالب {isolate('۱۳۷۰/۰۵/۱۲', 'fa')} (شمسی) یا {isolate('1991-08-03', 'fa')} (میلادی) استفاده کنید",
            field_fa,
        )
        self.malformed = reason_en is None


class NulCharacter(InvalidInput, code="invalid_character"):
    """A NUL byte: no text field may hold one (PostgreSQL cannot store it, and no person types it)."""

    def __init__(self, field: str) -> None:
        super().__init__(field, "contains a NUL character", "نویسهٔ نامعتبر (NUL) دارد", field)


class NumberOutOfRange(InvalidInput, code="out_of_range"):
    """A number beyond what an id or an amount can ever be (the signed 64-bit range)."""

    def __init__(self, field: str) -> None:
        super().__init__(field, "the number is too large", "عدد بیش از اندازه بزرگ است", field)


class Unauthorized(BashgahError, code="unauthorized"):
    status = 401


class Forbidden(BashgahError, code="forbidden"):
    status = 403
    takes = ("role",)


class Conflict(BashgahError, code="conflict"):
    status = 409


class DuplicateMember(Conflict, code="duplicate_member"):
    takes = ("field", "field_fa")


class DuplicateReceipt(Conflict, code="duplicate_receipt"):
    kinds = {"external_id": Code}
    takes = ("external_id",)


class IdempotencyConflict(Conflict, code="idempotency_conflict"): ...


class IdempotencyKeyRequired(BashgahError, code="idempotency_key_required"): ...


class InsufficientPoints(Conflict, code="insufficient_points"):
    kinds = {"available": Points, "requested": Points}
    takes = ("available", "requested")


class MemberBlocked(Conflict, code="member_blocked"): ...


class InvalidState(Conflict, code="invalid_state"):
    takes = ("reason_en", "reason_fa")


_PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


class PayloadTooLarge(BashgahError, code="payload_too_large"):
    status = 413

    def __init__(self, limit_bytes: int) -> None:
        kib = limit_bytes / 1024
        size = f"{kib / 1024:g} MB" if kib >= 1024 else f"{kib:g} KB"
        size_fa = f"{kib / 1024:g} مگابایت" if kib >= 1024 else f"{kib:g} کیلوبایت"
        super().__init__(size_en=size, size_fa=size_fa.translate(_PERSIAN))
        self.limit_bytes = limit_bytes


class UnreadableForm(BashgahError, code="unreadable_form"): ...


class Busy(Conflict, code="busy"):
    """A database conflict that did not clear after the retries (another request holds what this needs)."""
