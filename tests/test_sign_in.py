"""POST /api/v1/auth/login, POST /api/v1/auth/logout and POST /api/v1/me/password:
sessions start, rotate and end as SECURITY.md says."""

from sqlalchemy import func, select

from app.models import UserSession
from tests.api_helpers import (
    ADMIN_USERS,
    LOGIN,
    LOGOUT,
    ME,
    PASSWORD_CHANGE,
    SESSION_COOKIE,
    app_with,
    audit_events,
    client_for,
    session_cookie,
    with_cookie,
)
from tests.factories import PASSWORD
from tests.helpers import expect_error

NEW_PASSWORD = "a brand new passphrase"


async def count_sessions(session, user) -> int:
    return await session.scalar(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )


# --- sign-in ---------------------------------------------------------------------------------


async def test_sign_in_sets_an_httponly_lax_cookie_and_returns_a_csrf_token(client, make):
    user = await make.user()

    response = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["id"] == user.id
    assert body["user"]["email"] == user.email
    assert "password_hash" not in body["user"]
    assert len(body["csrf_token"]) >= 32
    cookie = session_cookie(response).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert "secure" not in cookie  # the test server speaks plain HTTP
    # The cookie is neither the CSRF token nor anything the body shows.
    assert body["csrf_token"] not in cookie
    assert (await client.get(ME)).json()["id"] == user.id


async def test_sign_in_cookie_is_secure_when_configured(settings, db, make):
    user = await make.user()
    async with client_for(app_with(settings, db, cookie_secure=True)) as client:
        response = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    assert response.status_code == 200, response.text
    assert "; secure" in session_cookie(response).lower()


async def test_sign_in_email_is_case_insensitive(client, make):
    user = await make.user()

    response = await client.post(
        LOGIN, json={"email": f"  {user.email.upper()} ", "password": PASSWORD}
    )

    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == user.id


async def test_wrong_password_and_unknown_email_answer_the_same(client, make):
    user = await make.user()
    inactive = await make.user(is_active=False)

    wrong_password = await client.post(LOGIN, json={"email": user.email, "password": "wrong" * 3})
    unknown_email = await client.post(
        LOGIN, json={"email": "nobody@example.test", "password": PASSWORD}
    )
    deactivated = await client.post(LOGIN, json={"email": inactive.email, "password": PASSWORD})

    expect_error(wrong_password, 401, "sign_in_failed")
    for other in (unknown_email, deactivated):
        assert other.status_code == wrong_password.status_code
        assert other.content == wrong_password.content
    for response in (wrong_password, unknown_email, deactivated):
        assert "set-cookie" not in response.headers
    assert await count_sessions(make.session, user) == 0


async def test_sign_in_refuses_bad_input(client):
    cases = [
        {"email": "someone@example.test"},
        {"password": PASSWORD},
        {"email": "", "password": PASSWORD},
        {"email": "someone@example.test", "password": ""},
        {"email": "someone@example.test", "password": "x" * 257},
        {"email": ["someone@example.test"], "password": PASSWORD},
    ]
    for body in cases:
        expect_error(await client.post(LOGIN, json=body), 422, "invalid")
    not_json = await client.post(
        LOGIN, content=b"{not json", headers={"content-type": "application/json"}
    )
    expect_error(not_json, 422, "invalid")


# --- rate limits -----------------------------------------------------------------------------


async def test_too_many_failures_lock_the_account_from_that_address_even_with_the_right_password(
    client, make, settings
):
    user = await make.user()
    other = await make.user()
    limit = settings.sign_in_max_failures_per_account_and_address

    for _attempt in range(limit):
        response = await client.post(LOGIN, json={"email": user.email, "password": "not it at all"})
        expect_error(response, 401, "sign_in_failed")
    # Another spelling of the same address counts against the same account.
    locked = await client.post(LOGIN, json={"email": user.email.upper(), "password": PASSWORD})

    expect_error(locked, 429, "rate_limited")
    retry_after = int(locked.headers["retry-after"])
    assert 1 <= retry_after <= settings.sign_in_window_seconds + 1
    assert "set-cookie" not in locked.headers
    assert await count_sessions(make.session, user) == 0
    # The limit is per account: someone else signs in from the same address.
    assert (
        await client.post(LOGIN, json={"email": other.email, "password": PASSWORD})
    ).status_code == 200


