"""THE confidentiality policy: the only place where Ruche decides who may read
what, and the only module that compares levels.

The read rule (ARCHITECTURE.md, "Confidentiality") is written twice, side by
side, and nowhere else:
- as SQL clauses, ``readable(viewer, Model)``, ``visible_spaces(viewer)`` and
  ``readable_spaces(viewer)``, that every list, count, search and join
  composes into its query, and ``readers_of(item)``, the same rule from the
  item's side, that chooses who is notified (and, joined to
  ``knowable_people``, whom a writer is offered to mention:
  ``mentionable_people``);
- as Python predicates, ``can_read(reader, item)``, ``can_see_space`` and
  ``can_read_container``, for single objects already in hand.
The rule of who may see an event is written the same way, on top of them:
``visible_events(viewer)`` over the activity log (catch-up) and
``can_see_event(reader, event)`` for the websocket.
A property-based test (tests/test_policy_properties.py) proves they agree.
What belongs to another item is read through it: an idea (a post of kind
``idea``) only by who may read its campaign too — in ``readable`` for posts,
and by ``read_through`` for the ``ItemRef`` its readers are chosen by.

Who may know of a person is decided here too: ``knowable_people(viewer)`` as a
clause over User, ``knowable_among`` for people already in hand, and
``named_in_presence`` for who is looking at a space. Employees know everyone;
an external knows themselves, the members of their spaces and the authors of
what they may read. Anyone else is counted, or shown as "a colleague", and an
id or handle of theirs answers as if the account did not exist.

A viewer may read an item when all hold:
1. the viewer is active and may read the item's container (the company stream:
   everyone; an open space: any employee, and its members; a private or secret
   space: its members),
2. the viewer's clearance is at least the item's level,
3. the item has no audience, or the viewer is in it, or is its author.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Exists,
    FromClause,
    and_,
    bindparam,
    exists,
    false,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Forbidden, Invalid
from app.i18n import _
from app.levels import AccountKind, Level
from app.models import (
    Activity,
    CalendarEvent,
    Comment,
    Content,
    FilePurpose,
    Idea,
    IdeaCampaign,
    Invitation,
    InvitationStatus,
    Membership,
    Notification,
    NotificationKind,
    Post,
    PostKind,
    SearchEntry,
    SearchKind,
    Space,
    SpaceDocument,
    SpaceRole,
    StoredFile,
    Task,
    User,
    Visibility,
    WikiPage,
    WikiRevision,
    WikiRevisionFile,
)
from app.search.scope import ANYWHERE, scope_of

# External accounts (alumni, contractors) never read above this level.
EXTERNAL_CLEARANCE_CAP = Level.PUBLIC


# --- who is reading -------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """A viewer as the predicates need it: enough to decide without a query.
    Rebuilt whenever the person's kind, clearance or memberships change."""

    user_id: int
    kind: AccountKind
    clearance: Level
    is_active: bool
    member_space_ids: frozenset[int]

    @property
    def is_employee(self) -> bool:
        return not self.kind.is_external


async def load_reader(session: AsyncSession, user: User) -> Reader:
    space_ids = await session.scalars(
        select(Membership.space_id).where(Membership.user_id == user.id)
    )
    return Reader(
        user_id=user.id,
        kind=user.kind,
        clearance=user.clearance,
        is_active=user.is_active,
        member_space_ids=frozenset(space_ids),
    )


@dataclass(frozen=True)
class AnyViewer:
    """Stands for every viewer of one kind in the policy's clauses: ``id`` and
    ``clearance`` are bound when the statement runs (``viewer_values``), so the
    clauses themselves, unchanged, write the rule into a statement built once
    and shared by all of them."""

    kind: AccountKind
    is_active: bool
    id = bindparam("viewer_id", type_=BigInteger)
    clearance = bindparam("viewer_clearance", type_=Post.level.type)


def viewer_values(viewer: User) -> dict:
    """The values of ``AnyViewer``'s parameters for this viewer."""
    return {"viewer_id": viewer.id, "viewer_clearance": viewer.clearance}


