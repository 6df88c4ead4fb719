"""The columns of import and export files, and the header names people use for them.

A header is matched after folding case, digits, Arabic/Persian letter forms, ZWNJ, spaces, underscores
and punctuation, so «نام‌خانوادگی», «نام خانوادگی», ``Last Name`` and ``last_name`` are one column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bashgah.core.normalize import search_key


@dataclass(frozen=True)
class Column:
    #: The canonical name, used in English headers, error reports and code.
    name: str
    #: The Persian header written by ``export --lang fa``.
    fa: str
    #: Other names accepted on import.
    aliases: tuple[str, ...] = ()
    required: bool = False
    #: Written by export for people to read, ignored on import (e.g. the points balance).
    export_only: bool = False
    #: Holds a day or an instant: a spreadsheet's bare serial number in it is a date (see sources).
    is_date: bool = False


MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("member_id", "شناسه عضو", ("id",), export_only=True),
    Column(
        "mobile",
        "موبایل",
        ("phone", "mobile_number", "cell", "تلفن همراه", "شماره موبایل", "شماره همراه", "همراه"),
        required=True,
    ),
    Column("first_name", "نام", ("firstname", "given name")),
    Column("last_name", "نام خانوادگی", ("lastname", "surname", "family name", "family", "فامیل", "فامیلی")),
    Column("birth_date", "تاریخ تولد", ("birthday", "birthdate", "date of birth", "تولد"), is_date=True),
    Column("gender", "جنسیت", ("sex", "جنس")),
    Column("national_code", "کد ملی", ("national_id", "melli code", "کدملی", "شماره ملی")),
    Column("email", "ایمیل", ("e-mail", "mail", "پست الکترونیک", "رایانامه")),
    Column("tags", "برچسب‌ها", ("tag", "labels", "برچسب")),
    Column("sms_consent", "رضایت پیامک", ("sms", "consent", "اجازه پیامک", "پیامک")),
    Column("email_consent", "رضایت ایمیل", ("اجازه ایمیل",)),
    Column("card_number", "شماره کارت", ("card", "کارت", "کارت عضویت")),
    Column("branch", "شعبه", ("branch_code", "کد شعبه", "شعبه عضویت")),
    Column("status", "وضعیت", export_only=True),
    Column("points", "امتیاز", ("balance",), export_only=True),
    # When the member joined (enrolment): a club's own history keeps it; left out, the import's time.
    Column(
        "created_at",
        "تاریخ عضویت",
        ("joined", "joined_at", "enrolled", "enrolled_at", "member_since", "عضویت", "زمان عضویت"),
        is_date=True,
    ),
)

PURCHASE_COLUMNS: tuple[Column, ...] = (
    Column("purchase_id", "شناسه خرید", export_only=True),
    Column("branch", "شعبه", ("branch_code", "store", "کد شعبه", "فروشگاه"), required=True),
    Column(
        "external_id",
        "شماره فاکتور",
        ("receipt", "receipt_number", "invoice", "invoice_number", "order_id", "فاکتور", "شماره رسید"),
        required=True,
    ),
    Column("mobile", "موبایل", ("phone", "تلفن همراه", "شماره موبایل", "شماره همراه")),
    Column("card", "شماره کارت", ("card_number", "کارت", "کارت عضویت")),
    Column("member_id", "شناسه عضو", ("member",)),
    Column(
        "total_rials",
        "مبلغ",
        ("total", "amount", "amount_rials", "مبلغ ریال", "مبلغ کل", "مبلغ فاکتور", "جمع"),
        required=True,
    ),
    Column(
        "occurred_at",
        "تاریخ",
        ("date", "datetime", "time", "purchase_date", "زمان", "تاریخ خرید", "تاریخ و ساعت"),
        required=True,
        is_date=True,
    ),
    Column("redeem_points", "امتیاز مصرفی", ("redeemed_points", "points_redeemed", "امتیاز مصرف شده")),
    Column("discount_rials", "تخفیف", export_only=True),
    Column("points_earned", "امتیاز کسب‌شده", export_only=True),
    Column("refunded_rials", "مبلغ مرجوعی", export_only=True),
)

#: Purchases name their member by exactly one of these (the first non-empty one in this order wins).
MEMBER_REFS = ("member_id", "card", "mobile")

LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("transfer_id", "شناسه تراکنش"),
    Column("created_at", "زمان"),
    Column("code", "نوع"),
    Column("amount", "امتیاز"),
    Column("debit_account", "حساب بدهکار"),
    Column("credit_account", "حساب بستانکار"),
    Column("member_id", "شناسه عضو"),
    Column("mobile", "موبایل"),
    Column("ref_type", "مرجع"),
    Column("ref_id", "شناسه مرجع"),
    Column("reason", "شرح"),
    Column("actor", "انجام‌دهنده"),
)

_NOT_WORD = re.compile(r"[\W_]+")


def header_key(header: str) -> str:
    """The form of a header used for matching: folded, without spaces or punctuation."""
    return _NOT_WORD.sub("", search_key(header.replace("\ufeff", "")))


def header_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Every accepted header form → its column."""
    index: dict[str, Column] = {}
    for column in columns:
        for name in (column.name, column.fa, *column.aliases):
            index[header_key(name)] = column
    return index
