"""The demo company as `ruche serve --demo` seeds it: a network that looks
alive, the same every time, seeded once, and within the policy like any other
content. Seeded once for the module (tests/test_demo.py holds the rest): every
test here only reads, but for the one that seeds again and finds nothing to add.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from app.access import can_read, load_reader
from app.db import Database
from app.demo import seed_demo
from app.demo.people import COLLEAGUES, DEMO_PEOPLE, PROFILES
from app.levels import AccountKind, Level
from app.models import (
    Activity,
    AnnouncementRead,
    CalendarAnswer,
    CalendarEvent,
    Comment,
    FilePurpose,
    Follow,
    Hashtag,
    IdeaCampaign,
    IdeaStatus,
    Invitation,
    Mention,
    Notification,
    PollVote,
    Post,
    PostHashtag,
    PostKind,
    PostReaction,
    ProfileTag,
    Space,
    StoredFile,
    TagKind,
    Task,
    User,
    WikiPage,
    WikiRevision,
)
from app.models.base import utcnow
from app.search.text import fold
from app.services.calendar.events import calendar
from app.services.content import item_ref
from app.services.feed import stream, trending_hashtags
from app.services.ideas.campaigns import idea_counts
from app.services.ideas.proposals import idea_steps, list_ideas
from app.services.notifications import list_notifications
from app.services.tasks.progress import space_progress
from app.services.tasks.reading import list_tasks

COUNTED = [
    User,
    Space,
    Post,
    Comment,
    PostReaction,
    PollVote,
    AnnouncementRead,
    Mention,
    Hashtag,
    PostHashtag,
    Follow,
    Notification,
    Activity,
    WikiPage,
    WikiRevision,
    ProfileTag,
    CalendarEvent,
    CalendarAnswer,
    StoredFile,
    Task,
]


@pytest.fixture(scope="module")
async def demo(engine, settings):
    """One demo for the module, in a transaction rolled back after it: seeding
    costs seconds, and each test only reads it."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        async with Database(settings, bind=connection).sessionmaker() as session:
            yield session, await seed_demo(session, settings)
        await transaction.rollback()


