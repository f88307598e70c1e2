"""The FastAPI application: JSON API under /api/v1, UI at /, customer portal under /portal."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from encours.domain import refusals
from encours.domain.errors import EncoursError, InvalidLines
from encours.jobs import dispatch
from encours.settings import Settings, get_settings
from encours.storage.database import get_engine
from encours.web import job_runtime, jobs_routes
from encours.web.admission import AdmissionLimit, BodyLimits
from encours.web.api.router import api_router
from encours.web.api_docs import router as api_docs_router
from encours.web.api_docs import swagger_assets
from encours.web.errors import LoginRequired
from encours.web.figures import Figures
from encours.web.headers import SecurityHeaders
from encours.web.keys import signing_keys
from encours.web.portal.routes import router as portal_router
from encours.web.ui import job_page
from encours.web.ui.admin_routes import admin_routers
from encours.web.ui.cash import router as cash_router
from encours.web.ui.dunning import router as dunning_router
from encours.web.ui.dunning_web import router as dunning_web_router
from encours.web.ui.form_errors import refilled_form
from encours.web.ui.refusals import form_check, said_in
from encours.web.ui.render import error_page, language_of
from encours.web.ui.routes import router as ui_router
from encours.web.ui.workspace import router as workspace_router

STATIC = Path(__file__).parent / "ui" / "static"
SESSION_HOURS = 12

# A request is matched against the routes in turn (~0.4 ms for the ~170 of the app): the
# most visited screens first (worklist, task queue and boards, then the dashboard and the
# customer sheet), the API (every path under /api/v1) last. No screen route matches
# another router's paths (tests/web/test_request_path.py), so the order changes no answer.
SCREENS = (
    workspace_router, ui_router, portal_router, dunning_router, cash_router, dunning_web_router,
    jobs_routes.ui, jobs_routes.ops, job_page.router, *admin_routers,
)  # fmt: skip


@cache
def plotly_js() -> bytes:
    """plotly.js from the plotly package: charts work with no network and no CDN."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs()).encode()


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def refused(request: Request, exc: EncoursError) -> Response:
    """Every refusal, mapped once: JSON under /api/, else an HTML page (sign-in first redirects)."""
    if not _is_api(request):
        if isinstance(exc, LoginRequired):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        said = said_in(exc, language_of(request))
        refilled = await refilled_form(request, exc.status, exc.field, said) if exc.field else None
        return refilled or error_page(request, exc.status, said)
    body: dict[str, object] = {"detail": exc.message, "field": exc.field}
    if exc.code:  # the sentence of domain.refusals, for clients that say it in their own words
        body["code"], body["params"] = exc.code, refusals.json_params(exc.params)
    if isinstance(exc, InvalidLines):
        body["errors"] = [error._asdict() for error in exc.errors]
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(body, status_code=exc.status, headers=headers)


async def invalid_form(request: Request, exc: RequestValidationError) -> Response:
    """FastAPI's own checks of a field (a count out of range, a missing value): on a screen, the
    form comes back marked like any other refusal; the API keeps FastAPI's JSON answer."""
    if _is_api(request):
        return await request_validation_exception_handler(request, exc)
    errors = exc.errors()
    refusal = form_check(errors[0] if errors else {})
    said = said_in(refusal, language_of(request))
    refilled = await refilled_form(request, 422, refusal.field, said)
    return refilled or error_page(request, 422, said)


def create_app(db_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """The app of ``db_url`` (else ENCOURS_DATABASE_URL), with the environment's settings unless given."""
    settings = settings or get_settings()
    engine = get_engine(db_url or settings.database_url)
    dispatch.configure(settings)
    app = FastAPI(
        lifespan=job_runtime.lifespan,
        title="Encours",
        version="1",
        description="Accounts-receivable management: ledger, aged balance, KPIs, collections, portal.",
        docs_url=None,  # our own /docs: packaged assets, no inline script (api_docs)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.keys = signing_keys(settings, engine)  # distinct keys for sessions and portal links
    app.state.figures = Figures(foresight_max_entries=settings.web_foresight_max_entries)
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.keys.session,
        session_cookie="encours_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.cookies_secure,  # an https base URL, or ENCOURS_SECURE_COOKIES
    )
    bodies = BodyLimits.of(settings)
    app.add_middleware(AdmissionLimit, limit=settings.web_requests_in_flight, body=bodies)
    app.add_middleware(SecurityHeaders)  # outermost: on the 408 and 413 of admission control too

    app.exception_handler(EncoursError)(refused)
    app.exception_handler(RequestValidationError)(invalid_form)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly() -> Response:
        return Response(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for router in SCREENS:
        app.include_router(router)
    app.include_router(api_router)
    app.include_router(api_docs_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/vendor/swagger", swagger_assets(), name="swagger")
    return app
