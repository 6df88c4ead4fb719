"""The audit log as people read it: each action in words (Persian or English), each object by its name
(the staff member's, the member's, the campaign's…) with a link where it has a page, and the details as
labelled, formatted figures — never ``pos.sale``, ``staff 1`` or ``coupon=True``.

The names are looked up in one query per kind of object for the whole page of lines
(``audit.repository``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.audit import repository
from bashgah.models import (
    ApiKey,
    AuditEntry,
    Branch,
    Campaign,
    CouponBatch,
    Member,
    OccasionRule,
    Purchase,
    Reward,
    Staff,
    StampCard,
)
from bashgah.web import fmt
from bashgah.web.console.members.edit import field_labels
from bashgah.web.console.reports import titles as report_titles
from bashgah.web.i18n import translator

Translate = Callable[..., str]


def action_names(_: Translate) -> dict[str, str]:
    """Every action the web pages write, in the page language (an unknown one shows as its code)."""
    return {
        "staff.login": _("Signed in"),
        "staff.locked": _("Sign-in locked after wrong passwords"),
        "pos.sale": _("Recorded a sale at the till"),
        "pos.refund": _("Took a return at the till"),
        "pos.enrol": _("Enrolled a member at the till"),
        "pos.wallet_top_up": _("Topped up a wallet at the till"),
        "member.points_adjusted": _("Changed a member's points"),
        "member.blocked": _("Blocked a member"),
        "member.unblocked": _("Unblocked a member"),
        "member.tier_set": _("Set a member's tier"),
        "member.tier_unlocked": _("Unlocked a member's tier"),
        "member.profile_changed": _("Edited a member's profile"),
        "member.wallet_adjusted": _("Changed a member's wallet"),
        "campaign.created": _("Created a campaign"),
        "campaign.changed": _("Changed a campaign"),
        "programme.settings_changed": _("Changed the programme settings"),
        "tiers.configured": _("Changed the tiers"),
        "reward.created": _("Added a reward"),
        "reward.changed": _("Changed a reward"),
        "coupons.batch_created": _("Made a coupon batch"),
        "coupons.batch_changed": _("Changed a coupon batch's dates"),
        "coupons.batch_switched": _("Switched a coupon batch off or on"),
        "giftcards.issued": _("Issued gift cards"),
        "giftcards.cancelled": _("Cancelled a gift card"),
        "stamps.card_created": _("Added a stamp card"),
        "stamps.card_changed": _("Changed a stamp card"),
        "stamps.card_retired": _("Retired a stamp card"),
        "occasion.created": _("Added a yearly gift"),
        "occasion.changed": _("Changed a yearly gift"),
        "branch.created": _("Added a branch"),
        "staff.added": _("Added a staff member"),
        "staff.disabled": _("Disabled a staff member"),
        "staff.password_reset": _("Set a staff member's password"),
        "staff.role_changed": _("Changed a staff member's role"),
        "api_key.created": _("Made an API key"),
        "api_key.revoked": _("Revoked an API key"),
        "data.members_imported": _("Imported members"),
        "data.purchases_imported": _("Imported purchases"),
        "data.members_exported": _("Downloaded the members"),
        "data.purchases_exported": _("Downloaded the purchases"),
        "data.ledger_exported": _("Downloaded the points ledger"),
        "reports.exported": _("Downloaded a report"),
        "segments.exported": _("Downloaded a segment's members"),
        "coupons.codes_exported": _("Downloaded a batch's coupon codes"),
        "giftcards.codes_exported": _("Downloaded gift card codes"),
        "staff.unlocked": _("Lifted a staff member's sign-in locks"),
    }


def role_names(_: Translate) -> dict[str, str]:
    return {
        "owner": _("Owner"),
        "manager": _("Manager"),
        "analyst": _("Analyst"),
        "cashier": _("Cashier"),
        "integration": _("Connected system"),
    }


def _detail_labels(_: Translate) -> dict[str, str]:
    return {
        "total_rials": _("Total"),
        "points_redeemed": _("Points spent"),
        "points_earned": _("Points earned"),
        "coupon": _("Coupon used"),
        "reward_rials": _("Reward discount"),
        "wallet_rials": _("From the wallet"),
        "gift_card_rials": _("From a gift card"),
        "amount_rials": _("Amount"),
        "points_reversed": _("Points taken back"),
        "points_returned": _("Points given back"),
        "points": _("Points"),
        "rials": _("Amount"),
        "level": _("Tier"),
        "levels": _("Levels"),
        "lock": _("Locked"),
        "version": _("Version"),
        "cost_points": _("Cost in points"),
        "active": _("Active"),
        "codes": _("Codes"),
        "cards": _("Cards"),
        "value_rials": _("Value"),
        "ending": _("Card ending"),
        "kind": _("Kind"),
        "code": _("Code"),
        "role": _("Role"),
        "role_before": _("Role before"),
        "created": _("Added"),
        "skipped": _("Skipped"),
        "fields": _("Fields"),
        "valid_from": _("Valid from"),
        "valid_until": _("Valid until"),
        "money_display": _("Amounts shown in"),
        "earn_points": _("Points earned"),
        "earn_per_rials": _("For every"),
        "point_value_rials": _("Point value"),
        "pending_days": _("Days before points can be used"),
        "expiry_months": _("Months before points expire"),
        "reservation_minutes": _("Minutes a reservation is held"),
        "rows": _("Rows"),
        "format": _("File"),
        "via": _("Through"),
        "key_id": _("API key"),
        "rounding": _("Rounding"),
        "expiry_mode": _("Points expire"),
        "refund_policy": _("On a return"),
        "analysts_may_export": _("Analysts may download members' personal data and codes too"),
        "metric": _("Measured by"),
        "window": _("Over"),
        "window_months": _("Months"),
        "downgrade": _("When a member falls short"),
        "grace_days": _("Grace days"),
    }


def _value_names(_: Translate) -> dict[str, dict[str, str]]:
    """The words for the values of the settings' choices, as their forms name them."""
    return {
        "rounding": {"floor": _("Down"), "round": _("Nearest"), "ceil": _("Up")},
        "expiry_mode": {
            "never": _("Never"),
            "months": _("After some months"),
            "jalali_year_end": _("At the end of the Jalali year"),
        },
        "refund_policy": {
            "within_balance": _("Take back only the points the member still has"),
            "allow_negative": _("Take back all, the balance may go below zero"),
        },
        "metric": {"spend": _("Spend"), "points": _("Points earned"), "visits": _("Visits")},
        "window": {"rolling": _("The last months"), "jalali_year": _("The Jalali year")},
        "downgrade": {"one_down": _("One level down"), "recompute": _("To the level they qualify for")},
    }


