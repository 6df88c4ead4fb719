"""Segment conditions as validated data (``predicate`` compiles them to SQL, ``dates`` holds their date
rules).

A definition is one condition, usually an ``all`` or ``any`` of others. Each condition compiles to a
boolean SQLAlchemy Core expression over the ``members`` table that is never NULL (so ``any`` and ``all``
mean what they say for members with missing fields). Purchase windows are correlated sub-queries on
``purchases`` (indexed by member), so the same predicate serves a count over the whole club and a check
of one member (:func:`bashgah.segments.service.is_member`). The score conditions (``rfm_group``, ``clv``,
``churn_risk``) read ``member_scores``, written by ``bashgah jobs run scores``
(:mod:`bashgah.segments.tasks`).

Money is net of refunds: a purchase counts ``total_rials − refunded_rials``, and a purchase refunded in
full is not a visit. Windows end at the moment of evaluation and start ``days`` × 24 h before it.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bashgah.analytics.labels import GROUPS as RFM_GROUPS
from bashgah.members.service import clean_tags

#: How deep ``all`` / ``any`` may nest: enough for any person's definition, bounded for the database.
MAX_DEPTH = 4


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Ranged(_Strict):
    """A condition on ``min_<what>`` … ``max_<what>``: at least one given, the low not above the high."""

    what: ClassVar[str]

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        low, high = getattr(self, f"min_{self.what}"), getattr(self, f"max_{self.what}")
        if low is None and high is None:
            raise ValueError(f"give min_{self.what}, max_{self.what} or both")
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_{self.what} is above max_{self.what}")
        return self


class Gender(_Strict):
    type: Literal["gender"]
    #: ``unknown`` matches members whose gender was not given.
    values: list[Literal["female", "male", "other", "unknown"]] = Field(min_length=1, max_length=4)


class HasField(_Strict):
    """A profile field was given (``present``) or left empty."""

    type: Literal["has_field"]
    field: Literal["email", "national_code", "birth_date"]
    present: bool = True


class Age(_Ranged):
    """Age in whole years today (Tehran), from the birth date; members without one never match."""

    type: Literal["age"]
    what: ClassVar[str] = "age"
    min_age: int | None = Field(None, ge=0, le=130)
    max_age: int | None = Field(None, ge=0, le=130)


class Tags(_Strict):
    """The member has ``any`` (at least one) or ``all`` of the tags."""

    type: Literal["tags"]
    tags: list[str] = Field(min_length=1, max_length=50)
    match: Literal["any", "all"] = "any"

    @field_validator("tags")
    @classmethod
    def _clean(cls, tags: list[str]) -> list[str]:
        # The same cleaning as enrolment, so «مشتري ويژه» finds members tagged «مشتری ویژه».
        cleaned = clean_tags(tags)
        if not cleaned:
            raise ValueError("give at least one non-empty tag")
        return cleaned


class EnrolledBranch(_Strict):
    """The member was enrolled at one of these branches (codes)."""

    type: Literal["branch"]
    branches: list[str] = Field(min_length=1, max_length=500)


class Consent(_Strict):
    type: Literal["consent"]
    channel: Literal["sms", "email"]
    given: bool = True


class Status(_Strict):
    type: Literal["status"]
    status: Literal["active", "blocked"]


class Spend(_Ranged):
    """Rials spent (net of refunds) in the last ``days`` days."""

    type: Literal["spend"]
    what: ClassVar[str] = "rials"
    days: int = Field(ge=1, le=3650)
    min_rials: int | None = Field(None, ge=0, le=10**15)
    max_rials: int | None = Field(None, ge=0, le=10**15)


class Visits(_Ranged):
    """Purchases (not refunded in full) in the last ``days`` days."""

    type: Literal["visits"]
    what: ClassVar[str] = "visits"
    days: int = Field(ge=1, le=3650)
    min_visits: int | None = Field(None, ge=0, le=10**6)
    max_visits: int | None = Field(None, ge=0, le=10**6)


class DaysSinceLastPurchase(_Ranged):
    """Whole days since the member's last purchase (not refunded in full).

    Members who never bought match only with ``include_never`` (they are the most lapsed of all, but a
    "come back" message makes no sense to them).
    """

    type: Literal["days_since_last_purchase"]
    what: ClassVar[str] = "days"
    min_days: int | None = Field(None, ge=0, le=36500)
    max_days: int | None = Field(None, ge=0, le=36500)
    include_never: bool = False


class BirthdayMonth(_Strict):
    """Born in one of these Jalali months (1 = Farvardin … 12 = Esfand), or in the current one."""

    type: Literal["birthday_month"]
    months: list[int] | None = Field(None, min_length=1, max_length=12)
    this_month: bool = False

    @field_validator("months")
    @classmethod
    def _months(cls, months: list[int] | None) -> list[int] | None:
        if months is not None and any(not 1 <= m <= 12 for m in months):
            raise ValueError("Jalali months are 1 to 12")
        return sorted(set(months)) if months is not None else None

    @model_validator(mode="after")
    def _one(self) -> BirthdayMonth:
        if (self.months is None) == (not self.this_month):
            raise ValueError("give months or this_month, not both")
        return self


class PointsBalance(_Ranged):
    """The member's ledger balance (available + pending + reserved)."""

    type: Literal["points_balance"]
    what: ClassVar[str] = "points"
    min_points: int | None = Field(None, ge=-(10**15), le=10**15)
    max_points: int | None = Field(None, ge=-(10**15), le=10**15)


