"""What the till's screens share: the cashier guard, the redirect, the error words and statuses, and
running a use case once per form key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError
from bashgah.idempotency import service as idempotency
from bashgah.models import Member
from bashgah.web import audit, fmt
from bashgah.web.guard import POS_ROLES, database, require_staff
from bashgah.web.pos.pricing import SaleRefused
from bashgah.web.render import render

Cashier = Annotated[StaffUser, Depends(require_staff(*POS_ROLES))]


@dataclass(frozen=True)
class Customer:
    """A member as the till's pages show them: their name (empty when they gave none), mobile, card."""

    id: int
    name: str
    mobile: str
    card_number: str
    blocked: bool

    @classmethod
    def of(cls, member: Member) -> Customer:
        name = f"{member.first_name} {member.last_name}".strip()
        return cls(member.id, name, member.mobile, member.card_number, member.status != "active")


def pos_router() -> APIRouter:
    """A screen's router: its paths under ``/pos``, kept out of the API's schema."""
    return APIRouter(prefix="/pos", include_in_schema=False)


def screen(request: Request, template: str, user: StaffUser, status: int = 200, **context: Any) -> Response:
    """A till page (``pos/<template>``) in the cashier's language."""
    return render(request, f"pos/{template}", face="pos", user=user, status=status, **context)


async def log(
    session: AsyncSession, user: StaffUser, action: str, object_type: str, object_id: int, **figures: Any
) -> None:
    """The cashier's action in the audit log, in the action's own transaction."""
    await audit.record(session, user.tenant_id, action, user.staff_id, object_type, object_id, **figures)


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)


def message(error: Exception, lang: str, unit: str) -> str:
    if isinstance(error, BashgahError):
        return fmt.error(error, lang, unit)
    if lang == "fa":
        return "این تغییر با دادهٔ موجود تداخل دارد؛ چیزی ذخیره نشد. دوباره تلاش کنید."
    return "This conflicts with existing data; nothing was saved. Try again."


def refusal(error: Exception, lang: str, unit: str) -> dict[str, Any]:
    """The page's status and its error line for a refused action (the page shows the form again)."""
    return {"status": status(error), "errors": [message(error, lang, unit)]}


def status(error: Exception) -> int:
    if isinstance(error, SaleRefused):
        return max((p.status for p in error.problems), default=409)
    return error.status if isinstance(error, BashgahError) else 409


async def once(
    request: Request,
    user: StaffUser,
    key: str,
    fp: str,
    act: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run ``act`` in one transaction and remember its answer under the form's key. When it fails (a
    second send of the same form meets the first one's rows), the first send's answer is returned; a
    failure with no first send behind it is raised."""
    db = database(request)
    try:
        async with db.transaction() as session:
            answer = await act(session)
            await idempotency.remember(session, user.principal, key, fp, 201, answer)
        return answer
    except (IntegrityError, BashgahError):
        async with db.transaction() as session:
            prior = await idempotency.replay(session, user.principal, key, fp)
        if prior is None:
            raise
        found: dict[str, Any] = prior[1]
        return found
