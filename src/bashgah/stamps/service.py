"""Stamp cards: "buy N, get one free". Definitions, members' cards, stamps on sales, events and returns.

Every change to a member's cards happens under the member's points account lock, which the sale, the
event and the return already hold, so a member has at most one open card per stamp card and no stamp
is lost however many tills sell to them at once. Completing a card issues its reward in the same
transaction as the sale: a reward instance (``rewards.service.give``) or a ``bonus`` transfer.

Stamps are append-only rows (``stamp_awards``): what a purchase earned stays what it earned, whatever
later edits of the card say. A return takes back its share; stamps come off the open card first, and
only when it has too few is the last completed card reopened, its unused reward cancelled (or its
points taken back while the member still holds them all). A reward already used (or its points
already spent) cannot be taken back: those stamps are recorded as ``unrecovered`` and the member keeps
what they had.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import MANAGERS, Principal
from bashgah.core.cache import TTLCache, scope
from bashgah.core.errors import InvalidInput, NotFound
from bashgah.ledger import rules as ledger_rules
from bashgah.ledger import service as ledger
from bashgah.ledger.schemas import StampsBrief
from bashgah.members import service as members
from bashgah.models import (
    MemberStampCard,
    Purchase,
    PurchaseItem,
    Reward,
    RewardInstance,
    StampAward,
    StampCard,
    utcnow,
)
from bashgah.programme.engine import Line, StampGrant, matches
from bashgah.programme.schemas import ItemMatch
from bashgah.rewards import service as rewards
from bashgah.stamps import rules
from bashgah.stamps.schemas import (
    CompletedCard,
    StampCardCreate,
    StampCardRead,
    StampPreview,
    StampProgress,
    StampsEarned,
    StampsRemoved,
)
from bashgah.tenants import service as tenants


@dataclass(frozen=True)
class ActiveCard:
    """A stamp card as cached for sales: id, current version, definition and its reward row."""

    id: int
    version: int
    definition: StampCardCreate
    reward_id: int | None

    def open_at(self, at: datetime) -> bool:
        d = self.definition
        return (d.valid_from is None or d.valid_from <= at) and (d.valid_until is None or at < d.valid_until)


_active: TTLCache[tuple[str, int], tuple[ActiveCard, ...]] = TTLCache(ttl=5)


async def active_for(session: AsyncSession, tenant_id: int) -> tuple[ActiveCard, ...]:
    """The tenant's active stamp cards, cached (a club without any pays a dictionary look-up a sale)."""
    key = (scope(session), tenant_id)
    found = _active.get(key)
    if found is None:
        rows = await session.execute(
            select(StampCard.id, StampCard.version, StampCard.definition, StampCard.reward_id)
            .where(StampCard.tenant_id == tenant_id, StampCard.active.is_(True))
            .order_by(StampCard.id)
        )
        found = tuple(ActiveCard(i, v, StampCardCreate.model_validate(d), r) for i, v, d, r in rows)
        _active.set(key, found)
    return found


def _forget(session: AsyncSession, tenant_id: int) -> None:
    _active.invalidate((scope(session), tenant_id))


# --- definitions ---------------------------------------------------------------------------------------


def _bad(field: str, en: str, fa: str, field_fa: str) -> InvalidInput:
    return InvalidInput(field, en, fa, field_fa)


