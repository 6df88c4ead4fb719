"""Gift cards in the console: issue one card or a batch in the club's unit, look a card up by its code
(value, balance, status), cancel it, and download a batch's codes. Each change calls the same gift card
service as the API, in one transaction, with one audit line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError
from bashgah.core.jalali import TEHRAN
from bashgah.giftcards import service as giftcards
from bashgah.giftcards.schemas import GiftCardCreate, GiftCardRead
from bashgah.web.console.common import (
    N_,
    FormPage,
    Reader,
    Step,
    Writer,
    changed,
    download,
    missing,
    problems,
)
from bashgah.web.forms import maybe_whole, text, typed_day, typed_rials, values
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator

router = APIRouter(prefix="/console/club/giftcards", include_in_schema=False)
FIELDS = ("value", "count", "code", "prefix", "batch", "expires_on")


async def _load(
    session: AsyncSession, user: StaffUser, lang: str, query: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The page, and the card asked for by its code (``?code=``) with its value, balance and state."""
    query = query or {}
    _ = translator(lang, "console")
    asked = query.get("code", "").strip()
    issued = query.get("issued", "")
    card: GiftCardRead | None = None
    lookup_errors: list[str] = []
    if asked:
        try:
            card = await giftcards.get(session, user.principal, asked)
        except BashgahError as error:
            lookup_errors = problems(error, lang, unit=user.money_unit)
    return {
        "typed": {**dict.fromkeys(FIELDS, ""), "count": "1"},
        "asked": asked,
        "card": card,
        "lookup_errors": lookup_errors,
        "batch": query.get("batch", ""),
        "issued": int(issued) if issued.isdigit() and len(issued) < 19 else 0,
        "statuses": {
            "active": _("Usable"),
            "used_up": _("Used up"),
            "expired": _("Expired"),
            "cancelled": _("Cancelled"),
        },
        "status": 404 if lookup_errors else 200,
    }


LABELS = {
    "value_rials": N_("Value"),
    "count": N_("Number of cards"),
    "code": N_("Chosen code"),
    "batch": N_("Batch name"),
    "expires_at": N_("Valid until"),
}
PAGE = FormPage("club/giftcards.html", _load, "/console/club/giftcards?done=1", LABELS)


@router.get("", response_class=HTMLResponse)
async def gift_cards(request: Request, user: Reader) -> Response:
    return await PAGE.show(request, user, query=request.query_params)


@router.post("", response_class=HTMLResponse)
async def issue(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed = values(form, *FIELDS)
    made: list[GiftCardRead] = []

    def build() -> Step:
        expires = typed_day(typed["expires_on"], "Valid until", "اعتبار تا")
        data = GiftCardCreate.model_validate(
            {
                "value_rials": typed_rials(typed["value"], user.money_unit, "Value", "مبلغ"),
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

    response = await PAGE.submit(request, user, build, typed)
    if made and response.status_code == 303:
        found = {"batch": made[0].batch} if made[0].batch else {"code": made[0].code}
        query = urlencode({"done": 1, "issued": len(made), **found})
        response.headers["location"] = f"/console/club/giftcards?{query}"
    return response


@router.post("/cancel", response_class=HTMLResponse)
async def cancel(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    code = text(form, "code")

    async def step(session: AsyncSession) -> None:
        card = await giftcards.cancel(session, user.principal, code)
        # the code is what a holder spends with: the log keeps its last four characters only
        await changed(session, user, "giftcards.cancelled", "gift_card", None, ending=card.code[-4:])

    return await PAGE.act(
        request, user, step, "/console/club/giftcards?" + urlencode({"done": 1, "code": code})
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
    return download(request, body, f"gift-cards-{safe}.csv")
