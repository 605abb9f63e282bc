"""The files of the wikis, kept per revision (``WikiRevisionFile``): a
revision, current or old, shows the files it had, and a restored revision its
own. A save's new files are the writer's own uploads (``take_uploads``); one
named like a file the page shows takes its place in the new revision (the
earlier one stays with the revisions that had it), so that ``attachment:plan.png``
in the text always names one file. Who may read them is decided by
``access.readable_files`` alone: the page's rule now, and the level of a
revision that shows them."""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import readable_files
from app.errors import Invalid
from app.i18n import _
from app.markdown import AttachmentHref
from app.models import StoredFile, User, WikiPage, WikiRevision, WikiRevisionFile
from app.services.files.attachments import (
    FileChanges,
    check_space_quota,
    pending_uploads,
    take_uploads,
)
from app.services.files.uploads import FileView, content_url, files_with_blobs

T = TypeVar("T")


@dataclass(frozen=True)
class NextFiles:
    """The files a new revision will show, and whether they differ from those of
    the revision it starts from (a save of new files alone makes a revision)."""

    files: list[StoredFile]
    changed: bool


def _in_revision(page_id: int, number: int):
    return (
        StoredFile.id == WikiRevisionFile.file_id,
        WikiRevision.id == WikiRevisionFile.revision_id,
        WikiRevision.page_id == page_id,
        WikiRevision.number == number,
    )


async def revision_files(
    session: AsyncSession, *, viewer: User, page_id: int, number: int
) -> list[FileView]:
    """The files revision ``number`` of a page shows, in order, those the viewer
    may read (all of them, for a reader of that revision)."""
    rows = await session.execute(
        files_with_blobs()
        .where(*_in_revision(page_id, number), readable_files(viewer))
        .order_by(StoredFile.position, StoredFile.id)
    )
    return [FileView(file, blob) for file, blob in rows.all()]


def replaced_by_name(shown: list[T], added: list[T], name: Callable[[T], str]) -> list[T]:
    """``shown`` then ``added``, a file of ``shown`` left out where one of
    ``added`` bears its name."""
    taking = {name(item) for item in added}
    return [item for item in shown if name(item) not in taking] + added


def attachment_links(files: Iterable[FileView]) -> dict[str, AttachmentHref]:
    """What ``attachment:<name>`` leads to in a text that shows ``files``: the
    access-checked download, and for an image its large preview."""
    return {
        view.file.name: AttachmentHref(
            href=content_url(view.file.id),
            image=(content_url(view.file.id, "large") if view.blob.has_previews else None),
        )
        for view in files
    }


async def next_files(
    session: AsyncSession,
    *,
    viewer: User,
    page: WikiPage,
    base_number: int | None,
    changes: FileChanges,
) -> NextFiles:
    """The files a new revision of ``page`` shows: those of revision
    ``base_number`` (None: a new page, none) but ``changes.removed``, then the
    new uploads, attached to the page here. A removed file that the base does
    not show, or two new files of one name, are refused (422)."""
    base: list[StoredFile] = []
    if base_number is not None:
        base = list(
            await session.scalars(
                select(StoredFile)
                .where(*_in_revision(page.id, base_number))
                .order_by(StoredFile.position, StoredFile.id)
            )
        )
    if not changes.removed <= {file.id for file in base}:
        raise Invalid(_("A file to remove is not one this page shows."), code="unknown_file")
    added: list[StoredFile] = []
    if changes.added is not None:
        added = await take_uploads(session, viewer=viewer, file_ids=changes.added.file_ids)
        if len({file.name for file in added}) != len(added):
            raise Invalid(
                _("Two of the new files have the same name: rename one of them."),
                code="duplicate_name",
            )
        await check_space_quota(
            session, quota_mb=changes.added.space_quota_mb, space_id=page.space_id, files=added
        )
        after = max((file.position for file in base), default=-1) + 1
        for position, file in enumerate(added, after):
            file.page_id, file.position = page.id, position
    kept = [file for file in base if file.id not in changes.removed]
    files = replaced_by_name(kept, added, lambda file: file.name)
    return NextFiles(files, changed=[f.id for f in files] != [f.id for f in base])


async def show_files(
    session: AsyncSession, revision: WikiRevision, files: list[StoredFile]
) -> None:
    """Records that ``revision`` (flushed) shows ``files``."""
    if files:
        await session.execute(
            insert(WikiRevisionFile),
            [{"revision_id": revision.id, "file_id": file.id} for file in files],
        )


async def editor_files(
    session: AsyncSession,
    *,
    viewer: User,
    page: WikiPage | None,
    upload_ids: Iterable[int],
    removed: Collection[int] = (),
) -> list[FileView]:
    """What a text being edited may name, for its preview: the files the page
    shows now (none for a new page) but ``removed``, and the writer's uploads to
    attach, which take the place of files of their names, as the save will."""
    shown = []
    if page is not None:
        shown = await revision_files(session, viewer=viewer, page_id=page.id, number=page.revision)
    kept = [view for view in shown if view.file.id not in removed]
    pending = await pending_uploads(session, viewer=viewer, file_ids=upload_ids)
    return replaced_by_name(kept, pending, lambda view: view.file.name)
