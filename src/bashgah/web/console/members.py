"""Members: search (any digits, Persian letter variants), the profile with balance, tier, consent and the
statement, and the manager's changes — points by hand, block / unblock, tier override — each audit-logged."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import jdatetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import BashgahError, DuplicateMember, NotFound
from bashgah.core.normalize import local_mobile
from bashgah.coupons import service as coupons
from bashgah.idempotency import service as idempotency
from bashgah.ledger import member_points
from bashgah.ledger.schemas import AdjustmentCreate
from bashgah.members import service as members
from bashgah.members.schemas import MemberBlock, MemberUpdate
from bashgah.models import Member
from bashgah.purchases import service as purchases
from bashgah.stamps import service as stamps
from bashgah.tiers import service as tiers
from bashgah.tiers.schemas import MemberTierRead, TierAssign
from bashgah.wallet import service as wallet
from bashgah.wallet.schemas import WalletAdjustmentCreate
from bashgah.web import fmt, forms
from bashgah.web.console.common import Reader, Writer, changed, done, lang_of, missing, page, problems
from bashgah.web.forms import text, typed_rials, values, whole
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
        return missing(request, user, error, section="members")
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


@dataclass
class Confirmation:
    """The confirm step of a change that moves points or money or shuts a member out: what will happen,
    in the page's language and figures, and the form that does it (``step=confirm``) or goes back."""

    member: Member
    title: str
    action: str
    #: (element id, label, value already formatted, whether the value reads left to right).
    rows: list[tuple[str, str, str, bool]]
    #: The fields typed, carried to the confirm POST.
    carried: dict[str, str]
    button: str
    #: What the change means, when the figures do not say it (blocking).
    meaning: list[str] = field(default_factory=list)


def signed(points: int, lang: str) -> str:
    """``10`` → ``+10``, ``-10`` → ``−10`` (Persian digits in fa): the change with its sign."""
    return ("+" if points > 0 else "−") + fmt.number(abs(points), lang)


def _confirm_page(request: Request, user: StaffUser, view: Confirmation) -> Response:
    return page(request, "member_confirm.html", user, view=view, member=view.member, section="members")


async def _apply(
    request: Request,
    user: StaffUser,
    member_id: int,
    form_key: str,
    step: Work,
    notice: str,
) -> Response:
    """The confirm POST: the change once per form key (a second send of the same confirmation — a double
    click, a reload — finds the first one's record and only redirects)."""
    key = f"console-member-{notice}:{form_key or forms.new_form_key()}"
    fp = idempotency.fingerprint("POST", f"/console/members/{member_id}/{notice}", {})
    try:
        async with database(request).transaction() as session:
            await step(session)
            await idempotency.remember(session, user.principal, key, fp, 303, {"member_id": member_id})
    except (IntegrityError, BashgahError):
        async with database(request).transaction() as session:
            prior = await idempotency.replay(session, user.principal, key, fp)
        if prior is None:
            raise
    return done(f"/console/members/{member_id}?done={notice}")


async def _refused(
    request: Request,
    user: StaffUser,
    member_id: int,
    error: Exception,
    form_name: str,
    typed: dict[str, str],
    labels: dict[str, str],
) -> Response:
    """A refusal, at the first step or the confirm: the profile with the message next to the form and the
    values typed; nothing changed."""
    lang = lang_of(request, user)
    if isinstance(error, IntegrityError):
        _ = translator(lang, "console")
        errors = [_("This conflicts with existing data; nothing was saved.")]
    else:
        errors = problems(error, lang, labels, unit=user.money_unit)
    return await _profile(request, user, member_id, errors=errors, form=form_name, typed=typed, status=422)


@router.post("/{member_id}/adjust", response_class=HTMLResponse)
async def adjust(request: Request, user: Writer, member_id: int) -> Response:
    """Step 1 shows the member, the change with its sign, the reason and the points available now and
    after (the adjustment's own dry run); only ``step=confirm`` gives or takes the points."""
    form = await checked_form(request, user)
    typed = values(form, "points", "reason")
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    labels = {"points": _("Points"), "reason": _("Reason")}
    try:
        data = AdjustmentCreate(points=whole(typed["points"], "Points", "امتیاز"), reason=typed["reason"])
        if text(form, "step") != "confirm":
            async with database(request).transaction() as session:
                plan = await member_points.preview_adjust(session, user.principal, member_id, data)
                member = await members.get(session, user.tenant_id, member_id)  # the preview expired it
            return _confirm_page(
                request,
                user,
                Confirmation(
                    member=member,
                    title=_("Confirm the points change"),
                    action=f"/console/members/{member_id}/adjust",
                    rows=[
                        ("confirm-change", _("Change"), signed(plan.points, lang), True),
                        ("confirm-reason", _("Reason"), plan.reason, False),
                        ("confirm-now", _("Available now"), fmt.number(plan.before.available, lang), False),
                        (
                            "confirm-after",
                            _("Available after"),
                            fmt.number(plan.after.available, lang),
                            False,
                        ),
                    ],
                    carried={
                        "points": str(data.points),
                        "reason": typed["reason"],
                        "key": forms.new_form_key(),
                    },
                    button=_("Give the points") if plan.points > 0 else _("Take the points"),
                ),
            )

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

        return await _apply(request, user, member_id, text(form, "key"), step, "adjusted")
    except (BashgahError, ValidationError, IntegrityError) as error:
        return await _refused(request, user, member_id, error, "adjust", typed, labels)


