"""Posts through the API: publishing (levels, audiences, Markdown, mentions and
hashtags), editing with versions, deleting to a tombstone, pinning, sharing,
and the rule that a post one may not read answers 404 on every path."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.models import Hashtag, Mention, Notification, Post, PostHashtag
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


def tags_in(html: str) -> list[tuple[str, tuple]]:
    """Every element of ``html`` with its attributes, as a browser would parse them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, tuple(attrs)))

    Collector().feed(html)
    return found


# --- publishing: POST /posts -----------------------------------------------------


async def test_publishing_requires_sign_in(client):
    expect_error(await client.post(POSTS, json={"body": "Bonjour"}), 401, "not_authenticated")


async def test_company_stream_post_defaults_to_internal(make):
    author, client = await person(make)

    post = await publish(client, "Bonjour à tous")

    assert post["level"] == "internal"
    assert post["space"] is None
    assert post["author"]["id"] == author.id
    assert post["kind"] == "ordinary"
    assert post["audience"] is None
    assert post["unreachable_mentions"] == []
    assert post["body_html"] == "<p>Bonjour à tous</p>\n"
    assert (await read_post(client, post["id"]))["body"] == "Bonjour à tous"


async def test_external_posting_in_the_company_stream_gets_public(make):
    _contractor, client = await person(make, kind="contractor")

    assert (await publish(client))["level"] == "public"


async def test_space_post_defaults_to_the_space_level(make):
    author, client = await person(make, clearance="confidential")
    space = await make.space(owner=author, visibility="private", default_level="confidential")

    post = await publish(client, space_id=space.id)

    assert post["level"] == "confidential"
    assert post["space"] == {"id": space.id, "name": space.name, "slug": space.slug}


async def test_space_default_above_the_writer_is_lowered_to_their_clearance(make):
    author, client = await person(make)
    space = await make.space(owner=author, default_level="secret")

    assert (await publish(client, space_id=space.id))["level"] == "internal"


async def test_writing_above_ones_clearance_is_refused(make, session):
    _author, client = await person(make)

    response = await client.post(POSTS, json={"body": "Fuite", "level": "confidential"})

    expect_error(response, 403, "write_up")
    assert await session.scalar(select(Post.id).where(Post.body == "Fuite")) is None


async def test_an_archived_space_takes_no_post(make):
    author, client = await person(make)
    space = await make.space(owner=author, is_archived=True)

    expect_error(
        await client.post(POSTS, json={"body": "x", "space_id": space.id}), 409, "space_archived"
    )


async def test_non_members_cannot_post_in_private_or_secret_spaces(make):
    _outsider, client = await person(make)
    private = await make.space(visibility="private")
    secret = await make.space(visibility="secret")

    # A private space is listed to employees: they are told to join it.
    expect_error(
        await client.post(POSTS, json={"body": "x", "space_id": private.id}), 403, "not_member"
    )
    # A secret space does not exist for them.
    expect_error(
        await client.post(POSTS, json={"body": "x", "space_id": secret.id}), 404, "not_found"
    )


async def test_employees_post_in_open_spaces_externals_do_not_see_them(make):
    _employee, employee_client = await person(make)
    _contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(visibility="open")

    assert (await publish(employee_client, space_id=space.id))["space"]["id"] == space.id
    expect_error(await contractor_client.post(POSTS, json={"body": "x", "space_id": space.id}), 404)


@pytest.mark.parametrize(
    "payload",
    [
        {"body": ""},
        {"body": "x" * 20001},
        {},
        {"body": "x", "level": "top-secret"},
        {"body": "x", "kind": "essay"},
        {"body": "x", "space_id": 0},
        {"body": "x", "audience": [0]},
        {"body": "x", "author_id": 1},
        {"body": "x", "kind": "poll"},
        {"body": "x", "poll": {"options": ["a", "b"]}},
    ],
)
async def test_bad_posts_are_refused_with_422(make, session, payload):
    _author, client = await person(make)

    expect_error(await client.post(POSTS, json=payload), 422)
    assert await session.scalar(select(Post.id)) is None


