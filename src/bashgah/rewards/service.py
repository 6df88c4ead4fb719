"""The rewards catalogue: members spend points on rewards, the till uses them once.

A redemption takes its locks in one order — the member's account, then the reward's row — and checks
stock and the member's limit under them, so stock is never oversold however many tills try at once.
The points leave as a ``redeem`` transfer; a cancel gives them back to the lots they came from
(``redeem_return``) and the stock back to the reward.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal
from bashgah.core.errors import BashgahError, InsufficientPoints, InvalidInput, InvalidState, NotFound
from bashgah.coupons import rules as codes
from bashgah.ledger import member_points
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
from bashgah.rewards.errors import (
    RewardInstanceClosed,
    RewardInstanceUnknown,
    RewardMemberLimit,
    RewardOutOfStock,
    RewardTierRestricted,
    RewardUnavailable,
)
from bashgah.rewards.schemas import (
    RedemptionPreview,
    RewardCreate,
    RewardInstanceRead,
    RewardOffer,
    RewardRead,
    RewardUpdate,
    VoucherUpload,
)
from bashgah.tenants import service as tenants
from bashgah.tiers import service as tiers
from bashgah.wallet import service as wallet
from bashgah.wallet.schemas import WalletBalance

_vouchers = cast(Table, RewardVoucher.__table__)
_DIALECTS: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}
CODE_LENGTH = 8
_LIVE = ("issued", "used")


def _name(r: Reward, lang: str) -> str:
    return r.name_en if lang == "en" else r.name_fa


def _read(r: Reward, lang: str) -> RewardRead:
    return RewardRead(
        id=r.id,
        name=_name(r, lang),
        name_fa=r.name_fa,
        name_en=r.name_en,
        kind=r.kind,
        cost_points=r.cost_points,
        discount_rials=r.discount_rials,
        discount_percent=r.discount_percent,
        max_discount_rials=r.max_discount_rials,
        sku=r.sku,
        credit_rials=r.credit_rials,
        tiers=list(r.tiers or []),
        stock=r.stock,
        per_member_limit=r.per_member_limit,
        valid_from=r.valid_from,
        valid_until=r.valid_until,
        active=r.active,
        created_at=r.created_at,
    )


def status_of(i: RewardInstance, now: datetime) -> str:
    if i.status == "issued" and i.expires_at is not None and i.expires_at <= now:
        return "expired"
    return i.status


def _instance_read(i: RewardInstance, r: Reward, lang: str, now: datetime) -> RewardInstanceRead:
    return RewardInstanceRead(
        id=i.id,
        code=i.code,
        reward_id=r.id,
        reward_name=_name(r, lang),
        kind=r.kind,
        member_id=i.member_id,
        status=status_of(i, now),
        points=i.points,
        partner_code=i.partner_code,
        sku=r.sku,
        expires_at=i.expires_at,
        used_at=i.used_at,
        cancelled_at=i.cancelled_at,
        created_at=i.created_at,
    )


# --- the catalogue -----------------------------------------------------------------------------------


def _check_tiers(levels: list[str], known: set[str]) -> list[str]:
    wanted = [c.strip() for c in levels if c.strip()]
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise InvalidInput(
            "tiers",
            f"unknown level codes: {', '.join(unknown)}",
            f"سطح ناشناخته: {'، '.join(unknown)}",
            "سطح‌ها",
        )
    return sorted(set(wanted))


async def _level_codes(session: AsyncSession, tenant_id: int) -> set[str]:
    found = await tiers.ladder(session, tenant_id)
    return {lv.code for lv in found.levels} if found else set()


async def create(session: AsyncSession, tenant_id: int, data: RewardCreate, lang: str) -> RewardRead:
    reward = Reward(
        tenant_id=tenant_id,
        name_fa=data.name_fa,
        name_en=data.name_en,
        kind=data.kind,
        cost_points=data.cost_points,
        discount_rials=data.discount_rials,
        discount_percent=data.discount_percent,
        max_discount_rials=data.max_discount_rials,
        sku=data.sku,
        credit_rials=data.credit_rials,
        tiers=_check_tiers(data.tiers, await _level_codes(session, tenant_id)) if data.tiers else [],
        stock=0 if data.kind == "partner_voucher" else data.stock,
        per_member_limit=data.per_member_limit,
        valid_from=data.valid_from or utcnow(),
        valid_until=data.valid_until,
        active=data.active,
        created_at=utcnow(),
    )
    session.add(reward)
    await session.flush()
    return _read(reward, lang)


async def _reward(session: AsyncSession, tenant_id: int, reward_id: int, lock: bool = False) -> Reward:
    query = select(Reward).where(Reward.tenant_id == tenant_id, Reward.id == reward_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    reward = await session.scalar(query)
    if reward is None:
        raise NotFound("Reward", "جایزه")
    return reward


async def get(session: AsyncSession, tenant_id: int, reward_id: int, lang: str) -> RewardRead:
    return _read(await _reward(session, tenant_id, reward_id), lang)


async def change(
    session: AsyncSession, tenant_id: int, reward_id: int, data: RewardUpdate, lang: str
) -> RewardRead:
    reward = await _reward(session, tenant_id, reward_id, lock=True)
    fields = data.model_dump(exclude_unset=True)
    if "tiers" in fields:
        fields["tiers"] = _check_tiers(fields["tiers"] or [], await _level_codes(session, tenant_id))
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
    return _read(reward, lang)


async def add_vouchers(
    session: AsyncSession, tenant_id: int, reward_id: int, data: VoucherUpload, lang: str
) -> RewardRead:
    """Add partner codes to a reward's pool (codes it already has are skipped); stock grows by the new."""
    reward = await _reward(session, tenant_id, reward_id, lock=True)
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
    return _read(reward, lang)


