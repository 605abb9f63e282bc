"""The home feed and the other streams through the API: what the home holds and
never holds, newest first, filters, keyset pages that stay stable while posts
arrive, a constant number of SQL queries per page, and trending hashtags counted
only over what the viewer may read."""

from datetime import timedelta

import pytest
from sqlalchemy import event, insert, update

from app.models import Follow, PostHashtag
from app.models.base import utcnow
from tests.helpers import expect_error
from tests.stream_helpers import (
    FEED,
    POSTS,
    comment_on,
    item_ids,
    person,
    publish,
)

TRENDING = "/api/v1/hashtags/trending"


async def test_the_streams_require_sign_in(client):
    expect_error(await client.get(FEED), 401)
    expect_error(await client.get(TRENDING), 401)
    expect_error(await client.get("/api/v1/hashtags/café/posts"), 401)
    expect_error(await client.get("/api/v1/spaces/1/posts"), 401)


# --- what the home feed holds ----------------------------------------------------


async def test_the_home_feed_holds_what_the_viewer_joined_and_follows(make):
    viewer, client = await person(make)
    _writer, writer_client = await person(make, clearance="confidential")
    followed, followed_client = await person(make, clearance="confidential")
    stranger = await make.user()
    joined = await make.space(members=[viewer])
    followed_space = await make.space()
    unfollowed_space = await make.space()
    private = await make.space(visibility="private", members=[followed])
    secret = await make.space(visibility="secret", members=[followed])
    for target in (f"users/{followed.id}", f"spaces/{followed_space.id}", "hashtags/Café"):
        assert (await client.put(f"/api/v1/follows/{target}")).status_code == 204

    expected = [
        await publish(writer_client, "Flux de l'entreprise"),
        await publish(writer_client, "Espace rejoint", space_id=joined.id),
        await publish(writer_client, "Espace suivi", space_id=followed_space.id),
        await publish(followed_client, "Personne suivie", space_id=unfollowed_space.id),
        await publish(writer_client, "Sujet suivi #café", space_id=unfollowed_space.id),
    ]
    hidden = [
        await publish(writer_client, "Espace ni rejoint ni suivi", space_id=unfollowed_space.id),
        await publish(followed_client, "Espace privé", space_id=private.id),
        await publish(followed_client, "Secret #café", space_id=secret.id),
        await publish(followed_client, "Confidentiel", level="confidential"),
        await publish(writer_client, "Pour d'autres", audience=[stranger.id]),
        await publish(writer_client, "Effacé"),
    ]
    await writer_client.delete(f"{POSTS}/{hidden[-1]['id']}")

    listed = item_ids(await client.get(FEED, params={"limit": 100}))

    assert listed == [post["id"] for post in reversed(expected)]


async def test_hundreds_of_followed_spaces_still_make_one_feed(make, session):
    viewer, client = await person(make)
    _writer, writer_client = await person(make)
    joined = await make.space(members=[viewer])
    # Follows of spaces that sort before the joined one (no such spaces exist: the
    # table has no foreign key, and the feed must not care).
    await session.execute(
        insert(Follow),
        [{"user_id": viewer.id, "kind": "space", "target_id": -n} for n in range(1, 600)],
    )
    await session.commit()
    in_stream = await publish(writer_client, "Flux")
    in_space = await publish(writer_client, "Espace", space_id=joined.id)

    assert item_ids(await client.get(FEED)) == [in_space["id"], in_stream["id"]]


async def test_the_feed_never_shows_what_an_external_may_not_read(make):
    _contractor, client = await person(make, kind="contractor")
    _writer, writer_client = await person(make)
    open_space = await make.space()
    public = await publish(writer_client, level="public")
    await publish(writer_client, "Interne")
    await publish(writer_client, "Espace ouvert", space_id=open_space.id, level="public")

    assert item_ids(await client.get(FEED)) == [public["id"]]


async def test_each_item_carries_what_it_is_shown_with(make):
    owner, owner_client = await person(make)
    viewer, client = await person(make)
    space = await make.space(owner=owner, members=[viewer])
    post = await publish(owner_client, "Avec tout", space_id=space.id)
    comments = [await comment_on(client, post["id"], f"n°{n}") for n in range(3)]
    await comment_on(owner_client, post["id"], "réponse", parent_id=comments[0]["id"])
    await client.put(f"{POSTS}/{post['id']}/reactions/like")
    await owner_client.put(f"{POSTS}/{post['id']}/reactions/like")
    await owner_client.put(f"{POSTS}/{post['id']}/reactions/celebrate")

    (item,) = (await client.get(FEED)).json()["items"]

    assert item["author"] == {
        "id": owner.id,
        "handle": owner.handle,
        "display_name": owner.display_name,
        "kind": "employee",
        "avatar_url": None,
    }
    assert item["space"] == {"id": space.id, "name": space.name, "slug": space.slug}
    assert item["comment_count"] == 4
    assert item["reactions"] == {"like": 2, "celebrate": 1}
    assert item["my_reactions"] == ["like"]
    assert [c["id"] for c in item["first_comments"]] == [c["id"] for c in comments[:2]]
    assert item["first_comments"][0]["author"]["id"] == viewer.id
    assert item["level"] == "internal" and item["audience"] is None