async def test_an_audience_naming_an_unknown_person_is_refused(make):
    _author, client = await person(make)

    response = await client.post(POSTS, json={"body": "x", "audience": [2**40]})

    expect_error(response, 422, "unknown_audience")


async def test_an_audience_narrows_who_reads(make):
    author, client = await person(make)
    chosen, chosen_client = await person(make)
    _other, other_client = await person(make)

    post = await publish(client, "Entre nous", audience=[chosen.id])

    assert post["audience"] == [chosen.id]
    assert (await read_post(chosen_client, post["id"]))["body"] == "Entre nous"
    assert (await read_post(client, post["id"]))["audience"] == [chosen.id]
    expect_error(await other_client.get(f"{POSTS}/{post['id']}"), 404, "not_found")
    assert author.id not in post["audience"]


async def test_an_empty_audience_leaves_the_post_to_its_author(make):
    _author, client = await person(make)
    _other, other_client = await person(make)

    post = await publish(client, "Note à moi-même", audience=[])

    assert post["audience"] == []
    assert (await read_post(client, post["id"]))["id"] == post["id"]
    expect_error(await other_client.get(f"{POSTS}/{post['id']}"), 404)


# --- Markdown, mentions, hashtags ------------------------------------------------


async def test_the_body_is_rendered_to_sanitised_html(make):
    _author, client = await person(make)
    body = (
        "<script>alert(1)</script> <style>body{}</style> "
        '<a href="https://x.test" onclick="steal()">raw</a> '
        "[bad](javascript:alert(1)) [good](https://example.com) **gras**"
    )

    html = (await publish(client, body))["body_html"]

    elements = tags_in(html)
    assert {tag for tag, _attrs in elements} == {"p", "a", "strong"}
    good_link = ("a", (("href", "https://example.com"), ("rel", "nofollow noopener")))
    assert elements.count(good_link) == 1
    assert all(not name.startswith("on") for _tag, attrs in elements for name, _value in attrs)
    assert "&lt;script&gt;" in html  # what the user typed stays visible, as text


async def test_mentions_and_hashtags_become_links_and_are_stored(make, session):
    _author, client = await person(make)
    colleague = await make.user()

    post = await publish(client, f"Bravo @{colleague.handle} pour #Équipe et #release-2")

    html = post["body_html"]
    assert (
        f'<a href="/people/{colleague.handle}" class="mention" rel="nofollow noopener">'
        f"@{colleague.handle}</a>"
    ) in html
    assert (
        '<a href="/hashtags/%C3%A9quipe" class="hashtag" rel="nofollow noopener">#Équipe</a>'
    ) in html
    assert 'href="/hashtags/release-2"' in html
    mentioned = await session.scalars(select(Mention.user_id).where(Mention.post_id == post["id"]))
    assert list(mentioned) == [colleague.id]
    tags = await session.scalars(
        select(Hashtag.name)
        .join(PostHashtag, PostHashtag.hashtag_id == Hashtag.id)
        .where(PostHashtag.post_id == post["id"])
    )
    assert sorted(tags) == ["release-2", "équipe"]


async def test_mentioned_readers_are_notified(make, session):
    author, client = await person(make)
    colleague = await make.user()

    post = await publish(client, f"Merci @{colleague.handle} !")

    (notification,) = await notified(session, colleague, "mention")
    assert notification.post_id == post["id"]
    assert notification.actor_id == author.id
    assert post["unreachable_mentions"] == []
    assert await notified(session, author) == []


async def test_mentions_of_people_who_cannot_read_notify_nobody_and_warn_the_author(make, session):
    author, client = await person(make, clearance="confidential")
    member = await make.user(clearance="confidential")
    outsider = await make.user(clearance="secret")
    low_member = await make.user()
    inactive_member = await make.user(clearance="confidential", is_active=False)
    space = await make.space(
        owner=author, visibility="private", members=[member, low_member, inactive_member]
    )

    post = await publish(
        client,
        f"@{member.handle} @{outsider.handle} @{low_member.handle} "
        f"@{inactive_member.handle} @nobody-here",
        space_id=space.id,
        level="confidential",
    )

    assert post["unreachable_mentions"] == sorted(
        [outsider.handle, low_member.handle, inactive_member.handle]
    )
    assert await notified_user_ids(session, post_id=post["id"], kind="mention") == {member.id}


