"""A refund of a receipt, in part or whole: what it would give back and take back (its own dry run) for
the cashier to confirm, then done once per form key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import BashgahError
from bashgah.idempotency import service as idempotency
from bashgah.members import service as members
from bashgah.purchases import reads as purchase_reads
from bashgah.purchases import refunds as purchase_refunds
from bashgah.purchases.schemas import PurchaseRead, RefundResult
from bashgah.web import forms
from bashgah.web.guard import checked_form, database
from bashgah.web.pos import receipt
from bashgah.web.pos.common import Cashier, Customer, log, once, pos_router, redirect, refusal, screen
from bashgah.web.pos.pricing import RewardUse, reward_use
from bashgah.web.pos.typed import read_refund
from bashgah.web.render import language

router = pos_router()


@dataclass
class RefundPreview:
    """What the refund's confirm step shows: the refund's own dry run, and whether the amount is the
    whole of what is left (an empty amount means that, and the page says so)."""

    p: PurchaseRead
    plan: RefundResult
    #: The amount and the reason as typed, carried to the confirmation.
    amount: str
    reason: str
    key: str
    whole: bool
    #: (card name, stamps) the refund takes back, cards with nothing to take left out.
    stamps_taken: list[tuple[str, int]]

    @property
    def reward(self) -> RewardUse | None:
        """The reward used on the sale: a refund never gives it back (it stays used)."""
        return reward_use(self.p.reward_name, self.p.reward_discount_rials, self.p.reward_code)

    @property
    def points_taken(self) -> int:
        """Earned and bonus points the refund takes back (those already spent included, when the programme
        lets the balance go below zero)."""
        return self.plan.points_reversed


@router.post("/receipts/{purchase_id}/refund", response_class=HTMLResponse)
async def refund(request: Request, user: Cashier, purchase_id: int) -> Response:
    """Step 1 (``step=review``) shows what the refund would give back and take back — the refund's own dry
    run; step 2 (``step=confirm``) does it, once per form key, and opens the receipt with its notice."""
    form = await checked_form(request, user)
    lang = language(request, user)
    typed_amount, reason = forms.text(form, "amount", 40), forms.text(form, "reason", 500)
    form_key = forms.text(form, "key", 64)
    try:
        body = read_refund(form, user.money_unit)
        if forms.text(form, "step") != "confirm":
            async with database(request).transaction() as session:
                plan = await purchase_refunds.preview_refund(session, user.principal, purchase_id, body)
                purchase = await purchase_reads.get(session, user.principal, purchase_id, lang)
                member = await members.get(session, user.tenant_id, purchase.member_id)
                cards = await receipt.card_names(session, user, member.id, lang)
            return screen(
                request,
                "refund_confirm.html",
                user,
                m=Customer.of(member),
                preview=RefundPreview(
                    p=purchase,
                    plan=plan,
                    amount=typed_amount,
                    reason=reason,
                    key=form_key,
                    whole=plan.amount_rials == purchase.total_rials - purchase.refunded_rials,
                    stamps_taken=[(cards.get(r.card_id, ""), r.stamps) for r in plan.stamps if r.stamps],
                ),
            )

        async def act(session: AsyncSession) -> dict[str, Any]:
            done = await purchase_refunds.refund(session, user.principal, purchase_id, body)
            figures = {
                "amount_rials": done.amount_rials,
                "points_reversed": done.points_reversed,
                "points_returned": done.points_returned,
            }
            await log(session, user, "pos.refund", "purchase", purchase_id, **figures)
            return {"refund_id": done.id}

        fp = idempotency.fingerprint("POST", f"/pos/receipts/{purchase_id}/refund", body.model_dump())
        done = await once(request, user, f"pos-refund:{form_key}", fp, act)
    except (BashgahError, IntegrityError) as error:
        return await receipt.page(
            request,
            user,
            purchase_id,
            **refusal(error, lang, user.money_unit),
            refund_amount=typed_amount,
            refund_reason=reason,
        )
    refund_id = int(done.get("refund_id") or 0)
    return redirect(f"/pos/receipts/{purchase_id}?{urlencode({'refund': refund_id})}")