async def _checked_reward(
    session: AsyncSession, tenant_id: int, data: StampCardCreate, current: StampCard | None
) -> int | None:
    """Check the definition's rules between fields and find (or make) the reward row it gives."""
    earn, reward = data.earn, data.reward
    if earn.per == "unit" and earn.items is None:
        raise _bad(
            "earn.items",
            "a stamp per unit needs the items that earn it (skus or categories)",
            "مهر به ازای هر عدد، کالا یا دستهٔ مشمول را لازم دارد",
            "کالاهای مشمول",
        )
    if data.valid_from and data.valid_until and data.valid_until <= data.valid_from:
        raise _bad("valid_until", "must be after valid_from", "باید بعد از شروع اعتبار باشد", "پایان اعتبار")
    if reward.kind == "points":
        if reward.points is None:
            raise _bad(
                "reward.points", "say how many points a full card gives", "امتیاز جایزه را بنویسید", "امتیاز"
            )
        return None
    if reward.kind == "reward":
        if reward.reward_id is None:
            raise _bad("reward.reward_id", "name the catalogue reward", "جایزهٔ کاتالوگ را مشخص کنید", "جایزه")
        found = await session.scalar(
            select(Reward).where(Reward.tenant_id == tenant_id, Reward.id == reward.reward_id)
        )
        if found is None:
            raise _bad(
                "reward.reward_id", "no such reward in the catalogue", "این جایزه در کاتالوگ نیست", "جایزه"
            )
        if found.kind == "partner_voucher":
            raise _bad(
                "reward.reward_id",
                "a partner voucher's codes run out; give a free product or points instead",
                "کدهای کارت هدیهٔ شریک تمام‌شدنی است؛ کالای رایگان یا امتیاز بدهید",
                "جایزه",
            )
        return found.id
    if reward.sku is None:
        raise _bad("reward.sku", "a free product needs its sku", "کالای رایگان کد کالا لازم دارد", "کد کالا")
    if current is not None and current.reward_id is not None:
        same = await session.scalar(select(Reward).where(Reward.id == current.reward_id))
        if (
            same is not None
            and same.kind == "free_product"
            and (same.sku, same.name_fa, same.name_en) == (reward.sku, data.name_fa, data.name_en)
        ):
            return same.id
    # A new row rather than an edit: rewards already given keep the product they were given for.
    # Inactive, so it is never in the catalogue members buy from; the till uses it like any other.
    free = Reward(
        tenant_id=tenant_id,
        name_fa=data.name_fa,
        name_en=data.name_en,
        kind="free_product",
        cost_points=0,
        sku=reward.sku,
        tiers=[],
        stock=None,
        per_member_limit=None,
        valid_from=utcnow(),
        valid_until=None,
        active=False,
        created_at=utcnow(),
    )
    session.add(free)
    await session.flush()
    return free.id


def _read(c: StampCard) -> StampCardRead:
    return StampCardRead(
        id=c.id,
        version=c.version,
        reward_id=c.reward_id,
        created_at=c.created_at,
        updated_at=c.updated_at,
        definition=StampCardCreate.model_validate(c.definition),
    )


async def create(session: AsyncSession, who: Principal, data: StampCardCreate) -> StampCardRead:
    who.require(*MANAGERS)
    now = utcnow()
    card = StampCard(
        tenant_id=who.tenant_id,
        version=1,
        active=data.active,
        definition=data.model_dump(mode="json"),
        reward_id=await _checked_reward(session, who.tenant_id, data, None),
        created_at=now,
        updated_at=now,
    )
    session.add(card)
    await session.flush()
    _forget(session, who.tenant_id)
    return _read(card)


async def _get(session: AsyncSession, tenant_id: int, card_id: int, lock: bool = False) -> StampCard:
    query = select(StampCard).where(StampCard.tenant_id == tenant_id, StampCard.id == card_id)
    card = await session.scalar(query.with_for_update() if lock else query)
    if card is None:
        raise NotFound("Stamp card", "کارت مهر")
    return card


async def update(session: AsyncSession, who: Principal, card_id: int, data: StampCardCreate) -> StampCardRead:
    """A new version: open cards keep the stamps they need, stamps already given stay given."""
    who.require(*MANAGERS)
    card = await _get(session, who.tenant_id, card_id, lock=True)
    card.reward_id = await _checked_reward(session, who.tenant_id, data, card)
    card.version += 1
    card.definition = data.model_dump(mode="json")
    card.active = data.active
    card.updated_at = utcnow()
    await session.flush()
    _forget(session, who.tenant_id)
    return _read(card)


async def retire(session: AsyncSession, who: Principal, card_id: int) -> StampCardRead:
    """Stop giving stamps; members' cards and rewards stay as they are."""
    card = await _get(session, who.tenant_id, card_id)
    data = StampCardCreate.model_validate(card.definition).model_copy(update={"active": False})
    return await update(session, who, card_id, data)


async def get(session: AsyncSession, who: Principal, card_id: int) -> StampCardRead:
    return _read(await _get(session, who.tenant_id, card_id))


async def list_cards(session: AsyncSession, who: Principal) -> list[StampCardRead]:
    found = await session.scalars(
        select(StampCard).where(StampCard.tenant_id == who.tenant_id).order_by(StampCard.id)
    )
    return [_read(c) for c in found.all()]