@dataclass(frozen=True)
class ItemRef:
    """What the predicate needs to know of an item: its container (and that
    container's visibility), level, author and audience (None: no audience)."""

    space_id: int | None
    space_visibility: Visibility | None
    level: Level
    author_id: int | None
    audience: frozenset[int] | None


@dataclass(frozen=True)
class EventRef:
    """What the event rule needs to know of an event: whose it is (a personal
    event: its person only; None: anyone's), the content it concerns (None: no
    content) or else the space it concerns (and that space's visibility)."""

    user_id: int | None
    item: ItemRef | None
    space_id: int | None
    space_visibility: Visibility | None


# --- the Python predicates ------------------------------------------------------


def can_read_container(reader: Reader, space_id: int | None, visibility: Visibility | None) -> bool:
    if not reader.is_active:
        return False
    if space_id is None:
        return True
    if space_id in reader.member_space_ids:
        return True
    return reader.is_employee and visibility is Visibility.OPEN


def can_read(reader: Reader, item: ItemRef) -> bool:
    return (
        can_read_container(reader, item.space_id, item.space_visibility)
        and item.level.rank <= reader.clearance.rank
        and (
            item.audience is None
            or reader.user_id in item.audience
            or reader.user_id == item.author_id
        )
    )


def readable_scopes(reader: Reader) -> frozenset[str] | None:
    """The scopes (``app.search.scope``) of everything an external may read —
    the company stream and their spaces, up to their clearance — and
    ``any``, the entries the policy clause alone decides (spaces, people,
    files): what their search asks the full-text index for besides the words.
    None for an employee, who may read most of what is written: there the
    narrowing would cost more than it saves. It narrows, the policy decides."""
    if reader.is_employee or not reader.is_active:
        return None
    levels = [level for level in Level if level.rank <= reader.clearance.rank]
    containers = [None, *reader.member_space_ids]
    return frozenset(
        [ANYWHERE, *(scope_of(space_id, level) for space_id in containers for level in levels)]
    )


def named_in_presence(reader: Reader, user_id: int, is_member: bool) -> bool:
    """Whether a space's presence names this person to ``reader`` (who may read
    the space): employees see every name; an external sees the space's members
    and themselves, people they may know of (see ``knowable_people``) decided
    without a query. Anyone else is counted, not named."""
    return reader.is_employee or is_member or user_id == reader.user_id


def can_see_space(reader: Reader, space_id: int, visibility: Visibility) -> bool:
    """Whether the space exists for this reader (directory, its page, its name).
    Private spaces are listed to employees; secret ones only to their members."""
    if not reader.is_active:
        return False
    if space_id in reader.member_space_ids:
        return True
    return reader.is_employee and visibility is not Visibility.SECRET


def can_see_event(reader: Reader, event: EventRef) -> bool:
    """Who may be told of an event (the websocket's filter): a personal event
    only its person; an event about a post, a wiki page, a calendar event or a
    task whoever may read it; an event about a space whoever may read the space's
    content; any other, any active reader. The twin of ``visible_events``."""
    if not reader.is_active:
        return False
    if event.user_id is not None and event.user_id != reader.user_id:
        return False
    if event.item is not None:
        return can_read(reader, event.item)
    if event.space_id is not None:
        return can_read_container(reader, event.space_id, event.space_visibility)
    return True


@dataclass(frozen=True)
class HookReader:
    """An outgoing webhook as the policy sees it: the one container it reads
    (None: the company stream) and the highest level it reads."""

    space_id: int | None
    level: Level


# What a hook reads unless an administrator allows more for that one hook.
HOOK_DEFAULT_MAX_LEVEL = Level.INTERNAL


def hook_may_read(hook: HookReader, item: ItemRef | None, space_id: int | None = None) -> bool:
    """What a hook may read, decided when each delivery is sent (an item raised
    above the hook's level since, or narrowed to an audience, is not sent): a
    reader at the hook's level of its own container alone — a space hook that
    space, a company hook the company stream — and never in an audience, so an
    item with one is never delivered. An event about no content (a member
    joining) is read when it concerns the hook's own space."""
    if item is None:
        return hook.space_id is not None and space_id == hook.space_id
    return (
        item.space_id == hook.space_id
        and item.level.rank <= hook.level.rank
        and item.audience is None
    )


