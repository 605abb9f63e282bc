"""Every error the test suite provokes from the API is checked against the API
document: a status or a ``code`` the operation does not declare fails the test
that provoked it. The document is read from the code (app/api/error_codes.py);
this is what keeps that reading honest, across every path the suite walks."""

import json

from app.api.error_codes import Codes
from app.api.errors import documented_path
from app.api.openapi import API_PREFIX, declared_codes


class UndeclaredError(AssertionError):
    pass


def declared_errors(document: dict) -> dict[tuple[str, str], Codes]:
    """{(METHOD, path template): {status: codes}} as the document declares them."""
    return {
        (method.upper(), template): declared_codes(operation)
        for template, operations in document["paths"].items()
        for method, operation in operations.items()
    }


class DocumentedErrorsOnly:
    """ASGI middleware for the tests' app: raises UndeclaredError into the test
    when an API operation answers an error its document entry does not declare.
    A path that is no operation (404, 405) and a fault of ours (500, which no
    document lists) are left to the tests that expect them."""

    def __init__(self, app, document: dict):
        self.app = app
        self.paths = document["paths"]
        self.declared = declared_errors(document)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            return await self.app(scope, receive, send)
        answer = {"status": 0, "body": b""}

        async def recording_send(message):
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")
            await send(message)

        await self.app(scope, receive, recording_send)
        status = answer["status"]
        template = documented_path(self.paths, scope["path"], scope["method"])
        if status < 400 or status >= 500 or template is None:
            return
        operation = (scope["method"], template)
        code = json.loads(answer["body"])["error"]["code"]
        if code not in self.declared[operation].get(status, ()):
            raise UndeclaredError(
                f"{operation[0]} {operation[1]} answered {status} {code!r}, which the API "
                f"document does not declare (it declares {self.declared[operation]})"
            )
