"""The till's first screen: find a member by whatever was typed or scanned, enrol a new one, or open a
receipt by its number."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError, DuplicateMember, InvalidInput, NotFound
from bashgah.core.normalize import looks_like_phone, normalize_reference, to_latin_digits
from bashgah.members import service as members
from bashgah.members.schemas import MemberCreate
from bashgah.models import Member
from bashgah.purchases import reads as purchases
from bashgah.tenants import service as tenants
from bashgah.web import fmt
from bashgah.web.guard import checked_form, database
from bashgah.web.pos.common import Cashier, Customer, log, message, pos_router, redirect, screen, status
from bashgah.web.pos.typed import EnrolForm
from bashgah.web.render import language

router = pos_router()


def _lookup_page(request: Request, user: StaffUser, status: int = 200, **context: Any) -> Response:
    values: dict[str, Any] = {"q": "", "number": "", "found": None, "enrol": EnrolForm(), "existing": None}
    values.update(context)
    return screen(request, "lookup.html", user, status, **values)


def _refused(request: Request, user: StaffUser, status: int, error: BashgahError, **context: Any) -> Response:
    """The first screen again with what was typed and the error in words."""
    errors = [fmt.error(error, language(request, user), user.money_unit)]
    return _lookup_page(request, user, status, errors=errors, **context)


@router.get("", response_class=HTMLResponse)
async def lookup_page(request: Request, user: Cashier) -> Response:
    return _lookup_page(request, user)


@router.get("/find", response_class=HTMLResponse)
async def find(request: Request, user: Cashier, q: str = "") -> Response:
    """Whatever was typed or scanned: a mobile in any digits, a card number, a QR text, a name."""
    q = q.strip()[:100]
    try:
        async with database(request).transaction() as session:
            found = await members.lookup(session, user.tenant_id, q)
    except BashgahError as error:
        return _refused(request, user, 422, error, q=q)
    if len(found.members) == 1:
        return redirect(f"/pos/members/{found.members[0].id}")
    if not found.members:
        phone = found.matched_by == "mobile" or looks_like_phone(to_latin_digits(q))
        return _lookup_page(
            request, user, q=q, found=[], enrol=EnrolForm(mobile=q if phone else ""), focus_enrol=phone
        )
    return _lookup_page(request, user, q=q, found=[Customer.of(m) for m in found.members])


@router.post("/enrol")
async def enrol(request: Request, user: Cashier) -> Response:
    """A new member enrolled at the cashier's branch: the mobile is enough, a name and a birthday may come
    with it. A mobile that is already a member's is answered with a link to that member."""
    typed = EnrolForm.read(await checked_form(request, user))
    existing: Member | None = None
    try:
        body = MemberCreate.model_validate(
            {
                "mobile": typed.mobile or "-",
                "first_name": typed.first_name,
                "last_name": typed.last_name,
                "birth_date": typed.birth_date or None,
                "consent_source": "pos",
            }
        )
        async with database(request).transaction() as session:
            body.branch = await _branch_code(session, user)
            member = await members.create(session, user.tenant_id, body)
            await log(session, user, "pos.enrol", "member", member.id)
    except (BashgahError, IntegrityError, ValidationError) as error:
        if isinstance(error, ValidationError):
            error = InvalidInput("mobile", "not a valid mobile number", "شماره موبایل معتبر نیست", "موبایل")
        if isinstance(error, DuplicateMember):
            async with database(request).transaction() as session:
                try:
                    existing = await members.get_by_mobile(session, user.tenant_id, body.mobile)
                except NotFound:  # a national code or a race: no one member to link to
                    existing = None
        return _lookup_page(
            request,
            user,
            409 if existing else status(error),
            enrol=typed,
            existing=Customer.of(existing) if existing else None,
            focus_enrol=True,
            errors=[message(error, language(request, user), user.money_unit)],
        )
    return redirect(f"/pos/members/{member.id}?enrolled=1")


@router.get("/receipt", response_class=HTMLResponse)
async def find_receipt(request: Request, user: Cashier, number: str = "") -> Response:
    """Open a receipt by its number (to print it again or refund it)."""
    number = normalize_reference(number)[:64]
    try:
        async with database(request).transaction() as session:
            try:
                purchase_id = await purchases.find_by_receipt(session, user.principal, number)
            except NotFound:  # the till's own numbers are capitals; a shop's invoice number is as typed
                purchase_id = await purchases.find_by_receipt(session, user.principal, number.upper())
    except BashgahError as error:
        return _refused(request, user, 404, error, number=number)
    return redirect(f"/pos/receipts/{purchase_id}")


async def _branch_code(session: AsyncSession, user: StaffUser) -> str | None:
    if user.branch_id is None:
        return None
    return (await tenants.get_branch(session, user.tenant_id, user.branch_id)).code
