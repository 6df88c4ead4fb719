"""The rewards catalogue: members spend points on rewards, the till uses them once.

A redemption takes its locks in one order — the member's account, then the reward's row — and checks
stock and the member's limit under them, so stock is never oversold however many tills try at once.
The points leave as a ``redeem`` transfer; a cancel gives them back to the lots they came from
(``redeem_return``) and the stock back to the reward.

Issuing instances (bought, earned, given) is in ``rewards.giving``, a reward used in a sale in
``rewards.till``, the rows' reads in ``rewards.reads``.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import BashgahError, InsufficientPoints, InvalidInput, InvalidState
from bashgah.core.rows import all_owned, row_of
from bashgah.ledger import rules as ledger_rules
from bashgah.ledger import service as ledger
from bashgah.members import service as members
from bashgah.models import (
    Account,
    MemberTier,
    PointLot,
    Reward,
    RewardInstance,
    RewardVoucher,
    Transfer,
    utcnow,
)
from bashgah.points import service as member_points
from bashgah.rewards import giving, till
from bashgah.rewards.errors import (
    RewardInstanceClosed,
    RewardMemberLimit,
    RewardOutOfStock,
    RewardTierRestricted,
    RewardUnavailable,
)
from bashgah.rewards.reads import find, find_instance, instance_read, is_open, read
from bashgah.rewards.schemas import (
    RedemptionPreview,
    RewardCreate,
    RewardInstanceRead,
    RewardOffer,
    RewardRead,
    RewardUpdate,
    VoucherUpload,
)
from bashgah.tiers import service as tiers
from bashgah.wallet import service as wallet
from bashgah.wallet.schemas import WalletBalance

_vouchers = cast(Table, RewardVoucher.__table__)
_DIALECTS: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}


_LIVE = ("issued", "used")


# --- the catalogue -----------------------------------------------------------------------------------


async def create(session: AsyncSession, tenant_id: int, data: RewardCreate, lang: str) -> RewardRead:
    reward = row_of(
        Reward,
        data,
        tenant_id=tenant_id,
        tiers=await tiers.check_levels(session, tenant_id, data.tiers),
        stock=0 if data.kind == "partner_voucher" else data.stock,
        valid_from=data.valid_from or utcnow(),
        created_at=utcnow(),
    )
    session.add(reward)
    await session.flush()
    return read(reward, lang)


async def get(session: AsyncSession, tenant_id: int, reward_id: int, lang: str) -> RewardRead:
    return read(await find(session, tenant_id, reward_id), lang)


async def change(
    session: AsyncSession, tenant_id: int, reward_id: int, data: RewardUpdate, lang: str
) -> RewardRead:
    reward = await find(session, tenant_id, reward_id, lock=True)
    fields = data.model_dump(exclude_unset=True)
    if "tiers" in fields:
        fields["tiers"] = await tiers.check_levels(session, tenant_id, fields["tiers"] or [])
    if "stock" in fields and reward.kind == "partner_voucher":
        raise InvalidInput("stock", "upload partner codes instead", "کدهای شریک را بارگذاری کنید", "موجودی")
    if "stock" in fields and fields["stock"] is None and reward.kind == "physical_gift":
        raise InvalidInput(
            "stock", "a physical gift needs its stock", "هدیهٔ فیزیکی موجودی لازم دارد", "موجودی"
        )
    for name, value in fields.items():
        if name in ("name_fa", "name_en", "cost_points", "active", "valid_from") and value is None:
            continue
        setattr(reward, name, value)
    if reward.valid_until is not None and reward.valid_until <= reward.valid_from:
        raise InvalidInput("valid_until", "must be after valid_from", "باید بعد از شروع باشد", "پایان اعتبار")
    await session.flush()
    return read(reward, lang)


async def add_vouchers(
    session: AsyncSession, tenant_id: int, reward_id: int, data: VoucherUpload, lang: str
) -> RewardRead:
    """Add partner codes to a reward's pool (codes it already has are skipped); stock grows by the new."""
    reward = await find(session, tenant_id, reward_id, lock=True)
    if reward.kind != "partner_voucher":
        raise InvalidInput(
            "kind", "only a partner_voucher has a code pool", "فقط کارت هدیهٔ شریک کد دارد", "نوع"
        )
    wanted = [c.strip() for c in data.codes]
    if data.csv:
        for row in csv.reader(io.StringIO(data.csv)):
            if row and row[0].strip() and row[0].strip().lower() != "code":
                wanted.append(row[0].strip())
    wanted = list(dict.fromkeys(c for c in wanted if c))
    if not wanted or any(len(c) > 128 for c in wanted):
        raise InvalidInput(
            "codes", "give 1 to 100,000 codes of up to 128 characters", "کد معتبر بدهید", "کدها"
        )
    count = select(func.count()).select_from(_vouchers).where(_vouchers.c.reward_id == reward.id)
    before = int(await session.scalar(count) or 0)
    connection = await session.connection()
    statement = (
        _DIALECTS[connection.dialect.name]
        .insert(_vouchers)
        .on_conflict_do_nothing(index_elements=["reward_id", "code"])
    )
    for start in range(0, len(wanted), 10_000):
        await connection.execute(
            statement,
            [
                {"tenant_id": tenant_id, "reward_id": reward.id, "code": c, "instance_id": None}
                for c in wanted[start : start + 10_000]
            ],
        )
    after = int(await session.scalar(count) or 0)
    reward.stock = (reward.stock or 0) + after - before
    await session.flush()
    return read(reward, lang)


