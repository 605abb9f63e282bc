"""Who belongs to a space, through the API: joining (open, private, secret),
join requests and their decisions, leaving, the members list, adding and
removing members, roles, the last owner, and ownership transfer."""

import pytest
from sqlalchemy import select

from app.models import AuditEvent, JoinRequest
from tests.helpers import expect_error
from tests.space_helpers import notifications_of, role_of

SPACES = "/api/v1/spaces"


async def audit_actions(session, space_id: int) -> list[str]:
    events = await session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [e.action for e in events if e.detail.get("space_id") == space_id]


# --- join ----------------------------------------------------------------------------


async def test_join_requires_sign_in(make, client):
    space = await make.space(visibility="open")
    expect_error(await client.post(f"{SPACES}/{space.id}/join"), 401)


async def test_an_employee_joins_an_open_space_at_once(make, session):
    joiner = await make.user()
    space = await make.space(visibility="open")
    client = await make.bearer(joiner)

    response = await client.post(f"{SPACES}/{space.id}/join")

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "member", "request": None}
    assert await role_of(session, space.id, joiner.id) == "member"
    assert (await client.get(f"{SPACES}/{space.id}")).json()["my_role"] == "member"
    assert await audit_actions(session, space.id) == ["membership.added"]
    expect_error(await client.post(f"{SPACES}/{space.id}/join"), 409, "already_member")


async def test_joining_refuses_a_message_too_long(make, session):
    space = await make.space(visibility="private")
    client = await make.bearer(await make.user())
    response = await client.post(f"{SPACES}/{space.id}/join", json={"message": "x" * 501})
    expect_error(response, 422)
    assert (await session.scalars(select(JoinRequest))).all() == []


async def test_a_private_space_takes_a_request_that_a_moderator_approves(make, session):
    owner, moderator, requester = await make.user(), await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="private", moderators=[moderator])
    client = await make.bearer(requester)

    response = await client.post(
        f"{SPACES}/{space.id}/join", json={"message": "I work on the ERP migration."}
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "requested"
    request = response.json()["request"]
    assert (request["status"], request["message"]) == ("pending", "I work on the ERP migration.")
    assert await role_of(session, space.id, requester.id) is None
    # Asking again gives the same pending request, not a second one.
    again = await client.post(f"{SPACES}/{space.id}/join")
    assert again.json()["request"]["id"] == request["id"]
    # Owners and moderators are told.
    for manager in (owner, moderator):
        told = await notifications_of(session, manager, "join_request")
        assert [n.data["request_id"] for n in told] == [request["id"]]

    moderator_client = await make.bearer(moderator)
    pending = (await moderator_client.get(f"{SPACES}/{space.id}/join-requests")).json()
    assert [(r["id"], r["user"]["id"]) for r in pending] == [(request["id"], requester.id)]

    response = await moderator_client.post(
        f"{SPACES}/{space.id}/join-requests/{request['id']}", json={"approve": True}
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    assert await role_of(session, space.id, requester.id) == "member"
    assert (await moderator_client.get(f"{SPACES}/{space.id}/join-requests")).json() == []
    told = (await client.get("/api/v1/notifications")).json()["items"]
    decided = [n for n in told if n["kind"] == "join_request_decided"]
    assert [(n["data"]["space_id"], n["data"]["approved"]) for n in decided] == [(space.id, True)]
    assert (await client.get(f"{SPACES}/{space.id}")).json()["can_read_content"] is True
    # A decided request is not decided twice.
    response = await moderator_client.post(
        f"{SPACES}/{space.id}/join-requests/{request['id']}", json={"approve": False}
    )
    expect_error(response, 404)


async def test_a_declined_request_makes_no_member_and_tells_the_requester(make, session):
    owner, requester = await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="private")
    client = await make.bearer(requester)
    request_id = (await client.post(f"{SPACES}/{space.id}/join")).json()["request"]["id"]

    response = await (await make.bearer(owner)).post(
        f"{SPACES}/{space.id}/join-requests/{request_id}", json={"approve": False}
    )

    assert response.json()["status"] == "declined"
    assert await role_of(session, space.id, requester.id) is None
    told = (await client.get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["data"]["approved"]) for n in told] == [("join_request_decided", False)]


