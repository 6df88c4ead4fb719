"""What every console page shares: who may read and who may change, rendering, errors, the one helper
that writes the audit log of a change a person made, and ``FormPage``, the shape of most pages: a list
with a form, shown again with the messages and what was typed when a change is refused. Reading the
fields is ``web.forms``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from bashgah.auth.sessions import StaffUser
from bashgah.core.errors import BashgahError, NotFound
from bashgah.core.normalize import to_persian_digits
from bashgah.web import audit, fmt
from bashgah.web.forms import text, values
from bashgah.web.guard import CONSOLE_ROLES, checked_form, database, require_staff
from bashgah.web.i18n import translator
from bashgah.web.render import finish, language, render

#: Roles that change things in the console; analysts only read (forms hidden, POSTs refused).
WRITERS = ("owner", "manager")

Reader = Annotated[StaffUser, Depends(require_staff(*CONSOLE_ROLES))]
Writer = Annotated[StaffUser, Depends(require_staff(*WRITERS))]


def page(request: Request, template: str, user: StaffUser, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``console/<template>``; ``can_write`` tells the template whether to show forms."""
    context.setdefault("section", template.split("/")[0].split(".")[0])
    lang = language(request, user)
    unit = user.money_unit
    context.setdefault("pct", lambda share: percent(share, lang))
    context.setdefault("discount_of", lambda kind, value: discount(kind, value, lang, unit))
    context.setdefault("signed_money", lambda rials: fmt.money_signed(rials, lang, unit))
    context.setdefault(
        "digits_of", lambda value: to_persian_digits(str(value)) if lang == "fa" else str(value)
    )
    return render(
        request,
        f"console/{template}",
        face="console",
        user=user,
        status=status,
        can_write=user.role in WRITERS,
        can_export=user.may_export,
        **context,
    )


def percent(share: float | None, lang: str) -> str:
    """``0.4235`` → ``۴۲٫۴٪`` / ``42.4%``; no share (nothing to divide by) → a dash."""
    if share is None:
        return "—"
    figure = fmt.number(Decimal(str(round(share * 100, 1))).normalize(), lang)
    return f"{figure}٪" if lang == "fa" else f"{figure}%"