# --- order, filters and pages ----------------------------------------------------


async def test_newest_first_and_filters(make):
    owner, owner_client = await person(make)
    viewer, client = await person(make)
    space = await make.space(owner=owner, members=[viewer])
    question = await publish(owner_client, "Qui sait ? #Équipe", kind="question", space_id=space.id)
    mine = await publish(client, "Le mien #équipe")
    poll = await publish(
        owner_client, "Vote", kind="poll", poll={"options": ["a", "b"]}, space_id=space.id
    )

    assert item_ids(await client.get(FEED)) == [poll["id"], mine["id"], question["id"]]
    assert item_ids(await client.get(FEED, params={"space_id": space.id})) == [
        poll["id"],
        question["id"],
    ]
    assert item_ids(await client.get(FEED, params={"author_id": viewer.id})) == [mine["id"]]
    for tag in ("équipe", "#ÉQUIPE"):
        by_tag = await client.get(FEED, params={"hashtag": tag})
        assert item_ids(by_tag) == [mine["id"], question["id"]]
    assert item_ids(await client.get(FEED, params={"kind": "poll"})) == [poll["id"]]
    assert item_ids(await client.get(FEED, params={"unanswered": True})) == [question["id"]]
    tagged = await client.get("/api/v1/hashtags/%C3%89quipe/posts")
    assert item_ids(tagged) == [mine["id"], question["id"]]
    assert item_ids(await client.get(FEED, params={"hashtag": "inconnu"})) == []
    assert item_ids(await owner_client.get(FEED, params={"author_id": owner.id})) == [
        poll["id"],
        question["id"],
    ]


async def test_filters_never_open_what_the_viewer_may_not_read(make):
    _viewer, client = await person(make)
    member, member_client = await person(make)
    secret = await make.space(owner=member, visibility="secret")
    await publish(member_client, "#caché", space_id=secret.id)

    assert item_ids(await client.get(FEED, params={"space_id": secret.id})) == []
    assert item_ids(await client.get(FEED, params={"author_id": member.id})) == []
    assert item_ids(await client.get(FEED, params={"hashtag": "caché"})) == []
    assert item_ids(await client.get("/api/v1/hashtags/caché/posts")) == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "x"},
        {"cursor": "not-a-cursor!"},
        {"cursor": "dHJ1ZQ"},  # true
        {"cursor": "LTE"},  # -1
        {"kind": "essay"},
        {"space_id": 0},
        {"author_id": -1},
        {"hashtag": "x" * 51},
        {"unanswered": "maybe"},
    ],
)
async def test_bad_feed_parameters_are_refused(make, params):
    _viewer, client = await person(make)

    expect_error(await client.get(FEED, params=params), 422)


async def test_pages_stay_stable_while_new_posts_arrive(make):
    _viewer, client = await person(make)
    _writer, writer_client = await person(make)
    before = [(await publish(writer_client, f"avant {n}"))["id"] for n in range(5)]

    first = await client.get(FEED, params={"limit": 2})
    arrived = [(await publish(writer_client, f"pendant {n}"))["id"] for n in range(3)]
    seen, cursor = item_ids(first), first.json()["next_cursor"]
    while cursor is not None:
        page = await client.get(FEED, params={"limit": 2, "cursor": cursor})
        seen += item_ids(page)
        cursor = page.json()["next_cursor"]

    assert seen == list(reversed(before))
    fresh = await client.get(FEED, params={"limit": 3})
    assert item_ids(fresh) == list(reversed(arrived))


# --- the cost of a page ----------------------------------------------------------


