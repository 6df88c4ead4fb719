"""The FastAPI application: routers of every domain, one error handler, a privacy-safe access log."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bashgah.analytics.endpoints import router as reports_router
from bashgah.api import errors, openapi
from bashgah.api.boundary import RequestLimits, guard_input
from bashgah.core.config import Settings, get_settings
from bashgah.core.db import Database
from bashgah.coupons.endpoints import members_router as member_coupons_router
from bashgah.coupons.endpoints import router as coupons_router
from bashgah.giftcards.endpoints import router as gift_cards_router
from bashgah.jobs.scheduler import Scheduler
from bashgah.members.endpoints import router as members_router
from bashgah.notices.endpoints import router as notices_router
from bashgah.occasions.endpoints import router as occasions_router
from bashgah.points.endpoints import router as points_router
from bashgah.programme.endpoints import campaigns_router, events_router
from bashgah.purchases.endpoints import router as purchases_router
from bashgah.redemptions.endpoints import router as redemptions_router
from bashgah.rewards.endpoints import router as rewards_router
from bashgah.segments.endpoints import router as segments_router
from bashgah.stamps.endpoints import router as stamps_router
from bashgah.tenants.endpoints import router as tenants_router
from bashgah.tiers.endpoints import router as tiers_router
from bashgah.wallet.endpoints import router as wallet_router
from bashgah.web.pages import install as install_web
from bashgah.web.render import StrictTransport

access_log = logging.getLogger("bashgah.access")
#: Swagger UI's files, shipped by the fastapi-offline package so the docs page needs no internet.
SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def configure_logging(settings: Settings) -> None:
    """Send Bashgah's own log lines to stderr at the configured level (once per process)."""
    root = logging.getLogger("bashgah")
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    access_log.setLevel(logging.INFO if settings.access_log else logging.WARNING)


class AccessLog:
    """Logs method, path, status and time of each request — the path only: query strings carry phone
    numbers (member lookup) and must not reach the logs. Plain ASGI, so it costs next to nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            access_log.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )


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

    run_jobs = settings.scheduler if settings.scheduler is not None else database.is_sqlite

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        scheduler = Scheduler(database, settings.scheduler_minutes * 60) if run_jobs else None
        if scheduler is not None:
            scheduler.start()
        app.state.scheduler = scheduler
        try:
            yield
        finally:
            if scheduler is not None:
                await scheduler.stop()
            if owns_db:
                await database.dispose()

    app = FastAPI(
        title="Bashgah",
        summary="Customer club (loyalty) API: members, points ledger, purchases, redemptions.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(guard_input)],
    )
    configure_logging(settings)
    app.state.settings = settings
    app.state.db = database
    app.state.scheduler = None
    errors.install(app)
    for router in (
        members_router,
        points_router,
        purchases_router,
        redemptions_router,
        tenants_router,
        campaigns_router,
        events_router,
        reports_router,
        tiers_router,
        segments_router,
        coupons_router,
        member_coupons_router,
        rewards_router,
        occasions_router,
        notices_router,
        stamps_router,
        wallet_router,
        gift_cards_router,
    ):
        app.include_router(router)
    openapi.install(app)

    app.add_middleware(RequestLimits)
    app.add_middleware(AccessLog)
    if settings.secure_cookies:
        app.add_middleware(StrictTransport, seconds=settings.hsts_seconds)

    install_api_docs(app)
    install_web(app)

    @app.get("/health", tags=["meta"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
