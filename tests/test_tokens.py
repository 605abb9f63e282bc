"""Personal access tokens: POST/GET /api/v1/me/tokens, DELETE /api/v1/me/tokens/{id},
and what a bearer token may reach."""

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from app.models import AccessToken
from app.models.base import utcnow
from tests.api_helpers import (
    ADMIN_USERS,
    ME,
    TOKENS,
    audit_events,
    cookie_client,
)
from tests.helpers import expect_error


def bearer(make, secret: str):
    return make.client(Authorization=f"Bearer {secret}")


async def token_rows(session, user) -> list[AccessToken]:
    return list(
        (
            await session.scalars(
                select(AccessToken)
                .where(AccessToken.user_id == user.id)
                .order_by(AccessToken.id)
                .execution_options(populate_existing=True)
            )
        ).all()
    )


# --- create ----------------------------------------------------------------------------------


async def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(make):
    user = await make.user()
    client = await cookie_client(make, user)

    response = await client.post(TOKENS, json={"name": "CI pipeline", "scopes": ["read"]})

    assert response.status_code == 201, response.text
    created = response.json()
    secret = created["token"]
    assert secret.startswith("ruche_") and len(secret) >= 40
    assert created["prefix"] == secret[:12]
    assert created["scopes"] == "read"
    assert created["name"] == "CI pipeline"
    [row] = await token_rows(make.session, user)
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    raw_rows = (await make.session.execute(text("SELECT * FROM access_tokens"))).all()
    assert raw_rows
    for raw in raw_rows:
        assert all(secret not in str(value) for value in raw), raw
    for event in await audit_events(make.session, "token.created"):
        assert secret not in str(event.detail)
    listed = await client.get(TOKENS)
    assert secret not in listed.text
    assert "token" not in listed.json()[0]
    assert (await bearer(make, secret).get(ME)).json()["id"] == user.id


async def test_a_token_creation_is_audited(make):
    user = await make.user()
    client = await cookie_client(make, user)

    created = (await client.post(TOKENS, json={"name": "backup job"})).json()

    [event] = await audit_events(make.session, "token.created")
    assert (event.actor_id, event.target_type, event.target_id) == (user.id, "token", created["id"])
    assert event.detail["scopes"] == "read write"


async def test_creating_a_token_needs_a_session(client):
    expect_error(await client.post(TOKENS, json={"name": "x"}), 401, "not_authenticated")


async def test_a_token_creation_refuses_bad_input(make):
    user = await make.user()
    client = await cookie_client(make, user)
    past = (utcnow() - timedelta(minutes=1)).isoformat()

    cases = [
        ({}, "invalid"),
        ({"name": ""}, "invalid"),
        ({"name": "x" * 101}, "invalid"),
        ({"name": "x", "scopes": []}, "invalid"),
        ({"name": "x", "scopes": ["root"]}, "invalid"),
        ({"name": "x", "scopes": "read"}, "invalid"),
        ({"name": "x", "expires_at": "next tuesday"}, "invalid"),
        ({"name": "x", "expires_at": past}, "expired"),
    ]
    for body, code in cases:
        expect_error(await client.post(TOKENS, json=body), 422, code)
    assert await token_rows(make.session, user) == []


async def test_an_expiry_without_a_zone_is_read_as_utc(make):
    user = await make.user()
    client = await cookie_client(make, user)

    response = await client.post(
        TOKENS, json={"name": "until 2099", "expires_at": "2099-01-01T12:00:00"}
    )

    assert response.status_code == 201, response.text
    expires_at = datetime.fromisoformat(response.json()["expires_at"].replace("Z", "+00:00"))
    assert expires_at == datetime(2099, 1, 1, 12, tzinfo=UTC)


async def test_a_member_cannot_create_an_admin_token(make):
    user = await make.user()
    client = await cookie_client(make, user)

    response = await client.post(TOKENS, json={"name": "escalate", "scopes": ["read", "admin"]})

    expect_error(response, 422, "scope_not_allowed")
    assert await token_rows(make.session, user) == []


