from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from bashgah.core.jalali import to_jalali_str
from bashgah.core.normalize import CleanText
from bashgah.core.rows import read_of
from bashgah.http.paging import Page
from bashgah.members.cards import qr_payload
from bashgah.models import Member

ConsentSource = Literal["pos", "portal", "api", "import", "console", "sms"]


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mobile: str = Field(min_length=4, max_length=32, examples=["0912 345 6789"])
    first_name: CleanText = Field("", max_length=100)
    last_name: CleanText = Field("", max_length=100)
    #: Gregorian ``1991-08-03`` or Jalali ``1370/05/12``, any digits.
    birth_date: str | None = Field(None, max_length=16)
    #: Like birth_date; the club may give a wedding-anniversary gift.
    wedding_date: str | None = Field(None, max_length=16)
    gender: Literal["female", "male", "other"] | None = None
    email: str | None = Field(None, max_length=254)
    national_code: str | None = Field(None, max_length=16)
    tags: list[str] = Field(default_factory=list, max_length=50)
    sms_consent: bool = False
    email_consent: bool = False
    consent_source: ConsentSource = "api"
    #: Code of the branch that enrolled the member.
    branch: str | None = None


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mobile: str | None = Field(None, min_length=4, max_length=32)
    first_name: CleanText | None = Field(None, max_length=100)
    last_name: CleanText | None = Field(None, max_length=100)
    birth_date: str | None = Field(None, max_length=16)
    wedding_date: str | None = Field(None, max_length=16)
    gender: Literal["female", "male", "other"] | None = None
    email: str | None = Field(None, max_length=254)
    national_code: str | None = Field(None, max_length=16)
    tags: list[str] | None = Field(None, max_length=50)
    sms_consent: bool | None = None
    email_consent: bool | None = None
    consent_source: ConsentSource = "api"


class MemberBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: CleanText = Field(min_length=3, max_length=500)


class Consent(BaseModel):
    given: bool
    at: datetime | None
    source: str | None


class MemberRead(BaseModel):
    id: int
    mobile: str
    first_name: str
    last_name: str
    birth_date: date | None
    birth_date_jalali: str | None
    wedding_date: date | None = None
    wedding_date_jalali: str | None = None
    gender: str | None
    email: str | None
    national_code: str | None
    tags: list[str]
    status: str
    blocked_reason: str | None
    sms_consent: Consent
    email_consent: Consent
    card_number: str
    qr_payload: str
    created_at: datetime

    @classmethod
    def of(cls, m: object) -> MemberRead:
        assert isinstance(m, Member)
        return read_of(
            cls,
            m,
            birth_date_jalali=to_jalali_str(m.birth_date) if m.birth_date else None,
            wedding_date_jalali=to_jalali_str(m.wedding_date) if m.wedding_date else None,
            tags=list(m.tags or []),
            sms_consent=Consent(given=m.sms_consent, at=m.sms_consent_at, source=m.sms_consent_source),
            email_consent=Consent(
                given=m.email_consent, at=m.email_consent_at, source=m.email_consent_source
            ),
            qr_payload=qr_payload(m.card_number),
        )


class MemberLookup(Page[MemberRead]):
    """The members a lookup found (at most 20: one page, ``next_cursor`` always null)."""

    #: How the query was understood: mobile | card | national_code | name
    matched_by: str


class MemberRef(BaseModel):
    """Exactly one of: the member's id, mobile (any form) or card number / QR text."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: int | None = None
    #: Until 0.3 also read as ``phone``.
    mobile: str | None = Field(None, max_length=32, validation_alias=AliasChoices("mobile", "phone"))
    card: str | None = Field(None, max_length=40)

    @model_validator(mode="after")
    def _exactly_one(self) -> MemberRef:
        if sum(v is not None for v in (self.id, self.mobile, self.card)) != 1:
            raise ValueError("give exactly one of id, mobile or card")
        return self