async def test_failures_from_elsewhere_do_not_lock_the_owner_out(settings, db, make):
    """Someone guessing a colleague's password from their own desk cannot keep
    that colleague from signing in from theirs."""
    user = await make.user()
    app = app_with(settings, db)
    async with client_for(app, address="192.0.2.66") as attacker:
        for _attempt in range(settings.sign_in_max_failures_per_account_and_address + 2):
            await attacker.post(LOGIN, json={"email": user.email, "password": "guessing"})
        expect_error(
            await attacker.post(LOGIN, json={"email": user.email, "password": PASSWORD}),
            429,
            "rate_limited",
        )

    async with client_for(app, address="192.0.2.10") as owner:
        signed_in = await owner.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    assert signed_in.status_code == 200, signed_in.text


async def test_failures_spread_over_many_addresses_lock_the_account(settings, db, make):
    user = await make.user()
    app = app_with(settings, db, sign_in_max_failures_per_account=4)
    for index in range(4):  # each address stays under its own limits
        async with client_for(app, address=f"198.51.100.{index}") as guesser:
            response = await guesser.post(LOGIN, json={"email": user.email, "password": "guess"})
            expect_error(response, 401, "sign_in_failed")

    async with client_for(app, address="192.0.2.10") as owner:
        locked = await owner.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    expect_error(locked, 429, "rate_limited")
    assert await count_sessions(make.session, user) == 0


async def test_too_many_failures_from_one_address_block_that_address(settings, db, make):
    user = await make.user()
    app = app_with(settings, db, sign_in_max_failures_per_address=3)
    async with client_for(app, address="192.0.2.50") as attacker:
        for index in range(3):
            response = await attacker.post(
                LOGIN, json={"email": f"guess{index}@example.test", "password": "guessing"}
            )
            expect_error(response, 401, "sign_in_failed")

        blocked = await attacker.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    expect_error(blocked, 429, "rate_limited")
    assert int(blocked.headers["retry-after"]) >= 1
    async with client_for(app, address="192.0.2.51") as elsewhere:
        allowed = await elsewhere.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert allowed.status_code == 200, allowed.text


async def test_a_successful_sign_in_forgets_the_account_failures(client, make, settings):
    user = await make.user()
    for _attempt in range(settings.sign_in_max_failures_per_account_and_address - 1):
        await client.post(LOGIN, json={"email": user.email, "password": "not it at all"})
    assert (
        await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    ).status_code == 200
    client.cookies.clear()

    response = await client.post(LOGIN, json={"email": user.email, "password": "not it at all"})

    # One more failure would have locked the account had the success not reset the count.
    expect_error(response, 401, "sign_in_failed")


# --- rotation and fixation -------------------------------------------------------------------


async def test_signing_in_again_ends_the_previous_session(make):
    user = await make.user()
    client = await make.signed_in(user)
    old_cookie = client.cookies[SESSION_COOKIE]
    old_csrf = client.headers["X-CSRF-Token"]

    response = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    assert response.status_code == 200, response.text
    assert client.cookies[SESSION_COOKIE] != old_cookie
    assert response.json()["csrf_token"] != old_csrf
    assert await count_sessions(make.session, user) == 1
    expect_error(await with_cookie(make, old_cookie).get(ME), 401, "not_authenticated")
    # The old CSRF token died with its session.
    expect_error(await client.patch(ME, json={"display_name": "Stale"}), 403, "csrf")
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    assert (await client.patch(ME, json={"display_name": "Fresh"})).status_code == 200


async def test_signing_in_from_a_second_tab_needs_no_csrf_token(make):
    """Signing in acts on no account yet: a page opened before the first sign-in
    has no token for the session that now exists, and must still work."""
    user = await make.user()
    client = await make.signed_in(user)
    old_cookie = client.cookies[SESSION_COOKIE]
    del client.headers["X-CSRF-Token"]

    response = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    assert response.status_code == 200, response.text
    assert await count_sessions(make.session, user) == 1
    expect_error(await with_cookie(make, old_cookie).get(ME), 401, "not_authenticated")


async def test_a_planted_cookie_is_replaced_at_sign_in(make):
    user = await make.user()
    client = with_cookie(make, "planted-by-an-attacker")

    response = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    assert response.status_code == 200, response.text
    assert "planted-by-an-attacker" not in session_cookie(response)
    expect_error(await with_cookie(make, "planted-by-an-attacker").get(ME), 401)


# --- sign-out --------------------------------------------------------------------------------


