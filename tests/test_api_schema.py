"""The API document states the rules the server enforces, and the server enforces
what the document states: ids, string lengths, e-mail addresses, hashtags,
booleans. Each rule is read from the document as an integrator's tool reads it
(GET /api/openapi.json), then tried on the server at and beyond its bound."""

import re
import sys
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator

from app.api.feed import HASHTAG
from app.markdown import HASHTAG_NAME
from app.models import JoinRequest, PollOption, Space, User
from app.schemas.calendar import LINK_PATTERN, MOMENT_PATTERN, TIME_ZONE_PATTERN
from app.schemas.common import MAX_EMAIL, MAX_ID, NOT_BLANK, WHITESPACE
from app.schemas.post import MAX_POST_BODY
from app.schemas.webhooks import TARGET_PATTERN
from app.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from app.services.accounts import HANDLE_INPUT, HANDLE_PATTERN
from app.services.content import MAX_AUDIENCE
from app.services.people.profiles import PHONE, PHONE_PATTERN
from app.services.wiki import writing
from tests.helpers import expect_error
from tests.stream_helpers import FEED, POSTS, person, publish

API = "/api/v1"
DOCUMENT = "/api/openapi.json"


async def read_document(client) -> dict:
    response = await client.get(DOCUMENT)
    assert response.status_code == 200, response.text
    return response.json()


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def inputs(document: dict) -> Iterator[tuple[str, str, dict]]:
    """``(where, name, schema)`` for every value a request may carry: each
    parameter, and each property, item and map value of each request body, one
    per alternative of an ``anyOf`` (``null`` left out)."""

    def walk(where: str, name: str, schema: dict) -> Iterator[tuple[str, str, dict]]:
        schema = resolve(document, schema)
        for alternative in schema.get("anyOf", [schema]):
            alternative = resolve(document, alternative)
            if alternative.get("type") == "null":
                continue
            yield where, name, alternative
            for field, inner in alternative.get("properties", {}).items():
                yield from walk(f"{where}.{field}", field, inner)
            if isinstance(alternative.get("additionalProperties"), dict):
                yield from walk(f"{where}.*", name, alternative["additionalProperties"])
            if "items" in alternative:
                yield from walk(f"{where}[]", name, alternative["items"])

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                yield from walk(f"{where} {name}", name, parameter["schema"])
            for media in operation.get("requestBody", {}).get("content", {}).values():
                yield from walk(f"{where} body", "body", media["schema"])


def present(document: dict, schema: dict) -> dict:
    """A schema's one alternative other than ``null``, resolved."""
    schema = resolve(document, schema)
    (alternative,) = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return resolve(document, alternative)


def field_schema(document: dict, method: str, path: str, field: str) -> dict:
    """The schema of one field of an operation's JSON body."""
    body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
    return present(document, present(document, body["schema"])["properties"][field])


def is_id(name: str) -> bool:
    return name in {"id", "ids", "audience"} or name.endswith(("_id", "_ids"))


def is_int(value) -> bool:
    return type(value) is int


# --- numbers and ids -------------------------------------------------------------------------


async def test_the_document_holds_no_float(client):
    """FastAPI's own model turns every bound into a float (1.0, and the largest id
    into 2**63, one more than a BIGINT holds): none may be left."""
    floats = []

    def walk(where: str, value) -> None:
        if isinstance(value, float):
            floats.append(f"{where}: {value}")
        elif isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{where}/{key}", inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(f"{where}/{index}", inner)

    walk("", await read_document(client))

    assert floats == []


async def test_every_integer_a_request_carries_has_integer_bounds(client):
    document = await read_document(client)
    integers = [(where, s) for where, _name, s in inputs(document) if s.get("type") == "integer"]

    unbounded = [
        where
        for where, schema in integers
        if not (is_int(schema.get("minimum")) and is_int(schema.get("maximum")))
    ]

    assert len(integers) > 100
    assert unbounded == []


