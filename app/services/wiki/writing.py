"""Writing the wikis: creating, saving without ever losing an edit,
restoring a revision, deleting and restoring a page.

No lost update: a save names the revision it was based on. The page's
revision number is compared and bumped in one UPDATE, so of two saves based
on the same revision exactly one wins; the other gets a 409 with the current
text, what changed since its base, and a merge of both to start from.
"""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    check_can_edit_wiki,
    check_no_write_up,
    check_not_below,
    default_level_for,
    higher_level,
    readable_level,
)
from app.errors import Conflict, Forbidden, Invalid, non_blank
from app.i18n import _
from app.levels import Level
from app.models import User, WikiPage, WikiRevision
from app.models.base import utcnow
from app.services.content import audience_of, set_audience
from app.services.files.attachments import Attachments
from app.services.wiki.attachments import FileChanges, next_files, show_files
from app.services.wiki.links import claim_slug, lower_slug_level, record_links
from app.services.wiki.reading import access_page, deleted_page, get_revision, open_wiki
from app.services.wiki.tree import (
    check_within,
    children_of,
    fits_within,
    narrow_descendants,
    parent_in,
    place_among,
)
from app.services.wiki.watching import add_watch, announce, tell_watchers
from app.textdiff import three_way_merge, word_diff

MAX_TITLE = 200
MAX_BODY = 100_000
MAX_MESSAGE = 300


def _title(title: str) -> str:
    title = non_blank(title, _("A page needs a title."))
    if len(title) > MAX_TITLE:
        raise Invalid(_("A title has 200 characters at most."), code="title_too_long")
    return title


def _body(body: str) -> str:
    if len(body) > MAX_BODY:
        raise Invalid(_("A page has 100,000 characters at most."), code="body_too_long")
    return body


def _message(message: str) -> str:
    message = message.strip()
    if len(message) > MAX_MESSAGE:
        raise Invalid(_("A revision message has 300 characters at most."), code="message_too_long")
    return message