async def known_ids(session: AsyncSession, tenant_id: int, ids: Iterable[int]) -> set[int]:
    wanted = set(ids)
    if not wanted:
        return set()
    found = await session.scalars(
        select(StampCard.id).where(StampCard.tenant_id == tenant_id, StampCard.id.in_(wanted))
    )
    return set(found.all())


# --- members' cards ------------------------------------------------------------------------------------


async def _open_card(
    session: AsyncSession, member_id: int, card_id: int, now: datetime
) -> MemberStampCard | None:
    """The member's open card, or None; a card past its expiry is closed as expired on the way."""
    found = await session.scalar(
        select(MemberStampCard)
        .where(
            MemberStampCard.member_id == member_id,
            MemberStampCard.card_id == card_id,
            MemberStampCard.status == "open",
        )
        .order_by(MemberStampCard.id.desc())
        .limit(1)
    )
    if found is not None and found.expires_at is not None and found.expires_at <= now:
        found.status = "expired"
        return None
    return found


def _new_card(tenant_id: int, card: ActiveCard, member_id: int, now: datetime) -> MemberStampCard:
    days = card.definition.card_expires_days
    return MemberStampCard(
        tenant_id=tenant_id,
        card_id=card.id,
        member_id=member_id,
        card_version=card.version,
        stamps=0,
        stamps_needed=card.definition.stamps_needed,
        status="open",
        expires_at=now + timedelta(days=days) if days else None,
        completed_at=None,
        created_at=now,
    )


@dataclass(frozen=True)
class Source:
    """What gave the stamps: a purchase (points of a full card wait its return window) or an event."""

    purchase_id: int | None = None
    event_id: int | None = None
    pending_days: int = 0

    @property
    def key(self) -> str:
        return f"purchase:{self.purchase_id}" if self.purchase_id is not None else f"event:{self.event_id}"


async def _complete(
    j: ledger.Journal,
    account: ledger.AccountLike,
    program: tenants.ProgramSettings,
    card: ActiveCard,
    mine: MemberStampCard,
    now: datetime,
    source: Source,
) -> CompletedCard:
    session = j.session
    mine.status, mine.completed_at = "completed", now
    await session.flush()
    reward = card.definition.reward
    if reward.kind == "points" and reward.points:
        mine.reward_points = reward.points
        mine.reward_transfer_id = await ledger.credit_member(
            j,
            account,
            "issuance",
            reward.points,
            "bonus",
            # A card a return reopened may fill again, from another sale: its key names the sale.
            f"stamp_card:{mine.id}:reward:{source.key}",
            program,
            now,
            ref=("stamp_card", mine.id),
            reason=card.definition.name_fa,
            pending_days=source.pending_days,
        )
        return CompletedCard(
            id=mine.id,
            completed_at=now,
            reward_kind="points",
            reward_code=None,
            reward_status=None,
            reward_points=reward.points,
        )
    assert card.reward_id is not None  # checked when the card was saved
    instance = await rewards.give(session, j.tenant_id, card.reward_id, mine.member_id, now)
    mine.reward_instance_id = instance.id
    given = await session.get(Reward, card.reward_id)  # already loaded by give()
    return CompletedCard(
        id=mine.id,
        completed_at=now,
        reward_kind=given.kind if given is not None else reward.kind,
        reward_code=instance.code,
        reward_status=instance.status,
        reward_points=None,
    )


async def _add(
    j: ledger.Journal,
    account: ledger.AccountLike,
    program: tenants.ProgramSettings,
    card: ActiveCard,
    member_id: int,
    awards: Sequence[tuple[int, int | None, ItemMatch | None]],
    now: datetime,
    source: Source,
    lang: str,
) -> StampsEarned:
    """Put stamps on the member's open card, completing (and rewarding) cards as they fill up; stamps
    beyond a full card go on the next. ``awards``: (stamps, campaign id, per-unit basis) rows."""
    session = j.session
    n = sum(a[0] for a in awards)
    for stamps, campaign_id, basis in awards:
        session.add(
            StampAward(
                tenant_id=j.tenant_id,
                card_id=card.id,
                version=card.version,
                member_id=member_id,
                purchase_id=source.purchase_id,
                event_id=source.event_id,
                campaign_id=campaign_id,
                stamps=stamps,
                unrecovered=0,
                basis=basis.model_dump(mode="json") if basis is not None else None,
                created_at=now,
            )
        )
    mine = await _open_card(session, member_id, card.id, now)
    completed: list[CompletedCard] = []
    left = n
    while left > 0:
        if mine is None:
            mine = _new_card(j.tenant_id, card, member_id, now)
            session.add(mine)
        put = min(mine.stamps_needed - mine.stamps, left)
        mine.stamps += put
        left -= put
        if mine.stamps >= mine.stamps_needed:
            completed.append(await _complete(j, account, program, card, mine, now, source))
            mine = None
    await session.flush()
    return StampsEarned(
        card_id=card.id,
        name=card.definition.name(lang),
        stamps=n,
        progress=mine.stamps if mine is not None else 0,
        stamps_needed=mine.stamps_needed if mine is not None else card.definition.stamps_needed,
        completed=completed,
    )


