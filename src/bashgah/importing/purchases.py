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

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.importing import bulk
from bashgah.importing.columns import MEMBER_REFS
from bashgah.importing.members import no_branch
from bashgah.importing.purchase_file import PROGRESS_EVERY, ParsedPurchases, Sale
from bashgah.importing.purchase_file import (
    read_purchases as read_purchases,  # re-exported: callers read it here
)
from bashgah.importing.purchase_redemptions import MemberBalance, Redemptions, replay
from bashgah.importing.report import ImportCounts, ImportRejected, Progress, RowError, Words, no_progress, say
from bashgah.ledger import rules
from bashgah.ledger import service as ledger
from bashgah.models import Account, Branch, Member, PointLot, Purchase, Transfer, utcnow
from bashgah.tenants import service as tenants

#: A sale may be stamped a little ahead of our clock (tills are not all on NTP): the ledger's one rule.
CLOCK_SKEW = rules.CLOCK_SKEW

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


@dataclass
class PurchaseImport(ImportCounts):
    """Purchases recorded from a file (and those already recorded), with the points they moved."""

    points_earned: int = 0
    points_redeemed: int = 0


# --- checking against the database ---------------------------------------------------------------


def _reference_kind(member: int | str) -> str:
    if isinstance(member, int):
        return "member_id"
    return "mobile" if member.startswith("+") else "card"


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


async def _lock_accounts(
    session: AsyncSession, tenant_id: int, member_ids: list[int]
) -> dict[int, MemberBalance]:
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
    return {member_id: MemberBalance(account_id, posted) for member_id, account_id, posted in rows}


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

    redemptions = Redemptions()
    if special:
        redemptions = await replay(
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
