"""A member's page: the search (any digits, Persian letter variants), the profile with balance, tier,
wallet, stamp cards, coupons and the statement, and the changes made in one step — unblock, tier override,
tier unlock — each audit-logged."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError
from bashgah.coupons import service as coupons
from bashgah.members import service as members
from bashgah.models import Member
from bashgah.points import service as member_points
from bashgah.purchases import reads as purchases
from bashgah.stamps import reading as stamps
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import MemberTierRead, TierAssign
from bashgah.wallet import service as wallet
from bashgah.web import fmt
from bashgah.web.console.common import (
    Reader,
    Step,
    Writer,
    attempt,
    changed,
    lang_of,
    page,
    problems,
    read_or_missing,
)
from bashgah.web.forms import values
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator

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
            found = await members.newest(session, user.tenant_id, LATEST)
    return page(request, "members.html", user, q=q, found=found, errors=errors, searched=bool(q.strip()))


async def member_or_missing(request: Request, user: StaffUser, member_id: int) -> Member | HTMLResponse:
    """The club's member with this id, or the "not found" page."""
    return await read_or_missing(
        request, user, lambda session: members.get(session, user.tenant_id, member_id), "members"
    )


async def show(
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
    member = await member_or_missing(request, user, member_id)
    if isinstance(member, Response):
        return member
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
        refunds = [
            line.ref_id for line in statement.items if line.ref_type == "refund" and line.ref_id is not None
        ]
        refunded = await purchases.purchases_of_refunds(session, user.tenant_id, refunds)
    links = {
        line.id: line.ref_id if line.ref_type == "purchase" else refunded.get(line.ref_id or 0)
        for line in statement.items
        if line.ref_type in ("purchase", "refund") and line.ref_id is not None
    }
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
        to_next=tier_gap(tier, lang, user.money_unit) if tier else None,
        statement_links={line: bought for line, bought in links.items() if bought is not None},
        purse=purse,
        stamp_cards=cards,
        member_coupons=member_coupons,
        form_errors=errors or [],
        failed_form=form,
        typed=typed or {},
        notice=notice,
        section="members",
    )


def tier_gap(tier: MemberTierRead, lang: str, unit: str) -> str:
    """What the member still needs for the next level, in the ladder's own measure: money in the club's
    unit (spend), points or visits."""
    _ = translator(lang, "console")
    if tier.metric == "spend":
        return fmt.money(tier.to_next, lang, unit)
    figure = fmt.number(tier.to_next, lang)
    return _("%(n)s points", n=figure) if tier.metric == "points" else _("%(n)s visits", n=figure)


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
        "profile": _("The profile was saved."),
    }
    older = int(before) if before.isdigit() else None
    return await show(request, user, member_id, before=older, notice=notices.get(done))


async def _change(
    request: Request,
    user: StaffUser,
    member_id: int,
    form_name: str,
    typed: dict[str, str],
    labels: dict[str, str],
    work: Callable[[], Step],
    notice: str,
) -> Response:
    """Run one change in one transaction; on a refusal show the profile again with the message next to
    the form and the values typed (the transaction rolled back: nothing is half-saved)."""

    async def again(errors: list[str]) -> Response:
        return await show(request, user, member_id, errors=errors, form=form_name, typed=typed, status=422)

    return await attempt(request, user, work, again, f"/console/members/{member_id}?done={notice}", labels)


@router.post("/{member_id}/unblock", response_class=HTMLResponse)
async def unblock(request: Request, user: Writer, member_id: int) -> Response:
    await checked_form(request, user)

    def work() -> Step:
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

    def work() -> Step:
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

    def work() -> Step:
        async def step(session: AsyncSession) -> None:
            await members.get(session, user.tenant_id, member_id)
            await tiers.unlock(session, user.tenant_id, member_id, user.principal.actor)
            await changed(session, user, "member.tier_unlocked", "member", member_id)

        return step

    return await _change(request, user, member_id, "unlock", {}, {}, work, "unlocked")
