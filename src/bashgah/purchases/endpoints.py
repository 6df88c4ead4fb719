from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.http.deps import ApiKeyDep, IdempotencyKeyDep, LangDep, run, run_idempotent
from bashgah.programme.schemas import ExamineResult
from bashgah.purchases import reads, refunds, service
from bashgah.purchases.schemas import PurchaseCreate, PurchaseRead, PurchaseResult, RefundCreate, RefundResult

router = APIRouter(prefix="/api/v1/purchases", tags=["purchases"])


@router.post("", status_code=201, response_model=PurchaseResult)
async def record_purchase(
    request: Request, body: PurchaseCreate, key: ApiKeyDep, lang: LangDep, idem: IdempotencyKeyDep = None
) -> object:
    """Record a sale (Idempotency-Key required): earn points and stamps and, optionally, spend points
    as a discount."""

    async def work(session: AsyncSession, who: Principal) -> PurchaseResult:
        return await service.record(session, who, body, lang)

    return await run_idempotent(request, key, idem, body, work)


@router.post("/examine", response_model=ExamineResult)
async def examine_purchase(
    request: Request, body: PurchaseCreate, key: ApiKeyDep, lang: LangDep
) -> ExamineResult:
    """Dry run of a sale: which campaign rules would fire, which would not and why, and the points.

    Writes nothing, so it takes no Idempotency-Key. ``occurred_at`` (past or future) examines the sale
    at that moment: campaign dates, weekdays, hours and per-period limits are judged then.
    """

    async def work(session: AsyncSession, who: Principal) -> ExamineResult:
        return await service.examine(session, who, body, lang)

    return await run(request, key, work)


@router.get("/{purchase_id}", response_model=PurchaseRead)
async def get_purchase(request: Request, purchase_id: int, key: ApiKeyDep, lang: LangDep) -> PurchaseRead:
    async def work(session: AsyncSession, who: Principal) -> PurchaseRead:
        return await reads.get(session, who, purchase_id, lang)

    return await run(request, key, work)


@router.post("/{purchase_id}/refunds", status_code=201, response_model=RefundResult)
async def refund_purchase(
    request: Request, purchase_id: int, body: RefundCreate, key: ApiKeyDep, idem: IdempotencyKeyDep = None
) -> object:
    """Return all or part of a purchase (Idempotency-Key required)."""

    async def work(session: AsyncSession, who: Principal) -> RefundResult:
        return await refunds.refund(session, who, purchase_id, body)

    return await run_idempotent(request, key, idem, body, work)


@router.post("/{purchase_id}/refunds/preview", response_model=RefundResult)
async def preview_refund(
    request: Request, purchase_id: int, body: RefundCreate, key: ApiKeyDep
) -> RefundResult:
    """Dry run of a refund: the money back (cash, wallet, gift card), the points taken back and given back
    and the stamps, exactly as the refund would do them. Writes nothing, so it takes no Idempotency-Key;
    the answer's ``id`` names nothing."""

    async def work(session: AsyncSession, who: Principal) -> RefundResult:
        return await refunds.preview_refund(session, who, purchase_id, body)

    return await run(request, key, work)
