"""The policy's expressions agree: in random worlds, the SQL clauses of
app/access.py select exactly the items (posts, ideas read through their
campaigns, and wiki pages) and spaces its
Python predicates admit, the readers it chooses for an item are exactly those
the predicate admits, and the spaces and wiki APIs show exactly what the
predicate admits. The event rule too: the catch-up's clause over the activity
log and the websocket's predicate select the same events, exactly those about
what the content rule lets the reader read, and GET /events returns them.

Examples per run: the `ci` profile (default) keeps CI fast; run the slow one
with HYPOTHESIS_PROFILE=thorough pytest tests/test_policy_properties.py.
"""

import itertools
import uuid
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from app.access import (
    ItemRef,
    can_read,
    can_read_container,
    can_see_event,
    can_see_space,
    knowable_people,
    load_reader,
    named_in_presence,
    read_through,
    readable,
    readable_spaces,
    readers_of,
    visible_events,
    visible_spaces,
)
from app.levels import AccountKind, Level
from app.models import (
    Activity,
    CalendarEvent,
    Idea,
    IdeaCampaign,
    Membership,
    Post,
    PostKind,
    Space,
    SpaceKind,
    Task,
    User,
    Visibility,
    WikiPage,
)
from app.models.base import utcnow
from app.realtime.events import Event, record_event, take_pending


@dataclass(frozen=True)
class PersonSpec:
    kind: AccountKind
    clearance: Level
    is_active: bool


@dataclass(frozen=True)
class SpaceSpec:
    visibility: Visibility
    allows_externals: bool
    members: frozenset[int]


@dataclass(frozen=True)
class CampaignSpec:
    """The idea campaign a post in a space is proposed to, as an idea: never
    above the idea's level, in the idea's space (as app/services/ideas keeps
    them)."""

    level: Level
    author: int
    audience: frozenset[int] | None


@dataclass(frozen=True)
class PostSpec:
    space: int | None
    level: Level
    author: int
    audience: frozenset[int] | None
    campaign: CampaignSpec | None = None


@st.composite
def people(draw):
    kind = draw(st.sampled_from(list(AccountKind)))
    clearance = Level.PUBLIC if kind.is_external else draw(st.sampled_from(list(Level)))
    return PersonSpec(kind=kind, clearance=clearance, is_active=draw(st.booleans()))


@st.composite
def worlds(draw):
    persons = draw(st.lists(people(), min_size=1, max_size=6))
    indexes = st.integers(min_value=0, max_value=len(persons) - 1)
    spaces = draw(
        st.lists(
            st.builds(
                SpaceSpec,
                visibility=st.sampled_from(list(Visibility)),
                allows_externals=st.booleans(),
                members=st.frozensets(indexes, max_size=len(persons)),
            ),
            max_size=4,
        )
    )
    space_index = (
        st.none() | st.integers(min_value=0, max_value=len(spaces) - 1) if spaces else st.none()
    )
    audiences = st.none() | st.frozensets(indexes, max_size=3)

    @st.composite
    def post_specs(draw):
        space, level = draw(space_index), draw(st.sampled_from(list(Level)))
        campaign = None
        if space is not None and draw(st.booleans()):
            campaign = CampaignSpec(
                level=draw(st.sampled_from([each for each in Level if each.rank <= level.rank])),
                author=draw(indexes),
                audience=draw(audiences),
            )
        return PostSpec(space, level, draw(indexes), draw(audiences), campaign)

    posts = draw(st.lists(post_specs(), min_size=1, max_size=10))
    return persons, spaces, posts


