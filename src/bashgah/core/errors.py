"""Domain errors.

Every error a user can meet is a subclass of :class:`BashgahError`. It carries the HTTP status it maps to,
a stable machine ``code`` and a message in Persian and English. One exception handler renders it as
``{"error": {"code": ..., "message": ...}}`` in the language the client asked for; services never raise
``HTTPException``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BashgahError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message_en: ClassVar[str] = "The request could not be processed."
    message_fa: ClassVar[str] = "درخواست قابل انجام نیست."

    def __init__(self, detail: str | None = None, **params: Any) -> None:
        self.params = params
        self.detail = detail
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        template = self.message_fa if lang == "fa" else self.message_en
        try:
            text = template.format(**self.params)
        except (KeyError, IndexError):
            text = template
        if self.detail:
            text = f"{text} ({self.detail})"
        return text


class NotFound(BashgahError):
    status = 404
    code = "not_found"
    message_en = "{what} was not found."
    message_fa = "{what_fa} پیدا نشد."

    def __init__(self, what: str = "Resource", what_fa: str = "مورد", detail: str | None = None) -> None:
        super().__init__(detail, what=what, what_fa=what_fa)


class InvalidInput(BashgahError):
    """A value that passed the schema but breaks a business rule of its field."""

    status = 422
    code = "invalid_input"
    message_en = "Invalid value for {field}: {reason_en}"
    message_fa = "مقدار «{field_fa}» نامعتبر است: {reason_fa}"

    def __init__(self, field: str, reason_en: str, reason_fa: str, field_fa: str | None = None) -> None:
        super().__init__(
            None, field=field, field_fa=field_fa or field, reason_en=reason_en, reason_fa=reason_fa
        )
        self.field = field


class InvalidPhone(InvalidInput):
    code = "invalid_phone"

    def __init__(self) -> None:
        super().__init__("mobile", "not a valid mobile number", "شماره موبایل معتبر نیست", "شماره موبایل")


class InvalidNationalCode(InvalidInput):
    code = "invalid_national_code"

    def __init__(self) -> None:
        super().__init__(
            "national_code", "the check digit does not match", "رقم کنترل کد ملی درست نیست", "کد ملی"
        )


class InvalidDate(InvalidInput):
    code = "invalid_date"

    def __init__(self, field: str = "date", field_fa: str = "تاریخ") -> None:
        super().__init__(
            field,
            "use YYYY-MM-DD (Gregorian) or YYYY/MM/DD (Jalali)",
            "از قالب ۱۳۷۰/۰۵/۱۲ (شمسی) یا 1991-08-03 (میلادی) استفاده کنید",
            field_fa,
        )


class Unauthorized(BashgahError):
    status = 401
    code = "unauthorized"
    message_en = "A valid API key is required (header: Authorization: Bearer <key>)."
    message_fa = "کلید API معتبر لازم است (سرآیند Authorization: Bearer <key>)."


class Forbidden(BashgahError):
    status = 403
    code = "forbidden"
    message_en = "Your role ({role}) may not do this."
    message_fa = "نقش شما ({role}) اجازهٔ این کار را ندارد."

    def __init__(self, role: str) -> None:
        super().__init__(None, role=role)


class Conflict(BashgahError):
    status = 409
    code = "conflict"


class DuplicateMember(Conflict):
    code = "duplicate_member"
    message_en = "A member with this {field} already exists."
    message_fa = "عضوی با این {field_fa} از قبل وجود دارد."

    def __init__(self, field: str, field_fa: str) -> None:
        super().__init__(None, field=field, field_fa=field_fa)


class DuplicateReceipt(Conflict):
    code = "duplicate_receipt"
    message_en = "Receipt {external_id} was already recorded for this branch."
    message_fa = "فاکتور {external_id} قبلاً برای این شعبه ثبت شده است."

    def __init__(self, external_id: str) -> None:
        super().__init__(None, external_id=external_id)


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    message_en = "This Idempotency-Key was already used with a different request."
    message_fa = "این Idempotency-Key قبلاً با درخواست دیگری استفاده شده است."


class IdempotencyKeyRequired(BashgahError):
    status = 400
    code = "idempotency_key_required"
    message_en = "The Idempotency-Key header is required for this call."
    message_fa = "سرآیند Idempotency-Key برای این درخواست لازم است."


class InsufficientPoints(Conflict):
    code = "insufficient_points"
    message_en = "Not enough points: {available} available, {requested} requested."
    message_fa = "امتیاز کافی نیست: {available} امتیاز موجود است و {requested} درخواست شده."

    def __init__(self, available: int, requested: int) -> None:
        super().__init__(None, available=available, requested=requested)


class MemberBlocked(Conflict):
    code = "member_blocked"
    message_en = "This member is blocked."
    message_fa = "این عضو مسدود شده است."


class InvalidState(Conflict):
    code = "invalid_state"
    message_en = "Not possible in the current state: {reason_en}"
    message_fa = "در وضعیت فعلی ممکن نیست: {reason_fa}"

    def __init__(self, reason_en: str, reason_fa: str) -> None:
        super().__init__(None, reason_en=reason_en, reason_fa=reason_fa)


class NulCharacter(InvalidInput):
    """A NUL byte: no text field may hold one (PostgreSQL cannot store it, and no person types it)."""

    code = "invalid_character"

    def __init__(self, field: str) -> None:
        super().__init__(field, "contains a NUL character", "نویسهٔ نامعتبر (NUL) دارد", field)


class NumberOutOfRange(InvalidInput):
    """A number beyond what an id or an amount can ever be (the signed 64-bit range)."""

    code = "out_of_range"

    def __init__(self, field: str) -> None:
        super().__init__(field, "the number is too large", "عدد بیش از اندازه بزرگ است", field)


_PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


class PayloadTooLarge(BashgahError):
    status = 413
    code = "payload_too_large"
    message_en = "The request is too large: at most {size_en} may be sent."
    message_fa = "درخواست بیش از اندازه بزرگ است: حداکثر {size_fa} را می‌توان فرستاد."

    def __init__(self, limit_bytes: int) -> None:
        kib = limit_bytes / 1024
        size = f"{kib / 1024:g} MB" if kib >= 1024 else f"{kib:g} KB"
        size_fa = f"{kib / 1024:g} مگابایت" if kib >= 1024 else f"{kib:g} کیلوبایت"
        super().__init__(None, size_en=size, size_fa=size_fa.translate(_PERSIAN))
        self.limit_bytes = limit_bytes


class UnreadableForm(BashgahError):
    status = 400
    code = "unreadable_form"
    message_en = "The form could not be read (a field may be too long); nothing was done."
    message_fa = "فرم خوانده نشد (شاید یکی از خانه‌ها بیش از اندازه بلند است)؛ کاری انجام نشد."


class Busy(Conflict):
    """A database conflict that did not clear after the retries (another request holds what this needs)."""

    code = "busy"
    message_en = "The club is busy with another request on the same data; nothing was saved. Try again."
    message_fa = "درخواست دیگری روی همین داده در جریان است؛ چیزی ذخیره نشد. دوباره تلاش کنید."