async def _member_level(session: AsyncSession, tenant_id: int, member_id: int) -> str | None:
    found = await tiers.ladder(session, tenant_id)
    if found is None or not found.enabled:
        return None
    level_id = await session.scalar(select(MemberTier.level_id).where(MemberTier.member_id == member_id))
    return found.by_id(level_id).code


def _open(r: Reward, now: datetime) -> bool:
    return r.active and r.valid_from <= now and (r.valid_until is None or r.valid_until > now)


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
    if not _open(r, now):
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
        rewards = (
            await session.scalars(select(Reward).where(Reward.tenant_id == tenant_id).order_by(Reward.id))
        ).all()
        return [_read(r, lang) for r in rewards]
    return [o.reward for o in await offers(session, tenant_id, member_id, lang) if o.points_to_go == 0]


async def offers(session: AsyncSession, tenant_id: int, member_id: int, lang: str) -> list[RewardOffer]:
    """The rewards open to the member now (level, stock, their limit), each with the points still to go."""
    rewards = list(
        (await session.scalars(select(Reward).where(Reward.tenant_id == tenant_id).order_by(Reward.id))).all()
    )
    await members.get(session, tenant_id, member_id)
    now = utcnow()
    available = await _available(session, tenant_id, member_id, now)
    level = await _member_level(session, tenant_id, member_id)
    taken = await _redeemed(session, member_id, [r.id for r in rewards])
    return [
        RewardOffer(reward=_read(r, lang), points_to_go=max(0, r.cost_points - available))
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
    reward = await _reward(session, tenant_id, reward_id)
    available = await _available(session, tenant_id, member_id, now)
    level = await _member_level(session, tenant_id, member_id)
    taken = await _redeemed(session, member_id, [reward.id])
    error = refusal(reward, now, level, taken.get(reward.id, 0), available)
    if error is not None:
        raise error
    return RedemptionPreview(
        reward=_read(reward, lang), available=available, after=available - reward.cost_points
    )


# --- redeeming -----------------------------------------------------------------------------------------


async def _new_code(session: AsyncSession, tenant_id: int) -> str:
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


async def redeem(
    session: AsyncSession, who: Principal, member_id: int, reward_id: int, lang: str
) -> RewardInstanceRead:
    now = utcnow()
    member, account = await members.lock(session, who.tenant_id, member_id)
    members.ensure_active(member)
    reward = await _reward(session, who.tenant_id, reward_id, lock=True)
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
        instance = await issue(session, reward, member.id, now, reward.cost_points, taken)
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
    credited = await _hand_out(session, reward, instance, who.actor)
    result = _instance_read(instance, reward, lang, now)
    result.balance = await member_points.points_balance(session, account, now, j)
    result.wallet = credited
    return result


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
        code=await _new_code(session, reward.tenant_id),
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


async def _hand_out(
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
    reward = await _reward(session, tenant_id, reward_id)
    if reward.stock is not None or reward.kind == "partner_voucher":  # lock only to count stock
        reward = await _reward(session, tenant_id, reward_id, lock=True)
    instance = await issue(session, reward, member_id, now)
    if reward.kind == "partner_voucher" or reward.stock is None or reward.stock > 0:
        await _hand_out(session, reward, instance)
    return instance


async def gift(
    session: AsyncSession, tenant_id: int, reward_id: int, member_id: int, now: datetime
) -> RewardInstance | None:
    """Issue a reward as a present (an occasion's gift, no points spent) if the catalogue still offers
    it: None when the reward is closed or out of stock. The reward's row is locked, as in redeem."""
    reward = await _reward(session, tenant_id, reward_id, lock=True)
    if not _open(reward, now) or (reward.stock is not None and reward.stock <= 0):
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
    reward = await _reward(session, tenant_id, instance.reward_id, lock=True)
    _void(instance, reward, now)
    await session.flush()
    return True


def _void(instance: RewardInstance, reward: Reward, now: datetime) -> None:
    instance.status, instance.cancelled_at = "cancelled", now
    # A partner's code was shown to the member, so it is not handed out again; other stock comes back.
    if reward.stock is not None and reward.kind != "partner_voucher":
        reward.stock += 1


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
    return [_instance_read(i, r, lang, now) for i, r in rows]


async def _instance(
    session: AsyncSession, tenant_id: int, code: str, lock: bool = False
) -> tuple[RewardInstance, Reward]:
    query = (
        select(RewardInstance, Reward)
        .join(Reward, Reward.id == RewardInstance.reward_id)
        .where(RewardInstance.tenant_id == tenant_id, RewardInstance.code == codes.normalize_code(code))
    )
    if lock:
        query = query.with_for_update(of=RewardInstance).execution_options(populate_existing=True)
    row = (await session.execute(query)).first()
    if row is None:
        raise RewardInstanceUnknown()
    return row


async def _mark_used(session: AsyncSession, tenant_id: int, instance: RewardInstance, now: datetime) -> None:
    """The conditional update lets exactly one till use an issued reward."""
    done = await session.execute(
        update(RewardInstance)
        .where(
            RewardInstance.id == instance.id,
            RewardInstance.status == "issued",
            or_(RewardInstance.expires_at.is_(None), RewardInstance.expires_at > now),
        )
        .values(status="used", used_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(Any, done).rowcount != 1:
        instance, _ = await _instance(session, tenant_id, instance.code, lock=True)
        raise RewardInstanceClosed(None, status=status_of(instance, now))


async def use(session: AsyncSession, tenant_id: int, code: str, lang: str) -> RewardInstanceRead:
    """Mark an issued reward used at the till, once: the conditional update lets exactly one till win."""
    now = utcnow()
    instance, reward = await _instance(session, tenant_id, code)
    await _mark_used(session, tenant_id, instance, now)
    instance, reward = await _instance(session, tenant_id, code)
    await session.refresh(instance)
    return _instance_read(instance, reward, lang, now)


async def cancel(session: AsyncSession, who: Principal, code: str, lang: str) -> RewardInstanceRead:
    """Give an issued (or expired, never used) reward's points back to their lots, and its stock back."""
    now = utcnow()
    found, _ = await _instance(session, who.tenant_id, code)
    _, account = await members.lock(session, who.tenant_id, found.member_id)
    reward = await _reward(session, who.tenant_id, found.reward_id, lock=True)
    instance, _ = await _instance(session, who.tenant_id, code, lock=True)
    credited = reward.kind == "wallet_credit" and instance.status == "used"
    if instance.status != "issued" and not credited:
        raise RewardInstanceClosed(None, status=instance.status)
    left = await _take_back_credit(session, who, instance, reward) if credited else None
    async with ledger.journal(session, who.tenant_id, who.actor) as j:
        if instance.points:  # a reward given (stamp card, occasion) cost no points
            await _return_points(j, account, instance, reward)
    _void(instance, reward, now)
    await session.flush()
    result = _instance_read(instance, reward, lang, now)
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


@dataclass(frozen=True)
class OnSale:
    """A member's reward as a sale uses it: which instance, its name and what it takes off the basket."""

    instance_id: int
    code: str
    name: str
    discount_rials: int


async def for_sale(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    code: str,
    total_rials: int,
    lang: str,
    now: datetime,
    use: bool,
) -> OnSale:
    """The member's own issued reward with this code and what it takes off ``total_rials`` — marked used
    when ``use`` (a sale), only looked at otherwise (a dry run). Another member's code is refused as
    unknown; a used, cancelled or expired one as closed."""
    instance, reward = await _instance(session, tenant_id, code)
    if instance.member_id != member_id:
        raise RewardInstanceUnknown()
    status = status_of(instance, now)
    if status != "issued":
        raise RewardInstanceClosed(None, status=status)
    if use:
        await _mark_used(session, tenant_id, instance, now)
    return OnSale(
        instance.id, instance.code, _name(reward, lang), till_discount(_read(reward, lang), total_rials)
    )


async def names_of(session: AsyncSession, instance_id: int, lang: str) -> tuple[str, str] | None:
    """(code, name) of a reward instance, for a receipt."""
    row = (
        await session.execute(
            select(RewardInstance.code, Reward)
            .join(Reward, Reward.id == RewardInstance.reward_id)
            .where(RewardInstance.id == instance_id)
        )
    ).first()
    return (row[0], _name(row[1], lang)) if row is not None else None


def till_discount(reward: RewardRead, total_rials: int) -> int:
    """What a reward takes off a basket at the till: its amount or its percentage (capped), never more than
    the basket; rewards that are a product, a gift, a voucher or shipping take nothing off the total."""
    if reward.kind == "discount_amount":
        return min(reward.discount_rials or 0, total_rials)
    if reward.kind == "discount_percent":
        off = total_rials * (reward.discount_percent or 0) // 100
        if reward.max_discount_rials is not None:
            off = min(off, reward.max_discount_rials)
        return min(off, total_rials)
    return 0