async def _busy_stream(make):
    """A viewer's home with every kind of post and everything around them; the
    two newest posts between them need every query a page can make."""
    owner, owner_client = await person(make)
    viewer, client = await person(make)
    others = [await make.user() for _ in range(2)]
    space = await make.space(owner=owner, members=[viewer, *others])
    for _block in range(6):
        question = await publish(owner_client, "Question #sujet", kind="question")
        reply = await comment_on(client, question["id"], "Réponse")
        await comment_on(owner_client, question["id"], "Merci", parent_id=reply["id"])
        await comment_on(owner_client, question["id"], "Autre")
        await publish(client, "Partage", shared_from_id=question["id"])
        poll = await publish(
            owner_client,
            "Sondage",
            kind="poll",
            poll={"options": ["a", "b", "c"]},
            space_id=space.id,
            audience=[viewer.id, others[0].id],
        )
        await client.post(
            f"{POSTS}/{poll['id']}/votes", json={"option_ids": [poll["poll"]["options"][0]["id"]]}
        )
        announcement = await publish(
            owner_client,
            "Annonce",
            kind="announcement",
            space_id=space.id,
            shared_from_id=question["id"],
        )
        await client.post(f"{POSTS}/{announcement['id']}/confirm")
        for post in (question, poll, announcement):
            await client.put(f"{POSTS}/{post['id']}/reactions/like")
            await owner_client.put(f"{POSTS}/{post['id']}/reactions/support")
            await comment_on(client, post["id"], "Vu")
    return client


async def test_a_feed_page_costs_the_same_queries_whatever_its_size(make, db):
    client = await _busy_stream(make)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    await client.get(FEED, params={"limit": 2})  # warms what a first request may do once
    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        small = await client.get(FEED, params={"limit": 2})
        small_count = len(statements)
        statements.clear()
        large = await client.get(FEED, params={"limit": 20})
        large_count = len(statements)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)

    assert len(small.json()["items"]) == 2 and len(large.json()["items"]) == 20
    items = large.json()["items"]
    assert {item["kind"] for item in items} == {"ordinary", "question", "poll", "announcement"}
    assert all(item["shared"] for item in items if item["kind"] in ("ordinary", "announcement"))
    commented = [item for item in items if item["kind"] != "ordinary"]
    assert all(item["comment_count"] and item["first_comments"] for item in commented)
    assert all(item["my_reactions"] == ["like"] for item in commented)
    assert all(item["reactions"] == {"like": 1, "support": 1} for item in commented)
    assert all(item["poll"]["options"][0]["votes"] == 1 for item in items if item["poll"])
    assert all(
        item["announcement"]["confirmed_by_me"] for item in items if item["kind"] == "announcement"
    )
    assert {item["kind"] for item in small.json()["items"]} == {"poll", "announcement"}
    assert small_count == large_count, (small_count, large_count)
    assert large_count <= 20


# --- trending hashtags -----------------------------------------------------------


async def test_trending_counts_only_what_the_viewer_may_read(make):
    viewer, client = await person(make)
    member, member_client = await person(make, clearance="confidential")
    secret = await make.space(owner=member, visibility="secret")
    for _time in range(3):
        await publish(member_client, "#coulisses", space_id=secret.id)
        await publish(member_client, "#stratégie", level="confidential")
    await publish(member_client, "#rentrée #Rentrée #cantine")
    await publish(member_client, "#rentrée")
    await publish(member_client, "#coulisses", audience=[viewer.id])

    trending = await client.get(TRENDING)
    in_secret = await member_client.get(TRENDING, params={"window": "7d"})

    assert trending.json() == [
        {"name": "rentrée", "count": 2},
        {"name": "cantine", "count": 1},
        {"name": "coulisses", "count": 1},
    ]
    assert in_secret.json()[:2] == [
        {"name": "coulisses", "count": 4},
        {"name": "stratégie", "count": 3},
    ]


async def test_trending_windows(make, session):
    _viewer, client = await person(make)
    _writer, writer_client = await person(make)
    old = await publish(writer_client, "#ancien")
    await publish(writer_client, "#récent")
    await session.execute(
        update(PostHashtag)
        .where(PostHashtag.post_id == old["id"])
        .values(created_at=utcnow() - timedelta(days=3))
    )
    await session.commit()

    day = await client.get(TRENDING, params={"window": "24h"})
    week = await client.get(TRENDING, params={"window": "7d"})

    assert [t["name"] for t in day.json()] == ["récent"]
    assert [t["name"] for t in week.json()] == ["ancien", "récent"]
    assert [t["name"] for t in (await client.get(TRENDING)).json()] == ["récent"]
    expect_error(await client.get(TRENDING, params={"window": "1y"}), 422)


async def test_a_deleted_post_stops_trending(make):
    _viewer, client = await person(make)
    post = await publish(client, "#éphémère")

    await client.delete(f"{POSTS}/{post['id']}")

    assert (await client.get(TRENDING)).json() == []
