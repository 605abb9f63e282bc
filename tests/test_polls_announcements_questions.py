"""The kinds of post beyond the ordinary one, through the API: announcements
(who may publish, notifications, confirmations), polls (options, votes,
results, closing) and questions (the accepted answer)."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.models import Post
from app.models.base import utcnow
from tests.helpers import expect_error
from tests.stream_helpers import (
    FEED,
    POSTS,
    comment_on,
    item_ids,
    notified,
    notified_user_ids,
    person,
    publish,
    read_post,
)

# --- announcements ---------------------------------------------------------------


async def test_announcing_requires_sign_in(make, client):
    _admin, admin_client = await person(make, role="admin")
    post = await publish(admin_client, kind="announcement")

    expect_error(await client.post(POSTS, json={"body": "x", "kind": "announcement"}), 401)
    expect_error(await client.post(f"{POSTS}/{post['id']}/confirm"), 401)
    expect_error(await client.get(f"{POSTS}/{post['id']}/confirmations"), 401)


@pytest.mark.parametrize("who", ["owner", "moderator", "admin"])
async def test_space_owners_moderators_and_admins_announce(make, who):
    owner, owner_client = await person(make)
    moderator, moderator_client = await person(make)
    _admin, admin_client = await person(make, role="admin")
    space = await make.space(owner=owner, moderators=[moderator])
    client = {"owner": owner_client, "moderator": moderator_client, "admin": admin_client}[who]

    post = await publish(client, "Réunion lundi", kind="announcement", space_id=space.id)

    assert post["kind"] == "announcement"
    assert post["announcement"] == {"confirmed_by_me": False, "confirmations": 0}


async def test_members_do_not_announce_nor_do_space_owners_in_the_company_stream(make, session):
    owner, owner_client = await person(make)
    member, member_client = await person(make)
    space = await make.space(owner=owner, members=[member])

    expect_error(
        await member_client.post(
            POSTS, json={"body": "x", "kind": "announcement", "space_id": space.id}
        ),
        403,
    )
    expect_error(await owner_client.post(POSTS, json={"body": "x", "kind": "announcement"}), 403)
    _admin, admin_client = await person(make, role="admin")
    allowed = await publish(admin_client, kind="announcement")
    assert allowed["space"] is None
    # Only the announcement that was published told anyone.
    told = await notified(session, member, "announcement")
    assert [n.post_id for n in told] == [allowed["id"]]


async def test_readers_are_told_of_an_announcement(make, session):
    owner, owner_client = await person(make, clearance="confidential")
    cleared = await make.user(clearance="confidential")
    low = await make.user()
    inactive = await make.user(clearance="confidential", is_active=False)
    outsider = await make.user(clearance="confidential")
    space = await make.space(owner=owner, visibility="private", members=[cleared, low, inactive])

    post = await publish(
        owner_client, "Plan social", kind="announcement", space_id=space.id, level="confidential"
    )

    assert await notified_user_ids(session, post_id=post["id"], kind="announcement") == {cleared.id}
    (told,) = await notified(session, cleared, "announcement")
    assert told.actor_id == owner.id
    assert await notified(session, outsider) == []


async def test_confirming_an_announcement(make):
    owner, owner_client = await person(make)
    reader, reader_client = await person(make)
    pending = await make.user(display_name="Zoé Pending")
    space = await make.space(owner=owner, visibility="private", members=[reader, pending])
    post = await publish(owner_client, kind="announcement", space_id=space.id)

    for _time in range(2):
        response = await reader_client.post(f"{POSTS}/{post['id']}/confirm")
        assert response.status_code == 204, response.text

    shown = await read_post(reader_client, post["id"])
    assert shown["announcement"] == {"confirmed_by_me": True, "confirmations": 1}
    assert (await read_post(owner_client, post["id"]))["announcement"]["confirmed_by_me"] is False
    readers = await owner_client.get(f"{POSTS}/{post['id']}/confirmations")
    assert readers.status_code == 200, readers.text
    assert [u["id"] for u in readers.json()["confirmed"]] == [reader.id]
    assert [u["id"] for u in readers.json()["pending"]] == [pending.id]


async def test_confirmations_are_for_the_author_and_moderators(make):
    owner, owner_client = await person(make)
    moderator, moderator_client = await person(make)
    reader, reader_client = await person(make)
    space = await make.space(owner=owner, moderators=[moderator], members=[reader])
    post = await publish(moderator_client, kind="announcement", space_id=space.id)

    expect_error(await reader_client.get(f"{POSTS}/{post['id']}/confirmations"), 403)
    assert (await moderator_client.get(f"{POSTS}/{post['id']}/confirmations")).status_code == 200
    other_moderator = await owner_client.get(f"{POSTS}/{post['id']}/confirmations")
    assert reader.id in [u["id"] for u in other_moderator.json()["pending"]]


async def test_only_announcements_are_confirmed(make):
    _author, client = await person(make)
    post = await publish(client)

    expect_error(await client.post(f"{POSTS}/{post['id']}/confirm"), 422, "not_announcement")
    expect_error(await client.get(f"{POSTS}/{post['id']}/confirmations"), 422, "not_announcement")
    assert (await read_post(client, post["id"]))["announcement"] is None


async def test_the_feed_lists_the_announcements_to_confirm(make):
    owner, owner_client = await person(make)
    reader, reader_client = await person(make)
    space = await make.space(owner=owner, members=[reader])
    first = await publish(owner_client, kind="announcement", space_id=space.id)
    second = await publish(owner_client, kind="announcement", space_id=space.id)
    await publish(owner_client, "Ordinaire", space_id=space.id)
    await publish(reader_client, "Pas une annonce")

    to_confirm = await reader_client.get(FEED, params={"to_confirm": "true"})
    assert item_ids(to_confirm) == [second["id"], first["id"]]
    await reader_client.post(f"{POSTS}/{second['id']}/confirm")
    assert item_ids(await reader_client.get(FEED, params={"to_confirm": True})) == [first["id"]]
    # Nobody confirms their own announcements.
    assert item_ids(await owner_client.get(FEED, params={"to_confirm": True})) == []


# --- polls -----------------------------------------------------------------------


def poll(*options: str, **fields) -> dict:
    return {"kind": "poll", "poll": {"options": list(options), **fields}}


async def vote(client, post: dict, *option_ids: int):
    return await client.post(f"{POSTS}/{post['id']}/votes", json={"option_ids": list(option_ids)})


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (["seule"], "invalid"),
        ([f"n°{n}" for n in range(11)], "invalid"),
        (["oui", "oui"], "poll"),
        (["oui", "  "], "invalid"),
    ],
)
async def test_a_poll_has_two_to_ten_distinct_options(make, options, code):
    _author, client = await person(make)

    response = await client.post(POSTS, json={"body": "?", **poll(*options)})

    expect_error(response, 422, code)


async def test_a_poll_cannot_close_in_the_past(make):
    _author, client = await person(make)
    past = (utcnow() - timedelta(minutes=1)).isoformat()

    expect_error(
        await client.post(POSTS, json={"body": "?", **poll("a", "b", closes_at=past)}),
        422,
        "expired",
    )


async def test_results_are_hidden_until_one_votes(make):
    _author, client = await person(make)
    _voter, voter_client = await person(make)
    _other, other_client = await person(make)
    post = await publish(client, "Quel jour ?", **poll("lundi", "mardi", "jeudi"))
    _monday, tuesday, _thursday = (option["id"] for option in post["poll"]["options"])

    assert [o["label"] for o in post["poll"]["options"]] == ["lundi", "mardi", "jeudi"]
    assert post["poll"]["multiple"] is False and post["poll"]["closed"] is False
    assert {o["votes"] for o in post["poll"]["options"]} == {None}

    voted = await vote(voter_client, post, tuesday)

    assert voted.status_code == 200, voted.text
    assert [o["votes"] for o in voted.json()["poll"]["options"]] == [0, 1, 0]
    assert voted.json()["poll"]["my_votes"] == [tuesday]
    # Those who have not voted still see no counts, the author included.
    for not_voted in (other_client, client):
        shown = await read_post(not_voted, post["id"])
        assert {o["votes"] for o in shown["poll"]["options"]} == {None}
        assert shown["poll"]["my_votes"] == []


async def test_one_vote_per_person_changeable_until_closing(make, session):
    _author, client = await person(make)
    _voter, voter_client = await person(make)
    post = await publish(
        client, **poll("oui", "non", closes_at=(utcnow() + timedelta(hours=1)).isoformat())
    )
    yes, no = (option["id"] for option in post["poll"]["options"])

    await vote(voter_client, post, yes)
    changed = await vote(voter_client, post, no)

    assert [o["votes"] for o in changed.json()["poll"]["options"]] == [0, 1]
    assert changed.json()["poll"]["my_votes"] == [no]

    await session.execute(
        update(Post)
        .where(Post.id == post["id"])
        .values(poll_closes_at=utcnow() - timedelta(seconds=1))
    )
    await session.commit()

    expect_error(await vote(voter_client, post, yes), 409, "poll_closed")
    # Once closed, everyone sees the results.
    _late, late_client = await person(make)
    shown = await read_post(late_client, post["id"])
    assert shown["poll"]["closed"] is True
    assert [o["votes"] for o in shown["poll"]["options"]] == [0, 1]


async def test_single_and_multiple_choice(make):
    _author, client = await person(make)
    _voter, voter_client = await person(make)
    single = await publish(client, **poll("a", "b", "c"))
    multiple = await publish(client, **poll("a", "b", "c", multiple=True))
    a, b, _c = (option["id"] for option in multiple["poll"]["options"])

    expect_error(
        await vote(voter_client, single, *[o["id"] for o in single["poll"]["options"][:2]]),
        422,
        "one_choice",
    )
    voted = await vote(voter_client, multiple, a, b)

    assert voted.json()["poll"]["multiple"] is True
    assert voted.json()["poll"]["my_votes"] == sorted([a, b])
    assert [o["votes"] for o in voted.json()["poll"]["options"]] == [1, 1, 0]


async def test_bad_votes_are_refused(make):
    _author, client = await person(make)
    _voter, voter_client = await person(make)
    first = await publish(client, **poll("a", "b"))
    other = await publish(client, **poll("c", "d"))
    ordinary = await publish(client)
    foreign_option = other["poll"]["options"][0]["id"]

    expect_error(await vote(voter_client, first, foreign_option), 422, "unknown_option")
    expect_error(await vote(voter_client, first), 422)
    expect_error(await voter_client.post(f"{POSTS}/{first['id']}/votes", json={}), 422)
    expect_error(await vote(voter_client, ordinary, foreign_option), 404)
    shown = await read_post(voter_client, first["id"])
    assert shown["poll"]["my_votes"] == [] and shown["poll"]["options"][0]["votes"] is None


async def test_an_archived_space_takes_no_vote(make, session):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    post = await publish(client, space_id=space.id, **poll("a", "b"))
    space.is_archived = True
    await session.commit()

    response = await vote(client, post, post["poll"]["options"][0]["id"])

    expect_error(response, 409, "space_archived")


async def test_voting_requires_sign_in(make, client):
    _author, author_client = await person(make)
    post = await publish(author_client, **poll("a", "b"))

    expect_error(await vote(client, post, post["poll"]["options"][0]["id"]), 401)


# --- questions -------------------------------------------------------------------


async def answer(client, post: dict, comment_id: int | None):
    return await client.put(f"{POSTS}/{post['id']}/answer", json={"comment_id": comment_id})


async def test_the_author_accepts_an_answer_and_its_author_is_told(make, session):
    asker, client = await person(make)
    helper, helper_client = await person(make)
    question = await publish(client, "Où est la cafetière ?", kind="question")
    reply = await comment_on(helper_client, question["id"], "Au 3e")

    response = await answer(client, question, reply["id"])

    assert response.status_code == 200, response.text
    assert response.json()["accepted_comment_id"] == reply["id"]
    (told,) = await notified(session, helper, "accepted_answer")
    assert (told.post_id, told.actor_id, told.data["comment_id"]) == (
        question["id"],
        asker.id,
        reply["id"],
    )
    cleared = await answer(client, question, None)
    assert cleared.json()["accepted_comment_id"] is None


async def test_accepting_ones_own_comment_notifies_nobody(make, session):
    asker, client = await person(make)
    question = await publish(client, kind="question")
    own = await comment_on(client, question["id"])

    assert (await answer(client, question, own["id"])).json()["accepted_comment_id"] == own["id"]
    assert await notified(session, asker) == []


async def test_moderators_accept_answers_other_readers_may_not(make):
    owner, owner_client = await person(make)
    asker, asker_client = await person(make)
    _reader, reader_client = await person(make)
    space = await make.space(owner=owner, members=[asker])
    question = await publish(asker_client, kind="question", space_id=space.id)
    reply = await comment_on(reader_client, question["id"])

    expect_error(await answer(reader_client, question, reply["id"]), 403)
    accepted = await answer(owner_client, question, reply["id"])
    assert accepted.json()["accepted_comment_id"] == reply["id"]
    assert (await read_post(asker_client, question["id"]))["accepted_comment_id"] == reply["id"]


async def test_bad_answers_are_refused(make):
    _asker, client = await person(make)
    question = await publish(client, kind="question")
    other = await publish(client, kind="question")
    ordinary = await publish(client)
    elsewhere = await comment_on(client, other["id"])
    on_ordinary = await comment_on(client, ordinary["id"])
    deleted = await comment_on(client, question["id"])
    await client.delete(f"/api/v1/comments/{deleted['id']}")

    expect_error(await answer(client, question, elsewhere["id"]), 404)
    expect_error(await answer(client, question, deleted["id"]), 404)
    expect_error(await answer(client, ordinary, on_ordinary["id"]), 422, "not_question")
    expect_error(await client.put(f"{POSTS}/{question['id']}/answer", json={}), 422)
    assert (await read_post(client, question["id"]))["accepted_comment_id"] is None


async def test_the_feed_lists_unanswered_questions(make, client):
    _asker, asker_client = await person(make)
    answered = await publish(asker_client, kind="question")
    open_question = await publish(asker_client, kind="question")
    await publish(asker_client, "Pas une question")
    reply = await comment_on(asker_client, answered["id"])

    await answer(asker_client, answered, reply["id"])

    listed = await asker_client.get(FEED, params={"unanswered": True})
    assert item_ids(listed) == [open_question["id"]]
    expect_error(
        await client.put(f"{POSTS}/{open_question['id']}/answer", json={"comment_id": None}), 401
    )
