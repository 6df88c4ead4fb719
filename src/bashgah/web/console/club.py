"""The club's set-up: programme settings, tiers, rewards, coupon batches, branches, staff, API keys and
the audit log. Every change calls the same service as the API or the CLI, in one transaction, and writes
one audit line; a refusal shows the page again with the message and what was typed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import jdatetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bashgah.auth import service as auth
from bashgah.core.errors import BashgahError, InvalidInput
from bashgah.core.jalali import TEHRAN
from bashgah.coupons import service as coupons
from bashgah.coupons.schemas import BatchCreate, BatchUpdate
from bashgah.models import AuditEntry, Branch, Staff, Tenant
from bashgah.rewards import service as rewards
from bashgah.rewards.schemas import RewardCreate, RewardUpdate
from bashgah.staff import service as staff
from bashgah.tenants import service as tenants
from bashgah.tenants.schemas import BranchCreate, ProgrammeUpdate
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import TierConfigUpdate
from bashgah.web import fmt, sessions
from bashgah.web.console import audit_view
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
    rials_as_typed,
    text,
    typed_day,
    values,
)
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator
from bashgah.web.render import finish
from bashgah.web.sessions import StaffUser

router = APIRouter(prefix="/console/club", include_in_schema=False)
AUDIT_PAGE = 200
#: Blank rows the tier form offers for new levels.
NEW_LEVELS = 2
REWARD_KINDS = ("discount_amount", "discount_percent", "free_product", "physical_gift", "free_shipping")
KEY_ROLES = ("owner", "manager", "cashier", "integration")


def _page(request: Request, user: StaffUser, template: str, **context: Any) -> Response:
    context.setdefault("notice", _notice(request, user))
    return page(request, f"club/{template}", user, section="club", **context)


def _notice(request: Request, user: StaffUser) -> str | None:
    if not request.query_params.get("done"):
        return None
    _ = translator(lang_of(request, user), "console")
    return _("Saved.")


@router.get("")
async def club(user: Reader) -> Response:
    return RedirectResponse("/console/club/settings", status_code=303)


# --- programme settings ---------------------------------------------------------------------------------

SETTINGS = (
    "earn_points",
    "earn_per",
    "rounding",
    "point_value",
    "pending_days",
    "expiry_mode",
    "expiry_months",
    "refund_policy",
    "reservation_minutes",
    "money_display",
    "analysts_may_export",
)


async def _settings_page(
    request: Request, user: StaffUser, typed: dict[str, str] | None = None, errors: list[str] | None = None
) -> Response:
    async with database(request).transaction() as session:
        program = await tenants.get_program(session, user.tenant_id)
        tenant = await session.get(Tenant, user.tenant_id)
    unit = user.money_unit
    typed = typed or {
        "earn_points": str(program.earn_points),
        "earn_per": rials_as_typed(program.earn_per_rials, unit),
        "rounding": program.rounding,
        "point_value": rials_as_typed(program.point_value_rials, unit),
        "pending_days": str(program.pending_days),
        "expiry_mode": program.expiry_mode,
        "expiry_months": str(program.expiry_months),
        "refund_policy": program.refund_policy,
        "reservation_minutes": str(program.reservation_minutes),
        "money_display": tenant.money_display if tenant else "toman",
        "analysts_may_export": "1" if tenant and tenant.analysts_may_export else "",
    }
    return _page(
        request, user, "settings.html", typed=typed, errors=errors or [], status=422 if errors else 200
    )


@router.get("/settings", response_class=HTMLResponse)
async def settings(request: Request, user: Reader) -> Response:
    return await _settings_page(request, user)


@router.post("/settings", response_class=HTMLResponse)
async def save_settings(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed = values(form, *SETTINGS)
    _ = translator(lang_of(request, user), "console")
    unit = user.money_unit

    def build() -> Step:
        data = ProgrammeUpdate.model_validate(
            {
                "earn_points": maybe_whole(typed["earn_points"], "Points earned", "امتیاز کسب‌شده"),
                "earn_per_rials": amount_rials(typed["earn_per"], unit, "For every", "به ازای هر"),
                "rounding": typed["rounding"] or None,
                "point_value_rials": amount_rials(
                    typed["point_value"], unit, "Point value", "ارزش هر امتیاز"
                ),
                "pending_days": maybe_whole(
                    typed["pending_days"], "Days before use", "روز تا قابل استفاده شدن"
                ),
                "expiry_mode": typed["expiry_mode"] or None,
                "expiry_months": maybe_whole(typed["expiry_months"], "Months", "ماه"),
                "refund_policy": typed["refund_policy"] or None,
                "reservation_minutes": maybe_whole(typed["reservation_minutes"], "Minutes", "دقیقه"),
            }
        )
        display = typed["money_display"]
        if display not in fmt.UNITS:
            raise InvalidInput(
                "money_display", "toman, rial or new rial", "تومان، ریال یا ریال جدید", "واحد نمایش مبلغ"
            )
        analysts_may_export = typed["analysts_may_export"] == "1"

        async def step(session: AsyncSession) -> None:
            await tenants.update_program(session, user.tenant_id, data)
            tenant = await session.get(Tenant, user.tenant_id)
            if tenant is not None:
                tenant.money_display = display
                tenant.analysts_may_export = analysts_may_export
            await changed(
                session,
                user,
                "programme.settings_changed",
                "programme",
                user.tenant_id,
                **data.model_dump(exclude_none=True),
                money_display=display,
                analysts_may_export=analysts_may_export,
            )

        return step

    async def again(errors: list[str]) -> Response:
        return await _settings_page(request, user, typed, errors)

    labels = {
        "earn_points": _("Points earned"),
        "earn_per_rials": _("For every"),
        "point_value_rials": _("Point value"),
        "pending_days": _("Days before points can be used"),
        "expiry_months": _("Months before points expire"),
        "reservation_minutes": _("Minutes a reservation is held"),
    }
    return await attempt(request, user, build, again, "/console/club/settings?done=1", labels)


# --- tiers ------------------------------------------------------------------------------------------------

LEVEL_FIELDS = ("code", "name_fa", "name_en", "threshold", "multiplier", "birthday")
POLICY_FIELDS = ("metric", "window", "window_months", "downgrade", "grace_days")


async def _tiers_page(
    request: Request, user: StaffUser, typed: dict[str, Any] | None = None, errors: list[str] | None = None
) -> Response:
    if typed is None:
        async with database(request).transaction() as session:
            found = await tiers.ladder(session, user.tenant_id)
        typed = {"enabled": True, "metric": "spend", "window": "rolling", "window_months": "12"}
        typed.update(downgrade="one_down", grace_days="30", levels=[])
        if found is not None:
            typed.update(
                enabled=found.enabled,
                metric=found.metric,
                window=found.window,
                window_months=str(found.window_months),
                downgrade=found.downgrade,
                grace_days=str(found.grace_days),
            )
            typed["levels"] = [
                {
                    "code": lv.code,
                    "name_fa": lv.name_fa,
                    "name_en": lv.name_en,
                    "threshold": rials_as_typed(lv.threshold, user.money_unit)
                    if found.metric == "spend"
                    else str(lv.threshold),
                    "multiplier": str(lv.earn_multiplier_pct),
                    "birthday": str(lv.birthday_gift_points),
                }
                for lv in found.levels
            ]
        typed["levels"] = typed["levels"] + [dict.fromkeys(LEVEL_FIELDS, "") for _ in range(NEW_LEVELS)]
    return _page(request, user, "tiers.html", typed=typed, errors=errors or [], status=422 if errors else 200)


@router.get("/tiers", response_class=HTMLResponse)
async def tier_ladder(request: Request, user: Reader) -> Response:
    return await _tiers_page(request, user)


def _levels_typed(form: FormData) -> list[dict[str, str]]:
    columns = {name: [str(v).strip() for v in form.getlist(f"level_{name}")] for name in LEVEL_FIELDS}
    count = max((len(c) for c in columns.values()), default=0)
    return [
        {name: (columns[name][i] if i < len(columns[name]) else "") for name in LEVEL_FIELDS}
        for i in range(count)
    ]


@router.post("/tiers", response_class=HTMLResponse)
async def save_tiers(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed: dict[str, Any] = dict(values(form, *POLICY_FIELDS))
    typed["enabled"] = text(form, "enabled") == "1"
    typed["levels"] = _levels_typed(form)
    lang = lang_of(request, user)
    _ = translator(lang, "console")

    def build() -> Step:
        levels = []
        for number, row in enumerate(typed["levels"], start=1):
            if not any(row.values()):
                continue
            label_en, label_fa = f"Level {number}", f"سطح {fmt.digits(number, 'fa')}"
            threshold = (
                amount_rials(row["threshold"], user.money_unit, label_en, label_fa)
                if typed["metric"] == "spend"
                else maybe_whole(row["threshold"], label_en, label_fa)
            )
            levels.append(
                {
                    "code": row["code"],
                    "name_fa": row["name_fa"],
                    "name_en": row["name_en"],
                    "threshold": threshold,
                    "earn_multiplier_pct": maybe_whole(row["multiplier"], label_en, label_fa) or 100,
                    "birthday_gift_points": maybe_whole(row["birthday"], label_en, label_fa) or 0,
                }
            )
        config = TierConfigUpdate.model_validate(
            {
                "enabled": typed["enabled"],
                "metric": typed["metric"],
                "window": typed["window"],
                "window_months": maybe_whole(typed["window_months"], "Months", "ماه") or 12,
                "downgrade": typed["downgrade"],
                "grace_days": maybe_whole(typed["grace_days"], "Grace days", "روزهای مهلت") or 0,
                "levels": levels,
            }
        )

        async def step(session: AsyncSession) -> None:
            await tiers.configure(session, user.tenant_id, config)
            await changed(
                session,
                user,
                "tiers.configured",
                "tiers",
                user.tenant_id,
                levels=[lv.code for lv in config.levels],
            )

        return step

    async def again(errors: list[str]) -> Response:
        return await _tiers_page(request, user, typed, errors)

    labels = {
        "levels": _("Levels"),
        "code": _("Code"),
        "name_fa": _("Name (Persian)"),
        "name_en": _("Name (English)"),
    }
    return await attempt(request, user, build, again, "/console/club/tiers?done=1", labels)


# --- rewards ----------------------------------------------------------------------------------------------

REWARD_FIELDS = (
    "name_fa",
    "name_en",
    "kind",
    "cost_points",
    "discount",
    "discount_percent",
    "max_discount",
    "sku",
    "stock",
    "per_member_limit",
)


async def _rewards_page(
    request: Request, user: StaffUser, typed: dict[str, str] | None = None, errors: list[str] | None = None
) -> Response:
    lang = lang_of(request, user)
    async with database(request).transaction() as session:
        found = await rewards.catalogue(session, user.tenant_id, lang)
    typed = typed or {**dict.fromkeys(REWARD_FIELDS, ""), "kind": "discount_amount"}
    return _page(
        request,
        user,
        "rewards.html",
        rewards=found,
        kinds=REWARD_KINDS,
        typed=typed,
        errors=errors or [],
        status=422 if errors else 200,
    )


@router.get("/rewards", response_class=HTMLResponse)
async def reward_list(request: Request, user: Reader) -> Response:
    return await _rewards_page(request, user)


@router.post("/rewards", response_class=HTMLResponse)
async def create_reward(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed = values(form, *REWARD_FIELDS)
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    unit = user.money_unit

    def build() -> Step:
        data = RewardCreate.model_validate(
            {
                "name_fa": typed["name_fa"],
                "name_en": typed["name_en"],
                "kind": typed["kind"],
                "cost_points": maybe_whole(typed["cost_points"], "Cost in points", "امتیاز لازم"),
                "discount_rials": amount_rials(typed["discount"], unit, "Discount", "تخفیف", required=False),
                "discount_percent": maybe_whole(typed["discount_percent"], "Percent", "درصد"),
                "max_discount_rials": amount_rials(
                    typed["max_discount"], unit, "Discount cap", "سقف تخفیف", required=False
                ),
                "sku": typed["sku"] or None,
                "stock": maybe_whole(typed["stock"], "Stock", "موجودی"),
                "per_member_limit": maybe_whole(typed["per_member_limit"], "Per member", "برای هر عضو"),
            }
        )

        async def step(session: AsyncSession) -> None:
            made = await rewards.create(session, user.tenant_id, data, lang)
            await changed(session, user, "reward.created", "reward", made.id, cost_points=data.cost_points)

        return step

    async def again(errors: list[str]) -> Response:
        return await _rewards_page(request, user, typed, errors)

    labels = {
        "name_fa": _("Name (Persian)"),
        "name_en": _("Name (English)"),
        "cost_points": _("Cost in points"),
        "discount_rials": _("Discount"),
        "discount_percent": _("Percent"),
        "max_discount_rials": _("Discount cap"),
        "stock": _("Stock"),
        "per_member_limit": _("Per member"),
    }
    return await attempt(request, user, build, again, "/console/club/rewards?done=1", labels)


@router.post("/rewards/{reward_id}/active", response_class=HTMLResponse)
async def toggle_reward(request: Request, user: Writer, reward_id: int) -> Response:
    form = await checked_form(request, user)
    active = text(form, "active") == "1"
    lang = lang_of(request, user)

    def build() -> Step:
        async def step(session: AsyncSession) -> None:
            await rewards.change(session, user.tenant_id, reward_id, RewardUpdate(active=active), lang)
            await changed(session, user, "reward.changed", "reward", reward_id, active=active)

        return step

    async def again(errors: list[str]) -> Response:
        return await _rewards_page(request, user, None, errors)

    return await attempt(request, user, build, again, "/console/club/rewards?done=1")


# --- coupon batches ---------------------------------------------------------------------------------------

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


async def _coupons_page(
    request: Request, user: StaffUser, typed: dict[str, str] | None = None, errors: list[str] | None = None
) -> Response:
    lang = lang_of(request, user)
    async with database(request).transaction() as session:
        batches = await coupons.list_batches(session, user.tenant_id)
    typed = typed or {**dict.fromkeys(COUPON_FIELDS, ""), "discount_type": "fixed"}
    return _page(
        request,
        user,
        "coupons.html",
        batches=batches,
        last_day=last_day,
        editing={
            b.id: {
                "valid_from": day_typed(b.valid_from, lang),
                "valid_until": day_typed(b.valid_until, lang, True),
            }
            for b in batches
        },
        typed=typed,
        errors=errors or [],
        status=422 if errors else 200,
    )


@router.get("/coupons", response_class=HTMLResponse)
async def coupon_batches(request: Request, user: Reader) -> Response:
    return await _coupons_page(request, user)


@router.post("/coupons", response_class=HTMLResponse)
async def create_batch(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed = values(form, *COUPON_FIELDS)
    _ = translator(lang_of(request, user), "console")
    unit = user.money_unit

    def build() -> Step:
        percent = typed["discount_type"] == "percent"
        data = BatchCreate.model_validate(
            {
                "name": typed["name"],
                "discount_type": typed["discount_type"],
                "discount_value": maybe_whole(typed["discount_value"], "Percent", "درصد")
                if percent
                else amount_rials(typed["discount_value"], unit, "Discount", "تخفیف"),
                "max_discount_rials": amount_rials(
                    typed["max_discount"], unit, "Discount cap", "سقف تخفیف", required=False
                ),
                "min_basket_rials": amount_rials(
                    typed["min_basket"], unit, "Minimum basket", "حداقل سبد", required=False
                )
                or 0,
                "code": typed["code"] or None,
                "count": maybe_whole(typed["count"], "Number of codes", "تعداد کد"),
                "prefix": typed["prefix"],
                "max_uses_per_member": maybe_whole(typed["max_uses_per_member"], "Per member", "برای هر عضو"),
                **validity(typed),
            }
        )

        async def step(session: AsyncSession) -> None:
            made = await coupons.create_batch(session, user.tenant_id, data)
            await changed(
                session, user, "coupons.batch_created", "coupon_batch", made.id, codes=made.code_count
            )

        return step

    async def again(errors: list[str]) -> Response:
        return await _coupons_page(request, user, typed, errors)

    labels = {
        "name": _("Name"),
        "discount_value": _("Discount"),
        "max_discount_rials": _("Discount cap"),
        "min_basket_rials": _("Minimum basket"),
        "code": _("One shared code"),
        "count": _("Number of codes"),
        "prefix": _("Prefix"),
    }
    return await attempt(request, user, build, again, "/console/club/coupons?done=1", labels)


@router.post("/coupons/{batch_id}", response_class=HTMLResponse)
async def change_batch(request: Request, user: Writer, batch_id: int) -> Response:
    """A batch's validity: the first and the last day its codes are accepted (empty last day: no end)."""
    form = await checked_form(request, user)
    typed = values(form, "valid_from", "valid_until")
    _ = translator(lang_of(request, user), "console")

    def build() -> Step:
        days = validity(typed)
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

    async def again(errors: list[str]) -> Response:
        return await _coupons_page(request, user, None, errors)

    labels = {"valid_from": _("Valid from"), "valid_until": _("Valid until")}
    return await attempt(request, user, build, again, "/console/club/coupons?done=1", labels)


