"""Issuing reward instances: bought with points (``redeem``), earned (a full stamp card) or given (a
campaign's or an occasion's present); taking them out of stock and the partner code pool; withdrawing
one given and unused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.coupons import rules as codes
from bashgah.ledger import service as ledger
from bashgah.models import (
    Reward,
    RewardInstance,
    RewardVoucher,
)
from bashgah.rewards.errors import (
    RewardOutOfStock,
)
from bashgah.rewards.reads import find, is_open
from bashgah.tenants import service as tenants
from bashgah.wallet import service as wallet
from bashgah.wallet.schemas import WalletBalance

CODE_LENGTH = 8


async def new_code(session: AsyncSession, tenant_id: int) -> str:
    for _ in range(20):
        code = codes.random_codes(1, CODE_LENGTH, "").pop()
        taken = await session.scalar(
            select(RewardInstance.id).where(
                RewardInstance.tenant_id == tenant_id, RewardInstance.code == code
            )
        )
        if taken is None:
            return code
    raise RuntimeError("could not draw a unique reward code")


async def issue(
    session: AsyncSession,
    reward: Reward,
    member_id: int,
    now: datetime,
    points: int = 0,
    allocations: list[tuple[int, int]] | None = None,
) -> RewardInstance:
    """A new issued instance of ``reward`` with a fresh code (``points`` and their lots if bought)."""
    instance = RewardInstance(
        tenant_id=reward.tenant_id,
        reward_id=reward.id,
        member_id=member_id,
        code=await new_code(session, reward.tenant_id),
        status="issued",
        points=points,
        allocations=[[lot_id, n] for lot_id, n in allocations or ()],
        partner_code=None,
        expires_at=reward.valid_until,
        created_at=now,
    )
    session.add(instance)
    await session.flush()
    return instance


async def hand_out(
    session: AsyncSession, reward: Reward, instance: RewardInstance, actor: str | None = None
) -> WalletBalance | None:
    """Take the instance out of the reward's stock (and its partner code out of the pool); a wallet
    credit lands in the member's wallet at once (the instance is then used) and its new balance is
    returned. The member's points account is locked by the caller, so the wallet opens safely."""
    if reward.kind == "partner_voucher":
        voucher = await session.scalar(
            select(RewardVoucher)
            .where(RewardVoucher.reward_id == reward.id, RewardVoucher.instance_id.is_(None))
            .order_by(RewardVoucher.id)
            .limit(1)
        )
        if voucher is None:  # the stock counts the pool, so this is a broken invariant, not a user error
            raise RewardOutOfStock()
        voucher.instance_id = instance.id
        instance.partner_code = voucher.code
    credited = None
    if reward.kind == "wallet_credit" and reward.credit_rials:
        # Nothing to hand over at a till: the credit lands in the wallet now and the reward is used.
        now = instance.created_at
        purse = await wallet.open_wallet(session, reward.tenant_id, instance.member_id)
        assert purse is not None
        program = await tenants.program_settings(session, reward.tenant_id)
        async with ledger.journal(session, reward.tenant_id, actor) as wj:
            await wallet.credit(
                wj,
                purse,
                "issuance",
                reward.credit_rials,
                "wallet_credit",
                f"reward_instance:{instance.id}:wallet_credit",
                now,
                wallet.cashback_expiry(program, now),
                ("reward_instance", instance.id),
                f"Reward: {reward.name_en} / {reward.name_fa}"[:500],
            )
        instance.status, instance.used_at = "used", now
        credited = await wallet.balance(session, purse, now, wj)
    if reward.stock is not None:
        reward.stock -= 1
    await session.flush()
    return credited


async def give(
    session: AsyncSession, tenant_id: int, reward_id: int, member_id: int, now: datetime
) -> RewardInstance:
    """Issue a reward the member has earned some other way than points (a completed stamp card).

    The club promised it, so stock is taken when there is some and never blocks the sale that earned
    it; a partner voucher still needs a code from its pool.
    """
    reward = await find(session, tenant_id, reward_id)
    if reward.stock is not None or reward.kind == "partner_voucher":  # lock only to count stock
        reward = await find(session, tenant_id, reward_id, lock=True)
    instance = await issue(session, reward, member_id, now)
    if reward.kind == "partner_voucher" or reward.stock is None or reward.stock > 0:
        await hand_out(session, reward, instance)
    return instance


async def gift(
    session: AsyncSession, tenant_id: int, reward_id: int, member_id: int, now: datetime
) -> RewardInstance | None:
    """Issue a reward as a present (an occasion's gift, no points spent) if the catalogue still offers
    it: None when the reward is closed or out of stock. The reward's row is locked, as in redeem."""
    reward = await find(session, tenant_id, reward_id, lock=True)
    if not is_open(reward, now) or (reward.stock is not None and reward.stock <= 0):
        return None
    return await give(session, tenant_id, reward_id, member_id, now)


async def withdraw(session: AsyncSession, tenant_id: int, instance_id: int, now: datetime) -> bool:
    """Cancel a given (not bought) instance that is still unused; False when it was already used."""
    instance = await session.scalar(
        select(RewardInstance)
        .where(RewardInstance.tenant_id == tenant_id, RewardInstance.id == instance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if instance is None or instance.status != "issued" or instance.points:
        return False
    reward = await find(session, tenant_id, instance.reward_id, lock=True)
    void(instance, reward, now)
    await session.flush()
    return True


def void(instance: RewardInstance, reward: Reward, now: datetime) -> None:
    instance.status, instance.cancelled_at = "cancelled", now
    # A partner's code was shown to the member, so it is not handed out again; other stock comes back.
    if reward.stock is not None and reward.kind != "partner_voucher":
        reward.stock += 1