async def build(session, persons, spaces, posts):
    """The world's people, spaces, and for each item spec a post and a wiki
    page alike; returns the users, the spaces, and each item's ``ItemRef`` by
    post id and by page id."""
    tag = uuid.uuid4().hex[:10]
    users = [
        User(
            email=f"p{i}-{tag}@example.test",
            handle=f"p{i}-{tag}",
            display_name=f"P{i}",
            kind=spec.kind,
            clearance=spec.clearance,
            is_active=spec.is_active,
            charter_accepted_at=utcnow(),
        )
        for i, spec in enumerate(persons)
    ]
    session.add_all(users)
    rows = [
        Space(
            slug=f"s{i}-{tag}",
            name=f"S{i}",
            objective="Random world",
            kind=SpaceKind.PROJECT,
            visibility=spec.visibility,
            allows_externals=spec.allows_externals,
        )
        for i, spec in enumerate(spaces)
    ]
    session.add_all(rows)
    await session.flush()
    for space, spec in zip(rows, spaces, strict=True):
        session.add_all(Membership(space_id=space.id, user_id=users[m].id) for m in spec.members)
    items = []
    now = utcnow()
    for n, spec in enumerate(posts):
        fields = {
            "space_id": rows[spec.space].id if spec.space is not None else None,
            "level": spec.level,
            "author_id": users[spec.author].id,
            "has_audience": spec.audience is not None,
        }
        page = WikiPage(
            title=f"Page {n} {tag}",
            slug=f"page-{n}-{tag}",
            body=f"Texte {tag}",
            updated_at=now,
            **fields,
        )
        post = Post(kind=PostKind.IDEA if spec.campaign else PostKind.ORDINARY, **fields)
        items.append((post, spec.space, spec.audience))
        if spec.campaign is not None:
            campaign = IdeaCampaign(
                space_id=fields["space_id"],
                level=spec.campaign.level,
                author_id=users[spec.campaign.author].id,
                has_audience=spec.campaign.audience is not None,
                title=f"Campaign {n}",
                deadline=now + timedelta(days=7),
                updated_at=now,
            )
            items.append((campaign, spec.space, spec.campaign.audience))
        items.append((page, spec.space, spec.audience))
    session.add_all(item for item, _space, _audience in items)
    await session.flush()
    for item, _space, audience in items:
        for member in audience or ():
            await session.execute(
                type(item)
                .__audience__.insert()
                .values(content_id=item.id, user_id=users[member].id)
            )
    refs = {
        (type(item), item.id): ItemRef(
            space_id=item.space_id,
            space_visibility=rows[space].visibility if space is not None else None,
            level=item.level,
            author_id=item.author_id,
            audience=frozenset(users[m].id for m in audience) if audience is not None else None,
        )
        for item, space, audience in items
    }
    # Each idea is read through its campaign (the item that follows it in ``items``).
    for (item, _space, _audience), (campaign, _s, _a) in itertools.pairwise(items):
        if isinstance(campaign, IdeaCampaign):
            session.add(
                Idea(post_id=item.id, campaign_id=campaign.id, title="Idea", status_changed_at=now)
            )
            refs[Post, item.id] = read_through(refs[Post, item.id], refs[IdeaCampaign, campaign.id])
    await session.flush()
    return (
        users,
        rows,
        {item_id: ref for (model, item_id), ref in refs.items() if model is Post},
        {item_id: ref for (model, item_id), ref in refs.items() if model is WikiPage},
    )


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds())
async def test_sql_clause_and_predicate_agree(db, world):
    persons, space_specs, post_specs = world
    async with db.sessionmaker() as session:
        users, spaces, refs, page_refs = await build(session, persons, space_specs, post_specs)
        post_ids, space_ids = list(refs), [space.id for space in spaces]
        readers = [await load_reader(session, viewer) for viewer in users]
        user_ids = [viewer.id for viewer in users]
        for ref in [*refs.values(), *page_refs.values()]:
            chosen = set(
                await session.scalars(select(User.id).where(User.id.in_(user_ids), readers_of(ref)))
            )
            assert chosen == {reader.user_id for reader in readers if can_read(reader, ref)}
        for viewer, reader in zip(users, readers, strict=True):
            by_sql = set(
                await session.scalars(
                    select(Post.id).where(Post.id.in_(post_ids), readable(viewer, Post))
                )
            )
            by_predicate = {pid for pid, ref in refs.items() if can_read(reader, ref)}
            assert by_sql == by_predicate, (viewer.kind, viewer.clearance, viewer.is_active)
            pages_by_sql = set(
                await session.scalars(
                    select(WikiPage.id).where(
                        WikiPage.id.in_(list(page_refs)), readable(viewer, WikiPage)
                    )
                )
            )
            assert pages_by_sql == {
                page_id for page_id, ref in page_refs.items() if can_read(reader, ref)
            }

            seen = set(
                await session.scalars(
                    select(Space.id).where(Space.id.in_(space_ids), visible_spaces(viewer))
                )
            )
            assert seen == {s.id for s in spaces if can_see_space(reader, s.id, s.visibility)}
            open_to_read = set(
                await session.scalars(
                    select(Space.id).where(Space.id.in_(space_ids), readable_spaces(viewer))
                )
            )
            assert open_to_read == {
                s.id for s in spaces if can_read_container(reader, s.id, s.visibility)
            }
        await session.rollback()


