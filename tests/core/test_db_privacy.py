"""A database error never carries the values it was given: phone numbers stay out of error logs."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from bashgah.core.db import Database
from bashgah.members import service as members
from bashgah.members.schemas import MemberCreate
from bashgah.models import Member
from support import Club


async def test_a_failed_insert_hides_the_phone_number_it_tried_to_store(db: Database, club: Club) -> None:
    async with db.transaction() as session:
        first = await members.create(session, club.tenant_id, MemberCreate(mobile="09127654321"))
    with pytest.raises(IntegrityError) as caught:
        async with db.transaction() as session:
            session.add(Member(tenant_id=club.tenant_id, mobile=first.mobile, card_number="1234567812345670"))
            await session.flush()
    assert "7654321" not in str(caught.value)
    assert "hidden" in str(caught.value)
