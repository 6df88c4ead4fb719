"""``bashgah ledger verify``: recompute every cached figure from the transfers and compare."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.models import (
    Account,
    MemberStampCard,
    PointLot,
    Program,
    Reservation,
    StampAward,
    Transfer,
)


@dataclass
class VerifyReport:
    accounts: int = 0
    transfers: int = 0
    issued: int = 0
    outstanding: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify(session: AsyncSession, tenant_id: int | None = None) -> VerifyReport:
    report = VerifyReport()
    scope = [Account.tenant_id == tenant_id] if tenant_id is not None else []

    credits = dict(
        (
            await session.execute(
                select(Transfer.credit_account_id, func.sum(Transfer.amount)).group_by(
                    Transfer.credit_account_id
                )
            )
        ).all()
    )
    debits = dict(
        (
            await session.execute(
                select(Transfer.debit_account_id, func.sum(Transfer.amount)).group_by(
                    Transfer.debit_account_id
                )
            )
        ).all()
    )
    held = dict(
        (
            await session.execute(
                select(Reservation.account_id, func.sum(Reservation.points))
                .where(Reservation.status == "held")
                .group_by(Reservation.account_id)
            )
        ).all()
    )
    lots = {
        account_id: (int(total or 0), int(low or 0), int(over or 0))
        for account_id, total, low, over in (
            await session.execute(
                select(
                    PointLot.account_id,
                    func.sum(PointLot.remaining),
                    func.min(PointLot.remaining),
                    func.max(PointLot.remaining - PointLot.amount),
                ).group_by(PointLot.account_id)
            )
        )
    }
    negative_ok = {
        tid
        for (tid,) in (
            await session.execute(select(Program.tenant_id).where(Program.refund_policy == "allow_negative"))
        )
    }
    report.transfers = int(
        await session.scalar(
            select(func.count(Transfer.id)).where(*([Transfer.tenant_id == tenant_id] if scope else []))
        )
        or 0
    )

    sums: dict[tuple[int, str], int] = {}
    accounts = (await session.scalars(select(Account).where(*scope).order_by(Account.id))).all()
    for account in accounts:
        report.accounts += 1
        name = f"account {account.id} ({account.asset} {account.kind}" + (
            f", member {account.member_id})" if account.member_id else f", tenant {account.tenant_id})"
        )
        expected = int(credits.get(account.id, 0)) - int(debits.get(account.id, 0))
        if account.posted != expected:
            report.problems.append(f"{name}: cached posted {account.posted} ≠ {expected} from transfers")
        expected_hold = int(held.get(account.id, 0))
        if account.pending != expected_hold:
            report.problems.append(
                f"{name}: cached pending {account.pending} ≠ {expected_hold} held by reservations"
            )
        asset_key = (account.tenant_id, account.asset)
        sums[asset_key] = sums.get(asset_key, 0) + expected
        if account.asset == "rials" and account.kind in ("member", "gift_card") and expected < 0:
            # Stored value is money: no policy lets a wallet or a gift card go below zero.
            report.problems.append(f"{name}: negative stored value {expected}")
        if account.kind == "member":
            total, low, over = lots.get(account.id, (0, 0, 0))
            should = max(0, expected - expected_hold)
            if total != should:
                report.problems.append(f"{name}: lots hold {total} ≠ {should} (posted − pending)")
            if low < 0 or over > 0:
                report.problems.append(f"{name}: a lot's remaining is outside 0…amount")
            if account.asset != "points":
                continue
            if expected < 0 and account.tenant_id not in negative_ok:
                report.problems.append(f"{name}: negative balance {expected} under the within_balance policy")
            report.outstanding += max(expected, 0)
        elif account.kind == "issuance" and account.asset == "points":
            report.issued += -expected
    for (tid, asset), total in sums.items():
        if total != 0:
            report.problems.append(f"tenant {tid}: {asset} accounts sum to {total}, not 0")
    report.problems.extend(await stamp_problems(session, tenant_id))
    return report


async def stamp_problems(session: AsyncSession, tenant_id: int | None = None) -> list[str]:
    """Stamps are a balance too: every stamp given or taken back (``stamp_awards``) sits on exactly one
    of the member's cards, a member has at most one open card per stamp card, an open card is short of
    full and a completed one exactly full."""
    problems = []
    awards = select(StampAward.member_id, StampAward.card_id, func.sum(StampAward.stamps)).group_by(
        StampAward.member_id, StampAward.card_id
    )
    cards = select(
        MemberStampCard.member_id,
        MemberStampCard.card_id,
        func.sum(MemberStampCard.stamps),
        func.sum(case((MemberStampCard.status == "open", 1), else_=0)),
    ).group_by(MemberStampCard.member_id, MemberStampCard.card_id)
    wrong = select(MemberStampCard.id).where(
        or_(
            (MemberStampCard.status == "completed")
            & (MemberStampCard.stamps != MemberStampCard.stamps_needed),
            (MemberStampCard.status == "open")
            & ((MemberStampCard.stamps < 0) | (MemberStampCard.stamps >= MemberStampCard.stamps_needed)),
        )
    )
    if tenant_id is not None:
        awards = awards.where(StampAward.tenant_id == tenant_id)
        cards = cards.where(MemberStampCard.tenant_id == tenant_id)
        wrong = wrong.where(MemberStampCard.tenant_id == tenant_id)
    given = {(m, c): int(n or 0) for m, c, n in (await session.execute(awards)).all()}
    held = {(m, c): (int(n or 0), int(o or 0)) for m, c, n, o in (await session.execute(cards)).all()}
    for key in sorted(set(given) | set(held)):
        member_id, card_id = key
        on_cards, open_cards = held.get(key, (0, 0))
        if given.get(key, 0) != on_cards:
            problems.append(
                f"member {member_id}, stamp card {card_id}: {on_cards} stamps on cards ≠ {given.get(key, 0)} given"
            )
        if open_cards > 1:
            problems.append(f"member {member_id}, stamp card {card_id}: {open_cards} open cards")
    for card_id in (await session.scalars(wrong)).all():
        problems.append(f"member stamp card {card_id}: stamps outside what its status allows")
    return problems
