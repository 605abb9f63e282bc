"""Search: results, facets and suggestions, the policy inside each query.

Ranking is deliberately independent of the corpus (no term frequencies): band
0 holds the entries with every word in their title (a person's or a space's
name, a page's or an event's title, a file's name), band 1 the rest; within a band, newest
entry first. So a page of results does not move while people post, and both
databases give the same order. Each band is one index-ordered query (a
backward walk of entry ids) that stops at the page's end; the cursor is (band,
entry id).

``statement`` builds every query from a policy clause: ``policy=False`` gives
the same query without it, the floor the benchmark compares with.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    FromClause,
    Select,
    and_,
    case,
    column,
    exists,
    false,
    func,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    load_reader,
    readable_scopes,
    searchable,
    searchable_of_kind,
    viewer_values,
)
from app.db import plan_statements
from app.levels import Level
from app.models import (
    CalendarEvent,
    Comment,
    Hashtag,
    Post,
    PostHashtag,
    SearchEntry,
    SearchKind,
    Space,
    StoredFile,
    User,
    WikiPage,
)
from app.search.backends import BODY_BAND, TITLE_BAND, backend_for, expression
from app.search.indexing import MODELS
from app.search.query import Query, Word

# Counts stop here: "1000+" rather than a count of every match of a common word.
COUNT_CAP = 1000
TOP_SPACES = 10
SUGGESTIONS_EACH = 5
# Not events: suggestions offer places to go by name, and an event's title is
# a date's (a weekly "Point d'équipe" is one title among many dated ones, the
# past ones useless while typing); the results page finds them, with their start.
SUGGESTED_KINDS = (SearchKind.PERSON, SearchKind.SPACE, SearchKind.PAGE)
# The kinds indexed with a title (app.search.indexing: posts and comments have
# none), the only ones the title band can hold. Saying so lets PostgreSQL read
# the title band from these few entries: otherwise, its estimate of a word's
# rows ignoring the title weight, it walks every entry backwards for a word
# common in bodies and absent from titles (1.9 s on the 1M-post company).
# These are the kinds of the partial index ``ix_search_entries_titled``
# (migration 0012), which a title band asking for them alone reads.
TITLED_KINDS = frozenset({SearchKind.PERSON, SearchKind.SPACE, SearchKind.PAGE, SearchKind.FILE})
# Titled kinds outside that index: asked for each apart (``kind = 'event'``), so
# PostgreSQL still reads the others from the partial index and ORs in these few
# entries through the (kind, item_id) index, rechecking their words. One IN list
# of all five no longer implies the partial index's condition: PostgreSQL then
# intersected the whole index's posting list of the word with every titled
# entry (a common word, 3.6 → 30 ms on the 1M-post company; 1.1 ms this way).
FEW_TITLED_KINDS = frozenset({SearchKind.EVENT})
# The kinds in the container and level of an item (a comment: its post's), which
# the space and level filters read.
PLACED_KINDS = (SearchKind.POST, SearchKind.COMMENT, SearchKind.PAGE, SearchKind.EVENT)


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides its words. ``space_id`` keeps posts,
    comments, pages and events of that space; ``author_ids`` posts, comments,
    pages, files and events by that person (several different people: nothing);
    ``level`` posts, comments, pages and events of exactly that level; ``since``/``until`` anything
    created in that time."""

    types: frozenset[SearchKind] | None = None
    space_id: int | None = None
    author_ids: frozenset[int] | None = None
    since: datetime | None = None
    until: datetime | None = None
    level: Level | None = None


@dataclass(frozen=True)
class Hit:
    band: int
    entry_id: int
    kind: SearchKind
    item_id: int


@dataclass(frozen=True)
class Facets:
    total: int
    capped: bool
    types: dict[SearchKind, int]
    spaces: list[tuple[int, str, int]]


