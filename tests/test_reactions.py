"""Reactions on posts and comments through the API: the fixed set, one of each
kind per person, counts, the viewer's own, "who reacted", notifications."""

import pytest

from app.models import ReactionKind
from tests.helpers import expect_error
from tests.stream_helpers import (
    POSTS,
    comment_on,
    notified,
    person,
    publish,
    read_post,
)

KINDS = ["like", "celebrate", "support", "insightful", "curious"]
COMMENTS = "/api/v1/comments"


def test_the_set_of_reactions_is_the_documented_one():
    assert [kind.value for kind in ReactionKind] == KINDS


async def test_reacting_requires_sign_in(make, client):
    _author, author_client = await person(make)
    post = await publish(author_client)
    comment = await comment_on(author_client, post["id"])

    for target in (f"{POSTS}/{post['id']}", f"{COMMENTS}/{comment['id']}"):
        expect_error(await client.put(f"{target}/reactions/like"), 401)
        expect_error(await client.delete(f"{target}/reactions/like"), 401)
        expect_error(await client.get(f"{target}/reactions"), 401)


async def test_the_five_kinds_counts_and_my_reactions(make):
    _author, client = await person(make)
    _me, my_client = await person(make)
    _other, other_client = await person(make)
    post = await publish(client)

    for kind in KINDS:
        response = await my_client.put(f"{POSTS}/{post['id']}/reactions/{kind}")
        assert response.status_code == 204, response.text
    await other_client.put(f"{POSTS}/{post['id']}/reactions/like")

    mine = await read_post(my_client, post["id"])
    assert mine["reactions"] == {
        "like": 2,
        "celebrate": 1,
        "support": 1,
        "insightful": 1,
        "curious": 1,
    }
    assert mine["my_reactions"] == sorted(KINDS)
    theirs = await read_post(other_client, post["id"])
    assert theirs["my_reactions"] == ["like"]
    assert (await read_post(client, post["id"]))["my_reactions"] == []


async def test_reacting_twice_keeps_one_reaction_and_one_notification(make, session):
    author, client = await person(make)
    _fan, fan_client = await person(make)
    post = await publish(client)

    for _time in range(2):
        response = await fan_client.put(f"{POSTS}/{post['id']}/reactions/celebrate")
        assert response.status_code == 204

    assert (await read_post(client, post["id"]))["reactions"] == {"celebrate": 1}
    assert len(await notified(session, author, "reaction")) == 1


async def test_removing_a_reaction(make):
    _author, client = await person(make)
    _fan, fan_client = await person(make)
    post = await publish(client)
    await fan_client.put(f"{POSTS}/{post['id']}/reactions/like")
    await fan_client.put(f"{POSTS}/{post['id']}/reactions/support")

    response = await fan_client.delete(f"{POSTS}/{post['id']}/reactions/like")

    assert response.status_code == 204
    shown = await read_post(fan_client, post["id"])
    assert (shown["reactions"], shown["my_reactions"]) == ({"support": 1}, ["support"])
    # Removing what is not there is harmless.
    assert (await fan_client.delete(f"{POSTS}/{post['id']}/reactions/like")).status_code == 204


async def test_who_reacted(make):
    _author, client = await person(make)
    first, first_client = await person(make)
    second, second_client = await person(make)
    post = await publish(client)
    await first_client.put(f"{POSTS}/{post['id']}/reactions/like")
    await second_client.put(f"{POSTS}/{post['id']}/reactions/curious")

    everyone = await client.get(f"{POSTS}/{post['id']}/reactions")
    likes = await client.get(f"{POSTS}/{post['id']}/reactions", params={"kind": "like"})

    assert [(r["kind"], r["user"]["id"]) for r in everyone.json()] == [
        ("like", first.id),
        ("curious", second.id),
    ]
    assert set(everyone.json()[0]["user"]) == {"id", "handle", "display_name", "kind", "avatar_url"}
    assert [r["user"]["id"] for r in likes.json()] == [first.id]


