"""The files area's shapes, how its folders and documents are reached and
checked, and its tree of folders."""

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import (
    check_can_write_in,
    readable,
    readable_spaces,
)
from app.db import serialise_on
from app.errors import Conflict, Invalid, NotFound
from app.files import kinds
from app.i18n import _
from app.models import (
    Space,
    SpaceDocument,
    SpaceFolder,
    SpaceRole,
    StoredFile,
    User,
)
from app.services.compose import allows
from app.services.files.uploads import FileView, files_with_blobs
from app.services.posts import check_may_moderate_in
from app.services.spaces import role_in

# A tree a person can still find their way in, and a breadcrumb that fits a page.

MAX_DEPTH = 20
# The folders of one folder are listed whole: they are bounded.
MAX_FOLDERS_IN_FOLDER = 500
MAX_FOLDER_NAME = 200


@dataclass(frozen=True)
class FilesArea:
    """A space's files area as the viewer stands in it: the space (whose content
    they may read) and their role there."""

    space: Space
    role: SpaceRole | None

    def may_write(self, viewer: User) -> bool:
        return allows(_check_may_write, viewer, self)

    def may_moderate(self, viewer: User) -> bool:
        return allows(_check_may_moderate_in, viewer, self)

    def may_change(self, viewer: User, owner_id: int | None) -> bool:
        """Renaming and moving a document or folder: its own writer, or a moderator."""
        return allows(_check_may_change, viewer, self, owner_id)


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
    check_may_moderate_in(viewer, area.space, area.role)


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
    if name in (".", "..") or "/" in name or "\\" in name or any(map(kinds.is_control, name)):
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


async def _current_files(
    session: AsyncSession, documents: list[SpaceDocument]
) -> dict[int, FileView]:
    if not documents:
        return {}
    rows = await session.execute(
        files_with_blobs()
        .join(SpaceDocument, SpaceDocument.id == StoredFile.document_id)
        .where(
            StoredFile.document_id.in_([document.id for document in documents]),
            StoredFile.version == SpaceDocument.current_version,
        )
    )
    return {file.document_id: FileView(file, blob) for file, blob in rows.all()}