@router.post("/coupons/{batch_id}/active", response_class=HTMLResponse)
async def switch_batch(request: Request, user: Writer, batch_id: int) -> Response:
    """Switch a batch off (no code of it is accepted) or on again."""
    form = await checked_form(request, user)
    active = text(form, "active") == "1"

    def build() -> Step:
        async def step(session: AsyncSession) -> None:
            await coupons.update_batch(session, user.tenant_id, batch_id, BatchUpdate(active=active))
            await changed(session, user, "coupons.batch_switched", "coupon_batch", batch_id, active=active)

        return step

    async def again(errors: list[str]) -> Response:
        return await _coupons_page(request, user, None, errors)

    return await attempt(request, user, build, again, "/console/club/coupons?done=1")


@router.get("/coupons/{batch_id}/codes.csv")
async def coupon_codes(request: Request, user: Reader, batch_id: int) -> Response:
    """The batch's codes as the API's export writes them."""
    try:
        async with database(request).transaction() as session:
            body = await coupons.codes_csv(session, user.principal, batch_id)
    except BashgahError as error:
        return missing(request, user, error, status=error.status)
    response = Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="coupons-{batch_id}.csv"'},
    )
    finish(request, response)
    return response


# --- branches ---------------------------------------------------------------------------------------------


async def _branches_page(
    request: Request, user: StaffUser, typed: dict[str, str] | None = None, errors: list[str] | None = None
) -> Response:
    async with database(request).transaction() as session:
        found = await tenants.list_branches(session, user.tenant_id)
    typed = typed or {"code": "", "name": "", "kind": "store"}
    return _page(
        request,
        user,
        "branches.html",
        branches=found,
        typed=typed,
        errors=errors or [],
        status=422 if errors else 200,
    )