# --- the same rules as SQL ------------------------------------------------------


def lookup(*conditions: ColumnElement[bool]) -> Exists:
    """Whether a row meets ``conditions`` (EXISTS), as a lookup PostgreSQL
    plans once. Of a correlated EXISTS it plans two ways, a lookup per row and a
    hashed set of every row that passes, and picks one only when the whole
    query is planned; the policy's are lookups by key, nested several deep, so
    the second plan (of each, at every depth) doubled the planning of a query
    that carries the policy: a contractor's search statement 9.8 → 1.4 ms by
    ``EXPLAIN (SUMMARY)``, its execution unchanged (docs/benchmarks.md). The
    fence is ``OFFSET 0``, which PostgreSQL leaves in place. It would also keep
    an EXISTS from being made a join, which none of these is (under an OR, none
    can be) but a search of one kind's, where a lookup per match is what a
    newest-first walk wants. PostgreSQL's alone: SQLite plans these once
    already, and a LIMIT in each slowed its statements (the leak sweep 173 →
    227 s)."""
    return (
        select(literal_column("1"))
        .where(*conditions)
        .suffix_with("OFFSET 0", dialect="postgresql")
        .exists()
    )


def member_space_ids(viewer: User):
    return select(Membership.space_id).where(Membership.user_id == viewer.id)


def readable_container(viewer: User, space_id_column) -> ColumnElement[bool]:
    if not viewer.is_active:
        return false()
    containers = [space_id_column.is_(None), space_id_column.in_(member_space_ids(viewer))]
    if not viewer.kind.is_external:
        containers.append(
            space_id_column.in_(select(Space.id).where(Space.visibility == Visibility.OPEN))
        )
    return or_(*containers)


def readable_level(viewer: User, level_column) -> ColumnElement[bool]:
    return level_column <= viewer.clearance


def readable(viewer: User, model: type[Content]) -> ColumnElement[bool]:
    """The clause to put in every query of ``model`` made on behalf of ``viewer``.
    An idea (a post of kind ``idea``) is read only by who may read its campaign."""
    if not viewer.is_active:
        return false()
    audience = model.__audience__
    in_audience = lookup(audience.c.content_id == model.id, audience.c.user_id == viewer.id)
    clause = and_(
        readable_container(viewer, model.space_id),
        readable_level(viewer, model.level),
        or_(model.has_audience.is_(False), model.author_id == viewer.id, in_audience),
    )
    if model is Post:
        return and_(clause, or_(Post.kind != PostKind.IDEA, _readable_campaign_of_idea(viewer)))
    return clause


def _readable_campaign_of_idea(viewer: User) -> ColumnElement[bool]:
    """Of a campaign's rule, only its audience is left to ask: an idea is in its
    campaign's space and never below its level (app/services/ideas and
    app/services/posts keep both), and a campaign's level and audience never
    change. Asking the campaign's whole rule again cost PostgreSQL ~1.5-3.5 ms
    of planning in each statement that reads posts (a search runs three)."""
    audience = IdeaCampaign.__audience__
    return ~lookup(
        Idea.post_id == Post.id,
        IdeaCampaign.id == Idea.campaign_id,
        IdeaCampaign.has_audience.is_(True),
        IdeaCampaign.author_id != viewer.id,
        ~lookup(audience.c.content_id == IdeaCampaign.id, audience.c.user_id == viewer.id),
    )


def read_through(item: ItemRef, container: ItemRef) -> ItemRef:
    """``item`` as read through what it belongs to (an idea through its
    campaign): one ``ItemRef`` that admits exactly whoever may read both — the
    same space, the higher level, and, where either has an audience, the people
    both admit (each admits its own author)."""
    admitted = None
    for each in (item, container):
        if each.audience is not None:
            names = each.audience | ({each.author_id} if each.author_id else frozenset())
            admitted = names if admitted is None else admitted & names
    author_id = item.author_id
    if admitted is not None and author_id not in admitted:
        author_id = None
    return ItemRef(
        space_id=item.space_id,
        space_visibility=item.space_visibility,
        level=higher_level(item.level, container.level),
        author_id=author_id,
        audience=admitted,
    )


