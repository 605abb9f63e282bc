"""Writing in a space's files area: folders made, renamed, moved and deleted;
documents uploaded (a same-name upload is a new version), edited, deleted."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    check_no_write_up,
    check_not_below,
    default_level_for,
    readable,
)
from app.config import Settings
from app.db import serialise_on
from app.errors import Conflict, Invalid
from app.files import kinds
from app.files.store import Store
from app.files.upload import ReceivedFile
from app.i18n import _
from app.levels import Level
from app.models import (
    FilePurpose,
    SpaceDocument,
    SpaceFolder,
    StoredFile,
    User,
)
from app.models.base import utcnow

# A tree a person can still find their way in, and a breadcrumb that fits a page.
from app.services.files.area.tree import (
    FilesArea,
    _check_folder_name_free,
    _check_may_change,
    _check_may_moderate_in,
    _check_may_write,
    _check_room_in,
    _current_files,
    _document_in_area,
    _folder_of_area,
    _in_folder,
    _key_of,
    _subtree,
    access_folder,
    check_name,
    folder_path,
    open_area,
)
from app.services.files.attachments import check_space_quota
from app.services.files.uploads import store_upload

# --- folders ---------------------------------------------------------------------------


async def create_folder(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    name: str,
    parent_id: int | None = None,
) -> SpaceFolder:
    area = await open_area(session, viewer=viewer, space_id=space_id)
    _check_may_write(viewer, area)
    name = check_name(name)
    parent = await _folder_of_area(session, area, parent_id)
    await _check_room_in(session, area, parent)
    await _check_folder_name_free(session, area, parent, name)
    folder = SpaceFolder(
        space_id=area.space.id,
        parent_id=parent.id if parent is not None else None,
        name=name,
        creator_id=viewer.id,
        created_at=utcnow(),
    )
    session.add(folder)
    await session.flush()
    return folder


async def edit_folder(
    session: AsyncSession,
    *,
    viewer: User,
    folder_id: int,
    name: str | None = None,
    parent_id: int | None = None,
    parent_given: bool = False,
) -> SpaceFolder:
    """Renames and/or moves a folder (``parent_given``, ``parent_id`` None: to the
    root), with what it holds; its creator or a moderator."""
    area, folder = await access_folder(session, viewer=viewer, folder_id=folder_id)
    _check_may_change(viewer, area, folder.creator_id)
    parent = await session.get(SpaceFolder, folder.parent_id) if folder.parent_id else None
    if parent_given:
        parent = await _folder_of_area(session, area, parent_id)
        await _check_move(session, area, folder, parent)
    name = check_name(name) if name is not None else folder.name
    await _check_folder_name_free(session, area, parent, name, moving=folder)
    folder.name = name
    folder.parent_id = parent.id if parent is not None else None
    await session.flush()
    return folder


async def _check_move(
    session: AsyncSession, area: FilesArea, folder: SpaceFolder, parent: SpaceFolder | None
) -> None:
    """Not into itself or below itself; and, going elsewhere, within the limits
    of the tree with everything below it."""
    if parent is not None and folder.id in {f.id for f in await folder_path(session, parent)}:
        raise Invalid(_("A folder cannot go inside itself."), code="cycle")
    if _key_of(parent) == (folder.parent_id or 0):
        return
    tree = _subtree(folder)
    height = await session.scalar(select(func.max(tree.c.depth) + 1))
    await _check_room_in(session, area, parent, height)


async def rename_folder(
    session: AsyncSession, *, viewer: User, folder_id: int, name: str
) -> SpaceFolder:
    return await edit_folder(session, viewer=viewer, folder_id=folder_id, name=name)


async def move_folder(
    session: AsyncSession, *, viewer: User, folder_id: int, parent_id: int | None
) -> SpaceFolder:
    return await edit_folder(
        session, viewer=viewer, folder_id=folder_id, parent_id=parent_id, parent_given=True
    )


async def delete_folder(session: AsyncSession, *, viewer: User, folder_id: int) -> None:
    """Moderators remove a folder and the folders below it. Documents never go
    with a folder: they move up to its parent, and those the moderator may read
    are deleted there (soft, as ``delete_document``); those hidden from them stay,
    for their readers, so that nobody removes what they may not read."""
    area, folder = await access_folder(session, viewer=viewer, folder_id=folder_id)
    _check_may_moderate_in(viewer, area)
    parent = await session.get(SpaceFolder, folder.parent_id) if folder.parent_id else None
    tree = _subtree(folder)
    held = list(
        await session.scalars(
            select(SpaceDocument)
            .where(SpaceDocument.folder_id.in_(select(tree.c.id)))
            .order_by(SpaceDocument.id)
        )
    )
    readable_ids = set(
        await session.scalars(
            select(SpaceDocument.id).where(
                SpaceDocument.id.in_([document.id for document in held]),
                readable(viewer, SpaceDocument),
            )
        )
    )
    now = utcnow()
    for document in held:
        if document.deleted_at is None and document.id in readable_ids:
            document.deleted_at = now
        document.folder_id = parent.id if parent is not None else None
        await _settle_key(session, document, parent)
    await session.flush()
    await session.delete(folder)
    await session.flush()


# --- documents --------------------------------------------------------------------------


async def _own_key(session: AsyncSession, document: SpaceDocument) -> int:
    """The key of a document that does not hold its folder's place: minus the id
    of its first version's file, which no other document has."""
    first = await session.scalar(
        select(func.min(StoredFile.id)).where(StoredFile.document_id == document.id)
    )
    return -first


