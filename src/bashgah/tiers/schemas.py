from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bashgah.core.normalize import CleanText

Metric = Literal["spend", "points", "visits"]
#: The field that holds a level's threshold, by what the ladder counts.
THRESHOLD_FIELD: dict[str, str] = {
    "spend": "threshold_rials",
    "points": "threshold_points",
    "visits": "threshold_visits",
}


def _threshold_named(data: Any, metric: Any) -> Any:
    """A level given with the old ``threshold`` (read until 0.3), with it named by the ladder's unit."""
    if isinstance(data, dict) and "threshold" in data:
        data = dict(data)
        data.setdefault(THRESHOLD_FIELD.get(str(metric), "threshold_rials"), data.pop("threshold"))
    return data


class Threshold(BaseModel):
    """A level's threshold, in the unit of what the ladder counts (its ``metric``): rials spent, points
    earned or visits in the window. The database keeps one figure; the API names the unit, and only the
    field of the ladder's metric is set."""

    threshold_rials: int | None = Field(None, ge=0)
    threshold_points: int | None = Field(None, ge=0)
    threshold_visits: int | None = Field(None, ge=0)

    @property
    def threshold(self) -> int:
        """The figure as stored, whatever its unit."""
        given = (self.threshold_rials, self.threshold_points, self.threshold_visits)
        return next((v for v in given if v is not None), 0)

    def units(self) -> list[str]:
        return [name for name in THRESHOLD_FIELD.values() if getattr(self, name) is not None]


class LevelIn(Threshold):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    name_fa: CleanText = Field(min_length=1, max_length=100)
    name_en: CleanText = Field(min_length=1, max_length=100)
    earn_multiplier_pct: int = Field(100, ge=0, le=1000)
    birthday_gift_points: int = Field(0, ge=0)


class TierConfigUpdate(BaseModel):
    """The whole ladder and its policy, replaced at once. Levels are ranked by threshold."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    metric: Metric = "spend"
    window: Literal["rolling", "jalali_year"] = "rolling"
    window_months: int = Field(12, ge=1, le=60)
    downgrade: Literal["one_down", "recompute"] = "one_down"
    grace_days: int = Field(30, ge=0, le=365)
    levels: list[LevelIn] = Field(min_length=1, max_length=20)

    @model_validator(mode="before")
    @classmethod
    def _old_thresholds(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("levels"), list):
            metric = data.get("metric", "spend")
            data = {**data, "levels": [_threshold_named(lv, metric) for lv in data["levels"]]}
        return data

    @model_validator(mode="after")
    def _ladder(self) -> TierConfigUpdate:
        unit = THRESHOLD_FIELD[self.metric]
        if any(lv.units() != [unit] for lv in self.levels):
            raise ValueError(f"a ladder counting {self.metric} gives each level its {unit} (and no other)")
        codes = [lv.code for lv in self.levels]
        if len(set(codes)) != len(codes):
            raise ValueError("level codes must be unique")
        thresholds = sorted(lv.threshold for lv in self.levels)
        if len(set(thresholds)) != len(thresholds):
            raise ValueError("each level needs its own threshold")
        if thresholds[0] != 0:
            raise ValueError("the entry level's threshold must be 0")
        return self


class LevelRead(Threshold):
    code: str
    name: str
    rank: int
    earn_multiplier_pct: int
    birthday_gift_points: int

    @classmethod
    def of(cls, metric: str, threshold: int, **fields: Any) -> LevelRead:
        return cls.model_validate({**fields, THRESHOLD_FIELD.get(metric, "threshold_rials"): threshold})


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


#: Old names, for code written before issue 15 (removed in 0.3, with the API aliases).
TierConfig = TierConfigUpdate