async def test_a_mention_outside_the_audience_notifies_nobody(make, session):
    _author, client = await person(make)
    inside, outside = await make.user(), await make.user()

    post = await publish(client, f"@{inside.handle} @{outside.handle}", audience=[inside.id])

    assert post["unreachable_mentions"] == [outside.handle]
    assert await notified_user_ids(session, post_id=post["id"], kind="mention") == {inside.id}


# --- editing: PATCH /posts/{id}, GET /posts/{id}/versions ------------------------


async def test_editing_keeps_the_previous_versions(make):
    _author, client = await person(make)
    _reader, reader_client = await person(make)
    post = await publish(client, "Première version")

    first = await client.patch(f"{POSTS}/{post['id']}", json={"body": "Deuxième version"})
    second = await client.patch(f"{POSTS}/{post['id']}", json={"body": "Troisième version"})

    assert first.status_code == 200, first.text
    assert second.json()["body"] == "Troisième version"
    assert second.json()["body_html"] == "<p>Troisième version</p>\n"
    assert second.json()["edited_at"] is not None
    versions = await reader_client.get(f"{POSTS}/{post['id']}/versions")
    assert versions.status_code == 200
    assert [v["body"] for v in versions.json()] == ["Première version", "Deuxième version"]


async def test_an_unchanged_body_adds_no_version(make):
    _author, client = await person(make)
    post = await publish(client, "Pareil")

    response = await client.patch(f"{POSTS}/{post['id']}", json={"body": "Pareil"})

    assert response.json()["edited_at"] is None
    assert (await client.get(f"{POSTS}/{post['id']}/versions")).json() == []


async def test_versions_are_hidden_from_those_who_cannot_read_the_post(make):
    _author, client = await person(make, clearance="confidential")
    _low, low_client = await person(make)
    post = await publish(client, "Secret v1", level="confidential")
    await client.patch(f"{POSTS}/{post['id']}", json={"body": "Secret v2"})

    expect_error(await low_client.get(f"{POSTS}/{post['id']}/versions"), 404)
    assert len((await client.get(f"{POSTS}/{post['id']}/versions")).json()) == 1


async def test_only_the_author_edits(make):
    moderator, moderator_client = await person(make, role="admin")
    author, client = await person(make)
    space = await make.space(owner=moderator, members=[author])
    post = await publish(client, "À moi", space_id=space.id)

    expect_error(await moderator_client.patch(f"{POSTS}/{post['id']}", json={"body": "x"}), 403)
    assert (await read_post(client, post["id"]))["body"] == "À moi"


async def test_editing_refuses_bad_input_and_write_up(make):
    _author, client = await person(make)
    post = await publish(client)

    expect_error(await client.patch(f"{POSTS}/{post['id']}", json={"body": ""}), 422)
    expect_error(await client.patch(f"{POSTS}/{post['id']}", json={"kind": "poll"}), 422)
    expect_error(
        await client.patch(f"{POSTS}/{post['id']}", json={"level": "secret"}), 403, "write_up"
    )


async def test_editing_requires_sign_in(make, client):
    _author, author_client = await person(make)
    post = await publish(author_client)

    expect_error(await client.patch(f"{POSTS}/{post['id']}", json={"body": "x"}), 401)
    expect_error(await client.get(f"{POSTS}/{post['id']}/versions"), 401)
    expect_error(await client.get(f"{POSTS}/{post['id']}"), 401)


async def test_an_edit_mentioning_someone_new_tells_only_them(make, session):
    _author, client = await person(make)
    first, second = await make.user(), await make.user()
    outsider = await make.user()
    post = await publish(client, f"@{first.handle}", audience=[first.id, second.id])

    edited = await client.patch(
        f"{POSTS}/{post['id']}",
        json={"body": f"@{first.handle} @{second.handle} @{outsider.handle}"},
    )

    assert edited.json()["unreachable_mentions"] == [outsider.handle]
    assert len(await notified(session, first, "mention")) == 1
    assert len(await notified(session, second, "mention")) == 1
    assert await notified(session, outsider) == []


