"""SCIM's own answers and error shape (RFC 7644 §3.12): a SCIM client reads
``{"schemas": [...Error], "status", "scimType", "detail"}`` in
``application/scim+json``, not the REST API's ``{"error": ...}``. Apart from
the router so that app/api/errors.py answers a wrong path under /scim/ in it."""

import json

from fastapi import Request
from fastapi.responses import Response
from scim2_models import SCIMException

MEDIA_TYPE = "application/scim+json"
PREFIX = "/scim/v2"


def is_scim(request: Request) -> bool:
    return request.url.path.startswith("/scim/")


def scim_response(body: dict, status: int = 200, **headers: str) -> Response:
    return Response(
        json.dumps(body, default=str).encode(),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def scim_error_response(
    status: int, detail: str, scim_type: str | None = None, headers: dict | None = None
) -> Response:
    # SCIM has no 422: a value it refuses is a 400 (invalidValue).
    if status == 422:
        status, scim_type = 400, scim_type or "invalidValue"
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="scim"'
    return scim_response(body, status, **headers)


async def on_scim_error(_request: Request, error: SCIMException) -> Response:
    return scim_error_response(error.status, error.detail, error.scim_type)
