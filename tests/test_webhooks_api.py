"""Webhooks through the API: who may see and manage them (anyone else: 404),
and incoming hooks posting into their space as a bot."""

import pytest
from sqlalchemy import select

from app.i18n import current_language
from app.levels import Language, Level, Role
from app.models import AuditEvent, IncomingHook, Membership, Post, SpaceRole, User
from app.services.audit_entries import describe_all
from tests.factories import PASSWORD
from tests.test_webhooks import hook_settings

HOOK = {"url": "https://1.1.1.1/ruche", "events": ["post.created"]}


@pytest.fixture
def limited(app):
    """The app with localhost allowed and two posts a minute per incoming hook."""
    kept = app.state.settings
    app.state.settings = hook_settings(kept, incoming_hook_posts_per_minute=2)
    yield app.state.settings
    app.state.settings = kept


async def test_only_owners_and_administrators_see_a_space_hooks(make):
    owner = await make.user()
    moderator, member = await make.user(), await make.user()
    space = await make.space(owner=owner, moderators=[moderator], members=[member])
    as_owner = await make.bearer(owner)
    created = await as_owner.post(f"/api/v1/spaces/{space.id}/webhooks", json=HOOK)
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    listed = (await as_owner.get(f"/api/v1/spaces/{space.id}/webhooks")).json()
    assert [each["id"] for each in listed] == [hook["id"]]
    assert "secret" not in listed[0]

    for outsider in (moderator, member, await make.user()):
        client = await make.bearer(outsider)
        for path in (
            f"/api/v1/spaces/{space.id}/webhooks",
            f"/api/v1/webhooks/{hook['id']}",
            f"/api/v1/webhooks/{hook['id']}/deliveries",
            f"/api/v1/spaces/{space.id}/incoming-webhooks",
        ):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.delete(f"/api/v1/webhooks/{hook['id']}")).status_code == 404
        assert (await client.get("/api/v1/webhooks")).status_code == 404

    admin = await make.bearer(await make.user(role=Role.ADMIN))
    assert (await admin.get(f"/api/v1/webhooks/{hook['id']}")).status_code == 200
    company = await admin.post("/api/v1/webhooks", json=HOOK)
    assert company.status_code == 201 and company.json()["space_id"] is None
    rotated = await as_owner.post(f"/api/v1/webhooks/{hook['id']}/secret")
    assert rotated.json()["secret"] not in (hook["secret"], None)
    changed = await as_owner.patch(f"/api/v1/webhooks/{hook['id']}", json={"is_enabled": False})
    assert changed.json()["is_enabled"] is False
    assert (await as_owner.delete(f"/api/v1/webhooks/{hook['id']}")).status_code == 204


async def test_a_hook_is_refused_a_private_address(make):
    owner = await make.user()
    space = await make.space(owner=owner)
    client = await make.bearer(owner)
    for url in ("http://127.0.0.1:8080/x", "http://169.254.169.254/", "http://[::1]/"):
        response = await client.post(
            f"/api/v1/spaces/{space.id}/webhooks", json={**HOOK, "url": url}
        )
        assert response.status_code == 422, url
        assert response.json()["error"]["code"] == "webhook_target"


async def test_an_incoming_hook_posts_as_its_bot_at_its_level(make, session, limited):
    owner = await make.user()
    space = await make.space(owner=owner)
    as_owner = await make.bearer(owner)
    created = await as_owner.post(
        f"/api/v1/spaces/{space.id}/incoming-webhooks",
        json={"name": "Build bot", "level": "public"},
    )
    assert created.status_code == 201, created.text
    hook = created.json()
    path = hook["url"].removeprefix("http://testserver")
    anonymous = make.client()

    posted = await anonymous.post(
        path, json={"text": "**Build 12 passed** <script>alert(1)</script> @nobody"}
    )
    assert posted.status_code == 201, posted.text
    post = await session.get(Post, posted.json()["id"])
    assert (post.space_id, post.level.value, post.author_id) == (
        space.id,
        "public",
        hook["bot"]["id"],
    )
    assert "<strong>Build 12 passed</strong>" in post.body_html
    assert "<script" not in post.body_html
    # Read as any post, by the space's members.
    read = await as_owner.get(f"/api/v1/posts/{post.id}")
    assert read.json()["author"]["display_name"] == "Build bot"

    assert (await anonymous.post(path + "x", json={"text": "hello"})).status_code == 404
    assert (await anonymous.post(path, json={"text": "second"})).status_code == 201
    limited_answer = await anonymous.post(path, json={"text": "third"})
    assert limited_answer.status_code == 429
    assert "Retry-After" in limited_answer.headers

    # The bot never signs in, and is nobody to find in the directory.
    bot = await session.scalar(select(User).where(User.id == hook["bot"]["id"]))
    assert bot.is_bot and bot.password_hash is None
    sign_in = await make.client().post(
        "/api/v1/auth/login", json={"email": bot.email, "password": PASSWORD}
    )
    assert sign_in.status_code == 401
    directory = (await as_owner.get("/api/v1/users", params={"q": "Build"})).json()
    assert directory["items"] == []
    # It posts; it never manages the space.
    promoted = await as_owner.patch(
        f"/api/v1/spaces/{space.id}/members/{bot.id}", json={"role": "moderator"}
    )
    assert promoted.status_code == 422 and promoted.json()["error"]["code"] == "bot_manager"

    # A new URL: the old one no longer posts.
    rotated = await as_owner.post(f"/api/v1/incoming-webhooks/{hook['id']}/url")
    assert (await anonymous.post(path, json={"text": "old"})).status_code == 404
    assert rotated.json()["url"] != hook["url"]


