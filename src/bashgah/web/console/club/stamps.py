"""Stamp cards in the console: the list, a form for the common card (a stamp per visit from a minimum
total, or per unit of a product code or category; N stamps; a free product, a catalogue reward or points)
that builds the same ``StampCardCreate`` the API validates, editing and retiring. One transaction and one
audit line per change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.rewards import service as rewards
from bashgah.stamps import cards as stamps
from bashgah.stamps.schemas import StampCardCreate
from bashgah.web import fmt
from bashgah.web.console.common import N_, FormPage, Sent, Step, Writer, changed, saving
from bashgah.web.forms import maybe_whole, typed_rials
from bashgah.web.guard import checked_form

router = APIRouter(prefix="/console/club/stamps", include_in_schema=False)
FIELDS = (
    "name_fa",
    "name_en",
    "stamps_needed",
    "per",
    "match",
    "items",
    "min_total",
    "reward_kind",
    "reward_sku",
    "reward_id",
    "reward_points",
    "card_expires_days",
)
BLANK = {**dict.fromkeys(FIELDS, ""), "per": "visit", "match": "skus", "reward_kind": "free_product"}


def definition_of(typed: dict[str, str], unit: str) -> StampCardCreate:
    """The ``StampCardCreate`` the form describes, validated as the API validates it."""
    listed = [part.strip() for part in typed["items"].replace("،", ",").split(",") if part.strip()]
    kind = typed["reward_kind"]
    earn: dict[str, Any] = {
        "per": typed["per"],
        "min_total_rials": typed_rials(
            typed["min_total"], unit, "Minimum total", "حداقل مبلغ", required=False
        ),
    }
    if listed:
        earn["items"] = {typed["match"] if typed["match"] in ("skus", "categories") else "skus": listed}
    reward: dict[str, Any] = {"kind": kind}
    if kind == "free_product":
        reward["sku"] = typed["reward_sku"] or None
    elif kind == "reward":
        reward["reward_id"] = maybe_whole(typed["reward_id"], "Reward", "جایزه")
    else:
        reward["points"] = maybe_whole(typed["reward_points"], "Points", "امتیاز")
    return StampCardCreate.model_validate(
        {
            "name_fa": typed["name_fa"],
            "name_en": typed["name_en"],
            "stamps_needed": maybe_whole(typed["stamps_needed"], "Stamps needed", "تعداد مهر لازم"),
            "earn": earn,
            "reward": reward,
            "card_expires_days": maybe_whole(
                typed["card_expires_days"], "Card lasts (days)", "اعتبار کارت (روز)"
            ),
        }
    )


def typed_of(card: StampCardCreate, unit: str) -> dict[str, str]:
    """A saved card as the form shows it for editing."""
    items = card.earn.items
    match = "categories" if items is not None and items.categories else "skus"
    listed = (items.categories if match == "categories" else items.skus) if items is not None else None
    return {
        "name_fa": card.name_fa,
        "name_en": card.name_en,
        "stamps_needed": str(card.stamps_needed),
        "per": card.earn.per,
        "match": match,
        "items": ", ".join(listed or []),
        "min_total": fmt.rials_as_typed(card.earn.min_total_rials, unit),
        "reward_kind": card.reward.kind,
        "reward_sku": card.reward.sku or "",
        "reward_id": str(card.reward.reward_id or ""),
        "reward_points": str(card.reward.points or ""),
        "card_expires_days": str(card.card_expires_days or ""),
    }


async def _load(
    session: AsyncSession, user: StaffUser, lang: str, card_id: int | None = None
) -> dict[str, Any]:
    editing = await stamps.get(session, user.principal, card_id) if card_id is not None else None
    return {
        "cards": await stamps.list_cards(session, user.principal),
        "catalogue": await rewards.catalogue(session, user.tenant_id, lang),
        "editing": editing,
        "typed": typed_of(editing.definition, user.money_unit) if editing is not None else dict(BLANK),
        "lang": lang,
    }


LABELS = {
    "stamps_needed": N_("Stamps needed"),
    "min_total_rials": N_("Minimum total"),
    "earn": N_("What earns a stamp"),
    "items": N_("Product codes or categories"),
    "sku": N_("Free product code"),
    "reward": N_("Reward"),
    "card_expires_days": N_("Card lasts (days)"),
}
PAGE = FormPage("club/stamps.html", _load, "/console/club/stamps?done=1", LABELS)
PAGE.serve(router, "stamp_cards", item="card_id")


async def _save(request: Request, user: StaffUser, card_id: int | None) -> Response:
    def build(sent: Sent) -> Step:
        data = definition_of(sent.typed, user.money_unit)

        async def step(session: AsyncSession) -> None:
            if card_id is None:
                saved = await stamps.create(session, user.principal, data)
                await changed(session, user, "stamps.card_created", "stamp_card", saved.id)
            else:
                current = await stamps.get(session, user.principal, card_id)
                kept = data.model_copy(update={"active": current.definition.active})
                saved = await stamps.update(session, user.principal, card_id, kept)
                await changed(
                    session, user, "stamps.card_changed", "stamp_card", saved.id, version=saved.version
                )

        return step

    return await PAGE.save(request, user, FIELDS, build, card_id=card_id)


saving(router, _save)


@router.post("/{card_id}/retire", response_class=HTMLResponse)
async def retire(request: Request, user: Writer, card_id: int) -> Response:
    await checked_form(request, user)

    async def step(session: AsyncSession) -> None:
        saved = await stamps.retire(session, user.principal, card_id)
        await changed(session, user, "stamps.card_retired", "stamp_card", saved.id)

    return await PAGE.act(request, user, step)
