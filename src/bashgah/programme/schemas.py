"""Campaigns and their rules as validated data: conditions and effects are unions keyed by ``type``.

A campaign's definition is stored as JSON (``model_dump(mode="json")``) with a version number; every
edit stores a new version, and every award names the campaign version that made it. New kinds of
condition or effect (tier, stamp, coupon, wallet cashback, reward) are added as new members of the
unions below, with their evaluation in ``programme.engine``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from bashgah.core.normalize import CleanText, normalize_name
from bashgah.ledger.schemas import PointsBalance
from bashgah.members.schemas import MemberRef
from bashgah.stamps.results import StampPreview, StampsEarned

WEEKDAYS = ("saturday", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday")
Weekday = Literal["saturday", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday"]
#: Names of the events a club usually rewards; any other lower-case name is a custom event.
KNOWN_EVENTS = (
    "sign_up",
    "profile_completed",
    "survey_answered",
    "review_written",
    "newsletter_joined",
    "app_installed",
    "referral_converted",
    "check_in",
)
EventName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemMatch(_Strict):
    """Which basket lines count: every field given must match (any value of its list)."""

    skus: list[str] | None = Field(None, min_length=1, max_length=500)
    categories: list[str] | None = Field(None, min_length=1, max_length=100)
    brands: list[str] | None = Field(None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _something(self) -> ItemMatch:
        if self.skus is None and self.categories is None and self.brands is None:
            raise ValueError("name skus, categories or brands")
        return self


# --- conditions -----------------------------------------------------------------------------------


class PurchaseTotal(_Strict):
    type: Literal["purchase_total"]
    min_rials: int | None = Field(None, ge=0)
    max_rials: int | None = Field(None, ge=0)


class Items(_Strict):
    type: Literal["items"]
    match: ItemMatch
    min_quantity: int = Field(1, ge=1)


class BasketSize(_Strict):
    """The number of units in the basket."""

    type: Literal["basket_size"]
    min_units: int | None = Field(None, ge=0)
    max_units: int | None = Field(None, ge=0)


class PaymentMethod(_Strict):
    type: Literal["payment_method"]
    methods: list[str] = Field(min_length=1, max_length=20)


class Channel(_Strict):
    """store or online, from the kind of the branch the sale was made at."""

    type: Literal["channel"]
    channel: Literal["store", "online"]


class BranchIn(_Strict):
    type: Literal["branch"]
    branches: list[str] = Field(min_length=1, max_length=500)


class MemberTags(_Strict):
    type: Literal["member_tags"]
    any_of: list[str] = Field(min_length=1, max_length=50)

    @field_validator("any_of")
    @classmethod
    def _as_members_tags_are(cls, tags: list[str]) -> list[str]:
        # Members' tags are stored normalised (ي→ی, ك→ک, ZWNJ…); compare like with like.
        return [normalize_name(t) for t in tags]


class Tier(_Strict):
    """The member's tier level (its code, e.g. gold) when the sale is made."""

    type: Literal["tier"]
    levels: list[str] = Field(min_length=1, max_length=20)


class InSegment(_Strict):
    """The member is in any of these segments (by id) when the sale is made."""

    type: Literal["segment"]
    segments: list[int] = Field(min_length=1, max_length=20)


class BirthdayMonth(_Strict):
    """The member's birthday falls in the current Jalali month."""

    type: Literal["birthday_month"]


class DaysSinceEnrolment(_Strict):
    type: Literal["days_since_enrolment"]
    min_days: int | None = Field(None, ge=0)
    max_days: int | None = Field(None, ge=0)


class FirstPurchase(_Strict):
    type: Literal["first_purchase"]


class Visits(_Strict):
    """The member's number of purchases, this one included."""

    type: Literal["visits"]
    min_visits: int | None = Field(None, ge=0)
    max_visits: int | None = Field(None, ge=0)


class DateRange(_Strict):
    """Between two days (inclusive, Tehran time)."""

    type: Literal["date_range"]
    start: date | None = None
    end: date | None = None


class Weekdays(_Strict):
    type: Literal["weekdays"]
    days: list[Weekday] = Field(min_length=1, max_length=7)


class Hours(_Strict):
    """From ``from_hour`` up to (not including) ``to_hour``, Tehran time; may wrap past midnight."""

    type: Literal["hours"]
    from_hour: int = Field(ge=0, le=23)
    to_hour: int = Field(ge=1, le=24)

    @model_validator(mode="after")
    def _not_empty(self) -> Hours:
        if self.from_hour == self.to_hour % 24:
            raise ValueError("from_hour and to_hour must differ")
        return self


class Occasion(_Strict):
    """Nowruz (1–13 Farvardin) or Yalda (30 Azar)."""

    type: Literal["occasion"]
    occasion: Literal["nowruz", "yalda"]