async def test_every_id_is_an_integer_from_1_to_the_largest_bigint(client):
    document = await read_document(client)
    ids = {
        where: schema
        for where, name, schema in inputs(document)
        if is_id(name) and schema.get("type") != "array"
    }

    wrong = {
        where: schema
        for where, schema in ids.items()
        if schema.get("type") != "integer"
        or not (is_int(schema["minimum"]) and schema["minimum"] == 1)
        or not (is_int(schema["maximum"]) and schema["maximum"] == MAX_ID)
    }

    assert wrong == {}
    # In paths, queries, bodies, and lists of ids in bodies.
    assert {
        f"GET {API}/posts/{{post_id}} post_id",
        f"GET {API}/feed author_id",
        f"POST {API}/posts body.space_id",
        f"POST {API}/posts body.audience[]",
        f"POST {API}/posts/{{post_id}}/votes body.option_ids[]",
        f"POST {API}/notifications/read body.ids[]",
        f"GET {API}/admin/audit target_id",
    } <= set(ids)


async def test_the_largest_id_is_looked_for_and_a_larger_one_refused(make):
    _viewer, client = await person(make)

    for too_large, largest in [
        (f"{POSTS}/{MAX_ID + 1}", f"{POSTS}/{MAX_ID}"),
        (f"{FEED}?author_id={MAX_ID + 1}", f"{FEED}?author_id={MAX_ID}"),
    ]:
        expect_error(await client.get(too_large), 422, "invalid")
        assert (await client.get(largest)).status_code in (200, 404)
    for fields in ({"space_id": MAX_ID + 1}, {"audience": [MAX_ID + 1]}):
        expect_error(await client.post(POSTS, json={"body": "x", **fields}), 422, "invalid")
    expect_error(await client.post(POSTS, json={"body": "x", "space_id": MAX_ID}), 404)
    expect_error(
        await client.post(POSTS, json={"body": "x", "audience": [MAX_ID]}), 422, "unknown_audience"
    )


# --- strings ---------------------------------------------------------------------------------


async def test_every_string_a_request_carries_is_bounded(client):
    """By a length, or by what it may be: a pattern, one of an enumeration, a date."""
    document = await read_document(client)
    strings = [(where, s) for where, _name, s in inputs(document) if s.get("type") == "string"]

    unbounded = [
        where
        for where, schema in strings
        if not (
            is_int(schema.get("maxLength"))
            or "pattern" in schema
            or "enum" in schema
            or "const" in schema
            or schema.get("format") in ("date", "date-time")
        )
    ]

    assert len(strings) > 50
    assert unbounded == []


SPACE = {"name": "Nom", "objective": "o" * 10, "kind": "team"}
# (method, path, field, a body it completes): where a limit is longest or surest to matter.
LIMITED = [
    ("post", f"{API}/posts", "body", {}),
    ("post", f"{API}/posts/{{post_id}}/comments", "body", {}),
    ("post", f"{API}/wiki/pages", "title", {}),
    ("post", f"{API}/wiki/pages", "body", {"title": "Page"}),
    ("post", f"{API}/wiki/pages", "message", {"title": "Page"}),
    ("post", f"{API}/spaces", "name", {"objective": "o" * 10, "kind": "team"}),
    ("post", f"{API}/spaces", "objective", {"name": "Nom", "kind": "team"}),
    (
        "post",
        f"{API}/spaces",
        "description",
        {"name": "Nom", "objective": "o" * 10, "kind": "team"},
    ),
    ("patch", f"{API}/me", "display_name", {}),
]


@pytest.mark.parametrize(("method", "path", "field", "rest"), LIMITED)
async def test_a_string_over_its_documented_max_length_is_a_422(
    client, make, method, path, field, rest
):
    """Exactly the documented length passes; one more is refused in the error shape."""
    limit = field_schema(await read_document(client), method, path, field)["maxLength"]
    _viewer, writer = await person(make)
    post = await publish(writer)
    url = path.format(post_id=post["id"])

    over = await writer.request(method, url, json={**rest, field: "x" * (limit + 1)})
    at = await writer.request(method, url, json={**rest, field: "x" * limit})

    expect_error(over, 422, "invalid")
    assert at.status_code in (200, 201), at.text


def column_length(column) -> int:
    return column.property.columns[0].type.length