async def test_an_incoming_hook_is_never_above_its_owner_clearance(make):
    owner = await make.user()  # internal
    space = await make.space(owner=owner)
    member = await make.user()
    await make.space(owner=member)
    as_owner = await make.bearer(owner)
    response = await as_owner.post(
        f"/api/v1/spaces/{space.id}/incoming-webhooks", json={"name": "Bot", "level": "secret"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "write_up"
    other = await make.bearer(member)
    response = await other.post(
        f"/api/v1/spaces/{space.id}/incoming-webhooks", json={"name": "Bot", "level": "public"}
    )
    assert response.status_code == 404


async def make_hooks(client, space_id: int) -> tuple[int, str, int]:
    """An outgoing hook and an incoming one made in that space: (the outgoing
    hook's id, the incoming hook's URL path, its id)."""
    made = await client.post(f"/api/v1/spaces/{space_id}/webhooks", json=HOOK)
    assert made.status_code == 201, made.text
    hook_id = made.json()["id"]
    made = await client.post(
        f"/api/v1/spaces/{space_id}/incoming-webhooks", json={"name": "Bot", "level": "public"}
    )
    assert made.status_code == 201, made.text
    return hook_id, made.json()["url"].removeprefix("http://testserver"), made.json()["id"]


async def running(client, space_id: int) -> tuple[dict[int, bool], list[bool]]:
    """Whether each outgoing hook of the space is enabled, and each incoming one."""
    outgoing = (await client.get(f"/api/v1/spaces/{space_id}/webhooks")).json()
    incoming = (await client.get(f"/api/v1/spaces/{space_id}/incoming-webhooks")).json()
    return {hook["id"]: hook["is_enabled"] for hook in outgoing}, [
        hook["is_enabled"] for hook in incoming
    ]


async def test_leaving_a_space_stops_the_hooks_one_made_there(make, session, limited):
    """Leaving a space, or being removed from it, is leaving for the hooks one
    made there: the outgoing ones sent what the leaver may no longer read, the
    incoming one's URL posted where they are no longer a member. Another
    owner's hooks there, and the leaver's in another space, go on; a change of
    role stops nothing."""
    creator, co_owner = await make.user(), await make.user()
    left, kept = await make.space(owner=creator), await make.space(owner=creator)
    for space in (left, kept):
        session.add(Membership(space_id=space.id, user_id=co_owner.id, role=SpaceRole.OWNER))
    await session.commit()
    as_creator, as_co_owner = await make.bearer(creator), await make.bearer(co_owner)
    theirs = {space.id: await make_hooks(as_creator, space.id) for space in (left, kept)}
    others, other_url, _other = await make_hooks(as_co_owner, left.id)
    anonymous = make.client()

    demoted = await as_co_owner.patch(
        f"/api/v1/spaces/{kept.id}/members/{creator.id}", json={"role": "moderator"}
    )
    assert demoted.status_code == 200, demoted.text
    assert (await as_creator.post(f"/api/v1/spaces/{left.id}/leave")).status_code == 204
    assert (await anonymous.post(theirs[left.id][1], json={"text": "après"})).status_code == 404
    assert (await anonymous.post(other_url, json={"text": "l'autre"})).status_code == 201
    assert await running(as_co_owner, left.id) == (
        {theirs[left.id][0]: False, others: True},
        [False, True],
    )
    assert (await anonymous.post(theirs[kept.id][1], json={"text": "ici"})).status_code == 201
    assert await running(as_co_owner, kept.id) == ({theirs[kept.id][0]: True}, [True])
    # The audit log names the hooks the leaving stopped.
    left_event = await session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "membership.left", AuditEvent.target_id == creator.id
        )
    )
    admin = await make.user(role=Role.ADMIN)
    language = current_language.set(Language.EN)
    try:
        [entry] = await describe_all(session, viewer=admin, events=[left_event])
    finally:
        current_language.reset(language)
    hook_id, _url, incoming_id = theirs[left.id]
    assert entry.details == [
        f"Webhooks stopped: #{hook_id}",
        f"Incoming webhooks stopped: #{incoming_id}",
    ]

    removed = await as_co_owner.delete(f"/api/v1/spaces/{kept.id}/members/{creator.id}")
    assert removed.status_code == 204, removed.text
    assert (await anonymous.post(theirs[kept.id][1], json={"text": "après"})).status_code == 404
    assert await running(as_co_owner, kept.id) == ({theirs[kept.id][0]: False}, [False])


