"""Keeping the search index in step with what is written, in the same transaction.

One listener on the ORM sessions of ``Database`` (``after_flush`` of
``IndexedSession``) sees the posts, comments, wiki pages, spaces, people,
files and calendar events a flush wrote — and the poll options, ideas (a
post's title row) and profile tags that belong to them — and writes their
``SearchEntry`` rows on the same connection, before the flush's transaction
can commit. No service has to remember it; a rollback takes the entries back
with the items.

What bypasses the ORM (the demo's and the benchmark's bulk writers: Core
INSERTs) is indexed by ``rebuild``, which ``ruche reindex`` runs and ``ruche
serve`` runs itself when the index is empty and content exists.

The entry's text is read back from the database after the flush, by the same
loaders ``rebuild`` uses: one way to turn an item into its index entry.

An edit updates the entry in place (an upsert keeps its id, which is the order
of results within a band, so an edit does not bring an old item to the top).
Soft deletion keeps the entry: the policy clause (``access.searchable``)
requires a live item, so the item leaves every result, count and suggestion in
the transaction that deletes it, and comes back as it was if restored. A hard
delete removes the entry.

File names are indexed, not file contents: no well-kept text extractor for PDF
or office documents is installed, and extracting inside the upload's
transaction would make it slow. Avatars are not indexed (a photo's name says
nothing of the person).
"""

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, delete, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.markdown import plain_text
from app.models import (
    CalendarEvent,
    Comment,
    FilePurpose,
    Idea,
    PollOption,
    Post,
    ProfileTag,
    SearchEntry,
    SearchKind,
    Space,
    StoredFile,
    User,
    WikiPage,
)
from app.search.scope import ANYWHERE, scope_of
from app.search.text import terms

MODELS: dict[SearchKind, type] = {
    SearchKind.POST: Post,
    SearchKind.COMMENT: Comment,
    SearchKind.PAGE: WikiPage,
    SearchKind.SPACE: Space,
    SearchKind.PERSON: User,
    SearchKind.FILE: StoredFile,
    SearchKind.EVENT: CalendarEvent,
}
KIND_OF = {model: kind for kind, model in MODELS.items()}
# What an entry's scope is made of (app.search.scope); a post's comments take it too.
SCOPE_ATTRIBUTES = ("level", "space_id")
# The attributes whose change changes the entry — its words, or its scope:
# anything else (a last-seen time, a pin) leaves it as it was.
INDEXED_ATTRIBUTES: dict[type, tuple[str, ...]] = {
    Post: ("body", *SCOPE_ATTRIBUTES),
    Comment: ("body",),
    WikiPage: ("title", "body", *SCOPE_ATTRIBUTES),
    Space: ("name", "description", "objective"),
    User: ("display_name", "handle", "job_title", "department", "site", "organisation", "bio"),
    StoredFile: ("name", "purpose"),
    CalendarEvent: ("title", "description", "place", *SCOPE_ATTRIBUTES),
}
# Rows that belong to an item and are part of its text: (kind, the owner's id).
PARTS = {
    PollOption: (SearchKind.POST, "post_id"),
    Idea: (SearchKind.POST, "post_id"),
    ProfileTag: (SearchKind.PERSON, "user_id"),
}
# The attributes of a part whose change changes its owner's entry, where not
# all do (an idea's status, its project, change no words).
PART_ATTRIBUTES: dict[type, tuple[str, ...]] = {Idea: ("title",)}
BATCH = 500


# --- what an item's entry holds ---------------------------------------------------


