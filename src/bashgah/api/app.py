"""The FastAPI application: routers of every domain, one error handler, a privacy-safe access log."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from bashgah.api import errors
from bashgah.core.config import Settings, get_settings
from bashgah.core.db import Database
from bashgah.ledger.endpoints import router as ledger_router
from bashgah.members.endpoints import router as members_router
from bashgah.purchases.endpoints import router as purchases_router
from bashgah.redemptions.endpoints import router as redemptions_router
from bashgah.tenants.endpoints import router as tenants_router

access_log = logging.getLogger("bashgah.access")
#: Swagger UI's files, shipped by the fastapi-offline package so the docs page needs no internet.
SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def install_api_docs(app: FastAPI) -> None:
    """Interactive API docs at /docs, with Swagger UI served from the package (no CDN)."""
    app.mount("/static/api-docs", StaticFiles(directory=SWAGGER_ASSETS), name="api-docs")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Bashgah API",
            swagger_js_url="/static/api-docs/swagger-ui-bundle.js",
            swagger_css_url="/static/api-docs/swagger-ui.css",
            swagger_favicon_url="/static/api-docs/favicon.png",
        )


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    owns_db = db is None
    database = db or Database(settings.database_url, pool_size=settings.pool_size)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_db:
            await database.dispose()

    app = FastAPI(
        title="Bashgah",
        summary="Customer club (loyalty) API: members, points ledger, purchases, redemptions.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    errors.install(app)
    for router in (members_router, ledger_router, purchases_router, redemptions_router, tenants_router):
        app.include_router(router)

    @app.middleware("http")
    async def log_access(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # The path only: query strings carry phone numbers (member lookup) and must not reach the logs.
        started = time.perf_counter()
        response = await call_next(request)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %d %.1fms",
                request.method,
                request.url.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response

    install_api_docs(app)

    @app.get("/health", tags=["meta"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
