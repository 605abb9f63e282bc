"""The demo company's plans (app/demo/): its history the same every time and
moving with now, and its bulk writer writing exactly what the services would.
What the seeded demo holds is tests/test_demo_seeded.py's."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.demo.bulk import write_in_bulk
from app.demo.history import plan_history
from app.demo.people import (
    DEMO_SPACES,
    seed_people,
    seed_spaces,
)
from app.demo.writing import write_through_services
from app.models import (
    Activity,
    AnnouncementRead,
    Comment,
    Hashtag,
    Mention,
    Notification,
    PollOption,
    PollVote,
    Post,
    PostHashtag,
    PostKind,
    PostReaction,
)


def test_the_history_is_the_same_every_time_and_moves_with_now():
    now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    first, again = plan_history(now), plan_history(now)
    assert first == again
    later = plan_history(now + timedelta(days=7))
    assert [post.body for post in later.posts] == [post.body for post in first.posts]
    assert later.posts[0].at == first.posts[0].at + timedelta(days=7)
    assert len({space.slug for space in DEMO_SPACES}) == len(DEMO_SPACES)


# --- the bulk writer against the services -----------------------------------------

# A small history, the first of a few seeds holding every kind of action.
SAMPLE_POSTS = 30


def holds_everything(plan) -> bool:
    return (
        # Ideas are proposed in their campaign (app/demo/ideas.py), not written in bulk.
        {post.kind for post in plan.posts} == set(PostKind) - {PostKind.IDEA}
        and any(post.shared_from is not None for post in plan.posts)
        and any(comment.parent is not None for comment in plan.comments)
        and all((plan.answers, plan.votes, plan.confirmations, plan.reactions))
        and any("@" in post.body for post in plan.posts)
        and any("@" in comment.body for comment in plan.comments)
    )


def sample_plan():
    now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    plans = (plan_history(now, seed, SAMPLE_POSTS) for seed in range(1, 200))
    return next(plan for plan in plans if holds_everything(plan))


async def written(session, post_ids: list[int], comment_ids: list[int], since: int) -> dict:
    """What a writer left, with ids turned into the plan's positions (PostgreSQL
    does not give back ids a rolled-back savepoint took) and times left out
    (the services write at their own time)."""
    post = {id_: index for index, id_ in enumerate(post_ids)}
    comment = {id_: index for index, id_ in enumerate(comment_ids)} | {None: None}
    options = {
        option.id: (post[option.post_id], option.position, option.label)
        for option in await session.scalars(
            select(PollOption).where(PollOption.post_id.in_(post_ids))
        )
    }
    tags = dict((await session.execute(select(Hashtag.id, Hashtag.name))).all())

    def payload(data: dict) -> dict:
        return {
            key: comment[value] if key in ("comment_id", "parent_id") else value
            for key, value in data.items()
        }

    rows = {}
    rows["posts"] = [
        (
            p.author_id,
            p.space_id,
            p.level,
            p.kind,
            p.body,
            p.body_html,
            p.has_audience,
            post.get(p.shared_from_id),
            comment[p.accepted_comment_id],
            p.poll_multiple,
            p.poll_closes_at,
            p.edited_at,
            p.deleted_at,
            p.pinned_at,
        )
        for p in sorted(
            await session.scalars(select(Post).where(Post.id.in_(post_ids))), key=lambda p: p.id
        )
    ]
    rows["comments"] = [
        (post[c.post_id], comment[c.parent_id], c.author_id, c.body, c.body_html, c.edited_at)
        for c in sorted(
            await session.scalars(select(Comment).where(Comment.id.in_(comment_ids))),
            key=lambda c: c.id,
        )
    ]
    rows["options"] = sorted(options.values())
    rows["mentions"] = sorted(
        (
            (post[m.post_id], comment[m.comment_id], m.user_id)
            for m in await session.scalars(select(Mention).where(Mention.post_id.in_(post_ids)))
        ),
        key=repr,  # a post's own mentions have no comment: None beside numbers
    )
    rows["hashtags"] = sorted(
        (post[h.post_id], tags[h.hashtag_id])
        for h in await session.scalars(select(PostHashtag).where(PostHashtag.post_id.in_(post_ids)))
    )
    rows["reactions"] = sorted(
        (post[r.post_id], r.user_id, r.kind)
        for r in await session.scalars(
            select(PostReaction).where(PostReaction.post_id.in_(post_ids))
        )
    )
    rows["votes"] = sorted(
        (post[v.post_id], options[v.option_id], v.user_id)
        for v in await session.scalars(select(PollVote).where(PollVote.post_id.in_(post_ids)))
    )
    rows["reads"] = sorted(
        (post[r.post_id], r.user_id)
        for r in await session.scalars(
            select(AnnouncementRead).where(AnnouncementRead.post_id.in_(post_ids))
        )
    )
    rows["notifications"] = list(
        (
            n.user_id,
            n.kind,
            n.actor_id,
            post[n.post_id],
            n.page_id,
            sorted(payload(n.data).items(), key=str),
            n.read_at,
        )
        for n in await session.scalars(
            select(Notification).where(Notification.post_id.in_(post_ids))
        )
    )
    rows["notifications"].sort(key=repr)
    rows["activity"] = [
        (
            a.kind,
            post.get(a.post_id),
            a.page_id,
            a.space_id,
            a.level,
            a.has_audience,
            a.audience,
            a.author_id,
            a.user_id,
            payload(a.payload),
        )
        for a in await session.scalars(
            select(Activity).where(Activity.id > since).order_by(Activity.id)
        )
    ]
    return rows


async def test_the_bulk_writer_writes_what_the_services_write(session):
    plan = sample_plan()
    people = await seed_people(session)
    spaces = await seed_spaces(session, people)
    since = await session.scalar(select(func.coalesce(func.max(Activity.id), 0)))

    async with session.begin_nested() as savepoint:
        by_services = await written(
            session, *await write_through_services(session, plan, people, spaces), since
        )
        await savepoint.rollback()
    session.expunge_all()
    people = await seed_people(session)
    spaces = await seed_spaces(session, people)
    post_ids, comment_ids = await write_in_bulk(session, plan, people, spaces)
    session.expunge_all()
    in_bulk = await written(session, post_ids, comment_ids, since)

    assert by_services["posts"] and by_services["activity"]
    for table in by_services:
        assert in_bulk[table] == by_services[table], table
    # And in bulk, each thing at its planned time.
    planned = [post.at for post in plan.posts]
    stored = {
        p.id: p.created_at for p in await session.scalars(select(Post).where(Post.id.in_(post_ids)))
    }
    assert [stored[id_] for id_ in post_ids] == planned
