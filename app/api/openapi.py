"""The API document integrators generate clients from: FastAPI's, completed with
what FastAPI cannot know — every error an operation answers, in Ruche's own
shape, and how each operation is authenticated.

Both are read from the code that decides them (app/api/error_codes.py for the
errors, app/api/deps.py for the token scopes), never written beside the routes.
"""

from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from app.api.deps import CSRF_HEADER, SAFE_METHODS, optional_auth, required_auth, token_scope
from app.api.error_codes import Codes, codes_raised
from app.api.errors import HTTP_CODES, invalid_request
from app.api.exact_numbers import restore_exact_numbers
from app.auth import SESSION_COOKIE
from app.db import refuse_nul_characters
from app.middleware import BodyLimitMiddleware

API_PREFIX = "/api/v1"

ERROR_SCHEMAS = {
    "Error": {
        "title": "Error",
        "description": "Every error the API answers, whatever its status.",
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
    },
    "ErrorDetail": {
        "title": "ErrorDetail",
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {
                "type": "string",
                "description": "Stable, for programs; each operation lists the ones it may give.",
            },
            "message": {
                "type": "string",
                "description": "For people, in the account's (or the browser's) language.",
            },
        },
        # Some errors carry what helps the client recover: an edit conflict gives
        # the current text and what changed.
        "additionalProperties": True,
    },
}

SECURITY_SCHEMES = {
    "token": {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "A personal access token (POST /api/v1/me/tokens). Its scopes: `read` for "
            "GET, `write` for the other methods, `admin` for /api/v1/admin."
        ),
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The browser's session, set by POST /api/v1/auth/login.",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": CSRF_HEADER,
        "description": (
            "With the session cookie, every write echoes the session's `csrf_token` "
            "(given by the sign-in and by GET /api/v1/me)."
        ),
    },
}


def operation_id(route: APIRoute) -> str:
    """The route function's name (``publish_post``): what a client generated from
    the document names its method, where FastAPI's default repeats the path."""
    return route.name


def install_api_document(app: FastAPI) -> None:
    """Serves the completed document at the app's ``openapi_url``, built once."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = api_document(app)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def api_document(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    restore_exact_numbers(app, document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas.update(ERROR_SCHEMAS)
    document["components"]["securitySchemes"] = SECURITY_SCHEMES
    for path, method, route in _operations(app):
        operation = document["paths"][path][method.lower()]
        operation["responses"] = {
            status: answer
            for status, answer in operation["responses"].items()
            if not status.startswith("4")
        } | _error_responses(operation_errors(operation, method, route))
        operation["security"] = _security(method, path, _dependencies(route.dependant))
        _bound_uploads(operation, app.state.settings.max_upload_bytes)
    return document


def _bound_uploads(operation: dict[str, Any], max_bytes: int) -> None:
    """A file of a multipart body is bounded by this installation's upload limit."""
    content = operation.get("requestBody", {}).get("content", {})
    form = content.get("multipart/form-data", {}).get("schema", {})
    for field in form.get("properties", {}).values():
        if field.get("format") == "binary":
            field["maxLength"] = max_bytes


def operation_errors(operation: dict[str, Any], method: str, route: APIRoute) -> Codes:
    """{status: codes} the operation may answer: its route's and dependencies',
    and the framework's around them (validation, the body limit, the database's
    refusal of NUL characters)."""
    reached: list[Callable] = [route.endpoint, *_dependencies(route.dependant)]
    takes_body = "requestBody" in operation
    if takes_body or operation.get("parameters"):
        reached.append(invalid_request)
    if takes_body:
        reached.append(BodyLimitMiddleware.refuse)
    if takes_body or any(
        parameter["schema"].get("type") == "string" for parameter in operation.get("parameters", ())
    ):
        reached.append(refuse_nul_characters)
    codes = codes_raised(reached)
    if takes_body:
        # FastAPI's own answer to a body it cannot decode (not UTF-8), which
        # on_http_error gives the shape (app/api/errors.py).
        codes.setdefault(400, set()).add(HTTP_CODES[400])
    if method in SAFE_METHODS:
        # The CSRF check runs on writes only (app/api/deps.py).
        codes.get(403, set()).discard("csrf")
    return codes


def declared_codes(operation: dict[str, Any]) -> Codes:
    """{status: codes} an operation of the document declares (what
    ``_error_responses`` wrote): for docs/api.md's table and the tests."""
    declared: Codes = {}
    for status, response in operation["responses"].items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        for part in schema.get("allOf", ()):
            error = part.get("properties", {}).get("error", {}).get("properties", {})
            if "code" in error:
                declared[int(status)] = set(error["code"]["enum"])
    return declared


def _error_responses(codes: Codes) -> dict[str, Any]:
    responses = {}
    for status in sorted(codes):
        response: dict[str, Any] = {
            "description": HTTPStatus(status).phrase,
            "content": {
                "application/json": {
                    "schema": {
                        "allOf": [
                            {"$ref": "#/components/schemas/Error"},
                            {
                                "type": "object",
                                "properties": {
                                    "error": {
                                        "type": "object",
                                        "properties": {"code": {"enum": sorted(codes[status])}},
                                    }
                                },
                            },
                        ]
                    }
                }
            },
        }
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        responses[str(status)] = response
    return responses


def _security(method: str, path: str, dependencies: list[Callable]) -> list[dict[str, list[str]]]:
    """The ways to call the operation: a token with the scope it needs, or the
    session cookie (with the CSRF header on writes); none where nobody needs to
    be signed in."""
    if optional_auth not in dependencies:
        return []
    ways: list[dict[str, list[str]]] = [
        {"token": [token_scope(method, path)]},
        {"session": []} if method in SAFE_METHODS else {"session": [], "csrf": []},
    ]
    if required_auth not in dependencies:
        ways.append({})
    return ways


def _operations(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        if (
            isinstance(context.original_route, APIRoute)
            and context.include_in_schema
            and context.path.startswith(API_PREFIX)
        ):
            for method in context.methods:
                yield context.path_format, method, context


def _dependencies(dependant: Dependant) -> list[Callable]:
    found = []
    for dependency in dependant.dependencies:
        found.append(dependency.call)
        found.extend(_dependencies(dependency))
    return found
