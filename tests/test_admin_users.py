"""Administration of accounts: /api/v1/admin/users (list, create, read, update)."""

import pytest
from sqlalchemy import select

from app.api.pagination import encode_cursor
from app.levels import Level
from app.models import Membership, User
from tests.api_helpers import (
    ADMIN_USERS,
    LOGIN,
    ME,
    audit_events,
    cookie_client,
)
from tests.helpers import expect_error

AUDIT = "/api/v1/admin/audit"


@pytest.fixture
async def admin(make):
    return await make.user(role="admin", email="root@example.test")


@pytest.fixture
async def admin_client(make, admin):
    """Most tests act through an admin-scoped token: the same checks as the cookie,
    without an argon2 verification per test."""
    return await make.bearer(admin, scopes=("admin",))


async def reload(session, user: User) -> User:
    await session.refresh(user)
    return user


# --- who may -----------------------------------------------------------------------------------


def new_user(**fields) -> dict:
    return {"email": "new.person@example.com", "display_name": "New Person", **fields}


# Every route under /api/v1/admin, with a body it would accept from an admin.
ADMIN_REQUESTS = {
    ("GET", "/api/v1/admin/users"): None,
    ("POST", "/api/v1/admin/users"): new_user(role="admin"),
    ("GET", "/api/v1/admin/users/{user_id}"): None,
    ("PATCH", "/api/v1/admin/users/{user_id}"): {"role": "admin"},
    ("PATCH", "/api/v1/admin/users/{user_id}/profile"): {"department": "R&D"},
    ("POST", "/api/v1/admin/users/{user_id}/offboard"): None,
    ("GET", "/api/v1/admin/audit"): None,
    ("PUT", "/api/v1/admin/charter"): {"text": "Be kind, and keep secrets secret."},
    ("GET", "/api/v1/admin/scim/clients"): None,
    ("POST", "/api/v1/admin/scim/clients"): {"name": "entra"},
    ("POST", "/api/v1/admin/scim/clients/{client_id}/token"): None,
    ("DELETE", "/api/v1/admin/scim/clients/{client_id}"): None,
    ("GET", "/api/v1/admin/scim/groups"): None,
    ("PUT", "/api/v1/admin/scim/groups/{group_id}/space"): {"space_id": None},
}


def at(path: str, user_id: int) -> str:
    """The route's path with ``user_id`` for every id it names (none is looked up
    before the caller's right is)."""
    return path.format(user_id=user_id, client_id=user_id, group_id=user_id)