def _conditions(kind: SearchKind, filters: Filters, query: Query) -> list[ColumnElement] | None:
    """The filters' conditions on an item of ``kind`` (over its own table, and
    the post of a comment), or None when no item of that kind can pass them."""
    model = MODELS[kind]
    parent = Post if kind is SearchKind.COMMENT else model
    conditions: list[ColumnElement] = []
    if filters.since is not None:
        conditions.append(model.created_at >= filters.since)
    if filters.until is not None:
        conditions.append(model.created_at < filters.until)
    if filters.space_id is not None or filters.level is not None:
        if kind not in PLACED_KINDS:
            return None
        if filters.space_id is not None:
            conditions.append(parent.space_id == filters.space_id)
        if filters.level is not None:
            conditions.append(parent.level == filters.level)
    if filters.author_ids is not None:
        if kind in (SearchKind.SPACE, SearchKind.PERSON) or len(filters.author_ids) != 1:
            return None
        author = StoredFile.uploader_id if kind is SearchKind.FILE else model.author_id
        conditions.append(author == next(iter(filters.author_ids)))
    if query.hashtags:
        if kind is not SearchKind.POST:
            return None
        conditions.extend(
            exists().where(
                PostHashtag.post_id == Post.id,
                Hashtag.id == PostHashtag.hashtag_id,
                Hashtag.name == name,
            )
            for name in query.hashtags
        )
    if conditions and kind is SearchKind.COMMENT:
        conditions.append(Post.id == Comment.post_id)
    return conditions


def _filtered(filters: Filters, query: Query) -> tuple[list[SearchKind], ColumnElement[bool]]:
    """The kinds a search may return, and the clause of its filters."""
    kinds, clauses, narrowed = [], [], False
    for kind in SearchKind:
        if filters.types is not None and kind not in filters.types:
            narrowed = True
            continue
        conditions = _conditions(kind, filters, query)
        if conditions is None:
            narrowed = True
            continue
        kinds.append(kind)
        model = MODELS[kind]
        if conditions:
            narrowed = True
            clauses.append(
                and_(
                    SearchEntry.kind == kind,
                    exists().where(model.id == SearchEntry.item_id, *conditions),
                )
            )
        else:
            clauses.append(SearchEntry.kind == kind)
    if not kinds:
        return kinds, false()
    return kinds, or_(*clauses) if narrowed else true()


def _titled(kinds: list[SearchKind]) -> ColumnElement[bool]:
    """The entries of these titled kinds, written so that PostgreSQL may read
    them from ``ix_search_entries_titled`` (see ``FEW_TITLED_KINDS``)."""
    indexed = [kind for kind in kinds if kind in TITLED_KINDS]
    return or_(
        *([SearchEntry.kind.in_(indexed)] if indexed else []),
        *(SearchEntry.kind == kind for kind in kinds if kind in FEW_TITLED_KINDS),
    )


# The matched entries, newest first, as the policy clause reads them (see ``statement``).
CANDIDATES = table("candidates", column("id"), column("kind"), column("item_id"))
ENTRIES = SearchEntry.__table__


def hits_columns(entries: FromClause) -> tuple:
    return (entries.c.id, entries.c.kind, entries.c.item_id)


