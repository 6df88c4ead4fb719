"""Stamp cards as the owner writes them, and members' progress as tills and members read it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bashgah.core.normalize import CleanText
from bashgah.programme.schemas import ItemMatch
from bashgah.stamps.results import CompletedCard, StampPreview, StampsEarned

__all__ = ["CompletedCard", "StampPreview", "StampsEarned"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StampEarning(_Strict):
    """What earns a stamp: any visit (``items`` empty), or buying the matching items.

    ``per``: one stamp per visit, or one per matching unit. Business rules between the fields (a
    per-unit card needs items…) are checked by the service, with messages in Persian and English.
    """

    per: Literal["visit", "unit"] = "visit"
    items: ItemMatch | None = None
    #: A visit (or a basket) counts only from this total.
    min_total_rials: int | None = Field(None, ge=0, le=10**13)
    max_per_purchase: int | None = Field(None, ge=1, le=1000)


class StampReward(_Strict):
    """What a full card gives: a free product (the card's ``sku``), a catalogue reward, or points."""

    kind: Literal["free_product", "reward", "points"]
    sku: str | None = Field(None, min_length=1, max_length=64)
    reward_id: int | None = Field(None, ge=1)
    points: int | None = Field(None, ge=1, le=10**9)


class StampCardCreate(_Strict):
    name_fa: CleanText = Field(min_length=1, max_length=200)
    name_en: CleanText = Field(min_length=1, max_length=200)
    stamps_needed: int = Field(ge=1, le=1000)
    earn: StampEarning
    reward: StampReward
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    #: A member's card lapses this many days after it was opened (its first stamp); none: never.
    card_expires_days: int | None = Field(None, ge=1, le=3650)
    active: bool = True

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_fa


class StampCardRead(BaseModel):
    id: int
    version: int
    reward_id: int | None
    created_at: datetime
    updated_at: datetime
    definition: StampCardCreate


class StampsRemoved(BaseModel):
    """What a return took back from one stamp card."""

    card_id: int
    stamps: int
    #: Stamps due that could not be taken back: the rewards they completed were already used.
    unrecovered: int
    #: Codes of unused rewards cancelled because their card is no longer full.
    cancelled_rewards: list[str]
    progress: int


class StampProgress(BaseModel):
    """A member's standing on one stamp card: e.g. 7 of 10, and the cards they completed."""

    card_id: int
    name: str
    stamps: int
    stamps_needed: int
    expires_at: datetime | None
    active: bool
    completed: list[CompletedCard]


#: Old names, for code written before issue 15 (removed in 0.3, with the API aliases).
StampCardIn = StampCardCreate
