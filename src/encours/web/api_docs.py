"""The interactive API reference at /docs, served from packaged assets.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script: the
app's own Content-Security-Policy (scripts from 'self' only) blocks both, so /docs was blank.
The assets come from the ``fastapi-offline`` package (Swagger UI 5, which reads OpenAPI 3.1)
and the start-up script is a static file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_ASSETS = Path(str(files("fastapi_offline") / "static"))

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Encours API</title>
<link rel="icon" href="/vendor/swagger/favicon.png">
<link rel="stylesheet" href="/vendor/swagger/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/openapi.json"></div>
<script src="/vendor/swagger/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_reference() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Cache-Control": "no-cache"})


def swagger_assets() -> StaticFiles:
    return StaticFiles(directory=SWAGGER_ASSETS)
