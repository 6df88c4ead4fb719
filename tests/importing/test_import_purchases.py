"""``bashgah import purchases``: the ledger of an imported file is exactly the till's, and a bad file
changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from import_helpers import Cli, count, enrol_all, write_csv, write_xlsx
from sqlalchemy import select

from bashgah.auth.service import Principal
from bashgah.core.db import Database
from bashgah.core.jalali import add_months
from bashgah.importing import purchases as purchases_module
from bashgah.importing.columns import PURCHASE_COLUMNS
from bashgah.importing.purchases import import_purchases, read_purchases
from bashgah.importing.report import ImportRaced, ImportRejected
from bashgah.importing.sources import from_records
from bashgah.models import Account, Member, PointLot, Purchase, Transfer
from bashgah.purchases import refunds as purchase_refunds
from bashgah.purchases.schemas import RefundCreate
from support import Club, ledger_problems

SARA, REZA = "09121234567", "09351112233"
HEADER = ["mobile", "branch", "external_id", "total_rials", "occurred_at"]


def sales_csv(tmp_path: Path, *rows: list[str], redeem: bool = False) -> Path:
    """``sales.csv`` with the usual columns (and ``redeem_points`` last, with ``redeem``) and ``rows``."""
    return write_csv(tmp_path / "sales.csv", [[*HEADER, "redeem_points"] if redeem else HEADER, *rows])


async def points_of(db: Database, mobile: str) -> int:
    async with db.transaction() as session:
        posted = await session.scalar(
            select(Account.posted)
            .join(Member, Member.id == Account.member_id)
            .where(Member.mobile == "+98" + mobile[1:])
        )
    assert posted is not None
    return posted


async def lots_of(db: Database, mobile: str) -> list[PointLot]:
    async with db.transaction() as session:
        return list(
            (
                await session.scalars(
                    select(PointLot)
                    .join(Account, Account.id == PointLot.account_id)
                    .join(Member, Member.id == Account.member_id)
                    .where(Member.mobile == "+98" + mobile[1:])
                    .order_by(PointLot.id)
                )
            ).all()
        )


async def test_a_good_file_earns_the_exact_points_as_lots_with_a_clean_ledger(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    await enrol_all(db, shop, SARA, REZA)
    path = sales_csv(
        tmp_path,
        [SARA, "main", "R-1", "1250000", "2025-03-01T10:00:00+03:30"],
        [SARA, "online", "R-2", "99999", "2025-03-02 12:00"],  # 9.9999 points: 9
        [REZA, "main", "R-3", "5000", "2025-03-03"],  # less than one point: no lot, no transfer
    )
    result = await cli("import", "purchases", str(path), "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    assert "purchases: 3 created, 0 skipped" in result.stdout

    assert await points_of(db, SARA) == 125 + 9
    assert await points_of(db, REZA) == 0
    first, second = await lots_of(db, SARA)
    sold_at = datetime(2025, 3, 1, 6, 30, tzinfo=UTC)  # 10:00 in Tehran
    assert (first.amount, first.remaining) == (125, 125)
    assert first.available_at == sold_at + timedelta(days=7)
    assert first.expires_at == add_months(sold_at, 12)
    assert second.amount == 9 and second.available_at == datetime(2025, 3, 9, 8, 30, tzinfo=UTC)
    async with db.transaction() as session:
        earns = (await session.scalars(select(Transfer).order_by(Transfer.id))).all()
        sale = await session.scalar(select(Purchase).where(Purchase.external_id == "R-1"))
    assert [(t.code, t.amount, t.idempotency_key) for t in earns] == [
        ("earn", 125, f"purchase:{sale.id}:earn" if sale else ""),
        ("earn", 9, f"purchase:{sale.id + 1}:earn" if sale else ""),
    ]
    # The points moved at the sale, as at the till: statements and charts show them then.
    assert earns[0].created_at == sold_at and first.created_at == sold_at
    assert sale is not None and sale.occurred_at == sold_at and sale.points_earned == 125
    assert await ledger_problems(db) == []


async def test_one_bad_row_is_reported_by_its_line_and_nothing_is_written(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    await enrol_all(db, shop, SARA)
    path = sales_csv(
        tmp_path,
        [SARA, "main", "R-1", "1250000", "2025-03-01"],
        [SARA, "main", "R-2", "two million", "2025-03-02"],
        [SARA, "main", "R-3", "700000", "2025-03-03"],
    )
    result = await cli("import", "purchases", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 1
    assert "line 3, total_rials: not a whole number" in result.output
    assert "nothing was imported" in result.output
    report = (tmp_path / "sales.csv.errors.csv").read_text(encoding="utf-8-sig").splitlines()
    assert report == ["line,column,message", "3,total_rials,not a whole number"]
    assert await count(db, Purchase) == 0
    assert await count(db, Transfer) == 0
    assert await points_of(db, SARA) == 0

    # Fixed, the same file goes in and the stale report is removed.
    write_csv(path, [HEADER, [SARA, "main", "R-1", "1250000", "2025-03-01"]])
    assert (await cli("import", "purchases", str(path), "--tenant", "alpha")).exit_code == 0
    assert not (tmp_path / "sales.csv.errors.csv").exists()


async def test_importing_the_same_file_twice_adds_nothing(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    await enrol_all(db, shop, SARA, REZA)
    path = sales_csv(
        tmp_path,
        [SARA, "main", "R-1", "1250000", "2025-03-01"],
        [REZA, "main", "R-2", "300000", "2025-03-02"],
    )
    assert (await cli("import", "purchases", str(path), "-t", "alpha")).exit_code == 0
    again = await cli("import", "purchases", str(path), "-t", "alpha")
    assert again.exit_code == 0, again.output
    assert "purchases: 0 created, 2 skipped" in again.stdout
    assert await count(db, Purchase) == 2
    assert await count(db, Transfer) == 2
    assert await points_of(db, SARA) == 125
    assert await ledger_problems(db) == []


async def test_persian_headers_persian_digits_and_jalali_dates(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    await enrol_all(db, shop, SARA)
    path = write_csv(
        tmp_path / "فروش.csv",
        [
            ["موبایل", "شعبه", "شماره فاکتور", "مبلغ", "تاریخ"],
            ["۰۹۱۲ ۱۲۳ ۴۵۶۷", "main", "۱۰۰۱", "۱٬۲۵۰٬۰۰۰", "۱۴۰۴/۰۱/۱۰ ۱۲:۳۰"],
        ],
        bom=True,
    )
    result = await cli("import", "purchases", str(path), "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    async with db.transaction() as session:
        sale = await session.scalar(select(Purchase))
    assert sale is not None
    assert sale.total_rials == 1_250_000
    assert sale.occurred_at == datetime(2025, 3, 30, 9, 0, tzinfo=UTC)  # 10 Farvardin 1404, 12:30 Tehran
    assert await points_of(db, SARA) == 125


async def test_an_xlsx_file_with_spreadsheet_values_imports_like_the_csv(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    await enrol_all(db, shop, SARA)
    # Excel drops the mobile's leading zero, stores amounts as floats and dates as date-times.
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        [
            ["Mobile", "Branch", "شماره فاکتور", "Total Rials", "Occurred At"],
            [9121234567, "main", 1001, 1250000.0, datetime(2025, 3, 1, 10, 0)],
            [9121234567, "main", 1002, 99999, "1403/12/11"],
        ],
    )
    result = await cli("import", "purchases", str(path), "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    assert "2 created" in result.stdout
    assert await points_of(db, SARA) == 125 + 9
    first, second = await lots_of(db, SARA)
    assert first.available_at == datetime(2025, 3, 8, 6, 30, tzinfo=UTC)
    assert second.available_at == datetime(2025, 3, 7, 20, 30, tzinfo=UTC)  # 1403/12/11 = 2025-03-01


async def test_a_row_spends_the_soonest_expiring_points_spendable_at_its_time_and_a_return_gives_them_back(
    db: Database, shop: Club
) -> None:
    await enrol_all(db, shop, SARA)
    rows = [
        {
            "mobile": SARA,
            "branch": "main",
            "external_id": "R-1",
            "total_rials": "1000000",
            "occurred_at": "2025-01-01",
        },
        {
            "mobile": SARA,
            "branch": "main",
            "external_id": "R-2",
            "total_rials": "2000000",
            "occurred_at": "2025-01-05",
        },
        # 20 days later both lots are spendable; the one from R-1 expires first.
        {
            "mobile": SARA,
            "branch": "online",
            "external_id": "W-9",
            "total_rials": "500000",
            "occurred_at": "2025-01-25",
            "redeem_points": "130",
        },
    ]
    async with db.transaction() as session:
        result = await import_purchases(
            session, shop.tenant_id, read_purchases(from_records(rows, PURCHASE_COLUMNS))
        )
    assert (result.created, result.points_redeemed) == (3, 130)
    # 500,000 less 130 × 1,000 discount = 370,000 paid → 37 points.
    assert result.points_earned == 100 + 200 + 37
    assert await points_of(db, SARA) == 100 + 200 - 130 + 37
    lots = await lots_of(db, SARA)
    assert [(lot.amount, lot.remaining) for lot in lots] == [(100, 0), (200, 170), (37, 37)]
    async with db.transaction() as session:
        sale = await session.scalar(select(Purchase).where(Purchase.external_id == "W-9"))
        redeem = await session.scalar(select(Transfer).where(Transfer.code == "redeem"))
    assert sale is not None and (sale.discount_rials, sale.points_redeemed) == (130_000, 130)
    assert (
        redeem is not None and redeem.amount == 130 and redeem.idempotency_key == f"purchase:{sale.id}:redeem"
    )
    assert await ledger_problems(db) == []
    assert sale.redeemed_lots == [[lots[0].id, 100], [lots[1].id, 30]]

    # Returned at the till: the spent points go back to the lots they came from, keeping their expiry.
    who = Principal(tenant_id=shop.tenant_id, role="owner", branch_id=None, key_id=None)
    async with db.transaction() as session:
        await purchase_refunds.refund(session, who, sale.id, RefundCreate(amount_rials=None, items=None))
    assert [(lot.amount, lot.remaining) for lot in await lots_of(db, SARA)] == [
        (100, 100),
        (200, 200),
        (37, 0),
    ]
    assert await points_of(db, SARA) == 300
    assert await ledger_problems(db) == []


async def test_spending_points_that_were_still_pending_at_the_sale_is_rejected(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    await enrol_all(db, shop, SARA)
    path = sales_csv(
        tmp_path,
        [SARA, "main", "R-1", "1000000", "2025-01-01", ""],
        [SARA, "main", "R-2", "500000", "2025-01-03", "50"],  # R-1's points wait until 8 January
        redeem=True,
    )
    result = await cli("import", "purchases", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 1
    assert "line 3, redeem_points: not enough points: 0 spendable at the time of the sale, 50 to redeem" in (
        result.output
    )
    assert await count(db, Purchase) == 0


async def test_unknown_members_and_branches_and_repeated_receipts_are_all_reported(
    db: Database, shop: Club
) -> None:
    await enrol_all(db, shop, SARA)
    rows = [
        {
            "mobile": SARA,
            "branch": "main",
            "external_id": "R-1",
            "total_rials": "1000",
            "occurred_at": "2025-01-01",
        },
        {
            "mobile": REZA,
            "branch": "main",
            "external_id": "R-2",
            "total_rials": "1000",
            "occurred_at": "2025-01-01",
        },
        {
            "mobile": SARA,
            "branch": "kish",
            "external_id": "R-3",
            "total_rials": "1000",
            "occurred_at": "2025-01-01",
        },
        {
            "mobile": SARA,
            "branch": "main",
            "external_id": "R-1",
            "total_rials": "1000",
            "occurred_at": "2025-01-02",
        },
        {
            "mobile": "",
            "branch": "main",
            "external_id": "R-5",
            "total_rials": "1000",
            "occurred_at": "2099-01-01",
        },
    ]
    async with db.transaction() as session:
        try:
            await import_purchases(
                session, shop.tenant_id, read_purchases(from_records(rows, PURCHASE_COLUMNS))
            )
        except ImportRejected as rejected:
            problems = [str(e) for e in rejected.errors]
        else:
            raise AssertionError("the file should have been rejected")
    assert problems == [
        "line 3, mobile: no member with this mobile number",
        "line 4, branch: there is no branch with code kish",
        "line 5, external_id: receipt R-1 at main is also on line 2",
        "line 6, member_id or card or mobile: give the member's mobile, card or member_id",
        "line 6, occurred_at: the date is in the future",
    ]
    assert await count(db, Purchase) == 0


async def test_an_unknown_tenant_stops_before_reading_the_file(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "sales.csv", [HEADER])
    result = await cli("import", "purchases", str(path), "--tenant", "nope")
    assert result.exit_code == 2
    assert "no tenant with slug 'nope'" in result.output


async def test_a_file_without_a_required_column_is_rejected_on_its_header(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "sales.csv", [["mobile", "branch", "total_rials", "occurred_at"]])
    result = await cli("import", "purchases", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 1
    assert "line 1, external_id: the required column external_id is missing" in result.output


async def test_a_receipt_recorded_at_a_till_during_the_import_fails_it_cleanly(
    db: Database, shop: Club, monkeypatch: pytest.MonkeyPatch
) -> None:
    await enrol_all(db, shop, SARA)
    first = [
        {
            "mobile": SARA,
            "branch": "main",
            "external_id": "R-1",
            "total_rials": "1000000",
            "occurred_at": "2025-01-01",
        }
    ]
    async with db.transaction() as session:
        await import_purchases(session, shop.tenant_id, read_purchases(from_records(first, PURCHASE_COLUMNS)))

    # The till records R-1 just after the importer looked: the importer did not see it.
    async def nothing_recorded(*_: object) -> set[tuple[str, str]]:
        return set()

    monkeypatch.setattr(purchases_module, "_recorded", nothing_recorded)
    both = [*first, {**first[0], "external_id": "R-2"}]
    with pytest.raises(ImportRaced, match="Run the import again"):
        async with db.transaction() as session:
            await import_purchases(
                session, shop.tenant_id, read_purchases(from_records(both, PURCHASE_COLUMNS))
            )
    assert await count(db, Purchase) == 1
    assert await ledger_problems(db) == []


async def test_purchase_dates_typed_into_excel_as_date_cells_are_read_in_tehran_time(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    from datetime import date

    await enrol_all(db, shop, SARA)
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        [
            HEADER,
            [SARA, "main", "R-1", 1_250_000, datetime(2025, 3, 1, 10, 0)],  # a date-and-time cell
            [SARA, "main", "R-2", 400_000, date(2025, 3, 2)],  # a date cell: midnight in Tehran
            [SARA, "main", "R-3", 300_000, 45719.5],  # a bare serial number: 2025-03-03 12:00
            [SARA, "main", "R-4", 200_000, "1403/12/14 18:30"],  # Jalali text still works
        ],
    )
    result = await cli("import", "purchases", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 0, result.output
    async with db.transaction() as session:
        sold = dict((await session.execute(select(Purchase.external_id, Purchase.occurred_at))).all())
    assert sold == {
        "R-1": datetime(2025, 3, 1, 6, 30, tzinfo=UTC),
        "R-2": datetime(2025, 3, 1, 20, 30, tzinfo=UTC),
        "R-3": datetime(2025, 3, 3, 8, 30, tzinfo=UTC),
        "R-4": datetime(2025, 3, 4, 15, 0, tzinfo=UTC),
    }
    assert await ledger_problems(db) == []


async def test_a_purchase_import_in_persian_writes_amounts_and_lines_with_persian_digits(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    await enrol_all(db, shop, SARA)
    path = sales_csv(
        tmp_path,
        [SARA, "main", "R-1", "1250000", "2025-03-01 10:00", ""],
        [SARA, "main", "R-2", "300000", "2025-03-20 10:00", "1200"],
        [SARA, "main", "R-1", "300000", "2025-03-21 10:00", ""],
        redeem=True,
    )
    result = await cli("import", "purchases", str(path), "--tenant", "alpha", "--lang", "fa")
    assert result.exit_code == 1
    shown = " ".join(result.output.split())
    assert "سطر ۳، redeem_points (امتیاز مصرفی): تخفیف (۱٬۲۰۰٬۰۰۰ ریال) بیشتر از مبلغ فاکتور است" in shown
    # Codes keep their own digits and their left-to-right order (isolated) inside Persian text.
    receipt, branch = "\u2066R-1\u2069", "\u2066main\u2069"
    assert f"سطر ۴، external_id (شماره فاکتور): فاکتور {receipt} شعبهٔ {branch} در سطر ۲ هم آمده است" in shown
    assert await count(db, Purchase) == 0


async def test_a_receipt_recorded_by_a_till_during_the_import_is_explained_in_the_clubs_language(
    db: Database, shop: Club, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bashgah.cli import data as cli_data

    async def raced(*_args: object, **_kwargs: object) -> None:
        raise ImportRaced("receipts", "فاکتورها")

    monkeypatch.setattr(cli_data, "import_purchases", raced)
    await enrol_all(db, shop, SARA)
    path = write_csv(tmp_path / "sales.csv", [HEADER, [SARA, "main", "R-1", "1250000", "2025-03-01"]])
    result = await cli("import", "purchases", str(path), "--tenant", "alpha")
    assert result.exit_code == 2
    assert "دوباره وارد کنید" in result.output and "Run the import again" not in result.output


async def test_a_receipt_the_till_recorded_in_latin_digits_is_skipped_when_the_file_writes_it_in_persian(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    await enrol_all(db, shop, SARA)
    first = write_csv(tmp_path / "a.csv", [HEADER, [SARA, "main", "F-1001", "1250000", "2025-03-01"]])
    assert (await cli("import", "purchases", str(first), "-t", "alpha")).exit_code == 0
    again = write_csv(tmp_path / "b.csv", [HEADER, [SARA, "main", "F-۱۰۰۱", "1250000", "2025-03-01"]])
    result = await cli("import", "purchases", str(again), "-t", "alpha")
    assert result.exit_code == 0, result.output
    assert "purchases: 0 created, 1 skipped" in result.stdout
    assert await count(db, Purchase) == 1
    assert await points_of(db, SARA) == 125