async def earn_for_purchase(
    j: ledger.Journal,
    account: ledger.AccountLike,
    program: tenants.ProgramSettings,
    cards: Sequence[ActiveCard],
    member_id: int,
    purchase_id: int,
    lines: Sequence[Line],
    total_rials: int,
    grants: Sequence[StampGrant],
    now: datetime,
    at: datetime,
    lang: str = "fa",
) -> list[StampsEarned]:
    """The stamps a recorded purchase earns on each card, with campaigns' extra stamps."""
    extra: dict[int, list[StampGrant]] = defaultdict(list)
    for g in grants:
        extra[g.card_id].append(g)
    source = Source(purchase_id=purchase_id, pending_days=program.pending_days)
    result = []
    for card in cards:
        if not card.open_at(at):
            continue
        d = card.definition
        base = rules.stamps_for(d.earn, lines, total_rials)
        awards: list[tuple[int, int | None, ItemMatch | None]] = []
        if base:
            awards.append((base, None, d.earn.items if d.earn.per == "unit" else None))
        for g in extra.get(card.id, ()):
            more = g.stamps * base if g.per_stamp_earned else g.stamps
            if more:
                awards.append((more, g.campaign_id, None))
        if awards:
            result.append(await _add(j, account, program, card, member_id, awards, now, source, lang))
    return result


async def give_for_event(
    j: ledger.Journal,
    account: ledger.AccountLike,
    program: tenants.ProgramSettings,
    member_id: int,
    event_id: int,
    grants: Sequence[StampGrant],
    now: datetime,
    lang: str = "fa",
) -> list[StampsEarned]:
    """Stamps event rules give (a check-in earns a stamp); cards not active now are skipped."""
    if not grants:
        return []
    cards = {c.id: c for c in await active_for(j.session, j.tenant_id) if c.open_at(now)}
    by_card: dict[int, list[tuple[int, int | None, ItemMatch | None]]] = defaultdict(list)
    for g in grants:
        if g.card_id in cards:
            by_card[g.card_id].append((g.stamps, g.campaign_id, None))
    source = Source(event_id=event_id)
    return [
        await _add(j, account, program, cards[card_id], member_id, awards, now, source, lang)
        for card_id, awards in by_card.items()
    ]


# --- returns ---------------------------------------------------------------------------------------------


async def _take_back_points(
    j: ledger.Journal, account: ledger.AccountLike, card: MemberStampCard, refund_id: int
) -> bool:
    """Take a full card's points back if the member still holds them all (then they are unused)."""
    points = card.reward_points or 0
    lots = await ledger.all_lots(j.session, account.id)
    if points <= 0 or sum(n for _, n in lots) < points:
        return False
    await ledger.change_lots(j.session, ledger_rules.take_in_order(lots, points), -1)
    await ledger.debit_member(
        j,
        account,
        "issuance",
        points,
        "bonus_reversal",
        f"refund:{refund_id}:stamp_card:{card.id}",
        ("refund", refund_id),
        f"stamp card {card.id}",
    )
    card.reward_points, card.reward_transfer_id = None, None
    return True


