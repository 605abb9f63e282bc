"""Comments and replies through the API: one level of replies, the post's
visibility inherited, notifications of replies and mentions, edits with
versions, tombstones."""

import pytest
from sqlalchemy import delete, select

from app.models import Comment, Membership
from tests.helpers import expect_error
from tests.stream_helpers import (
    POSTS,
    comment_on,
    item_ids,
    notified,
    notified_user_ids,
    person,
    publish,
    read_post,
)

COMMENTS = "/api/v1/comments"


def comments_of(post_id: int) -> str:
    return f"{POSTS}/{post_id}/comments"


# --- POST /posts/{id}/comments ---------------------------------------------------


async def test_commenting_requires_sign_in(make, client):
    _author, author_client = await person(make)
    post = await publish(author_client)
    comment = await comment_on(author_client, post["id"])

    expect_error(await client.post(comments_of(post["id"]), json={"body": "x"}), 401)
    expect_error(await client.get(comments_of(post["id"])), 401)
    expect_error(await client.patch(f"{COMMENTS}/{comment['id']}", json={"body": "x"}), 401)
    expect_error(await client.delete(f"{COMMENTS}/{comment['id']}"), 401)
    expect_error(await client.get(f"{COMMENTS}/{comment['id']}/versions"), 401)


async def test_a_comment_and_a_reply(make):
    author, client = await person(make)
    _reader, reader_client = await person(make)
    post = await publish(client)

    comment = await comment_on(reader_client, post["id"], "Bonne idée **vraiment**")
    reply = await comment_on(client, post["id"], "Merci !", parent_id=comment["id"])

    assert comment["body_html"] == "<p>Bonne idée <strong>vraiment</strong></p>\n"
    assert comment["parent_id"] is None and comment["post_id"] == post["id"]
    assert comment["unreachable_mentions"] == []
    assert reply["parent_id"] == comment["id"]
    assert reply["author"]["id"] == author.id
    listed = await reader_client.get(comments_of(post["id"]))
    assert item_ids(listed) == [comment["id"], reply["id"]]
    shown = await read_post(reader_client, post["id"])
    assert shown["comment_count"] == 2
    # The first comments shown with a post are top-level ones.
    assert [c["id"] for c in shown["first_comments"]] == [comment["id"]]


async def test_replies_have_one_level(make, session):
    _author, client = await person(make)
    post = await publish(client)
    comment = await comment_on(client, post["id"])
    reply = await comment_on(client, post["id"], parent_id=comment["id"])

    response = await client.post(
        comments_of(post["id"]), json={"body": "Trop profond", "parent_id": reply["id"]}
    )

    expect_error(response, 422, "depth")
    assert await session.scalar(select(Comment.id).where(Comment.body == "Trop profond")) is None


async def test_a_reply_to_a_comment_of_another_post_is_not_found(make):
    _author, client = await person(make)
    first, second = await publish(client), await publish(client)
    comment = await comment_on(client, first["id"])

    response = await client.post(
        comments_of(second["id"]), json={"body": "x", "parent_id": comment["id"]}
    )

    expect_error(response, 404)


@pytest.mark.parametrize(
    "payload",
    [{"body": ""}, {"body": "x" * 20001}, {}, {"body": "x", "parent_id": 0}, {"body": 3}],
)
async def test_bad_comments_are_refused(make, payload):
    _author, client = await person(make)
    post = await publish(client)

    expect_error(await client.post(comments_of(post["id"]), json=payload), 422)
    assert (await read_post(client, post["id"]))["comment_count"] == 0


async def test_comments_inherit_the_posts_visibility(make):
    _author, client = await person(make, clearance="confidential")
    _low, low_client = await person(make)
    chosen, chosen_client = await person(make)
    _other, other_client = await person(make)
    confidential = await publish(client, level="confidential")
    narrowed = await publish(client, audience=[chosen.id])
    for post in (confidential, narrowed):
        await comment_on(client, post["id"], "Visible des seuls lecteurs")

    expect_error(await low_client.get(comments_of(confidential["id"])), 404)
    expect_error(await low_client.post(comments_of(confidential["id"]), json={"body": "x"}), 404)
    expect_error(await other_client.get(comments_of(narrowed["id"])), 404)
    assert len(item_ids(await chosen_client.get(comments_of(narrowed["id"])))) == 1
    assert len(item_ids(await client.get(comments_of(confidential["id"])))) == 1