async def test_an_admin_can_create_an_admin_token(make):
    admin = await make.user(role="admin")
    client = await cookie_client(make, admin)

    response = await client.post(TOKENS, json={"name": "provisioning", "scopes": ["admin"]})

    assert response.status_code == 201, response.text
    assert response.json()["scopes"] == "admin"


async def test_a_token_cannot_create_a_token_with_more_scopes_than_its_own(make):
    admin = await make.user(role="admin")
    read_write = await make.bearer(admin, scopes=("read", "write"))

    broader = await read_write.post(TOKENS, json={"name": "more", "scopes": ["read", "admin"]})
    narrower = await read_write.post(TOKENS, json={"name": "less", "scopes": ["read"]})

    expect_error(broader, 403, "token_scope")
    assert narrower.status_code == 201, narrower.text


async def test_token_creation_is_rate_limited(make):
    user = await make.user()
    client = await make.bearer(user)  # the factory's token counts as the first

    statuses = [
        (await client.post(TOKENS, json={"name": f"token {index}"})).status_code
        for index in range(19)
    ]
    limited = await client.post(TOKENS, json={"name": "one too many"})

    assert statuses == [201] * 19
    expect_error(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1


# --- list ------------------------------------------------------------------------------------


async def test_the_list_shows_own_live_tokens_newest_first_with_last_use(make):
    user = await make.user()
    other = await make.user()
    await make.bearer(other)
    client = await cookie_client(make, user)
    first = (await client.post(TOKENS, json={"name": "first"})).json()
    second = (await client.post(TOKENS, json={"name": "second"})).json()
    revoked = (await client.post(TOKENS, json={"name": "revoked"})).json()
    assert (await client.delete(f"{TOKENS}/{revoked['id']}")).status_code == 204

    before = (await client.get(TOKENS)).json()
    assert (await bearer(make, first["token"]).get(ME)).status_code == 200
    after = (await client.get(TOKENS)).json()

    assert [token["id"] for token in before] == [second["id"], first["id"]]
    assert all(token["last_used_at"] is None for token in before)
    used = {token["id"]: token["last_used_at"] for token in after}
    assert used[second["id"]] is None
    assert used[first["id"]] is not None
    assert set(after[0]) == {
        "id",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
    }


async def test_listing_tokens_needs_a_session(client):
    expect_error(await client.get(TOKENS), 401, "not_authenticated")


# --- revoke ----------------------------------------------------------------------------------


async def test_a_revoked_token_stops_working(make):
    user = await make.user()
    client = await cookie_client(make, user)
    created = (await client.post(TOKENS, json={"name": "old laptop"})).json()
    token_client = bearer(make, created["token"])
    assert (await token_client.get(ME)).status_code == 200

    response = await client.delete(f"{TOKENS}/{created['id']}")

    assert response.status_code == 204, response.text
    expect_error(await token_client.get(ME), 401, "invalid_token")
    expect_error(await client.delete(f"{TOKENS}/{created['id']}"), 404, "not_found")
    [row] = await token_rows(make.session, user)
    assert row.revoked_at is not None
    [event] = await audit_events(make.session, "token.revoked")
    assert (event.actor_id, event.target_id) == (user.id, created["id"])


async def test_revoking_someone_elses_token_answers_not_found(make):
    owner = await make.user()
    owner_client = await make.bearer(owner)
    [owner_token] = await token_rows(make.session, owner)
    intruder = await make.bearer(await make.user())

    response = await intruder.delete(f"{TOKENS}/{owner_token.id}")

    expect_error(response, 404, "not_found")
    assert (await owner_client.get(ME)).status_code == 200


async def test_revoking_needs_a_session_and_a_valid_id(client, make):
    expect_error(await client.delete(f"{TOKENS}/1"), 401, "not_authenticated")
    user_client = await make.bearer(await make.user())
    expect_error(await user_client.delete(f"{TOKENS}/not-a-number"), 422, "invalid")
    expect_error(await user_client.delete(f"{TOKENS}/0"), 422, "invalid")
    expect_error(await user_client.delete(f"{TOKENS}/{2**63}"), 422, "invalid")
    expect_error(await user_client.delete(f"{TOKENS}/{2**63 - 1}"), 404, "not_found")


# --- what a token reaches --------------------------------------------------------------------


async def test_an_unknown_token_is_refused(make):
    for header in ("Bearer ruche_made-up", "Bearer ", "bearer ruche_made-up"):
        response = await make.client(Authorization=header).get(ME)
        expect_error(response, 401, "invalid_token")


async def test_an_expired_token_is_refused(make):
    user = await make.user()
    client = await make.bearer(user, expires_at=utcnow() + timedelta(hours=1))
    assert (await client.get(ME)).status_code == 200
    # The API refuses an expiry in the past, so age the row instead of waiting.
    [row] = await token_rows(make.session, user)
    row.expires_at = utcnow() - timedelta(seconds=1)
    await make.session.commit()

    expect_error(await client.get(ME), 401, "invalid_token")


async def test_the_token_of_a_deactivated_account_is_refused(make):
    admin = await make.user(role="admin")
    user = await make.user()
    client = await make.bearer(user)
    admin_client = await make.bearer(admin, scopes=("admin",))
    assert (await client.get(ME)).status_code == 200

    response = await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json={"is_active": False})

    assert response.status_code == 200, response.text
    expect_error(await client.get(ME), 401, "invalid_token")


