"""The audit log of the web pages: who did what, with ids and figures only (never personal data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.models import AuditEntry, utcnow


async def record(
    session: AsyncSession,
    tenant_id: int,
    action: str,
    actor_staff_id: int | None = None,
    object_type: str | None = None,
    object_id: int | str | None = None,
    **summary: Any,
) -> None:
    """Add a line in the caller's transaction: it is kept only if the action itself is."""
    session.add(
        AuditEntry(
            tenant_id=tenant_id,
            actor_staff_id=actor_staff_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id is not None else None,
            summary=summary,
            at=utcnow(),
        )
    )
