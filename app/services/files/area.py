"""A space's files area: folders, and documents whose versions are files.

Folders are seen by whoever may read the space's content; a document is content
like a post (a level, an audience) and is read through ``access.readable``, its
files through ``access.readable_files``. Members who may write in the space
create folders and upload; a document's or a folder's own writer, and the
space's moderators, rename and move it; deleting a folder and anyone else's
document is for moderators.

Names are unique per folder (``space_documents``' unique key on ``folder_key``),
but what a viewer sees must never depend on what they may not read: a document
they may not read does not hold its name against them. So a document takes its
folder's place (``folder_key`` = the folder's id, 0 at the root) when no other
document holds it, and otherwise a key of its own, minus the id of its first
version's file (no other document has it); a deleted document gives its place
back the same way. Uploading a file under the name of a document the uploader
may read makes a new version of it; any other name (or a namesake they may not
read) makes a new document.
"""

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, literal, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import (
    check_can_write_in,
    check_no_write_up,
    check_not_below,
    default_level_for,
    knowable_among,
    readable,
    readable_spaces,
)
from app.config import Settings
from app.db import serialise_on
from app.errors import Conflict, Invalid, NotFound
from app.files import kinds
from app.files.store import Store
from app.files.upload import ReceivedFile
from app.i18n import _
from app.levels import Level
from app.models import (
    Blob,
    FilePurpose,
    Space,
    SpaceDocument,
    SpaceFolder,
    SpaceRole,
    StoredFile,
    User,
)
from app.models.base import utcnow
from app.services.compose import _allows
from app.services.files.attachments import check_space_quota
from app.services.files.uploads import FileView, store_upload
from app.services.posts import _check_may_moderate
from app.services.spaces import role_in

# A tree a person can still find their way in, and a breadcrumb that fits a page.
MAX_DEPTH = 20
# The folders of one folder are listed whole: they are bounded.
MAX_FOLDERS_IN_FOLDER = 500
MAX_FOLDER_NAME = 200
_CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@dataclass(frozen=True)
class FilesArea:
    """A space's files area as the viewer stands in it: the space (whose content
    they may read) and their role there."""

    space: Space
    role: SpaceRole | None

    def may_write(self, viewer: User) -> bool:
        return _allows(_check_may_write, viewer, self)

    def may_moderate(self, viewer: User) -> bool:
        return _allows(_check_may_moderate_in, viewer, self)

    def may_change(self, viewer: User, owner_id: int | None) -> bool:
        """Renaming and moving a document or folder: its own writer, or a moderator."""
        return _allows(_check_may_change, viewer, self, owner_id)


@dataclass(frozen=True)
class DocumentView:
    """A document with its current version; ``uploader`` (of that version) and
    ``author_id`` only when the viewer may know of them."""

    document: SpaceDocument
    current: FileView
    uploader: User | None
    author_id: int | None


@dataclass(frozen=True)
class VersionView:
    version: int
    file: FileView
    uploader: User | None


@dataclass(frozen=True)
class FolderListing:
    area: FilesArea
    folder: SpaceFolder | None
    # The folders from the root down to ``folder``, itself included.
    path: list[SpaceFolder]
    folders: list[SpaceFolder]
    # One more than asked when another page follows.
    documents: list[DocumentView]


# --- reaching the area, its folders and documents -----------------------------------


async def open_area(session: AsyncSession, *, viewer: User, space_id: int) -> FilesArea:
    """The files area of a space whose content the viewer may read; NotFound
    otherwise (a secret space's folders are as missing as the space)."""
    space = await session.scalar(select(Space).where(Space.id == space_id, readable_spaces(viewer)))
    if space is None:
        raise NotFound()
    return FilesArea(space, await role_in(session, space_id=space.id, user_id=viewer.id))


async def access_folder(
    session: AsyncSession, *, viewer: User, folder_id: int
) -> tuple[FilesArea, SpaceFolder]:
    """A folder of a space whose content the viewer may read, with its area."""
    folder = await session.scalar(
        select(SpaceFolder)
        .join(Space, Space.id == SpaceFolder.space_id)
        .where(SpaceFolder.id == folder_id, readable_spaces(viewer))
    )
    if folder is None:
        raise NotFound()
    return await open_area(session, viewer=viewer, space_id=folder.space_id), folder