async def test_deciding_a_request_needs_a_manager_and_a_valid_body(make, session):
    owner, member, requester = await make.user(), await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="private", members=[member])
    request_id = (await (await make.bearer(requester)).post(f"{SPACES}/{space.id}/join")).json()[
        "request"
    ]["id"]
    path = f"{SPACES}/{space.id}/join-requests/{request_id}"
    owner_client = await make.bearer(owner)

    expect_error(await (await make.bearer(member)).post(path, json={"approve": True}), 403)
    expect_error(await owner_client.post(path, json={}), 422)
    expect_error(await owner_client.post(path, json={"approve": "perhaps"}), 422)
    expect_error(
        await owner_client.post(
            f"{SPACES}/{space.id}/join-requests/987654", json={"approve": True}
        ),
        404,
    )
    # A request of another space is not decided through this one.
    other = await make.space(owner=owner, visibility="private")
    response = await owner_client.post(
        f"{SPACES}/{other.id}/join-requests/{request_id}", json={"approve": True}
    )
    expect_error(response, 404)
    assert await role_of(session, space.id, requester.id) is None


async def test_a_secret_space_cannot_be_joined_and_answers_404(make, session):
    space = await make.space(visibility="secret")
    client = await make.bearer(await make.user(role="admin", clearance="secret"))
    expect_error(await client.post(f"{SPACES}/{space.id}/join"), 404, "not_found")
    assert (await session.scalars(select(JoinRequest))).all() == []


@pytest.mark.parametrize("kind", ["contractor", "alumni"])
@pytest.mark.parametrize("visibility", ["open", "private"])
async def test_externals_cannot_join_by_themselves(make, session, kind, visibility):
    external = await make.user(kind=kind)
    await make.space(allows_externals=True, members=[external])
    target = await make.space(visibility=visibility, allows_externals=True)

    response = await (await make.bearer(external)).post(f"{SPACES}/{target.id}/join")

    expect_error(response, 404)
    assert await role_of(session, target.id, external.id) is None
    assert (await session.scalars(select(JoinRequest))).all() == []


# --- leave ---------------------------------------------------------------------------


async def test_a_member_leaves(make, session):
    member = await make.user()
    space = await make.space(visibility="private", members=[member])
    client = await make.bearer(member)

    assert (await client.post(f"{SPACES}/{space.id}/leave")).status_code == 204

    assert await role_of(session, space.id, member.id) is None
    assert await audit_actions(session, space.id) == ["membership.left"]
    # Not a member any more: nothing to leave.
    expect_error(await client.post(f"{SPACES}/{space.id}/leave"), 404)


async def test_the_last_owner_cannot_leave(make, session):
    owner, co_owner = await make.user(), await make.user()
    space = await make.space(owner=owner)

    response = await (await make.bearer(owner)).post(f"{SPACES}/{space.id}/leave")
    expect_error(response, 409, "last_owner")
    assert await role_of(session, space.id, owner.id) == "owner"

    await (await make.bearer(owner)).post(
        f"{SPACES}/{space.id}/members", json={"user_id": co_owner.id, "role": "owner"}
    )
    assert (await (await make.bearer(owner)).post(f"{SPACES}/{space.id}/leave")).status_code == 204
    assert await role_of(session, space.id, co_owner.id) == "owner"


# --- members list --------------------------------------------------------------------


async def test_members_list_requires_sign_in(make, client):
    space = await make.space()
    expect_error(await client.get(f"{SPACES}/{space.id}/members"), 401)


