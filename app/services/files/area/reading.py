"""Reading a space's files area: a folder's listing, a document and its versions."""

from sqlalchemy import select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    knowable_among,
    readable,
)
from app.errors import NotFound
from app.models import (
    SpaceDocument,
    SpaceFolder,
    StoredFile,
    User,
)

# A tree a person can still find their way in, and a breadcrumb that fits a page.
from app.services.files.area.tree import (
    MAX_DEPTH,
    DocumentView,
    FilesArea,
    FolderListing,
    VersionView,
    _current_files,
    _in_folder,
    _key_of,
    access_document,
    folder_path,
    open_area,
)
from app.services.files.uploads import FileView, files_with_blobs

# --- reading ----------------------------------------------------------------------------


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
    query = files_with_blobs().where(StoredFile.document_id == document.id)
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
