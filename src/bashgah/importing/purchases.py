"""Importing purchases in bulk, through the same ledger rules as a sale at the till.

Each imported purchase earns ``rules.points_for`` on what was paid, as a lot available
``pending_days`` after the sale and expiring by ``rules.expiry_for`` from the sale's time; the points
move issuance → member as an ``earn`` transfer, and a purchase that spends points posts ``redeem``
member → redemption and takes them from the soonest-expiring lots that were spendable at the time of
the sale. Cached balances change by the summed amounts, once per account.

What makes it fast is doing per-row work in Python only once and letting the database insert in bulk:

1. :func:`read_purchases` parses and checks the whole file with no database at all.
2. :func:`import_purchases` resolves members, branches and already-recorded receipts with a few set
   queries, locks the member accounts it touches (in id order), works out redemptions in memory,
   takes ids for purchases, transfers and lots from their sequences, then streams the three tables to
   the database (binary ``COPY`` on PostgreSQL, ``executemany`` on SQLite) and updates each account's
   balance once.

The whole import is **one transaction**, committed by the caller. A chunked import would free the
member locks sooner, but would let readers (and ``ledger verify``) see half a file, and a failure half
way would leave the user to work out which half; one transaction keeps the promise "any bad row →
nothing written" for database errors too, and PostgreSQL and SQLite both take millions of rows in one
transaction in their stride. A re-run is still safe: receipts already recorded, keyed by
(branch, external id) like the API, are counted as skipped.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.core.errors import InvalidInput
from bashgah.core.normalize import normalize_card_number, normalize_phone, normalize_reference
from bashgah.importing import bulk, values
from bashgah.importing.columns import MEMBER_REFS
from bashgah.importing.members import no_branch
from bashgah.importing.report import ImportRejected, Line, Progress, RowError, Words, no_progress, reason, say
from bashgah.importing.sources import Table
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.members.cards import QR_PREFIX
from bashgah.models import Account, Branch, Member, PointLot, Purchase, Reservation, Transfer, utcnow
from bashgah.tenants import service as tenants

#: A sale may be stamped a little ahead of our clock (tills are not all on NTP): the ledger's one rule.
CLOCK_SKEW = rules.CLOCK_SKEW
PROGRESS_EVERY = 20_000

_NO_MEMBER = Words(
    "give the member's mobile, card or member_id", "موبایل، شماره کارت یا شناسهٔ عضو را بنویسید"
)
_NO_BRANCH = Words("the branch code is missing", "کد شعبه نوشته نشده است")
_RECEIPT_LENGTH = Words(
    "the receipt number must be 1 to 64 characters", "شماره فاکتور باید ۱ تا ۶۴ نویسه باشد"
)
_FUTURE = Words("the date is in the future", "تاریخ در آینده است")
_UNKNOWN_MEMBER = {
    "member_id": Words("no member with this id", "عضوی با این شناسه نیست"),
    "mobile": Words("no member with this mobile number", "عضوی با این شماره موبایل نیست"),
    "card": Words("no member with this card number", "عضوی با این شماره کارت نیست"),
}
_BLOCKED = Words("the member is blocked", "این عضو مسدود است")

PURCHASE_FIELDS = (
    "id",
    "tenant_id",
    "branch_id",
    "member_id",
    "external_id",
    "total_rials",
    "discount_rials",
    "points_earned",
    "points_redeemed",
    "available_at",
    "occurred_at",
    "refunded_rials",
    "points_reversed",
    "points_returned",
    "redeemed_lots",
    "created_at",
)
TRANSFER_FIELDS = (
    "id",
    "tenant_id",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "code",
    "ref_type",
    "ref_id",
    "idempotency_key",
    "reason",
    "actor",
    "created_at",
)
LOT_FIELDS = (
    "id",
    "tenant_id",
    "account_id",
    "transfer_id",
    "purchase_id",
    "amount",
    "remaining",
    "available_at",
    "expires_at",
    "created_at",
)


class Sale(NamedTuple):
    line: int
    #: The member as the file names them: an int is a member id, "+…" a mobile, else a card number.
    member: int | str
    branch: str
    external_id: str
    total_rials: int
    occurred_at: datetime
    redeem_points: int


@dataclass
class ParsedPurchases:
    """A purchases file, read and checked as far as possible without the database."""

    sales: list[Sale]
    errors: list[RowError]
    #: How each column is named in the file, for messages about later checks.
    table: Table


@dataclass
class PurchaseImport:
    created: int = 0
    skipped: int = 0
    points_earned: int = 0
    points_redeemed: int = 0
    #: Lines of the receipts skipped because they were already recorded.
    skipped_lines: list[int] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------------


def _member_ref(cells: list[str], refs: list[tuple[str, int]], mobiles: dict[str, str | InvalidInput]) -> Any:
    """The member named by the first non-empty reference column, or the error to report."""
    for name, i in refs:
        raw = cells[i].strip() if i < len(cells) else ""
        if not raw:
            continue
        if name == "mobile":
            # The same few thousand customers come back in every file: parse each spelling once.
            found = mobiles.get(raw)
            if found is None:
                try:
                    found = normalize_phone(raw)
                except InvalidInput as error:
                    found = error
                mobiles[raw] = found
            return name, found
        if name == "card":
            text = raw[len(QR_PREFIX) :] if raw.upper().startswith(QR_PREFIX) else raw
            card = normalize_card_number(text)
            if card is None:
                return name, InvalidInput("card", "not a valid card number", "شماره کارت معتبر نیست")
            return name, card
        try:
            return name, values.whole_number(raw, "member_id", "شناسه عضو")
        except InvalidInput as error:
            return name, error
    return None, None


def read_purchases(
    table: Table, progress: Progress = no_progress, now: datetime | None = None
) -> ParsedPurchases:
    """Parse and check every row of a purchases file; nothing here touches the database."""
    now = now or utcnow()
    index = table.index
    refs = [(name, index[name]) for name in MEMBER_REFS if name in index]
    ref_labels = Words(
        " or ".join(MEMBER_REFS), " یا ".join(table.names_fa.get(name, name) for name in MEMBER_REFS)
    )
    i_branch, i_external = index["branch"], index["external_id"]
    i_total, i_when = index["total_rials"], index["occurred_at"]
    i_redeem = index.get("redeem_points")
    width = max(index.values()) + 1
    label = table.label
    mobiles: dict[str, str | InvalidInput] = {}
    seen: dict[tuple[str, str], int] = {}
    sales: list[Sale] = []
    errors: list[RowError] = []
    done = 0
    progress("reading", 0, table.size)
    for line, cells in table.rows:
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress("reading", done, table.size)
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        bad = len(errors)

        ref_name, member = _member_ref(cells, refs, mobiles)
        if ref_name is None:
            errors.append(RowError(line, ref_labels, _NO_MEMBER))
        elif isinstance(member, InvalidInput):
            errors.append(RowError(line, label(ref_name), reason(member)))

        branch = cells[i_branch].strip()
        if not branch:
            errors.append(RowError(line, label("branch"), _NO_BRANCH))
        external_id = normalize_reference(cells[i_external])  # F-۱۰۰۱ is F-1001, as the API and the till
        if not external_id or len(external_id) > 64:
            errors.append(RowError(line, label("external_id"), _RECEIPT_LENGTH))
        try:
            total = values.amount_rials(cells[i_total])
        except InvalidInput as error:
            errors.append(RowError(line, label("total_rials"), reason(error)))
            total = 0
        try:
            written = values.moment(cells[i_when])
            # The till's rule: a few minutes ahead counts as now, further ahead is refused.
            when = rules.sale_time(written, now) or written
            if when > now:
                errors.append(RowError(line, label("occurred_at"), _FUTURE))
        except InvalidInput as error:
            errors.append(RowError(line, label("occurred_at"), reason(error)))
            when = now
        redeem = 0
        if i_redeem is not None and cells[i_redeem].strip():
            try:
                redeem = values.whole_number(cells[i_redeem], "redeem_points", "امتیاز مصرفی")
            except InvalidInput as error:
                errors.append(RowError(line, label("redeem_points"), reason(error)))

        if branch and external_id:
            first = seen.setdefault((branch, external_id), line)
            if first != line:
                errors.append(
                    RowError(
                        line,
                        label("external_id"),
                        say(
                            "receipt {receipt} at {branch} is also on line {first}",
                            "فاکتور {receipt} شعبهٔ {branch} در سطر {first} هم آمده است",
                            receipt=external_id,
                            branch=branch,
                            first=Line(first),
                        ),
                    )
                )
        if len(errors) == bad:
            sales.append(Sale(line, member, branch, external_id, total, when, redeem))
    progress("reading", done, done)
    return ParsedPurchases(sales=sales, errors=errors, table=table)


# --- checking against the database ---------------------------------------------------------------


def _reference_kind(member: int | str) -> str:
    if isinstance(member, int):
        return "member_id"
    return "mobile" if member.startswith("+") else "card"


@dataclass
class _Account:
    id: int
    posted: int


async def _branches(session: AsyncSession, tenant_id: int) -> dict[str, int]:
    rows = await session.execute(select(Branch.code, Branch.id).where(Branch.tenant_id == tenant_id))
    return {code: branch_id for code, branch_id in rows}


async def _recorded(
    session: AsyncSession, tenant_id: int, sales: list[Sale], branches: dict[str, int]
) -> set[tuple[str, str]]:
    """(branch, receipt) pairs of the file that are already in the database."""
    by_branch: dict[str, list[str]] = defaultdict(list)
    for sale in sales:
        if sale.branch in branches:
            by_branch[sale.branch].append(sale.external_id)
    found: set[tuple[str, str]] = set()
    for code, receipts in by_branch.items():
        rows = await bulk.select_where_in(
            session, _receipts_at(tenant_id, branches[code]), Purchase.external_id, receipts
        )
        found.update((code, external_id) for (external_id,) in rows)
    return found


def _receipts_at(tenant_id: int, branch_id: int) -> Callable[[ColumnElement[bool]], bulk.AnySelect]:
    def statement(cond: ColumnElement[bool]) -> bulk.AnySelect:
        return select(Purchase.external_id).where(
            Purchase.tenant_id == tenant_id, Purchase.branch_id == branch_id, cond
        )

    return statement


def _members_by(tenant_id: int, column: Any) -> Callable[[ColumnElement[bool]], bulk.AnySelect]:
    def statement(cond: ColumnElement[bool]) -> bulk.AnySelect:
        return select(column, Member.id, Member.status).where(Member.tenant_id == tenant_id, cond)

    return statement


async def _members(
    session: AsyncSession, tenant_id: int, sales: list[Sale]
) -> dict[int | str, tuple[int, str]]:
    """Each member reference of the file that exists → (member id, status)."""
    ids = {s.member for s in sales if isinstance(s.member, int)}
    mobiles = {s.member for s in sales if isinstance(s.member, str) and s.member.startswith("+")}
    cards = {s.member for s in sales if isinstance(s.member, str) and not s.member.startswith("+")}
    found: dict[int | str, tuple[int, str]] = {}
    for column, wanted in ((Member.id, ids), (Member.mobile, mobiles), (Member.card_number, cards)):
        rows = await bulk.select_where_in(session, _members_by(tenant_id, column), column, list(wanted))
        found.update({key: (member_id, status) for key, member_id, status in rows})
    return found


async def _lock_accounts(session: AsyncSession, tenant_id: int, member_ids: list[int]) -> dict[int, _Account]:
    """Lock the points accounts of these members, in account-id order, like every other writer."""
    rows = await bulk.select_where_in(
        session,
        lambda cond: (
            select(Account.member_id, Account.id, Account.posted)
            .where(Account.tenant_id == tenant_id, Account.asset == "points", cond)
            .order_by(Account.id)
            .with_for_update()
        ),
        Account.member_id,
        member_ids,
    )
    return {member_id: _Account(account_id, posted) for member_id, account_id, posted in rows}


# --- redemptions -----------------------------------------------------------------------------------


@dataclass
class _Lot:
    order: tuple[Any, ...]
    id: int
    remaining: int
    available_at: datetime
    expires_at: datetime | None


def _spend_order(lot_id: int, available_at: datetime, expires_at: datetime | None) -> tuple[Any, ...]:
    # As ledger.service spends: soonest-expiring first, never-expiring last, then oldest, then by id.
    return (expires_at is None, expires_at or datetime.max, available_at, lot_id)


@dataclass
class _Redemptions:
    """What spending points in the file does to lots: old lots' changes and new lots' remaining points."""

    taken_from_existing: dict[int, int] = field(default_factory=dict)
    new_lot_remaining: dict[int, int] = field(default_factory=dict)
    #: Sale index → [[lot id, points], …] its redeemed points came from, as the till records them, so
    #: that a refund gives them back to the same lots.
    allocations: dict[int, list[list[int]]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def _simulate(
    sales: list[Sale],
    order: list[int],
    earned: list[int],
    lot_ids: dict[int, int],
    posted: int,
    lots: list[_Lot],
    pending_days: int,
    expiry: tuple[str, int],
    label: str,
) -> _Redemptions:
    """Replay one member's sales in time order, spending and earning points as the till would have.

    ``order`` are the member's sale indexes sorted by time; ``lots`` the member's existing lots with
    points left. A purchase spends from lots spendable at its own time, before it earns (as at the till).
    """
    result = _Redemptions()
    existing = {lot.id for lot in lots}
    lots.sort(key=lambda lot: lot.order)
    balance = posted
    for i in order:
        sale = sales[i]
        at = sale.occurred_at
        if sale.redeem_points:
            spendable = [
                lot
                for lot in lots
                if lot.remaining > 0
                and lot.available_at <= at
                and (lot.expires_at is None or lot.expires_at > at)
            ]
            available = sum(lot.remaining for lot in spendable)
            if sale.redeem_points > available:
                result.errors.append(
                    RowError(
                        sale.line,
                        label,
                        say(
                            "not enough points: {available} spendable at the time of the sale, {wanted} to redeem",
                            "امتیاز کافی نیست: در زمان خرید {available} امتیاز قابل خرج بود و {wanted} امتیاز خرج شده",
                            available=available,
                            wanted=sale.redeem_points,
                        ),
                    )
                )
                continue
            allocation = []
            for n, taken in rules.take_in_order(
                ((k, lot.remaining) for k, lot in enumerate(spendable)), sale.redeem_points
            ):
                lot = spendable[n]
                lot.remaining -= taken
                allocation.append([lot.id, taken])
                if lot.id in existing:
                    result.taken_from_existing[lot.id] = result.taken_from_existing.get(lot.id, 0) + taken
            result.allocations[i] = allocation
            balance -= sale.redeem_points
        points = earned[i]
        if points:
            # A credit to a negative balance pays the debt first (allow_negative refunds).
            remaining = rules.lot_credit_after_debt(balance, points)
            balance += points
            dates = rules.lot_dates(at, pending_days, *expiry)
            available_at, expires_at = dates.available_at, dates.expires_at
            lot = _Lot(
                _spend_order(lot_ids[i], available_at, expires_at),
                lot_ids[i],
                remaining,
                available_at,
                expires_at,
            )
            bisect.insort(lots, lot, key=lambda x: x.order)
    for lot in lots:
        if lot.id not in existing:
            result.new_lot_remaining[lot.id] = lot.remaining
    return result


async def _release_lapsed_holds(
    session: AsyncSession, tenant_id: int, accounts: list[tuple[int, int]]
) -> None:
    """Give back points held by lapsed two-phase redemptions before reading lots (as the till does)."""
    now = utcnow()
    rows = await bulk.select_where_in(
        session,
        lambda cond: (
            select(Reservation.account_id)
            .where(Reservation.status == "held", Reservation.expires_at <= now, cond)
            .distinct()
        ),
        Reservation.account_id,
        [account_id for _, account_id in accounts],
    )
    lapsed = {account_id for (account_id,) in rows}
    for member_id, account_id in accounts:
        if account_id in lapsed:
            account = await ledger.lock_member_account(session, tenant_id, member_id)
            async with ledger.journal(session, tenant_id, "system:lapse") as j:
                await ledger.release_lapsed_holds(j, account, now)


async def _existing_lots(session: AsyncSession, account_ids: list[int]) -> dict[int, list[_Lot]]:
    rows = await bulk.select_where_in(
        session,
        lambda cond: select(
            PointLot.account_id, PointLot.id, PointLot.remaining, PointLot.available_at, PointLot.expires_at
        ).where(PointLot.remaining > 0, cond),
        PointLot.account_id,
        account_ids,
    )
    lots: dict[int, list[_Lot]] = defaultdict(list)
    for account_id, lot_id, remaining, available_at, expires_at in rows:
        lots[account_id].append(
            _Lot(_spend_order(lot_id, available_at, expires_at), lot_id, remaining, available_at, expires_at)
        )
    return lots


# --- the import ------------------------------------------------------------------------------------


async def import_purchases(
    session: AsyncSession,
    tenant_id: int,
    parsed: ParsedPurchases,
    progress: Progress = no_progress,
    actor: str = "import",
    history: bool = False,
) -> PurchaseImport:
    """Record the purchases of a checked file; raise :class:`ImportRejected` (writing nothing) on any problem.

    Each sale's points move (transfers, lots) at the sale's time, as at the till. A purchase's
    ``created_at`` says when it was recorded: now, or with ``history`` (the demo's own made-up past) at
    the sale too.
    """
    now = utcnow()
    table = parsed.table
    errors = list(parsed.errors)
    program = await tenants.get_program(session, tenant_id)
    branches = await _branches(session, tenant_id)
    progress("checking", 0, None)

    recorded = await _recorded(session, tenant_id, parsed.sales, branches)
    result = PurchaseImport()
    sales: list[Sale] = []
    for sale in parsed.sales:
        if (sale.branch, sale.external_id) in recorded:
            result.skipped += 1
            result.skipped_lines.append(sale.line)
        else:
            sales.append(sale)

    members = await _members(session, tenant_id, sales)
    ref_label = {name: table.label(name) for name in MEMBER_REFS}
    member_of: list[int] = []
    earned: list[int] = []
    point_value = program.point_value_rials
    redeemers: set[int] = set()
    for sale in sales:
        found = members.get(sale.member)
        kind = _reference_kind(sale.member)
        if sale.branch not in branches:
            errors.append(RowError(sale.line, table.label("branch"), no_branch(sale.branch)))
        if found is None:
            errors.append(RowError(sale.line, ref_label[kind], _UNKNOWN_MEMBER[kind]))
        elif found[1] != "active":
            errors.append(RowError(sale.line, ref_label[kind], _BLOCKED))
        member_id = found[0] if found else 0
        member_of.append(member_id)
        discount = sale.redeem_points * point_value
        if discount > sale.total_rials:
            errors.append(
                RowError(
                    sale.line,
                    table.label("redeem_points"),
                    say(
                        "the discount ({discount} rials) is more than the total",
                        "تخفیف ({discount} ریال) بیشتر از مبلغ فاکتور است",
                        discount=discount,
                    ),
                )
            )
        if sale.redeem_points:
            redeemers.add(member_id)
        earned.append(
            rules.points_for(
                sale.total_rials - discount, program.earn_points, program.earn_per_rials, program.rounding
            )
        )
    if errors:
        raise ImportRejected(errors)

    touched = sorted(set(member_of))
    accounts = await _lock_accounts(session, tenant_id, touched)
    # Members whose lots need the slow, exact replay: they spend points, or start in debt.
    special = {m for m in touched if m in redeemers or accounts[m].posted < 0}

    n = len(sales)
    n_redeem = sum(1 for s in sales if s.redeem_points)
    n_earn = sum(1 for e in earned if e)
    purchase_ids = await bulk.allocate_ids(session, bulk.table_of(Purchase), n)
    transfer_ids = await bulk.allocate_ids(session, bulk.table_of(Transfer), n_redeem + n_earn)
    lot_ids = await bulk.allocate_ids(session, bulk.table_of(PointLot), n_earn)

    redemptions = _Redemptions()
    if special:
        redemptions = await _replay(
            session, tenant_id, sales, member_of, earned, lot_ids, accounts, special, program, table
        )
        if redemptions.errors:
            raise ImportRejected(redemptions.errors)
        await ledger.change_lots(session, list(redemptions.taken_from_existing.items()), -1)

    issuance = await ledger.system_account_ids(session, tenant_id)
    ctx = _Context(
        tenant_id=tenant_id,
        now=now,
        actor=actor,
        sales=sales,
        member_of=member_of,
        earned=earned,
        accounts={m: a.id for m, a in accounts.items()},
        branches=branches,
        purchase_ids=purchase_ids,
        transfer_ids=transfer_ids,
        lot_ids=lot_ids,
        new_lot_remaining=redemptions.new_lot_remaining,
        redeemed_lots=redemptions.allocations,
        issuance_id=issuance["issuance"],
        redemption_id=issuance["redemption"],
        pending_days=program.pending_days,
        expiry=(program.expiry_mode, program.expiry_months),
        point_value=point_value,
        progress=progress,
        history=history,
    )
    async with bulk.unique_keys_of("receipts", "فاکتورها"):
        await bulk.insert_rows(session, bulk.table_of(Purchase), PURCHASE_FIELDS, ctx.purchase_rows())
        await bulk.insert_rows(session, bulk.table_of(Transfer), TRANSFER_FIELDS, ctx.transfer_rows())
        await bulk.insert_rows(session, bulk.table_of(PointLot), LOT_FIELDS, ctx.lot_rows())

    deltas: dict[int, int] = defaultdict(int)
    for i, sale in enumerate(sales):
        deltas[ctx.accounts[member_of[i]]] += earned[i] - sale.redeem_points
    total_earned, total_redeemed = sum(earned), sum(s.redeem_points for s in sales)
    await bulk.add_to_posted(session, deltas)
    # System accounts last: their row locks are then held only for the rest of this transaction.
    await bulk.add_to_posted(session, {ctx.issuance_id: -total_earned, ctx.redemption_id: total_redeemed})
    progress("writing", 3 * n, 3 * n)
    result.created = n
    result.points_earned = total_earned
    result.points_redeemed = total_redeemed
    return result


async def _replay(
    session: AsyncSession,
    tenant_id: int,
    sales: list[Sale],
    member_of: list[int],
    earned: list[int],
    lot_ids: list[int],
    accounts: dict[int, _Account],
    special: set[int],
    program: Any,
    table: Table,
) -> _Redemptions:
    """Work out the redemptions (and debt repayments) of the members who need the exact replay."""
    pairs = [(m, accounts[m].id) for m in sorted(special)]
    await _release_lapsed_holds(session, tenant_id, pairs)
    existing = await _existing_lots(session, [account_id for _, account_id in pairs])
    by_member: dict[int, list[int]] = defaultdict(list)
    lot_of: dict[int, int] = {}
    next_lot = 0
    for i, member_id in enumerate(member_of):
        if earned[i]:
            if member_id in special:
                lot_of[i] = lot_ids[next_lot]
            next_lot += 1
        if member_id in special:
            by_member[member_id].append(i)
    total = _Redemptions()
    label = table.label("redeem_points")
    for member_id, indexes in by_member.items():
        indexes.sort(key=lambda i: (sales[i].occurred_at, sales[i].line))
        account = accounts[member_id]
        one = _simulate(
            sales,
            indexes,
            earned,
            lot_of,
            account.posted,
            existing.get(account.id, []),
            program.pending_days,
            (program.expiry_mode, program.expiry_months),
            label,
        )
        total.errors.extend(one.errors)
        total.taken_from_existing.update(one.taken_from_existing)
        total.new_lot_remaining.update(one.new_lot_remaining)
        total.allocations.update(one.allocations)
    return total


@dataclass
class _Context:
    """Everything the row generators need; they run while the database takes the previous rows."""

    tenant_id: int
    now: datetime
    actor: str
    sales: list[Sale]
    member_of: list[int]
    earned: list[int]
    accounts: dict[int, int]
    branches: dict[str, int]
    purchase_ids: list[int]
    transfer_ids: list[int]
    lot_ids: list[int]
    new_lot_remaining: dict[int, int]
    redeemed_lots: dict[int, list[list[int]]]
    issuance_id: int
    redemption_id: int
    pending_days: int
    expiry: tuple[str, int]
    point_value: int
    progress: Progress
    history: bool = False

    def _tick(self, done: int, offset: int) -> None:
        if done % PROGRESS_EVERY == 0:
            self.progress("writing", offset + done, 3 * len(self.sales))

    def purchase_rows(self) -> Iterator[tuple[Any, ...]]:
        tenant, now = self.tenant_id, self.now
        for i, sale in enumerate(self.sales):
            self._tick(i, 0)
            yield (
                self.purchase_ids[i],
                tenant,
                self.branches[sale.branch],
                self.member_of[i],
                sale.external_id,
                sale.total_rials,
                sale.redeem_points * self.point_value,
                self.earned[i],
                sale.redeem_points,
                rules.available_after(sale.occurred_at, self.pending_days),
                sale.occurred_at,
                0,
                0,
                0,
                self.redeemed_lots.get(i),
                min(sale.occurred_at, now) if self.history else now,
            )

    def transfer_rows(self) -> Iterator[tuple[Any, ...]]:
        tenant, now, actor, n = self.tenant_id, self.now, self.actor, len(self.sales)
        ids = iter(self.transfer_ids)
        for i, sale in enumerate(self.sales):
            self._tick(i, n)
            purchase_id = self.purchase_ids[i]
            account_id = self.accounts[self.member_of[i]]
            receipt = "#" + sale.external_id
            # The points moved at the sale, as they would have at the till: statements and charts show
            # them then, not on the day of the import.
            when = min(sale.occurred_at, now)
            if sale.redeem_points:
                yield (
                    next(ids),
                    tenant,
                    account_id,
                    self.redemption_id,
                    sale.redeem_points,
                    "redeem",
                    "purchase",
                    purchase_id,
                    f"purchase:{purchase_id}:redeem",
                    receipt,
                    actor,
                    when,
                )
            if self.earned[i]:
                yield (
                    next(ids),
                    tenant,
                    self.issuance_id,
                    account_id,
                    self.earned[i],
                    "earn",
                    "purchase",
                    purchase_id,
                    f"purchase:{purchase_id}:earn",
                    receipt,
                    actor,
                    when,
                )

    def lot_rows(self) -> Iterator[tuple[Any, ...]]:
        tenant, now, n = self.tenant_id, self.now, len(self.sales)
        transfer_ids, lot_ids = iter(self.transfer_ids), iter(self.lot_ids)
        mode, months = self.expiry
        remaining_of = self.new_lot_remaining
        for i, sale in enumerate(self.sales):
            self._tick(i, 2 * n)
            if sale.redeem_points:
                next(transfer_ids)
            points = self.earned[i]
            if not points:
                continue
            transfer_id, lot_id = next(transfer_ids), next(lot_ids)
            at = sale.occurred_at
            yield (
                lot_id,
                tenant,
                self.accounts[self.member_of[i]],
                transfer_id,
                self.purchase_ids[i],
                points,
                remaining_of.get(lot_id, points),
                *rules.lot_dates(at, self.pending_days, mode, months).pair,
                min(at, now),
            )
