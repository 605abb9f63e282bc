"""The home feed's statement is built once per shape and shared by every viewer of
that shape: it must still give each viewer their own feed. And what a post is
shown with, now counted in fewer statements, still counts the same things."""

from app.models import Comment, Follow, FollowKind, PostReaction, ReactionKind
from app.models.base import utcnow
from app.services import feed


async def home(session, viewer, before_id=None) -> list[int]:
    posts = await feed.stream(session, viewer=viewer, limit=20, before_id=before_id)
    return [post.id for post in posts]


async def test_two_viewers_of_one_shape_get_each_their_own_feed(make, session):
    """Same kind and number of sources, different clearance, spaces and audience."""
    cleared = await make.user(clearance="confidential")
    plain = await make.user(clearance="internal")
    writer = await make.user(clearance="confidential")
    theirs = await make.space(visibility="private", members=[cleared])
    mine = await make.space(visibility="private", members=[plain])
    everyone = await make.post(author=writer)
    confidential = await make.post(author=writer, level="confidential")
    in_theirs = await make.post(author=writer, space=theirs)
    in_mine = await make.post(author=writer, space=mine)
    for_plain = await make.post(author=writer, audience=[plain])

    assert await home(session, cleared) == [in_theirs.id, confidential.id, everyone.id]
    hits = feed._home_statement.cache_info().hits
    assert await home(session, plain) == [for_plain.id, in_mine.id, everyone.id]
    assert feed._home_statement.cache_info().hits == hits + 1
    assert await home(session, cleared, before_id=in_theirs.id) == [confidential.id, everyone.id]
    assert await home(session, plain, before_id=for_plain.id) == [in_mine.id, everyone.id]


async def test_padded_sources_hold_only_the_viewer_s_own(make, session):
    """Three followed people make a shape of four: the fourth, padding, matches nobody."""
    viewer = await make.user()
    followed = [await make.user() for _ in range(3)]
    stranger = await make.user()
    space = await make.space()
    session.add_all(
        Follow(user_id=viewer.id, kind=FollowKind.USER, target_id=person.id) for person in followed
    )
    await session.commit()
    expected = [(await make.post(author=person, space=space)).id for person in followed]
    await make.post(author=stranger, space=space)

    assert await home(session, viewer) == list(reversed(expected))


async def test_counts_and_first_comments_leave_tombstones_out(make, session):
    viewer = await make.user()
    other = await make.user()
    post = await make.post(author=other)
    only_a_reply = await make.post(author=other)

    async def comment(on, parent=None, deleted=False) -> Comment:
        made = Comment(
            post_id=on.id,
            parent_id=parent.id if parent else None,
            author_id=other.id,
            body="Merci",
            body_html="<p>Merci</p>",
            deleted_at=utcnow() if deleted else None,
        )
        session.add(made)
        await session.flush()
        return made

    tombstone = await comment(post, deleted=True)
    await comment(post, parent=tombstone)
    second = await comment(post)
    await comment(post, parent=second)
    third = await comment(post)
    await comment(post)
    await comment(only_a_reply, parent=await comment(only_a_reply, deleted=True))
    session.add_all(
        [
            PostReaction(post_id=post.id, user_id=viewer.id, kind=ReactionKind.LIKE),
            PostReaction(post_id=post.id, user_id=other.id, kind=ReactionKind.LIKE),
            PostReaction(post_id=post.id, user_id=other.id, kind=ReactionKind.CURIOUS),
        ]
    )
    await session.commit()

    shown, replied = await feed.show_posts(session, viewer=viewer, posts=[post, only_a_reply])

    assert shown.comment_count == 5
    assert [first.comment.id for first in shown.first_comments] == [second.id, third.id]
    assert shown.reactions == {"like": 2, "curious": 1}
    assert shown.my_reactions == {"like"}
    assert (replied.comment_count, replied.first_comments) == (1, [])
    assert (replied.reactions, replied.my_reactions) == ({}, set())