async def test_members_see_who_belongs_page_by_page(make):
    owner = await make.user()
    members = [await make.user() for _ in range(4)]
    space = await make.space(owner=owner, visibility="secret", members=members)
    client = await make.bearer(members[0])

    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(f"{SPACES}/{space.id}/members", params=params)).json()
        seen += [(m["user"]["id"], m["role"]) for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([(owner.id, "owner")] + [(m.id, "member") for m in members])
    assert len(seen) == len(set(seen))
    response = await client.get(f"{SPACES}/{space.id}/members", params={"cursor": "%%%"})
    expect_error(response, 422, "invalid_cursor")


async def test_an_open_spaces_members_are_shown_to_every_employee(make):
    space = await make.space(visibility="open", members=[await make.user()])
    response = await (await make.bearer(await make.user())).get(f"{SPACES}/{space.id}/members")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2


async def test_a_private_spaces_members_are_hidden_from_a_non_member(make):
    space = await make.space(visibility="private")
    response = await (await make.bearer(await make.user())).get(f"{SPACES}/{space.id}/members")
    expect_error(response, 403, "not_member")


async def test_an_external_member_sees_its_spaces_members(make):
    contractor = await make.user(kind="contractor")
    space = await make.space(visibility="secret", allows_externals=True, members=[contractor])
    response = await (await make.bearer(contractor)).get(f"{SPACES}/{space.id}/members")
    assert {m["user"]["id"] for m in response.json()["items"]} == {
        space.created_by_id,
        contractor.id,
    }
    # What a member sees of another: no e-mail, no clearance.
    assert set(response.json()["items"][0]["user"]) == {
        "id",
        "handle",
        "display_name",
        "kind",
        "avatar_url",
    }


# --- add a member --------------------------------------------------------------------


async def test_managers_add_members(make, session):
    owner, moderator = await make.user(), await make.user()
    newcomer, colleague = await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="secret", moderators=[moderator])

    response = await (await make.bearer(moderator)).post(
        f"{SPACES}/{space.id}/members", json={"user_id": newcomer.id}
    )
    assert response.status_code == 201, response.text
    assert (response.json()["user"]["id"], response.json()["role"]) == (newcomer.id, "member")
    response = await (await make.bearer(owner)).post(
        f"{SPACES}/{space.id}/members", json={"user_id": colleague.id, "role": "moderator"}
    )
    assert response.json()["role"] == "moderator"
    assert await role_of(session, space.id, colleague.id) == "moderator"
    assert await audit_actions(session, space.id) == ["membership.added", "membership.added"]


async def test_adding_members_follows_the_rules(make, session):
    owner, moderator, member = await make.user(), await make.user(), await make.user()
    someone, contractor = await make.user(), await make.user(kind="contractor")
    gone = await make.user(is_active=False)
    space = await make.space(owner=owner, moderators=[moderator], members=[member])
    path = f"{SPACES}/{space.id}/members"
    as_moderator, as_owner = await make.bearer(moderator), await make.bearer(owner)

    expect_error(
        await as_moderator.post(path, json={"user_id": someone.id, "role": "moderator"}), 403
    )
    expect_error(await as_moderator.post(path, json={"user_id": someone.id, "role": "owner"}), 403)
    expect_error(await (await make.bearer(member)).post(path, json={"user_id": someone.id}), 403)
    expect_error(await as_owner.post(path, json={"user_id": 987654}), 404)
    expect_error(await as_owner.post(path, json={"user_id": gone.id}), 404)
    expect_error(
        await as_owner.post(path, json={"user_id": contractor.id}), 422, "externals_not_allowed"
    )
    expect_error(await as_owner.post(path, json={"user_id": member.id}), 409, "already_member")
    expect_error(await as_owner.post(path, json={"user_id": someone.id, "role": "king"}), 422)
    expect_error(await as_owner.post(path, json={}), 422)
    expect_error(await as_owner.post(path, json={"user_id": 2**63}), 422)
    for user in (someone, contractor, gone):
        assert await role_of(session, space.id, user.id) is None


async def test_an_external_is_added_to_a_space_that_allows_externals(make, session):
    owner, contractor = await make.user(), await make.user(kind="contractor")
    space = await make.space(owner=owner, allows_externals=True)
    response = await (await make.bearer(owner)).post(
        f"{SPACES}/{space.id}/members", json={"user_id": contractor.id}
    )
    assert response.status_code == 201
    assert response.json()["user"]["kind"] == "contractor"
    assert await role_of(session, space.id, contractor.id) == "member"