def may_know_of(reader, person_id: int, spaces, memberships, refs, page_refs) -> bool:
    """The people rule read off the world: employees know everyone; an external
    knows themself, the members of their spaces and the authors of what they may
    read."""
    if reader.is_employee or person_id == reader.user_id:
        return True
    if any(person_id in memberships[s.id] for s in spaces if s.id in reader.member_space_ids):
        return True
    return any(
        ref.author_id == person_id and can_read(reader, ref)
        for ref in [*refs.values(), *page_refs.values()]
    )


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds())
async def test_people_and_presence_follow_the_people_rule(db, world):
    """``knowable_people`` selects exactly whom the rule lets a viewer know of; and
    presence, sent to those who may read a space, names to each of them only people
    of that set (everyone else who is looking is counted, not named)."""
    persons, space_specs, post_specs = world
    async with db.sessionmaker() as session:
        users, spaces, refs, page_refs = await build(session, persons, space_specs, post_specs)
        user_ids = [user.id for user in users]
        readers = [await load_reader(session, user) for user in users]
        memberships = {
            s.id: {users[m].id for m in spec.members}
            for s, spec in zip(spaces, space_specs, strict=True)
        }
        for viewer, reader in zip(users, readers, strict=True):
            known = set(
                await session.scalars(
                    select(User.id).where(User.id.in_(user_ids), knowable_people(viewer))
                )
            )
            if viewer.is_active:
                assert known == {
                    i
                    for i in user_ids
                    if may_know_of(reader, i, spaces, memberships, refs, page_refs)
                }
            for space in spaces:
                if not can_read_container(reader, space.id, space.visibility):
                    continue
                lookers = [r for r in readers if can_read_container(r, space.id, space.visibility)]
                named = {
                    looker.user_id
                    for looker in lookers
                    if named_in_presence(
                        reader, looker.user_id, looker.user_id in memberships[space.id]
                    )
                }
                assert named <= known
        await session.rollback()