@router.get("/branches", response_class=HTMLResponse)
async def branches(request: Request, user: Reader) -> Response:
    return await _branches_page(request, user)


@router.post("/branches", response_class=HTMLResponse)
async def create_branch(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed = values(form, "code", "name", "kind")
    _ = translator(lang_of(request, user), "console")

    def build() -> Step:
        data = BranchCreate.model_validate(typed)

        async def step(session: AsyncSession) -> None:
            made = await tenants.create_branch(session, user.tenant_id, data)
            await changed(session, user, "branch.created", "branch", made.id, code=made.code)

        return step

    async def again(errors: list[str]) -> Response:
        return await _branches_page(request, user, typed, errors)

    labels = {"code": _("Code"), "name": _("Name"), "kind": _("Kind")}
    return await attempt(request, user, build, again, "/console/club/branches?done=1", labels)


# --- staff ------------------------------------------------------------------------------------------------


def _new_staff_form(branches: Sequence[Branch]) -> dict[str, str]:
    """An empty "add a person" form that can be sent as it is: most people an owner adds are cashiers, and a
    cashier works at a branch, so the first branch is chosen; a club without branches starts at a role
    that needs none."""
    open_ = [branch for branch in branches if branch.active]
    if open_:
        return {"username": "", "full_name": "", "role": "cashier", "branch": open_[0].code, "password": ""}
    return {"username": "", "full_name": "", "role": "manager", "branch": "", "password": ""}


async def _staff_page(
    request: Request, user: StaffUser, typed: dict[str, str] | None = None, errors: list[str] | None = None
) -> Response:
    async with database(request).transaction() as session:
        people = await staff.list_staff(session, user.tenant_id)
        found = await tenants.list_branches(session, user.tenant_id)
    typed = typed or _new_staff_form(found)
    return _page(
        request,
        user,
        "staff.html",
        people=people,
        branches=found,
        branch_names={b.id: b.name for b in found},
        branch_codes={b.id: b.code for b in found},
        roles=staff.STAFF_ROLES,
        typed={**typed, "password": ""},  # a password is never sent back to the browser
        errors=errors or [],
        status=422 if errors else 200,
    )


@router.get("/staff", response_class=HTMLResponse)
async def staff_list(request: Request, user: Reader) -> Response:
    return await _staff_page(request, user)


@router.post("/staff", response_class=HTMLResponse)
async def add_staff(request: Request, user: Writer) -> Response:
    form = await checked_form(request, user)
    typed = values(form, "username", "full_name", "role", "branch")
    password = form.get("password")

    def build() -> Step:
        async def step(session: AsyncSession) -> None:
            branch_id = None
            if typed["branch"]:
                branch_id = (await tenants.resolve_branch(session, user.tenant_id, typed["branch"], None)).id
            person = await staff.add(
                session,
                user.tenant_id,
                typed["username"],
                typed["full_name"],
                typed["role"],
                branch_id,
                password=password if isinstance(password, str) else "",
            )
            await changed(session, user, "staff.added", "staff", person.id, role=person.role)

        return step

    async def again(errors: list[str]) -> Response:
        return await _staff_page(request, user, typed, errors)

    return await attempt(request, user, build, again, "/console/club/staff?done=1")


@router.post("/staff/{staff_id}/disable", response_class=HTMLResponse)
async def disable_staff(request: Request, user: Writer, staff_id: int) -> Response:
    await checked_form(request, user)
    lang = lang_of(request, user)
    _ = translator(lang, "console")

    def build() -> Step:
        if staff_id == user.staff_id:
            raise InvalidInput(
                "staff", "you cannot disable yourself", "نمی‌توانید خودتان را غیرفعال کنید", "کارمند"
            )

        async def step(session: AsyncSession) -> None:
            username = await session.scalar(
                select(Staff.username).where(Staff.tenant_id == user.tenant_id, Staff.id == staff_id)
            )
            person = await staff.disable(session, user.tenant_id, username or f"#{staff_id}")
            await changed(session, user, "staff.disabled", "staff", person.id)

        return step

    async def again(errors: list[str]) -> Response:
        return await _staff_page(request, user, None, errors)

    return await attempt(request, user, build, again, "/console/club/staff?done=1")


@router.post("/staff/{staff_id}/password", response_class=HTMLResponse)
async def reset_staff_password(request: Request, user: Writer, staff_id: int) -> Response:
    """A new password for a person who forgot theirs; every session they had is ended."""
    form = await checked_form(request, user)
    password = form.get("password")

    def build() -> Step:
        async def step(session: AsyncSession) -> None:
            person = await staff.reset_password(
                session,
                user.tenant_id,
                staff_id,
                password if isinstance(password, str) else "",
                user.role,
            )
            await sessions.end_all_of_staff(session, person.id)
            await changed(session, user, "staff.password_reset", "staff", person.id)

        return step

    async def again(errors: list[str]) -> Response:
        return await _staff_page(request, user, None, errors)

    return await attempt(request, user, build, again, "/console/club/staff?done=1")


@router.post("/staff/{staff_id}/role", response_class=HTMLResponse)
async def change_staff_role(request: Request, user: Writer, staff_id: int) -> Response:
    """Another role (and branch) for a person; the club's last owner stays owner."""
    form = await checked_form(request, user)
    typed = values(form, "role", "branch")

    def build() -> Step:
        async def step(session: AsyncSession) -> None:
            branch_id = None
            if typed["branch"] and typed["role"] == "cashier":
                branch_id = (await tenants.resolve_branch(session, user.tenant_id, typed["branch"], None)).id
            before = (await staff.get(session, user.tenant_id, staff_id)).role
            person = await staff.change_role(
                session, user.tenant_id, staff_id, typed["role"], branch_id, user.role
            )
            await changed(
                session, user, "staff.role_changed", "staff", person.id, role_before=before, role=person.role
            )

        return step

    async def again(errors: list[str]) -> Response:
        return await _staff_page(request, user, None, errors)

    return await attempt(request, user, build, again, "/console/club/staff?done=1")


# --- API keys ---------------------------------------------------------------------------------------------


async def _keys_page(
    request: Request,
    user: StaffUser,
    typed: dict[str, str] | None = None,
    errors: list[str] | None = None,
    secret: str | None = None,
) -> Response:
    async with database(request).transaction() as session:
        keys = await auth.list_keys(session, user.tenant_id)
        found = await tenants.list_branches(session, user.tenant_id)
    return _page(
        request,
        user,
        "keys.html",
        keys=keys,
        branches=found,
        roles=KEY_ROLES,
        typed=typed or {"name": "", "role": "integration", "branch": ""},
        secret=secret,
        errors=errors or [],
        status=422 if errors else 200,
    )


@router.get("/keys", response_class=HTMLResponse)
async def api_keys(request: Request, user: Reader) -> Response:
    return await _keys_page(request, user)


@router.post("/keys", response_class=HTMLResponse)
async def create_key(request: Request, user: Writer) -> Response:
    """The new key is shown once, on this answer (pages are never cached); only its hash is stored."""
    form = await checked_form(request, user)
    typed = values(form, "name", "role", "branch")
    lang = lang_of(request, user)
    try:
        if not typed["name"] or len(typed["name"]) > 100:
            raise InvalidInput("name", "1 to 100 characters", "۱ تا ۱۰۰ نویسه", "نام")
        async with database(request).transaction() as session:
            branch_id = None
            if typed["branch"]:
                branch_id = (await tenants.resolve_branch(session, user.tenant_id, typed["branch"], None)).id
            key, plaintext = await auth.create(
                session, user.tenant_id, typed["name"], typed["role"], branch_id
            )
            await changed(session, user, "api_key.created", "api_key", key.id, role=key.role)
    except BashgahError as error:
        return await _keys_page(request, user, typed, problems(error, lang, unit=user.money_unit))
    return await _keys_page(request, user, secret=plaintext)


@router.post("/keys/{key_id}/revoke", response_class=HTMLResponse)
async def revoke_key(request: Request, user: Writer, key_id: int) -> Response:
    await checked_form(request, user)

    def build() -> Step:
        async def step(session: AsyncSession) -> None:
            await auth.revoke(session, user.tenant_id, key_id)
            await changed(session, user, "api_key.revoked", "api_key", key_id)

        return step

    async def again(errors: list[str]) -> Response:
        return await _keys_page(request, user, None, errors)

    return await attempt(request, user, build, again, "/console/club/keys?done=1")


# --- audit log --------------------------------------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
async def audit_log(
    request: Request,
    user: Reader,
    before: str = "",
    who: str = "",
    what: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    """Every change a person made through the web pages, newest first, in words, a page at a time;
    filtered by the person, the kind of action and the days (Jalali or Gregorian)."""
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    typed = {"who": who, "what": what, "since": since, "until": until}
    errors: list[str] = []
    query = select(AuditEntry).where(AuditEntry.tenant_id == user.tenant_id)
    try:
        first = typed_day(since.strip(), "From", "از روز")
        last = typed_day(until.strip(), "Until", "تا روز")
    except BashgahError as error:
        errors, first, last = problems(error, lang, unit=user.money_unit), None, None
    if first is not None:
        query = query.where(AuditEntry.at >= datetime.combine(first, time(0), tzinfo=TEHRAN))
    if last is not None:
        query = query.where(
            AuditEntry.at < datetime.combine(last + timedelta(days=1), time(0), tzinfo=TEHRAN)
        )
    if who.isdigit() and len(who) < 19:
        query = query.where(AuditEntry.actor_staff_id == int(who))
    if what:
        query = query.where(AuditEntry.action == what[:64])
    if before.isdigit() and len(before) < 19:
        query = query.where(AuditEntry.id < int(before))
    async with database(request).transaction() as session:
        found = list(
            (await session.scalars(query.order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE + 1))).all()
        )
        lines = await audit_view.rows(session, user.tenant_id, found[:AUDIT_PAGE], lang, user.money_unit)
        people = await staff.list_staff(session, user.tenant_id)
    older = None
    if len(found) > AUDIT_PAGE:
        older = "/console/club/audit?" + urlencode(
            {**{k: v for k, v in typed.items() if v}, "before": lines[-1].id}
        )
    return _page(
        request,
        user,
        "audit.html",
        lines=lines,
        older=older,
        typed=typed,
        people=[(str(p.id), p.full_name) for p in people],
        actions=sorted(audit_view.action_names(_).items(), key=lambda pair: pair[1]),
        errors=errors,
        filtered=any(typed.values()),
    )
