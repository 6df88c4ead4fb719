"""What every endpoint needs: the caller's language and key, and one transaction per use case."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bashgah.auth.service import Principal, authenticate
from bashgah.core.db import Database, error_kind, is_transient
from bashgah.core.errors import BashgahError, Busy, Forbidden, IdempotencyKeyRequired, Unauthorized
from bashgah.idempotency import service as idempotency

T = TypeVar("T")
log = logging.getLogger("bashgah.api")

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="or X-API-Key: <API key>")


def negotiate_language(header: str | None, default: str = "fa") -> str:
    """Pick fa or en from an Accept-Language header, honouring q-values."""
    if not header:
        return default
    best, best_q = default, -1.0
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower()[:2]
        if lang in ("fa", "en") and q > best_q:
            best, best_q = lang, q
    return best


def language(request: Request) -> str:
    return negotiate_language(
        request.headers.get("accept-language"), request.app.state.settings.default_language
    )


async def api_key(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> str | None:
    return bearer.credentials if bearer else header


ApiKeyDep = Annotated[str | None, Depends(api_key)]
LangDep = Annotated[str, Depends(language)]
IdempotencyKeyDep = Annotated[str | None, Header(alias="Idempotency-Key")]


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def in_transaction(request: Request, unit: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``unit`` in one transaction, committed on success.

    A transient conflict (serialisation failure, deadlock, lock timeout; SQLite busy) rolls everything
    back, so the whole unit runs again, up to ``transaction_retries`` times; if it persists the caller
    gets 409 ``busy`` (try again).
    """
    db = database(request)
    retries: int = request.app.state.settings.transaction_retries
    attempt = 0
    while True:
        try:
            async with db.transaction() as session:
                return await unit(session)
        except DBAPIError as error:
            if not is_transient(error):
                raise
            if attempt >= retries:
                log.warning(
                    "transient database conflict (%s) on %s %s persisted after %d retries",
                    error_kind(error),
                    request.method,
                    request.url.path,
                    retries,
                )
                raise Busy() from error
            attempt += 1
            log.warning(
                "transient database conflict (%s) on %s %s; running it again (%d of %d)",
                error_kind(error),
                request.method,
                request.url.path,
                attempt,
                retries,
            )
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))


async def run(
    request: Request,
    key: str | None,
    work: Callable[[AsyncSession, Principal], Awaitable[T]],
    roles: tuple[str, ...] = (),
) -> T:
    """Authenticate and run ``work`` in one transaction, committed before the response is sent. With
    ``roles``, a caller of another role is refused (403) before ``work`` runs."""

    async def unit(session: AsyncSession) -> T:
        who = await authenticate(session, key)
        if roles:
            who.require(*roles)
        return await work(session, who)

    return await in_transaction(request, unit)


async def run_idempotent(
    request: Request,
    key: str | None,
    idempotency_key: str | None,
    body: BaseModel | None,
    work: Callable[[AsyncSession, Principal], Awaitable[BaseModel]],
    status_code: int = 201,
    required: bool = True,
) -> Any:
    """Like :func:`run`, but a repeated ``Idempotency-Key`` replays the first response."""
    if idempotency_key is None:
        if required:
            raise IdempotencyKeyRequired()
        result = await run(request, key, work)
        return JSONResponse(result.model_dump(mode="json"), status_code=status_code)
    idem = idempotency.check_key(idempotency_key)
    fp = idempotency.fingerprint(
        request.method, request.url.path, body.model_dump(mode="json") if body is not None else None
    )

    async def unit(session: AsyncSession) -> Any:
        who = await authenticate(session, key)
        payload = (await work(session, who)).model_dump(mode="json")
        await idempotency.remember(session, who, idem, fp, status_code, payload)
        return payload

    try:
        payload = await in_transaction(request, unit)
        return FastJSON(payload, status_code=status_code)
    except (Unauthorized, Forbidden):
        raise  # never answer a caller who may not do this with someone else's stored response
    except (IntegrityError, BashgahError):
        # The key was not looked up first (that would cost every sale a query). So a repeated request
        # runs again and fails — on the stored key, the receipt number, an emptied balance… — and its
        # effects are rolled back; the stored response of the first one is the answer.
        async with database(request).transaction() as session:
            who = await authenticate(session, key)
            prior = await idempotency.replay(session, who, idem, fp)
        if prior is None:
            raise
        return _replayed(prior)


def _replayed(prior: tuple[int, Any]) -> JSONResponse:
    return FastJSON(prior[1], status_code=prior[0], headers={"Idempotent-Replayed": "true"})


class FastJSON(JSONResponse):
    """JSON rendered by orjson: the sale's answer is on the hot path."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