MAX_JOIN_MESSAGE = column_length(JoinRequest.message)
# (method, path, field, keyword, the bound the server holds to).
BOUNDS = [
    ("post", f"{API}/wiki/pages", "title", "maxLength", writing.MAX_TITLE),
    ("put", f"{API}/wiki/pages/{{page_id}}", "body", "maxLength", writing.MAX_BODY),
    ("post", f"{API}/wiki/preview", "body", "maxLength", writing.MAX_BODY),
    ("post", f"{API}/wiki/pages", "message", "maxLength", writing.MAX_MESSAGE),
    ("post", f"{API}/wiki/pages", "audience", "maxItems", MAX_AUDIENCE),
    ("patch", f"{API}/posts/{{post_id}}", "audience", "maxItems", MAX_AUDIENCE),
    ("patch", f"{API}/posts/{{post_id}}", "body", "maxLength", MAX_POST_BODY),
    ("post", f"{API}/admin/users", "email", "maxLength", column_length(User.email)),
    ("post", f"{API}/admin/users", "display_name", "maxLength", column_length(User.display_name)),
    ("post", f"{API}/admin/users", "password", "maxLength", MAX_PASSWORD_LENGTH),
    ("patch", f"{API}/spaces/{{space_id}}", "name", "maxLength", column_length(Space.name)),
    ("post", f"{API}/spaces/{{space_id}}/join", "message", "maxLength", MAX_JOIN_MESSAGE),
]


@pytest.mark.parametrize(("method", "path", "field", "keyword", "bound"), BOUNDS)
async def test_a_documented_bound_is_the_one_the_server_holds_to(
    client, method, path, field, keyword, bound
):
    """The service's own check, or the column that would refuse the row."""
    schema = field_schema(await read_document(client), method, path, field)

    assert schema[keyword] == bound


async def test_a_poll_option_is_bounded_as_its_column(client, make):
    """Beyond it, PostgreSQL would refuse the row: a 500, not a 422."""
    document = await read_document(client)
    limit = field_schema(document, "post", f"{API}/posts", "poll")
    option = resolve(document, limit["properties"]["options"])["items"]
    _viewer, writer = await person(make)

    def poll(label: str) -> dict:
        return {"body": "?", "kind": "poll", "poll": {"options": [label, "Non"]}}

    assert (option["minLength"], option["maxLength"]) == (1, column_length(PollOption.label))
    expect_error(await writer.post(POSTS, json=poll("x" * (option["maxLength"] + 1))), 422)
    assert (await writer.post(POSTS, json=poll("x" * option["maxLength"]))).status_code == 201


async def test_a_new_password_has_the_documented_minimum_length(client, make):
    """Stated by the document, refused by the service with its own code."""
    document = await read_document(client)
    admin = await make.bearer(await make.user(role="admin"), scopes=("admin",))
    users = f"{API}/admin/users"

    for method, path, field in [
        ("post", users, "password"),
        ("post", f"{API}/me/password", "new_password"),
        ("post", f"{API}/invitations/accept", "password"),
    ]:
        assert field_schema(document, method, path, field)["minLength"] == MIN_PASSWORD_LENGTH
    short, enough = "p" * (MIN_PASSWORD_LENGTH - 1), "p" * MIN_PASSWORD_LENGTH
    person_with = {"email": "nouvelle@example.test", "display_name": "Nouvelle"}
    expect_error(
        await admin.post(users, json={**person_with, "password": short}), 422, "weak_password"
    )
    assert (await admin.post(users, json={**person_with, "password": enough})).status_code == 201


# --- e-mail addresses ------------------------------------------------------------------------


async def test_an_email_is_documented_as_one_and_a_wrong_one_is_a_422(client, make):
    document = await read_document(client)
    for path in (f"{API}/admin/users", f"{API}/spaces/{{space_id}}/invitations"):
        email = field_schema(document, "post", path, "email")
        assert (email["format"], email["maxLength"]) == ("email", MAX_EMAIL)
    admin = await make.bearer(await make.user(role="admin"), scopes=("admin",))
    users = f"{API}/admin/users"

    for wrong in ("not an e-mail", "deux@@example.test", "sans-domaine@", "a@b"):
        sent = {"email": wrong, "display_name": "X"}
        expect_error(await admin.post(users, json=sent), 422, "invalid", sent=sent)
    # Still normalised as before, and a company's internal domain still welcome.
    created = await admin.post(users, json={"email": " Anne@Corp.LOCAL ", "display_name": "A"})
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "anne@corp.local"


# --- hashtags --------------------------------------------------------------------------------