async def test_a_lost_clearance_hides_the_comments(make, session):
    _author, client = await person(make, clearance="confidential")
    reader, reader_client = await person(make, clearance="confidential")
    post = await publish(client, level="confidential")
    comment = await comment_on(reader_client, post["id"])

    reader.clearance = "internal"
    await session.commit()

    expect_error(await reader_client.get(comments_of(post["id"])), 404)
    expect_error(await reader_client.get(f"{COMMENTS}/{comment['id']}/versions"), 404)
    expect_error(await reader_client.patch(f"{COMMENTS}/{comment['id']}", json={"body": "x"}), 404)


async def test_comments_in_spaces_follow_the_write_rules(make, session):
    owner, owner_client = await person(make)
    _passer_by, passer_by_client = await person(make)
    _contractor, contractor_client = await person(make, kind="contractor")
    open_space = await make.space(owner=owner)
    in_space = await publish(owner_client, space_id=open_space.id)
    in_stream = await publish(owner_client, level="public")

    # Any employee comments in an open space; externals comment in the company stream.
    assert (await comment_on(passer_by_client, in_space["id"]))["post_id"] == in_space["id"]
    assert (await comment_on(contractor_client, in_stream["id"]))["post_id"] == in_stream["id"]
    expect_error(await contractor_client.get(comments_of(in_space["id"])), 404)

    open_space.is_archived = True
    await session.commit()
    expect_error(
        await passer_by_client.post(comments_of(in_space["id"]), json={"body": "x"}),
        409,
        "space_archived",
    )


async def test_a_deleted_post_takes_no_new_comment(make):
    _author, client = await person(make)
    post = await publish(client)
    await client.delete(f"{POSTS}/{post['id']}")

    expect_error(await client.post(comments_of(post["id"]), json={"body": "x"}), 409, "deleted")


async def test_comments_are_paged_oldest_first(make):
    _author, client = await person(make)
    post = await publish(client)
    made = [(await comment_on(client, post["id"], f"n°{n}"))["id"] for n in range(5)]

    first = await client.get(comments_of(post["id"]), params={"limit": 3})
    second = await client.get(
        comments_of(post["id"]), params={"limit": 3, "cursor": first.json()["next_cursor"]}
    )

    assert item_ids(first) + item_ids(second) == made
    assert second.json()["next_cursor"] is None
    expect_error(await client.get(comments_of(post["id"]), params={"cursor": "@@"}), 422)
    expect_error(await client.get(comments_of(post["id"]), params={"limit": 0}), 422)


# --- notifications of replies and mentions ---------------------------------------


async def test_replies_notify_the_posts_and_the_parent_comments_authors(make, session):
    author, client = await person(make)
    commenter, commenter_client = await person(make)
    replier, replier_client = await person(make)
    post = await publish(client)

    comment = await comment_on(commenter_client, post["id"])
    reply = await comment_on(replier_client, post["id"], parent_id=comment["id"])

    to_author = await notified(session, author, "reply")
    assert [n.data["comment_id"] for n in to_author] == [comment["id"], reply["id"]]
    assert [n.actor_id for n in to_author] == [commenter.id, replier.id]
    (to_commenter,) = await notified(session, commenter, "reply")
    assert to_commenter.data["comment_id"] == reply["id"]
    assert to_commenter.post_id == post["id"]
    assert await notified(session, replier) == []


async def test_commenting_on_ones_own_post_notifies_nobody(make, session):
    author, client = await person(make)
    post = await publish(client)

    await comment_on(client, post["id"])

    assert await notified(session, author) == []


async def test_a_reply_does_not_notify_someone_who_can_no_longer_read(make, session):
    owner, owner_client = await person(make)
    leaver, leaver_client = await person(make)
    space = await make.space(owner=owner, visibility="private", members=[leaver])
    post = await publish(owner_client, space_id=space.id)
    comment = await comment_on(leaver_client, post["id"])
    await session.execute(
        delete(Membership).where(Membership.space_id == space.id, Membership.user_id == leaver.id)
    )
    await session.commit()

    await comment_on(owner_client, post["id"], parent_id=comment["id"])

    assert await notified(session, leaver) == []