def statement(
    viewer: User,
    query: Query,
    filters: Filters,
    *,
    dialect: str,
    band: int | None,
    after: int | None = None,
    limit: int,
    columns: Callable[[FromClause], tuple] = hits_columns,
    policy: bool = True,
    scopes: frozenset[str] | None = None,
    in_ranges_below: int | None = None,
) -> Select:
    """The ``columns`` of the entries matching ``query`` in ``band`` (None:
    either) that the viewer may know of, newest first, after entry id
    ``after``, in one of ``scopes`` if given (an external's:
    ``readers_scopes``); ``policy=False``: the same without the policy clause
    (for the benchmark's floor only). ``in_ranges_below``: the newest entry id,
    for a count read range by range (``backends.Postgres.in_ranges``).

    Two levels: the entries matched, newest first (``candidates``, what the
    floor runs), and the policy clause over them, then the limit. The inner
    query is fenced (``OFFSET 0``) and the outer one has no ORDER BY of its
    own, so PostgreSQL plans the match alone for the few rows the limit
    wants — a walk of the newest entries for a common word, the GIN index for
    a rare one — and checks the policy on the rows that walk yields, in order.
    In one query, the policy's cost counted on every entry made it read every
    match from the GIN index and sort them (a common word for an external,
    a phrase: 150-230 ms where the walk takes 5-20). SQLite streams the fenced
    query as FTS5 walks its rowids backwards, as before. Both databases keep a
    fenced query's order through a filter and a limit, which the outer query
    relies on (the tests assert exact orders and pages on both)."""
    backend = backend_for(dialect)
    found = select(*hits_columns(ENTRIES))
    order = SearchEntry.id
    matched = expression(backend, query, band)
    if matched is not None:
        found = backend.matching(found, matched, scopes)
        order = backend.order
    kinds, clause = _filtered(filters, query)
    if band == TITLE_BAND:
        kinds = [kind for kind in kinds if kind in TITLED_KINDS | FEW_TITLED_KINDS]
        clause = and_(clause, _titled(kinds)) if kinds else false()
    elif band == BODY_BAND and matched is not None:
        # A file is indexed by its name alone: never in the body band of words,
        # and its policy (the dearest to plan) need not be planned there.
        kinds = [kind for kind in kinds if kind is not SearchKind.FILE]
    found = found.where(clause)
    if after is not None:
        found = found.where(order < after)
    if in_ranges_below is not None:
        found = backend.in_ranges(found, in_ranges_below)
        if not policy:
            # The columns are the ranges' union's, not search_entries'.
            candidates = found.subquery(CANDIDATES.name)
            return select(*columns(candidates)).limit(limit)
    else:
        found = found.order_by(order.desc())
    if not policy:
        return found.with_only_columns(*columns(ENTRIES)).limit(limit)
    # No kind left (the filters, or the title band of a hashtag search): nothing.
    allowed = searchable(viewer, kinds, CANDIDATES) if kinds else false()
    return _under_policy(viewer, found, allowed, columns, limit)


def _under_policy(
    viewer: User,
    candidates: Select | CompoundSelect,
    allowed: ColumnElement[bool],
    columns: Callable[[FromClause], tuple],
    limit: int,
) -> Select:
    """The first ``limit`` of the ordered ``candidates`` (entries) that pass
    ``allowed``, the policy over ``CANDIDATES`` for ``viewer``: the candidates
    fenced, the policy over them (see ``statement``). The policy's clause is
    shared by every viewer of a kind (``access.AnyViewer``): the statement
    carries this viewer's values for it."""
    return (
        select(*columns(CANDIDATES))
        .add_cte(candidates.offset(0).cte(CANDIDATES.name))
        .select_from(CANDIDATES)
        .where(allowed)
        .limit(limit)
        .params(viewer_values(viewer))
    )


async def _dialect(session: AsyncSession) -> str:
    """The session's dialect, after asking PostgreSQL for a plan made for the
    words of each statement (a common word walks the entries newest first and
    stops, a rare one reads the GIN index; the generic plan asyncpg's prepared
    statements get after five runs is blind to the word: 1.2-1.5 s)."""
    await plan_statements(session, "force_custom_plan")
    return session.bind.dialect.name


async def readers_scopes(
    session: AsyncSession, viewer: User, policy: bool = True
) -> frozenset[str] | None:
    """The scopes an external's search is narrowed to (``access.readable_scopes``:
    the index then reads only entries of their spaces and the company stream);
    None for an employee, and for the floor, which has no policy."""
    if not policy or not viewer.kind.is_external:
        return None
    return readable_scopes(await load_reader(session, viewer))