async def create_page(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int | None,
    title: str,
    body: str = "",
    parent_id: int | None = None,
    level: Level | None = None,
    audience: list[int] | None = None,
    message: str = "",
    attachments: Attachments | None = None,
) -> WikiPage:
    """A new page, at the end of its parent's children. It defaults to the
    wiki's level and its parent's level and audience, whichever is narrower.
    ``attachments``: the writer's new uploads, the files its first revision shows."""
    wiki = await open_wiki(session, viewer=viewer, space_id=space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    title, body, message = _title(title), _body(body), _message(message)
    parent = await parent_in(session, viewer, wiki, parent_id) if parent_id is not None else None
    default = wiki.space.default_level if wiki.space is not None else Level.INTERNAL
    if parent is not None:
        default = higher_level(default, parent.level)
        if audience is None and parent.has_audience:
            audience = sorted(await audience_of(session, parent))
    level = level or default_level_for(viewer, default)
    check_no_write_up(viewer, level)
    now = utcnow()
    page = WikiPage(
        space_id=wiki.space_id,
        author_id=viewer.id,
        level=level,
        title=title,
        slug="",
        parent_id=parent.id if parent is not None else None,
        body=body,
        revision=1,
        created_at=now,
        updated_at=now,
        updated_by_id=viewer.id,
    )
    session.add(page)
    await session.flush()
    await set_audience(session, page, audience, viewer=viewer)
    if parent is not None:
        await check_within(session, page, parent)
    # The slug's lock before the siblings' rows, in the order restore_page takes them.
    page.slug = await claim_slug(session, viewer=viewer, page=page)
    siblings = (await children_of(session, wiki.space_id)).get(page.parent_id, [])
    await place_among(session, page, siblings, len(siblings))
    revision = WikiRevision(
        page_id=page.id,
        level=page.level,
        number=1,
        title=title,
        body=body,
        message=message,
        author_id=viewer.id,
        created_at=now,
    )
    session.add(revision)
    shown = await next_files(
        session, viewer=viewer, page=page, base_number=None, changes=FileChanges(attachments)
    )
    await session.flush()
    await show_files(session, revision, shown.files)
    await record_links(session, viewer=viewer, page=page)
    await add_watch(session, page.id, viewer.id)
    await session.flush()
    await announce(session, page, "wiki.page.created", viewer)
    return page


async def save_page(
    session: AsyncSession,
    *,
    viewer: User,
    page_id: int,
    base_revision: int,
    title: str | None = None,
    body: str | None = None,
    message: str = "",
    level: Level | None = None,
    audience: list[int] | None = None,
    audience_given: bool = False,
    restored_from: int | None = None,
    files: FileChanges = FileChanges(),
) -> WikiPage:
    """A new revision of the page, if ``base_revision`` is still its current
    one (409 edit_conflict otherwise). Level and audience are changed by the page's
    author or a moderator only; raising the level raises the sub-pages below it.
    The new revision shows the files of the one it starts from (the restored
    one's, for a restore) changed by ``files``."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    new_title = _title(title) if title is not None else page.title
    new_body = _body(body) if body is not None else page.body
    message = _message(message)
    if base_revision != page.revision:
        raise await _conflict(session, viewer, page, base_revision, new_body)
    if (level is not None and level != page.level) or audience_given:
        if page.author_id != viewer.id and not wiki.may_moderate(viewer):
            raise Forbidden(
                _("Only the page's author and the moderators change who may read it."),
                code="not_author",
            )
        await _change_readers(session, viewer, page, level, audience, audience_given)
    shown = await next_files(
        session,
        viewer=viewer,
        page=page,
        base_number=restored_from or base_revision,
        changes=files,
    )
    unchanged = new_title == page.title and new_body == page.body and not shown.changed
    if unchanged and restored_from is None:
        await session.flush()
        return page
    won = await session.execute(
        update(WikiPage)
        .where(WikiPage.id == page.id, WikiPage.revision == base_revision)
        .values(revision=base_revision + 1)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        # Another save committed between our read and our write.
        await session.refresh(page)
        raise await _conflict(session, viewer, page, base_revision, new_body)
    now = utcnow()
    renamed = new_title != page.title
    page.revision = base_revision + 1
    page.title, page.body = new_title, new_body
    page.updated_at, page.updated_by_id = now, viewer.id
    if renamed:
        page.slug = await claim_slug(session, viewer=viewer, page=page)
    revision = WikiRevision(
        page_id=page.id,
        level=page.level,
        number=page.revision,
        title=new_title,
        body=new_body,
        message=message,
        author_id=viewer.id,
        restored_from=restored_from,
        created_at=now,
    )
    session.add(revision)
    await session.flush()
    await show_files(session, revision, shown.files)
    await record_links(session, viewer=viewer, page=page)
    await add_watch(session, page.id, viewer.id)
    await session.flush()
    await tell_watchers(session, page, viewer)
    await announce(session, page, "wiki.page.edited", viewer)
    return page


async def _change_readers(
    session: AsyncSession,
    viewer: User,
    page: WikiPage,
    level: Level | None,
    audience: list[int] | None,
    audience_given: bool,
) -> None:
    if level is not None:
        check_no_write_up(viewer, level)
        page.level = level
        await lower_slug_level(session, page)
        # The text shown now is declassified (or classified) with the page; the
        # earlier revisions keep the level they had.
        await session.execute(
            update(WikiRevision)
            .where(WikiRevision.page_id == page.id, WikiRevision.number == page.revision)
            .values(level=level)
        )
    if audience_given:
        await set_audience(session, page, audience, viewer=viewer)
    if page.parent_id is not None:
        await check_within(session, page, await session.get(WikiPage, page.parent_id))
    await narrow_descendants(session, page)


async def _conflict(
    session: AsyncSession, viewer: User, page: WikiPage, base_revision: int, mine: str
) -> Conflict:
    """What the editor needs to merge: the current revision, what changed
    since theirs, and both edits merged line by line (marked where they clash).
    A base the viewer may not read (its text had a level above their
    clearance) is never shown, not even as a diff or inside a merge: they get
    the current text only, ``diff`` and ``merged`` null."""
    if not 1 <= base_revision <= page.revision:
        return Invalid(_("This page has no such revision."), code="unknown_revision")
    base = await session.scalar(
        select(WikiRevision.body).where(
            WikiRevision.page_id == page.id,
            WikiRevision.number == base_revision,
            readable_level(viewer, WikiRevision.level),
        )
    )
    # The current revision's own time: the page's updated_at changes with a move too.
    saved_at, author = (
        await session.execute(
            select(WikiRevision.created_at, User.display_name)
            .outerjoin(User, User.id == WikiRevision.author_id)
            .where(WikiRevision.page_id == page.id, WikiRevision.number == page.revision)
        )
    ).one()
    diff = merged = None
    if base is not None:
        diff = [{"op": s.op, "text": s.text} for s in word_diff(base, page.body)]
        merge = three_way_merge(
            base, page.body, mine, labels=(_("their version"), _("your version"))
        )
        merged = {"body": merge.text, "clean": merge.clean}
    return Conflict(
        _("Someone saved this page since you opened it: merge your changes with theirs."),
        code="edit_conflict",
        current={
            "revision": page.revision,
            "title": page.title,
            "body": page.body,
            "author": author,
            "saved_at": saved_at.isoformat(),
        },
        diff=diff,
        merged=merged,
    )


async def restore_revision(
    session: AsyncSession,
    *,
    viewer: User,
    page_id: int,
    number: int,
    base_revision: int,
    message: str = "",
) -> WikiPage:
    """An old revision's title, text and files saved as a new revision: history
    only grows. Never below the level that text had: restoring a secret-era
    revision into a page lowered since would declassify it (write-down)."""
    old = await get_revision(session, viewer=viewer, page_id=page_id, number=number)
    page = await access_page(session, viewer=viewer, page_id=page_id)
    check_not_below(old.level, page.level)
    return await save_page(
        session,
        viewer=viewer,
        page_id=page_id,
        base_revision=base_revision,
        title=old.title,
        body=old.body,
        message=message or _("Restored revision %(number)s") % {"number": number},
        restored_from=number,
    )


async def delete_page(session: AsyncSession, *, viewer: User, page_id: int) -> None:
    """Soft: the page and its history stay for the moderators to restore. Its
    sub-pages move up to its parent, so that none disappears with it."""
    page = await access_page(session, viewer=viewer, page_id=page_id)
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    if page.author_id != viewer.id and not wiki.may_moderate(viewer):
        raise Forbidden(
            _("Only the page's author and the moderators may delete it."), code="not_author"
        )
    children = await children_of(session, page.space_id)
    siblings = children.get(page.parent_id, [])
    for child_id in children.get(page.id, []):
        child = await session.get(WikiPage, child_id)
        child.parent_id = page.parent_id
        await place_among(session, child, siblings, len(siblings))
        siblings = [*siblings, child_id]
    page.deleted_at, page.deleted_by_id = utcnow(), viewer.id
    await session.flush()
    await announce(session, page, "wiki.page.deleted", viewer)


async def restore_page(session: AsyncSession, *, viewer: User, page_id: int) -> WikiPage:
    """Back where it was if its parent still stands, at the top otherwise, under
    its own slug (a page that took that slug meanwhile keeps it too: slugs are
    not unique, lookups choose among what the reader may read). A parent raised while the page
    lay in the bin raises it too, as it did its live sub-pages; one whose
    audience was narrowed past it sends it to the top rather than keep a
    sub-page wider than itself."""
    page = await deleted_page(session, viewer=viewer, page_id=page_id)
    wiki = await open_wiki(session, viewer=viewer, space_id=page.space_id)
    check_can_edit_wiki(viewer, wiki.space, wiki.role)
    if page.parent_id is not None:
        parent = await session.get(WikiPage, page.parent_id)
        if parent is None or parent.deleted_at is not None:
            page.parent_id = None
        else:
            page.level = higher_level(page.level, parent.level)
            if not await fits_within(session, page, parent):
                page.parent_id = None
    page.deleted_at = page.deleted_by_id = None
    page.slug = await claim_slug(session, viewer=viewer, page=page, reuse_taken=True)
    siblings = (await children_of(session, page.space_id)).get(page.parent_id, [])
    await place_among(session, page, siblings, len(siblings))
    await session.flush()
    await announce(session, page, "wiki.page.restored", viewer)
    return page