async def test_every_hashtag_input_carries_the_services_pattern(client):
    document = await read_document(client)
    patterns = {
        where: s["pattern"]
        for where, _name, s in inputs(document)
        if s.get("pattern", NOT_BLANK) != NOT_BLANK
    }
    # The one other pattern: a handle, as the service takes it before lower-casing it.
    assert patterns.pop(f"POST {API}/admin/users body.handle") == HANDLE_INPUT
    # And a phone number, as the service checks it (a final line end refused).
    assert patterns.pop(f"PATCH {API}/users/me/profile body.phone") == PHONE_PATTERN
    assert not PHONE.fullmatch("01 02\n")
    # An event's times, time zone and link, as app/schemas/calendar.py states them.
    for method, path in (("POST", "/calendar/events"), ("PUT", "/calendar/events/{event_id}")):
        for field, pattern in (
            ("time_zone", TIME_ZONE_PATTERN),
            ("start", MOMENT_PATTERN),
            ("end", MOMENT_PATTERN),
            ("video_url", LINK_PATTERN),
        ):
            assert patterns.pop(f"{method} {API}{path} body.{field}") == pattern
    # A webhook's target: http(s), a host, no credentials (app/schemas/webhooks.py).
    for where in (
        "POST /webhooks",
        "POST /spaces/{space_id}/webhooks",
        "PATCH /webhooks/{webhook_id}",
    ):
        method, path = where.split()
        assert patterns.pop(f"{method} {API}{path} body.url") == TARGET_PATTERN
    for handle in ("ab", "Ab.C", "a", "-ab", "a" * 40, "a" * 41, "a b", "é1", "İi"):
        assert bool(re.match(HANDLE_INPUT, handle)) == bool(HANDLE_PATTERN.match(handle.lower()))

    assert patterns == dict.fromkeys(
        [
            f"GET {API}/feed hashtag",
            f"GET {API}/hashtags/{{name}}/posts name",
            f"PUT {API}/follows/{{kind}}/{{target}} target",
            f"DELETE {API}/follows/{{kind}}/{{target}} target",
        ],
        HASHTAG.pattern,
    )
    # The name after the "#" is the rule a post's #tags follow.
    assert f"({HASHTAG_NAME.pattern})" in HASHTAG.pattern


async def test_a_hashtag_the_pattern_refuses_is_a_422_and_one_it_takes_is_served(make):
    _author, client = await person(make)
    await publish(client, "Réunion #Équipe")

    for bad in ("a!", "deux mots", "#", "-tiret", "x" * 51):
        name = quote(bad, safe="")
        expect_error(await client.get(f"{API}/hashtags/{name}/posts"), 422, "invalid")
        expect_error(await client.get(FEED, params={"hashtag": bad}), 422, "invalid")
        expect_error(await client.put(f"{API}/follows/hashtags/{name}"), 422, "invalid")
    for good in ("équipe", "#ÉQUIPE"):
        name = quote(good, safe="")
        assert len((await client.get(f"{API}/hashtags/{name}/posts")).json()["items"]) == 1
        assert len((await client.get(FEED, params={"hashtag": good})).json()["items"]) == 1
    # Python's "$", as the document's readers in Python read it, admits a final
    # line end: the server takes the name without it.
    with_line_end = quote("Équipe\n")
    assert (await client.put(f"{API}/follows/hashtags/{with_line_end}")).status_code == 204
    assert (await client.get(f"{API}/follows")).json()["hashtags"] == ["équipe"]


# --- booleans --------------------------------------------------------------------------------


async def test_a_boolean_is_true_or_false_and_nothing_else(make):
    _viewer, client = await person(make)

    for query in ("1", "0", "yes", "on", "True", ""):
        expect_error(await client.get(FEED, params={"unanswered": query}), 422, "invalid")
        expect_error(await client.get(f"{API}/spaces", params={"mine": query}), 422, "invalid")
    for value in (1, 0, "true", "false", None):
        sent = {**SPACE, "allows_externals": value}
        expect_error(await client.post(f"{API}/spaces", json=sent), 422, "invalid", sent=sent)
    assert (await client.get(FEED, params={"unanswered": "true"})).status_code == 200
    assert (await client.get(f"{API}/spaces", params={"mine": "false"})).status_code == 200
    created = await client.post(f"{API}/spaces", json={**SPACE, "allows_externals": False})
    assert created.status_code == 201, created.text


# --- rules between fields, and formats ------------------------------------------------------