async def _settle_key(
    session: AsyncSession, document: SpaceDocument, folder: SpaceFolder | None, own_key=None
) -> None:
    """Gives ``document`` its folder's place under its name when it is live and no
    other document holds it, else its own key. Writers of one name in one folder
    wait for each other."""
    await serialise_on(
        session, f"space-document:{document.space_id}:{_key_of(folder)}:{document.name}"
    )
    place = _key_of(folder)
    if document.deleted_at is None:
        holder = await session.scalar(
            select(SpaceDocument.id).where(
                SpaceDocument.space_id == document.space_id,
                SpaceDocument.folder_key == place,
                SpaceDocument.name == document.name,
                SpaceDocument.id != (document.id or 0),
            )
        )
        if holder is None:
            document.folder_key = place
            return
    document.folder_key = own_key if own_key is not None else await _own_key(session, document)


async def _readable_namesake(
    session: AsyncSession,
    viewer: User,
    area: FilesArea,
    folder: SpaceFolder | None,
    name: str,
    other_than: int = 0,
) -> SpaceDocument | None:
    """The live document of this name in ``folder`` the viewer may read: the one
    holding the folder's place first (namesakes exist only where one was hidden
    from a writer), then the oldest."""
    await serialise_on(session, f"space-document:{area.space.id}:{_key_of(folder)}:{name}")
    return await session.scalar(
        select(SpaceDocument)
        .where(
            SpaceDocument.space_id == area.space.id,
            _in_folder(SpaceDocument.folder_id, folder),
            SpaceDocument.name == name,
            SpaceDocument.id != other_than,
            SpaceDocument.deleted_at.is_(None),
            readable(viewer, SpaceDocument),
        )
        .order_by(SpaceDocument.folder_key.desc(), SpaceDocument.id)
        .limit(1)
    )