async def access_document(
    session: AsyncSession, *, viewer: User, document_id: int
) -> SpaceDocument:
    """A live document the viewer may read; the same NotFound for a missing,
    deleted or hidden one."""
    document = await session.scalar(
        select(SpaceDocument).where(
            SpaceDocument.id == document_id,
            SpaceDocument.deleted_at.is_(None),
            readable(viewer, SpaceDocument),
        )
    )
    if document is None:
        raise NotFound()
    return document


async def _document_in_area(
    session: AsyncSession, viewer: User, document_id: int
) -> tuple[FilesArea, SpaceDocument]:
    document = await access_document(session, viewer=viewer, document_id=document_id)
    return await open_area(session, viewer=viewer, space_id=document.space_id), document


async def _folder_of_area(
    session: AsyncSession, area: FilesArea, folder_id: int | None
) -> SpaceFolder | None:
    """The folder a request names to put something in: one of the area's own;
    any other id (missing, of another space) is refused alike."""
    if folder_id is None:
        return None
    folder = await session.scalar(
        select(SpaceFolder).where(
            SpaceFolder.id == folder_id, SpaceFolder.space_id == area.space.id
        )
    )
    if folder is None:
        raise Invalid(_("This folder is not one of this space's."), code="unknown_folder")
    return folder


# --- checks ---------------------------------------------------------------------------


def _check_may_write(viewer: User, area: FilesArea) -> None:
    check_can_write_in(viewer, area.space, area.role)


def _check_may_moderate_in(viewer: User, area: FilesArea) -> None:
    """Moderating needs the right to write there too: an archived space is read-only."""
    _check_may_write(viewer, area)
    _check_may_moderate(viewer, area.space, area.role)


def _check_may_change(viewer: User, area: FilesArea, owner_id: int | None) -> None:
    if owner_id == viewer.id:
        _check_may_write(viewer, area)
    else:
        _check_may_moderate_in(viewer, area)


def check_name(given: str) -> str:
    """A folder's or document's name as typed: trimmed, and refused blank, too
    long, or holding what would read as a path (``/``, ``\\``, ``..``) or a
    control character."""
    name = unicodedata.normalize("NFC", given).strip()
    if not name:
        raise Invalid(_("A name is needed."), code="blank")
    if len(name) > MAX_FOLDER_NAME:
        raise Invalid(
            _("A name may be {count} characters long at most.").format(count=MAX_FOLDER_NAME),
            code="bad_name",
        )
    if (
        name in (".", "..")
        or "/" in name
        or "\\" in name
        or any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in name)
    ):
        raise Invalid(_("A name may not hold “/”, “\\” or control characters."), code="bad_name")
    return name


# --- the tree -------------------------------------------------------------------------


async def folder_path(session: AsyncSession, folder: SpaceFolder | None) -> list[SpaceFolder]:
    """The folders from the root down to ``folder``: one recursive query."""
    if folder is None:
        return []
    parent = aliased(SpaceFolder)
    chain = select(SpaceFolder.id, SpaceFolder.parent_id, literal(0).label("depth"))
    chain = chain.where(SpaceFolder.id == folder.id).cte("chain", recursive=True)
    chain = chain.union_all(
        select(parent.id, parent.parent_id, chain.c.depth + 1).where(parent.id == chain.c.parent_id)
    )
    return list(
        await session.scalars(
            select(SpaceFolder)
            .join(chain, chain.c.id == SpaceFolder.id)
            .order_by(chain.c.depth.desc())
        )
    )


def _subtree(folder: SpaceFolder):
    """The folder and every folder below it, with their depth under it (0: itself)."""
    child = aliased(SpaceFolder)
    tree = select(SpaceFolder.id, literal(0).label("depth"))
    tree = tree.where(SpaceFolder.id == folder.id).cte("subtree", recursive=True)
    return tree.union_all(select(child.id, tree.c.depth + 1).where(child.parent_id == tree.c.id))


