"""Occasions in the console: the yearly gifts (birthday, membership and wedding anniversaries, Nowruz,
Yalda) with points and/or a catalogue reward, for some levels or everybody, from some days early. Each
change calls the same occasions service as the API, in one transaction, with one audit line."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.occasions import service as occasions
from bashgah.occasions.schemas import OccasionRuleCreate, OccasionRuleRead, OccasionRuleUpdate
from bashgah.rewards import service as rewards
from bashgah.tiers import service as tiers
from bashgah.web.console.common import N_, FormPage, Sent, Step, Writer, changed, lang_of, saving
from bashgah.web.forms import maybe_whole
from bashgah.web.i18n import translator

router = APIRouter(prefix="/console/club/occasions", include_in_schema=False)
FIELDS = ("kind", "name_fa", "name_en", "points", "reward_id", "days_early")
BLANK = {**dict.fromkeys(FIELDS, ""), "kind": "birthday", "days_early": "0"}


def _typed_of(rule: OccasionRuleRead) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "name_fa": rule.name_fa,
        "name_en": rule.name_en,
        "points": str(rule.points),
        "reward_id": str(rule.reward_id or ""),
        "days_early": str(rule.days_early),
        "tiers": list(rule.tiers),
    }


async def _load(
    session: AsyncSession, user: StaffUser, lang: str, rule_id: int | None = None
) -> dict[str, Any]:
    _ = translator(lang, "console")
    editing = await occasions.get(session, user.tenant_id, rule_id, lang) if rule_id else None
    ladder = await tiers.ladder(session, user.tenant_id)
    return {
        "rules": await occasions.list_rules(session, user.tenant_id, lang),
        "editing": editing,
        "catalogue": await rewards.catalogue(session, user.tenant_id, lang),
        "levels": ladder.levels if ladder is not None else [],
        "kinds": {
            "birthday": _("Birthday"),
            "membership_anniversary": _("Membership anniversary"),
            "wedding_anniversary": _("Wedding anniversary"),
            "nowruz": _("Nowruz"),
            "yalda": _("Yalda"),
        },
        "typed": _typed_of(editing) if editing is not None else {**BLANK, "tiers": []},
        "lang": lang,
    }


LABELS = {
    "kind": N_("Occasion"),
    "tiers": N_("Levels"),
    "days_early": N_("Days early"),
}
PAGE = FormPage("club/occasions.html", _load, "/console/club/occasions?done=1", LABELS)
PAGE.serve(router, "occasion_list", item="rule_id")


async def _save(request: Request, user: StaffUser, rule_id: int | None) -> Response:
    lang = lang_of(request, user)

    def build(sent: Sent) -> Step:
        typed = sent.typed
        typed["tiers"] = [str(v) for v in sent.form.getlist("tiers") if str(v).strip()]
        fields: dict[str, Any] = {
            "name_fa": typed["name_fa"],
            "name_en": typed["name_en"],
            "points": maybe_whole(typed["points"], "Points", "امتیاز") or 0,
            "reward_id": maybe_whole(typed["reward_id"], "Reward", "جایزه"),
            "tiers": typed["tiers"],
            "days_early": maybe_whole(typed["days_early"], "Days early", "روزهای زودتر") or 0,
        }
        if rule_id is None:
            create = OccasionRuleCreate.model_validate({**fields, "kind": typed["kind"]})
        else:
            update = OccasionRuleUpdate.model_validate(fields)

        async def step(session: AsyncSession) -> None:
            if rule_id is None:
                made = await occasions.create(session, user.tenant_id, create, lang)
                await changed(session, user, "occasion.created", "occasion_rule", made.id, kind=made.kind)
            else:
                saved = await occasions.change(session, user.tenant_id, rule_id, update, lang)
                await changed(session, user, "occasion.changed", "occasion_rule", saved.id)

        return step

    return await PAGE.save(request, user, FIELDS, build, rule_id=rule_id)


saving(router, _save)


@router.post("/{rule_id}/active", response_class=HTMLResponse)
async def switch(request: Request, user: Writer, rule_id: int) -> Response:
    """Pause (``active=0``) or resume a yearly gift; members already given it keep it."""
    lang = lang_of(request, user)

    async def turn(session: AsyncSession, active: bool) -> None:
        change = OccasionRuleUpdate.model_validate({"active": active})
        await occasions.change(session, user.tenant_id, rule_id, change, lang)
        await changed(session, user, "occasion.changed", "occasion_rule", rule_id, active=active)

    return await PAGE.switch(request, user, turn)
