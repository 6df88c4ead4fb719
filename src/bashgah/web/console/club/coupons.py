"""Coupon batches: one shared code or many generated ones, a fixed or percentage discount, the days a
batch is valid; switching a batch off, and its codes as CSV."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import jdatetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError
from bashgah.core.jalali import TEHRAN
from bashgah.coupons import service as coupons
from bashgah.coupons.schemas import BatchCreate, BatchUpdate
from bashgah.web.console.common import N_, FormPage, Reader, Sent, Step, Writer, changed, download, missing
from bashgah.web.forms import maybe_whole, typed_day, typed_rials
from bashgah.web.guard import database

router = APIRouter(prefix="/console/club/coupons", include_in_schema=False)
COUPON_FIELDS = (
    "name",
    "discount_type",
    "discount_value",
    "max_discount",
    "min_basket",
    "code",
    "count",
    "prefix",
    "max_uses_per_member",
    "valid_from",
    "valid_until",
)


def validity(typed: dict[str, str]) -> dict[str, datetime | None]:
    """The first and last day typed (Jalali or Gregorian) as the instants a batch is valid between: from
    the start of the first day to the end of the last, in Tehran; an empty last day is no end."""
    first = typed_day(typed["valid_from"], "Valid from", "معتبر از")
    last = typed_day(typed["valid_until"], "Valid until", "معتبر تا")
    return {
        "valid_from": datetime.combine(first, time(0), tzinfo=TEHRAN) if first else None,
        "valid_until": datetime.combine(last + timedelta(days=1), time(0), tzinfo=TEHRAN) if last else None,
    }


def day_typed(moment: datetime | None, lang: str, end: bool = False) -> str:
    """An instant as the day typed back into a form (Jalali in Persian); ``end``: the day before it."""
    if moment is None:
        return ""
    local = moment.astimezone(TEHRAN)
    d = (local - timedelta(seconds=1)).date() if end else local.date()
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=d)
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    return d.isoformat()


def last_day(moment: datetime | None) -> datetime | None:
    """A batch's end (the instant it stops) as the last day it is valid, to show."""
    return moment - timedelta(seconds=1) if moment is not None else None


async def _load(session: AsyncSession, user: StaffUser, lang: str) -> dict[str, Any]:
    batches = await coupons.list_batches(session, user.tenant_id)
    return {
        "batches": batches,
        "last_day": last_day,
        "editing": {
            b.id: {
                "valid_from": day_typed(b.valid_from, lang),
                "valid_until": day_typed(b.valid_until, lang, True),
            }
            for b in batches
        },
        "typed": {**dict.fromkeys(COUPON_FIELDS, ""), "discount_type": "fixed"},
    }


LABELS = {
    "discount_value": N_("Discount"),
    "min_basket_rials": N_("Minimum basket"),
    "code": N_("One shared code"),
    "count": N_("Number of codes"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
}
PAGE = FormPage("club/coupons.html", _load, "/console/club/coupons?done=1", LABELS)
PAGE.serve(router, "coupon_batches")


def _batch(typed: dict[str, str], unit: str) -> BatchCreate:
    """The batch the form describes, validated as the API validates it."""
    percent = typed["discount_type"] == "percent"
    return BatchCreate.model_validate(
        {
            "name": typed["name"],
            "discount_type": typed["discount_type"],
            "discount_value": maybe_whole(typed["discount_value"], "Percent", "درصد")
            if percent
            else typed_rials(typed["discount_value"], unit, "Discount", "تخفیف"),
            "max_discount_rials": typed_rials(
                typed["max_discount"], unit, "Discount cap", "سقف تخفیف", required=False
            ),
            "min_basket_rials": typed_rials(typed["min_basket"], unit, "Minimum basket", "حداقل سبد", False)
            or 0,
            "code": typed["code"] or None,
            "count": maybe_whole(typed["count"], "Number of codes", "تعداد کد"),
            "prefix": typed["prefix"],
            "max_uses_per_member": maybe_whole(typed["max_uses_per_member"], "Per member", "برای هر عضو"),
            **validity(typed),
        }
    )


@router.post("", response_class=HTMLResponse)
async def create_batch(request: Request, user: Writer) -> Response:
    def build(sent: Sent) -> Step:
        data = _batch(sent.typed, user.money_unit)

        async def step(session: AsyncSession) -> None:
            made = await coupons.create_batch(session, user.tenant_id, data)
            await changed(
                session, user, "coupons.batch_created", "coupon_batch", made.id, codes=made.code_count
            )

        return step

    # a refused batch shows an empty form again, as this page always has
    return await PAGE.save(request, user, COUPON_FIELDS, build, keep_typed=False)


@router.post("/{batch_id}", response_class=HTMLResponse)
async def change_batch(request: Request, user: Writer, batch_id: int) -> Response:
    """A batch's validity: the first and the last day its codes are accepted (empty last day: no end)."""

    def build(sent: Sent) -> Step:
        days = validity(sent.typed)
        data = BatchUpdate(
            valid_from=days["valid_from"] or datetime.now(TEHRAN), valid_until=days["valid_until"]
        )

        async def step(session: AsyncSession) -> None:
            await coupons.update_batch(session, user.tenant_id, batch_id, data)
            await changed(
                session,
                user,
                "coupons.batch_changed",
                "coupon_batch",
                batch_id,
                valid_from=data.valid_from.isoformat() if data.valid_from else None,
                valid_until=data.valid_until.isoformat() if data.valid_until else None,
            )

        return step

    return await PAGE.save(request, user, ("valid_from", "valid_until"), build, keep_typed=False)


@router.post("/{batch_id}/active", response_class=HTMLResponse)
async def switch_batch(request: Request, user: Writer, batch_id: int) -> Response:
    """Switch a batch off (no code of it is accepted) or on again."""

    async def turn(session: AsyncSession, active: bool) -> None:
        await coupons.update_batch(session, user.tenant_id, batch_id, BatchUpdate(active=active))
        await changed(session, user, "coupons.batch_switched", "coupon_batch", batch_id, active=active)

    return await PAGE.switch(request, user, turn)


@router.get("/{batch_id}/codes.csv")
async def coupon_codes(request: Request, user: Reader, batch_id: int) -> Response:
    """The batch's codes as the API's export writes them."""
    try:
        async with database(request).transaction() as session:
            body = await coupons.codes_csv(session, user.principal, batch_id)
    except BashgahError as error:
        return missing(request, user, error, status=error.status)
    return download(request, body, f"coupons-{batch_id}.csv")