async def test_becoming_external_stops_the_hooks_one_made(make, session, limited):
    """An employee made a contractor by an administrator is no longer an owner
    anywhere nor cleared above public: the hooks they answered for stop, in
    the spaces they leave (closed to externals) and in those they stay in."""
    person, co_owner = await make.user(), await make.user()
    closed = await make.space(owner=person)
    opened = await make.space(owner=person, allows_externals=True)
    for space in (closed, opened):
        session.add(Membership(space_id=space.id, user_id=co_owner.id, role=SpaceRole.OWNER))
    await session.commit()
    as_person, as_co_owner = await make.bearer(person), await make.bearer(co_owner)
    hooks = {space.id: await make_hooks(as_person, space.id) for space in (closed, opened)}
    admin = await make.bearer(await make.user(role=Role.ADMIN), scopes=("admin",))

    changed = await admin.patch(f"/api/v1/admin/users/{person.id}", json={"kind": "contractor"})
    assert changed.status_code == 200, changed.text
    anonymous = make.client()
    for space_id, (hook_id, url, _incoming) in hooks.items():
        assert (await anonymous.post(url, json={"text": "après"})).status_code == 404
        assert await running(as_co_owner, space_id) == ({hook_id: False}, [False])


async def test_an_incoming_hook_stops_when_its_creator_leaves_until_an_owner_asks_a_new_url(
    make, session, limited
):
    """Its URL posts into the space without any account, and whoever made it
    may have kept it: their leaving stops the hook, and only a new URL — a
    secret they never saw, asked by an owner who then answers for it, within
    that owner's clearance — starts it again."""
    creator = await make.user(clearance=Level.CONFIDENTIAL)
    co_owner = await make.user(clearance=Level.INTERNAL)
    space = await make.space(owner=creator)
    session.add(Membership(space_id=space.id, user_id=co_owner.id, role=SpaceRole.OWNER))
    await session.commit()
    as_creator, as_co_owner = await make.bearer(creator), await make.bearer(co_owner)
    made = {}
    for level in ("internal", "confidential"):
        created = await as_creator.post(
            f"/api/v1/spaces/{space.id}/incoming-webhooks",
            json={"name": f"Bot {level}", "level": level},
        )
        assert created.status_code == 201, created.text
        made[level] = created.json()
    kept_path = made["internal"]["url"].removeprefix("http://testserver")
    anonymous = make.client()
    assert (await anonymous.post(kept_path, json={"text": "avant"})).status_code == 201

    admin = await make.bearer(await make.user(role=Role.ADMIN), scopes=("admin",))
    offboarded = await admin.post(f"/api/v1/admin/users/{creator.id}/offboard")
    assert offboarded.status_code == 200, offboarded.text
    assert (await anonymous.post(kept_path, json={"text": "après"})).status_code == 404
    listed = (await as_co_owner.get(f"/api/v1/spaces/{space.id}/incoming-webhooks")).json()
    assert [hook["is_enabled"] for hook in listed] == [False, False]
    # Not by switching its bot on again: that would bring back the URL the leaver kept.
    bot_id = made["internal"]["bot"]["id"]
    switched = await admin.patch(f"/api/v1/admin/users/{bot_id}", json={"is_active": True})
    assert switched.status_code == 422 and switched.json()["error"]["code"] == "bot_account"
    assert (await anonymous.post(kept_path, json={"text": "toujours pas"})).status_code == 404

    # Above the co-owner's clearance: theirs to delete, not to answer for.
    above = await as_co_owner.post(f"/api/v1/incoming-webhooks/{made['confidential']['id']}/url")
    assert above.status_code == 403 and above.json()["error"]["code"] == "write_up"
    renewed = await as_co_owner.post(f"/api/v1/incoming-webhooks/{made['internal']['id']}/url")
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["is_enabled"] is True
    new_path = renewed.json()["url"].removeprefix("http://testserver")
    assert (await anonymous.post(kept_path, json={"text": "ancienne"})).status_code == 404
    assert (await anonymous.post(new_path, json={"text": "reprise"})).status_code == 201
    hook = await session.get(IncomingHook, made["internal"]["id"])
    await session.refresh(hook)
    assert hook.created_by_id == co_owner.id
    listed = (await as_co_owner.get(f"/api/v1/spaces/{space.id}/incoming-webhooks")).json()
    assert [hook["is_enabled"] for hook in listed] == [True, False]
