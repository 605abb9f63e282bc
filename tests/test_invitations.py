"""Invitations through the API: to an existing account (notified, listed,
accepted or declined), and by e-mail, whose acceptance creates an external
account that belongs to that one space and reads nothing else above public."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.access import ItemRef, can_read, load_reader
from app.levels import Level
from app.models import AuditEvent, Invitation, Membership, RateLimitHit, User
from app.models.base import utcnow
from app.services.invitations import INVITATIONS_PER_HOUR
from tests.helpers import expect_error
from tests.space_helpers import (
    ids,
    member_space_ids,
    notifications_of,
    readable_post_ids,
    role_of,
    token_of,
)

SPACES = "/api/v1/spaces"
PREVIEW = "/api/v1/invitations/preview"
ACCEPT = "/api/v1/invitations/accept"


def in_days(days: float) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def acceptance(token: str, **changes) -> dict:
    return {
        "token": token,
        "display_name": "Camille Prestataire",
        "password": "a long enough password",
        "accept_charter": True,
        **changes,
    }


async def invite_by_email(client, space_id: int, **body) -> dict:
    body = {"email": "camille@partner.example.com", "external_kind": "contractor"} | body
    if body["external_kind"] == "contractor":
        body.setdefault("access_ends_at", in_days(90))
    response = await client.post(f"{SPACES}/{space_id}/invitations", json=body)
    assert response.status_code == 201, response.text
    return response.json()


# --- inviting an existing account ---------------------------------------------------


async def test_inviting_requires_sign_in(make, client):
    space = await make.space()
    response = await client.post(f"{SPACES}/{space.id}/invitations", json={"user_id": 1})
    expect_error(response, 401)


async def test_an_invited_account_is_told_and_accepts(make, session):
    owner, invitee = await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="secret", name="Comité de direction")
    owner_client, invitee_client = await make.bearer(owner), await make.bearer(invitee)

    response = await owner_client.post(
        f"{SPACES}/{space.id}/invitations", json={"user_id": invitee.id}
    )

    assert response.status_code == 201, response.text
    issued = response.json()
    assert (issued["invitee_id"], issued["status"], issued["accept_url"]) == (
        invitee.id,
        "pending",
        None,
    )
    expires = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(days=13) < expires - datetime.now(UTC) <= timedelta(days=14)
    told = await notifications_of(session, invitee, "invitation")
    # Names are read when shown, never stored with the notification.
    assert [(n.data, n.actor_id) for n in told] == [
        ({"space_id": space.id, "invitation_id": issued["id"]}, owner.id)
    ]
    shown = (await invitee_client.get("/api/v1/notifications")).json()["items"]
    assert [(n["data"]["space_name"], n["data"]["actor_name"]) for n in shown] == [
        ("Comité de direction", owner.display_name)
    ]
    mine = (await invitee_client.get("/api/v1/me/invitations")).json()
    assert [(i["id"], i["space"]["id"]) for i in mine] == [(issued["id"], space.id)]
    # Invited is not yet a member: the secret space stays hidden.
    expect_error(await invitee_client.get(f"{SPACES}/{space.id}"), 404)
    listed = (await owner_client.get(f"{SPACES}/{space.id}/invitations")).json()
    assert [i["id"] for i in listed] == [issued["id"]]

    response = await invitee_client.post(f"/api/v1/invitations/{issued['id']}/accept")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "accepted"
    assert await role_of(session, space.id, invitee.id) == "member"
    assert (await invitee_client.get(f"{SPACES}/{space.id}")).json()["my_role"] == "member"
    assert (await invitee_client.get("/api/v1/me/invitations")).json() == []
    answered = await notifications_of(session, owner, "invitation_answered")
    assert [n.data["accepted"] for n in answered] == [True]
    actions = (
        await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("invitation.%"))
            .order_by(AuditEvent.id)
        )
    ).all()
    assert actions == ["invitation.created", "invitation.accepted"]
    # Used once.
    response = await invitee_client.post(f"/api/v1/invitations/{issued['id']}/accept")
    expect_error(response, 404)


async def test_an_invited_account_declines(make, session):
    owner, invitee = await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="private")
    invitation_id = (
        await (await make.bearer(owner)).post(
            f"{SPACES}/{space.id}/invitations", json={"user_id": invitee.id}
        )
    ).json()["id"]
    client = await make.bearer(invitee)

    response = await client.post(f"/api/v1/invitations/{invitation_id}/decline")

    assert response.status_code == 200
    assert response.json()["status"] != "pending"
    assert await role_of(session, space.id, invitee.id) is None
    assert (await client.get("/api/v1/me/invitations")).json() == []
    expect_error(await client.post(f"/api/v1/invitations/{invitation_id}/accept"), 404)
    answered = await notifications_of(session, owner, "invitation_answered")
    assert [n.data["accepted"] for n in answered] == [False]


async def test_only_the_invitee_answers_an_invitation(make, session):
    owner, invitee, intruder = await make.user(), await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="secret")
    invitation_id = (
        await (await make.bearer(owner)).post(
            f"{SPACES}/{space.id}/invitations", json={"user_id": invitee.id}
        )
    ).json()["id"]
    client = await make.bearer(intruder)

    expect_error(await client.post(f"/api/v1/invitations/{invitation_id}/accept"), 404)
    expect_error(await client.post(f"/api/v1/invitations/{invitation_id}/decline"), 404)
    expect_error(await client.post("/api/v1/invitations/987654/accept"), 404)
    assert (await client.get("/api/v1/me/invitations")).json() == []
    assert await role_of(session, space.id, intruder.id) is None


async def test_inviting_an_account_follows_the_rules(make, session):
    owner, member = await make.user(), await make.user()
    contractor, gone = await make.user(kind="contractor"), await make.user(is_active=False)
    space = await make.space(owner=owner, members=[member])
    path = f"{SPACES}/{space.id}/invitations"
    client = await make.bearer(owner)

    expect_error(await (await make.bearer(member)).post(path, json={"user_id": owner.id}), 403)
    expect_error(await client.post(path, json={"user_id": member.id}), 409, "already_member")
    expect_error(
        await client.post(path, json={"user_id": contractor.id}), 422, "externals_not_allowed"
    )
    expect_error(await client.post(path, json={"user_id": 987654}), 404)
    expect_error(await client.post(path, json={"user_id": gone.id}), 404)
    expect_error(await client.post(path, json={}), 422, "invalid")
    both = {"user_id": contractor.id, "email": "x@partner.example.com"}
    expect_error(await client.post(path, json=both), 422, "invalid")
    expect_error(await client.post(path, json={"user_id": "someone"}), 422)
    expect_error(await client.post(path, json={"user_id": owner.id, "role": "owner"}), 422)
    assert (await session.scalars(select(Invitation))).all() == []


async def test_a_manager_revokes_an_invitation(make, session):
    owner, moderator, invitee = await make.user(), await make.user(), await make.user()
    space = await make.space(owner=owner, moderators=[moderator])
    invitation_id = (
        await (await make.bearer(owner)).post(
            f"{SPACES}/{space.id}/invitations", json={"user_id": invitee.id}
        )
    ).json()["id"]
    moderator_client = await make.bearer(moderator)

    response = await moderator_client.delete(f"{SPACES}/{space.id}/invitations/{invitation_id}")

    assert response.status_code == 204
    assert (await moderator_client.get(f"{SPACES}/{space.id}/invitations")).json() == []
    assert (await (await make.bearer(invitee)).get("/api/v1/me/invitations")).json() == []
    response = await (await make.bearer(invitee)).post(
        f"/api/v1/invitations/{invitation_id}/accept"
    )
    expect_error(response, 404)
    response = await moderator_client.delete(f"{SPACES}/{space.id}/invitations/{invitation_id}")
    expect_error(response, 404)
    revoked = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "invitation.revoked")
    )
    assert (revoked.actor_id, revoked.target_id) == (moderator.id, invitation_id)


async def test_an_expired_invitation_is_neither_listed_nor_accepted(make, session):
    owner, invitee = await make.user(), await make.user()
    space = await make.space(owner=owner)
    invitation_id = (
        await (await make.bearer(owner)).post(
            f"{SPACES}/{space.id}/invitations", json={"user_id": invitee.id}
        )
    ).json()["id"]
    invitation = await session.get(Invitation, invitation_id)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    await session.commit()
    client = await make.bearer(invitee)

    assert (await client.get("/api/v1/me/invitations")).json() == []
    expect_error(await client.post(f"/api/v1/invitations/{invitation_id}/accept"), 404)
    assert await role_of(session, space.id, invitee.id) is None


# --- inviting by e-mail ----------------------------------------------------------------


BAD_EMAIL_INVITATIONS = [
    ({"email": "new@partner.example.com"}, "external_kind_required"),
    (
        {"email": "new@partner.example.com", "external_kind": "employee"},
        "invalid",
    ),
    (
        {"email": "new@partner.example.com", "external_kind": "contractor"},
        "access_end_required",
    ),
    (
        {
            "email": "new@partner.example.com",
            "external_kind": "contractor",
            "access_ends_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        },
        "access_end_required",
    ),
    (
        {
            "email": "new@partner.example.com",
            "external_kind": "contractor",
            "access_ends_at": (datetime.now(UTC) + timedelta(days=4 * 365)).isoformat(),
        },
        "access_end_too_far",
    ),
    ({"email": "not an address", "external_kind": "alumni"}, "invalid"),
    ({"email": "new@partner.example.com", "external_kind": "intern"}, "invalid"),
    (
        {
            "email": "new@partner.example.com",
            "external_kind": "contractor",
            "access_ends_at": "next spring",
        },
        "invalid",
    ),
]


async def test_an_email_invitation_refuses_bad_input(make, session):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    client = await make.bearer(owner)
    for body, code in BAD_EMAIL_INVITATIONS:
        response = await client.post(f"{SPACES}/{space.id}/invitations", json=body)
        expect_error(response, 422, code, sent=body)
    assert (await session.scalars(select(Invitation))).all() == []


async def test_an_end_date_without_a_time_zone_is_read_as_utc(make):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    naive = (datetime.now(UTC) + timedelta(days=30)).replace(tzinfo=None, microsecond=0)

    issued = await invite_by_email(
        await make.bearer(owner), space.id, access_ends_at=naive.isoformat()
    )

    assert datetime.fromisoformat(issued["access_ends_at"]) == naive.replace(tzinfo=UTC)


async def test_a_contractor_invitation_never_outlives_the_access_it_grants(make, session, client):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    owner_client = await make.bearer(owner)
    soon = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    later = (datetime.now(UTC) + timedelta(days=60)).replace(microsecond=0)

    short = await invite_by_email(owner_client, space.id, access_ends_at=soon.isoformat())
    long = await invite_by_email(
        owner_client, space.id, email="other@partner.example.com", access_ends_at=later.isoformat()
    )

    assert datetime.fromisoformat(short["expires_at"]) == soon
    assert datetime.fromisoformat(long["expires_at"]) - datetime.now(UTC) <= timedelta(days=14)
    # Three days on, the contract is over: the link opens nothing.
    (await session.get(Invitation, short["id"])).expires_at = utcnow() - timedelta(seconds=1)
    await session.commit()
    response = await client.post(ACCEPT, json=acceptance(token_of(short["accept_url"])))
    expect_error(response, 404, "invitation_invalid")


async def test_an_email_invitation_needs_a_space_open_to_externals(make, session):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=False)
    response = await (await make.bearer(owner)).post(
        f"{SPACES}/{space.id}/invitations",
        json={"email": "new@partner.example.com", "external_kind": "alumni"},
    )
    expect_error(response, 422, "externals_not_allowed")


async def test_an_external_manager_cannot_invite_new_externals(make):
    owner, contractor = await make.user(), await make.user(kind="contractor")
    space = await make.space(owner=owner, allows_externals=True, moderators=[contractor])
    response = await (await make.bearer(contractor)).post(
        f"{SPACES}/{space.id}/invitations",
        json={"email": "friend@partner.example.com", "external_kind": "alumni"},
    )
    expect_error(response, 403)


async def test_an_email_of_an_existing_account_invites_that_account(make, session):
    owner = await make.user()
    colleague = await make.user(email="colleague@company.example.com")
    space = await make.space(owner=owner)

    issued = await invite_by_email(
        await make.bearer(owner),
        space.id,
        email="Colleague@Company.example.com",
        external_kind=None,
    )

    assert (issued["invitee_id"], issued["accept_url"], issued["email"]) == (
        colleague.id,
        None,
        None,
    )
    assert len(await notifications_of(session, colleague, "invitation")) == 1


async def test_an_email_invitation_creates_an_external_account_in_that_space_only(
    make, session, client
):
    inviter = await make.user(display_name="Sponsor")
    space = await make.space(
        owner=inviter, visibility="private", allows_externals=True, name="Projet Orion"
    )
    other_open = await make.space(visibility="open", allows_externals=True)
    other_private = await make.space(visibility="private", allows_externals=True)
    ends = (datetime.now(UTC) + timedelta(days=90)).replace(microsecond=0)
    inviter_client = await make.bearer(inviter)

    issued = await invite_by_email(
        inviter_client,
        space.id,
        email="Camille@Partner.example.com",
        access_ends_at=ends.isoformat(),
    )

    assert issued["email"] == "camille@partner.example.com"
    assert issued["external_kind"] == "contractor"
    assert issued["accept_url"].startswith("http://testserver/invitations/")
    token = token_of(issued["accept_url"])
    # The link is shown once: the list of invitations does not repeat it.
    listed = (await inviter_client.get(f"{SPACES}/{space.id}/invitations")).json()
    assert [i["id"] for i in listed] == [issued["id"]]
    assert "accept_url" not in listed[0]
    assert token not in (await inviter_client.get(f"{SPACES}/{space.id}/invitations")).text

    preview = await client.get(f"{PREVIEW}/{token}")
    assert preview.status_code == 200, preview.text
    assert preview.json()["space_name"] == "Projet Orion"
    assert preview.json()["email"] == "camille@partner.example.com"
    assert preview.json()["external_kind"] == "contractor"
    assert preview.json()["charter"]
    assert set(preview.json()) == {
        "space_name",
        "space_objective",
        "email",
        "external_kind",
        "charter",
    }

    expect_error(
        await client.post(ACCEPT, json=acceptance(token, accept_charter=False)),
        422,
        "charter_not_accepted",
    )
    expect_error(
        await client.post(ACCEPT, json=acceptance(token, password="short")), 422, "weak_password"
    )
    expect_error(await client.post(ACCEPT, json=acceptance(token, display_name="")), 422)
    assert await session.scalar(select(User).where(User.email == issued["email"])) is None

    response = await client.post(ACCEPT, json=acceptance(token))

    assert response.status_code == 201, response.text
    me = response.json()["user"]
    # Like a sign-in, the answer carries the session's CSRF token for later writes.
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    assert (me["kind"], me["clearance"], me["email"]) == (
        "contractor",
        "public",
        "camille@partner.example.com",
    )
    assert me["charter_accepted_at"] is not None
    assert datetime.fromisoformat(me["access_ends_at"]) == ends
    assert "ruche_session" in response.cookies
    # Signed in: the client now holds the new account's session cookie.
    assert (await client.get("/api/v1/me")).json()["id"] == me["id"]
    listed = ids(await client.get(SPACES, params={"limit": 100}))
    assert set(listed) & {space.id, other_open.id, other_private.id} == {space.id}
    expect_error(await client.get(f"{SPACES}/{other_open.id}"), 404)
    assert (await client.get(f"{SPACES}/{space.id}")).json()["my_role"] == "member"

    external = await session.get(User, me["id"])
    assert external.sponsor_id == inviter.id
    assert external.is_active is True
    assert await member_space_ids(session, external) == {space.id}
    # Used once: a second acceptance, and the preview, find nothing.
    expect_error(
        await client.post(ACCEPT, json=acceptance(token, password="another password")), 404
    )
    expect_error(await client.get(f"{PREVIEW}/{token}"), 404)
    answered = (await inviter_client.get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["actor_id"], n["data"]["actor_name"]) for n in answered] == [
        ("invitation_answered", external.id, "Camille Prestataire")
    ]
    # Signing in with the chosen password works too.
    response = await make.client().post(
        "/api/v1/auth/login",
        json={"email": "camille@partner.example.com", "password": "a long enough password"},
    )
    assert response.status_code == 200


async def test_the_new_external_reads_only_public_items_of_its_space_and_the_company(
    make, session, client
):
    inviter = await make.user(clearance="secret")
    space = await make.space(owner=inviter, visibility="secret", allows_externals=True)
    other = await make.space(visibility="open", allows_externals=True)
    token = token_of((await invite_by_email(await make.bearer(inviter), space.id))["accept_url"])
    me = (await client.post(ACCEPT, json=acceptance(token))).json()["user"]
    external = await session.get(User, me["id"])

    posts = {}
    for container in (None, space, other):
        for level in Level:
            posts[(container.id if container else None, level)] = await make.post(
                author=inviter, space=container, level=level
            )
    everything = list(posts.values())
    expected = {posts[(None, Level.PUBLIC)].id, posts[(space.id, Level.PUBLIC)].id}

    assert await readable_post_ids(session, external, everything) == expected
    reader = await load_reader(session, external)
    visibility = {None: None, space.id: space.visibility, other.id: other.visibility}
    by_predicate = {
        post.id
        for (space_id, level), post in posts.items()
        if can_read(
            reader,
            ItemRef(
                space_id=space_id,
                space_visibility=visibility[space_id],
                level=level,
                author_id=inviter.id,
                audience=None,
            ),
        )
    }
    assert by_predicate == expected


async def test_an_alumni_invitation_needs_no_end_date(make, session, client):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True, kind="community")
    issued = await invite_by_email(await make.bearer(owner), space.id, external_kind="alumni")
    assert issued["access_ends_at"] is None

    me = (await client.post(ACCEPT, json=acceptance(token_of(issued["accept_url"])))).json()["user"]

    assert (me["kind"], me["clearance"], me["access_ends_at"]) == ("alumni", "public", None)
    assert await member_space_ids(session, await session.get(User, me["id"])) == {space.id}


async def test_a_revoked_or_expired_email_invitation_answers_404(make, session, client):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    owner_client = await make.bearer(owner)
    revoked = await invite_by_email(owner_client, space.id, email="a@partner.example.com")
    expired = await invite_by_email(owner_client, space.id, email="b@partner.example.com")
    await owner_client.delete(f"{SPACES}/{space.id}/invitations/{revoked['id']}")
    (await session.get(Invitation, expired["id"])).expires_at = utcnow() - timedelta(seconds=1)
    await session.commit()

    for issued in (revoked, expired):
        token = token_of(issued["accept_url"])
        expect_error(await client.get(f"{PREVIEW}/{token}"), 404, "invitation_invalid")
        expect_error(await client.post(ACCEPT, json=acceptance(token)), 404, "invitation_invalid")
    expect_error(await client.get(f"{PREVIEW}/{'x' * 43}"), 404)
    expect_error(await client.post(ACCEPT, json=acceptance("x" * 43)), 404)
    expect_error(await client.post(ACCEPT, json=acceptance("short")), 422)
    assert (
        await session.scalars(select(User).where(User.email.like("%@partner.example.com")))
    ).all() == []


async def test_an_email_invitation_of_a_space_closed_to_externals_since_is_refused(
    make, session, client
):
    owner = await make.user()
    space = await make.space(owner=owner, allows_externals=True)
    owner_client = await make.bearer(owner)
    token = token_of((await invite_by_email(owner_client, space.id))["accept_url"])
    await owner_client.patch(f"{SPACES}/{space.id}", json={"allows_externals": False})

    expect_error(await client.post(ACCEPT, json=acceptance(token)), 422, "externals_not_allowed")
    assert (
        await session.scalar(
            select(Membership).where(
                Membership.space_id == space.id, Membership.user_id != owner.id
            )
        )
        is None
    )


async def test_invitations_are_rate_limited(make, session):
    owner = await make.user()
    space = await make.space(owner=owner)
    client = await make.bearer(owner)
    invitee = await make.user()
    response = await client.post(f"{SPACES}/{space.id}/invitations", json={"user_id": invitee.id})
    assert response.status_code == 201
    hits = (
        await session.scalars(
            select(RateLimitHit).where(
                RateLimitHit.bucket == "invitation", RateLimitHit.key == str(owner.id)
            )
        )
    ).all()
    assert len(hits) == 1
    # Fill the window without sending fifty requests.
    session.add_all(
        RateLimitHit(bucket="invitation", key=str(owner.id)) for _ in range(INVITATIONS_PER_HOUR)
    )
    await session.commit()

    response = await client.post(
        f"{SPACES}/{space.id}/invitations", json={"user_id": (await make.user()).id}
    )

    expect_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


# --- one pending invitation at a time, to live accounts ---------------------------


async def test_a_second_pending_invitation_to_the_same_person_is_refused(make):
    owner, guest = await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="private", allows_externals=True)
    client = await make.signed_in(owner)
    url = f"{SPACES}/{space.id}/invitations"

    first = await client.post(url, json={"user_id": guest.id})
    assert first.status_code == 201, first.text
    expect_error(await client.post(url, json={"user_id": guest.id}), 409, "already_invited")

    await invite_by_email(client, space.id)
    expect_error(
        await client.post(
            url,
            json={
                "email": "CAMILLE@partner.example.com",
                "external_kind": "contractor",
                "access_ends_at": in_days(30),
            },
        ),
        409,
        "already_invited",
    )
    # Revoked, the first no longer stands in the way.
    revoked = await client.delete(f"{url}/{first.json()['id']}")
    assert revoked.status_code == 204
    assert (await client.post(url, json={"user_id": guest.id})).status_code == 201


async def test_a_deactivated_account_is_not_invited(make):
    owner = await make.user()
    gone = await make.user(is_active=False, email="gone@example.test")
    space = await make.space(owner=owner, visibility="private")
    client = await make.signed_in(owner)

    response = await client.post(
        f"{SPACES}/{space.id}/invitations",
        json={"email": gone.email, "external_kind": "alumni"},
    )

    expect_error(response, 409, "account_inactive")


async def test_an_end_of_access_in_the_past_is_refused_for_alumni_too(make):
    owner = await make.user()
    space = await make.space(owner=owner, visibility="private", allows_externals=True)
    client = await make.signed_in(owner)

    response = await client.post(
        f"{SPACES}/{space.id}/invitations",
        json={
            "email": "old@example.test",
            "external_kind": "alumni",
            "access_ends_at": in_days(-1),
        },
    )

    expect_error(response, 422, "access_end_required")
