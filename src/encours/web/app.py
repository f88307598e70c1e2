"""The FastAPI application: JSON API under /api/v1, UI at /, customer portal under /portal."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from encours.casework.errors import CaseworkError
from encours.settings import Settings, get_settings
from encours.storage.database import get_engine
from encours.users.errors import UserError
from encours.web.admission import AdmissionLimit
from encours.web.api.router import api_router
from encours.web.errors import LoginRequired, WebError
from encours.web.figures import Figures
from encours.web.headers import SecurityHeaders
from encours.web.keys import secret_key
from encours.web.portal.routes import router as portal_router
from encours.web.ui.dunning import router as dunning_router
from encours.web.ui.render import error_page
from encours.web.ui.routes import router as ui_router

STATIC = Path(__file__).parent / "ui" / "static"
SESSION_HOURS = 12


@cache
def plotly_js() -> bytes:
    """plotly.js from the plotly package: charts work with no network and no CDN."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs()).encode()


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(db_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """The app of ``db_url`` (else ENCOURS_DATABASE_URL), with the environment's settings unless given."""
    settings = settings or get_settings()
    engine = get_engine(db_url or settings.database_url)
    app = FastAPI(
        title="Encours",
        version="1",
        description="Accounts-receivable management: ledger, aged balance, KPIs, collections, portal.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.secret = secret_key(engine, settings.secret_key)
    app.state.figures = Figures(foresight_max_entries=settings.web_foresight_max_entries)
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret,
        session_cookie="encours_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,  # on only behind HTTPS (ENCOURS_SECURE_COOKIES=1)
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AdmissionLimit, limit=settings.web_requests_in_flight)

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        if isinstance(exc, LoginRequired) and not _is_api(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        if _is_api(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        return error_page(request, exc.status, exc.message)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.message, "field": exc.field}, status_code=exc.status)
        return error_page(request, exc.status, exc.message)

    @app.exception_handler(CaseworkError)
    async def casework_error(request: Request, exc: CaseworkError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.message, "field": exc.field}, status_code=exc.status_code)
        return error_page(request, exc.status_code, str(exc))

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly() -> Response:
        return Response(plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(api_router)
    app.include_router(portal_router)
    app.include_router(ui_router)
    app.include_router(dunning_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
