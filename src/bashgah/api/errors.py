"""One place that turns errors into ``{"error": {"code", "message"}}`` in the caller's language."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from bashgah.core.db import constraint_name
from bashgah.core.errors import BashgahError
from bashgah.http.deps import language

log = logging.getLogger("bashgah.api")


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorInfo(BaseModel):
    #: Stable, machine-readable: ``not_found``, ``insufficient_points``, ``validation_error``…
    code: str
    #: For a person, in the language the caller asked for (Accept-Language).
    message: str
    #: Only for ``validation_error``: each field and what is wrong with it.
    details: list[ErrorDetail] | None = None


class ErrorResponse(BaseModel):
    """Every error the API answers: ``{"error": {"code", "message"}}``."""

    error: ErrorInfo


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **extra}}


def install(app: FastAPI) -> None:
    @app.exception_handler(BashgahError)
    async def _domain(request: Request, exc: BashgahError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message(language(request))), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        fields = "، ".join(p["field"] or "body" for p in problems)
        if language(request) == "fa":
            message = f"درخواست نامعتبر است؛ این بخش‌ها را بررسی کنید: {fields}"
        else:
            message = "Invalid request: " + "; ".join(
                f"{p['field'] or 'body'}: {p['problem']}" for p in problems
            )
        return JSONResponse(error_body("validation_error", message, details=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        fa = language(request) == "fa"
        if exc.status_code == 404:
            body = error_body("not_found", "این نشانی وجود ندارد." if fa else "No such address.")
        elif exc.status_code == 405:
            body = error_body(
                "method_not_allowed", "این روش برای این نشانی مجاز نیست." if fa else "Method not allowed."
            )
        else:
            body = error_body("http_error", str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        fa = language(request) == "fa"
        # The constraint's name tells which rule a concurrent request broke; never the values (they may
        # be a phone number or a national code).
        log.warning(
            "integrity conflict on %s %s: constraint %s",
            request.method,
            request.url.path,
            constraint_name(exc),
        )
        message = (
            "این تغییر با دادهٔ موجود تداخل دارد؛ دوباره تلاش کنید."
            if fa
            else "This conflicts with existing data; try again."
        )
        return JSONResponse(error_body("conflict", message), status_code=409)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect) -> Response:
        # The client left (or its body was cut off at the size limit, and it has had its 413): nobody
        # reads this answer, and it is no error of ours.
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        fa = language(request) == "fa"
        message = "خطای داخلی رخ داد؛ چیزی ذخیره نشد." if fa else "Internal error; nothing was saved."
        return JSONResponse(error_body("internal_error", message), status_code=500)
