"""The rewards catalogue: what members spend points on, and switching a reward off or on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.rewards import service as rewards
from bashgah.rewards.schemas import RewardCreate, RewardUpdate
from bashgah.web.console.common import N_, FormPage, Sent, Step, Writer, changed, lang_of
from bashgah.web.forms import maybe_whole, typed_rials

router = APIRouter(prefix="/console/club/rewards", include_in_schema=False)
REWARD_KINDS = ("discount_amount", "discount_percent", "free_product", "physical_gift", "free_shipping")
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


async def _load(session: AsyncSession, user: StaffUser, lang: str) -> dict[str, Any]:
    return {
        "rewards": await rewards.catalogue(session, user.tenant_id, lang),
        "kinds": REWARD_KINDS,
        "typed": {**dict.fromkeys(REWARD_FIELDS, ""), "kind": "discount_amount"},
    }


LABELS = {
    "cost_points": N_("Cost in points"),
    "discount_rials": N_("Discount"),
    "discount_percent": N_("Percent"),
    "stock": N_("Stock"),
    "per_member_limit": N_("Per member"),
}
PAGE = FormPage("club/rewards.html", _load, "/console/club/rewards?done=1", LABELS)
PAGE.serve(router, "reward_list")


@router.post("", response_class=HTMLResponse)
async def create_reward(request: Request, user: Writer) -> Response:
    return await PAGE.save(request, user, REWARD_FIELDS, _new_reward)


def _new_reward(sent: Sent) -> Step:
    typed, unit, user = sent.typed, sent.user.money_unit, sent.user
    data = RewardCreate.model_validate(
        {
            "name_fa": typed["name_fa"],
            "name_en": typed["name_en"],
            "kind": typed["kind"],
            "cost_points": maybe_whole(typed["cost_points"], "Cost in points", "امتیاز لازم"),
            "discount_rials": typed_rials(typed["discount"], unit, "Discount", "تخفیف", required=False),
            "discount_percent": maybe_whole(typed["discount_percent"], "Percent", "درصد"),
            "max_discount_rials": typed_rials(
                typed["max_discount"], unit, "Discount cap", "سقف تخفیف", required=False
            ),
            "sku": typed["sku"] or None,
            "stock": maybe_whole(typed["stock"], "Stock", "موجودی"),
            "per_member_limit": maybe_whole(typed["per_member_limit"], "Per member", "برای هر عضو"),
        }
    )

    async def step(session: AsyncSession) -> None:
        made = await rewards.create(session, user.tenant_id, data, sent.lang)
        await changed(session, user, "reward.created", "reward", made.id, cost_points=data.cost_points)

    return step


@router.post("/{reward_id}/active", response_class=HTMLResponse)
async def toggle_reward(request: Request, user: Writer, reward_id: int) -> Response:
    lang = lang_of(request, user)

    async def turn(session: AsyncSession, active: bool) -> None:
        await rewards.change(session, user.tenant_id, reward_id, RewardUpdate(active=active), lang)
        await changed(session, user, "reward.changed", "reward", reward_id, active=active)

    return await PAGE.switch(request, user, turn)
