"""What stamps a sale or an event gave, as their answers show it (kept apart from
``stamps.schemas`` so that ``programme.schemas`` can name it without an import cycle)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class CompletedCard(BaseModel):
    """A full card and what it gave: a reward instance's code (shown at the till) or points."""

    id: int
    completed_at: datetime | None
    reward_kind: str
    reward_code: str | None
    #: issued | used | expired | cancelled (of the reward instance)
    reward_status: str | None
    reward_points: int | None


class StampsEarned(BaseModel):
    """What one purchase or event did to one stamp card."""

    card_id: int
    name: str
    stamps: int
    #: Stamps on the member's open card afterwards, of ``stamps_needed``.
    progress: int
    stamps_needed: int
    completed: list[CompletedCard]


class StampPreview(BaseModel):
    """What a sale would do to a stamp card (examine); campaign stamps are not included."""

    card_id: int
    name: str
    stamps: int
    progress_before: int
    stamps_needed: int
    would_complete: int