#: Summary keys that are internal references, not something a person reads.
_HIDDEN = {"transfer_id"}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    who: str
    who_href: str | None
    what: str
    which: str
    which_href: str | None
    details: list[tuple[str, str]]


@dataclass
class _Names:
    """Names of the objects a page of lines mentions, by kind and id."""

    staff: dict[int, str]
    members: dict[int, str]
    campaigns: dict[int, str]
    purchases: dict[int, str]
    batches: dict[int, str]
    rewards: dict[int, str]
    branches: dict[int, str]
    stamp_cards: dict[int, str]
    occasions: dict[int, str]
    keys: dict[int, str]
    levels: dict[str, str]


def _ids(entries: Iterable[AuditEntry], kind: str) -> list[int]:
    return [
        int(e.object_id)
        for e in entries
        if e.object_type == kind and e.object_id and e.object_id.isdigit() and len(e.object_id) < 19
    ]


def _localised(definition: dict[str, Any], lang: str) -> str:
    name = definition.get("name_en") if lang == "en" else None
    return str(name or definition.get("name_fa") or "")


async def _names(session: AsyncSession, tenant_id: int, entries: list[AuditEntry], lang: str) -> _Names:
    wanted: dict[str, list[int]] = defaultdict(list)
    for kind in (
        "staff",
        "member",
        "campaign",
        "purchase",
        "coupon_batch",
        "reward",
        "branch",
        "stamp_card",
        "occasion_rule",
        "api_key",
    ):
        wanted[kind] = _ids(entries, kind)
    actors = {e.actor_staff_id for e in entries if e.actor_staff_id is not None}
    people = set(wanted["staff"]) | actors

    async def named(model: Any, ids: Any, *columns: Any) -> dict[Any, tuple[Any, ...]]:
        return await repository.columns_of(session, tenant_id, model, ids, *columns)

    def either(fa: str, en: str) -> str:
        return en if lang == "en" else fa

    staff = {i: n for i, (n,) in (await named(Staff, people, Staff.full_name)).items()}
    members = {
        i: (f"{first or ''} {last or ''}".strip() or fmt.mobile(mobile, lang))
        for i, (first, last, mobile) in (
            await named(Member, wanted["member"], Member.first_name, Member.last_name, Member.mobile)
        ).items()
    }
    campaigns = {
        i: _localised(d, lang)
        for i, (d,) in (await named(Campaign, wanted["campaign"], Campaign.definition)).items()
    }
    purchases = {
        i: fmt.code(x, lang)
        for i, (x,) in (await named(Purchase, wanted["purchase"], Purchase.external_id)).items()
    }
    batches = {
        i: n for i, (n,) in (await named(CouponBatch, wanted["coupon_batch"], CouponBatch.name)).items()
    }
    rewards = {
        i: either(fa, en)
        for i, (fa, en) in (await named(Reward, wanted["reward"], Reward.name_fa, Reward.name_en)).items()
    }
    branches = {i: n for i, (n,) in (await named(Branch, wanted["branch"], Branch.name)).items()}
    stamp_cards = {
        i: _localised(d, lang)
        for i, (d,) in (await named(StampCard, wanted["stamp_card"], StampCard.definition)).items()
    }
    occasions = {
        i: either(fa, en)
        for i, (fa, en) in (
            await named(OccasionRule, wanted["occasion_rule"], OccasionRule.name_fa, OccasionRule.name_en)
        ).items()
    }
    keys = {i: n for i, (n,) in (await named(ApiKey, wanted["api_key"], ApiKey.name)).items()}
    levels = {
        code: (en if lang == "en" else fa)
        for code, fa, en in await repository.level_names(session, tenant_id)
    }
    return _Names(
        staff, members, campaigns, purchases, batches, rewards, branches, stamp_cards, occasions, keys, levels
    )


