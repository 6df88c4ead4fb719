"""The sale's confirm step: the sale priced as the purchase service prices it (its own dry run), every
problem of the form at once, and the lines the till shows (a reward used, campaigns' bonuses)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError, InsufficientPoints, InvalidInput, Show
from bashgah.coupons import service as coupons
from bashgah.coupons.schemas import CouponCheck
from bashgah.giftcards import service as gift_cards
from bashgah.giftcards.schemas import GiftCardRead
from bashgah.members import service as members
from bashgah.points import service as member_points
from bashgah.programme.schemas import ExamineResult
from bashgah.purchases import service as purchases
from bashgah.stamps.schemas import StampPreview
from bashgah.wallet import service as wallets
from bashgah.wallet.errors import GiftCardClosed, InsufficientGiftCard, InsufficientWallet
from bashgah.web import fmt
from bashgah.web.i18n import translator
from bashgah.web.pos.typed import Sale


@dataclass(frozen=True)
class RewardUse:
    """A member's reward used on a sale, as the till shows it. One that takes money off is a discount
    line; one that takes nothing off (a free coffee, a gift) is something the cashier hands over."""

    name: str
    discount_rials: int
    code: str | None = None

    @property
    def hand_over(self) -> bool:
        return self.discount_rials == 0


def reward_use(name: str | None, discount_rials: int, code: str | None = None) -> RewardUse | None:
    return None if name is None and code is None else RewardUse(name or code or "", discount_rials, code)


@dataclass(frozen=True)
class Bonus:
    """Points a campaign gave on top of the sale's own, with the campaign's name."""

    name: str
    points: int


def bonuses(campaigns: Sequence[Any]) -> list[Bonus]:
    """The campaigns that gave points (examined ones that fire, or those a recorded sale applied)."""
    return [Bonus(c.name, c.points) for c in campaigns if c.points and getattr(c, "fires", True)]


@dataclass
class Preview:
    """What the confirm step shows, as the purchase service prices it: each discount, what is paid, the
    points earned."""

    total_rials: int
    reward_rials: int
    reward_name: str | None
    coupon_rials: int
    points_rials: int
    paid_rials: int
    points_earned: int
    available: int
    #: The reward used on the sale, if any, and the sale's own points beside each campaign's bonus.
    reward: RewardUse | None = None
    points_base: int = 0
    bonuses: list[Bonus] = field(default_factory=list)
    wallet_rials: int = 0
    gift_card_rials: int = 0
    cashback_rials: int = 0
    #: Stamps the sale would put on each card.
    stamps: list[StampPreview] = field(default_factory=list)

    @property
    def rest_rials(self) -> int:
        """What is left to pay in cash or by card."""
        return self.paid_rials - self.wallet_rials - self.gift_card_rials


async def price(session: AsyncSession, user: StaffUser, member_id: int, sale: Sale, lang: str) -> Preview:
    """Price the sale without writing anything (the purchase service's own dry run); refuses what the sale
    itself would refuse, in words the cashier can act on — every problem of the form at once (points,
    coupon, reward, wallet, gift card), not only the first the service meets."""
    who = user.principal
    members.ensure_active(await members.get(session, user.tenant_id, member_id))
    problems: list[BashgahError] = []
    balance = await member_points.summary(session, who, member_id)
    asked = sale.purchase(member_id)
    if sale.redeem_points > balance.available:
        problems.append(InsufficientPoints(balance.available, sale.redeem_points))
        # Priced without the points the member does not have, so the other fields are still judged.
        asked = asked.model_copy(update={"redeem_points": 0})
    examined: ExamineResult | None = None
    try:
        examined = await purchases.examine(session, who, asked, lang)
    except BashgahError as error:
        problems.append(error)
    if sale.coupon:
        basket = sale.total_rials - (examined.reward_discount_rials if examined else 0)
        verdict = await coupons.check(
            session,
            who,
            CouponCheck.model_validate(
                {"code": sale.coupon, "member": {"id": member_id}, "total_rials": max(basket, 1)}
            ),
            lang,
            fmt.shown(lang, user.money_unit),
        )
        if not verdict.valid:
            problems.append(_Refused(verdict.reason or ""))
    if sale.wallet_rials:
        wallet = (await wallets.read(session, who, member_id, lang, limit=1)).balance
        if sale.wallet_rials > wallet.available_rials:
            problems.append(InsufficientWallet(wallet.available_rials, sale.wallet_rials))
    if sale.gift_card:
        try:
            card: GiftCardRead = await gift_cards.get(session, who, sale.gift_card)
        except BashgahError as error:
            problems.append(error)
        else:
            if card.status != "active":
                problems.append(GiftCardClosed(card.status))
            elif sale.gift_card_rials is not None and sale.gift_card_rials > card.balance_rials:
                problems.append(InsufficientGiftCard(card.balance_rials, sale.gift_card_rials))
    if problems or examined is None:
        raise SaleRefused(_unique(problems))
    return Preview(
        total_rials=examined.total_rials,
        reward_rials=examined.reward_discount_rials,
        reward_name=examined.reward_name,
        coupon_rials=examined.coupon_discount_rials,
        points_rials=examined.points_discount_rials,
        paid_rials=examined.due_rials,
        points_earned=examined.points_total,
        available=balance.available,
        reward=reward_use(examined.reward_name, examined.reward_discount_rials),
        points_base=examined.points_base,
        bonuses=bonuses(examined.campaigns),
        wallet_rials=examined.wallet_rials,
        gift_card_rials=examined.gift_card_rials,
        cashback_rials=examined.cashback_rials,
        stamps=examined.stamps,
    )


class SaleRefused(BashgahError):
    """Every problem the confirm step found in the sale form; the page lists each one."""

    status = 409
    code = "sale_refused"

    def __init__(self, problems: list[BashgahError]) -> None:
        self.problems = problems
        super().__init__(None)


def _unique(problems: list[BashgahError]) -> list[BashgahError]:
    """Each problem once (the coupon's verdict and the service may both refuse the same coupon)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for problem in problems:
        key = (type(problem).__name__, repr(getattr(problem, "params", None)) + getattr(problem, "text", ""))
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


#: The sale form's labels of the purchase fields a refusal names (the API's field names otherwise).
FORM_LABELS = {
    "redeem_points": "Points to spend",
    "coupon": "Coupon code",
    "reward": "Reward code",
    "total_rials": "Purchase total",
}


def labelled(error: BashgahError) -> BashgahError:
    """A refusal that names a field by the label the cashier reads on the sale form."""
    if not isinstance(error, InvalidInput) or error.field not in FORM_LABELS:
        return error
    label = FORM_LABELS[error.field]
    return InvalidInput(
        translator("en", "pos")(label),
        str(error.params["reason_en"]),
        str(error.params["reason_fa"]),
        translator("fa", "pos")(label),
        **error.figures,
    )


class _Refused(BashgahError):
    """A refusal a service already put in words (a coupon's verdict)."""

    status = 409
    code = "refused"

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(None)

    def message(self, lang: str, show: Show | None = None) -> str:
        return self.text