async def upload_document(
    session: AsyncSession,
    *,
    viewer: User,
    store: Store,
    settings: Settings,
    space_id: int,
    received: ReceivedFile,
    folder_id: int | None = None,
    level: Level | None = None,
) -> SpaceDocument:
    """A file into a folder: a new version of the document of its name that the
    viewer may read, else a new document at ``level`` (default: the space's,
    lowered to the writer's clearance). A new version is never less confidential
    than its document; a higher ``level`` raises the document (its writer's or
    a moderator's call)."""
    area = await open_area(session, viewer=viewer, space_id=space_id)
    _check_may_write(viewer, area)
    folder = await _folder_of_area(session, area, folder_id)
    if level is not None:
        check_no_write_up(viewer, level)
    view = await store_upload(
        session,
        viewer=viewer,
        store=store,
        settings=settings,
        received=received,
        purpose=FilePurpose.ATTACHMENT,
    )
    await check_space_quota(
        session, quota_mb=settings.space_quota_mb, space_id=area.space.id, files=[view.file]
    )
    now = utcnow()
    document = await _readable_namesake(session, viewer, area, folder, view.file.name)
    if document is None:
        document = SpaceDocument(
            space_id=area.space.id,
            folder_id=folder.id if folder is not None else None,
            name=view.file.name,
            level=level or default_level_for(viewer, area.space.default_level),
            author_id=viewer.id,
            current_version=1,
            created_at=now,
            updated_at=now,
        )
        await _settle_key(session, document, folder, own_key=-view.file.id)
        session.add(document)
        await session.flush()
    else:
        if level is not None and level is not document.level:
            check_not_below(document.level, level)
            _check_may_change(viewer, area, document.author_id)
            document.level = level
        document.current_version += 1
        document.updated_at = now
    view.file.document_id = document.id
    view.file.version = document.current_version
    await session.flush()
    return document


async def edit_document(
    session: AsyncSession,
    *,
    viewer: User,
    document_id: int,
    name: str | None = None,
    folder_id: int | None = None,
    folder_given: bool = False,
    level: Level | None = None,
) -> SpaceDocument:
    """Renames, moves (``folder_given``; ``folder_id`` None: to the root) or
    changes the level of a document: its author or a moderator, nobody above
    their own clearance. A namesake the viewer may read in the folder it goes to
    is a conflict; one hidden from them is not."""
    area, document = await _document_in_area(session, viewer, document_id)
    _check_may_change(viewer, area, document.author_id)
    folder = await _folder_of_area(session, area, document.folder_id)
    if folder_given:
        folder = await _folder_of_area(session, area, folder_id)
    if name is not None:
        current = await _current_files(session, [document])
        name = kinds.clean_name(
            check_name(name), kinds.kind_of(current[document.id].blob.content_type)
        )
    else:
        name = document.name
    if level is not None:
        check_no_write_up(viewer, level)
        document.level = level
    if _key_of(folder) != (document.folder_id or 0) or name != document.name:
        taken = await _readable_namesake(session, viewer, area, folder, name, document.id)
        if taken is not None:
            raise Conflict(
                _("A document of this name is already in this folder."),
                code="name_taken",
                document_id=taken.id,
            )
        document.name = name
        document.folder_id = folder.id if folder is not None else None
        await _settle_key(session, document, folder)
    document.updated_at = utcnow()
    await session.flush()
    return document


async def rename_document(
    session: AsyncSession, *, viewer: User, document_id: int, name: str
) -> SpaceDocument:
    return await edit_document(session, viewer=viewer, document_id=document_id, name=name)


async def move_document(
    session: AsyncSession, *, viewer: User, document_id: int, folder_id: int | None
) -> SpaceDocument:
    return await edit_document(
        session, viewer=viewer, document_id=document_id, folder_id=folder_id, folder_given=True
    )


async def delete_document(session: AsyncSession, *, viewer: User, document_id: int) -> None:
    """To the bin (``deleted_at``): its files answer 404 at once, and its name is
    free again in its folder. Its author or a moderator."""
    area, document = await _document_in_area(session, viewer, document_id)
    _check_may_change(viewer, area, document.author_id)
    document.deleted_at = utcnow()
    document.folder_key = await _own_key(session, document)
    await session.flush()
