"""The ``examine`` preview: what a sale would earn and why, campaign by campaign and rule by rule, at a
moment typed (a Friday evening, next month's campaign); it writes nothing."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from bashgah.core.errors import BashgahError
from bashgah.core.jalali import TEHRAN
from bashgah.core.normalize import to_latin_digits, to_persian_digits
from bashgah.programme.schemas import ExamineResult
from bashgah.purchases import service as purchases
from bashgah.purchases.schemas import PurchaseCreate
from bashgah.tenants import service as tenants
from bashgah.web.console.common import Reader, lang_of, page, problems
from bashgah.web.forms import FormProblem, maybe_whole, typed_day, typed_rials
from bashgah.web.guard import database
from bashgah.web.i18n import translator

router = APIRouter(prefix="/console/campaigns", include_in_schema=False)


@router.get("/examine", response_class=HTMLResponse)
async def examine(
    request: Request,
    user: Reader,
    member: str = "",
    branch: str = "",
    total: str = "",
    items: str = "",
    payment: str = "",
    on: str = "",
    at: str = "",
) -> Response:
    """What a sale would earn and why, campaign by campaign and rule by rule; writes nothing. A day and
    a time of day examine it at that moment (a Friday evening, next month's campaign)."""
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    typed = {
        "member": member,
        "branch": branch,
        "total": total,
        "items": items,
        "payment": payment,
        "on": on,
        "at": at,
    }
    result: ExamineResult | None = None
    errors: list[str] = []
    async with database(request).transaction() as session:
        branches = await tenants.list_branches(session, user.tenant_id)
    if member.strip():
        try:
            sale = _sale(typed, user.money_unit, branches[0].code if branches else None)
            async with database(request).transaction() as session:
                result = await purchases.examine(session, user.principal, sale, lang)
        except (BashgahError, ValidationError) as error:
            labels = {
                "total_rials": _("Purchase total"),
                "items": _("Items"),
                "member": _("Member"),
                "occurred_at": _("Day"),
            }
            errors = problems(error, lang, labels, unit=user.money_unit)
    return page(
        request,
        "examine.html",
        user,
        typed=typed,
        branches=branches,
        result=result,
        errors=errors,
        section="campaigns",
    )


def _sale(typed: dict[str, str], unit: str, first_branch: str | None) -> PurchaseCreate:
    who = to_latin_digits(typed["member"]).strip()
    plain = re.sub(r"[\s-]", "", who)
    ref = {"card": who} if plain.isdigit() and len(plain) == 16 else {"mobile": who}
    lines: list[dict[str, Any]] = []
    for number, line in enumerate(typed["items"].splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,،]", line)]
        if len(parts) != 4:
            raise FormProblem(
                f"Items, line {number}",
                f"اقلام، سطر {to_persian_digits(str(number))}",
                "must read: code, category, quantity, unit price",
                "باید این‌طور باشد: کد کالا، دسته، تعداد، قیمت واحد",
            )
        label_en, label_fa = f"Items, line {number}", f"اقلام، سطر {to_persian_digits(str(number))}"
        lines.append(
            {
                "sku": parts[0],
                "category": parts[1] or None,
                "quantity": maybe_whole(parts[2], label_en, label_fa) or 1,
                "unit_price_rials": typed_rials(parts[3], unit, label_en, label_fa),
            }
        )
    return PurchaseCreate.model_validate(
        {
            "member": ref,
            "branch": typed["branch"] or first_branch,
            "occurred_at": examined_at(typed["on"], typed["at"]),
            "external_id": "examine",
            "total_rials": typed_rials(typed["total"], unit, "Purchase total", "مبلغ خرید"),
            "items": lines,
            "payment_method": typed["payment"] or None,
        }
    )


_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?")


def examined_at(on: str, at: str) -> datetime | None:
    """The moment typed on the examine form, in Tehran time: a day (Jalali or Gregorian) and a time of day
    (``18:30``; midday when only a day is given); a time alone is today at that time; neither: now."""
    if not on.strip() and not at.strip():
        return None
    day = typed_day(on.strip(), "Day", "روز") or datetime.now(TEHRAN).date()
    clock = time(12, 0)
    if at.strip():
        found = _CLOCK.fullmatch(to_latin_digits(at).strip().replace("٫", ":"))
        hour, minute = (int(found.group(1)), int(found.group(2) or 0)) if found else (99, 99)
        if hour > 23 or minute > 59:
            raise FormProblem("Time", "ساعت", "must look like 18:30", "باید به شکل ۱۸:۳۰ باشد")
        clock = time(hour, minute)
    return datetime.combine(day, clock, tzinfo=TEHRAN)
