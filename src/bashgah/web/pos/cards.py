"""Gift cards and the wallet at the till: a gift card's balance by its code, and money paid in to a
member's wallet (once per form key)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError, InvalidInput
from bashgah.core.normalize import to_latin_digits
from bashgah.giftcards import service as gift_cards
from bashgah.idempotency import service as idempotency
from bashgah.members import service as members
from bashgah.wallet import service as wallets
from bashgah.wallet.schemas import TopUpCreate
from bashgah.web import fmt, forms
from bashgah.web.guard import checked_form, database
from bashgah.web.i18n import translator
from bashgah.web.pos.common import Cashier, Customer, log, once, pos_router, redirect, refusal, screen
from bashgah.web.render import language

router = pos_router()


async def _cards_page(
    request: Request,
    user: StaffUser,
    member_id: int | None = None,
    status: int = 200,
    errors: list[str] | None = None,
    **context: Any,
) -> Response:
    """The gift card balance check, and (with a member) the wallet top-up form."""
    lang = language(request, user)
    member, wallet = None, None
    if member_id is not None:
        async with database(request).transaction() as session:
            member = await members.get(session, user.tenant_id, member_id)
            wallet = (await wallets.read(session, user.principal, member_id, lang, limit=1)).balance
    values: dict[str, Any] = {"code": "", "card": None, "amount": "", "reference": ""}
    values.update(context)
    return screen(
        request,
        "gift_cards.html",
        user,
        status,
        m=Customer.of(member) if member else None,
        wallet=wallet,
        top_up_key=forms.new_form_key(),
        errors=errors or [],
        **values,
    )


@router.get("/gift-cards", response_class=HTMLResponse)
async def gift_cards_page(
    request: Request, user: Cashier, code: str = "", member: int | None = None, topped: int | None = None
) -> Response:
    """Check a gift card's balance by its code (typed or scanned)."""
    code = to_latin_digits(code).strip().upper()[:64]
    lang = language(request, user)
    _ = translator(lang, "pos")
    notice = _("Wallet topped up.") if topped else None
    if not code:
        return await _cards_page(request, user, member, notice=notice)
    try:
        async with database(request).transaction() as session:
            card = await gift_cards.get(session, user.principal, code)
    except BashgahError as error:
        return await _cards_page(
            request, user, member, 404, [fmt.error(error, lang, user.money_unit)], code=code
        )
    return await _cards_page(request, user, member, code=code, card=card)


@router.post("/members/{member_id}/top-up", response_class=HTMLResponse)
async def top_up(request: Request, user: Cashier, member_id: int) -> Response:
    """Money the member pays at the till goes into their wallet; the form's key makes it happen once."""
    form = await checked_form(request, user)
    lang = language(request, user)
    typed, reference = forms.text(form, "amount", 40), forms.text(form, "reference", 64)
    try:
        amount = forms.amount_rials(form, "amount", user.money_unit, "مبلغ شارژ", required=True)
        body = TopUpCreate.model_validate({"amount_rials": amount, "reference": reference or None})

        async def act(session: AsyncSession) -> dict[str, Any]:
            done = await wallets.top_up(session, user.principal, member_id, body)
            await log(session, user, "pos.wallet_top_up", "member", member_id, amount_rials=done.amount_rials)
            return {"transfer_id": done.transfer_id}

        fp = idempotency.fingerprint("POST", f"/pos/members/{member_id}/top-up", body.model_dump())
        await once(request, user, f"pos-top-up:{forms.text(form, 'key', 64)}", fp, act)
    except (BashgahError, IntegrityError, ValidationError) as error:
        if isinstance(error, ValidationError):
            error = InvalidInput("amount", "out of range", "خارج از بازه", "مبلغ شارژ")
        return await _cards_page(
            request,
            user,
            member_id,
            **refusal(error, lang, user.money_unit),
            amount=typed,
            reference=reference,
        )
    return redirect(f"/pos/gift-cards?{urlencode({'member': member_id, 'topped': 1})}")