async def _check_room_in(
    session: AsyncSession, area: FilesArea, parent: SpaceFolder | None, height: int = 1
) -> None:
    """A folder ``height`` levels deep fits under ``parent``: the tree stays
    within MAX_DEPTH, a folder within MAX_FOLDERS_IN_FOLDER."""
    if len(await folder_path(session, parent)) + height > MAX_DEPTH:
        raise Invalid(
            _("Folders may be nested {count} deep at most.").format(count=MAX_DEPTH),
            code="depth",
        )
    siblings = await session.scalar(
        select(func.count())
        .select_from(SpaceFolder)
        .where(SpaceFolder.space_id == area.space.id, _in_folder(SpaceFolder.parent_id, parent))
    )
    if siblings >= MAX_FOLDERS_IN_FOLDER:
        raise Invalid(
            _("A folder may hold {count} folders at most.").format(count=MAX_FOLDERS_IN_FOLDER),
            code="too_many_folders",
        )


def _in_folder(column, folder: SpaceFolder | None):
    return column.is_(None) if folder is None else column == folder.id


async def _check_folder_name_free(
    session: AsyncSession,
    area: FilesArea,
    parent: SpaceFolder | None,
    name: str,
    moving: SpaceFolder | None = None,
) -> None:
    """Folders are seen by every reader of the space: a namesake among them is a
    plain conflict. Writers of one name wait for each other."""
    await serialise_on(session, f"space-folder:{area.space.id}:{_key_of(parent)}:{name}")
    taken = await session.scalar(
        select(SpaceFolder.id).where(
            SpaceFolder.space_id == area.space.id,
            _in_folder(SpaceFolder.parent_id, parent),
            SpaceFolder.name == name,
            SpaceFolder.id != (moving.id if moving is not None else 0),
        )
    )
    if taken is not None:
        raise Conflict(
            _("A folder of this name is already here."), code="name_taken", folder_id=taken
        )


def _key_of(folder: SpaceFolder | None) -> int:
    return folder.id if folder is not None else 0


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


# --- reading ----------------------------------------------------------------------------


async def _current_files(
    session: AsyncSession, documents: list[SpaceDocument]
) -> dict[int, FileView]:
    if not documents:
        return {}
    rows = await session.execute(
        select(StoredFile, Blob)
        .join(Blob, Blob.sha256 == StoredFile.blob_sha256)
        .join(SpaceDocument, SpaceDocument.id == StoredFile.document_id)
        .where(
            StoredFile.document_id.in_([document.id for document in documents]),
            StoredFile.version == SpaceDocument.current_version,
        )
    )
    return {file.document_id: FileView(file, blob) for file, blob in rows.all()}


async def _people_shown(session: AsyncSession, viewer: User, user_ids) -> dict[int, User]:
    known = await knowable_among(session, viewer, user_ids)
    if not known:
        return {}
    return {user.id: user for user in await session.scalars(select(User).where(User.id.in_(known)))}


async def document_views(
    session: AsyncSession, *, viewer: User, documents: list[SpaceDocument]
) -> list[DocumentView]:
    """Documents the viewer may read, each with its current version and who
    uploaded it (when the viewer may know of them): three queries for a list."""
    current = await _current_files(session, documents)
    people = await _people_shown(
        session,
        viewer,
        [view.file.uploader_id for view in current.values()]
        + [document.author_id for document in documents],
    )
    return [
        DocumentView(
            document=document,
            current=current[document.id],
            uploader=people.get(current[document.id].file.uploader_id),
            author_id=document.author_id if document.author_id in people else None,
        )
        for document in documents
    ]


async def read_document(session: AsyncSession, *, viewer: User, document_id: int) -> DocumentView:
    document = await access_document(session, viewer=viewer, document_id=document_id)
    return (await document_views(session, viewer=viewer, documents=[document]))[0]