def _joined(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _posts(connection: Connection, ids: list[int]) -> Iterator[tuple[int, str, str, str]]:
    # An idea's title is the first line of its post's text, not a title: the
    # title band reads titled kinds alone (from the partial index
    # ``ix_search_entries_titled`` on PostgreSQL, app.search.engine), and a
    # post there would make every title search walk the posts. So an idea is
    # found by its title in the body band, as any post by its words.
    titles = dict(
        connection.execute(select(Idea.post_id, Idea.title).where(Idea.post_id.in_(ids))).all()
    )
    options: dict[int, list[str]] = defaultdict(list)
    for post_id, label in connection.execute(
        select(PollOption.post_id, PollOption.label)
        .where(PollOption.post_id.in_(ids))
        .order_by(PollOption.post_id, PollOption.position)
    ):
        options[post_id].append(label)
    for post_id, body, space_id, level in connection.execute(
        select(Post.id, Post.body, Post.space_id, Post.level).where(Post.id.in_(ids))
    ):
        text = _joined(titles.get(post_id, ""), plain_text(body), *options[post_id])
        yield post_id, "", text, scope_of(space_id, level)


def _comments(connection: Connection, ids: list[int]) -> Iterator[tuple[int, str, str, str]]:
    for comment_id, body, space_id, level in connection.execute(
        select(Comment.id, Comment.body, Post.space_id, Post.level).where(
            Comment.id.in_(ids), Post.id == Comment.post_id
        )
    ):
        yield comment_id, "", plain_text(body), scope_of(space_id, level)


def _pages(connection: Connection, ids: list[int]) -> Iterator[tuple[int, str, str, str]]:
    for page_id, title, body, space_id, level in connection.execute(
        select(WikiPage.id, WikiPage.title, WikiPage.body, WikiPage.space_id, WikiPage.level).where(
            WikiPage.id.in_(ids)
        )
    ):
        yield page_id, title, plain_text(body), scope_of(space_id, level)


def _spaces(connection: Connection, ids: list[int]) -> Iterator[tuple[int, str, str, str]]:
    for space_id, name, description, objective in connection.execute(
        select(Space.id, Space.name, Space.description, Space.objective).where(Space.id.in_(ids))
    ):
        yield space_id, name, _joined(plain_text(description), objective), ANYWHERE


def _people(connection: Connection, ids: list[int]) -> Iterator[tuple[int, str, str, str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    for user_id, name in connection.execute(
        select(ProfileTag.user_id, ProfileTag.name)
        .where(ProfileTag.user_id.in_(ids))
        .order_by(ProfileTag.user_id, ProfileTag.kind, ProfileTag.key)
    ):
        tags[user_id].append(name)
    for row in connection.execute(
        select(
            User.id,
            User.display_name,
            User.handle,
            User.job_title,
            User.department,
            User.site,
            User.organisation,
            User.bio,
        ).where(User.id.in_(ids), User.is_bot.is_(False))  # a bot is nobody to look for
    ):
        # " · " between the fields and between the tags, as the person's snippet shows them.
        about = " · ".join(
            filter(None, [row.job_title, row.department, row.site, row.organisation])
        )
        body = _joined(about, plain_text(row.bio), " · ".join(tags[row.id]))
        yield row.id, f"{row.display_name} {row.handle}", body, ANYWHERE


def _files(connection: Connection, ids: list[int]) -> Iterator[tuple[int, str, str, str]]:
    for file_id, name in connection.execute(
        select(StoredFile.id, StoredFile.name).where(
            StoredFile.id.in_(ids), StoredFile.purpose != FilePurpose.AVATAR
        )
    ):
        yield file_id, name, "", ANYWHERE


def _events(connection: Connection, ids: list[int]) -> Iterator[tuple[int, str, str, str]]:
    # A cancelled event keeps its entry: found, and shown cancelled, as its calendar shows it.
    for event_id, title, description, place, space_id, level in connection.execute(
        select(
            CalendarEvent.id,
            CalendarEvent.title,
            CalendarEvent.description,
            CalendarEvent.place,
            CalendarEvent.space_id,
            CalendarEvent.level,
        ).where(CalendarEvent.id.in_(ids))
    ):
        yield event_id, title, _joined(plain_text(description), place), scope_of(space_id, level)


LOADERS = {
    SearchKind.POST: _posts,
    SearchKind.COMMENT: _comments,
    SearchKind.PAGE: _pages,
    SearchKind.SPACE: _spaces,
    SearchKind.PERSON: _people,
    SearchKind.FILE: _files,
    SearchKind.EVENT: _events,
}


def shown_texts(connection: Connection, kind: SearchKind, ids: list[int]) -> dict[int, str]:
    """The text a result's snippet is cut from, by item id: what the item is
    indexed by (its body; a file, its name), so the snippet shows what matched."""
    return {
        item_id: body or title for item_id, title, body, _scope in LOADERS[kind](connection, ids)
    }


def entries(connection: Connection, kind: SearchKind, ids: list[int]) -> dict[int, dict]:
    """The index rows of these items, by item id (an item that is gone, or not
    indexed, has none)."""
    return {
        item_id: {
            "kind": kind,
            "item_id": item_id,
            "title_terms": terms(title),
            "body_terms": terms(body),
            "scope": scope,
        }
        for item_id, title, body, scope in LOADERS[kind](connection, ids)
    }


def _upsert(connection: Connection):
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(SearchEntry)
    return statement.on_conflict_do_update(
        index_elements=[SearchEntry.kind, SearchEntry.item_id],
        set_={
            "title_terms": statement.excluded.title_terms,
            "body_terms": statement.excluded.body_terms,
            "scope": statement.excluded.scope,
        },
    )


def write_entries(connection: Connection, kind: SearchKind, ids: Iterable[int]) -> None:
    """Brings the entries of these items in line with the items: written or
    updated in place, or removed when the item is gone."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        rows = entries(connection, kind, batch)
        if rows:
            connection.execute(_upsert(connection), list(rows.values()))
        gone = [item_id for item_id in batch if item_id not in rows]
        if gone:
            connection.execute(
                delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.item_id.in_(gone))
            )


# --- in step with the ORM -----------------------------------------------------------


def _changed(item, names: Iterable[str]) -> bool:
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in names)


def _flushed(session: Session) -> dict[SearchKind, set[int]]:
    """The items whose entry this flush changes, by kind (a post whose level or
    space changed: its comments too, which take its scope)."""
    touched: dict[SearchKind, set[int]] = defaultdict(set)
    for item in [*session.new, *session.dirty, *session.deleted]:
        kind = KIND_OF.get(type(item))
        if kind is not None:
            if (
                item in session.new
                or item in session.deleted
                or _changed(item, INDEXED_ATTRIBUTES[type(item)])
            ):
                touched[kind].add(item.id)
            if type(item) is Post and item not in session.new and _changed(item, SCOPE_ATTRIBUTES):
                touched[SearchKind.COMMENT].update(
                    session.connection().scalars(
                        select(Comment.id).where(Comment.post_id == item.id)
                    )
                )
        elif type(item) in PARTS:
            if (
                item not in session.new
                and item not in session.deleted
                and type(item) in PART_ATTRIBUTES
                and not _changed(item, PART_ATTRIBUTES[type(item)])
            ):
                continue
            owner_kind, owner_column = PARTS[type(item)]
            touched[owner_kind].add(getattr(item, owner_column))
    return touched


class IndexedSession(Session):
    """The ORM session of every ``Database`` (the app's, the CLI's, the tests'):
    each flush writes the search entries of what it wrote. A session of its
    own class rather than a listener on every ``Session``, so that a bare
    session over a schema older than the index (a migration test) flushes as
    it always did."""


@event.listens_for(IndexedSession, "after_flush")
def _index_flush(session: Session, _context) -> None:
    touched = _flushed(session)
    if not touched:
        return
    connection = session.connection()
    for kind, ids in touched.items():
        write_entries(connection, kind, {item_id for item_id in ids if item_id is not None})


# --- rebuilding everything ----------------------------------------------------------


def _keys(connection: Connection, kind: SearchKind) -> Iterator[tuple]:
    """(created_at, kind, id) of every item of a kind, oldest first, in batches."""
    model = MODELS[kind]
    after = 0
    while True:
        rows = connection.execute(
            select(model.created_at, model.id)
            .where(model.id > after)
            .order_by(model.id)
            .limit(BATCH * 4)
        ).all()
        if not rows:
            return
        for created_at, item_id in rows:
            yield created_at, kind.value, item_id
        after = rows[-1][1]


def rebuild(connection: Connection) -> int:
    """Empties the index and writes every item's entry, oldest first across
    kinds, so entry ids follow time as they do when items are written one by
    one. Returns the number of entries."""
    with _full_text_built_after(connection):
        connection.execute(delete(SearchEntry))
        merged = heapq.merge(*(_keys(connection, kind) for kind in SearchKind))
        written = 0
        batch: list[tuple] = []
        for key in merged:
            batch.append(key)
            if len(batch) == BATCH:
                written += _insert_in_order(connection, batch)
                batch = []
        if batch:
            written += _insert_in_order(connection, batch)
    return written


@contextmanager
def _full_text_built_after(connection: Connection) -> Iterator[None]:
    """SQLite: the FTS5 table built once from ``search_entries`` at the end
    ('rebuild', one segment per term) rather than by its triggers row by row:
    deleting a large index through them leaves a delete marker per row, which
    every insert after merges with — a rebuild of 100,000 entries took 500 s
    that way. The triggers are put back as they were, in the same transaction.
    PostgreSQL's generated column and GIN index need nothing."""
    if connection.dialect.name != "sqlite":
        yield
        return
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_entries'"
    ).all()
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    for _name, sql in triggers:
        connection.exec_driver_sql(sql)


def _insert_in_order(connection: Connection, keys: list[tuple]) -> int:
    by_kind: dict[SearchKind, list[int]] = defaultdict(list)
    for _created_at, kind, item_id in keys:
        by_kind[SearchKind(kind)].append(item_id)
    found = {kind: entries(connection, kind, ids) for kind, ids in by_kind.items()}
    rows = [
        found[SearchKind(kind)][item_id]
        for _created_at, kind, item_id in keys
        if item_id in found[SearchKind(kind)]
    ]
    if rows:
        connection.execute(SearchEntry.__table__.insert(), rows)
    return len(rows)


def needs_rebuild(connection: Connection) -> bool:
    """An empty index over a database that has content: after the upgrade that
    added search, or after a bulk load."""
    if connection.scalar(select(SearchEntry.id).limit(1)) is not None:
        return False
    return any(
        connection.scalar(select(func.count()).select_from(select(model.id).limit(1).subquery()))
        for model in (Post, WikiPage, Space, User)
    )
