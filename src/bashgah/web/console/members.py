"""Members: search (any digits, Persian letter variants), the profile with balance, tier, consent and the
statement, and the manager's changes — points by hand, block / unblock, tier override — each audit-logged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import BashgahError, NotFound
from bashgah.coupons import service as coupons
from bashgah.ledger import member_points
from bashgah.ledger.schemas import AdjustmentCreate
from bashgah.members import service as members
from bashgah.members.schemas import MemberBlock
from bashgah.models import Member
from bashgah.stamps import service as stamps
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import TierAssign
from bashgah.wallet import service as wallet
from bashgah.wallet.schemas import WalletAdjustmentCreate
from bashgah.web.console.common import (
    Reader,
    Writer,
    amount_rials,
    changed,
    done,
    lang_of,
    page,
    problems,
    values,
    whole,
)
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator
from bashgah.web.sessions import StaffUser

router = APIRouter(prefix="/console/members", include_in_schema=False)
LATEST = 50
STATEMENT_PAGE = 50
#: Wallet lines shown on the profile (the full statement is the API's).
WALLET_LINES = 10


@router.get("", response_class=HTMLResponse)
async def search(request: Request, user: Reader, q: str = "") -> Response:
    """Without a query the newest members; with one, the same lookup as the till (phone, card, QR,
    national code or name)."""
    lang = lang_of(request, user)
    errors: list[str] = []
    found: list[Member] = []
    async with database(request).transaction() as session:
        if q.strip():
            try:
                found = (await members.lookup(session, user.tenant_id, q)).members
            except BashgahError as error:
                errors = problems(error, lang, unit=user.money_unit)
        else:
            found = list(
                (
                    await session.scalars(
                        select(Member)
                        .where(Member.tenant_id == user.tenant_id)
                        .order_by(Member.id.desc())
                        .limit(LATEST)
                    )
                ).all()
            )
    return page(request, "members.html", user, q=q, found=found, errors=errors, searched=bool(q.strip()))


async def _profile(
    request: Request,
    user: StaffUser,
    member_id: int,
    *,
    before: int | None = None,
    errors: list[str] | None = None,
    form: str | None = None,
    typed: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    lang = lang_of(request, user)
    try:
        async with database(request).transaction() as session:
            member = await members.get(session, user.tenant_id, member_id)
    except NotFound as error:
        return page(
            request,
            "missing.html",
            user,
            status=404,
            errors=problems(error, lang, unit=user.money_unit),
            section="members",
        )
    async with database(request).transaction() as session:
        balance = await member_points.summary(session, user.principal, member_id)
        statement = await member_points.history(
            session, user.principal, member_id, lang, before, STATEMENT_PAGE
        )
        ladder = await tiers.ladder(session, user.tenant_id)
        tier = await tiers.summary(session, user.tenant_id, member_id, lang) if ladder else None
        purse = await wallet.read(session, user.principal, member_id, lang, limit=WALLET_LINES)
        cards = [
            c
            for c in await stamps.progress(session, user.tenant_id, member_id, lang)
            if c.stamps or c.completed
        ]
        member_coupons = await coupons.member_coupons(session, user.tenant_id, member_id)
    return page(
        request,
        "member.html",
        user,
        status=status,
        member=member,
        balance=balance,
        statement=statement,
        ladder=ladder,
        tier=tier,
        purse=purse,
        stamp_cards=cards,
        member_coupons=member_coupons,
        form_errors=errors or [],
        failed_form=form,
        typed=typed or {},
        notice=notice,
        section="members",
    )


@router.get("/{member_id}", response_class=HTMLResponse)
async def profile(
    request: Request, user: Reader, member_id: int, before: str = "", done: str = ""
) -> Response:
    _ = translator(lang_of(request, user), "console")
    notices = {
        "adjusted": _("The points were changed."),
        "blocked": _("The member is blocked."),
        "unblocked": _("The member is unblocked."),
        "tier": _("The tier was set."),
        "unlocked": _("The tier is no longer locked."),
        "wallet": _("The wallet was changed."),
    }
    older = int(before) if before.isdigit() else None
    return await _profile(request, user, member_id, before=older, notice=notices.get(done))


Work = Callable[[AsyncSession], Awaitable[Any]]


async def _change(
    request: Request,
    user: StaffUser,
    member_id: int,
    form_name: str,
    typed: dict[str, str],
    labels: dict[str, str],
    work: Callable[[], Work],
    notice: str,
) -> Response:
    """Run one change in one transaction; on a refusal show the profile again with the message next to
    the form and the values typed (the transaction rolled back: nothing is half-saved)."""
    lang = lang_of(request, user)
    try:
        step = work()
        async with database(request).transaction() as session:
            await step(session)
    except (BashgahError, ValidationError) as error:
        return await _profile(
            request,
            user,
            member_id,
            errors=problems(error, lang, labels, unit=user.money_unit),
            form=form_name,
            typed=typed,
            status=422,
        )
    return done(f"/console/members/{member_id}?done={notice}")


@router.post("/{member_id}/adjust", response_class=HTMLResponse)
async def adjust(request: Request, user: Writer, member_id: int) -> Response:
    form = await checked_form(request, user)
    typed = values(form, "points", "reason")
    _ = translator(lang_of(request, user), "console")

    def work() -> Work:
        data = AdjustmentCreate(points=whole(typed["points"], "Points", "امتیاز"), reason=typed["reason"])

        async def step(session: AsyncSession) -> None:
            made = await member_points.adjust(session, user.principal, member_id, data)
            await changed(
                session,
                user,
                "member.points_adjusted",
                "member",
                member_id,
                points=data.points,
                transfer_id=made.transfer_id,
            )

        return step

    labels = {"points": _("Points"), "reason": _("Reason")}
    return await _change(request, user, member_id, "adjust", typed, labels, work, "adjusted")


@router.post("/{member_id}/block", response_class=HTMLResponse)
async def block(request: Request, user: Writer, member_id: int) -> Response:
    form = await checked_form(request, user)
    typed = values(form, "reason")
    _ = translator(lang_of(request, user), "console")

    def work() -> Work:
        data = MemberBlock(reason=typed["reason"])

        async def step(session: AsyncSession) -> None:
            await members.set_blocked(session, user.tenant_id, member_id, data.reason)
            await changed(session, user, "member.blocked", "member", member_id)

        return step

    return await _change(request, user, member_id, "block", typed, {"reason": _("Reason")}, work, "blocked")


@router.post("/{member_id}/unblock", response_class=HTMLResponse)
async def unblock(request: Request, user: Writer, member_id: int) -> Response:
    await checked_form(request, user)

    def work() -> Work:
        async def step(session: AsyncSession) -> None:
            await members.set_blocked(session, user.tenant_id, member_id, None)
            await changed(session, user, "member.unblocked", "member", member_id)

        return step

    return await _change(request, user, member_id, "unblock", {}, {}, work, "unblocked")


@router.post("/{member_id}/tier", response_class=HTMLResponse)
async def set_tier(request: Request, user: Writer, member_id: int) -> Response:
    form = await checked_form(request, user)
    typed = values(form, "level", "reason", "lock")
    _ = translator(lang_of(request, user), "console")

    def work() -> Work:
        data = TierAssign(level=typed["level"], reason=typed["reason"], lock=typed["lock"] == "1")

        async def step(session: AsyncSession) -> None:
            await members.get(session, user.tenant_id, member_id)
            await tiers.assign(session, user.tenant_id, member_id, data, user.principal.actor)
            await changed(
                session, user, "member.tier_set", "member", member_id, level=data.level, lock=data.lock
            )

        return step

    labels = {"level": _("Tier"), "reason": _("Reason")}
    return await _change(request, user, member_id, "tier", typed, labels, work, "tier")


@router.post("/{member_id}/tier/unlock", response_class=HTMLResponse)
async def unlock_tier(request: Request, user: Writer, member_id: int) -> Response:
    await checked_form(request, user)

    def work() -> Work:
        async def step(session: AsyncSession) -> None:
            await members.get(session, user.tenant_id, member_id)
            await tiers.unlock(session, user.tenant_id, member_id, user.principal.actor)
            await changed(session, user, "member.tier_unlocked", "member", member_id)

        return step

    return await _change(request, user, member_id, "unlock", {}, {}, work, "unlocked")


@router.post("/{member_id}/wallet", response_class=HTMLResponse)
async def adjust_wallet(request: Request, user: Writer, member_id: int) -> Response:
    """A manager's top-up or correction of the wallet in the club's unit (negative takes), with a reason."""
    form = await checked_form(request, user)
    typed = values(form, "amount", "reason")
    _ = translator(lang_of(request, user), "console")

    def work() -> Work:
        typed_amount = typed["amount"].replace("−", "-")
        sign = -1 if typed_amount.startswith("-") else 1
        rials = amount_rials(typed_amount.removeprefix("-"), user.money_unit, "Amount", "مبلغ")
        data = WalletAdjustmentCreate(amount_rials=sign * (rials or 0), reason=typed["reason"])

        async def step(session: AsyncSession) -> None:
            made = await wallet.adjust(session, user.principal, member_id, data)
            await changed(
                session,
                user,
                "member.wallet_adjusted",
                "member",
                member_id,
                rials=data.amount_rials,
                transfer_id=made.transfer_id,
            )

        return step

    labels = {"amount_rials": _("Amount"), "reason": _("Reason")}
    return await _change(request, user, member_id, "wallet", typed, labels, work, "wallet")