#: An Excel workbook's media type, for the downloads that offer one.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(request: Request, body: bytes | str, filename: str) -> Response:
    """A file to save (CSV, or XLSX by its name), never cached, with the page's security headers."""
    kind = XLSX if filename.endswith(".xlsx") else "text/csv; charset=utf-8"
    response = Response(
        body, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
    finish(request, response)
    return response


def discount(kind: str, value: int, lang: str, unit: str) -> str:
    """A coupon's discount as a person reads it: ``۱۰٪`` for a percentage, the amount for a fixed one."""
    return percent(value / 100, lang) if kind == "percent" else fmt.money(value, lang, unit)


def done(path: str) -> RedirectResponse:
    """After a change: back to a page (POST → redirect → GET, so a reload does not repeat it)."""
    return RedirectResponse(path, status_code=303)


async def changed(
    session: AsyncSession,
    user: StaffUser,
    action: str,
    object_type: str,
    object_id: int | str | None,
    **summary: Any,
) -> None:
    """Every change a person makes through the console: one ``audit_log`` line in the same transaction
    (ids and figures only, never personal data)."""
    await audit.record(session, user.tenant_id, action, user.staff_id, object_type, object_id, **summary)


def known_rules(_: Callable[..., str]) -> dict[str, str]:
    """The schemas' own rules (their ``ValueError`` texts) as the console words them, in the page language."""
    return {
        "name skus, categories or brands": _("Name product codes, categories or brands."),
        "from_hour and to_hour must differ": _("The first and last hour must differ."),
        "give from_hour and to_hour together": _("Give the first and the last hour together."),
        "ends_at must be after starts_at": _("The last day must come after the first."),
        "a limit caps awards or points": _("A limit caps awards or points."),
        "rule keys must be unique within a campaign": _("Each rule of a campaign needs its own name."),
        "level codes must be unique": _("Each level needs its own code."),
        "each level needs its own threshold": _("Each level needs its own threshold."),
        "the entry level's threshold must be 0": _("The first level must start from 0."),
        "give either code (one universal code) or count (generated unique codes)": _(
            "Give either one shared code or a number of codes to generate, not both."
        ),
        "a percent discount is at most 100": _("A percentage discount is at most 100."),
        "max_discount_rials caps percent discounts only": _("Only a percentage discount has a cap."),
        "valid_until must be after valid_from": _("The end must come after the start."),
        "a discount_amount reward needs discount_rials": _("A discount reward needs its amount."),
        "a discount_percent reward needs discount_percent and max_discount_rials": _(
            "A percentage reward needs its percentage and its cap."
        ),
        "a free_product reward needs a sku": _("A free product reward needs the product's code."),
        "a physical_gift reward needs its stock": _("A gift needs its stock."),
        "a partner_voucher's stock is the codes uploaded to its pool": _(
            "A partner voucher's stock is the codes uploaded for it."
        ),
        "a chosen code makes one card: leave count at 1": _(
            "A chosen code makes one card: leave the number of cards at 1."
        ),
        "must not be zero": _("must not be zero"),
        "a reason of at least 3 characters is required": _("needs a reason of at least 3 characters"),
        "give exactly one of id, phone or card": _("Give the member's mobile or card number."),
    }


def missing(
    request: Request, user: StaffUser, error: Exception, status: int = 404, **context: Any
) -> HTMLResponse:
    """The console's "not found" page for ``error``, in the page's language and the club's unit."""
    lang = language(request, user)
    return page(
        request,
        "missing.html",
        user,
        status=status,
        errors=problems(error, lang, unit=user.money_unit),
        **context,
    )


T = TypeVar("T")


async def read_or_missing(
    request: Request, user: StaffUser, read: Callable[[AsyncSession], Awaitable[T]], section: str
) -> T | HTMLResponse:
    """What ``read`` reads in one transaction, or the "not found" page (under ``section`` of the nav)
    when what it asks for is not there."""
    try:
        async with database(request).transaction() as session:
            return await read(session)
    except NotFound as error:
        return missing(request, user, error, section=section)


def problems(error: Exception, lang: str, labels: dict[str, str] | None = None, *, unit: str) -> list[str]:
    """Messages a person can act on, in the page language: a domain error's own message with its figures
    written like the page's (the club's money ``unit``), or one line per field a schema refused
    (``labels`` names the fields the way the form does)."""
    if isinstance(error, BashgahError):
        return [fmt.error(error, lang, unit)]
    if not isinstance(error, ValidationError):
        raise error
    _ = translator(lang, "console")
    labels = labels or {}
    found = []

    def figure(value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return fmt.number(value, lang)
        return to_persian_digits(str(value)) if lang == "fa" else str(value)

    for e in error.errors():
        where = ".".join(str(p) for p in e.get("loc", ()))
        loc = [str(p) for p in e.get("loc", ())]
        field = (
            labels.get(where)
            or (labels.get(loc[-1]) if loc else None)
            or (labels.get(loc[0]) if loc else None)
            or where
            or _("The form")
        )
        context = e.get("ctx") or {}
        kind = e.get("type", "")
        if kind == "missing":
            reason = _("is required")
        elif kind == "string_too_short":
            reason = _("is too short (at least %(n)s characters)", n=figure(context.get("min_length")))
        elif kind == "string_too_long":
            reason = _("is too long (at most %(n)s characters)", n=figure(context.get("max_length")))
        elif kind == "greater_than":
            reason = _("must be more than %(n)s", n=figure(context.get("gt")))
        elif kind == "greater_than_equal":
            reason = _("must be at least %(n)s", n=figure(context.get("ge")))
        elif kind == "less_than":
            reason = _("must be less than %(n)s", n=figure(context.get("lt")))
        elif kind == "less_than_equal":
            reason = _("must be at most %(n)s", n=figure(context.get("le")))
        elif kind in ("int_parsing", "int_type", "int_from_float", "decimal_parsing", "decimal_type"):
            reason = _("must be a number")
        elif kind in ("too_short",):
            reason = _("needs at least %(n)s entries", n=figure(context.get("min_length")))
        elif kind == "json_invalid":
            reason = _("is not valid JSON")
        elif kind == "extra_forbidden":
            reason = _("is not a known field")
        elif kind in ("literal_error", "enum", "union_tag_invalid"):
            reason = _("is not one of the allowed values")
        elif kind == "value_error":
            detail = str(e.get("msg", "")).removeprefix("Value error, ")
            rule = known_rules(_).get(detail)
            if rule is not None and rule.endswith("."):
                found.append(rule)  # a rule across fields: its own sentence is the message
                continue
            reason = rule or _("is not valid (%(detail)s)", detail=detail)
        else:
            reason = _("is not valid (%(detail)s)", detail=e.get("msg", ""))
        found.append(_("%(field)s %(reason)s", field=field, reason=reason))
    return found


Step = Callable[[AsyncSession], Awaitable[Any]]
#: Saves a new thing (``None``) or a change to the one with this id, from the form sent.
Save = Callable[[Request, StaffUser, int | None], Awaitable[Response]]


def saving(router: APIRouter, save: Save) -> None:
    """Route POST of ``router``'s own path (a new one) and of ``/{item_id}`` (a change to one) to ``save``,
    for writers: the editors whose form is the same for both."""

    async def create(request: Request, user: Writer) -> Response:
        return await save(request, user, None)

    async def update(request: Request, user: Writer, item_id: int) -> Response:
        return await save(request, user, item_id)

    router.add_api_route("", create, methods=["POST"], response_class=HTMLResponse, name="create")
    router.add_api_route("/{item_id}", update, methods=["POST"], response_class=HTMLResponse, name="update")


async def attempt(
    request: Request,
    user: StaffUser,
    build: Callable[[], Step],
    again: Callable[[list[str]], Awaitable[Response]],
    success: str,
    labels: dict[str, str] | None = None,
) -> Response:
    """One change in one transaction: ``build`` reads the form (it may refuse it), the step it returns
    does the work. A refusal shows the page again through ``again`` with the messages; the transaction
    has rolled back, so nothing is half-saved. Success redirects to ``success``."""
    lang = language(request, user)
    try:
        step = build()
        async with database(request).transaction() as session:
            await step(session)
    except (BashgahError, ValidationError) as error:
        return await again(problems(error, lang, labels, unit=user.money_unit))
    except IntegrityError:
        _ = translator(lang, "console")
        return await again([_("This conflicts with existing data; nothing was saved.")])
    return done(success)


def lang_of(request: Request, user: StaffUser) -> str:
    return language(request, user)


def N_(message: str) -> str:
    """Marks a message for the catalogue in a table built before any page language is known (the labels
    of a form's fields); it is translated where it is shown."""
    return message


#: Fields named alike on the club's forms, as a refusal names them (a page's own ``labels`` come first).
FIELD_LABELS = {
    "name": N_("Name"),
    "name_fa": N_("Name (Persian)"),
    "name_en": N_("Name (English)"),
    "code": N_("Code"),
    "prefix": N_("Prefix"),
    "points": N_("Points"),
    "reward_id": N_("Reward"),
    "max_discount_rials": N_("Discount cap"),
}


@dataclass(frozen=True)
class Sent:
    """A form sent to change something: who sent it, in which language, the fields as typed (``typed``,
    shown again on a refusal) and the whole form (for lists such as ticked boxes)."""

    user: StaffUser
    lang: str
    typed: dict[str, Any]
    form: FormData


#: What a page shows, read in one transaction: ``load(session, user, lang, **params)`` returns the
#: template's context (display-ready values), with the form's starting values under ``typed``.
Loader = Callable[..., Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class FormPage:
    """A console page with a form on it. ``show`` renders ``template`` with what ``load`` read and the
    form as loaded (or as typed, with the messages, status 422); ``submit`` makes one change (``attempt``)
    and on a refusal shows the page again; ``act`` is a change that reads nothing from the form (a switch,
    a revoke). After a change the page says "Saved." (``?done=1`` on ``done``, where a change goes)."""

    template: str
    load: Loader
    done: str
    #: The form's fields as a refusal names them (``N_``-marked, translated in the page's language).
    labels: Mapping[str, str] = field(default_factory=dict)
    section: str = "club"

    async def show(
        self,
        request: Request,
        user: StaffUser,
        typed: dict[str, Any] | None = None,
        errors: list[str] | None = None,
        **params: Any,
    ) -> Response:
        lang = lang_of(request, user)
        _ = translator(lang, "console")
        try:
            async with database(request).transaction() as session:
                context = await self.load(session, user, lang, **params)
        except BashgahError as error:
            return missing(request, user, error, status=error.status)
        status = context.pop("status", 200)
        if typed is not None:
            context["typed"] = typed
        return page(
            request,
            self.template,
            user,
            section=self.section,
            status=422 if errors else status,
            errors=errors or [],
            notice=_("Saved.") if request.query_params.get("done") else None,
            **context,
        )

    async def submit(
        self,
        request: Request,
        user: StaffUser,
        build: Callable[[], Step],
        typed: dict[str, Any] | None,
        labels: Mapping[str, str] | None = None,
        success: str | None = None,
        **params: Any,
    ) -> Response:
        """``build`` reads ``typed`` (it may refuse it) and returns the step that makes the change;
        ``labels`` names the fields a schema may refuse (``N_``-marked, translated here)."""
        _ = translator(lang_of(request, user), "console")

        async def again(errors: list[str]) -> Response:
            return await self.show(request, user, typed, errors, **params)

        table = {**FIELD_LABELS, **self.labels} if labels is None else labels
        named = {name: _(label) for name, label in table.items()}
        return await attempt(request, user, build, again, success or self.done, named)

    async def save(
        self,
        request: Request,
        user: StaffUser,
        fields: Sequence[str],
        build: Callable[[Sent], Step],
        keep_typed: bool = True,
        **params: Any,
    ) -> Response:
        """A change from this page's form: the CSRF token checked, ``fields`` read as typed, and
        ``build`` (which may refuse them) returning the step ``submit`` runs. A refusal shows what was
        typed again unless ``keep_typed`` is false (the form as loaded)."""
        form = await checked_form(request, user)
        sent = Sent(user, lang_of(request, user), values(form, *fields), form)
        again = sent.typed if keep_typed else None
        return await self.submit(request, user, lambda: build(sent), again, **params)

    def serve(self, router: APIRouter, name: str, item: str | None = None) -> None:
        """Route GET of ``router``'s own path (``name`` for the route) to the page, for readers; with
        ``item`` (the name ``load`` takes an id by), also GET of ``/{item_id}``: the page with that one
        in its editor."""

        async def show(request: Request, user: Reader) -> Response:
            return await self.show(request, user)

        async def show_one(request: Request, user: Reader, item_id: int) -> Response:
            one: dict[str, Any] = {str(item): item_id}
            return await self.show(request, user, **one)

        router.add_api_route("", show, methods=["GET"], response_class=HTMLResponse, name=name)
        if item is not None:
            router.add_api_route(
                "/{item_id}", show_one, methods=["GET"], response_class=HTMLResponse, name=f"{name}_one"
            )

    async def switch(
        self, request: Request, user: StaffUser, turn: Callable[[AsyncSession, bool], Awaitable[None]]
    ) -> Response:
        """Switch one thing off (``active=0``: a reward, a coupon batch, a yearly gift) or on again."""
        form = await checked_form(request, user)
        active = text(form, "active") == "1"
        return await self.act(request, user, lambda session: turn(session, active))

    async def act(
        self, request: Request, user: StaffUser, step: Step, success: str | None = None
    ) -> Response:
        return await self.submit(request, user, lambda: step, None, success=success)