async def search(
    session: AsyncSession,
    *,
    viewer: User,
    query: Query,
    filters: Filters,
    after: tuple[int, int] | None,
    limit: int,
    policy: bool = True,
) -> tuple[list[Hit], tuple[int, int] | None]:
    """A page of hits and the cursor (band, entry id) of the next, if any
    (``policy=False``: the benchmark's floor only)."""
    bands = (TITLE_BAND, BODY_BAND) if query.terms else (BODY_BAND,)
    dialect = await _dialect(session)
    scopes = await readers_scopes(session, viewer, policy)
    hits: list[Hit] = []
    for band in bands:
        if after is not None and band < after[0]:
            continue
        rows = await session.execute(
            statement(
                viewer,
                query,
                filters,
                dialect=dialect,
                band=band,
                after=after[1] if after is not None and band == after[0] else None,
                limit=limit + 1 - len(hits),
                policy=policy,
                scopes=scopes,
            )
        )
        hits.extend(
            Hit(band, entry_id, SearchKind(kind), item_id) for entry_id, kind, item_id in rows
        )
        if len(hits) > limit:
            last = hits[limit - 1]
            return hits[:limit], (last.band, last.entry_id)
    return hits, None


async def _ranges_below(
    session: AsyncSession, dialect: str, query: Query, scopes: frozenset[str] | None
) -> int | None:
    """The newest entry id, when a count is read range by range
    (``backends.Postgres.counts_in_ranges``); None otherwise, and for an
    external, whose scopes make the GIN index's answer small enough to read
    once (a contractor's phrase counted 16 ms that way, 81 ms range by range)."""
    if scopes is not None or not backend_for(dialect).counts_in_ranges(query):
        return None
    return await session.scalar(select(func.max(SearchEntry.id)))


def space_of_entry(entries: FromClause) -> ColumnElement:
    """The space an entry's item is in (a space: itself), for the facet."""
    item = entries.c.item_id
    return case(
        (
            entries.c.kind == SearchKind.POST,
            select(Post.space_id).where(Post.id == item).scalar_subquery(),
        ),
        (
            entries.c.kind == SearchKind.COMMENT,
            select(Post.space_id)
            .where(Comment.id == item, Post.id == Comment.post_id)
            .scalar_subquery(),
        ),
        (
            entries.c.kind == SearchKind.PAGE,
            select(WikiPage.space_id).where(WikiPage.id == item).scalar_subquery(),
        ),
        (
            entries.c.kind == SearchKind.EVENT,
            select(CalendarEvent.space_id).where(CalendarEvent.id == item).scalar_subquery(),
        ),
        (entries.c.kind == SearchKind.SPACE, item),
        else_=None,
    )


def whole_search(
    hits: list[Hit],
    after: tuple[int, int] | None,
    following: tuple[int, int] | None,
    filters: Filters,
) -> list[Hit] | None:
    """The hits of a page that holds every hit of its search (the first page,
    with no next one) when the facets count the same entries (no type filter:
    the types' counts ignore it); otherwise None."""
    return hits if after is None and following is None and filters.types is None else None


