"""The error shape on every path, the security headers, the health probes and the
API description."""

import re
from html.parser import HTMLParser

import pytest

from app.migrate import head_revision
from tests.api_helpers import LOGIN, ME, app_with, client_for, cookie_client
from tests.helpers import expect_error, load_tool

ONE_MIB = 1024 * 1024


# --- error shape -----------------------------------------------------------------------------


def test_the_documented_error_codes_are_those_of_the_api_document(app):
    """docs/api.md's table is generated from the API document (tools/error_codes.py):
    a code added, renamed or removed without the table fails here."""
    tool = load_tool("error_codes")
    text = tool.API_DOC.read_text()

    assert tool.rewritten(text, tool.documented_codes(app.openapi())) == text
    for code in ("share_widens_readers", "account_inactive", "deleted", "not_question"):
        assert f"`{code}`" in text


async def test_an_unknown_route_answers_404_in_the_shape(client):
    for path in ("/api/v1/nothing-here", "/api/v2/me", "/api/v1/me/tokens/1/extra"):
        expect_error(await client.get(path), 404, "not_found")


async def test_an_unknown_page_answers_an_html_404_to_a_browser(client):
    response = await client.get("/no-such-page", headers={"Accept": "text/html"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


async def test_a_wrong_method_answers_405_in_the_shape_with_allow(client):
    """RFC 9110: a 405 names the methods the resource has."""
    for method, path, allowed in (
        ("DELETE", ME, "GET, PATCH"),
        ("GET", LOGIN, "POST"),
        ("PUT", "/api/v1/admin/users", "GET, POST"),
    ):
        response = await client.request(method, path)
        expect_error(response, 405, "method_not_allowed")
        assert response.headers["allow"] == allowed


async def test_a_204_answer_has_no_content_type(app, make):
    """No body, so nothing to describe: every 204 route of the API says so."""
    operations = [
        operation["responses"]["204"]
        for path in app.openapi()["paths"].values()
        for operation in path.values()
        if "204" in operation["responses"]
    ]
    assert len(operations) >= 10
    assert not any("content" in answer for answer in operations)
    signed_in = await cookie_client(make, await make.user())
    response = await signed_in.post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert "content-type" not in response.headers
    assert response.content == b""


async def test_a_body_that_is_not_json_answers_422_in_the_shape(client):
    for content in (b"{", b"email=a&password=b", b'{"email": "a@b.c", "password": }'):
        response = await client.post(
            LOGIN, content=content, headers={"content-type": "application/json"}
        )
        expect_error(response, 422, "invalid")
    expect_error(await client.post(LOGIN), 422, "invalid")  # no body at all


async def test_wrong_types_answer_422_in_the_shape(client):
    for body in (
        [],
        "a string",
        {"email": 42, "password": "long enough password"},
        {"email": "a@example.com", "password": {"nested": True}},
        {"email": None, "password": None},
    ):
        error = expect_error(await client.post(LOGIN, json=body), 422, "invalid")
        assert "Traceback" not in error["message"]


async def test_a_body_over_one_mebibyte_answers_413_in_the_shape(client):
    body = b'{"email": "a@example.com", "password": "' + b"x" * ONE_MIB + b'"}'

    response = await client.post(LOGIN, content=body, headers={"content-type": "application/json"})

    expect_error(response, 413, "too_large")
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_streamed_body_over_one_mebibyte_answers_413_too(client):
    """No Content-Length to trust: the limit is counted as the body arrives."""

    async def chunks():
        for _index in range(12):
            yield b"x" * (100 * 1024)

    response = await client.post(
        LOGIN, content=chunks(), headers={"content-type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    expect_error(response, 413, "too_large")


async def test_a_body_just_under_the_limit_is_read(client):
    body = b'{"email": "a@example.com", "password": "' + b"x" * (ONE_MIB - 100) + b'"}'

    response = await client.post(LOGIN, content=body, headers={"content-type": "application/json"})

    # Read and validated: the password is longer than any password may be.
    expect_error(response, 422, "invalid")


# --- security headers ------------------------------------------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response) -> None:
    directives = csp_directives(response)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "*" not in script_src
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }


async def test_api_responses_carry_the_security_headers(client, make):
    user_client = await make.bearer(await make.user())
    for response in (
        await user_client.get(ME),
        await client.get(ME),
        await client.get("/api/v1/nothing-here"),
        await client.get("/api/openapi.json"),
        await client.get("/healthz"),
    ):
        assert_security_headers(response)
        assert "strict-transport-security" not in response.headers  # plain HTTP here


async def test_pages_carry_the_security_headers(client):
    for response in (
        await client.get("/login"),
        await client.get("/api/docs"),
        await client.get("/static/css/ruche.css"),
        await client.get("/no-such-page", headers={"Accept": "text/html"}),
    ):
        assert_security_headers(response)


async def test_hsts_is_sent_when_served_over_https(settings, db):
    app = app_with(settings, db, public_url="https://ruche.example.com")
    async with client_for(app) as client:
        response = await client.get("/healthz")

    assert "max-age=" in response.headers["strict-transport-security"]


# --- health and readiness --------------------------------------------------------------------


async def test_healthz_answers_ok(client):
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_answers_ready_at_the_head_revision(client):
    response = await client.get("/readyz")

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "revision": head_revision()}


# --- API description -------------------------------------------------------------------------


async def test_the_openapi_document_lists_the_api(client):
    response = await client.get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "post" in paths["/api/v1/auth/login"]
    assert "post" in paths["/api/v1/me/tokens"]
    assert "patch" in paths["/api/v1/admin/users/{user_id}"]
    # The HTML pages are not JSON operations: /search was listed as one.
    assert [path for path in paths if not path.startswith("/api/v1/")] == []


class ExternalReferences(HTMLParser):
    """Collects what a page would fetch, and any inline script."""

    URL_ATTRIBUTES = frozenset({"src", "href", "action", "formaction", "data", "poster"})

    def __init__(self):
        super().__init__()
        self.fetched: list[str] = []
        self.inline_scripts = 0
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attributes.items():
            if name in self.URL_ATTRIBUTES and value and tag != "a":
                self.fetched.append(value)
            if name.startswith("on"):
                self.inline_scripts += 1
        if tag == "script":
            self._in_script_without_src = "src" not in attributes

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script_without_src = False

    def handle_data(self, data):
        if self._in_script_without_src and data.strip():
            self.inline_scripts += 1


async def test_the_api_docs_page_loads_nothing_from_elsewhere(client):
    response = await client.get("/api/docs")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "/api/v1/auth/login" in response.text
    parser = ExternalReferences()
    parser.feed(response.text)
    assert parser.fetched  # its stylesheet and script, at least
    foreign = [
        url
        for url in parser.fetched
        if re.match(r"^(https?:)?//", url, re.IGNORECASE)
        and not re.match(r"^(https?:)?//testserver(/|$)", url, re.IGNORECASE)
    ]
    assert foreign == []
    assert parser.inline_scripts == 0


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/api/v1/posts", {"body": "avant\x00après"}),
        ("post", "/api/v1/wiki/pages", {"title": "Titre\x00", "body": "x"}),
        ("get", "/api/v1/wiki/search?q=a%00b", None),
    ],
)
async def test_a_nul_character_is_bad_input_on_every_database(make, method, path, payload):
    """PostgreSQL would fail on it as a 500; SQLite would store it."""
    author = await make.user()
    client = await make.bearer(author)
    options = {"json": payload} if payload is not None else {}

    response = await getattr(client, method)(path, **options)

    expect_error(response, 422, "nul_character")
    assert (await client.get("/api/v1/wiki/pages")).json()["items"] == []
    assert (await client.get("/api/v1/feed")).json()["items"] == []
