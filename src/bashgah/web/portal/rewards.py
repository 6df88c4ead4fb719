"""Rewards: those within reach and those still to collect for, the confirm step, the redemption, and the
member's own rewards with their codes for the till."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import MemberUser
from bashgah.core.errors import BashgahError, NotFound
from bashgah.core.normalize import to_persian_digits
from bashgah.models import utcnow
from bashgah.portal import service as portal
from bashgah.rewards import service as rewards
from bashgah.rewards.schemas import RewardInstanceRead, RewardOffer, RewardRead
from bashgah.web import fmt, forms
from bashgah.web.guard import database
from bashgah.web.i18n import translator
from bashgah.web.portal.common import (
    FACE,
    Club,
    SignedIn,
    club_of,
    expired,
    me,
    member_page,
    not_found,
    page,
    portal_router,
    posted,
    redirect,
)
from bashgah.web.render import language

router = portal_router()
Money = Callable[[int], str]


def _offer(reward: RewardRead, lang: str, money: Money) -> str:
    """What a reward gives, in a few words."""
    _ = translator(lang, FACE)
    if reward.kind == "discount_amount" and reward.discount_rials:
        return _("%(amount)s off your purchase", amount=money(reward.discount_rials))
    if reward.kind == "discount_percent" and reward.discount_percent:
        percent = (
            to_persian_digits(str(reward.discount_percent)) if lang == "fa" else str(reward.discount_percent)
        )
        return _(
            "%(percent)s%% off, at most %(amount)s",
            percent=percent,
            amount=money(reward.max_discount_rials or 0),
        )
    if reward.kind == "wallet_credit" and reward.credit_rials:
        return _("%(amount)s in your wallet", amount=money(reward.credit_rials))
    return {
        "discount_amount": _("A discount on your purchase"),
        "discount_percent": _("A discount on your purchase"),
        "free_product": _("A free product"),
        "physical_gift": _("A gift"),
        "partner_voucher": _("A partner's voucher"),
        "free_shipping": _("Free delivery"),
        "wallet_credit": _("Credit in your wallet"),
    }.get(reward.kind, _("A reward"))


def _money(club: Club, lang: str) -> Money:
    return lambda rials: fmt.money(rials, lang, club.money_unit)


@dataclass(frozen=True)
class Offered:
    """A reward the member can get now, and what it gives in words."""

    reward: RewardRead
    gives: str


@dataclass(frozen=True)
class Coming:
    """A reward the member cannot afford yet: how far they are, in words and as a share of its cost."""

    reward: RewardRead
    gives: str
    to_go: str
    percent: int


def _coming(offer: RewardOffer, lang: str, money: Money) -> Coming:
    _ = translator(lang, FACE)
    left = offer.points_to_go
    cost = offer.reward.cost_points
    to_go = _("1 point to go") if left == 1 else _("%(points)s points to go", points=fmt.number(left, lang))
    percent = (cost - left) * 100 // cost if cost > 0 else 100
    return Coming(offer.reward, _offer(offer.reward, lang, money), to_go, max(0, min(100, percent)))


async def _rewards_page(
    request: Request, user: MemberUser, status: int = 200, errors: list[str] | None = None
) -> HTMLResponse:
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await club_of(session, user.tenant_id)
        worth = await portal.worth(session, user.tenant_id, user.member_id, utcnow())
        found = await rewards.offers(session, user.tenant_id, user.member_id, lang)
    money = _money(club, lang)
    offered = [Offered(o.reward, _offer(o.reward, lang, money)) for o in found if o.points_to_go == 0]
    coming = [
        _coming(o, lang, money) for o in sorted(found, key=lambda o: o.points_to_go) if o.points_to_go > 0
    ]
    return page(
        request,
        "rewards.html",
        club,
        user,
        status=status,
        errors=errors or [],
        worth=worth,
        offered=offered,
        coming=coming,
    )


@router.get("/rewards", response_class=HTMLResponse)
async def rewards_page(request: Request, user: SignedIn) -> Response:
    return await _rewards_page(request, user)


def _known_id(reward_id: int) -> None:
    """An id no row can have (beyond the database's 64 bits) is simply not found, not a database error."""
    if not 0 < reward_id < 2**63:
        raise NotFound("Reward", "جایزه")


@router.get("/rewards/{reward_id}", response_class=HTMLResponse)
async def confirm_redeem(request: Request, reward_id: int, user: SignedIn) -> Response:
    """The confirm step: the reward, its cost and the points before and after. Nothing is spent here."""
    lang = language(request, user)
    try:
        _known_id(reward_id)
        async with database(request).transaction() as session:
            club = await club_of(session, user.tenant_id)
            preview = await rewards.preview(session, user.tenant_id, user.member_id, reward_id, lang)
    except BashgahError as error:
        return await _rewards_page(request, user, status=error.status, errors=[error.message(lang)])
    offer = _offer(preview.reward, lang, _money(club, lang))
    return page(request, "redeem.html", club, user, preview=preview, offer=offer)


@router.post("/rewards/{reward_id}/redeem", response_class=HTMLResponse)
async def redeem(request: Request, reward_id: int, user: SignedIn) -> Response:
    """Spends the points, but only from the confirm step's form; any other post goes to that step."""
    form = await posted(request, user)
    if form is None:
        return expired(request, user)
    if forms.text(form, "step") != "confirm":
        return redirect(f"/m/rewards/{reward_id}")
    lang = language(request, user)
    try:
        _known_id(reward_id)
        async with database(request).transaction() as session:
            got = await rewards.redeem(session, me(user), user.member_id, reward_id, lang)
    except BashgahError as error:
        # The transaction rolled back: no points left and no stock was taken.
        return await _rewards_page(request, user, status=error.status, errors=[fmt.error(error, lang)])
    return redirect(f"/m/my-rewards/{got.code}?new=1")


async def _mine(session: AsyncSession, user: MemberUser, lang: str) -> list[RewardInstanceRead]:
    return await rewards.list_instances(session, user.tenant_id, user.member_id, lang)


@router.get("/my-rewards", response_class=HTMLResponse)
async def my_rewards(request: Request, user: SignedIn) -> Response:
    async def read(session: AsyncSession, lang: str) -> dict[str, Any]:
        return {"mine": await _mine(session, user, lang)}

    return await member_page(request, user, "my_rewards.html", read)


@router.get("/my-rewards/{code}", response_class=HTMLResponse)
async def reward_code(request: Request, code: str, user: SignedIn, new: int = 0) -> Response:
    """One of the member's own rewards, its code shown big for the till; another member's is not found."""
    lang = language(request, user)
    async with database(request).transaction() as session:
        club = await club_of(session, user.tenant_id)
        mine = [i for i in await _mine(session, user, lang) if i.code == code.strip().upper()]
        worth = await portal.worth(session, user.tenant_id, user.member_id, utcnow())
    if not mine:
        return not_found(request, club, user)
    return page(request, "reward_code.html", club, user, got=mine[0], worth=worth, new=bool(new))