async def _member_level(session: AsyncSession, tenant_id: int, member_id: int) -> str | None:
    found = await tiers.ladder(session, tenant_id)
    if found is None or not found.enabled:
        return None
    level_id = await session.scalar(select(MemberTier.level_id).where(MemberTier.member_id == member_id))
    return found.by_id(level_id).code


async def _redeemed(session: AsyncSession, member_id: int, reward_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(RewardInstance.reward_id, func.count())
        .where(
            RewardInstance.member_id == member_id,
            RewardInstance.reward_id.in_(reward_ids),
            RewardInstance.status.in_(_LIVE),
        )
        .group_by(RewardInstance.reward_id)
    )
    return {reward_id: int(n) for reward_id, n in rows}


def refusal(
    r: Reward, now: datetime, level: str | None, redeemed: int, available: int | None
) -> BashgahError | None:
    """Why a member may not redeem ``r`` now (the first reason), or None.

    ``redeemed``: their live instances of it; ``available``: their spendable points (None: not checked
    here, as ``redeem`` takes the points from the lots under its lock)."""
    if not is_open(r, now):
        return RewardUnavailable()
    if r.tiers and level not in r.tiers:
        return RewardTierRestricted(None, levels=", ".join(r.tiers))
    if r.stock is not None and r.stock <= 0:
        return RewardOutOfStock()
    if r.per_member_limit is not None and redeemed >= r.per_member_limit:
        return RewardMemberLimit(None, limit=r.per_member_limit)
    if available is not None and r.cost_points > available:
        return InsufficientPoints(available=available, requested=r.cost_points)
    return None


async def _available(session: AsyncSession, tenant_id: int, member_id: int, now: datetime) -> int:
    account = await session.scalar(
        select(Account).where(
            Account.tenant_id == tenant_id, Account.member_id == member_id, Account.asset == "points"
        )
    )
    return (await ledger.lot_totals(session, account.id, now))[0] if account else 0


async def catalogue(
    session: AsyncSession, tenant_id: int, lang: str, member_id: int | None = None
) -> list[RewardRead]:
    """Every reward; for a member, only those open now that they may redeem and can afford."""
    if member_id is None:
        rewards = await all_owned(session, Reward, tenant_id)
        return [read(r, lang) for r in rewards]
    return [o.reward for o in await offers(session, tenant_id, member_id, lang) if o.points_to_go == 0]


async def offers(session: AsyncSession, tenant_id: int, member_id: int, lang: str) -> list[RewardOffer]:
    """The rewards open to the member now (level, stock, their limit), each with the points still to go."""
    rewards = await all_owned(session, Reward, tenant_id)
    await members.get(session, tenant_id, member_id)
    now = utcnow()
    available = await _available(session, tenant_id, member_id, now)
    level = await _member_level(session, tenant_id, member_id)
    taken = await _redeemed(session, member_id, [r.id for r in rewards])
    return [
        RewardOffer(reward=read(r, lang), points_to_go=max(0, r.cost_points - available))
        for r in rewards
        if refusal(r, now, level, taken.get(r.id, 0), None) is None
    ]


async def preview(
    session: AsyncSession, tenant_id: int, member_id: int, reward_id: int, lang: str
) -> RedemptionPreview:
    """What ``redeem`` would do now, without doing it; refused for the same reasons ``redeem`` refuses."""
    now = utcnow()
    member = await members.get(session, tenant_id, member_id)
    members.ensure_active(member)
    reward = await find(session, tenant_id, reward_id)
    available = await _available(session, tenant_id, member_id, now)
    level = await _member_level(session, tenant_id, member_id)
    taken = await _redeemed(session, member_id, [reward.id])
    error = refusal(reward, now, level, taken.get(reward.id, 0), available)
    if error is not None:
        raise error
    return RedemptionPreview(
        reward=read(reward, lang), available=available, after=available - reward.cost_points
    )


# --- redeeming -----------------------------------------------------------------------------------------