async def test_who_reacted_is_hidden_from_non_readers(make):
    _author, client = await person(make, clearance="confidential")
    _low, low_client = await person(make)
    post = await publish(client, level="confidential")
    await client.put(f"{POSTS}/{post['id']}/reactions/like")

    expect_error(await low_client.get(f"{POSTS}/{post['id']}/reactions"), 404)
    expect_error(await low_client.put(f"{POSTS}/{post['id']}/reactions/like"), 404)
    assert (await read_post(client, post["id"]))["reactions"] == {"like": 1}


@pytest.mark.parametrize("kind", ["love", "LIKE", "like "])
async def test_an_unknown_kind_is_refused(make, kind):
    _author, client = await person(make)
    post = await publish(client)

    response = await client.put(f"{POSTS}/{post['id']}/reactions/{kind}")

    expect_error(response, 422)
    expect_error(await client.get(f"{POSTS}/{post['id']}/reactions", params={"kind": "love"}), 422)
    assert (await read_post(client, post["id"]))["reactions"] == {}


async def test_reactions_notify_the_author_not_oneself(make, session):
    author, client = await person(make)
    fan, fan_client = await person(make)
    post = await publish(client)

    await client.put(f"{POSTS}/{post['id']}/reactions/like")
    await fan_client.put(f"{POSTS}/{post['id']}/reactions/insightful")

    (told,) = await notified(session, author, "reaction")
    assert (told.post_id, told.actor_id, told.data["reaction"]) == (
        post["id"],
        fan.id,
        "insightful",
    )
    assert await notified(session, fan) == []


# --- on comments -----------------------------------------------------------------


async def test_reactions_on_comments(make, session):
    _author, client = await person(make)
    commenter, commenter_client = await person(make)
    fan, fan_client = await person(make)
    post = await publish(client)
    comment = await comment_on(commenter_client, post["id"])

    for kind in ("like", "like", "support"):
        response = await fan_client.put(f"{COMMENTS}/{comment['id']}/reactions/{kind}")
        assert response.status_code == 204
    await client.put(f"{COMMENTS}/{comment['id']}/reactions/like")

    listed = (await fan_client.get(f"{POSTS}/{post['id']}/comments")).json()["items"]
    assert listed[0]["reactions"] == {"like": 2, "support": 1}
    assert listed[0]["my_reactions"] == ["like", "support"]
    who = await fan_client.get(f"{COMMENTS}/{comment['id']}/reactions", params={"kind": "support"})
    assert [r["user"]["id"] for r in who.json()] == [fan.id]
    told = await notified(session, commenter, "reaction")
    assert [(n.actor_id, n.data["comment_id"], n.data["reaction"]) for n in told] == [
        (fan.id, comment["id"], "like"),
        (fan.id, comment["id"], "support"),
        (_author.id, comment["id"], "like"),
    ]
    assert (await read_post(client, post["id"]))["reactions"] == {}

    assert (
        await fan_client.delete(f"{COMMENTS}/{comment['id']}/reactions/like")
    ).status_code == 204
    listed = (await fan_client.get(f"{POSTS}/{post['id']}/comments")).json()["items"]
    assert listed[0]["reactions"] == {"like": 1, "support": 1}
    expect_error(await fan_client.put(f"{COMMENTS}/{comment['id']}/reactions/wow"), 422)
    expect_error(await fan_client.put(f"{COMMENTS}/{2**40}/reactions/like"), 404)


async def test_an_archived_space_takes_no_reaction(make, session):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    post = await publish(client, space_id=space.id)
    comment = await comment_on(client, post["id"])
    await client.put(f"{POSTS}/{post['id']}/reactions/like")
    space.is_archived = True
    await session.commit()

    for target in (f"{POSTS}/{post['id']}", f"{COMMENTS}/{comment['id']}"):
        expect_error(await client.put(f"{target}/reactions/support"), 409, "space_archived")
    expect_error(await client.delete(f"{POSTS}/{post['id']}/reactions/like"), 409)
    assert (await read_post(client, post["id"]))["reactions"] == {"like": 1}
    # Still readable, with who reacted.
    assert len((await client.get(f"{POSTS}/{post['id']}/reactions")).json()) == 1