def _which(entry: AuditEntry, names: _Names, _: Translate, lang: str) -> tuple[str, str | None]:
    """The object's name and its page, in the page language."""
    kind, raw = entry.object_type, entry.object_id
    if not kind:
        return "", None
    number = int(raw) if raw and raw.isdigit() and len(raw) < 19 else None
    shown = fmt.digits(raw or "", lang)
    if kind == "member" and number is not None:
        return names.members.get(number, _("Member %(n)s", n=shown)), f"/console/members/{number}"
    if kind == "staff" and number is not None:
        return names.staff.get(number, _("Staff member %(n)s", n=shown)), "/console/club/staff"
    if kind == "campaign" and number is not None:
        return names.campaigns.get(number) or _("Campaign %(n)s", n=shown), f"/console/campaigns/{number}"
    if kind == "purchase" and number is not None:
        receipt = names.purchases.get(number, shown)
        return _("Receipt %(receipt)s", receipt=receipt), f"/console/purchases/{number}"
    if kind == "coupon_batch" and number is not None:
        return names.batches.get(number, _("Coupon batch %(n)s", n=shown)), "/console/club/coupons"
    if kind == "reward" and number is not None:
        return names.rewards.get(number, _("Reward %(n)s", n=shown)), "/console/club/rewards"
    if kind == "branch" and number is not None:
        return names.branches.get(number, _("Branch %(n)s", n=shown)), "/console/club/branches"
    if kind == "stamp_card" and number is not None:
        return names.stamp_cards.get(number) or _(
            "Stamp card %(n)s", n=shown
        ), f"/console/club/stamps/{number}"
    if kind == "occasion_rule" and number is not None:
        return names.occasions.get(
            number, _("Yearly gift %(n)s", n=shown)
        ), f"/console/club/occasions/{number}"
    if kind == "api_key" and number is not None:
        return names.keys.get(number, _("API key %(n)s", n=shown)), "/console/club/keys"
    if kind == "import" and number is not None:
        return _("Import %(n)s", n=shown), f"/console/club/data/imports/{number}"
    if kind == "programme":
        return _("Programme settings"), "/console/club/settings"
    if kind == "tiers":
        return _("Tiers"), "/console/club/tiers"
    if kind == "gift_card":
        return _("Gift cards"), "/console/club/giftcards"
    if kind == "report":
        name = raw or ""
        return _("Report: %(title)s", title=report_titles(_).get(name, name)), f"/console/reports/{name}"
    return f"{kind} {shown}".strip(), None


