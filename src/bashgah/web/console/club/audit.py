"""The audit log: every change a person made through the web pages, newest first, in words
(``console.audit_view``), a page at a time, filtered by the person, the kind of action and the days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bashgah.audit import repository
from bashgah.core.errors import BashgahError
from bashgah.core.jalali import TEHRAN
from bashgah.staff import service as staff
from bashgah.web.console import audit_view
from bashgah.web.console.common import Reader, lang_of, page, problems
from bashgah.web.forms import typed_day
from bashgah.web.guard import database
from bashgah.web.i18n import translator

router = APIRouter(prefix="/console/club/audit", include_in_schema=False)
AUDIT_PAGE = 200


def _number(raw: str) -> int | None:
    """An id from the query string, or None when it is not one."""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=TEHRAN) if day is not None else None


@router.get("", response_class=HTMLResponse)
async def audit_log(
    request: Request,
    user: Reader,
    before: str = "",
    who: str = "",
    what: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    """Filtered by the person, the kind of action and the days (Jalali or Gregorian)."""
    lang = lang_of(request, user)
    _ = translator(lang, "console")
    typed = {"who": who, "what": what, "since": since, "until": until}
    errors: list[str] = []
    try:
        first = typed_day(since.strip(), "From", "از روز")
        last = typed_day(until.strip(), "Until", "تا روز")
    except BashgahError as error:
        errors, first, last = problems(error, lang, unit=user.money_unit), None, None
    where = repository.Filter(
        since=_start(first),
        until=_start(last + timedelta(days=1) if last is not None else None),
        who=_number(who),
        what=what[:64] or None,
        before=_number(before),
    )
    async with database(request).transaction() as session:
        found = await repository.lines(session, user.tenant_id, where, AUDIT_PAGE + 1)
        lines = await audit_view.rows(session, user.tenant_id, found[:AUDIT_PAGE], lang, user.money_unit)
        people = await staff.list_staff(session, user.tenant_id)
    older = None
    if len(found) > AUDIT_PAGE:
        older = "/console/club/audit?" + urlencode(
            {**{k: v for k, v in typed.items() if v}, "before": lines[-1].id}
        )
    return page(
        request,
        "club/audit.html",
        user,
        section="club",
        lines=lines,
        older=older,
        typed=typed,
        people=[(str(p.id), p.full_name) for p in people],
        actions=sorted(audit_view.action_names(_).items(), key=lambda pair: pair[1]),
        errors=errors,
        filtered=any(typed.values()),
        notice=_("Saved.") if request.query_params.get("done") else None,
    )
