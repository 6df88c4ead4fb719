"""What a request must be before any use case sees it.

Two guards, each in one place for the API and the pages alike:

* :class:`RequestLimits` (ASGI middleware) runs before the body is read: an API call that carries a body
  but no valid key is answered 401 at once (a call without a body is authenticated by its use case,
  before any work), and a body larger than the configured cap is answered 413 — on its
  ``Content-Length`` and again while it streams in, so a large body never sits in memory.
* :func:`guard_input` (an app-wide dependency) runs before the endpoint's own parameters are validated:
  a NUL character in any text (path, query, JSON body) and a whole number beyond the signed 64-bit range
  (an id or an amount no column can hold) are clear 422s instead of database errors.
"""

from __future__ import annotations

import math
import types
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bashgah.auth.service import authenticate
from bashgah.core.db import Database
from bashgah.core.errors import BashgahError, NulCharacter, NumberOutOfRange, PayloadTooLarge, Unauthorized

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
NUL = "\x00"


def key_from(headers: Headers) -> str | None:
    """The API key of a request: ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return headers.get("x-api-key") or None


class RequestLimits:
    """Authenticate API calls and cap request bodies before a byte of the body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        headers = Headers(scope=scope)
        if scope["path"].startswith("/api/") and _has_body(headers):
            refused = await _unauthorised(app.state.db, key_from(headers))
            if refused is not None:
                await _answer(scope, send, refused)
                return
        settings = app.state.settings
        multipart = headers.get("content-type", "").lower().startswith("multipart/form-data")
        limit: int = settings.max_upload_bytes if multipart else settings.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(scope, send, PayloadTooLarge(limit))
            return

        received = 0
        cut_off = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, cut_off
            if cut_off:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut_off = True
                    if not started:
                        await _answer(scope, send, PayloadTooLarge(limit))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if cut_off:
                return  # the 413 is the answer; the app's reaction to the cut-off body is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


def _has_body(headers: Headers) -> bool:
    return headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers


async def _unauthorised(db: Database, key: str | None) -> BashgahError | None:
    if not key:
        return Unauthorized()
    try:
        async with db.transaction() as session:
            await authenticate(session, key)
    except BashgahError as error:
        return error
    return None


async def _answer(scope: Scope, send: Send, error: BashgahError) -> None:
    """Answer with the app's own error rendering (JSON for the API, a page for the pages)."""
    app = scope["app"]
    request = Request(scope)
    handler = app.exception_handlers[BashgahError]
    response: Response = await handler(request, error)
    response.headers["connection"] = "close"

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)


# --- guard_input ----------------------------------------------------------------------------------------


async def guard_input(request: Request) -> None:
    """Refuse NUL characters and out-of-range whole numbers anywhere in a request's input."""
    route = request.scope.get("route")
    whole = _int_params(route) if isinstance(route, APIRoute) else frozenset()
    for name, value in (*request.path_params.items(), *request.query_params.multi_items()):
        check_text(name, value)
        if name in whole:
            _check_int_text(name, value)
    if isinstance(route, APIRoute) and route.body_field is not None and _is_json(request):
        try:
            body = await request.json()
        except ValueError:
            return  # FastAPI has already answered a body that is not JSON
        check_value(body, "")


def check_text(field: str, value: str) -> None:
    if NUL in value:
        raise NulCharacter(field)


def check_value(value: Any, where: str) -> None:
    """Walk a parsed JSON value: no NUL in any text or key, no number beyond the 64-bit range."""
    if isinstance(value, str):
        check_text(where or "body", value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise NumberOutOfRange(where or "body")
    elif isinstance(value, float):
        if math.isfinite(value) and abs(value) > INT64_MAX:
            raise NumberOutOfRange(where or "body")
    elif isinstance(value, dict):
        for name, item in value.items():
            check_text(where or "body", name)
            check_value(item, f"{where}.{name}" if where else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, f"{where}[{index}]")


def _check_int_text(field: str, value: str) -> None:
    try:
        number = int(value)
    except ValueError:
        return  # not a number at all: the endpoint's own validation says so
    if not INT64_MIN <= number <= INT64_MAX:
        raise NumberOutOfRange(field)


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").lower()
    return "json" in content_type


_CACHE_ATTR = "_bashgah_int_params"


def _int_params(route: APIRoute) -> frozenset[str]:
    """Names of the route's path and query parameters declared as whole numbers (cached per route)."""
    known: frozenset[str] | None = getattr(route, _CACHE_ATTR, None)
    if known is not None:
        return known
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        for param in (*dependant.path_params, *dependant.query_params):
            if _is_int(param.field_info.annotation):
                names.add(param.alias)
        pending.extend(dependant.dependencies)
    found = frozenset(names)
    setattr(route, _CACHE_ATTR, found)
    return found


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_int(arg) for arg in get_args(annotation))
    return False
