"""The application factory: everything a running Ruche is made of, wired once."""

import asyncio
import gc
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from scim2_models import SCIMException
from sqlalchemy import text

from app.api import (
    admin,
    auth,
    calendar,
    charter,
    compose,
    events,
    feed,
    files,
    ideas,
    invitations,
    live,
    me,
    notifications,
    people,
    posts,
    scim,
    scim_v2,
    search,
    space_files,
    spaces,
    tasks,
    webhooks,
    wiki,
)
from app.api.deps import CSRF_FIELD, CSRF_HEADER
from app.api.errors import install_error_handlers
from app.api.openapi import install_api_document, operation_id
from app.api.scim_errors import on_scim_error
from app.config import PROJECT_ROOT, Settings
from app.db import Database
from app.files.store import open_store
from app.jobs import run_deliveries_forever, run_jobs_forever
from app.middleware import (
    BodyLimitMiddleware,
    FormTokenMiddleware,
    LanguageMiddleware,
    SecurityHeadersMiddleware,
)
from app.migrate import current_revision, head_revision
from app.realtime.broker import announce_commits, create_broker
from app.realtime.hub import Hub
from app.services.files.attachments import MAX_ATTACHMENTS
from app.web import admin as web_admin
from app.web import api_docs
from app.web import audit as web_audit
from app.web import calendar as web_calendar
from app.web import directory as web_directory
from app.web import feed as web_feed
from app.web import ideas as web_ideas
from app.web import invitations as web_invitations
from app.web import mail as web_mail
from app.web import notifications as web_notifications
from app.web import oidc as web_oidc
from app.web import people as web_people
from app.web import posts as web_posts
from app.web import routes as web_routes
from app.web import scim as web_scim
from app.web import search as web_search
from app.web import space_files as web_space_files
from app.web import spaces as web_spaces
from app.web import tasks as web_tasks
from app.web import theme as web_theme
from app.web import tour as web_tour
from app.web import webhooks as web_webhooks
from app.web import wiki as web_wiki
from app.web.form_errors import install_form_errors
from app.web.pages import Pages

MAX_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Everything imported and built so far lives as long as the process: out of
        # the collector's sight, so that a full collection scans only what came
        # after (connections, requests), not the whole framework each time.
        gc.collect()
        gc.freeze()
        app.state.hub.start()
        loops = []
        if settings.jobs_interval_seconds > 0:
            loops.append(
                asyncio.create_task(
                    run_jobs_forever(app.state.db, store=app.state.files, settings=settings)
                )
            )
        if settings.delivery_interval_seconds > 0:
            loops.append(asyncio.create_task(run_deliveries_forever(app.state.db, settings)))
        yield
        for loop in loops:
            loop.cancel()
        await app.state.hub.stop()
        await app.state.broker.close()
        await app.state.db.dispose()

    app = FastAPI(
        title="Ruche",
        summary="Enterprise social network: REST API for integrations.",
        version="1",
        openapi_url="/api/openapi.json",
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database or Database(settings)
    app.state.broker = create_broker(settings.redis_url)
    announce_commits(app.state.db, app.state.broker)
    app.state.hub = Hub(app.state.broker, app.state.db)
    app.state.pages = Pages()
    app.state.files = open_store(settings)
    app.state.head_revision = head_revision()

    install_error_handlers(app)
    app.add_exception_handler(SCIMException, on_scim_error)
    install_form_errors(app)
    install_api_document(app)

    api = APIRouter(prefix="/api/v1")
    for module in (
        auth,
        me,
        charter,
        admin,
        scim,
        spaces,
        invitations,
        posts,
        feed,
        notifications,
        events,
        calendar,
        ideas,
        wiki,
        people,
        files,
        compose,
        space_files,
        search,
        tasks,
        webhooks,
    ):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(live.router)
    app.include_router(scim_v2.router)
    app.include_router(api_docs.router)
    web = (
        web_routes,
        web_oidc,
        web_feed,
        web_posts,
        web_people,
        web_notifications,
        web_spaces,
        web_space_files,
        web_invitations,
        web_mail,
        web_admin,
        web_scim,
        web_directory,
        web_audit,
        web_calendar,
        web_tasks,
        web_ideas,
        web_wiki,
        web_search,
        web_theme,
        web_tour,
        web_webhooks,
    )
    for pages in web:
        app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "frontend" / "static"), "static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request):
        """Ready when the database answers and its schema is at the code's head."""
        db: Database = request.app.state.db
        try:
            async with db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            revision = await current_revision(db.engine)
        except Exception as error:  # any failure to reach the database means "not ready"
            return JSONResponse(
                {"status": "unavailable", "database": type(error).__name__}, status_code=503
            )
        if revision != request.app.state.head_revision:
            return JSONResponse(
                {"status": "migrations_pending", "revision": revision}, status_code=503
            )
        return {"status": "ready", "revision": revision}

    app.add_middleware(FormTokenMiddleware, field=CSRF_FIELD, header=CSRF_HEADER)
    # A form with files may carry up to MAX_ATTACHMENTS of them; each file's own
    # limit is kept while it streams in (app/files/upload.py).
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=MAX_BODY_BYTES,
        max_multipart_bytes=MAX_BODY_BYTES + MAX_ATTACHMENTS * settings.max_upload_bytes,
    )
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.public_url.startswith("https"))
    return app