async def document_versions(
    session: AsyncSession,
    *,
    viewer: User,
    document_id: int,
    before: int | None = None,
    limit: int = 50,
) -> list[VersionView]:
    """The versions of a document the viewer may read, newest first (``before``:
    a version number, for the next page). All are read at the document's
    level, as downloadable as the current one."""
    document = await access_document(session, viewer=viewer, document_id=document_id)
    query = (
        select(StoredFile, Blob)
        .join(Blob, Blob.sha256 == StoredFile.blob_sha256)
        .where(StoredFile.document_id == document.id)
    )
    if before is not None:
        query = query.where(StoredFile.version < before)
    rows = (await session.execute(query.order_by(StoredFile.version.desc()).limit(limit))).all()
    people = await _people_shown(session, viewer, [file.uploader_id for file, _blob in rows])
    return [
        VersionView(file.version, FileView(file, blob), people.get(file.uploader_id))
        for file, blob in rows
    ]


async def list_folder(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    folder_id: int | None = None,
    after: tuple[str, int] | None = None,
    limit: int = 50,
) -> FolderListing:
    """A folder (None: the root) as the viewer may read it: its folders, and a
    page of its documents they may read, by name (``after``: the name and id
    of the last one of the previous page)."""
    area = await open_area(session, viewer=viewer, space_id=space_id)
    folder = None
    if folder_id is not None:
        folder = await session.scalar(
            select(SpaceFolder).where(
                SpaceFolder.id == folder_id, SpaceFolder.space_id == area.space.id
            )
        )
        if folder is None:
            raise NotFound()
    folders = await session.scalars(
        select(SpaceFolder)
        .where(SpaceFolder.space_id == area.space.id, _in_folder(SpaceFolder.parent_id, folder))
        .order_by(SpaceFolder.name, SpaceFolder.id)
    )
    documents = list(
        await session.scalars(_documents_in(viewer, area, folder, after=after, limit=limit))
    )
    return FolderListing(
        area=area,
        folder=folder,
        path=await folder_path(session, folder),
        folders=list(folders),
        documents=await document_views(session, viewer=viewer, documents=documents),
    )


def _documents_in(
    viewer: User,
    area: FilesArea,
    folder: SpaceFolder | None,
    *,
    after: tuple[str, int] | None,
    limit: int,
):
    """A page of the live documents of a folder the viewer may read, by name: the
    range of the space's unique key that holds the folder's place (in name
    order already), merged with its documents that hold a key of their own
    (deleted ones among them, all of the space's, which stay few)."""
    ranges = []
    for place in (
        SpaceDocument.folder_key == _key_of(folder),
        (SpaceDocument.folder_key < 0) & _in_folder(SpaceDocument.folder_id, folder),
    ):
        ranged = select(SpaceDocument.id).where(
            SpaceDocument.space_id == area.space.id,
            place,
            SpaceDocument.deleted_at.is_(None),
            readable(viewer, SpaceDocument),
        )
        if after is not None:
            ranged = ranged.where(tuple_(SpaceDocument.name, SpaceDocument.id) > tuple_(*after))
        ranged = ranged.order_by(SpaceDocument.name, SpaceDocument.id).limit(limit)
        ranges.append(select(ranged.subquery().c.id))
    merged = union_all(*ranges).subquery()
    return (
        select(SpaceDocument)
        .where(SpaceDocument.id.in_(select(merged.c.id)))
        .order_by(SpaceDocument.name, SpaceDocument.id)
        .limit(limit)
    )


async def folder_choices(
    session: AsyncSession, *, area: FilesArea
) -> list[tuple[SpaceFolder, str]]:
    """Every folder of the area with its path ("Projets / 2025"), for a form that
    moves something into one: in path order."""
    folders = list(
        await session.scalars(
            select(SpaceFolder)
            .where(SpaceFolder.space_id == area.space.id)
            .order_by(SpaceFolder.id)
        )
    )
    by_id = {folder.id: folder for folder in folders}

    def path_of(folder: SpaceFolder) -> list[str]:
        names = []
        while folder is not None and len(names) < MAX_DEPTH:
            names.append(folder.name)
            folder = by_id.get(folder.parent_id)
        return names[::-1]

    paths = {folder.id: path_of(folder) for folder in folders}
    ordered = sorted(folders, key=lambda folder: [name.casefold() for name in paths[folder.id]])
    return [(folder, " / ".join(paths[folder.id])) for folder in ordered]