async def test_raising_the_level_hides_the_post_from_those_below(make):
    _author, client = await person(make, clearance="confidential")
    _reader, reader_client = await person(make)
    post = await publish(client, "Bientôt confidentiel")

    response = await client.patch(f"{POSTS}/{post['id']}", json={"level": "confidential"})

    assert response.json()["level"] == "confidential"
    expect_error(await reader_client.get(f"{POSTS}/{post['id']}"), 404)


async def test_an_archived_space_refuses_edits(make, session):
    author, client = await person(make)
    space = await make.space(owner=author)
    post = await publish(client, space_id=space.id)
    space.is_archived = True
    await session.commit()

    expect_error(
        await client.patch(f"{POSTS}/{post['id']}", json={"body": "x"}), 409, "space_archived"
    )


# --- deleting: DELETE /posts/{id} -----------------------------------------------


async def test_the_author_deletes_leaving_a_tombstone_with_its_comments(make):
    _author, client = await person(make)
    _reader, reader_client = await person(make)
    post = await publish(client, "Bientôt parti #adieu")
    comment = await comment_on(reader_client, post["id"], "Je reste")
    await client.patch(f"{POSTS}/{post['id']}", json={"body": "Parti #adieu"})

    response = await client.delete(f"{POSTS}/{post['id']}")

    assert response.status_code == 204
    tombstone = await read_post(reader_client, post["id"])
    assert tombstone["deleted"] is True
    assert tombstone["body"] == tombstone["body_html"] == ""
    comments = await reader_client.get(f"{POSTS}/{post['id']}/comments")
    assert item_ids(comments) == [comment["id"]]
    assert comments.json()["items"][0]["body"] == "Je reste"
    assert (await reader_client.get(f"{POSTS}/{post['id']}/versions")).json() == []
    assert (await reader_client.get("/api/v1/hashtags/adieu/posts")).json()["items"] == []
    # Deleting twice is harmless; a tombstone is no longer edited.
    assert (await client.delete(f"{POSTS}/{post['id']}")).status_code == 204
    expect_error(await client.patch(f"{POSTS}/{post['id']}", json={"body": "x"}), 409)


@pytest.mark.parametrize("deleter", ["owner", "moderator", "admin"])
async def test_space_moderators_and_admins_delete_others_posts(make, deleter):
    owner, owner_client = await person(make)
    moderator, moderator_client = await person(make)
    _admin, admin_client = await person(make, role="admin")
    author, author_client = await person(make)
    space = await make.space(owner=owner, moderators=[moderator], members=[author])
    post = await publish(author_client, space_id=space.id)
    client = {"owner": owner_client, "moderator": moderator_client, "admin": admin_client}[deleter]

    assert (await client.delete(f"{POSTS}/{post['id']}")).status_code == 204
    assert (await read_post(author_client, post["id"]))["deleted"] is True


async def test_others_may_not_delete(make):
    author, client = await person(make)
    member, member_client = await person(make)
    space_owner, space_owner_client = await person(make)
    space = await make.space(owner=space_owner, members=[author, member])
    in_space = await publish(client, space_id=space.id)
    in_stream = await publish(client)

    expect_error(await member_client.delete(f"{POSTS}/{in_space['id']}"), 403)
    expect_error(await member_client.delete(f"{POSTS}/{in_stream['id']}"), 403)
    # Owning a space does not make one a moderator of the company stream.
    expect_error(await space_owner_client.delete(f"{POSTS}/{in_stream['id']}"), 403)
    assert (await read_post(client, in_space["id"]))["deleted"] is False
    assert (await read_post(client, in_stream["id"]))["deleted"] is False


async def test_deleting_requires_sign_in(make, client):
    _author, author_client = await person(make)
    post = await publish(author_client)

    expect_error(await client.delete(f"{POSTS}/{post['id']}"), 401)


# --- pinning: PUT /posts/{id}/pin, GET /spaces/{id}/posts ------------------------


