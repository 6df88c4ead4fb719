from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from bashgah.core.normalize import CleanText
from bashgah.segments.conditions import MAX_DEPTH, Condition, depth

#: Reads a stored definition back into its condition.
CONDITION = TypeAdapter[Condition](Condition)


def _shallow(definition: Condition | None) -> None:
    if definition is not None and depth(definition) > MAX_DEPTH:
        raise ValueError(f"conditions may nest at most {MAX_DEPTH} deep")


class SegmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CleanText = Field(min_length=1, max_length=200)
    description: CleanText | None = Field(None, max_length=1000)
    #: dynamic: members matching ``definition`` when asked; static: a list of members, added or imported.
    kind: Literal["dynamic", "static"] = "dynamic"
    definition: Condition | None = None

    @model_validator(mode="after")
    def _definition_fits_kind(self) -> SegmentCreate:
        if self.kind == "dynamic" and self.definition is None:
            raise ValueError("a dynamic segment needs a definition")
        if self.kind == "static" and self.definition is not None:
            raise ValueError("a static segment has no definition; add its members instead")
        _shallow(self.definition)
        return self


class SegmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: CleanText | None = Field(None, min_length=1, max_length=200)
    description: CleanText | None = Field(None, max_length=1000)
    definition: Condition | None = None

    @model_validator(mode="after")
    def _depth(self) -> SegmentUpdate:
        _shallow(self.definition)
        return self


class SegmentPreview(BaseModel):
    """A definition to count without saving it."""

    model_config = ConfigDict(extra="forbid")

    definition: Condition

    @model_validator(mode="after")
    def _depth(self) -> SegmentPreview:
        _shallow(self.definition)
        return self


class SegmentRead(BaseModel):
    id: int
    name: str
    description: str | None
    kind: str
    definition: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


class SegmentCount(BaseModel):
    count: int


class StaticMembersAdd(BaseModel):
    """Members to add to a static segment: mobiles in any form and/or member ids."""

    model_config = ConfigDict(extra="forbid")

    mobiles: list[str] = Field(default_factory=list, max_length=10_000)
    member_ids: list[int] = Field(default_factory=list, max_length=10_000)

    @model_validator(mode="after")
    def _something(self) -> StaticMembersAdd:
        if not self.mobiles and not self.member_ids:
            raise ValueError("give mobiles or member_ids")
        return self


class StaticMembersAdded(BaseModel):
    #: Members newly added, and those already in the segment.
    added: int
    already: int
