"""CSRF: every unsafe request authenticated by the session cookie must echo the
session's token; bearer requests need none."""

from sqlalchemy import func, select

from app.models import AccessToken
from tests.api_helpers import (
    LOGIN,
    LOGOUT,
    ME,
    SESSION_COOKIE,
    TOKENS,
    cookie_client,
    with_cookie,
)
from tests.factories import PASSWORD
from tests.helpers import expect_error


async def count_tokens(session, user) -> int:
    return await session.scalar(
        select(func.count()).select_from(AccessToken).where(AccessToken.user_id == user.id)
    )


async def test_a_cookie_write_without_the_token_is_refused(make):
    user = await make.user(display_name="Before")
    client = await cookie_client(make, user)
    del client.headers["X-CSRF-Token"]

    patched = await client.patch(ME, json={"display_name": "After"})
    created = await client.post(TOKENS, json={"name": "sneaky"})

    expect_error(patched, 403, "csrf")
    expect_error(created, 403, "csrf")
    assert (await client.get(ME)).json()["display_name"] == "Before"
    assert await count_tokens(make.session, user) == 0


async def test_a_cookie_write_with_a_wrong_token_is_refused(make):
    user = await make.user(display_name="Before")
    client = await cookie_client(make, user)

    for wrong in ("", "not-the-token", client.headers["X-CSRF-Token"][:-1]):
        client.headers["X-CSRF-Token"] = wrong
        expect_error(await client.patch(ME, json={"display_name": "After"}), 403, "csrf")
    del client.headers["X-CSRF-Token"]
    assert (await client.get(ME)).json()["display_name"] == "Before"


async def test_the_token_of_another_session_is_refused(make):
    user = await make.user()
    first = await cookie_client(make, user)
    second = await cookie_client(make, user)
    first.headers["X-CSRF-Token"] = second.headers["X-CSRF-Token"]

    expect_error(await first.patch(ME, json={"display_name": "Crossed"}), 403, "csrf")


async def test_a_cookie_write_with_the_right_token_passes(make):
    user = await make.user()
    client = await make.signed_in(user)

    patched = await client.patch(ME, json={"display_name": "After"})
    created = await client.post(TOKENS, json={"name": "laptop"})

    assert patched.status_code == 200, patched.text
    assert patched.json()["display_name"] == "After"
    assert created.status_code == 201, created.text


async def test_the_token_may_come_as_a_form_field(make):
    """Plain HTML forms carry it in a field, as the sign-out button does."""
    user = await make.user()
    client = await cookie_client(make, user)
    token = client.headers.pop("X-CSRF-Token")
    cookie = client.cookies[SESSION_COOKIE]

    wrong = await client.post(LOGOUT, data={"csrf_token": "wrong"})
    right = await client.post(LOGOUT, data={"csrf_token": token})

    expect_error(wrong, 403, "csrf")
    assert right.status_code == 204, right.text
    expect_error(await with_cookie(make, cookie).get(ME), 401)


async def test_safe_methods_need_no_token(make):
    user = await make.user()
    client = await cookie_client(make, user)
    del client.headers["X-CSRF-Token"]

    assert (await client.get(ME)).status_code == 200
    assert (await client.get(TOKENS)).status_code == 200


async def test_bearer_requests_need_no_token(make):
    user = await make.user()
    client = await make.bearer(user)

    patched = await client.patch(ME, json={"display_name": "Scripted"})
    created = await client.post(TOKENS, json={"name": "from a script"})

    assert patched.status_code == 200, patched.text
    assert created.status_code == 201, created.text


async def test_an_anonymous_write_is_unauthenticated_not_forbidden(client):
    expect_error(await client.patch(ME, json={"display_name": "Nobody"}), 401, "not_authenticated")
    expect_error(await client.post(TOKENS, json={"name": "x"}), 401, "not_authenticated")


async def test_sign_in_needs_no_token_without_a_session(client, make):
    user = await make.user()

    response = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})

    assert response.status_code == 200, response.text