async def test_sign_out_ends_the_session(make):
    user = await make.user()
    client = await make.signed_in(user)
    cookie = client.cookies[SESSION_COOKIE]

    response = await client.post(LOGOUT)

    assert response.status_code == 204, response.text
    cleared = session_cookie(response).lower()
    assert "max-age=0" in cleared or "expires=thu, 01 jan 1970" in cleared
    assert await count_sessions(make.session, user) == 0
    expect_error(await with_cookie(make, cookie).get(ME), 401, "not_authenticated")


async def test_sign_out_needs_a_session(client):
    expect_error(await client.post(LOGOUT), 401, "not_authenticated")


async def test_sign_out_needs_the_csrf_token(make):
    user = await make.user()
    client = await make.signed_in(user)
    del client.headers["X-CSRF-Token"]

    expect_error(await client.post(LOGOUT), 403, "csrf")
    assert (await client.get(ME)).status_code == 200


# --- deactivation ----------------------------------------------------------------------------


async def test_a_deactivated_account_cannot_sign_in_and_its_session_ends_at_once(client, make):
    admin = await make.user(role="admin")
    user = await make.user()
    admin_client = await make.signed_in(admin)
    user_client = await make.signed_in(user)
    assert (await user_client.get(ME)).status_code == 200

    response = await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json={"is_active": False})

    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    expect_error(await user_client.get(ME), 401, "not_authenticated")
    refused = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    wrong = await client.post(LOGIN, json={"email": user.email, "password": "wrong" * 3})
    expect_error(refused, 401, "sign_in_failed")
    assert refused.content == wrong.content


# --- audit -----------------------------------------------------------------------------------


async def test_sign_ins_and_failures_reach_the_audit_log(client, make):
    user = await make.user()

    await client.post(LOGIN, json={"email": user.email, "password": "wrong password!"})
    await client.post(LOGIN, json={"email": "ghost@example.test", "password": "wrong password!"})
    await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    failed = await audit_events(make.session, "auth.sign_in_failed")
    assert [(event.target_id, event.detail["email"]) for event in failed] == [
        (user.id, user.email),
        (None, "ghost@example.test"),
    ]
    assert all(event.actor_id is None for event in failed)
    assert all(event.address == "203.0.113.7" for event in failed)
    assert all("wrong password!" not in str(event.detail) for event in failed)
    succeeded = await audit_events(make.session, "auth.sign_in")
    assert [(event.actor_id, event.target_id, event.address) for event in succeeded] == [
        (user.id, user.id, "203.0.113.7")
    ]


# --- password change -------------------------------------------------------------------------


async def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(client, make):
    user = await make.user()
    here = await make.signed_in(user)
    elsewhere = await make.signed_in(user)

    response = await here.post(
        PASSWORD_CHANGE, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204, response.text
    assert (await here.get(ME)).status_code == 200
    expect_error(await elsewhere.get(ME), 401, "not_authenticated")
    assert await count_sessions(make.session, user) == 1
    expect_error(
        await client.post(LOGIN, json={"email": user.email, "password": PASSWORD}),
        401,
        "sign_in_failed",
    )
    assert (
        await client.post(LOGIN, json={"email": user.email, "password": NEW_PASSWORD})
    ).status_code == 200
    [event] = await audit_events(make.session, "account.password_changed")
    assert (event.actor_id, event.target_id) == (user.id, user.id)


async def test_a_password_change_needs_a_session(client):
    response = await client.post(
        PASSWORD_CHANGE, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    expect_error(response, 401, "not_authenticated")


async def test_a_read_only_token_cannot_change_the_password(make):
    user = await make.user()
    reader = await make.bearer(user, scopes=("read",))

    response = await reader.post(
        PASSWORD_CHANGE, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    expect_error(response, 403, "token_scope")


async def test_a_password_change_refuses_bad_input(make):
    user = await make.user()
    client = await make.signed_in(user)

    wrong = await client.post(
        PASSWORD_CHANGE, json={"current_password": "not my password", "new_password": NEW_PASSWORD}
    )
    weak = await client.post(
        PASSWORD_CHANGE, json={"current_password": PASSWORD, "new_password": "short"}
    )
    missing = await client.post(PASSWORD_CHANGE, json={"current_password": PASSWORD})

    expect_error(wrong, 422, "wrong_password")
    expect_error(weak, 422, "weak_password")
    expect_error(missing, 422, "invalid")
    # Nothing changed: the old password still opens the account.
    assert (
        await make.client().post(LOGIN, json={"email": user.email, "password": PASSWORD})
    ).status_code == 200