async def test_moderators_pin_and_the_space_lists_pinned_first(make):
    owner, owner_client = await person(make)
    member, member_client = await person(make)
    space = await make.space(owner=owner, members=[member])
    older = await publish(member_client, "Ancien", space_id=space.id)
    newer = await publish(member_client, "Récent", space_id=space.id)

    response = await owner_client.put(f"{POSTS}/{older['id']}/pin", json={"pinned": True})

    assert response.status_code == 200 and response.json()["pinned"] is True
    listed = await member_client.get(f"/api/v1/spaces/{space.id}/posts")
    assert item_ids(listed) == [older["id"], newer["id"]]
    assert [item["pinned"] for item in listed.json()["items"]] == [True, False]

    unpinned = await owner_client.put(f"{POSTS}/{older['id']}/pin", json={"pinned": False})
    assert unpinned.json()["pinned"] is False
    listed = await member_client.get(f"/api/v1/spaces/{space.id}/posts")
    assert item_ids(listed) == [newer["id"], older["id"]]


async def test_pinned_posts_do_not_break_the_space_pages(make):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    posts = [(await publish(client, f"n°{n}", space_id=space.id))["id"] for n in range(5)]
    await client.put(f"{POSTS}/{posts[3]}/pin", json={"pinned": True})

    seen, cursor = [], None
    for _page in range(5):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"/api/v1/spaces/{space.id}/posts", params=params)
        seen += item_ids(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert seen == [posts[3], posts[4], posts[2], posts[1], posts[0]]


async def test_pinning_is_for_moderators(make):
    owner, owner_client = await person(make)
    member, member_client = await person(make)
    space = await make.space(owner=owner, members=[member])
    post = await publish(member_client, space_id=space.id)
    in_stream = await publish(owner_client)
    _admin, admin_client = await person(make, role="admin")

    expect_error(await member_client.put(f"{POSTS}/{post['id']}/pin", json={"pinned": True}), 403)
    # The company stream's moderators are the administrators.
    expect_error(
        await owner_client.put(f"{POSTS}/{in_stream['id']}/pin", json={"pinned": True}), 403
    )
    response = await admin_client.put(f"{POSTS}/{in_stream['id']}/pin", json={"pinned": True})
    assert response.json()["pinned"] is True
    expect_error(await owner_client.put(f"{POSTS}/{post['id']}/pin", json={}), 422)


async def test_reading_a_private_space_stream_needs_membership(make, client):
    owner, owner_client = await person(make)
    _outsider, outsider_client = await person(make)
    private = await make.space(owner=owner, visibility="private")
    secret = await make.space(owner=owner, visibility="secret")
    await publish(owner_client, space_id=private.id)

    expect_error(await outsider_client.get(f"/api/v1/spaces/{private.id}/posts"), 403)
    expect_error(await outsider_client.get(f"/api/v1/spaces/{secret.id}/posts"), 404)
    expect_error(await client.get(f"/api/v1/spaces/{private.id}/posts"), 401)
    assert len(item_ids(await owner_client.get(f"/api/v1/spaces/{private.id}/posts"))) == 1


# --- sharing: POST /posts with shared_from_id ------------------------------------


async def test_sharing_a_company_post_into_a_space(make):
    _author, author_client = await person(make)
    sharer, sharer_client = await person(make)
    space = await make.space(owner=sharer, visibility="private")
    original = await publish(author_client, "À lire")

    share = await publish(
        sharer_client, "Pour l'équipe", space_id=space.id, shared_from_id=original["id"]
    )

    assert share["shared"]["id"] == original["id"]
    assert share["shared"]["body"] == "À lire"
    assert (await read_post(sharer_client, share["id"]))["shared"]["id"] == original["id"]


async def test_a_share_without_a_level_keeps_its_originals(make):
    """The destination's default may be lower than the original's level: a share
    given no level takes the original's, rather than being refused."""
    _author, author_client = await person(make, clearance="confidential")
    sharer, sharer_client = await person(make, clearance="confidential")
    space = await make.space(owner=sharer, visibility="private", default_level="public")
    original = await publish(author_client, "Chiffres du trimestre", level="confidential")

    share = await publish(sharer_client, "À voir", space_id=space.id, shared_from_id=original["id"])

    assert share["level"] == "confidential"


async def test_sharing_a_private_space_post_into_the_company_stream_is_refused(make, session):
    member, client = await person(make)
    await make.user()  # a reader of the company stream outside the space
    space = await make.space(owner=member, visibility="private")
    original = await publish(client, "Interne à l'espace", space_id=space.id)

    response = await client.post(POSTS, json={"body": "x", "shared_from_id": original["id"]})

    expect_error(response, 422, "share_widens_readers")
    assert await session.scalar(select(Post.id).where(Post.shared_from_id.is_not(None))) is None


async def test_sharing_into_an_open_space_widens_readers(make):
    member, client = await person(make)
    await make.user()
    private = await make.space(owner=member, visibility="private")
    open_space = await make.space(owner=member, visibility="open")
    original = await publish(client, space_id=private.id)

    response = await client.post(
        POSTS, json={"body": "x", "space_id": open_space.id, "shared_from_id": original["id"]}
    )

    expect_error(response, 422, "share_widens_readers")


async def test_sharing_between_spaces_whose_readers_may_read_the_original(make):
    owner, client = await person(make)
    colleague = await make.user()
    await make.user()
    wide = await make.space(owner=owner, visibility="private", members=[colleague])
    narrow = await make.space(owner=owner, visibility="secret", members=[colleague])
    original = await publish(client, space_id=wide.id)

    share = await publish(client, space_id=narrow.id, shared_from_id=original["id"])

    assert share["shared"]["id"] == original["id"]


async def test_sharing_below_the_originals_level_is_refused(make):
    _author, client = await person(make, clearance="confidential")
    original = await publish(client, level="confidential")

    response = await client.post(
        POSTS, json={"body": "x", "level": "internal", "shared_from_id": original["id"]}
    )
    expect_error(response, 422, "write_down")
    share = await publish(client, level="confidential", shared_from_id=original["id"])
    assert share["shared"]["id"] == original["id"]
    # Lowering the share afterwards is refused too.
    response = await client.patch(f"{POSTS}/{share['id']}", json={"level": "internal"})
    expect_error(response, 422, "write_down")


async def test_a_deleted_post_is_not_shared(make):
    _author, client = await person(make)
    original = await publish(client)
    await client.delete(f"{POSTS}/{original['id']}")

    response = await client.post(POSTS, json={"body": "x", "shared_from_id": original["id"]})

    expect_error(response, 409, "deleted")


async def test_a_share_cannot_be_widened_by_an_edit(make):
    member, client = await person(make)
    await make.user()
    space = await make.space(owner=member, visibility="private")
    original = await publish(client, space_id=space.id)
    # Into the company stream, but for its author alone: nobody new reads it.
    share = await publish(client, shared_from_id=original["id"], audience=[])

    expect_error(
        await client.patch(f"{POSTS}/{share['id']}", json={"audience": None}),
        422,
        "share_widens_readers",
    )


async def test_a_share_hides_the_original_from_those_who_cannot_read_it(make):
    _author, client = await person(make, clearance="confidential")
    _reader, reader_client = await person(make)
    original = await publish(client, "Bientôt confidentiel")
    share = await publish(client, "Voir ci-dessous", shared_from_id=original["id"])
    assert (await read_post(reader_client, share["id"]))["shared"]["id"] == original["id"]

    await client.patch(f"{POSTS}/{original['id']}", json={"level": "confidential"})

    # The share stays; the original, now above the reader, vanishes from it.
    assert (await read_post(reader_client, share["id"]))["shared"] is None
    assert (await read_post(client, share["id"]))["shared"]["id"] == original["id"]


# --- the 404 rule: a post one may not read does not exist ------------------------


async def _hidden_world(make, how: str):
    """Posts of every kind, each hidden one way from an admin viewer (who could
    moderate anything they read), and a plain employee who may read them."""
    viewer, viewer_client = await person(make, role="admin")
    author, author_client = await person(make, clearance="confidential")
    reader, reader_client = await person(make, clearance="confidential")
    fields = {
        "secret_space": {"level": "internal"},
        "above_clearance": {"level": "confidential"},
        "audience": {"level": "internal", "audience": [reader.id]},
    }[how]
    space = await make.space(
        owner=author,
        visibility="secret" if how == "secret_space" else "open",
        members=[reader],
    )
    fields["space_id"] = space.id
    posts = {
        "ordinary": await publish(author_client, "x", **fields),
        "poll": await publish(
            author_client, "x", kind="poll", poll={"options": ["a", "b"]}, **fields
        ),
        "announcement": await publish(author_client, "x", kind="announcement", **fields),
        "question": await publish(author_client, "x", kind="question", **fields),
    }
    comment = await comment_on(author_client, posts["question"]["id"])
    return viewer, viewer_client, author_client, reader_client, posts, comment


def every_path(posts: dict, comment: dict) -> list[tuple[str, str, dict | None]]:
    """Each request that names a post or one of its comments, with a valid body."""
    post_id = posts["ordinary"]["id"]
    option_id = posts["poll"]["poll"]["options"][0]["id"]
    question_id, comment_id = posts["question"]["id"], comment["id"]
    return [
        ("GET", f"{POSTS}/{post_id}", None),
        ("PATCH", f"{POSTS}/{post_id}", {"body": "x"}),
        ("DELETE", f"{POSTS}/{post_id}", None),
        ("GET", f"{POSTS}/{post_id}/versions", None),
        ("GET", f"{POSTS}/{post_id}/comments", None),
        ("POST", f"{POSTS}/{post_id}/comments", {"body": "x"}),
        ("GET", f"{POSTS}/{post_id}/reactions", None),
        ("PUT", f"{POSTS}/{post_id}/reactions/like", None),
        ("DELETE", f"{POSTS}/{post_id}/reactions/like", None),
        ("PUT", f"{POSTS}/{post_id}/pin", {"pinned": True}),
        ("POST", f"{POSTS}/{posts['poll']['id']}/votes", {"option_ids": [option_id]}),
        ("POST", f"{POSTS}/{posts['announcement']['id']}/confirm", None),
        ("GET", f"{POSTS}/{posts['announcement']['id']}/confirmations", None),
        ("PUT", f"{POSTS}/{question_id}/answer", {"comment_id": comment_id}),
        ("POST", POSTS, {"body": "x", "shared_from_id": post_id}),
        ("PATCH", f"/api/v1/comments/{comment_id}", {"body": "x"}),
        ("DELETE", f"/api/v1/comments/{comment_id}", None),
        ("GET", f"/api/v1/comments/{comment_id}/versions", None),
        ("GET", f"/api/v1/comments/{comment_id}/reactions", None),
        ("PUT", f"/api/v1/comments/{comment_id}/reactions/like", None),
        ("DELETE", f"/api/v1/comments/{comment_id}/reactions/like", None),
    ]


@pytest.mark.parametrize("how", ["secret_space", "above_clearance", "audience"])
async def test_an_unreadable_post_answers_404_on_every_path(make, session, how):
    viewer, client, author_client, reader_client, posts, comment = await _hidden_world(make, how)

    for method, url, payload in every_path(posts, comment):
        response = await client.request(method, url, json=payload)
        assert response.status_code == 404, (method, url, response.text)
        expect_error(response, 404, "not_found")

    # Nothing was written, and the author still reads everything as it was.
    told = await session.scalars(select(Notification).where(Notification.actor_id == viewer.id))
    assert list(told) == []
    for post in posts.values():
        kept = await read_post(author_client, post["id"])
        assert (kept["deleted"], kept["pinned"], kept["reactions"]) == (False, False, {})
    assert (await read_post(author_client, posts["question"]["id"]))["accepted_comment_id"] is None
    # The same requests from a reader meet the other rules (200, 403, 422...), never 404.
    for method, url, payload in every_path(posts, comment):
        response = await reader_client.request(method, url, json=payload)
        assert response.status_code != 404, (method, url, response.text)


async def test_every_path_requires_sign_in(make, client):
    *_people, posts, comment = await _hidden_world(make, "audience")

    for method, url, payload in every_path(posts, comment):
        response = await client.request(method, url, json=payload)
        assert response.status_code == 401, (method, url, response.text)
        expect_error(response, 401, "not_authenticated")
