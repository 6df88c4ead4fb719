"""``bashgah import members``: enrolment's rules for every row, members keyed by mobile."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from import_helpers import Cli, count, write_csv, write_xlsx
from sqlalchemy import select

from bashgah.core.db import Database
from bashgah.core.normalize import ZWNJ, is_valid_card_number
from bashgah.models import Account, Member
from support import Club

PERSIAN_HEADER = [
    "موبایل",
    "نام",
    "نام خانوادگی",
    "تاریخ تولد",
    "کد ملی",
    "ایمیل",
    "جنسیت",
    "برچسب‌ها",
    "رضایت پیامک",
]


async def members_by_mobile(db: Database) -> dict[str, Member]:
    async with db.transaction() as session:
        return {m.mobile: m for m in (await session.scalars(select(Member))).all()}


async def test_a_persian_file_enrols_members_normalised_like_enrolment_at_the_till(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "اعضا.csv",
        [
            PERSIAN_HEADER,
            [
                "۰۹۱۲ ۱۲۳ ۴۵۶۷",
                f"محمد{ZWNJ}رضا",
                "علي‌زاده",
                "۱۳۷۰/۰۵/۱۲",
                "۰۰۱۲۳۴۵۶۷۹",
                "",
                "مرد",
                "VIP، کارمند",
                "بله",
            ],
            ["+98 935 111 2233", "سارا", "محمدی", "1991-08-03", "", "Sara@Example.com", "زن", "", "خیر"],
        ],
        bom=True,
    )
    result = await cli("import", "members", str(path), "--tenant", "alpha")
    assert result.exit_code == 0, result.output
    assert "members: 2 created, 0 skipped" in result.stdout

    found = await members_by_mobile(db)
    reza, sara = found["+989121234567"], found["+989351112233"]
    assert (reza.first_name, reza.last_name) == (f"محمد{ZWNJ}رضا", "علی‌زاده")
    assert reza.birth_date == date(1991, 8, 3)
    assert reza.national_code == "0012345679"
    assert (reza.gender, reza.tags) == ("male", ["VIP", "کارمند"])
    assert reza.sms_consent and reza.sms_consent_source == "import" and reza.sms_consent_at is not None
    assert sara.email == "sara@example.com" and not sara.sms_consent and sara.gender == "female"
    assert is_valid_card_number(reza.card_number) and is_valid_card_number(sara.card_number)
    assert reza.card_number != sara.card_number
    async with db.transaction() as session:
        accounts = (await session.scalars(select(Account).where(Account.member_id.is_not(None)))).all()
    assert sorted((a.member_id, a.posted) for a in accounts) == sorted((m.id, 0) for m in found.values())


async def test_members_already_enrolled_are_skipped_and_left_as_they_are(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    first = write_csv(tmp_path / "a.csv", [["mobile", "first_name"], ["09121234567", "سارا"]])
    assert (await cli("import", "members", str(first), "-t", "alpha")).exit_code == 0
    second = write_csv(
        tmp_path / "b.csv",
        [["mobile", "first_name"], ["0912-123-4567", "Someone else"], ["09351112233", "رضا"]],
    )
    result = await cli("import", "members", str(second), "-t", "alpha")
    assert result.exit_code == 0, result.output
    assert "members: 1 created, 1 skipped" in result.stdout
    found = await members_by_mobile(db)
    assert found["+989121234567"].first_name == "سارا"
    assert len(found) == 2


async def test_bad_rows_are_reported_by_line_and_no_member_is_enrolled(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "members.xlsx",
        [
            ["mobile", "national_code", "birth_date", "gender", "sms_consent"],
            ["09121234567", "0012345679", "1370/05/12", "f", 1],
            ["12345", "", "", "", ""],
            [],
            ["09351112233", "0012345678", "1370/13/01", "robot", "maybe"],
            ["0912 123 4567", "", "", "", ""],
        ],
    )
    result = await cli("import", "members", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 1, result.output
    with (tmp_path / "members.xlsx.errors.csv").open(encoding="utf-8-sig", newline="") as f:
        report = list(csv.reader(f))
    assert report == [
        ["line", "column", "message"],
        ["3", "mobile", "not a valid mobile number"],
        ["5", "birth_date", "not a valid date: use YYYY-MM-DD (Gregorian) or YYYY/MM/DD (Jalali)"],
        ["5", "gender", "use female, male or other"],
        ["5", "national_code", "the check digit does not match"],
        ["5", "sms_consent", "write yes or no (1 or 0)"],
        ["6", "mobile", "the same as on line 2"],
    ]
    assert await count(db, Member) == 0


async def test_a_national_code_or_card_of_another_member_is_refused(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "a.csv",
        [["mobile", "national_code", "card_number"], ["09121234567", "0012345679", "6037 9912 3456 7893"]],
    )
    result = await cli("import", "members", str(first), "-t", "alpha")
    assert result.exit_code == 0, result.output
    second = write_csv(
        tmp_path / "b.csv",
        [
            ["mobile", "national_code", "card_number"],
            ["09351112233", "12345679", ""],
            ["09121111111", "", "6037991234567893"],
        ],
    )
    result = await cli("import", "members", str(second), "-t", "alpha", "--lang", "en")
    assert result.exit_code == 1
    assert "line 2, national_code: another member already has this national code" in result.output
    assert "line 3, card_number: another member already has this card" in result.output
    assert await count(db, Member) == 1


async def test_birth_dates_typed_into_excel_as_date_cells_are_read_as_dates(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    from datetime import datetime

    path = write_xlsx(
        tmp_path / "members.xlsx",
        [
            ["mobile", "birth_date"],
            ["09121234567", date(1991, 8, 3)],  # a date cell, as Excel stores a typed date
            ["09351112233", datetime(1985, 1, 20)],  # a date-and-time cell at midnight
            ["09121110001", 33453],  # the same day as a bare serial number (a General cell): 1991-08-03
            ["09121110002", "1370/05/12"],  # Jalali text still works
            ["09121110003", "1991-08-03"],  # and Gregorian text
        ],
    )
    result = await cli("import", "members", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 0, result.output
    found = await members_by_mobile(db)
    assert found["+989121234567"].birth_date == date(1991, 8, 3)
    assert found["+989351112233"].birth_date == date(1985, 1, 20)
    assert found["+989121110001"].birth_date == date(1991, 8, 3)
    assert found["+989121110002"].birth_date == date(1991, 8, 3)
    assert found["+989121110003"].birth_date == date(1991, 8, 3)


BAD_PERSIAN_FILE = [
    ["موبایل", "کد ملی", "تاریخ تولد"],
    ["09121234567", "1111111111", "1370/05/12"],
    ["09351112233", "", "1499/01/01"],
    ["12345", "0012345678", ""],
]


async def test_a_persian_clubs_import_reports_its_problems_in_persian_with_persian_digits(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "اعضا.csv", BAD_PERSIAN_FILE, bom=True)
    result = await cli("import", "members", str(path), "--tenant", "alpha")  # the club speaks Persian
    assert result.exit_code == 1
    shown = " ".join(result.output.split())  # the terminal wraps long lines
    assert "سطر ۲، کد ملی: همهٔ رقم‌هایش یکسان است" in shown
    assert "سطر ۳، تاریخ تولد: تاریخ در آینده است" in shown
    assert "سطر ۴، موبایل: شماره موبایل معتبر نیست" in shown
    assert "فایل ۴ ایراد دارد؛ چیزی وارد نشد" in shown
    assert "line" not in shown and "problem" not in shown
    with (tmp_path / "اعضا.csv.errors.csv").open(encoding="utf-8-sig", newline="") as f:
        report = list(csv.reader(f))
    assert report[0] == ["سطر", "ستون", "ایراد"]
    assert [row[:2] for row in report[1:]] == [
        ["۲", "کد ملی"],
        ["۳", "تاریخ تولد"],
        ["۴", "موبایل"],
        ["۴", "کد ملی"],
    ]
    assert report[4][2] == "رقم کنترل کد ملی درست نیست"
    assert await count(db, Member) == 0


async def test_repeated_digits_and_a_birth_date_in_the_future_are_named_for_what_they_are(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "members.csv", BAD_PERSIAN_FILE)
    result = await cli("import", "members", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 1
    with (tmp_path / "members.csv.errors.csv").open(encoding="utf-8-sig", newline="") as f:
        report = list(csv.reader(f))
    assert report == [
        ["line", "column", "message"],
        [
            "2",
            "کد ملی (national_code)",
            "all its digits are the same: a code of one repeated digit is never a real national code",
        ],
        ["3", "تاریخ تولد (birth_date)", "the date is in the future"],
        ["4", "موبایل (mobile)", "not a valid mobile number"],
        ["4", "کد ملی (national_code)", "the check digit does not match"],
    ]


async def test_the_day_each_member_joined_is_kept_and_their_consent_is_dated_with_it(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    path = write_csv(
        tmp_path / "members.csv",
        [
            ["mobile", "sms_consent", "تاریخ عضویت"],
            ["09121234567", "1", "1404/03/24 13:45"],
            ["09351112233", "0", "2025-01-10"],
            ["09121110001", "1", ""],  # not known: joined now, with the import
        ],
    )
    result = await cli("import", "members", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 0, result.output
    found = await members_by_mobile(db)
    sara, reza, new = found["+989121234567"], found["+989351112233"], found["+989121110001"]
    assert sara.created_at == datetime(2025, 6, 14, 10, 15, tzinfo=UTC)  # 13:45 in Tehran
    assert sara.sms_consent_at == sara.created_at
    assert reza.created_at == datetime(2025, 1, 9, 20, 30, tzinfo=UTC) and reza.sms_consent_at is None
    assert new.sms_consent_at == new.created_at and (datetime.now(UTC) - new.created_at).total_seconds() < 600

    future = write_csv(tmp_path / "later.csv", [["mobile", "joined"], ["09121110002", "2999-01-01"]])
    result = await cli("import", "members", str(future), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 1
    assert "line 2, joined (created_at): the date is in the future" in result.output


async def test_a_jalali_year_typed_alone_as_a_number_is_refused_not_read_as_a_day_in_1903(
    db: Database, shop: Club, cli: Cli, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "members.xlsx", [["mobile", "birth_date"], ["09121234567", 1370]])
    result = await cli("import", "members", str(path), "--tenant", "alpha", "--lang", "en")
    assert result.exit_code == 1
    assert "line 2, birth_date: not a valid date" in " ".join(result.output.split())
    assert await count(db, Member) == 0