@router.post("/{member_id}/block", response_class=HTMLResponse)
async def block(request: Request, user: Writer, member_id: int) -> Response:
    """Step 1 says what blocking does (what ``members.ensure_active`` and the portal's sign-in refuse);
    only ``step=confirm`` blocks."""
    form = await checked_form(request, user)
    typed = values(form, "reason")
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    labels = {"reason": _("Reason")}
    try:
        data = MemberBlock(reason=typed["reason"])
        if text(form, "step") != "confirm":
            async with database(request).transaction() as session:
                member = await members.get(session, user.tenant_id, member_id)
            return _confirm_page(
                request,
                user,
                Confirmation(
                    member=member,
                    title=_("Confirm blocking the member"),
                    action=f"/console/members/{member_id}/block",
                    rows=[("confirm-reason", _("Reason"), data.reason, False)],
                    carried={"reason": typed["reason"], "key": forms.new_form_key()},
                    button=_("Block the member"),
                    meaning=blocking_means(_),
                ),
            )

        async def step(session: AsyncSession) -> None:
            await members.set_blocked(session, user.tenant_id, member_id, data.reason)
            await changed(session, user, "member.blocked", "member", member_id)

        return await _apply(request, user, member_id, text(form, "key"), step, "blocked")
    except (BashgahError, ValidationError, IntegrityError) as error:
        return await _refused(request, user, member_id, error, "block", typed, labels)


def blocking_means(_: Callable[..., str]) -> list[str]:
    """What blocking really does: every service that checks ``members.ensure_active`` refuses the member,
    and the portal sends a sign-in code to active members only. Points and wallet are kept."""
    return [
        _(
            "No purchase can be recorded for the member at the till: they earn no points and spend no points, "
            "wallet or coupons."
        ),
        _(
            "They cannot redeem rewards or give points to another member; their wallet cannot be topped up, "
            "corrected or loaded from a gift card."
        ),
        _(
            "They cannot sign in to the portal (no sign-in code is sent); a portal session already open stays "
            "open until it ends."
        ),
        _("Their points and wallet are kept; unblocking gives everything back as it was."),
    ]


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
    """A manager's top-up or correction of the wallet in the club's unit (negative takes), with a reason.
    Step 1 shows the amount and the wallet now and after (the adjustment's own dry run); only
    ``step=confirm`` moves the money."""
    form = await checked_form(request, user)
    typed = values(form, "amount", "reason")
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    labels = {"amount_rials": _("Amount"), "reason": _("Reason")}
    try:
        typed_amount = typed["amount"].replace("−", "-")
        sign = -1 if typed_amount.startswith("-") else 1
        rials = typed_rials(typed_amount.removeprefix("-"), user.money_unit, "Amount", "مبلغ")
        data = WalletAdjustmentCreate(amount_rials=sign * (rials or 0), reason=typed["reason"])
        if text(form, "step") != "confirm":
            async with database(request).transaction() as session:
                plan = await wallet.preview_adjust(session, user.principal, member_id, data)
                member = await members.get(session, user.tenant_id, member_id)  # the preview expired it

            def money(rials: int) -> str:
                return fmt.money(rials, lang, user.money_unit)

            gives = plan.amount_rials > 0
            return _confirm_page(
                request,
                user,
                Confirmation(
                    member=member,
                    title=_("Confirm the wallet change"),
                    action=f"/console/members/{member_id}/wallet",
                    rows=[
                        (
                            "confirm-change",
                            _("Added to the wallet") if gives else _("Taken from the wallet"),
                            money(abs(plan.amount_rials)),
                            False,
                        ),
                        ("confirm-reason", _("Reason"), plan.reason, False),
                        ("confirm-now", _("Wallet now"), money(plan.before.available_rials), False),
                        ("confirm-after", _("Wallet after"), money(plan.after.available_rials), False),
                    ],
                    carried={
                        "amount": typed["amount"],
                        "reason": typed["reason"],
                        "key": forms.new_form_key(),
                    },
                    button=_("Top up the wallet") if gives else _("Take from the wallet"),
                ),
            )

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

        return await _apply(request, user, member_id, text(form, "key"), step, "wallet")
    except (BashgahError, ValidationError, IntegrityError) as error:
        return await _refused(request, user, member_id, error, "wallet", typed, labels)


