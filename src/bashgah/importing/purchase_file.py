"""A purchases file read and checked with no database: one :class:`Sale` per good row, the problems
of the others (``importing.purchases`` writes the sales)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from bashgah.core.errors import InvalidInput
from bashgah.core.normalize import normalize_card_number, normalize_phone, normalize_reference
from bashgah.importing import values
from bashgah.importing.columns import MEMBER_REFS
from bashgah.importing.report import Line, Progress, RowError, Words, no_progress, reading, reason, say
from bashgah.importing.sources import Table
from bashgah.ledger import rules
from bashgah.members.cards import QR_PREFIX
from bashgah.models import utcnow

#: Rows read between two progress reports.
PROGRESS_EVERY = 20_000

_NO_MEMBER = Words(
    "give the member's mobile, card or member_id", "موبایل، شماره کارت یا شناسهٔ عضو را بنویسید"
)
_NO_BRANCH = Words("the branch code is missing", "کد شعبه نوشته نشده است")
_RECEIPT_LENGTH = Words(
    "the receipt number must be 1 to 64 characters", "شماره فاکتور باید ۱ تا ۶۴ نویسه باشد"
)
_FUTURE = Words("the date is in the future", "تاریخ در آینده است")


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
    for line, cells in reading(table.rows, table.size, progress, PROGRESS_EVERY):
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
    return ParsedPurchases(sales=sales, errors=errors, table=table)