async def redeem(
    session: AsyncSession, who: Principal, member_id: int, reward_id: int, lang: str
) -> RewardInstanceRead:
    now = utcnow()
    member, account = await members.lock(session, who.tenant_id, member_id)
    members.ensure_active(member)
    reward = await find(session, who.tenant_id, reward_id, lock=True)
    level = await _member_level(session, who.tenant_id, member.id) if reward.tiers else None
    done = (
        (await _redeemed(session, member.id, [reward.id])).get(reward.id, 0) if reward.per_member_limit else 0
    )
    error = refusal(reward, now, level, done, None)  # the points are checked as they are taken
    if error is not None:
        raise error
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        await ledger.release_lapsed_holds(j, account, now)
        taken = await ledger.take_spendable(session, account, reward.cost_points, now)
        instance = await giving.issue(session, reward, member.id, now, reward.cost_points, taken)
        await ledger.debit_member(
            j,
            account,
            "redemption",
            reward.cost_points,
            "redeem",
            f"reward_instance:{instance.id}:redeem",
            ("reward_instance", instance.id),
            f"Reward: {reward.name_en} / {reward.name_fa}"[:500],
        )
    credited = await giving.hand_out(session, reward, instance, who.actor)
    result = instance_read(instance, reward, lang, now)
    result.balance = await member_points.points_balance(session, account, now, j)
    result.wallet = credited
    return result


async def list_instances(
    session: AsyncSession, tenant_id: int, member_id: int, lang: str
) -> list[RewardInstanceRead]:
    await members.get(session, tenant_id, member_id)
    now = utcnow()
    rows = await session.execute(
        select(RewardInstance, Reward)
        .join(Reward, Reward.id == RewardInstance.reward_id)
        .where(RewardInstance.tenant_id == tenant_id, RewardInstance.member_id == member_id)
        .order_by(RewardInstance.id.desc())
    )
    return [instance_read(i, r, lang, now) for i, r in rows]


async def use(session: AsyncSession, tenant_id: int, code: str, lang: str) -> RewardInstanceRead:
    """Mark an issued reward used at the till, once: the conditional update lets exactly one till win."""
    now = utcnow()
    instance, reward = await find_instance(session, tenant_id, code)
    await till.mark_used(session, tenant_id, instance, now)
    instance, reward = await find_instance(session, tenant_id, code)
    await session.refresh(instance)
    return instance_read(instance, reward, lang, now)


async def cancel(session: AsyncSession, who: Principal, code: str, lang: str) -> RewardInstanceRead:
    """Give an issued (or expired, never used) reward's points back to their lots, and its stock back."""
    now = utcnow()
    found, _ = await find_instance(session, who.tenant_id, code)
    _, account = await members.lock(session, who.tenant_id, found.member_id)
    reward = await find(session, who.tenant_id, found.reward_id, lock=True)
    instance, _ = await find_instance(session, who.tenant_id, code, lock=True)
    credited = reward.kind == "wallet_credit" and instance.status == "used"
    if instance.status != "issued" and not credited:
        raise RewardInstanceClosed(None, status=instance.status)
    left = await _take_back_credit(session, who, instance, reward) if credited else None
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        if instance.points:  # a reward given (stamp card, occasion) cost no points
            await _return_points(j, account, instance, reward)
    giving.void(instance, reward, now)
    await session.flush()
    result = instance_read(instance, reward, lang, now)
    result.balance = await member_points.points_balance(session, account, now, j)
    result.wallet = left
    return result


async def _return_points(
    j: ledger.Journal, account: ledger.LockedAccount, instance: RewardInstance, reward: Reward
) -> None:
    # As a cancelled hold: a debt the member ran up meanwhile is paid first (see ledger.add_lot).
    free = j.balance(account) - account.pending - j.pending.get(account.id, 0)
    returned = ledger_rules.lot_credit_after_debt(free, instance.points)
    back = ledger_rules.take_in_order(((lot, n) for lot, n in instance.allocations), returned)
    await ledger.change_lots(j.session, back, +1)
    sink = await ledger.system_account(j.session, j.tenant_id, "redemption", account.member_id)
    await j.post(
        sink,
        account.id,
        instance.points,
        "redeem_return",
        f"reward_instance:{instance.id}:cancel",
        ("reward_instance", instance.id),
        f"Reward cancelled: {reward.name_en} / {reward.name_fa}"[:500],
    )


async def _take_back_credit(
    session: AsyncSession, who: Principal, instance: RewardInstance, reward: Reward
) -> WalletBalance:
    """Cancel a wallet-credit reward: its credit leaves the wallet, but only if none of it was spent."""
    purse = await wallet.open_wallet(session, who.tenant_id, instance.member_id, create=False)
    key = f"reward_instance:{instance.id}:wallet_credit"
    lot = (
        await session.execute(
            select(PointLot.id, PointLot.remaining, PointLot.amount)
            .join(Transfer, Transfer.id == PointLot.transfer_id)
            .where(Transfer.tenant_id == who.tenant_id, Transfer.idempotency_key == key)
        )
    ).first()
    if purse is None or lot is None or lot.remaining != lot.amount:
        raise InvalidState(
            "the wallet credit of this reward was already spent",
            "اعتبار کیف پولِ این جایزه مصرف شده است",
        )
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        await ledger.change_lots(session, [(lot.id, lot.remaining)], -1)
        await wallet.debit(
            j,
            purse,
            "issuance",
            lot.amount,
            "wallet_credit_reversal",
            f"reward_instance:{instance.id}:wallet_credit_reversal",
            ("reward_instance", instance.id),
            f"Reward cancelled: {reward.name_en} / {reward.name_fa}"[:500],
        )
    return await wallet.balance(session, purse, utcnow(), j)