@settings(
    max_examples=15,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
async def test_spaces_api_shows_only_what_the_predicate_admits(db, make, world):
    """Through the API: the directory lists, and GET /spaces/{id} answers 200, for
    exactly the spaces the predicate admits; every other one is a 404."""
    persons, space_specs, post_specs = world
    async with db.sessionmaker() as session:
        users, spaces, _refs, _page_refs = await build(session, persons, space_specs, post_specs)
        await session.commit()
        try:
            for viewer in users:
                if not viewer.is_active:
                    continue
                reader = await load_reader(session, viewer)
                client = await make.bearer(viewer)
                listed = {
                    item["id"]
                    for item in (await client.get("/api/v1/spaces?limit=100")).json()["items"]
                }
                ours = {s.id for s in spaces}
                expected = {s.id for s in spaces if can_see_space(reader, s.id, s.visibility)}
                assert listed & ours == expected
                for space in spaces:
                    status = (await client.get(f"/api/v1/spaces/{space.id}")).status_code
                    assert status == (200 if space.id in expected else 404)
        finally:
            for space in spaces:
                await session.delete(space)
            for user in users:
                await session.delete(user)
            await session.commit()


@settings(
    max_examples=10,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
async def test_wiki_api_shows_only_what_the_predicate_admits(db, make, world):
    """Through the API: each wiki's list, the search and GET /wiki/pages/{id}
    show exactly the pages the predicate admits; a space's wiki that does not
    exist for the viewer is a 404, like any page they may not read."""
    persons, space_specs, page_specs = world
    async with db.sessionmaker() as session:
        users, spaces, _refs, page_refs = await build(session, persons, space_specs, page_specs)
        await session.commit()
        tag = (await session.get(WikiPage, next(iter(page_refs)))).body.split()[-1]
        try:
            for viewer in users:
                if not viewer.is_active:
                    continue
                reader = await load_reader(session, viewer)
                client = await make.bearer(viewer)
                expected = {pid for pid, ref in page_refs.items() if can_read(reader, ref)}
                found = (await client.get("/api/v1/wiki/search", params={"q": tag})).json()
                assert {item["id"] for item in found["items"]} == expected
                listed = (await client.get("/api/v1/wiki/pages")).json()["items"]
                company = {pid for pid, ref in page_refs.items() if ref.space_id is None}
                assert {item["id"] for item in listed} & company == expected & company
                for space in spaces:
                    response = await client.get(f"/api/v1/spaces/{space.id}/wiki/pages")
                    if not can_see_space(reader, space.id, space.visibility):
                        assert response.status_code == 404
                        continue
                    in_space = {pid for pid, ref in page_refs.items() if ref.space_id == space.id}
                    assert {item["id"] for item in response.json()["items"]} == (
                        expected & in_space
                    )
                for page_id in page_refs:
                    status = (await client.get(f"/api/v1/wiki/pages/{page_id}")).status_code
                    assert status == (200 if page_id in expected else 404)
        finally:
            await session.execute(delete(WikiPage).where(WikiPage.id.in_(list(page_refs))))
            for space in spaces:
                await session.delete(space)
            for user in users:
                await session.delete(user)
            await session.commit()


async def build_beside_posts(
    session, users, spaces, post_specs, model, **fields
) -> dict[int, ItemRef]:
    """An item of ``model`` (with ``fields``) beside each post of the world,
    placed and narrowed alike."""
    made = []
    for spec in post_specs:
        item = model(
            space_id=spaces[spec.space].id if spec.space is not None else None,
            level=spec.level,
            author_id=users[spec.author].id,
            has_audience=spec.audience is not None,
            **fields,
        )
        session.add(item)
        made.append((item, spec))
    await session.flush()
    for item, spec in made:
        for member in spec.audience or ():
            await session.execute(
                model.__audience__.insert().values(content_id=item.id, user_id=users[member].id)
            )
    await session.flush()
    return {
        item.id: ItemRef(
            space_id=item.space_id,
            space_visibility=spaces[spec.space].visibility if spec.space is not None else None,
            level=item.level,
            author_id=item.author_id,
            audience=frozenset(users[m].id for m in spec.audience)
            if spec.audience is not None
            else None,
        )
        for item, spec in made
    }


async def build_calendar_events(session, users, spaces, post_specs) -> dict[int, ItemRef]:
    now = utcnow()
    return await build_beside_posts(
        session,
        users,
        spaces,
        post_specs,
        CalendarEvent,
        title="Random event",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        time_zone="UTC",
        updated_at=now,
    )


async def record_world_events(
    session, users, spaces, refs, page_refs, event_refs, task_refs
) -> list[Event]:
    """Every shape of event the world allows, each for anyone and for each person
    alone: about each post, page, calendar event and task, about each space, and
    about no container; returned as the hub receives them (the item as it stood
    at commit)."""
    owners = [None, *(user.id for user in users)]
    for user_id in owners:
        for post_id, ref in refs.items():
            await record_event(session, kind="post.x", item=ref, post_id=post_id, user_id=user_id)
        for page_id, ref in page_refs.items():
            await record_event(session, kind="page.x", item=ref, page_id=page_id, user_id=user_id)
        for event_id, ref in event_refs.items():
            await record_event(
                session, kind="event.x", item=ref, calendar_event_id=event_id, user_id=user_id
            )
        for task_id, ref in task_refs.items():
            await record_event(session, kind="task.x", item=ref, task_id=task_id, user_id=user_id)
        for space in spaces:
            await record_event(session, kind="space.x", space_id=space.id, user_id=user_id)
        await record_event(session, kind="none.x", user_id=user_id)
    await session.flush()
    return take_pending(session)


def allowed_by_content_rule(
    reader, event: Event, refs, page_refs, event_refs, task_refs, spaces
) -> bool:
    """The event rule in the content rule's words: a personal event is its
    person's; one about a post, page, calendar event or task is seen exactly
    when it may be read; one about a space when its content may be read; the rest by
    any active reader."""
    if event.user_id is not None and event.user_id != reader.user_id:
        return False
    if event.post_id is not None:
        return can_read(reader, refs[event.post_id])
    if event.page_id is not None:
        return can_read(reader, page_refs[event.page_id])
    if event.calendar_event_id is not None:
        return can_read(reader, event_refs[event.calendar_event_id])
    if event.task_id is not None:
        return can_read(reader, task_refs[event.task_id])
    if event.space_id is not None:
        visibility = next(s.visibility for s in spaces if s.id == event.space_id)
        return can_read_container(reader, event.space_id, visibility)
    return reader.is_active


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
async def test_event_clause_and_predicate_agree_with_the_content_rule(db, world):
    persons, space_specs, post_specs = world
    async with db.sessionmaker() as session:
        users, spaces, refs, page_refs = await build(session, persons, space_specs, post_specs)
        event_refs = await build_calendar_events(session, users, spaces, post_specs)
        # Tasks of the company stream too: the event rule judges any placement.
        task_refs = await build_beside_posts(
            session, users, spaces, post_specs, Task, title="Random task", updated_at=utcnow()
        )
        events = await record_world_events(
            session, users, spaces, refs, page_refs, event_refs, task_refs
        )
        event_ids = [event.id for event in events]
        for viewer in users:
            reader = await load_reader(session, viewer)
            by_sql = set(
                await session.scalars(
                    select(Activity.id).where(Activity.id.in_(event_ids), visible_events(viewer))
                )
            )
            by_predicate = {e.id for e in events if can_see_event(reader, e.ref())}
            assert by_sql == by_predicate, (viewer.kind, viewer.clearance, viewer.is_active)
            assert by_sql == {
                e.id
                for e in events
                if allowed_by_content_rule(
                    reader, e, refs, page_refs, event_refs, task_refs, spaces
                )
            }
        await session.rollback()


@settings(
    max_examples=8,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
async def test_events_api_returns_exactly_what_the_event_predicate_admits(db, make, world):
    """Through the API: GET /events, followed page by page, returns exactly the
    events of the world that the websocket's predicate lets through."""
    persons, space_specs, post_specs = world
    async with db.sessionmaker() as session:
        users, spaces, refs, page_refs = await build(session, persons, space_specs, post_specs)
        event_refs = await build_calendar_events(session, users, spaces, post_specs)
        # Tasks of the company stream too: the event rule judges any placement.
        task_refs = await build_beside_posts(
            session, users, spaces, post_specs, Task, title="Random task", updated_at=utcnow()
        )
        events = await record_world_events(
            session, users, spaces, refs, page_refs, event_refs, task_refs
        )
        await session.commit()
        ours = {event.id for event in events}
        since = min(ours) - 1
        try:
            for viewer in users:
                if not viewer.is_active:
                    continue
                reader = await load_reader(session, viewer)
                client = await make.bearer(viewer)
                returned, after, more = [], since, True
                while more:
                    page = (await client.get("/api/v1/events", params={"since": after})).json()
                    returned += [item["id"] for item in page["items"]]
                    after, more = page["last_id"], page["more"]
                expected = [e.id for e in events if can_see_event(reader, e.ref())]
                assert [event_id for event_id in returned if event_id in ours] == expected
        finally:
            await session.execute(delete(Activity).where(Activity.id.in_(list(ours))))
            await session.execute(delete(WikiPage).where(WikiPage.id.in_(list(page_refs))))
            await session.execute(delete(Post).where(Post.id.in_(list(refs))))
            await session.execute(
                delete(CalendarEvent).where(CalendarEvent.id.in_(list(event_refs)))
            )
            await session.execute(delete(Task).where(Task.id.in_(list(task_refs))))
            for space in spaces:
                await session.delete(space)
            for user in users:
                await session.delete(user)
            await session.commit()