async def test_a_read_only_token_cannot_write(make):
    user = await make.user(display_name="Unchanged")
    reader = await make.bearer(user, scopes=("read",))

    assert (await reader.get(ME)).status_code == 200
    expect_error(await reader.patch(ME, json={"display_name": "Changed"}), 403, "token_scope")
    expect_error(await reader.post(TOKENS, json={"name": "x", "scopes": ["read"]}), 403)
    [own] = await token_rows(make.session, user)
    expect_error(await reader.delete(f"{TOKENS}/{own.id}"), 403, "token_scope")
    assert (await reader.get(ME)).json()["display_name"] == "Unchanged"


async def test_a_write_only_token_cannot_read(make):
    user = await make.user()
    writer = await make.bearer(user, scopes=("write",))

    expect_error(await writer.get(ME), 403, "token_scope")
    assert (await writer.patch(ME, json={"display_name": "Written"})).status_code == 200


async def test_admin_routes_need_the_admin_scope(make):
    admin = await make.user(role="admin")
    everyday = await make.bearer(admin, scopes=("read", "write"))
    admin_token = await make.bearer(admin, scopes=("admin",))

    expect_error(await everyday.get(ADMIN_USERS), 403, "token_scope")
    expect_error(
        await everyday.post(ADMIN_USERS, json={"email": "a@example.com", "display_name": "A"}),
        403,
        "token_scope",
    )
    assert (await admin_token.get(ADMIN_USERS)).status_code == 200
    created = await admin_token.post(
        ADMIN_USERS, json={"email": "b@example.com", "display_name": "B"}
    )
    assert created.status_code == 201, created.text
    # The admin scope is for /admin only.
    expect_error(await admin_token.get(ME), 403, "token_scope")


async def test_an_admin_token_stops_opening_admin_routes_once_its_owner_is_demoted(make):
    admin = await make.user(role="admin")
    other_admin = await make.user(role="admin")
    admin_token = await make.bearer(admin, scopes=("admin",))
    other_client = await make.bearer(other_admin, scopes=("admin",))

    demoted = await other_client.patch(f"{ADMIN_USERS}/{admin.id}", json={"role": "member"})

    assert demoted.status_code == 200, demoted.text
    expect_error(await admin_token.get(ADMIN_USERS), 403, "forbidden")