async def test_mentions_in_comments(make, session):
    _author, client = await person(make, clearance="confidential")
    reader = await make.user(clearance="confidential")
    low = await make.user()
    post = await publish(client, level="confidential")

    comment = await comment_on(client, post["id"], f"@{reader.handle} et @{low.handle} ?")

    assert comment["unreachable_mentions"] == [low.handle]
    assert f'href="/people/{reader.handle}"' in comment["body_html"]
    (told,) = await notified(session, reader, "mention")
    assert told.data["comment_id"] == comment["id"]
    assert await notified_user_ids(session, post_id=post["id"], kind="mention") == {reader.id}


# --- PATCH /comments/{id}, GET /comments/{id}/versions ---------------------------


async def test_editing_a_comment_keeps_versions(make):
    _author, client = await person(make)
    _reader, reader_client = await person(make)
    post = await publish(client)
    comment = await comment_on(reader_client, post["id"], "Premier jet")

    response = await reader_client.patch(
        f"{COMMENTS}/{comment['id']}", json={"body": "Mieux *dit*"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["body_html"] == "<p>Mieux <em>dit</em></p>\n"
    assert response.json()["edited_at"] is not None
    versions = await client.get(f"{COMMENTS}/{comment['id']}/versions")
    assert [v["body"] for v in versions.json()] == ["Premier jet"]


async def test_only_the_author_edits_a_comment(make):
    owner, owner_client = await person(make, role="admin")
    author, author_client = await person(make)
    space = await make.space(owner=owner, members=[author])
    post = await publish(owner_client, space_id=space.id)
    comment = await comment_on(author_client, post["id"], "À moi")

    expect_error(await owner_client.patch(f"{COMMENTS}/{comment['id']}", json={"body": "x"}), 403)
    expect_error(await author_client.patch(f"{COMMENTS}/{comment['id']}", json={"body": ""}), 422)
    expect_error(await author_client.patch(f"{COMMENTS}/{2**40}", json={"body": "x"}), 404)
    listed = await author_client.get(comments_of(post["id"]))
    assert listed.json()["items"][0]["body"] == "À moi"


# --- DELETE /comments/{id} -------------------------------------------------------


async def test_deleting_a_comment_leaves_a_tombstone_for_its_replies(make):
    _author, client = await person(make)
    _commenter, commenter_client = await person(make)
    post = await publish(client)
    comment = await comment_on(commenter_client, post["id"], "Bientôt effacé")
    await commenter_client.patch(f"{COMMENTS}/{comment['id']}", json={"body": "Effacé"})
    reply = await comment_on(client, post["id"], "Réponse", parent_id=comment["id"])

    assert (await commenter_client.delete(f"{COMMENTS}/{comment['id']}")).status_code == 204

    listed = (await client.get(comments_of(post["id"]))).json()["items"]
    assert [(c["id"], c["deleted"], c["body"]) for c in listed] == [
        (comment["id"], True, ""),
        (reply["id"], False, "Réponse"),
    ]
    assert listed[0]["body_html"] == ""
    assert (await client.get(f"{COMMENTS}/{comment['id']}/versions")).json() == []
    shown = await read_post(client, post["id"])
    assert shown["comment_count"] == 1 and shown["first_comments"] == []
    expect_error(
        await commenter_client.patch(f"{COMMENTS}/{comment['id']}", json={"body": "x"}), 409
    )


@pytest.mark.parametrize("deleter", ["moderator", "admin"])
async def test_moderators_delete_comments_others_may_not(make, deleter):
    owner, owner_client = await person(make)
    moderator, moderator_client = await person(make)
    _admin, admin_client = await person(make, role="admin")
    member, member_client = await person(make)
    space = await make.space(owner=owner, moderators=[moderator], members=[member])
    post = await publish(member_client, space_id=space.id)
    comment = await comment_on(owner_client, post["id"])

    # Not even the post's author deletes others' comments.
    expect_error(await member_client.delete(f"{COMMENTS}/{comment['id']}"), 403)
    client = moderator_client if deleter == "moderator" else admin_client
    assert (await client.delete(f"{COMMENTS}/{comment['id']}")).status_code == 204
    assert (await member_client.get(comments_of(post["id"]))).json()["items"][0]["deleted"]
