"""A member's changes that move points or money or shut the member out — points by hand, blocking, the
wallet — in two steps: what will happen (``Confirmation``), then the change once per form key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError
from bashgah.idempotency import service as idempotency
from bashgah.members import service as members
from bashgah.members.schemas import MemberBlock
from bashgah.models import Member
from bashgah.points import service as member_points
from bashgah.points.schemas import AdjustmentCreate
from bashgah.wallet import service as wallet
from bashgah.wallet.schemas import WalletAdjustmentCreate
from bashgah.web import fmt, forms
from bashgah.web.console.common import Step, Writer, changed, done, lang_of, page, problems
from bashgah.web.console.members import profile
from bashgah.web.forms import text, typed_rials, values, whole
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator

router = APIRouter(prefix="/console/members", include_in_schema=False)
Data = TypeVar("Data")


@dataclass
class Confirmation:
    """The confirm step of a change that moves points or money or shuts a member out: what will happen,
    in the page's language and figures, and the form that does it (``step=confirm``) or goes back."""

    title: str
    #: (element id, label, value already formatted, whether the value reads left to right).
    rows: list[tuple[str, str, str, bool]]
    #: The fields typed, carried to the confirm POST (with a new form key).
    carried: dict[str, str]
    button: str
    #: What the change means, when the figures do not say it (blocking).
    meaning: list[str] = field(default_factory=list)
    member: Member | None = None
    action: str = ""


def signed(points: int, lang: str) -> str:
    """``10`` → ``+10``, ``-10`` → ``−10`` (Persian digits in fa): the change with its sign."""
    return ("+" if points > 0 else "−") + fmt.number(abs(points), lang)


@dataclass
class TwoSteps(Generic[Data]):
    """One change to a member in two steps. The first POST reads the form (``parse``) and shows what will
    happen (``preview``: the change's own dry run, in words); the second (``step=confirm``) makes the
    change once per form key — a second send of the same confirmation (a double click, a reload) finds
    the first one's record and only redirects. A refusal at either step shows the profile with the
    message next to the form (``kind``, also the path) and the values typed; nothing changed."""

    request: Request
    user: StaffUser
    member_id: int
    kind: str
    #: The profile's notice after the change (``?done=``).
    notice: str
    typed: dict[str, str]
    labels: dict[str, str]
    parse: Callable[[], Data]
    preview: Callable[[AsyncSession, Data], Awaitable[Confirmation]]
    change: Callable[[Data], Step]

    async def run(self, form: FormData) -> Response:
        try:
            data = self.parse()
            if text(form, "step") != "confirm":
                return await self._confirm(data)
            return await self._apply(text(form, "key"), self.change(data))
        except (BashgahError, ValidationError, IntegrityError) as error:
            return await self._refused(error)

    async def _confirm(self, data: Data) -> Response:
        request, user = self.request, self.user
        async with database(request).transaction() as session:
            view = await self.preview(session, data)
            view.member = await members.get(session, user.tenant_id, self.member_id)  # a preview expires it
        view.action = f"/console/members/{self.member_id}/{self.kind}"
        view.carried["key"] = forms.new_form_key()
        return page(request, "member_confirm.html", user, view=view, member=view.member, section="members")

    async def _apply(self, form_key: str, step: Step) -> Response:
        request, user, member_id = self.request, self.user, self.member_id
        key = f"console-member-{self.notice}:{form_key or forms.new_form_key()}"
        fp = idempotency.fingerprint("POST", f"/console/members/{member_id}/{self.notice}", {})
        try:
            async with database(request).transaction() as session:
                await step(session)
                await idempotency.remember(session, user.principal, key, fp, 303, {"member_id": member_id})
        except (IntegrityError, BashgahError):
            async with database(request).transaction() as session:
                prior = await idempotency.replay(session, user.principal, key, fp)
            if prior is None:
                raise
        return done(f"/console/members/{member_id}?done={self.notice}")

    async def _refused(self, error: Exception) -> Response:
        lang = lang_of(self.request, self.user)
        if isinstance(error, IntegrityError):
            _ = translator(lang, "console")
            errors = [_("This conflicts with existing data; nothing was saved.")]
        else:
            errors = problems(error, lang, self.labels, unit=self.user.money_unit)
        return await profile.show(
            self.request,
            self.user,
            self.member_id,
            errors=errors,
            form=self.kind,
            typed=self.typed,
            status=422,
        )


