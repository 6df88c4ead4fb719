"""Gift cards in the console: issue one card or a batch in the club's unit, look a card up by its code
(value, balance, status), cancel it, and download a batch's codes. Each change calls the same gift card
service as the API, in one transaction, with one audit line."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import BashgahError
from bashgah.core.jalali import TEHRAN
from bashgah.giftcards import service as giftcards
from bashgah.giftcards.schemas import GiftCardCreate, GiftCardRead
from bashgah.web.console.common import (
    Reader,
    Step,
    Writer,
    amount_rials,
    attempt,
    changed,
    lang_of,
    maybe_whole,
    missing,
    page,
    problems,
    text,
    typed_day,
    values,
)
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator
from bashgah.web.render import finish
from bashgah.web.sessions import StaffUser

router = APIRouter(prefix="/console/club/giftcards", include_in_schema=False)
FIELDS = ("value", "count", "code", "prefix", "batch", "expires_on")


async def _page(
    request: Request,
    user: StaffUser,
    typed: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status: int | None = None,
) -> Response:
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    asked = request.query_params.get("code", "").strip()
    card: GiftCardRead | None = None
    lookup_errors: list[str] = []
    if asked:
        try:
            async with database(request).transaction() as session:
                card = await giftcards.get(session, user.principal, asked)
        except BashgahError as error:
            lookup_errors = problems(error, lang, unit=user.money_unit)
    context: dict[str, Any] = {
        "typed": typed or {**dict.fromkeys(FIELDS, ""), "count": "1"},
        "errors": errors or [],
        "asked": asked,
        "card": card,
        "lookup_errors": lookup_errors,
        "batch": request.query_params.get("batch", ""),
        "issued": request.query_params.get("issued", ""),
        "notice": _("Saved.") if request.query_params.get("done") else None,
        "statuses": {
            "active": _("Usable"),
            "used_up": _("Used up"),
            "expired": _("Expired"),
            "cancelled": _("Cancelled"),
        },
    }
    code = status or (422 if errors else 404 if lookup_errors else 200)
    return page(request, "club/giftcards.html", user, section="club", status=code, **context)


@router.get("", response_class=HTMLResponse)
async def gift_cards(request: Request, user: Reader) -> Response:
    return await _page(request, user)


@router.post("", response_class=HTMLResponse)
async def issue(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed = values(form, *FIELDS)
    _ = translator(lang_of(request, user), "console")
    made: list[GiftCardRead] = []

    def build() -> Step:
        expires = typed_day(typed["expires_on"], "Valid until", "اعتبار تا")
        data = GiftCardCreate.model_validate(
            {
                "value_rials": amount_rials(typed["value"], user.money_unit, "Value", "مبلغ"),
                "count": maybe_whole(typed["count"], "Number of cards", "تعداد کارت") or 1,
                "code": typed["code"] or None,
                "prefix": typed["prefix"],
                "batch": typed["batch"] or None,
                # valid through the whole last day, Tehran time
                "expires_at": datetime.combine(expires + timedelta(days=1), time(0), tzinfo=TEHRAN)
                if expires
                else None,
            }
        )

        async def step(session: AsyncSession) -> None:
            made.extend(await giftcards.issue(session, user.principal, data))
            await changed(
                session,
                user,
                "giftcards.issued",
                "gift_card",
                None,
                cards=len(made),
                value_rials=data.value_rials,
            )

        return step

    async def again(errors: list[str]) -> Response:
        return await _page(request, user, typed, errors)

    labels = {
        "value_rials": _("Value"),
        "count": _("Number of cards"),
        "code": _("Chosen code"),
        "prefix": _("Prefix"),
        "batch": _("Batch name"),
        "expires_at": _("Valid until"),
    }
    response = await attempt(request, user, build, again, "/console/club/giftcards?done=1", labels)
    if made and response.status_code == 303:
        found = {"batch": made[0].batch} if made[0].batch else {"code": made[0].code}
        query = urlencode({"done": 1, "issued": len(made), **found})
        response.headers["location"] = f"/console/club/giftcards?{query}"
    return response


@router.post("/cancel", response_class=HTMLResponse)
async def cancel(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    code = text(form, "code")

    def build() -> Step:
        async def step(session: AsyncSession) -> None:
            card = await giftcards.cancel(session, user.principal, code)
            # the code is what a holder spends with: the log keeps its last four characters only
            await changed(session, user, "giftcards.cancelled", "gift_card", None, ending=card.code[-4:])

        return step

    async def again(errors: list[str]) -> Response:
        return await _page(request, user, errors=errors)

    return await attempt(
        request, user, build, again, "/console/club/giftcards?" + urlencode({"done": 1, "code": code})
    )


@router.get("/batch.csv")
async def batch_codes(request: Request, user: Reader) -> Response:
    """A batch's codes, values, balances and states, as the API's export writes them."""
    batch = request.query_params.get("batch", "").strip()
    try:
        async with database(request).transaction() as session:
            body = await giftcards.batch_csv(session, user.principal, batch)
    except BashgahError as error:
        return missing(request, user, error, status=error.status)
    safe = "".join(c for c in batch if c.isascii() and (c.isalnum() or c in "-_")) or "batch"
    response = Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="gift-cards-{safe}.csv"'},
    )
    finish(request, response)
    return response
