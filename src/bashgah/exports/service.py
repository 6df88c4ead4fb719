"""Who may download what, and the audit line every download leaves.

A file of members (mobiles, national codes, emails), of purchases or the ledger (mobiles), a report with
member names and mobiles, and a batch's coupon or gift-card codes are taken out of the club for good: they
are owner and manager rights, which a club may extend to its analysts (``Tenant.analysts_may_export``).
Every download, from the console, the API or the command line, writes one ``audit_log`` line: who, what
and how many rows, never the data itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.errors import BashgahError
from bashgah.models import AuditEntry, Tenant, utcnow

#: Columns that make a table personal data (a member's name always comes with one of these).
PERSONAL_COLUMNS = frozenset({"mobile", "national_code", "email"})


class ExportForbidden(BashgahError):
    status = 403
    code = "export_forbidden"
    message_en = (
        "Only owners and managers may download members' personal data or codes "
        "(the club's settings can allow analysts too)."
    )
    message_fa = (
        "دریافت فایل اطلاعات شخصی اعضا یا کدها فقط برای مالک و مدیر است "
        "(در تنظیمات باشگاه می‌توان به تحلیلگر هم اجازه داد)."
    )


def may_export(role: str, analysts_allowed: bool) -> bool:
    """The rule: owners and managers always; analysts when the club allows it; nobody else."""
    return role in MANAGERS or (role == "analyst" and analysts_allowed)


def is_personal(columns: Iterable[str]) -> bool:
    """Whether a table with these column keys holds members' personal data."""
    keys = set(columns)
    return bool(keys & PERSONAL_COLUMNS) or {"member_id", "name"} <= keys


async def analysts_allowed(session: AsyncSession, tenant_id: int) -> bool:
    return bool(await session.scalar(select(Tenant.analysts_may_export).where(Tenant.id == tenant_id)))


async def require_export(session: AsyncSession, who: Principal) -> None:
    """Refuse (403) a caller who may not download personal data or codes; nothing else is checked."""
    if who.role in MANAGERS:
        return
    if not may_export(who.role, await analysts_allowed(session, who.tenant_id)):
        raise ExportForbidden()


def channel(who: Principal) -> str:
    if who.key_id is not None:
        return "api"
    return "console" if who.staff_id is not None else "cli"


async def record(
    session: AsyncSession,
    who: Principal,
    action: str,
    object_type: str,
    object_id: int | str | None,
    rows: int,
    file_format: str,
) -> None:
    """One audit line for a download, in the caller's transaction: who (the staff member, or the API key),
    what, how many rows and the file's format."""
    summary: dict[str, object] = {"rows": rows, "format": file_format, "via": channel(who)}
    if who.key_id is not None:
        summary["key_id"] = who.key_id
    session.add(
        AuditEntry(
            tenant_id=who.tenant_id,
            actor_staff_id=who.staff_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id is not None else None,
            summary=summary,
            at=utcnow(),
        )
    )
    await session.flush()