async def facets(
    session: AsyncSession,
    *,
    viewer: User,
    query: Query,
    filters: Filters,
    whole: list[Hit] | None = None,
    policy: bool = True,
) -> Facets:
    """Counts under the same policy, over the newest ``COUNT_CAP`` matches
    (``capped``: there are more, the counts are of those). The types' counts
    ignore the type filter (they say what the other types would give); the
    total and the spaces' counts keep it. ``whole``: every hit, already found
    under the policy (``whole_search``), counted as they are — a search of a
    few matches then plans the policy once, not twice (a rare word's counts:
    6.5 → 2.3 ms on the 1M-post company). ``policy=False``: the benchmark's
    floor only."""
    if whole is not None:
        found = select(ENTRIES.c.kind, space_of_entry(ENTRIES)).where(
            ENTRIES.c.id.in_([hit.entry_id for hit in whole])
        )
    else:
        dialect = await _dialect(session)
        scopes = await readers_scopes(session, viewer, policy)
        found = statement(
            viewer,
            query,
            replace(filters, types=None),
            dialect=dialect,
            band=None,
            limit=COUNT_CAP + 1,
            columns=lambda entries: (entries.c.kind, space_of_entry(entries)),
            policy=policy,
            scopes=scopes,
            in_ranges_below=await _ranges_below(session, dialect, query, scopes),
        )
    rows = (await session.execute(found)).all() if whole != [] else []
    capped = len(rows) > COUNT_CAP
    rows = rows[:COUNT_CAP]
    types = Counter(SearchKind(kind) for kind, _space in rows)
    kept = [space_id for kind, space_id in rows if filters.types is None or kind in filters.types]
    top = Counter(space_id for space_id in kept if space_id is not None).most_common(TOP_SPACES)
    names = (
        dict(
            (
                await session.execute(
                    select(Space.id, Space.name).where(Space.id.in_([s for s, _n in top]))
                )
            ).all()
        )
        if top
        else {}
    )
    return Facets(
        total=len(kept),
        capped=capped,
        types=dict(types),
        spaces=[(space_id, names[space_id], count) for space_id, count in top],
    )


def title_prefix(query: Query) -> ColumnElement[bool]:
    """Titles holding every word and a word starting with the prefix: a scan of
    the few entries that have titles of a kind (people, spaces, pages: the
    unique index on (kind, item_id) reads them), not of the full-text index,
    whose doclists for a two-letter prefix cover most posts."""
    padded = " " + SearchEntry.title_terms + " "
    conditions = [
        or_(*(padded.contains(f" {form} ") for form in term.forms))
        if isinstance(term, Word)
        else padded.contains(" " + " ".join(term.words) + " ")
        for term in query.terms
    ]
    if query.prefix:
        conditions.append(padded.contains(f" {query.prefix}"))
    return and_(*conditions)


async def suggest(
    session: AsyncSession, *, viewer: User, query: Query, policy: bool = True
) -> dict[SearchKind, list[int]]:
    """Item ids of people, spaces and pages whose title the query starts,
    newest first, a few of each. Newest by item id: a backward walk of one
    kind's entries in the unique index on (kind, item_id), where the entry id's
    order made both databases scan every entry (a second and more for a kind
    with no match, on the 1M-post company).

    Planned once per statement and connection (``force_generic_plan``), not
    for each prefix as results are: whatever is typed, the plan is that walk,
    and planning the policy at every keystroke was half a contractor's
    statement (0.63 → 0.46 ms each, on PostgreSQL). The mode holds for the
    rest of the transaction: a statement that wants its values planned runs
    before."""
    found: dict[SearchKind, list[int]] = {}
    if not (query.terms or query.prefix):
        return {kind: [] for kind in SUGGESTED_KINDS}
    await plan_statements(session, "force_generic_plan")
    for kind in SUGGESTED_KINDS:
        wanted = (
            select(*hits_columns(ENTRIES))
            .where(SearchEntry.kind == kind, title_prefix(query))
            .order_by(SearchEntry.item_id.desc())
        )
        if policy:
            # Not a bare EXISTS: PostgreSQL would make it a join and plan the
            # candidates for all their rows (every person with the prefix, read
            # and sorted: 5 ms), where a filter lets it walk them newest first
            # for the few the limit wants.
            allowed = searchable_of_kind(viewer, kind, CANDIDATES).is_(True)
            wanted = _under_policy(
                viewer, wanted, allowed, lambda entries: (entries.c.item_id,), SUGGESTIONS_EACH
            )
        else:
            wanted = wanted.with_only_columns(SearchEntry.item_id).limit(SUGGESTIONS_EACH)
        found[kind] = list(await session.scalars(wanted))
    return found
