from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bashgah.core.normalize import CleanText


class LevelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    name_fa: CleanText = Field(min_length=1, max_length=100)
    name_en: CleanText = Field(min_length=1, max_length=100)
    threshold: int = Field(ge=0)
    earn_multiplier_pct: int = Field(100, ge=0, le=1000)
    birthday_gift_points: int = Field(0, ge=0)


class TierConfig(BaseModel):
    """The whole ladder and its policy, replaced at once. Levels are ranked by threshold."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    metric: Literal["spend", "points", "visits"] = "spend"
    window: Literal["rolling", "jalali_year"] = "rolling"
    window_months: int = Field(12, ge=1, le=60)
    downgrade: Literal["one_down", "recompute"] = "one_down"
    grace_days: int = Field(30, ge=0, le=365)
    levels: list[LevelIn] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _ladder(self) -> TierConfig:
        codes = [lv.code for lv in self.levels]
        if len(set(codes)) != len(codes):
            raise ValueError("level codes must be unique")
        thresholds = sorted(lv.threshold for lv in self.levels)
        if len(set(thresholds)) != len(thresholds):
            raise ValueError("each level needs its own threshold")
        if thresholds[0] != 0:
            raise ValueError("the entry level's threshold must be 0")
        return self


class LevelRead(BaseModel):
    code: str
    name: str
    rank: int
    threshold: int
    earn_multiplier_pct: int
    birthday_gift_points: int


class TierConfigRead(BaseModel):
    enabled: bool
    metric: str
    window: str
    window_months: int
    downgrade: str
    grace_days: int
    levels: list[LevelRead]


class TierAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: str = Field(min_length=1, max_length=32)
    reason: CleanText = Field(min_length=3, max_length=500)
    #: Keep the member at this level: no automatic upgrade or downgrade until unlocked.
    lock: bool = False


class TierChangeRead(BaseModel):
    at: datetime
    kind: str
    from_level: str | None
    to_level: str | None
    reason: str | None


class MemberTierRead(BaseModel):
    level: LevelRead
    since: datetime | None
    locked: bool
    #: The member's qualifying figure in the current window (rials, points or visits).
    value: int
    metric: str
    next_level: LevelRead | None
    #: How much more the member needs for the next level (0 at the top).
    to_next: int
    review_at: datetime | None
    grace_until: datetime | None
    #: The level the member would hold if the period ended now.
    projected: LevelRead
    history: list[TierChangeRead]