def body_validator(document: dict, method: str, path: str) -> Draft202012Validator:
    """The operation's body schema, its references resolved in the document."""
    content = document["paths"][path][method]["requestBody"]["content"]["application/json"]
    return Draft202012Validator({**content["schema"], "components": document["components"]})


async def test_what_the_document_allows_the_server_takes_and_what_it_refuses_is_a_422(client, make):
    """The rules the schema states beyond single fields (a poll and its options, an
    invitation's account or e-mail and kind, a page's title without a template), the
    handle pattern, date-times as ISO 8601: a body the document allows is not
    refused with a 422, and one it refuses is (Schemathesis checks the same, at
    random, in .ci/run)."""
    document = await read_document(client)
    admin = await make.user(role="admin")
    api = await make.bearer(admin, scopes=("read", "write", "admin"))
    space = await make.space(owner=admin, allows_externals=True)
    colleague = await make.user()
    posts = ("post", f"{API}/posts")
    invitations = ("post", f"{API}/spaces/{{space_id}}/invitations")
    pages = ("post", f"{API}/wiki/pages")
    users = ("post", f"{API}/admin/users")
    user = ("patch", f"{API}/admin/users/{{user_id}}")
    poll = {"options": ["Oui", "Non"]}
    cases = [
        (posts, {"body": "Sondage", "kind": "poll", "poll": poll}, True),
        (posts, {"body": "Sondage", "kind": "poll"}, False),
        (posts, {"body": "Sondage", "poll": poll}, False),
        (posts, {"body": "Sondage", "kind": "question", "poll": poll}, False),
        (posts, {"body": "Sondage", "kind": "poll", "poll": {"options": ["Oui", "Oui"]}}, False),
        (posts, {"body": "Sondage", "kind": "poll", "poll": {"options": ["Oui", "\u3000"]}}, False),
        (invitations, {"user_id": colleague.id}, True),
        (invitations, {"email": "ancien@example.test", "external_kind": "alumni"}, True),
        (invitations, {"email": "autre@example.test"}, False),
        (invitations, {"user_id": colleague.id, "email": "x@example.test"}, False),
        (invitations, {}, False),
        (pages, {"template": "meeting_notes"}, True),
        (pages, {"title": "Accueil"}, True),
        (pages, {"body": "Sans titre"}, False),
        (pages, {"title": "Modèle", "template": "minutes"}, False),
        (users, {"email": "anne@example.test", "display_name": "A", "handle": "Anne.B"}, True),
        (users, {"email": "bob@example.test", "display_name": "B", "handle": " bob"}, False),
        (users, {"email": "cy@example.test", "display_name": "C", "handle": "-cy"}, False),
        (user, {"access_ends_at": 0}, False),
    ]
    for (method, path), body, allowed in cases:
        assert body_validator(document, method, path).is_valid(body) is allowed, body
        url = path.format(space_id=space.id, user_id=colleague.id)
        response = await api.request(method.upper(), url, json=body)
        if allowed:
            assert response.status_code < 300, (body, response.text)
        else:
            expect_error(response, 422, sent=body)
    # What a date-time is: a number-like string too is refused, at the query as in a body.
    audit = f"{API}/admin/audit"
    for until in ("0.5", "0", "demain"):
        expect_error(await api.get(audit, params={"until": until}), 422, "invalid")
    assert (await api.get(audit, params={"until": "2030-01-01T00:00:00Z"})).is_success


def test_the_documents_whitespace_is_what_the_services_strip():
    """NOT_BLANK's class is str.isspace's set: a name the document allows is never
    one the services find blank once stripped, and the other way round."""
    in_class = re.compile(f"[{WHITESPACE}]")
    for character in map(chr, range(sys.maxunicode + 1)):
        assert bool(in_class.match(character)) == character.isspace(), hex(ord(character))


async def test_a_blank_name_title_or_search_is_refused_by_the_schema(make):
    _viewer, client = await person(make)
    for blank in (" ", "\x1c\u3000", "\t\n"):
        expect_error(await client.patch(f"{API}/me", json={"display_name": blank}), 422, "invalid")
        sent = {"title": blank}
        expect_error(await client.post(f"{API}/wiki/pages", json=sent), 422, "invalid")
        search = await client.get(f"{API}/wiki/search", params={"q": blank})
        expect_error(search, 422, "invalid")
    assert (await client.patch(f"{API}/me", json={"display_name": " Zoé "})).is_success
