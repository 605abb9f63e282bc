"""Following people, spaces and hashtags through the API, and what each brings
to the home feed (never anything the policy keeps from the follower)."""

import pytest

from tests.helpers import expect_error
from tests.stream_helpers import (
    FEED,
    item_ids,
    person,
    publish,
)

FOLLOWS = "/api/v1/follows"


async def test_following_requires_sign_in(make, client):
    someone = await make.user()

    expect_error(await client.put(f"{FOLLOWS}/users/{someone.id}"), 401)
    expect_error(await client.delete(f"{FOLLOWS}/users/{someone.id}"), 401)
    expect_error(await client.get(FOLLOWS), 401)


async def test_follow_and_unfollow_people_spaces_and_hashtags(make):
    _viewer, client = await person(make)
    colleague = await make.user()
    space = await make.space()

    for target in (f"users/{colleague.id}", f"spaces/{space.id}", "hashtags/%23Équipe"):
        for _time in range(2):  # following twice is harmless
            response = await client.put(f"{FOLLOWS}/{target}")
            assert response.status_code == 204, (target, response.text)

    assert (await client.get(FOLLOWS)).json() == {
        "users": [colleague.id],
        "spaces": [space.id],
        "hashtags": ["équipe"],
    }
    for target in (f"users/{colleague.id}", f"spaces/{space.id}", "hashtags/ÉQUIPE"):
        assert (await client.delete(f"{FOLLOWS}/{target}")).status_code == 204
    assert (await client.get(FOLLOWS)).json() == {"users": [], "spaces": [], "hashtags": []}
    # Unfollowing what one does not follow is harmless too.
    assert (await client.delete(f"{FOLLOWS}/users/{colleague.id}")).status_code == 204


async def test_joining_a_space_follows_it(make):
    _viewer, client = await person(make)
    space = await make.space()

    joined = await client.post(f"/api/v1/spaces/{space.id}/join", json={})

    assert joined.status_code in (200, 201), joined.text
    assert (await client.get(FOLLOWS)).json()["spaces"] == [space.id]


async def test_spaces_one_may_not_read_cannot_be_followed(make):
    _viewer, client = await person(make)
    _contractor, contractor_client = await person(make, kind="contractor")
    private = await make.space(visibility="private")
    secret = await make.space(visibility="secret")
    open_space = await make.space()

    expect_error(await client.put(f"{FOLLOWS}/spaces/{private.id}"), 403, "not_member")
    expect_error(await client.put(f"{FOLLOWS}/spaces/{secret.id}"), 404)
    expect_error(await contractor_client.put(f"{FOLLOWS}/spaces/{open_space.id}"), 404)
    assert (await client.get(FOLLOWS)).json()["spaces"] == []


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("users/999999999", 404),
        ("users/abc", 404),
        ("spaces/999999999", 404),
        ("people/1", 422),
        ("user/1", 422),
        ("hashtags/%23", 422),
        ("hashtags/deux%20mots", 422),
        ("hashtags/a!", 422),
        (f"hashtags/{'x' * 51}", 422),
    ],
)
async def test_bad_targets_are_refused(make, target, status):
    _viewer, client = await person(make)

    expect_error(await client.put(f"{FOLLOWS}/{target}"), status)
    assert (await client.get(FOLLOWS)).json() == {"users": [], "spaces": [], "hashtags": []}


# --- what following brings to the home feed --------------------------------------


async def test_a_followed_persons_readable_posts_reach_the_home_feed(make):
    _viewer, client = await person(make)
    followed, followed_client = await person(make, clearance="confidential")
    open_space = await make.space()
    private = await make.space(visibility="private", members=[followed])
    in_open = await publish(followed_client, "Dans un espace ouvert", space_id=open_space.id)
    await publish(followed_client, "Dans un espace privé", space_id=private.id)
    await publish(followed_client, "Confidentiel", level="confidential", space_id=open_space.id)

    assert item_ids(await client.get(FEED)) == []
    await client.put(f"{FOLLOWS}/users/{followed.id}")

    assert item_ids(await client.get(FEED)) == [in_open["id"]]
    await client.delete(f"{FOLLOWS}/users/{followed.id}")
    assert item_ids(await client.get(FEED)) == []


async def test_a_followed_hashtags_readable_posts_reach_the_home_feed(make):
    _viewer, client = await person(make)
    writer, writer_client = await person(make)
    open_space = await make.space()
    secret = await make.space(owner=writer, visibility="secret")
    tagged = await publish(writer_client, "Le #Vélo au bureau", space_id=open_space.id)
    await publish(writer_client, "Sans sujet", space_id=open_space.id)
    await publish(writer_client, "En secret #vélo", space_id=secret.id)

    await client.put(f"{FOLLOWS}/hashtags/vélo")

    assert item_ids(await client.get(FEED)) == [tagged["id"]]


async def test_a_followed_space_left_or_closed_no_longer_feeds_the_home(make, session):
    _viewer, client = await person(make)
    owner, owner_client = await person(make)
    space = await make.space(owner=owner)
    await client.put(f"{FOLLOWS}/spaces/{space.id}")
    post = await publish(owner_client, space_id=space.id)
    assert item_ids(await client.get(FEED)) == [post["id"]]

    space.visibility = "private"
    await session.commit()

    assert item_ids(await client.get(FEED)) == []