Condition = Annotated[
    PurchaseTotal
    | Items
    | BasketSize
    | PaymentMethod
    | Channel
    | BranchIn
    | MemberTags
    | Tier
    | InSegment
    | BirthdayMonth
    | DaysSinceEnrolment
    | FirstPurchase
    | Visits
    | DateRange
    | Weekdays
    | Hours
    | Occasion,
    Field(discriminator="type"),
]
PURCHASE_CONDITIONS = ("purchase_total", "items", "basket_size", "payment_method", "channel", "branch")


# --- effects --------------------------------------------------------------------------------------


class PointsMultiplier(_Strict):
    """The purchase's base points (or those of the matching items) times ``factor``; the bonus is the
    part above the base (×2 gives the base once more)."""

    type: Literal["points_multiplier"]
    factor: Decimal = Field(gt=1, le=100, max_digits=5, decimal_places=2)
    items: ItemMatch | None = None


class FixedBonus(_Strict):
    type: Literal["fixed_bonus"]
    points: int = Field(ge=1, le=10**9)


class PointsPerItem(_Strict):
    type: Literal["points_per_item"]
    points: int = Field(ge=1, le=10**7)
    items: ItemMatch


class Stamps(_Strict):
    """Extra stamps on a stamp card (by id): ``stamps`` more, or with ``per_stamp_earned`` that many
    more for each stamp the purchase itself earned on the card (1 doubles them)."""

    type: Literal["stamps"]
    card_id: int = Field(ge=1)
    stamps: int = Field(ge=1, le=100)
    per_stamp_earned: bool = False


class WalletCashback(_Strict):
    """``percent`` of what the purchase earns points on (after discounts, without stored value unless the
    programme says otherwise), credited to the member's wallet in rials, at most ``max_rials``.

    Cashback is capped per purchase by ``max_rials``; the campaign's budget and limits count points only.
    """

    type: Literal["wallet_cashback"]
    percent: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2)
    max_rials: int | None = Field(None, ge=1, le=10**12)


class IssueCoupon(_Strict):
    """A new personal code of a batch of unique codes (``count`` 0 is fine: campaigns fill it), that only
    this member may use — "20 % off your next visit" printed on the receipt."""

    type: Literal["issue_coupon"]
    batch_id: int = Field(ge=1)


class IssueReward(_Strict):
    """A catalogue reward given free (no points spent), while the catalogue offers it and it is in stock."""

    type: Literal["issue_reward"]
    reward_id: int = Field(ge=1)


#: What an event rule may give: there is no purchase to multiply or count items of.
EVENT_EFFECTS = ("fixed_bonus", "stamps", "issue_coupon", "issue_reward")

#: Effects that hand the member something other than points or stamps.
Gift = IssueCoupon | IssueReward

Effect = Annotated[
    PointsMultiplier | FixedBonus | PointsPerItem | Stamps | IssueCoupon | IssueReward | WalletCashback,
    Field(discriminator="type"),
]


# --- rules and campaigns --------------------------------------------------------------------------


class Rule(_Strict):
    #: Names the rule within its campaign (kept across versions, shown by examine).
    key: str = Field(min_length=1, max_length=64)
    trigger: Literal["purchase", "event"] = "purchase"
    #: For ``trigger: event``: the event name that fires it.
    event: EventName | None = None
    conditions: list[Condition] = Field(default_factory=list, max_length=50)
    effects: list[Effect] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _fits_trigger(self) -> Rule:
        if self.trigger == "event":
            if self.event is None:
                raise ValueError(f"rule {self.key}: an event rule names its event")
            if any(c.type in PURCHASE_CONDITIONS or c.type in ("first_purchase",) for c in self.conditions):
                raise ValueError(f"rule {self.key}: an event rule cannot test a purchase")
            if any(e.type not in EVENT_EFFECTS for e in self.effects):
                raise ValueError(
                    f"rule {self.key}: an event rule awards a fixed bonus, stamps, a coupon or a reward"
                )
            if any(isinstance(e, Stamps) and e.per_stamp_earned for e in self.effects):
                raise ValueError(f"rule {self.key}: an event earns no stamps of its own to multiply")
        elif self.event is not None:
            raise ValueError(f"rule {self.key}: only event rules name an event")
        return self


class Schedule(_Strict):
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    weekdays: list[Weekday] | None = Field(None, min_length=1, max_length=7)
    from_hour: int | None = Field(None, ge=0, le=23)
    to_hour: int | None = Field(None, ge=1, le=24)

    @model_validator(mode="after")
    def _hours_together(self) -> Schedule:
        if (self.from_hour is None) != (self.to_hour is None):
            raise ValueError("give from_hour and to_hour together")
        if self.from_hour is not None and self.to_hour is not None and self.from_hour == self.to_hour % 24:
            raise ValueError("from_hour and to_hour must differ")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class Limit(_Strict):
    """At most ``awards`` times and/or ``points`` points per member in each period."""

    per: Literal["day", "week", "month", "campaign"]
    awards: int | None = Field(None, ge=1)
    points: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _something(self) -> Limit:
        if self.awards is None and self.points is None:
            raise ValueError("a limit caps awards or points")
        return self