def admin_routes(app) -> set[tuple[str, str]]:
    """Read from the OpenAPI document, which every API route appears in."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/admin")
        for method in operations
    }


def test_the_admin_checks_below_cover_every_admin_route(app):
    """A new admin route must be added to ADMIN_REQUESTS, and so to the checks."""
    assert admin_routes(app) == set(ADMIN_REQUESTS)


async def test_every_admin_route_needs_a_session(client, make):
    user = await make.user()
    for (method, path), body in ADMIN_REQUESTS.items():
        response = await client.request(method, at(path, user.id), json=body)
        expect_error(response, 401, "not_authenticated")


async def test_a_member_gets_403_on_every_admin_route(make):
    member = await make.user()
    target = await make.user()
    client = await cookie_client(make, member)

    for (method, path), body in ADMIN_REQUESTS.items():
        for user_id in (target.id, member.id, target.id + 1000):
            # Not even a missing account is revealed.
            response = await client.request(method, at(path, user_id), json=body)
            expect_error(response, 403, "forbidden")

    assert (await reload(make.session, member)).role == "member"
    target = await reload(make.session, target)
    assert (target.role, target.kind) == ("member", "employee")
    created = await make.session.scalar(select(User).where(User.email == new_user()["email"]))
    assert created is None


async def test_an_admin_signed_in_with_a_cookie_manages_accounts(make, admin):
    client = await make.signed_in(admin)
    target = await make.user()

    listed = await client.get(ADMIN_USERS)
    patched = await client.patch(f"{ADMIN_USERS}/{target.id}", json={"clearance": "confidential"})

    assert listed.status_code == 200, listed.text
    assert patched.status_code == 200, patched.text


# --- create ------------------------------------------------------------------------------------


async def test_an_admin_creates_an_account_that_can_sign_in(client, make, admin, admin_client):
    response = await admin_client.post(
        ADMIN_USERS,
        json=new_user(email="New.Person@Example.COM", password="long enough passphrase"),
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["email"] == "new.person@example.com"
    assert created["handle"] == "new.person"
    assert (created["kind"], created["role"], created["clearance"]) == (
        "employee",
        "member",
        "internal",
    )
    assert created["is_active"] is True
    assert "password_hash" not in created and "password" not in created
    signed_in = await client.post(
        LOGIN, json={"email": "NEW.PERSON@example.com", "password": "long enough passphrase"}
    )
    assert signed_in.status_code == 200, signed_in.text
    [event] = await audit_events(make.session, "account.created")
    assert (event.actor_id, event.target_id) == (admin.id, created["id"])
    assert event.detail == {"kind": "employee", "role": "member", "clearance": "internal"}


async def test_an_external_account_starts_at_public(admin_client):
    for kind in ("alumni", "contractor"):
        response = await admin_client.post(
            ADMIN_USERS, json=new_user(email=f"{kind}@example.com", kind=kind)
        )
        assert response.status_code == 201, response.text
        assert response.json()["clearance"] == "public"


async def test_an_admin_may_create_an_employee_with_a_higher_clearance(admin_client):
    response = await admin_client.post(ADMIN_USERS, json=new_user(clearance="secret"))

    assert response.status_code == 201, response.text
    assert response.json()["clearance"] == "secret"


async def test_an_external_account_cannot_be_created_above_public(make, admin_client):
    for kind in ("alumni", "contractor"):
        for clearance in ("internal", "confidential", "secret"):
            response = await admin_client.post(
                ADMIN_USERS, json=new_user(kind=kind, clearance=clearance)
            )
            expect_error(response, 422, "external_clearance")
    assert await make.session.scalar(select(User).where(User.email == new_user()["email"])) is None


async def test_a_duplicate_email_is_refused_whatever_its_case(make, admin_client):
    existing = await make.user(email="taken@example.com")

    response = await admin_client.post(ADMIN_USERS, json=new_user(email="TAKEN@Example.com"))

    expect_error(response, 409, "email_taken")
    assert existing.email == "taken@example.com"


async def test_a_duplicate_handle_is_refused(make, admin_client):
    existing = await make.user()

    response = await admin_client.post(ADMIN_USERS, json=new_user(handle=existing.handle))

    expect_error(response, 409, "handle_taken")


async def test_account_creation_refuses_bad_input(make, admin_client):
    cases = [
        ({"display_name": "No e-mail"}, "invalid"),
        (new_user(email="not an e-mail"), "invalid"),
        (new_user(display_name=""), "invalid"),
        (new_user(kind="robot"), "invalid"),
        (new_user(role="owner"), "invalid"),
        (new_user(clearance="top-secret"), "invalid"),
        (new_user(language="de"), "invalid"),
        (new_user(password="short"), "weak_password"),
        (new_user(password="x" * 257), "invalid"),
        (new_user(handle="No Spaces Allowed"), "invalid"),
    ]
    for body, code in cases:
        expect_error(await admin_client.post(ADMIN_USERS, json=body), 422, code)
    assert await make.session.scalar(select(User).where(User.email == new_user()["email"])) is None


# --- list --------------------------------------------------------------------------------------


async def test_the_list_pages_through_every_account_by_keyset(make, admin_client):
    for _index in range(4):
        await make.user()
    all_ids = sorted((await make.session.scalars(select(User.id))).all())
    assert len(all_ids) >= 5

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await admin_client.get(ADMIN_USERS, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert sorted(page) == ["items", "next_cursor"]
        assert 1 <= len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert pages < 10

    assert seen == all_ids
    assert pages == (len(all_ids) + 1) // 2


async def test_a_page_that_holds_the_rest_has_no_next_cursor(make, admin_client):
    await make.user()
    total = len((await make.session.scalars(select(User.id))).all())

    exact = (await admin_client.get(ADMIN_USERS, params={"limit": total})).json()
    short = (await admin_client.get(ADMIN_USERS, params={"limit": total - 1})).json()

    assert len(exact["items"]) == total and exact["next_cursor"] is None
    assert len(short["items"]) == total - 1 and short["next_cursor"] is not None


async def test_the_list_filters_by_name_or_email(make, admin_client):
    wanted = await make.user(display_name="Dominique Lefèvre")
    await make.user(display_name="Someone Else")

    page = (await admin_client.get(ADMIN_USERS, params={"q": "dominique"})).json()

    assert [item["id"] for item in page["items"]] == [wanted.id]
    assert page["items"][0]["is_active"] is True


async def test_the_list_refuses_bad_paging(admin_client):
    for params, code in [
        ({"limit": 0}, "invalid"),
        ({"limit": 101}, "invalid"),
        ({"limit": "ten"}, "invalid"),
        ({"cursor": "!!!not-a-cursor"}, "invalid_cursor"),
        ({"cursor": encode_cursor("text")}, "invalid_cursor"),
        ({"cursor": encode_cursor(True)}, "invalid_cursor"),
        ({"cursor": encode_cursor(-1)}, "invalid_cursor"),
        ({"cursor": encode_cursor(2**63)}, "invalid_cursor"),  # beyond BIGINT
        ({"cursor": "x" * 201}, "invalid"),
        ({"q": "x" * 101}, "invalid"),
    ]:
        expect_error(await admin_client.get(ADMIN_USERS, params=params), 422, code)


# --- read --------------------------------------------------------------------------------------


async def test_an_admin_reads_one_account(make, admin_client):
    user = await make.user(kind="contractor")

    response = await admin_client.get(f"{ADMIN_USERS}/{user.id}")

    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "contractor"
    expect_error(await admin_client.get(f"{ADMIN_USERS}/{user.id + 1000}"), 404, "not_found")
    expect_error(await admin_client.get(f"{ADMIN_USERS}/abc"), 422, "invalid")


# --- update ------------------------------------------------------------------------------------


async def test_an_admin_changes_kind_role_clearance_and_active_state(make, admin_client):
    user = await make.user()
    path = f"{ADMIN_USERS}/{user.id}"

    clearance = await admin_client.patch(path, json={"clearance": "confidential"})
    role = await admin_client.patch(path, json={"role": "admin"})
    inactive = await admin_client.patch(path, json={"is_active": False})
    active = await admin_client.patch(path, json={"is_active": True})
    alumni = await admin_client.patch(path, json={"kind": "alumni", "role": "member"})

    assert clearance.json()["clearance"] == "confidential"
    assert role.json()["role"] == "admin"
    assert inactive.json()["is_active"] is False
    assert active.json()["is_active"] is True
    assert (alumni.json()["kind"], alumni.json()["role"], alumni.json()["clearance"]) == (
        "alumni",
        "member",
        "public",
    )
    user = await reload(make.session, user)
    assert (user.kind, user.role, user.clearance, user.is_active) == (
        "alumni",
        "member",
        Level.PUBLIC,
        True,
    )


async def test_an_external_account_cannot_be_raised_above_public(make, admin_client):
    for kind in ("alumni", "contractor"):
        user = await make.user(kind=kind)
        for clearance in ("internal", "confidential", "secret"):
            response = await admin_client.patch(
                f"{ADMIN_USERS}/{user.id}", json={"clearance": clearance}
            )
            expect_error(response, 422, "external_clearance")
        assert (await reload(make.session, user)).clearance is Level.PUBLIC


async def test_an_employee_cannot_become_external_and_keep_a_clearance(make, admin_client):
    user = await make.user(clearance="confidential")

    response = await admin_client.patch(
        f"{ADMIN_USERS}/{user.id}", json={"kind": "contractor", "clearance": "internal"}
    )

    expect_error(response, 422, "external_clearance")
    user = await reload(make.session, user)
    assert (user.kind, user.clearance) == ("employee", Level.CONFIDENTIAL)


async def test_an_employee_turned_contractor_drops_to_public(make, admin_client):
    user = await make.user(clearance="secret")

    response = await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json={"kind": "contractor"})

    assert response.status_code == 200, response.text
    assert (response.json()["kind"], response.json()["clearance"]) == ("contractor", "public")
    assert (await reload(make.session, user)).clearance is Level.PUBLIC


async def test_an_update_refuses_fields_it_does_not_list(make, admin_client):
    user = await make.user()
    for body in [
        {"email": "stolen@example.com"},
        {"password_hash": "$argon2id$forged"},
        {"handle": "renamed"},
        {"id": user.id + 1},
        {"is_admin": True},
        {"clearance": "internal", "email": "stolen@example.com"},
    ]:
        response = await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json=body)
        expect_error(response, 422, "invalid")

    stored = await reload(make.session, user)
    assert stored.email.endswith("@example.test")
    assert stored.password_hash.startswith("$argon2")
    assert await audit_events(make.session, "account.updated") == []


async def test_an_update_refuses_bad_values(make, admin_client):
    user = await make.user()
    for body in [
        {"kind": "robot"},
        {"role": "owner"},
        {"clearance": "top-secret"},
        {"is_active": "maybe"},
        [],
    ]:
        response = await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json=body)
        expect_error(response, 422, "invalid")
    expect_error(
        await admin_client.patch(f"{ADMIN_USERS}/{user.id + 1000}", json={"role": "admin"}),
        404,
        "not_found",
    )


async def test_an_admin_cannot_demote_or_deactivate_themselves(make, admin, admin_client):
    path = f"{ADMIN_USERS}/{admin.id}"

    demoted = await admin_client.patch(path, json={"role": "member"})
    deactivated = await admin_client.patch(path, json={"is_active": False})

    expect_error(demoted, 409, "self_demotion")
    expect_error(deactivated, 409, "self_demotion")
    admin = await reload(make.session, admin)
    assert (admin.role, admin.is_active) == ("admin", True)


@pytest.mark.parametrize("allows_externals", [True, False])
@pytest.mark.parametrize(
    "change", [{"kind": "contractor"}, {"kind": "alumni"}, {"clearance": "secret"}]
)
async def test_an_admin_changes_neither_their_own_kind_nor_their_clearance(
    make, admin, admin_client, change, allows_externals
):
    """Once a 500 (their sole-owned space handed over to themselves) or a lock-out
    (a contractor admin answered charter_required on the call that would undo it)."""
    space = await make.space(owner=admin, allows_externals=allows_externals)

    response = await admin_client.patch(f"{ADMIN_USERS}/{admin.id}", json=change)

    expect_error(response, 409, "self_demotion")
    admin = await reload(make.session, admin)
    assert (admin.kind, admin.clearance) == ("employee", Level.INTERNAL)
    roles = (
        await make.session.execute(
            select(Membership.user_id, Membership.role).where(Membership.space_id == space.id)
        )
    ).all()
    assert roles == [(admin.id, "owner")]
    assert (await admin_client.get(f"{ADMIN_USERS}/{admin.id}")).status_code == 200


async def test_a_space_whose_owner_turns_external_gets_an_employee_owner(make, admin, admin_client):
    """Never an external member: externals may belong to a space, never manage it."""
    owner = await make.user()
    contractor = await make.user(kind="contractor", clearance="public")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)

    response = await admin_client.patch(f"{ADMIN_USERS}/{owner.id}", json={"kind": "contractor"})

    assert response.status_code == 200, response.text
    roles = dict(
        (
            await make.session.execute(
                select(Membership.user_id, Membership.role).where(Membership.space_id == space.id)
            )
        ).all()
    )
    assert roles == {owner.id: "member", contractor.id: "member", admin.id: "owner"}


async def test_another_admin_may_demote_an_admin(make, admin, admin_client):
    other = await make.user(role="admin")

    response = await admin_client.patch(f"{ADMIN_USERS}/{other.id}", json={"role": "member"})

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "member"


async def test_a_member_cannot_change_their_own_role_kind_or_clearance(make):
    member = await make.user(kind="contractor")
    client = await cookie_client(make, member)

    for body in [
        {"role": "admin"},
        {"kind": "employee"},
        {"clearance": "secret"},
        {"is_active": True},
        {"email": "someone.else@example.com"},
        {"display_name": "Fine", "role": "admin"},
    ]:
        expect_error(await client.patch(ME, json=body), 422, "invalid")

    member = await reload(make.session, member)
    assert (member.role, member.kind, member.clearance) == ("member", "contractor", Level.PUBLIC)
    allowed = await client.patch(ME, json={"display_name": "  Renamed  "})
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["display_name"] == "Renamed"
    assert allowed.json()["role"] == "member"


async def test_updates_reach_the_audit_log(make, admin, admin_client):
    user = await make.user()

    await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json={"clearance": "confidential"})
    await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json={"kind": "contractor"})
    await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json={"kind": "contractor"})  # no-op

    events = await audit_events(make.session, "account.updated")
    assert [(event.actor_id, event.target_id) for event in events] == [(admin.id, user.id)] * 2
    assert [(event.detail["before"], event.detail["after"]) for event in events] == [
        ({"clearance": "internal"}, {"clearance": "confidential"}),
        (
            {"kind": "employee", "clearance": "confidential"},
            {"kind": "contractor", "clearance": "public"},
        ),
    ]


async def test_updates_can_be_read_back_through_the_audit_api(make, admin, admin_client):
    user = await make.user()
    await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json={"role": "admin"})

    response = await admin_client.get(
        AUDIT, params={"action": "account.updated", "target_id": user.id}
    )

    assert response.status_code == 200, response.text
    [event] = response.json()["items"]
    assert (event["actor_id"], event["target_type"], event["target_id"]) == (
        admin.id,
        "user",
        user.id,
    )
    assert event["detail"]["after"] == {"role": "admin"}


async def test_the_audit_api_reads_times_without_a_zone_as_utc(make, admin_client):
    user = await make.user()
    await admin_client.patch(f"{ADMIN_USERS}/{user.id}", json={"clearance": "secret"})
    params = {"action": "account.updated", "target_id": user.id}

    before = await admin_client.get(AUDIT, params={**params, "since": "2000-01-01T00:00:00"})
    after = await admin_client.get(AUDIT, params={**params, "since": "2999-01-01T00:00:00"})

    assert [event["target_id"] for event in before.json()["items"]] == [user.id]
    assert after.json()["items"] == []


async def test_the_audit_api_refuses_bad_filters(admin_client):
    for params in (
        {"since": "yesterday"},
        {"actor_id": 2**63},
        {"target_id": 0},
        {"cursor": encode_cursor(2**64)},
    ):
        expect_error(await admin_client.get(AUDIT, params=params), 422)