def _value(key: str, value: Any, names: _Names, _: Translate, lang: str, unit: str) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return "—"
    if key.endswith("_rials") or key == "rials":
        return fmt.money(int(value), lang, unit) if isinstance(value, int) else fmt.digits(value, lang)
    if key in ("role", "role_before"):
        return role_names(_).get(str(value), str(value))
    if key == "level":
        return names.levels.get(str(value), str(value))
    if key == "levels" and isinstance(value, list):
        return (
            "، ".join(names.levels.get(str(v), str(v)) for v in value)
            if lang == "fa"
            else ", ".join(names.levels.get(str(v), str(v)) for v in value)
        )
    if key == "fields" and isinstance(value, list):
        labels = field_labels(_)
        return ("، " if lang == "fa" else ", ").join(labels.get(str(v), str(v)) for v in value)
    if key == "money_display":
        return fmt.unit_name(str(value), lang)
    choices = _value_names(_).get(key)
    if choices is not None:
        return choices.get(str(value), str(value))
    if key in ("code", "prefix", "ending"):
        return fmt.code(value, lang)
    if key == "via":
        channels = {"console": _("the console"), "api": _("the API"), "cli": _("the command line")}
        return channels.get(str(value), str(value))
    if key == "format":
        return str(value).upper()
    if key in ("valid_from", "valid_until") and isinstance(value, str):
        try:
            return fmt.day(datetime.fromisoformat(value), lang)
        except ValueError:
            return fmt.digits(value, lang)
    if isinstance(value, int):
        return fmt.number(value, lang)
    if isinstance(value, list):
        return ("، " if lang == "fa" else ", ").join(fmt.digits(v, lang) for v in value)
    return fmt.digits(value, lang)


def _details(
    summary: dict[str, Any], names: _Names, _: Translate, lang: str, unit: str
) -> list[tuple[str, str]]:
    labels = _detail_labels(_)
    return [
        (labels.get(key, key), _value(key, value, names, _, lang, unit))
        for key, value in (summary or {}).items()
        if key not in _HIDDEN
    ]


async def rows(
    session: AsyncSession, tenant_id: int, entries: list[AuditEntry], lang: str, unit: str
) -> list[AuditRow]:
    """A page of audit lines as people read them."""
    _ = translator(lang, "console")
    names = await _names(session, tenant_id, entries, lang)
    actions = action_names(_)
    found = []
    for e in entries:
        which, href = _which(e, names, _, lang)
        who = names.staff.get(e.actor_staff_id, "") if e.actor_staff_id is not None else ""
        found.append(
            AuditRow(
                id=e.id,
                at=e.at,
                who=who or _("The system"),
                who_href=None,
                what=actions.get(e.action, e.action),
                which=which,
                which_href=href,
                details=_details(e.summary, names, _, lang, unit),
            )
        )
    return found