@router.post("/{member_id}/adjust", response_class=HTMLResponse)
async def adjust(request: Request, user: Writer, member_id: int) -> Response:
    """Step 1 shows the member, the change with its sign, the reason and the points available now and
    after (the adjustment's own dry run); only ``step=confirm`` gives or takes the points."""
    form = await checked_form(request, user)
    typed = values(form, "points", "reason")
    lang = lang_of(request, user)
    _ = translator(lang, "console")

    def parse() -> AdjustmentCreate:
        return AdjustmentCreate(points=whole(typed["points"], "Points", "امتیاز"), reason=typed["reason"])

    async def preview(session: AsyncSession, data: AdjustmentCreate) -> Confirmation:
        plan = await member_points.preview_adjust(session, user.principal, member_id, data)
        return Confirmation(
            title=_("Confirm the points change"),
            rows=[
                ("confirm-change", _("Change"), signed(plan.points, lang), True),
                ("confirm-reason", _("Reason"), plan.reason, False),
                ("confirm-now", _("Available now"), fmt.number(plan.before.available, lang), False),
                ("confirm-after", _("Available after"), fmt.number(plan.after.available, lang), False),
            ],
            carried={"points": str(data.points), "reason": typed["reason"]},
            button=_("Give the points") if plan.points > 0 else _("Take the points"),
        )

    def change(data: AdjustmentCreate) -> Step:
        async def step(session: AsyncSession) -> None:
            made = await member_points.adjust(session, user.principal, member_id, data)
            moved = {"points": data.points, "transfer_id": made.transfer_id}
            await changed(session, user, "member.points_adjusted", "member", member_id, **moved)

        return step

    labels = {"points": _("Points"), "reason": _("Reason")}
    steps = TwoSteps(request, user, member_id, "adjust", "adjusted", typed, labels, parse, preview, change)
    return await steps.run(form)


@router.post("/{member_id}/block", response_class=HTMLResponse)
async def block(request: Request, user: Writer, member_id: int) -> Response:
    """Step 1 says what blocking does (what ``members.ensure_active`` and the portal's sign-in refuse);
    only ``step=confirm`` blocks."""
    form = await checked_form(request, user)
    typed = values(form, "reason")
    _ = translator(lang_of(request, user), "console")

    def parse() -> MemberBlock:
        return MemberBlock(reason=typed["reason"])

    async def preview(session: AsyncSession, data: MemberBlock) -> Confirmation:
        return Confirmation(
            title=_("Confirm blocking the member"),
            rows=[("confirm-reason", _("Reason"), data.reason, False)],
            carried={"reason": typed["reason"]},
            button=_("Block the member"),
            meaning=blocking_means(_),
        )

    def change(data: MemberBlock) -> Step:
        async def step(session: AsyncSession) -> None:
            await members.set_blocked(session, user.tenant_id, member_id, data.reason)
            await changed(session, user, "member.blocked", "member", member_id)

        return step

    labels = {"reason": _("Reason")}
    return await TwoSteps(
        request, user, member_id, "block", "blocked", typed, labels, parse, preview, change
    ).run(form)


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


@router.post("/{member_id}/wallet", response_class=HTMLResponse)
async def adjust_wallet(request: Request, user: Writer, member_id: int) -> Response:
    """A manager's top-up or correction of the wallet in the club's unit (negative takes), with a reason.
    Step 1 shows the amount and the wallet now and after (the adjustment's own dry run); only
    ``step=confirm`` moves the money."""
    form = await checked_form(request, user)
    typed = values(form, "amount", "reason")
    lang = lang_of(request, user)
    _ = translator(lang, "console")

    def money(rials: int) -> str:
        return fmt.money(rials, lang, user.money_unit)

    def parse() -> WalletAdjustmentCreate:
        typed_amount = typed["amount"].replace("−", "-")
        sign = -1 if typed_amount.startswith("-") else 1
        rials = typed_rials(typed_amount.removeprefix("-"), user.money_unit, "Amount", "مبلغ")
        return WalletAdjustmentCreate(amount_rials=sign * (rials or 0), reason=typed["reason"])

    async def preview(session: AsyncSession, data: WalletAdjustmentCreate) -> Confirmation:
        plan = await wallet.preview_adjust(session, user.principal, member_id, data)
        gives = plan.amount_rials > 0
        moved = _("Added to the wallet") if gives else _("Taken from the wallet")
        return Confirmation(
            title=_("Confirm the wallet change"),
            rows=[
                ("confirm-change", moved, money(abs(plan.amount_rials)), False),
                ("confirm-reason", _("Reason"), plan.reason, False),
                ("confirm-now", _("Wallet now"), money(plan.before.available_rials), False),
                ("confirm-after", _("Wallet after"), money(plan.after.available_rials), False),
            ],
            carried={"amount": typed["amount"], "reason": typed["reason"]},
            button=_("Top up the wallet") if gives else _("Take from the wallet"),
        )

    def change(data: WalletAdjustmentCreate) -> Step:
        async def step(session: AsyncSession) -> None:
            made = await wallet.adjust(session, user.principal, member_id, data)
            moved = {"rials": data.amount_rials, "transfer_id": made.transfer_id}
            await changed(session, user, "member.wallet_adjusted", "member", member_id, **moved)

        return step

    labels = {"amount_rials": _("Amount"), "reason": _("Reason")}
    steps = TwoSteps(request, user, member_id, "wallet", "wallet", typed, labels, parse, preview, change)
    return await steps.run(form)