async def _take_back(
    j: ledger.Journal,
    account: ledger.AccountLike,
    member_id: int,
    card_id: int,
    due: int,
    now: datetime,
    refund_id: int,
) -> tuple[int, list[str], int]:
    """Take ``due`` stamps off the member's cards: (stamps unrecovered, rewards cancelled, progress).

    Off the open card first; then the last full card reopens if its reward is unused — its reward
    instance still issued (it is cancelled), or its points all still held (they are taken back as a
    ``bonus_reversal``)."""
    session, tenant_id = j.session, j.tenant_id
    cancelled: list[str] = []
    left = due
    mine = await _open_card(session, member_id, card_id, now)
    while left > 0:
        if mine is not None and mine.stamps > 0:
            take = min(mine.stamps, left)
            mine.stamps -= take
            left -= take
            continue
        last = await session.scalar(
            select(MemberStampCard)
            .where(
                MemberStampCard.member_id == member_id,
                MemberStampCard.card_id == card_id,
                MemberStampCard.status == "completed",
            )
            .order_by(MemberStampCard.completed_at.desc(), MemberStampCard.id.desc())
            .limit(1)
        )
        if last is None:
            break
        if last.reward_instance_id is None:
            if not await _take_back_points(j, account, last, refund_id):
                break  # the member spent the card's points: they keep them
        else:
            code = await session.scalar(
                select(RewardInstance.code).where(RewardInstance.id == last.reward_instance_id)
            )
            if not await rewards.withdraw(session, tenant_id, last.reward_instance_id, now):
                break  # the free coffee was already drunk
            cancelled.append(code or "")
        if mine is not None:
            mine.status = "void"  # empty; the reopened card is the open one again
        last.status, last.completed_at, last.reward_instance_id = "open", None, None
        mine = last
    await session.flush()
    return left, cancelled, mine.stamps if mine is not None and mine.status == "open" else 0


async def _units(session: AsyncSession, purchase_id: int, basis: ItemMatch) -> tuple[int, int]:
    """(matching units bought, matching units returned so far) of a purchase."""
    items = (await session.scalars(select(PurchaseItem).where(PurchaseItem.purchase_id == purchase_id))).all()
    bought = returned = 0
    for item in items:
        if matches(basis, Line(item.sku, item.category, None, item.quantity, item.unit_price_rials)):
            bought += item.quantity
            returned += item.refunded_quantity
    return bought, returned


async def after_refund(
    j: ledger.Journal,
    account: ledger.AccountLike,
    purchase: Purchase,
    refund_id: int,
    refunded_after: int,
    by_items: bool,
    now: datetime,
) -> list[StampsRemoved]:
    """Take back a return's share of the stamps a purchase earned (the caller holds the member lock).

    The share is cumulative, like points: a whole return takes everything back; a return of items
    takes the stamps of those units for per-unit cards, and the share of the amount otherwise (so a
    partial return of an amount takes nothing from per-unit cards, whose units are not known).
    """
    session, tenant_id = j.session, j.tenant_id
    rows = (await session.scalars(select(StampAward).where(StampAward.purchase_id == purchase.id))).all()
    if not rows:
        return []
    full = refunded_after >= purchase.total_rials
    owed: dict[int, int] = defaultdict(int)
    done: dict[int, int] = defaultdict(int)
    version: dict[int, int] = {}
    for row in rows:
        version.setdefault(row.card_id, row.version)
        if row.stamps < 0 or row.refund_id is not None:
            done[row.card_id] += -row.stamps + row.unrecovered
            continue
        if full:
            owed[row.card_id] += row.stamps
        elif row.basis is not None:
            if by_items:
                bought, returned = await _units(session, purchase.id, ItemMatch.model_validate(row.basis))
                owed[row.card_id] += rules.due_on_return(row.stamps, returned, bought, 0)
        else:
            owed[row.card_id] += rules.due_on_return(row.stamps, refunded_after, purchase.total_rials, 0)
    result = []
    for card_id in sorted(owed):
        due = owed[card_id] - done[card_id]
        if due <= 0:
            continue
        unrecovered, cancelled, progress = await _take_back(
            j, account, purchase.member_id, card_id, due, now, refund_id
        )
        session.add(
            StampAward(
                tenant_id=tenant_id,
                card_id=card_id,
                version=version[card_id],
                member_id=purchase.member_id,
                purchase_id=purchase.id,
                refund_id=refund_id,
                stamps=-(due - unrecovered),
                unrecovered=unrecovered,
                created_at=now,
            )
        )
        result.append(
            StampsRemoved(
                card_id=card_id,
                stamps=due - unrecovered,
                unrecovered=unrecovered,
                cancelled_rewards=cancelled,
                progress=progress,
            )
        )
    await session.flush()
    return result


# --- reading ---------------------------------------------------------------------------------------------


