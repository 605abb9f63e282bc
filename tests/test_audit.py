"""The audit log through GET /api/v1/admin/audit: administrators only, filters,
keyset pagination, and the security-relevant actions it records."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.models import AuditEvent
from app.models.base import utcnow
from app.services.audit import record_audit
from tests.factories import PASSWORD
from tests.helpers import expect_error
from tests.space_helpers import ADMIN_SCOPES, admin_client

AUDIT = "/api/v1/admin/audit"


async def audit_page(client, **params) -> dict:
    response = await client.get(AUDIT, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# --- who may read it ----------------------------------------------------------------


async def test_the_audit_log_requires_sign_in(client):
    expect_error(await client.get(AUDIT), 401)


async def test_only_admins_read_the_audit_log(make):
    member = await make.user()
    expect_error(await (await make.signed_in(member)).get(AUDIT), 403, "forbidden")
    admin = await make.user(role="admin")
    # The admin scope is needed on a token, even an admin's.
    expect_error(await (await make.bearer(admin)).get(AUDIT), 403, "token_scope")
    assert (await (await make.bearer(admin, scopes=ADMIN_SCOPES)).get(AUDIT)).status_code == 200
    assert (await (await make.signed_in(admin)).get(AUDIT)).status_code == 200


async def test_the_audit_log_cannot_be_changed_through_the_api(make):
    _admin, client = await admin_client(make)
    event_id = (await audit_page(client, limit=1))["items"][0]["id"]
    for method, path in [
        ("DELETE", AUDIT),
        ("POST", AUDIT),
        ("PATCH", f"{AUDIT}/{event_id}"),
        ("DELETE", f"{AUDIT}/{event_id}"),
    ]:
        response = await client.request(method, path, json={})
        assert response.status_code in (404, 405), response.text
        expect_error(response, response.status_code)


# --- what it records ------------------------------------------------------------------


async def test_security_relevant_actions_are_recorded(make, client):
    admin, admin_api = await admin_client(make)
    person = await make.user()
    owner = await make.user()
    space = await make.space(owner=owner, visibility="private")

    # Sign-in, failed and successful, from the test client's address.
    await client.post("/api/v1/auth/login", json={"email": person.email, "password": "wrong!"})
    await client.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
    person_client = await make.bearer(person)
    owner_client = await make.bearer(owner)
    # A token made and revoked through the API.
    token_id = (await person_client.post("/api/v1/me/tokens", json={"name": "CI"})).json()["id"]
    await person_client.delete(f"/api/v1/me/tokens/{token_id}")
    # A membership, an invitation, a visibility change.
    await owner_client.post(f"/api/v1/spaces/{space.id}/members", json={"user_id": person.id})
    invitee = await make.user()
    await owner_client.post(f"/api/v1/spaces/{space.id}/invitations", json={"user_id": invitee.id})
    await owner_client.patch(f"/api/v1/spaces/{space.id}", json={"visibility": "secret"})

    def one(action, **filters):
        found = [
            e
            for e in events
            if e["action"] == action and all(e[k] == v for k, v in filters.items())
        ]
        assert len(found) == 1, (action, filters, [e["action"] for e in events])
        return found[0]

    events = (await audit_page(admin_api, limit=100))["items"]
    failed = one("auth.sign_in_failed", target_id=person.id)
    assert (failed["actor_id"], failed["address"]) == (None, "203.0.113.7")
    assert failed["detail"]["email"] == person.email
    assert "wrong!" not in str(failed)
    signed_in = one("auth.sign_in", actor_id=person.id)
    assert (signed_in["target_type"], signed_in["address"]) == ("user", "203.0.113.7")
    created = one("token.created", target_id=token_id)
    assert (created["actor_id"], created["target_type"]) == (person.id, "token")
    one("token.revoked", target_id=token_id, actor_id=person.id)
    added = one("membership.added", target_id=person.id)
    assert (added["actor_id"], added["detail"]["space_id"]) == (owner.id, space.id)
    invited = one("invitation.created", target_id=invitee.id)
    assert invited["detail"]["space_id"] == space.id
    changed = one("space.visibility_changed", target_id=space.id)
    assert (changed["target_type"], changed["detail"]) == (
        "space",
        {"before": "private", "after": "secret"},
    )
    assert admin.id not in {e["actor_id"] for e in events if e["action"] != "token.created"}
    # Newest first.
    listed = [e["id"] for e in events]
    assert listed == sorted(listed, reverse=True)


# --- filters and pages ----------------------------------------------------------------


async def test_the_audit_log_filters(make, session):
    _admin, client = await admin_client(make)
    alice, bob = await make.user(), await make.user()
    old = datetime(2020, 1, 1, tzinfo=UTC)
    for action, actor, target in [
        ("test.alpha", alice, bob),
        ("test.alpha", bob, alice),
        ("test.beta", alice, alice),
    ]:
        record_audit(session, action=action, actor=actor, target=target)
    ancient = record_audit(session, action="test.alpha", actor=alice, target=bob)
    await session.flush()
    ancient.created_at = old
    await session.commit()

    def actions(page):
        return [(e["action"], e["actor_id"], e["target_id"]) for e in page["items"]]

    page = await audit_page(client, action="test.alpha")
    assert actions(page) == [
        ("test.alpha", alice.id, bob.id),
        ("test.alpha", bob.id, alice.id),
        ("test.alpha", alice.id, bob.id),
    ]
    page = await audit_page(client, action="test.alpha", actor_id=bob.id)
    assert actions(page) == [("test.alpha", bob.id, alice.id)]
    page = await audit_page(client, target_type="user", target_id=alice.id, actor_id=alice.id)
    assert actions(page) == [("test.beta", alice.id, alice.id)]
    since = (utcnow() - timedelta(hours=1)).isoformat()
    assert len((await audit_page(client, action="test.alpha", since=since))["items"]) == 2
    page = await audit_page(client, action="test.alpha", until="2021-01-01T00:00:00Z")
    assert [e["id"] for e in page["items"]] == [ancient.id]
    page = await audit_page(
        client, action="test.alpha", since="2019-12-31T00:00:00+01:00", until="2020-01-02T00:00:00"
    )
    assert [e["id"] for e in page["items"]] == [ancient.id]
    assert (await audit_page(client, action="no.such.action"))["items"] == []


BAD_FILTERS = [
    {"since": "yesterday"},
    {"until": "2024-13-01"},
    {"actor_id": "alice"},
    {"target_id": str(2**64)},
    {"limit": 0},
    {"limit": 101},
    {"cursor": "not-a-cursor!"},
    {"cursor": "WyJhIiwxXQ"},  # ["a",1]: a cursor of another list
    {"action": "x" * 61},
]


async def test_the_audit_log_refuses_bad_filters(make):
    _admin, client = await admin_client(make)
    for params in BAD_FILTERS:
        expect_error(await client.get(AUDIT, params=params), 422, sent=params)


async def test_the_audit_log_pages_newest_first(make, session):
    _admin, client = await admin_client(make)
    actor = await make.user()
    recorded = [record_audit(session, action="test.page", actor=actor) for _ in range(5)]
    await session.commit()
    expected = sorted((e.id for e in recorded), reverse=True)

    seen, cursor, pages = [], None, 0
    while True:
        params = {"action": "test.page", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await audit_page(client, **params)
        seen += [e["id"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert pages == 3
    stored = (
        await session.scalars(select(AuditEvent.id).where(AuditEvent.action == "test.page"))
    ).all()
    assert sorted(stored, reverse=True) == expected
