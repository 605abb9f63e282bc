"""Offboarding: an employee who leaves becomes alumni in one step, and at once
reads nothing above public, across every container and level."""

import pytest
from sqlalchemy import select

from app.access import ItemRef, can_read, load_reader
from app.levels import Level
from app.models import AuditEvent, Post
from tests.helpers import expect_error
from tests.space_helpers import (
    ADMIN_SCOPES,
    admin_client,
    member_space_ids,
    readable_post_ids,
    role_of,
)


def offboard_path(user_id) -> str:
    return f"/api/v1/admin/users/{user_id}/offboard"


# --- who may offboard whom ----------------------------------------------------------


async def test_offboarding_requires_sign_in(make, client):
    leaver = await make.user()
    expect_error(await client.post(offboard_path(leaver.id)), 401)


async def test_only_admins_offboard(make, session):
    leaver, member = await make.user(), await make.user()
    expect_error(await (await make.signed_in(member)).post(offboard_path(leaver.id)), 403)
    # An admin's token without the admin scope is refused too.
    admin = await make.user(role="admin")
    response = await (await make.bearer(admin)).post(offboard_path(leaver.id))
    expect_error(response, 403, "token_scope")
    await session.refresh(leaver)
    assert leaver.kind == "employee"


async def test_offboarding_refuses_unknown_ids_and_non_employees(make, session):
    admin, client = await admin_client(make)
    contractor, alumni = await make.user(kind="contractor"), await make.user(kind="alumni")

    expect_error(await client.post(offboard_path(987654)), 404)
    expect_error(await client.post(offboard_path("someone")), 422)
    expect_error(await client.post(offboard_path(contractor.id)), 409, "not_employee")
    expect_error(await client.post(offboard_path(alumni.id)), 409, "not_employee")
    expect_error(await client.post(offboard_path(admin.id)), 409, "self_offboarding")
    await session.refresh(contractor)
    assert contractor.kind == "contractor"


# --- what offboarding does ------------------------------------------------------------


async def test_offboarding_makes_alumni_ends_access_and_keeps_history(make, session):
    admin, client = await admin_client(make)
    leaver = await make.user(role="admin", clearance="secret", display_name="Leaving Soon")
    colleague, moderator, member = await make.user(), await make.user(), await make.user()
    closed = await make.space(owner=colleague, members=[leaver])
    open_to_externals = await make.space(owner=colleague, allows_externals=True, members=[leaver])
    led = await make.space(owner=leaver, moderators=[moderator], members=[member])
    alone = await make.space(owner=leaver, visibility="secret")
    without_moderator = await make.space(owner=leaver, visibility="private", members=[member])
    written = [
        await make.post(author=leaver, space=closed, level="confidential"),
        await make.post(author=leaver, level="internal"),
    ]
    cookie_client = await make.signed_in(leaver)
    token_client = await make.bearer(leaver, scopes=ADMIN_SCOPES)
    assert (await cookie_client.get("/api/v1/me")).status_code == 200
    assert (await token_client.get("/api/v1/me")).status_code == 200

    response = await client.post(offboard_path(leaver.id))

    assert response.status_code == 200, response.text
    account = response.json()
    assert (account["kind"], account["clearance"], account["role"], account["is_active"]) == (
        "alumni",
        "public",
        "member",
        True,
    )
    # Every way in ends at once.
    expect_error(await cookie_client.get("/api/v1/me"), 401)
    expect_error(await token_client.get("/api/v1/me"), 401)
    # Memberships of spaces closed to externals end; the others stay.
    await session.refresh(leaver)
    assert await member_space_ids(session, leaver) == {open_to_externals.id}
    # No space is left without an owner: a moderator first, else the admin.
    assert await role_of(session, led.id, moderator.id) == "owner"
    assert await role_of(session, led.id, member.id) == "member"
    assert await role_of(session, alone.id, admin.id) == "owner"
    assert await role_of(session, without_moderator.id, member.id) == "owner"
    assert await role_of(session, without_moderator.id, admin.id) is None
    # What they wrote stays, theirs.
    for post in written:
        await session.refresh(post)
        assert post.author_id == leaver.id
    event = await session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "account.offboarded", AuditEvent.target_id == leaver.id
        )
    )
    assert event.actor_id == admin.id
    assert event.detail["before"] == {"kind": "employee", "role": "admin", "clearance": "secret"}
    assert set(event.detail["ended_space_ids"]) == {
        closed.id,
        led.id,
        alone.id,
        without_moderator.id,
    }
    assert event.address == "198.51.100.9"