# --- the profile's own fields -----------------------------------------------------------------------------

#: The fields of the edit form, as ``MemberUpdate`` names them (tags are typed comma-separated).
PROFILE_FIELDS = ("first_name", "last_name", "mobile", "birth_date", "email", "national_code", "tags")
#: What the audit line names when a field changed (names of fields only, never their values).
_AUDITED = ("first_name", "last_name", "mobile", "birth_date", "email", "national_code", "tags")


def profile_typed(member: Member, lang: str) -> dict[str, str]:
    """The form's values for a stored member: the birthday as Jalali in Persian, Gregorian in English."""
    birth = ""
    if member.birth_date is not None:
        if lang == "fa":
            j = jdatetime.date.fromgregorian(date=member.birth_date)
            birth = f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
        else:
            birth = member.birth_date.isoformat()
    mobile = local_mobile(member.mobile)
    return {
        "first_name": member.first_name or "",
        "last_name": member.last_name or "",
        "mobile": mobile,
        "birth_date": birth,
        "email": member.email or "",
        "national_code": member.national_code or "",
        "tags": ", ".join(member.tags or []),
    }


def profile_update(typed: dict[str, str]) -> MemberUpdate:
    """What the form asks to change, as the API's ``MemberUpdate`` (empty optional fields clear them)."""
    return MemberUpdate.model_validate(
        {
            "first_name": typed["first_name"],
            "last_name": typed["last_name"],
            "mobile": typed["mobile"],
            "birth_date": typed["birth_date"] or None,
            "email": typed["email"] or None,
            "national_code": typed["national_code"] or None,
            "tags": [t.strip() for t in re.split(r"[,،]", typed["tags"]) if t.strip()],
        }
    )


def _snapshot(member: Member) -> dict[str, Any]:
    return {name: getattr(member, name) for name in _AUDITED}


async def _edit_page(
    request: Request,
    user: StaffUser,
    member_id: int,
    typed: dict[str, str] | None = None,
    errors: list[str] | None = None,
    other_id: int | None = None,
) -> Response:
    lang = lang_of(request, user)
    try:
        async with database(request).transaction() as session:
            member = await members.get(session, user.tenant_id, member_id)
    except NotFound as error:
        return missing(request, user, error, section="members")
    return page(
        request,
        "member_edit.html",
        user,
        status=422 if errors else 200,
        member=member,
        typed=typed or profile_typed(member, lang),
        form_errors=errors or [],
        other_id=other_id,
        section="members",
    )


@router.get("/{member_id}/edit", response_class=HTMLResponse)
async def edit_profile(request: Request, user: Writer, member_id: int) -> Response:
    return await _edit_page(request, user, member_id)


@router.post("/{member_id}/edit", response_class=HTMLResponse)
async def save_profile(request: Request, user: Writer, member_id: int) -> Response:
    """The manager corrects a member's name, birthday, email, national code, tags or mobile through the
    same ``members.service.update`` as the API (a mobile or national code another member has is
    refused); the audit line names the fields that changed, never their values."""
    form = await checked_form(request, user)
    typed = values(form, *PROFILE_FIELDS)
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    labels = {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "mobile": _("Mobile"),
        "birth_date": _("Birthday"),
        "email": _("Email"),
        "national_code": _("National code"),
        "tags": _("Tags"),
    }
    try:
        data = profile_update(typed)
        async with database(request).transaction() as session:
            member = await members.get(session, user.tenant_id, member_id)
            before = _snapshot(member)
            member = await members.update(session, user.tenant_id, member_id, data)
            after = _snapshot(member)
            fields = [name for name in _AUDITED if before[name] != after[name]]
            if fields:
                await changed(session, user, "member.profile_changed", "member", member_id, fields=fields)
    except NotFound as error:
        return missing(request, user, error, section="members")
    except (BashgahError, ValidationError) as error:
        other_id = None
        if isinstance(error, DuplicateMember) and error.params.get("field") == "mobile":
            other_id = await _holder_of(request, user, typed["mobile"])
        return await _edit_page(
            request, user, member_id, typed, problems(error, lang, labels, unit=user.money_unit), other_id
        )
    return done(f"/console/members/{member_id}?done=profile")


async def _holder_of(request: Request, user: StaffUser, mobile: str) -> int | None:
    """The member who already has this mobile, to link to from the refusal."""
    try:
        async with database(request).transaction() as session:
            return (await members.get_by_mobile(session, user.tenant_id, mobile)).id
    except BashgahError:
        return None
