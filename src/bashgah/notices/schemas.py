from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class NoticeRead(BaseModel):
    id: int
    member_id: int
    kind: str
    #: For ``points_expiring``: {"points", "expires_on", "expires_on_jalali"}.
    payload: dict[str, Any]
    due_at: datetime
    sent_at: datetime | None
    created_at: datetime