def visible_spaces(viewer: User) -> ColumnElement[bool]:
    """Spaces that exist for the viewer: the clause twin of ``can_see_space``."""
    if not viewer.is_active:
        return false()
    is_member = Space.id.in_(member_space_ids(viewer))
    if viewer.kind.is_external:
        return is_member
    return or_(is_member, Space.visibility != Visibility.SECRET)


def readable_spaces(viewer: User) -> ColumnElement[bool]:
    """Spaces whose content the viewer may read: the twin of ``can_read_container``."""
    if not viewer.is_active:
        return false()
    is_member = Space.id.in_(member_space_ids(viewer))
    if viewer.kind.is_external:
        return is_member
    return or_(is_member, Space.visibility == Visibility.OPEN)


def _known_through(viewer: User) -> list[tuple[ColumnElement, list[ColumnElement[bool]]]]:
    """Whom an external may know of besides themselves, as (the person's column,
    the rows that show them): the members of their spaces, and the people shown
    with what they may read — authors of posts and of the comments under them,
    authors of wiki pages and of the revisions they may read, planners of
    events. What is deleted (a post, a comment, a page in the bin) shows nobody;
    a cancelled event is still read, and shows its planner."""
    live_post = [Post.deleted_at.is_(None), readable(viewer, Post)]
    live_page = [WikiPage.deleted_at.is_(None), readable(viewer, WikiPage)]
    return [
        (Membership.user_id, [Membership.space_id.in_(member_space_ids(viewer))]),
        (Post.author_id, live_post),
        (Comment.author_id, [Comment.deleted_at.is_(None), Post.id == Comment.post_id, *live_post]),
        (WikiPage.author_id, live_page),
        (
            WikiRevision.author_id,
            [
                WikiPage.id == WikiRevision.page_id,
                readable_level(viewer, WikiRevision.level),
                *live_page,
            ],
        ),
        (CalendarEvent.author_id, [readable(viewer, CalendarEvent)]),
    ]


def knowable_people(viewer: User) -> ColumnElement[bool]:
    """The people the viewer may know of, as a clause over ``User``: employees
    every account, externals whom ``_known_through`` says. Correlated to each
    person — a lookup of what they wrote, stopping at the first thing the viewer
    may read — which is what checking a few people wants (a profile, a mention,
    suggestions, search hits: ~3 ms for an external at a million posts, where
    the set of every author of everything they may read cost ~400 ms). A
    deactivated account knows of nobody, as it reads nothing."""
    if not viewer.is_active:
        return false()
    if not viewer.kind.is_external:
        return true()
    return or_(
        User.id == viewer.id,
        *(lookup(person == User.id, *rows) for person, rows in _known_through(viewer)),
    )


def knowable_people_listed(viewer: User) -> ColumnElement[bool]:
    """The same people as ``knowable_people``, as sets: what listing everyone
    wants (the directory and its counts), where checking each account in turn
    would read most of what everyone wrote (2.7 s against 0.4 s at a million
    posts for an external's first page)."""
    if not viewer.is_active:
        return false()
    if not viewer.kind.is_external:
        return true()
    return or_(
        User.id == viewer.id,
        *(User.id.in_(select(person).where(*rows)) for person, rows in _known_through(viewer)),
    )