async def test_offboarding_cannot_be_undone_by_raising_the_alumnis_clearance(make, session):
    _admin, client = await admin_client(make)
    leaver = await make.user(clearance="confidential")
    await client.post(offboard_path(leaver.id))

    response = await client.patch(
        f"/api/v1/admin/users/{leaver.id}", json={"clearance": "internal"}
    )

    expect_error(response, 422, "external_clearance")
    await session.refresh(leaver)
    assert leaver.clearance == "public"


# --- access across containers and levels, before and after ---------------------------


@pytest.mark.parametrize("clearance", ["internal", "secret"])
async def test_access_drops_to_public_everywhere_at_once(make, session, clearance):
    _admin, client = await admin_client(make)
    leaver = await make.user(clearance=clearance)
    author = await make.user(clearance="secret")
    stranger = await make.user()
    containers = {
        "company": None,
        "open (member)": await make.space(owner=author, visibility="open", members=[leaver]),
        "open (not member)": await make.space(owner=author, visibility="open"),
        "private (member)": await make.space(owner=author, visibility="private", members=[leaver]),
        "secret (member)": await make.space(owner=author, visibility="secret", members=[leaver]),
        "private, externals (member)": await make.space(
            owner=author, visibility="private", allows_externals=True, members=[leaver]
        ),
        "open, externals (not member)": await make.space(
            owner=author, visibility="open", allows_externals=True
        ),
    }
    posts: dict[tuple[str, Level, str], Post] = {}
    for name, space in containers.items():
        for level in Level:
            posts[(name, level, "all")] = await make.post(author=author, space=space, level=level)
            posts[(name, level, "with")] = await make.post(
                author=author, space=space, level=level, audience=[leaver, stranger]
            )
            posts[(name, level, "without")] = await make.post(
                author=author, space=space, level=level, audience=[stranger]
            )
    everything = list(posts.values())

    def expected(readable_containers: set[str], up_to: Level) -> set[int]:
        return {
            post.id
            for (name, level, audience), post in posts.items()
            if name in readable_containers and level.rank <= up_to.rank and audience != "without"
        }

    async def predicate_ids() -> set[int]:
        reader = await load_reader(session, leaver)
        audiences = {
            "all": None,
            "with": frozenset({leaver.id, stranger.id}),
            "without": frozenset({stranger.id}),
        }
        return {
            post.id
            for (name, level, audience), post in posts.items()
            if can_read(
                reader,
                ItemRef(
                    space_id=post.space_id,
                    space_visibility=containers[name].visibility if containers[name] else None,
                    level=level,
                    author_id=author.id,
                    audience=audiences[audience],
                ),
            )
        }

    # An employee reads every container here, the open ones without joining.
    before = expected(set(containers), Level(clearance))
    assert await readable_post_ids(session, leaver, everything) == before
    assert await predicate_ids() == before

    response = await client.post(offboard_path(leaver.id))
    assert response.status_code == 200, response.text
    await session.refresh(leaver)

    after = expected({"company", "private, externals (member)"}, Level.PUBLIC)
    assert after == {
        posts[("company", Level.PUBLIC, "all")].id,
        posts[("company", Level.PUBLIC, "with")].id,
        posts[("private, externals (member)", Level.PUBLIC, "all")].id,
        posts[("private, externals (member)", Level.PUBLIC, "with")].id,
    }
    assert await readable_post_ids(session, leaver, everything) == after
    assert await predicate_ids() == after
    # The directory says the same: only the space open to externals remains.
    alumni_client = await make.bearer(leaver)
    await alumni_client.post("/api/v1/charter/accept")
    listed = {item["id"] for item in (await alumni_client.get("/api/v1/spaces")).json()["items"]}
    assert listed == {containers["private, externals (member)"].id}
    for name, space in containers.items():
        if space is not None and name != "private, externals (member)":
            expect_error(await alumni_client.get(f"/api/v1/spaces/{space.id}"), 404)


async def test_an_offboarded_manager_stays_only_a_plain_member_of_spaces_open_to_externals(
    make, session
):
    """Alumni no longer manage the company's spaces: they stay where externals
    are welcome, as members, and the space keeps an owner."""
    _admin, client = await admin_client(make)
    leaver, colleague = await make.user(), await make.user()
    owned = await make.space(owner=leaver, allows_externals=True, members=[colleague])
    moderated = await make.space(owner=colleague, allows_externals=True, moderators=[leaver])

    response = await client.post(offboard_path(leaver.id))

    assert response.status_code == 200, response.text
    assert await role_of(session, owned.id, leaver.id) == "member"
    assert await role_of(session, owned.id, colleague.id) == "owner"
    assert await role_of(session, moderated.id, leaver.id) == "member"
    assert await role_of(session, moderated.id, colleague.id) == "owner"