class Tier(_Strict):
    """At one of these levels of the club's tier ladder (codes); a member never placed is at the entry
    level. In a club without tiers nobody matches."""

    type: Literal["tier"]
    levels: list[str] = Field(min_length=1, max_length=50)


class RfmGroup(_Strict):
    """In one of these RFM groups (``analytics.reports.rfm``: champions, loyal, at_risk, lost…), scored
    over the last 365 days.

    Read from ``member_scores``, as of the last ``bashgah jobs run scores`` (run it nightly from cron):
    scoring ranks the whole club, too slow for a sale. Members who never bought, or who have not been
    scored yet, are in no group. ``window_days`` is only ever 365 (the stored scores' window)."""

    type: Literal["rfm_group"]
    groups: list[str] = Field(min_length=1, max_length=len(RFM_GROUPS))
    window_days: int = Field(365, ge=365, le=365)

    @field_validator("groups")
    @classmethod
    def _known(cls, groups: list[str]) -> list[str]:
        unknown = [g for g in groups if g not in RFM_GROUPS]
        if unknown:
            raise ValueError(f"unknown RFM group {', '.join(unknown)}; one of {', '.join(RFM_GROUPS)}")
        return sorted(set(groups))


class Clv(_Strict):
    """Customer lifetime value as the CLV report scores it (``analytics.reports.clv``: BG/NBD and
    Gamma-Gamma fitted on the club's purchase days): expected value over the next 365 days in rials
    and/or the probability that the member is still active.

    Read from ``member_scores``, as of the last ``bashgah jobs run scores`` (run it nightly from cron).
    Members who never bought, or were not scored yet, never match; nor does anyone while the club had too
    little history to fit the models when the job ran (fewer than two members had bought on two
    different days)."""

    type: Literal["clv"]
    min_value_rials: int | None = Field(None, ge=0, le=10**15)
    max_value_rials: int | None = Field(None, ge=0, le=10**15)
    min_probability_alive: float | None = Field(None, ge=0, le=1)
    max_probability_alive: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _bounds(self) -> Clv:
        value = (self.min_value_rials, self.max_value_rials)
        alive = (self.min_probability_alive, self.max_probability_alive)
        if value == (None, None) and alive == (None, None):
            raise ValueError(
                "give min_value_rials, max_value_rials, min_probability_alive or max_probability_alive"
            )
        for (low, high), what in ((value, "value_rials"), (alive, "probability_alive")):
            if low is not None and high is not None and low > high:
                raise ValueError(f"min_{what} is above max_{what}")
        return self


class ChurnRisk(_Strict):
    """On the churn report's list (``analytics.reports.churn``): overdue against their own rhythm, the
    days since their last purchase above ``k`` × their mean days between purchases.

    Compares ``k`` with the ratio stored in ``member_scores`` by the last ``bashgah jobs run scores``
    (run it nightly from cron), so the days since are counted up to that run. Members without a rhythm
    (fewer than two purchases) or not scored yet never match."""

    type: Literal["churn_risk"]
    k: float = Field(2.0, gt=0, le=100)


class All(_Strict):
    type: Literal["all"]
    conditions: list[Condition] = Field(min_length=1, max_length=50)


class AnyOf(_Strict):
    type: Literal["any"]
    conditions: list[Condition] = Field(min_length=1, max_length=50)


Condition = Annotated[
    All
    | AnyOf
    | Gender
    | HasField
    | Age
    | Tags
    | EnrolledBranch
    | Consent
    | Status
    | Spend
    | Visits
    | DaysSinceLastPurchase
    | BirthdayMonth
    | PointsBalance
    | Tier
    | RfmGroup
    | Clv
    | ChurnRisk,
    Field(discriminator="type"),
]
All.model_rebuild()
AnyOf.model_rebuild()


def depth(condition: Condition) -> int:
    if isinstance(condition, All | AnyOf):
        return 1 + max(depth(c) for c in condition.conditions)
    return 1


def tier_codes(condition: Condition) -> set[str]:
    """Every tier level code the definition names (checked against the club's ladder when saved)."""
    if isinstance(condition, All | AnyOf):
        return set().union(*(tier_codes(c) for c in condition.conditions))
    if isinstance(condition, Tier):
        return set(condition.levels)
    return set()


def branch_codes(condition: Condition) -> set[str]:
    """Every branch code the definition names (checked against the club's branches when saved)."""
    if isinstance(condition, All | AnyOf):
        return set().union(*(branch_codes(c) for c in condition.conditions))
    if isinstance(condition, EnrolledBranch):
        return set(condition.branches)
    return set()