async def knowable_among(session: AsyncSession, viewer: User, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` (people already in hand: reactors, readers, an
    audience...) the viewer may know of: one query for an external, none for an
    employee."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not viewer.kind.is_external or not wanted:
        return wanted
    return set(
        await session.scalars(select(User.id).where(User.id.in_(wanted), knowable_people(viewer)))
    )


def readable_files(viewer: User, *, avatars: bool = True) -> ColumnElement[bool]:
    """The files the viewer may download or know of, as a clause over
    ``StoredFile``: exactly those attached to something they may read now — a
    live post (and, for a comment's file, a live comment), a live wiki page in a
    revision whose level they are cleared for, a live document of a space's files
    area, a calendar event (cancelled too: it stays in the calendars), or the
    avatar of a person they may know of — and what they uploaded themselves and
    have not attached yet. A raised level, a deletion, a space
    left: the file follows at once, because nothing else decides.

    ``avatars=False``: the same without people's photos, for a query of files
    that holds none (the search index): for an external, the photo's rule is
    the people's, the half of this clause PostgreSQL takes longest to plan."""
    if not viewer.is_active:
        return false()
    readable_post = lookup(
        Post.id == StoredFile.post_id, Post.deleted_at.is_(None), readable(viewer, Post)
    )
    live_comment = or_(
        StoredFile.comment_id.is_(None),
        lookup(Comment.id == StoredFile.comment_id, Comment.deleted_at.is_(None)),
    )
    readable_page = lookup(
        WikiPage.id == StoredFile.page_id,
        WikiPage.deleted_at.is_(None),
        readable(viewer, WikiPage),
    )
    # A page's former states show only to readers cleared for the level they
    # had: the file must be in a revision of such a level. Correlated to the
    # file alone, explicitly: nested in the page's EXISTS it would not be, and
    # within a query of revisions it must not take the query's own revision.
    in_readable_revision = lookup(
        WikiRevisionFile.file_id == StoredFile.id,
        WikiRevision.id == WikiRevisionFile.revision_id,
        readable_level(viewer, WikiRevision.level),
    ).correlate(StoredFile)
    readable_document = lookup(
        SpaceDocument.id == StoredFile.document_id,
        SpaceDocument.deleted_at.is_(None),
        readable(viewer, SpaceDocument),
    )
    readable_event = lookup(
        CalendarEvent.id == StoredFile.calendar_event_id, readable(viewer, CalendarEvent)
    )
    attached = [
        and_(StoredFile.post_id.is_not(None), readable_post, live_comment),
        and_(StoredFile.page_id.is_not(None), readable_page, in_readable_revision),
        and_(StoredFile.document_id.is_not(None), readable_document),
        and_(StoredFile.calendar_event_id.is_not(None), readable_event),
        own_new_uploads(viewer),
    ]
    if not avatars:
        return or_(*attached)
    knowable_avatar = and_(
        StoredFile.purpose == FilePurpose.AVATAR,
        lookup(User.avatar_file_id == StoredFile.id, knowable_people(viewer)),
    )
    return or_(*attached, knowable_avatar)


def own_new_uploads(viewer: User) -> ColumnElement[bool]:
    """The viewer's uploads attached to nothing yet, and not dropped: theirs
    alone, until what they write names them."""
    return and_(
        StoredFile.uploader_id == viewer.id,
        StoredFile.attached_to_nothing(),
        StoredFile.detached_at.is_(None),
    )


def searchable(
    viewer: User,
    kinds: Iterable[SearchKind] = tuple(SearchKind),
    entries: FromClause = SearchEntry.__table__,
) -> ColumnElement[bool]:
    """The search entries (of ``kinds``) whose item the viewer may know of, as a
    clause over ``entries`` — the index's table, or the candidates a search
    matched (any rows with its ``kind`` and ``item_id``): results, counts,
    facets and suggestions all carry it, so a search never tells of an item its
    reader may not read. For each kind, a correlated lookup of the item (so a
    newest-first scan stops as soon as it has a page): a live post they may
    read; a live comment under such a post; a live wiki page they may read (its
    current level); a space that exists for them; an active person they may
    know of; a file they may read (photos are not indexed); a calendar event
    they may read.

    Built once for every viewer of a kind (``AnyViewer``: the statement that
    carries it runs with ``viewer_values``): making it took 4-6 ms of Python,
    more than a rare word's whole search, and one built for each person kept
    ~1,500 objects each for an external, up to 512 of them, which every full
    pass of Python's collector scanned. It reads memberships, levels and
    audiences live, so it stays right."""
    if not viewer.is_active:
        return false()
    return _searchable(viewer.kind, tuple(kinds), entries)


def searchable_of_kind(viewer: User, kind: SearchKind, entries: FromClause) -> ColumnElement[bool]:
    """The same as ``searchable`` over ``entries`` that are all of ``kind`` (a
    suggestion's people, say), without testing their kind: PostgreSQL, which
    estimates that test from the whole index, would expect almost none of them
    to pass and plan to read them all."""
    if not viewer.is_active:
        return false()
    return _knowable_item(viewer.kind, kind, entries)


@lru_cache(maxsize=128)
def _searchable(
    kind: AccountKind, kinds: tuple[SearchKind, ...], entries: FromClause
) -> ColumnElement[bool]:
    return or_(
        *(and_(entries.c.kind == each, _knowable_item(kind, each, entries)) for each in kinds)
    )


@lru_cache(maxsize=128)
def _knowable_item(
    kind: AccountKind, item_kind: SearchKind, entries: FromClause
) -> ColumnElement[bool]:
    viewer = AnyViewer(kind=kind, is_active=True)
    item = entries.c.item_id
    if item_kind is SearchKind.POST:
        return lookup(Post.id == item, Post.deleted_at.is_(None), readable(viewer, Post))
    if item_kind is SearchKind.COMMENT:
        return lookup(
            Comment.id == item,
            Comment.deleted_at.is_(None),
            Post.id == Comment.post_id,
            Post.deleted_at.is_(None),
            readable(viewer, Post),
        )
    if item_kind is SearchKind.PAGE:
        return lookup(
            WikiPage.id == item, WikiPage.deleted_at.is_(None), readable(viewer, WikiPage)
        )
    if item_kind is SearchKind.SPACE:
        return lookup(Space.id == item, visible_spaces(viewer))
    if item_kind is SearchKind.PERSON:
        return lookup(User.id == item, User.is_active.is_(True), knowable_people(viewer))
    if item_kind is SearchKind.EVENT:
        # A cancelled event stays readable (its calendar shows it, marked so): found too.
        return lookup(CalendarEvent.id == item, readable(viewer, CalendarEvent))
    # The index holds no photos (app.search.indexing), so not their rule.
    return lookup(StoredFile.id == item, readable_files(viewer, avatars=False))


def visible_events(viewer: User) -> ColumnElement[bool]:
    """The clause over ``Activity`` twin of ``can_see_event``, for catch-up: the
    post, wiki page, calendar event or task an event names is judged as it stands
    now, so a later raise of its level, or a space left, hides its earlier events too."""
    if not viewer.is_active:
        return false()
    about_content = or_(
        Activity.post_id.is_not(None),
        Activity.page_id.is_not(None),
        Activity.calendar_event_id.is_not(None),
        Activity.task_id.is_not(None),
    )
    return and_(
        or_(Activity.user_id.is_(None), Activity.user_id == viewer.id),
        or_(
            Activity.post_id.is_(None),
            Activity.post_id.in_(select(Post.id).where(readable(viewer, Post))),
        ),
        or_(
            Activity.page_id.is_(None),
            Activity.page_id.in_(select(WikiPage.id).where(readable(viewer, WikiPage))),
        ),
        or_(
            Activity.calendar_event_id.is_(None),
            Activity.calendar_event_id.in_(
                select(CalendarEvent.id).where(readable(viewer, CalendarEvent))
            ),
        ),
        or_(
            Activity.task_id.is_(None),
            Activity.task_id.in_(select(Task.id).where(readable(viewer, Task))),
        ),
        or_(
            about_content,
            Activity.space_id.is_(None),
            Activity.space_id.in_(select(Space.id).where(readable_spaces(viewer))),
        ),
    )


def notification_space_id():
    """The space a notification concerns (invitations, join requests), kept in
    its data: the notification shows only while its reader may know of it."""
    return Notification.data["space_id"].as_integer()


def invited_spaces(viewer: User, now: datetime):
    """Spaces the viewer holds a standing invitation to (pending, unexpired):
    they may know its name, not its content, until they answer or it ends."""
    return select(Invitation.space_id).where(
        Invitation.invitee_id == viewer.id,
        Invitation.status == InvitationStatus.PENDING,
        Invitation.expires_at > now,
    )


def visible_notifications(viewer: User, now: datetime) -> ColumnElement[bool]:
    """The viewer's notifications they may still be shown, judged at read time
    (the list, the unread count, the bell): one about a post, a wiki page, a
    calendar event or a task while they may read it (a page, while it is not in
    the bin); one about a space while the space exists for them, or, for an
    invitation, while it stands. A notification read is never a way around the
    rule that made it."""
    if not viewer.is_active:
        return false()
    space_id = notification_space_id()
    return and_(
        Notification.user_id == viewer.id,
        or_(
            Notification.post_id.is_(None),
            Notification.post_id.in_(select(Post.id).where(readable(viewer, Post))),
        ),
        or_(
            Notification.page_id.is_(None),
            Notification.page_id.in_(
                select(WikiPage.id).where(readable(viewer, WikiPage), WikiPage.deleted_at.is_(None))
            ),
        ),
        or_(
            Notification.calendar_event_id.is_(None),
            Notification.calendar_event_id.in_(
                select(CalendarEvent.id).where(readable(viewer, CalendarEvent))
            ),
        ),
        or_(
            Notification.task_id.is_(None),
            Notification.task_id.in_(select(Task.id).where(readable(viewer, Task))),
        ),
        or_(
            space_id.is_(None),
            space_id.in_(select(Space.id).where(visible_spaces(viewer))),
            and_(
                Notification.kind == NotificationKind.INVITATION.value,
                space_id.in_(invited_spaces(viewer, now)),
            ),
        ),
    )


def readers_of(item: ItemRef) -> ColumnElement[bool]:
    """The users who may read ``item``, as a clause over ``User``: the same rule
    seen from the item's side, to choose who is notified or told in real time."""
    container = true()
    if item.space_id is not None:
        is_member = User.id.in_(
            select(Membership.user_id).where(Membership.space_id == item.space_id)
        )
        container = (
            or_(is_member, User.kind == AccountKind.EMPLOYEE)
            if item.space_visibility is Visibility.OPEN
            else is_member
        )
    audience = true()
    if item.audience is not None:
        audience = User.id.in_([*item.audience, *([item.author_id] if item.author_id else [])])
    return and_(User.is_active.is_(True), User.clearance >= item.level, container, audience)


def mentionable_people(viewer: User, item: ItemRef) -> ColumnElement[bool]:
    """The people the viewer may be offered when mentioning someone in ``item``
    (a post being written, or the post a comment goes under), as a clause over
    ``User``: those who may read it, for a mention of anyone else would notify
    nobody; and of them only those the viewer may know of, for a suggestion
    names people."""
    return and_(readers_of(item), knowable_people(viewer))


async def reaches_beyond(session: AsyncSession, item: ItemRef, bound: ItemRef) -> bool:
    """Whether someone may read ``item`` who may not read ``bound`` today: what a
    share may never do to its original (no write-down). Wiki sub-pages are held
    to their parent by names instead (``audience_within``), which later changes
    of clearance or membership cannot undo."""
    return bool(
        await session.scalar(
            select(exists().where(readers_of(item), ~readers_of(bound)).select_from(User))
        )
    )


async def space_would_widen(session: AsyncSession, visibility: Visibility, item: ItemRef) -> bool:
    """Whether a new space of ``visibility`` whose name and description tell of
    ``item`` would show them to someone who may not read it: a secret space
    shows them to its members alone (to be chosen among the item's readers),
    any other to every employee."""
    if visibility is Visibility.SECRET:
        return False
    employees = and_(User.is_active.is_(True), User.kind == AccountKind.EMPLOYEE)
    return bool(
        await session.scalar(select(exists().where(employees, ~readers_of(item)).select_from(User)))
    )


def audience_within(admits: frozenset[int] | None, bound: frozenset[int] | None) -> bool:
    """Whether an audience admits nobody ``bound`` does not (each: the people it
    names and the item's author; None: no audience). Judged on the names, not on
    who may read today: a clearance raised or a space joined later must not open
    a wiki sub-page to someone its parent keeps out."""
    return bound is None or (admits is not None and admits <= bound)


# --- write rules ----------------------------------------------------------------


def check_admin(viewer: User) -> None:
    if not viewer.is_admin:
        raise Forbidden(_("Only administrators may do this."))


def check_clearance_allowed(kind: AccountKind, clearance: Level) -> None:
    """Externals are capped: the system refuses to raise them, whoever asks."""
    if kind.is_external and clearance.rank > EXTERNAL_CLEARANCE_CAP.rank:
        raise Invalid(
            _("External accounts (alumni, contractors) cannot be cleared above public."),
            code="external_clearance",
        )


def default_clearance(kind: AccountKind) -> Level:
    return EXTERNAL_CLEARANCE_CAP if kind.is_external else Level.INTERNAL


def default_level_for(viewer: User, container_default: Level) -> Level:
    """The container's default level, lowered to the writer's clearance: nobody
    writes above it, and an external posting in the company stream means public."""
    return (
        container_default if container_default.rank <= viewer.clearance.rank else viewer.clearance
    )


def higher_level(first: Level, second: Level) -> Level:
    return first if first.rank >= second.rank else second


def lower_level(first: Level, second: Level) -> Level:
    return first if first.rank <= second.rank else second


def check_no_write_up(viewer: User, level: Level) -> None:
    """Nobody writes above their own clearance."""
    if level.rank > viewer.clearance.rank:
        raise Forbidden(_("You cannot write at a level above your own clearance."), code="write_up")


def check_hook_level(viewer: User, level: Level) -> None:
    """A hook sends what it reads out of Ruche: never above its creator's own
    clearance, and above internal only when an administrator allows it."""
    check_no_write_up(viewer, level)
    if level.rank > HOOK_DEFAULT_MAX_LEVEL.rank and not viewer.is_admin:
        raise Forbidden(
            _("Only an administrator may let a webhook read above internal."), code="hook_level"
        )


def check_not_below(parent_level: Level, level: Level) -> None:
    """Nothing is placed below its parent's level."""
    if level.rank < parent_level.rank:
        raise Invalid(
            _("This cannot be less confidential than what it belongs to."), code="write_down"
        )


def check_can_write_in(viewer: User, space: Space | None, role: SpaceRole | None) -> None:
    """Content in a space needs membership (or, in an open space, being an
    employee); archived spaces accept no writes. ``role``: the viewer's
    membership role in ``space``, None when not a member."""
    if not viewer.is_active:
        raise Forbidden()
    if space is None:
        return
    if space.is_archived:
        raise Conflict(_("This space is archived: it is read-only."), code="space_archived")
    if role is None and not (
        viewer.kind is AccountKind.EMPLOYEE and space.visibility is Visibility.OPEN
    ):
        raise Forbidden(_("Join this space to write in it."), code="not_member")


def check_may_hold_role(person: User, role: SpaceRole) -> None:
    """Externals belong to spaces, never manage them: managing shows who asks to
    join and who is invited, people an external may not know of."""
    if role is not SpaceRole.MEMBER and person.kind.is_external:
        raise Invalid(
            _("External accounts (alumni, contractors) cannot manage a space."),
            code="external_manager",
        )
    if role is not SpaceRole.MEMBER and person.is_bot:
        raise Invalid(_("A bot posts; it cannot manage a space."), code="bot_manager")


def check_can_edit_wiki(viewer: User, space: Space | None, role: SpaceRole | None) -> None:
    """A space's wiki is written as its stream is; the company wiki, unlike the
    company stream, only by employees: externals read its public pages."""
    if space is None and (not viewer.is_active or viewer.kind.is_external):
        raise Forbidden(_("Only employees write in the company wiki."), code="not_employee")
    check_can_write_in(viewer, space, role)
