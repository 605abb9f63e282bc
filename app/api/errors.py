"""Every error, whatever raised it, leaves as ``{"error": {"code", "message"}}``
with its status; a browser asking for a page gets the same error as a page."""

import json
import logging
import re
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.scim_errors import is_scim, scim_error_response
from app.errors import AppError, Forbidden, Invalid, NotAuthenticated
from app.i18n import _

logger = logging.getLogger("ruche")

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}
# What a fault of ours answers, whatever the path.
INTERNAL = "internal"


def error_body(error: AppError) -> bytes:
    """The documented shape; an error may add what helps the client recover
    (an edit conflict: the current text and what changed)."""
    return json.dumps(
        {"error": {**error.detail, "code": error.code, "message": error.message}}
    ).encode()


def documented_path(paths: dict, path: str, method: str | None = None) -> str | None:
    """The API document's path template a request path falls under (among those
    with ``method``, when given): a literal path (/wiki/pages/search) before a
    template it also fits."""
    fitting = [
        (template.count("{"), template)
        for template, operations in paths.items()
        if (method is None or method.lower() in operations)
        and re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path)
    ]
    return min(fitting)[1] if fitting else None


def _allowed_methods(request: Request) -> str | None:
    """Every method the API document gives this path (RFC 9110: a 405 names them
    all), where the router names only those of the first route it matched."""
    paths = request.app.openapi()["paths"]
    template = documented_path(paths, request.url.path)
    return ", ".join(sorted(method.upper() for method in paths[template])) if template else None


def wants_page(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(
        ("/api/", "/ws", "/static/", "/healthz", "/readyz")
    ) and "text/html" in request.headers.get("accept", "")


def error_response(request: Request, error: AppError) -> Response:
    if is_scim(request):
        return scim_error_response(error.status, error.message, headers=error.headers)
    if wants_page(request):
        if isinstance(error, NotAuthenticated):
            return RedirectResponse(f"/login?next={quote(_return_path(request))}", status_code=303)
        if isinstance(error, Forbidden) and error.code == "charter_required":
            return RedirectResponse("/charter", status_code=303)
        return request.app.state.pages.render(
            request, "error.html", {"error": error, "live": False}, status_code=error.status
        )
    return Response(
        error_body(error),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


def _return_path(request: Request) -> str:
    """Where to come back after signing in: the page itself, but never a form's
    target, which answers only POST."""
    if request.method != "GET":
        return "/"
    query = request.url.query
    return f"{request.url.path}?{query}" if query else request.url.path


def invalid_request(exc: RequestValidationError) -> Invalid:
    """A request its operation's schema refuses, said with the first reason."""
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    text = first.get("msg", "")
    where = where or "body"
    return Invalid(_("Invalid input: %(where)s: %(text)s") % {"where": where, "text": text})


def http_error(request: Request, exc: StarletteHTTPException) -> AppError:
    """What the framework refused by itself (no such route, method, body too
    large), as one of our errors."""
    code = HTTP_CODES.get(exc.status_code, "error")
    message = {
        404: _("Not found."),
        405: _("This method is not allowed here."),
        # Also raised by BodyLimitMiddleware while a route reads its body.
        413: _("The request is too large."),
    }.get(exc.status_code, str(exc.detail))
    error = AppError(message, code=code).with_status(exc.status_code)
    error.headers.update(exc.headers or {})
    if exc.status_code == 405 and not is_scim(request):
        error.headers["Allow"] = _allowed_methods(request) or error.headers.get("Allow", "")
    return error


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def on_app_error(request: Request, exc: AppError):
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError):
        return error_response(request, invalid_request(exc))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException):
        return error_response(request, http_error(request, exc))

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception):
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": {"code": INTERNAL, "message": _("Something went wrong on our side.")}},
            status_code=500,
        )