# --- change a role -------------------------------------------------------------------


async def test_a_moderator_cannot_name_or_demote_owners_and_moderators(make, session):
    owner, moderator, other_moderator, member = (
        await make.user(),
        await make.user(),
        await make.user(),
        await make.user(),
    )
    space = await make.space(owner=owner, moderators=[moderator, other_moderator], members=[member])
    client = await make.bearer(moderator)

    for user, role in [
        (member, "moderator"),
        (member, "owner"),
        (other_moderator, "member"),
        (owner, "member"),
    ]:
        response = await client.patch(f"{SPACES}/{space.id}/members/{user.id}", json={"role": role})
        expect_error(response, 403)
    assert await role_of(session, space.id, member.id) == "member"
    assert await role_of(session, space.id, other_moderator.id) == "moderator"


async def test_an_owner_names_moderators_and_owners(make, session):
    owner, member, other = await make.user(), await make.user(), await make.user()
    space = await make.space(owner=owner, members=[member, other])
    client = await make.bearer(owner)

    response = await client.patch(
        f"{SPACES}/{space.id}/members/{member.id}", json={"role": "moderator"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "moderator"
    response = await client.patch(f"{SPACES}/{space.id}/members/{other.id}", json={"role": "owner"})
    assert response.json()["role"] == "owner"
    response = await client.patch(
        f"{SPACES}/{space.id}/members/{member.id}", json={"role": "member"}
    )
    assert response.json()["role"] == "member"

    changes = (
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "membership.role_changed")
            .order_by(AuditEvent.id)
        )
    ).all()
    assert [(e.target_id, e.detail["before"], e.detail["after"]) for e in changes] == [
        (member.id, "member", "moderator"),
        (other.id, "member", "owner"),
        (member.id, "moderator", "member"),
    ]


@pytest.mark.parametrize("kind", ["contractor", "alumni"])
async def test_an_external_member_is_never_made_a_manager(make, session, kind):
    """Managing shows who asks to join and who is invited: people an external
    may not know of. Externals belong to spaces, never manage them."""
    owner = await make.user()
    external = await make.user(kind=kind, clearance="public")
    space = await make.space(owner=owner, members=[external], allows_externals=True)
    client = await make.bearer(owner)

    for role in ("moderator", "owner"):
        response = await client.patch(
            f"{SPACES}/{space.id}/members/{external.id}", json={"role": role}
        )
        expect_error(response, 422, "external_manager")
    response = await client.post(f"{SPACES}/{space.id}/ownership", json={"user_id": external.id})
    expect_error(response, 422, "external_manager")

    assert await role_of(session, space.id, external.id) == "member"
    assert await role_of(session, space.id, owner.id) == "owner"


async def test_an_external_made_moderator_before_the_rule_manages_nothing(make, session):
    """A role given before externals were refused it grants nothing: the join
    requests and invitations it would show name people an external may not know."""
    owner = await make.user()
    external = await make.user(kind="contractor", clearance="public")
    space = await make.space(
        owner=owner, moderators=[external], visibility="private", allows_externals=True
    )
    client = await make.bearer(external)

    for path in ("join-requests", "invitations"):
        expect_error(await client.get(f"{SPACES}/{space.id}/{path}"), 403)


async def test_changing_a_role_refuses_bad_input_and_strangers(make):
    owner, outsider = await make.user(), await make.user()
    space = await make.space(owner=owner)
    client = await make.bearer(owner)
    path = f"{SPACES}/{space.id}/members"

    expect_error(await client.patch(f"{path}/{owner.id}", json={"role": "emperor"}), 422)
    expect_error(await client.patch(f"{path}/{owner.id}", json={}), 422)
    expect_error(await client.patch(f"{path}/{outsider.id}", json={"role": "member"}), 404)


