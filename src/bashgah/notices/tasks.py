"""Job (``bashgah jobs run notices``): record an "expiring soon" notice per member and expiry day.

The programme's ``notify_expiring_days`` says how far ahead. Points expiring on the same Tehran day make
one notice; ``(tenant, member, kind, ref = that day)`` is unique and rows are inserted with ON CONFLICT
DO NOTHING, so running again (or in two processes at once) records nothing new. Sending is the messaging
work's: it reads the rows with ``sent_at`` empty.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.jalali import TEHRAN, to_jalali_str
from bashgah.models import Account, Member, Notice, PointLot, utcnow
from bashgah.tenants import service as tenants

_notices = cast(Table, Notice.__table__)
_DIALECTS: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}
POINTS_EXPIRING = "points_expiring"


async def record_expiring(session: AsyncSession, tenant_id: int, now: datetime | None = None) -> int:
    """Record the notices due for one tenant at ``now``; returns how many new ones were recorded."""
    now = now or utcnow()
    days = (await tenants.get_program(session, tenant_id)).notify_expiring_days
    if days <= 0:
        return 0
    rows = await session.execute(
        select(Account.member_id, PointLot.expires_at, PointLot.remaining)
        .join(Account, Account.id == PointLot.account_id)
        .join(Member, Member.id == Account.member_id)
        .where(
            PointLot.tenant_id == tenant_id,
            PointLot.remaining > 0,
            PointLot.expires_at.is_not(None),
            PointLot.expires_at > now,
            PointLot.expires_at <= now + timedelta(days=days),
            Member.status == "active",
        )
    )
    due: dict[tuple[int, date], int] = defaultdict(int)
    for member_id, expires_at, remaining in rows:
        assert member_id is not None and expires_at is not None  # a member's lot that expires
        due[(member_id, expires_at.astimezone(TEHRAN).date())] += remaining
    if not due:
        return 0
    connection = await session.connection()
    statement = (
        _DIALECTS[connection.dialect.name]
        .insert(_notices)
        .on_conflict_do_nothing(index_elements=["tenant_id", "member_id", "kind", "ref"])
        .returning(_notices.c.id)
    )
    recorded = 0
    for (member_id, day), points in sorted(due.items()):
        inserted = await connection.execute(
            statement,
            {
                "tenant_id": tenant_id,
                "member_id": member_id,
                "kind": POINTS_EXPIRING,
                "ref": day.isoformat(),
                "payload": {
                    "points": points,
                    "expires_on": day.isoformat(),
                    "expires_on_jalali": to_jalali_str(day),
                },
                "due_at": now,
                "sent_at": None,
                "created_at": now,
            },
        )
        recorded += inserted.scalar() is not None
    return recorded
