from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from bashgah.core.normalize import CleanText
from bashgah.occasions.rules import OccasionKind


class OccasionRuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: OccasionKind
    name_fa: CleanText = Field(min_length=1, max_length=200)
    name_en: CleanText = Field(min_length=1, max_length=200)
    #: Points given; a birthday adds the member's level's birthday gift.
    points: int = Field(0, ge=0, le=10**9)
    #: A catalogue reward issued free of points.
    reward_id: int | None = None
    #: Level codes whose members get it; empty is every member.
    tiers: list[str] = Field(default_factory=list, max_length=50)
    #: May be given this many days before the occasion (e.g. a birthday gift from 3 days before).
    days_early: int = Field(0, ge=0, le=60)
    active: bool = True


class OccasionRuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_fa: CleanText | None = Field(None, min_length=1, max_length=200)
    name_en: CleanText | None = Field(None, min_length=1, max_length=200)
    points: int | None = Field(None, ge=0, le=10**9)
    reward_id: int | None = None
    tiers: list[str] | None = Field(None, max_length=50)
    days_early: int | None = Field(None, ge=0, le=60)
    active: bool | None = None


class OccasionRuleRead(BaseModel):
    id: int
    kind: str
    name: str
    name_fa: str
    name_en: str
    points: int
    reward_id: int | None
    tiers: list[str]
    days_early: int
    active: bool
    #: Members who got it so far, all years together.
    awarded: int
    created_at: datetime