async def test_the_last_owner_is_neither_demoted_nor_removed(make, session):
    owner, moderator = await make.user(), await make.user()
    space = await make.space(owner=owner, moderators=[moderator])
    client = await make.bearer(owner)

    for role in ("moderator", "member"):
        response = await client.patch(
            f"{SPACES}/{space.id}/members/{owner.id}", json={"role": role}
        )
        expect_error(response, 409, "last_owner")
    expect_error(await client.delete(f"{SPACES}/{space.id}/members/{owner.id}"), 409, "last_owner")
    assert await role_of(session, space.id, owner.id) == "owner"

    # With a second owner, the first may step down.
    await client.patch(f"{SPACES}/{space.id}/members/{moderator.id}", json={"role": "owner"})
    response = await client.patch(
        f"{SPACES}/{space.id}/members/{owner.id}", json={"role": "member"}
    )
    assert response.json()["role"] == "member"


# --- remove a member -----------------------------------------------------------------


async def test_managers_remove_members_but_only_owners_remove_owners(make, session):
    owner, co_owner, moderator, member = (
        await make.user(),
        await make.user(),
        await make.user(),
        await make.user(),
    )
    space = await make.space(owner=owner, moderators=[moderator], members=[member, co_owner])
    owner_client, moderator_client = await make.bearer(owner), await make.bearer(moderator)
    await owner_client.patch(f"{SPACES}/{space.id}/members/{co_owner.id}", json={"role": "owner"})

    expect_error(await moderator_client.delete(f"{SPACES}/{space.id}/members/{co_owner.id}"), 403)
    response = await moderator_client.delete(f"{SPACES}/{space.id}/members/{member.id}")
    assert response.status_code == 204
    expect_error(await moderator_client.delete(f"{SPACES}/{space.id}/members/{member.id}"), 404)
    assert (
        await owner_client.delete(f"{SPACES}/{space.id}/members/{co_owner.id}")
    ).status_code == 204

    assert await role_of(session, space.id, member.id) is None
    assert await role_of(session, space.id, co_owner.id) is None
    removed = (
        await session.scalars(
            select(AuditEvent.target_id)
            .where(AuditEvent.action == "membership.removed")
            .order_by(AuditEvent.id)
        )
    ).all()
    assert removed == [member.id, co_owner.id]


async def test_a_removed_member_loses_a_private_space_at_once(make):
    owner, member = await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="secret", members=[member])
    member_client = await make.bearer(member)
    assert (await member_client.get(f"{SPACES}/{space.id}")).status_code == 200

    await (await make.bearer(owner)).delete(f"{SPACES}/{space.id}/members/{member.id}")

    expect_error(await member_client.get(f"{SPACES}/{space.id}"), 404)


# --- transfer ownership --------------------------------------------------------------


async def test_an_owner_transfers_ownership_and_stays_as_moderator(make, session):
    owner, member = await make.user(), await make.user()
    space = await make.space(owner=owner, members=[member])

    response = await (await make.bearer(owner)).post(
        f"{SPACES}/{space.id}/ownership", json={"user_id": member.id}
    )

    assert response.status_code == 204, response.text
    assert await role_of(session, space.id, member.id) == "owner"
    assert await role_of(session, space.id, owner.id) == "moderator"
    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "space.ownership_transferred")
    )
    assert (event.actor_id, event.target_id) == (owner.id, member.id)
    # The former owner, now a moderator, cannot take it back.
    response = await (await make.bearer(owner)).post(
        f"{SPACES}/{space.id}/ownership", json={"user_id": owner.id}
    )
    expect_error(response, 403)


async def test_ownership_transfer_follows_the_rules(make, session):
    owner, moderator, outsider = await make.user(), await make.user(), await make.user()
    space = await make.space(owner=owner, moderators=[moderator])
    path = f"{SPACES}/{space.id}/ownership"
    client = await make.bearer(owner)

    expect_error(
        await (await make.bearer(moderator)).post(path, json={"user_id": moderator.id}), 403
    )
    expect_error(await client.post(path, json={"user_id": outsider.id}), 404)
    expect_error(await client.post(path, json={}), 422)
    expect_error(await client.post(path, json={"user_id": "me"}), 422)
    assert await role_of(session, space.id, owner.id) == "owner"
    assert await role_of(session, space.id, moderator.id) == "moderator"
