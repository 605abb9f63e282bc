"""The API document says what the API does: every error an operation may answer
with its codes, and how each operation is authenticated (issue 13)."""

import re

import httpx
import pytest

from tests.document_check import DocumentedErrorsOnly, UndeclaredError, declared_errors
from tests.helpers import expect_error

SCOPES = ("read", "write", "admin")


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_every_operation_declares_its_errors_in_the_error_schema(app):
    document = app.openapi()
    assert {"Error", "ErrorDetail"} <= set(document["components"]["schemas"])
    assert "HTTPValidationError" not in document["components"]["schemas"]
    declared = declared_errors(document)
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert status != "500", (method, path)
                parts = response["content"]["application/json"]["schema"]["allOf"]
                assert parts[0] == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        # Whoever calls with input may send it malformed.
        if operation.get("parameters") or "requestBody" in operation:
            assert "invalid" in declared[method, path][422], (method, path)


def test_operations_are_named_after_their_route_function_once(app):
    """A generated client's methods are named by the operation ids."""
    ids = [operation["operationId"] for _method, _path, operation in operations(app.openapi())]
    assert len(ids) == len(set(ids))
    assert "publish_post" in ids


def test_the_codes_are_those_the_route_and_what_it_calls_raise(app):
    declared = declared_errors(app.openapi())

    assert declared["PUT", "/api/v1/wiki/pages/{page_id}"][409] >= {"edit_conflict"}
    assert declared["POST", "/api/v1/auth/login"] == {
        400: {"bad_request"},
        401: {"invalid_token", "sign_in_failed"},
        403: {"local_passwords_off"},
        413: {"too_large"},
        422: {"invalid", "nul_character"},
        429: {"rate_limited"},
    }
    # The CSRF check runs on writes only.
    assert "csrf" not in declared["GET", "/api/v1/me"][403]
    assert "csrf" in declared["PATCH", "/api/v1/me"][403]


async def test_the_suite_fails_on_an_error_the_document_does_not_declare(app):
    """The check every test's requests go through (tests/document_check.py) can fail."""
    document = app.openapi()
    trimmed = {
        "paths": {
            "/api/v1/posts/{post_id}": {
                "get": {
                    "responses": {
                        "404": document["paths"]["/api/v1/posts/{post_id}"]["get"]["responses"][
                            "404"
                        ]
                    }
                }
            }
        }
    }
    checked = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=DocumentedErrorsOnly(app, trimmed)),
        base_url="http://testserver",
    )

    with pytest.raises(UndeclaredError, match="401 'not_authenticated'"):
        await checked.get("/api/v1/posts/1")


def test_the_security_schemes_are_the_token_and_the_session_with_its_csrf_header(app):
    document = app.openapi()
    schemes = document["components"]["securitySchemes"]
    assert schemes["token"] == {**schemes["token"], "type": "http", "scheme": "bearer"}
    assert schemes["session"]["in"] == "cookie" and schemes["session"]["name"] == "ruche_session"
    assert schemes["csrf"]["in"] == "header" and schemes["csrf"]["name"] == "X-CSRF-Token"
    security = {(method, path): op["security"] for method, path, op in operations(document)}
    assert security["POST", "/api/v1/auth/login"] == []
    assert security["GET", "/api/v1/feed"] == [{"token": ["read"]}, {"session": []}]
    assert security["POST", "/api/v1/posts"] == [
        {"token": ["write"]},
        {"session": [], "csrf": []},
    ]
    assert security["GET", "/api/v1/admin/users"][0] == {"token": ["admin"]}


async def test_a_token_without_the_documented_scope_is_refused_on_every_operation(app, make):
    """The scope the document gives each operation is the one the server asks for:
    a token holding every other scope is refused with 403 token_scope."""
    admin = await make.user(role="admin")
    clients = {
        scope: await make.bearer(admin, scopes=tuple(s for s in SCOPES if s != scope))
        for scope in SCOPES
    }
    checked = 0
    for method, path, operation in operations(app.openapi()):
        if not operation["security"]:
            continue
        (scope,) = operation["security"][0]["token"]
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = await clients[scope].request(method, url)
        expect_error(response, 403, "token_scope", sent=(method, url))
        checked += 1
    assert checked > 80


async def test_the_api_docs_page_shows_each_operations_scope_and_error_codes(client):
    response = await client.get("/api/docs", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    publish = response.text.split("<code>/api/v1/posts</code>")[1].split("</section>")[0]
    assert "Token scope: <code>write</code>" in publish
    assert re.search(r"<code>409</code> deleted, space_archived", publish)