async def progress(session: AsyncSession, tenant_id: int, member_id: int, lang: str) -> list[StampProgress]:
    """Every stamp card the club runs or the member holds: stamps on the open card of how many, and
    the completed cards with their rewards' codes."""
    await members.get(session, tenant_id, member_id)
    now = utcnow()
    mine = (
        await session.scalars(
            select(MemberStampCard)
            .where(MemberStampCard.member_id == member_id, MemberStampCard.status.in_(("open", "completed")))
            .order_by(MemberStampCard.id)
        )
    ).all()
    held = {m.card_id for m in mine}
    cards = (
        await session.scalars(
            select(StampCard)
            .where(StampCard.tenant_id == tenant_id)
            .where((StampCard.active.is_(True)) | (StampCard.id.in_(held)))
            .order_by(StampCard.id)
        )
    ).all()
    instance_ids = [m.reward_instance_id for m in mine if m.reward_instance_id is not None]
    instances = {
        i.id: (i, r)
        for i, r in (
            await session.execute(
                select(RewardInstance, Reward)
                .join(Reward, Reward.id == RewardInstance.reward_id)
                .where(RewardInstance.id.in_(instance_ids))
            )
        ).all()
    }
    result = []
    for card in cards:
        d = StampCardCreate.model_validate(card.definition)
        open_ = [m for m in mine if m.card_id == card.id and m.status == "open"]
        current = (
            open_[-1] if open_ and (open_[-1].expires_at is None or open_[-1].expires_at > now) else None
        )
        completed = []
        for m in mine:
            if m.card_id != card.id or m.status != "completed":
                continue
            found = instances.get(m.reward_instance_id or 0)
            completed.append(
                CompletedCard(
                    id=m.id,
                    completed_at=m.completed_at,
                    reward_kind=found[1].kind if found else "points",
                    reward_code=found[0].code if found else None,
                    reward_status=rewards.status_of(found[0], now) if found else None,
                    reward_points=m.reward_points,
                )
            )
        result.append(
            StampProgress(
                card_id=card.id,
                name=d.name(lang),
                stamps=current.stamps if current else 0,
                stamps_needed=current.stamps_needed if current else d.stamps_needed,
                expires_at=current.expires_at if current else None,
                active=card.active,
                completed=completed,
            )
        )
    return result


async def brief(session: AsyncSession, member_id: int) -> list[StampsBrief]:
    """The member's open cards in a line each, for the balance summary (one query)."""
    now = utcnow()
    rows = await session.execute(
        select(MemberStampCard, StampCard.definition)
        .join(StampCard, StampCard.id == MemberStampCard.card_id)
        .where(MemberStampCard.member_id == member_id, MemberStampCard.status == "open")
        .order_by(MemberStampCard.card_id)
    )
    return [
        StampsBrief(
            card_id=m.card_id,
            name_fa=d["name_fa"],
            name_en=d["name_en"],
            stamps=m.stamps,
            stamps_needed=m.stamps_needed,
        )
        for m, d in rows
        if m.expires_at is None or m.expires_at > now
    ]


async def preview(
    session: AsyncSession,
    tenant_id: int,
    member_id: int,
    lines: Sequence[Line],
    total_rials: int,
    at: datetime,
    lang: str,
) -> list[StampPreview]:
    """What a sale would put on each card (examine): reads, never writes."""
    cards = [c for c in await active_for(session, tenant_id) if c.open_at(at)]
    if not cards:
        return []
    now = utcnow()
    result = []
    for card in cards:
        n = rules.stamps_for(card.definition.earn, lines, total_rials)
        if not n:
            continue
        row = await session.scalar(
            select(MemberStampCard)
            .where(
                MemberStampCard.member_id == member_id,
                MemberStampCard.card_id == card.id,
                MemberStampCard.status == "open",
            )
            .order_by(MemberStampCard.id.desc())
            .limit(1)
        )
        if row is not None and row.expires_at is not None and row.expires_at <= now:
            row = None
        have = row.stamps if row else 0
        needed = row.stamps_needed if row else card.definition.stamps_needed
        # Cards after the first are opened with the definition's current size.
        first = min(n, needed - have)
        more = rules.fill(0, card.definition.stamps_needed, n - first)[0] if n > first else 0
        result.append(
            StampPreview(
                card_id=card.id,
                name=card.definition.name(lang),
                stamps=n,
                progress_before=have,
                stamps_needed=needed,
                would_complete=(1 if have + first >= needed else 0) + more,
            )
        )
    return result