class CampaignCreate(_Strict):
    """A campaign as the owner writes it (create and every edit)."""

    name_fa: CleanText = Field(min_length=1, max_length=200)
    name_en: CleanText | None = Field(None, max_length=200)
    active: bool = True
    #: Higher runs first.
    priority: int = Field(0, ge=-1000, le=1000)
    #: When this campaign awards points, campaigns of lower priority are not applied.
    stop: bool = False
    schedule: Schedule = Field(default_factory=lambda: Schedule.model_validate({}))
    #: Total points the campaign may give away, or none for no cap.
    budget_points: int | None = Field(None, ge=1)
    limits: list[Limit] = Field(default_factory=list, max_length=8)
    rules: list[Rule] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _unique_keys(self) -> CampaignCreate:
        keys = [r.key for r in self.rules]
        if len(set(keys)) != len(keys):
            raise ValueError("rule keys must be unique within a campaign")
        return self

    def name(self, lang: str) -> str:
        return self.name_fa if lang == "fa" or not self.name_en else self.name_en


class CampaignRead(BaseModel):
    id: int
    version: int
    points_awarded: int
    created_at: datetime
    updated_at: datetime
    definition: CampaignCreate


class CampaignVersionRead(BaseModel):
    campaign_id: int
    version: int
    created_at: datetime
    actor: str | None
    definition: CampaignCreate


class GiftGiven(BaseModel):
    """A coupon code or reward a campaign handed the member with this sale or event."""

    campaign_id: int
    kind: Literal["coupon", "reward"]
    #: The coupon's code, or the reward instance's code to show at the till.
    code: str
    #: The coupon batch's name, or the reward's name in the request's language.
    name: str


class CampaignApplied(BaseModel):
    """A campaign that awarded points, as the purchase and event answers show it (stamps a campaign
    gives are shown with the stamp cards' progress)."""

    id: int
    version: int
    name: str
    points: int
    rules: list[str]
    #: Rials of wallet cashback the campaign credited.
    cashback_rials: int = 0


# --- examine ----------------------------------------------------------------------------------------


class ConditionResult(BaseModel):
    type: str
    passed: bool
    why: str


class RuleResult(BaseModel):
    key: str
    fires: bool
    points: int
    cashback_rials: int = 0
    conditions: list[ConditionResult]


class CampaignResult(BaseModel):
    id: int
    version: int
    name: str
    fires: bool
    points: int
    cashback_rials: int = 0
    #: Why a campaign with firing rules awards nothing (schedule, budget, limit, a stopping campaign).
    why: str | None
    rules: list[RuleResult]


class ExamineResult(BaseModel):
    member_id: int
    #: The moment the sale was examined at: the request's ``occurred_at`` (past or future, to see what a
    #: campaign would do then) or now. Schedules, hours and per-period limits are judged at it.
    at: datetime | None = None
    paid_rials: int
    points_base: int
    points_bonus: int
    points_total: int
    #: Wallet cashback the sale would credit, in rials.
    cashback_rials: int = 0
    campaigns: list[CampaignResult]
    #: Stamps the sale would put on each stamp card (campaign stamps not included).
    stamps: list[StampPreview] = Field(default_factory=list)
    #: The sale's bill as ``record`` would write it: the total, what the reward, the coupon and the
    #: points take off (in that order), what is left to pay and what the wallet and a gift card pay of it.
    total_rials: int = 0
    reward_name: str | None = None
    reward_discount_rials: int = 0
    coupon_discount_rials: int = 0
    points_discount_rials: int = 0
    due_rials: int = 0
    wallet_rials: int = 0
    gift_card_rials: int = 0


# --- events -----------------------------------------------------------------------------------------


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    member: MemberRef
    name: EventName
    properties: dict[str, Any] | None = Field(None, max_length=50)
    occurred_at: AwareDatetime | None = None


class EventResult(BaseModel):
    id: int
    member_id: int
    name: str
    occurred_at: datetime
    points_bonus: int
    campaigns: list[CampaignApplied]
    #: Stamps event rules gave (a check-in earns a stamp).
    stamps: list[StampsEarned] = Field(default_factory=list)
    #: Coupons and rewards event rules handed out.
    gifts: list[GiftGiven] = Field(default_factory=list)
    balance: PointsBalance


#: Old names, for code written before issue 15 (removed in 0.3, with the API aliases).
CampaignIn = CampaignCreate
