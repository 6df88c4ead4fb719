"""The sale: priced for the cashier to confirm (step 1), then recorded once per form key (step 2)."""

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
from bashgah.members import service as members
from bashgah.purchases import service as purchases
from bashgah.purchases.schemas import PurchaseResult
from bashgah.web import forms
from bashgah.web.guard import checked_form, database
from bashgah.web.pos import member as panel
from bashgah.web.pos.common import Cashier, Customer, log, message, once, pos_router, redirect, screen, status
from bashgah.web.pos.pricing import SaleRefused, labelled, price
from bashgah.web.pos.typed import Sale, SaleForm, read_sale
from bashgah.web.render import language

router = pos_router()


@router.post("/members/{member_id}/sale", response_class=HTMLResponse)
async def sale(request: Request, user: Cashier, member_id: int) -> Response:
    """Step 1 (``step=review``) prices the sale for the cashier to confirm; step 2 (``step=confirm``)
    records it and opens the receipt. Nothing is written before the confirmation."""
    form = await checked_form(request, user)
    typed = SaleForm.read(form)
    lang = language(request, user)
    try:
        sale = read_sale(typed, user.money_unit, user)
        if forms.text(form, "step") != "confirm":
            async with database(request).transaction() as session:
                preview = await price(session, user, member_id, sale, lang)
                member = await members.get(session, user.tenant_id, member_id)
            return screen(
                request,
                "confirm.html",
                user,
                m=Customer.of(member),
                # One line: the item lines travel on in a hidden field.
                sale=typed.on_one_line(),
                items=sale.items,
                preview=preview,
            )
        return await _record(request, user, member_id, sale)
    except (BashgahError, IntegrityError, ValidationError) as error:
        if isinstance(error, ValidationError):
            error = InvalidInput("total", "out of range", "خارج از بازه", "مبلغ خرید")
        found = error.problems if isinstance(error, SaleRefused) else [error]
        return await panel.page(
            request,
            user,
            member_id,
            sale=typed,
            errors=[
                message(labelled(e) if isinstance(e, BashgahError) else e, lang, user.money_unit)
                for e in found
            ],
            status=status(error),
        )


async def _record(request: Request, user: StaffUser, member_id: int, sale: Sale) -> Response:
    """One transaction: the sale (points, coupon), the reward marked used, the key remembered, the audit
    line. A second submit of the same form fails inside and is answered with the first receipt."""
    lang = language(request, user)

    async def act(session: AsyncSession) -> dict[str, Any]:
        result = await purchases.record(session, user.principal, sale.purchase(member_id), lang)
        await log(
            session,
            user,
            "pos.sale",
            "purchase",
            result.id,
            total_rials=result.total_rials,
            points_redeemed=result.points_redeemed,
            points_earned=result.points_earned + result.points_bonus,
            coupon=sale.coupon is not None,
            reward_rials=result.reward_discount_rials,
            wallet_rials=result.wallet_rials,
            gift_card_rials=result.gift_card_rials,
        )
        return _outcome(result)

    done = await once(request, user, f"pos-sale:{sale.key}", sale.fingerprint(member_id), act)
    return redirect(f"/pos/receipts/{done['purchase_id']}?{urlencode({'sale': sale.key})}")


def _outcome(result: PurchaseResult) -> dict[str, Any]:
    """What the receipt shows once, beside the stored purchase: the stamps this sale put on the cards
    (and the cards it completed) and the gifts campaigns handed out with it."""
    return {
        "purchase_id": result.id,
        "stamps": [s.model_dump(mode="json") for s in result.stamps],
        "gifts": [g.model_dump(mode="json") for g in result.gifts],
    }