async def counts(session) -> dict[str, int]:
    return {
        model.__tablename__: await session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


async def test_the_demo_is_a_working_network(demo):
    session, printed = demo
    assert [user.email for user in printed] == [person.email for person in DEMO_PEOPLE]
    seeded = await counts(session)
    assert 300 <= seeded["posts"] <= 500
    assert seeded["comments"] >= seeded["posts"]
    assert seeded["post_reactions"] >= 2 * seeded["posts"]
    assert seeded["users"] >= 35
    assert seeded["wiki_revisions"] > seeded["wiki_pages"]

    posts = list(await session.scalars(select(Post)))
    kinds = Counter(post.kind for post in posts)
    assert kinds[PostKind.QUESTION] >= 10 and kinds[PostKind.POLL] >= 5
    assert kinds[PostKind.ANNOUNCEMENT] >= 3
    assert sum(post.shared_from_id is not None for post in posts) >= 5
    assert sum(post.accepted_comment_id is not None for post in posts) >= 5
    assert await session.scalar(select(func.count()).select_from(PollVote)) >= 30
    assert await session.scalar(select(func.count()).select_from(AnnouncementRead)) >= 20
    # Every space and the company stream, at every level, by many people of every kind.
    assert {post.space_id for post in posts} == {None} | {
        space.id for space in await session.scalars(select(Space))
    }
    assert {post.level for post in posts} == set(Level)
    authors = {post.author_id for post in posts}
    kinds_of_authors = Counter(
        user.kind for user in await session.scalars(select(User).where(User.id.in_(authors)))
    )
    assert kinds_of_authors[AccountKind.EMPLOYEE] >= 25
    assert (
        kinds_of_authors[AccountKind.CONTRACTOR] >= 2 and kinds_of_authors[AccountKind.ALUMNI] >= 2
    )

    # Over five weeks, mostly on weekdays and in working hours, never in the future.
    now = utcnow()
    times = [post.created_at for post in posts]
    assert min(times) < now - timedelta(days=28) and max(times) <= now
    assert sum(at.weekday() < 5 for at in times) / len(times) > 0.9
    assert len({at.date() for at in times}) >= 20
    assert all(
        comment.created_at > post.created_at
        for comment, post in (
            await session.execute(select(Comment, Post).join(Post, Post.id == Comment.post_id))
        ).all()
    )
    # Ids follow time, as they would have had people written them one by one.
    in_id_order = [post.created_at for post in sorted(posts, key=lambda post: post.id)]
    assert in_id_order == sorted(in_id_order)

    # A wiki in the company and the spaces, written and revised by many, linked.
    pages = list(await session.scalars(select(WikiPage)))
    assert len({page.space_id for page in pages}) >= 6 and any("[[" in p.body for p in pages)
    revisions = list(await session.scalars(select(WikiRevision)))
    assert len({revision.author_id for revision in revisions}) >= 8
    assert any(page.revision >= 3 for page in pages)

    # Trending means something this week; the demo people have been told things.
    claire = printed[1]
    assert len(await trending_hashtags(session, viewer=claire, window="7d")) >= 5
    julien = printed[2]
    told = await list_notifications(session, viewer=julien, limit=200, before_id=None)
    # Read up to two days ago, as people do; the newest wait.
    unread = [shown for shown in told if shown.read_at is None]
    assert 0 < len(unread) < len(told)
    assert all(shown.created_at > now - timedelta(days=3) for shown in unread)
    assert len(told) >= 10 and {shown.kind for shown in told} >= {
        "mention",
        "reply",
        "reaction",
    }


async def test_every_demo_person_has_a_profile_and_a_photo(demo):
    session, _printed = demo
    handles = [person.handle for person in DEMO_PEOPLE + COLLEAGUES]
    assert sorted(PROFILES) == sorted(handles)
    users = {
        user.handle: user
        for user in await session.scalars(select(User).where(User.handle.in_(handles)))
    }
    tags: dict[tuple[int, TagKind], list[str]] = {}
    for tag in await session.scalars(select(ProfileTag)):
        assert tag.key == fold(tag.name)
        tags.setdefault((tag.user_id, tag.kind), []).append(tag.name)
    photos = {}
    for handle, user in users.items():
        assert user.job_title and user.department and user.site and user.bio, handle
        assert user.phone.startswith("+33 1 99 00 "), handle  # the range kept for fiction
        assert 3 <= len(tags[(user.id, TagKind.SKILL)]) <= 6, handle
        assert tags[(user.id, TagKind.INTEREST)], handle
        assert "Français" in tags[(user.id, TagKind.LANGUAGE)], handle
        photo = await session.get(StoredFile, user.avatar_file_id)
        assert photo.purpose is FilePurpose.AVATAR and photo.detached_at is None, handle
        photos[handle] = photo.blob_sha256
    assert len(set(photos.values())) == len(users), "each person has their own picture"
    assert len(set(user.phone for user in users.values())) == len(users)

    # Externals: no manager; a contractor's company is their e-mail's, an alumnus
    # has their former unit and years.
    for user in users.values():
        if user.is_external:
            assert user.manager_id is None and user.organisation, user.handle
        if user.kind is AccountKind.CONTRACTOR:
            assert fold(user.organisation).split()[0] == user.email.split("@")[1].split(".")[0]
        if user.kind is AccountKind.ALUMNI:
            assert user.joined_year < user.left_year <= utcnow().year, user.handle

    # One tree: a single employee at the top, every other employee's chain of
    # managers reaches them without a loop, through employees only.
    by_id = {user.id: user for user in users.values()}
    employees = [user for user in users.values() if user.kind is AccountKind.EMPLOYEE]
    assert [user.handle for user in employees if user.manager_id is None] == ["claire.dubois"]
    for user in employees:
        seen = {user.id}
        while user.manager_id is not None:
            user = by_id[user.manager_id]
            assert user.kind is AccountKind.EMPLOYEE and user.id not in seen
            seen.add(user.id)
        assert user.handle == "claire.dubois"
    reports = Counter(user.manager_id for user in employees if user.manager_id)
    assert len(reports) >= 8, "department heads and team leads, not one flat list"

    # "Who knows about X" has several answers for what the demo talks about.
    skilled = Counter(
        fold(name)
        for (_user, kind), names in tags.items()
        if kind is TagKind.SKILL
        for name in names
    )
    for skill in ("kubernetes", "rgpd", "sap", "react", "erp", "wms", "securite au travail"):
        assert skilled[skill] >= 3, skill


async def test_seeding_again_adds_nothing(demo, settings):
    session, _printed = demo
    first = await counts(session)
    await seed_demo(session, settings)
    assert await counts(session) == first


async def test_a_contractor_and_an_alumnus_see_only_what_they_may(demo):
    session, people = demo
    atlas = await session.scalar(select(Space).where(Space.slug == "projet-atlas"))
    hidden_in_atlas = list(
        await session.scalars(
            select(Post).where(Post.space_id == atlas.id, Post.level > Level.PUBLIC)
        )
    )
    assert hidden_in_atlas, "Atlas has posts above public, which its contractors must not see"
    for viewer in (people[10], people[8]):  # marc.lambert (contractor), antoine.girard (alumni)
        reader = await load_reader(session, viewer)
        listed, before = [], None
        while page := await stream(session, viewer=viewer, limit=50, before_id=before):
            listed += page
            before = page[-1].id
        assert len(listed) >= 20, "the demo's externals have something to read"
        for post in listed:
            assert post.level is Level.PUBLIC
            assert can_read(reader, await item_ref(session, post))
        assert not {post.id for post in hidden_in_atlas} & {post.id for post in listed}
        tags = {
            name for name, _count in await trending_hashtags(session, viewer=viewer, window="7d")
        }
        assert "rh" not in tags and "resultats" not in tags
        for shown in await list_notifications(session, viewer=viewer, limit=100, before_id=None):
            if shown.post_id is not None:
                post = await session.get(Post, shown.post_id)
                assert can_read(reader, await item_ref(session, post))


async def test_the_demo_calendar_plans_the_coming_weeks_for_its_readers(demo):
    """A kick-off and a weekly meeting the Atlas contractors see, an innovation
    day, a board meeting and drinks they do not; all ahead of today."""
    session, people = demo
    now = datetime.now(UTC)
    soon = now + timedelta(days=60)
    director, contractor = people[0], people[10]  # claire.dubois, marc.lambert
    titles = {
        viewer.id: {
            found.event.title
            for found in await calendar(session, viewer=viewer, since=now, until=soon)
        }
        for viewer in (director, contractor)
    }
    assert {"Kick-off du lot 2 d'Atlas", "Point hebdo Atlas"} <= titles[contractor.id]
    assert titles[contractor.id].isdisjoint({"Journée de l'innovation", "Pot de fin d'année"})
    # Atlas is a private space she is not a member of.
    assert "Kick-off du lot 2 d'Atlas" not in titles[director.id]
    assert titles[director.id] >= {
        "Journée de l'innovation",
        "Comité de direction mensuel",
        "Pot de fin d'année",
    }
    weekly = [
        found.starts_at
        for found in await calendar(session, viewer=contractor, since=now, until=soon)
        if found.event.title == "Point hebdo Atlas"
    ]
    weeks_apart = [round((later - earlier).days / 7) for earlier, later in pairwise(weekly)]
    assert sorted(weeks_apart) == [1] * (len(weekly) - 2) + [2]  # the fourth cancelled


async def test_the_demo_board_shares_out_the_atlas_tasks(demo):
    """A dozen tasks in three columns, one late, a checklist and the kick-off
    linked; its contractors count only the public ones."""
    session, people = demo
    owner = next(person for person in people if person.handle == "julien.martin")
    contractor = people[10]  # marc.lambert
    atlas = await session.scalar(select(Space.id).where(Space.slug == "projet-atlas"))
    views = await list_tasks(session, viewer=owner, space_id=atlas)
    assert len(views) == 12
    assert {view.task.status.value for view in views} == {"todo", "doing", "done"}
    assert [view.task.title for view in views if view.late] == ["Reprise des données articles"]
    [kick_off] = [view for view in views if view.links.event is not None]
    assert kick_off.links.event.title == "Kick-off du lot 2 d'Atlas"
    assert len(kick_off.checklist) == 3
    theirs = await space_progress(session, viewer=contractor, space_id=atlas)
    ours = await space_progress(session, viewer=owner, space_id=atlas)
    assert (ours.total, ours.late) == (12, 1) and theirs.total == 7
    assert theirs.milestone is not None


async def test_the_demo_campaign_has_ideas_in_several_statuses(demo):
    """The innovation lab's campaign: an idea accepted and made a project (its
    supporters invited), one declined with its reason, one under review, one
    new, with votes; the contractor, outside the lab, reads none of it."""
    session, people = demo
    director, contractor = people[0], people[10]
    [campaign] = await session.scalars(select(IdeaCampaign))
    ideas = await list_ideas(session, viewer=director, campaign_id=campaign.id)
    assert sorted(view.idea.status.value for view in ideas) == [
        "accepted",
        "declined",
        "new",
        "under_review",
    ]
    assert sum(view.votes_for + view.votes_against for view in ideas) > 10
    accepted = next(view for view in ideas if view.idea.status is IdeaStatus.ACCEPTED)
    project = await session.get(Space, accepted.idea.project_space_id)
    assert project.objective == accepted.idea.title
    invited = await session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.space_id == project.id)
    )
    assert invited >= 4
    declined = next(view for view in ideas if view.idea.status is IdeaStatus.DECLINED)
    steps = await idea_steps(session, viewer=director, idea_id=declined.idea.post_id)
    assert steps[-1].reason.startswith("La compensation")
    assert await idea_counts(session, viewer=contractor, campaign_ids=[campaign.id]) == {
        campaign.id: 0
    }
