"""The company wiki and the spaces' wikis: pages, history, diffs, backlinks."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.api.deps import AppSettings, ItemId, Session, Viewer
from app.api.files import file_read
from app.api.pagination import Cursor, decode_id_cursor, encode_cursor
from app.errors import Invalid
from app.i18n import _
from app.models import User, WikiPage, WikiRevision
from app.schemas.account import UserPublic
from app.schemas.common import NOT_BLANK, Page, RowId
from app.schemas.file import Attachments
from app.schemas.wiki import (
    MAX_REVISION,
    Body,
    DiffRead,
    PageCreate,
    PageDetail,
    PageMove,
    PageRead,
    PageUpdate,
    RemovedFiles,
    RevisionDetail,
    RevisionNumber,
    RevisionRead,
    RevisionRestore,
    SearchHit,
    TemplateRead,
    Watching,
)
from app.services import wiki
from app.services.files.attachments import Attachments as Uploads
from app.services.wiki.attachments import FileChanges, editor_files, revision_files
from app.services.wiki.links import backlinks, page_path, render_body
from app.services.wiki.templates import TEMPLATES, template_named
from app.snippets import snippet

router = APIRouter(tags=["wiki"])

PageLimit = Annotated[int, Query(ge=1, le=500, description="Items per page (1-500).")]
Number = Annotated[RevisionNumber, Path()]


class PreviewRequest(BaseModel):
    model_config = {"extra": "forbid"}

    space_id: RowId | None = None
    body: Body
    page_id: RowId | None = Field(
        default=None, description="The page being edited: its files resolve `attachment:`."
    )
    attachments: Attachments = Field(default_factory=list)
    remove_attachments: RemovedFiles = Field(default_factory=list)


class PreviewRead(BaseModel):
    html: str


def _fields(page: WikiPage, audiences: dict, positions: dict[int, int]) -> dict:
    audience = audiences.get(page.id)
    return {
        "id": page.id,
        "space_id": page.space_id,
        "title": page.title,
        "slug": page.slug,
        "url": page_path(page.space_id, page.slug),
        "parent_id": page.parent_id,
        "position": positions.get(page.id, 0),
        "level": page.level,
        "audience": [person.id for person in audience.known] if audience else None,
        "audience_others": audience.others if audience else 0,
        "revision": page.revision,
        "author_id": page.author_id,
        "created_at": page.created_at,
        "updated_at": page.updated_at,
        "updated_by_id": page.updated_by_id,
        "deleted_at": page.deleted_at,
    }


async def _field_sets(session, viewer: User, pages: list[WikiPage]) -> list[dict]:
    audiences = await wiki.audiences_for(session, viewer=viewer, pages=pages)
    positions = await wiki.positions_for(session, viewer=viewer, pages=pages)
    return [_fields(page, audiences, positions) for page in pages]


async def page_reads(session, viewer: User, pages: list[WikiPage]) -> list[PageRead]:
    return [PageRead(**fields) for fields in await _field_sets(session, viewer, pages)]


async def page_detail(session, viewer: User, page: WikiPage) -> PageDetail:
    place = await wiki.open_wiki(session, viewer=viewer, space_id=page.space_id)
    files = await revision_files(session, viewer=viewer, page_id=page.id, number=page.revision)
    return PageDetail(
        **(await _field_sets(session, viewer, [page]))[0],
        body=page.body,
        body_html=await render_body(
            session, viewer=viewer, space_id=page.space_id, body=page.body, files=files
        ),
        attachments=[file_read(view) for view in files],
        watching=await wiki.is_watching(session, viewer=viewer, page_id=page.id),
        can_edit=place.may_edit(viewer),
        can_moderate=place.may_moderate(viewer),
    )


async def _authors(session, revisions: list[WikiRevision]) -> dict[int, User]:
    ids = {revision.author_id for revision in revisions if revision.author_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in await session.scalars(select(User).where(User.id.in_(ids)))}


def _revision_cursor(cursor: str | None) -> int | None:
    """The revision number a page of history ends before (a forged cursor may
    hold any number a BIGINT would take)."""
    number = decode_id_cursor(cursor)
    if number is not None and number > MAX_REVISION:
        raise Invalid(_("The cursor is not valid."), code="invalid_cursor")
    return number


def _revision_fields(revision: WikiRevision, authors: dict[int, User]) -> dict:
    author = authors.get(revision.author_id)
    return {
        "number": revision.number,
        "title": revision.title,
        "message": revision.message,
        "author": UserPublic.model_validate(author) if author else None,
        "created_at": revision.created_at,
        "restored_from": revision.restored_from,
    }


# --- pages of one wiki -------------------------------------------------------------


async def _list(session, viewer, space_id, q, limit, cursor) -> dict:
    found = await wiki.list_pages(
        session,
        viewer=viewer,
        space_id=space_id,
        query=q,
        after_id=decode_id_cursor(cursor),
        limit=limit + 1,
    )
    more = len(found) > limit
    return {
        "items": await page_reads(session, viewer, found[:limit]),
        "next_cursor": encode_cursor(found[limit - 1].id) if more else None,
    }


async def _create(session, viewer, settings, space_id, data: PageCreate) -> PageDetail:
    title, body = data.title, data.body
    if data.template is not None:
        template = template_named(data.template)
        title = title or template.title(date.today())
        body = body if body is not None else template.body(date.today())
    if title is None:
        raise Invalid(_("A page needs a title."), code="blank")
    page = await wiki.create_page(
        session,
        viewer=viewer,
        space_id=space_id,
        title=title,
        body=body or "",
        parent_id=data.parent_id,
        level=data.level,
        audience=data.audience,
        message=data.message,
        attachments=Uploads.of(data.attachments, settings),
    )
    return await page_detail(session, viewer, page)


Query_ = Annotated[str | None, Query(max_length=200, description="In the title or the text.")]


@router.get("/wiki/pages", response_model=Page[PageRead])
async def company_pages(
    viewer: Viewer,
    session: Session,
    q: Query_ = None,
    limit: PageLimit = 500,
    cursor: Cursor = None,
):
    """The company wiki's pages the viewer may read, by id; arrange them by
    ``parent_id`` and ``position``."""
    return await _list(session, viewer, None, q, limit, cursor)


@router.post("/wiki/pages", response_model=PageDetail, status_code=201)
async def create_company_page(
    data: PageCreate, viewer: Viewer, session: Session, settings: AppSettings
):
    return await _create(session, viewer, settings, None, data)


@router.get("/spaces/{space_id}/wiki/pages", response_model=Page[PageRead])
async def space_pages(
    space_id: ItemId,
    viewer: Viewer,
    session: Session,
    q: Query_ = None,
    limit: PageLimit = 500,
    cursor: Cursor = None,
):
    return await _list(session, viewer, space_id, q, limit, cursor)


@router.post("/spaces/{space_id}/wiki/pages", response_model=PageDetail, status_code=201)
async def create_space_page(
    space_id: ItemId, data: PageCreate, viewer: Viewer, session: Session, settings: AppSettings
):
    return await _create(session, viewer, settings, space_id, data)


@router.get("/wiki/deleted", response_model=Page[PageRead])
async def company_bin(viewer: Viewer, session: Session):
    """Deleted pages of the company wiki, for administrators to restore."""
    found = await wiki.list_deleted(session, viewer=viewer, space_id=None)
    return {"items": await page_reads(session, viewer, found), "next_cursor": None}


@router.get("/spaces/{space_id}/wiki/deleted", response_model=Page[PageRead])
async def space_bin(space_id: ItemId, viewer: Viewer, session: Session):
    """Deleted pages of a space's wiki, for its moderators to restore."""
    found = await wiki.list_deleted(session, viewer=viewer, space_id=space_id)
    return {"items": await page_reads(session, viewer, found), "next_cursor": None}


# --- across wikis --------------------------------------------------------------------


@router.get("/wiki/templates", response_model=list[TemplateRead])
async def templates(viewer: Viewer):
    today = date.today()
    return [
        TemplateRead(name=t.name, label=str(t.label), title=t.title(today), body=t.body(today))
        for t in TEMPLATES.values()
    ]


@router.get("/wiki/search", response_model=Page[SearchHit])
async def search(
    viewer: Viewer,
    session: Session,
    q: Annotated[str, Query(min_length=1, max_length=200, pattern=NOT_BLANK)],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
):
    """Pages of every wiki the viewer may read whose title or text holds ``q``."""
    found = await wiki.search_pages(session, viewer=viewer, query=q, limit=limit)
    reads = await page_reads(session, viewer, found)
    return {
        "items": [
            SearchHit(**read.model_dump(), snippet=str(snippet(page.body, q.strip())))
            for read, page in zip(reads, found, strict=True)
        ],
        "next_cursor": None,
    }


@router.post("/wiki/preview", response_model=PreviewRead)
async def preview(data: PreviewRequest, viewer: Viewer, session: Session):
    """The editor's preview: the text rendered as it will be, links resolved,
    ``attachment:`` names among the page's files and your uploads to attach."""
    if data.space_id is not None:
        await wiki.open_wiki(session, viewer=viewer, space_id=data.space_id)
    page = None
    if data.page_id is not None:
        page = await wiki.access_page(session, viewer=viewer, page_id=data.page_id)
    files = await editor_files(
        session,
        viewer=viewer,
        page=page,
        upload_ids=data.attachments,
        removed=set(data.remove_attachments),
    )
    html = await render_body(
        session, viewer=viewer, space_id=data.space_id, body=data.body, files=files
    )
    return PreviewRead(html=html)


# --- one page ------------------------------------------------------------------------


@router.get("/wiki/pages/{page_id}", response_model=PageDetail)
async def get_page(page_id: ItemId, viewer: Viewer, session: Session):
    page = await wiki.access_page(session, viewer=viewer, page_id=page_id)
    return await page_detail(session, viewer, page)


@router.put("/wiki/pages/{page_id}", response_model=PageDetail)
async def save_page(
    page_id: ItemId, data: PageUpdate, viewer: Viewer, session: Session, settings: AppSettings
):
    """Saves a new revision based on ``base_revision``; 409 ``edit_conflict``
    when another save came first."""
    page = await wiki.save_page(
        session,
        viewer=viewer,
        page_id=page_id,
        base_revision=data.base_revision,
        title=data.title,
        body=data.body,
        message=data.message,
        level=data.level,
        audience=data.audience,
        audience_given="audience" in data.model_fields_set,
        files=FileChanges(
            added=Uploads.of(data.attachments, settings),
            removed=frozenset(data.remove_attachments),
        ),
    )
    return await page_detail(session, viewer, page)


@router.delete("/wiki/pages/{page_id}", status_code=204, response_class=Response)
async def delete_page(page_id: ItemId, viewer: Viewer, session: Session):
    await wiki.delete_page(session, viewer=viewer, page_id=page_id)
    return Response(status_code=204)


@router.post("/wiki/pages/{page_id}/restore", response_model=PageDetail)
async def restore_page(page_id: ItemId, viewer: Viewer, session: Session):
    page = await wiki.restore_page(session, viewer=viewer, page_id=page_id)
    return await page_detail(session, viewer, page)


@router.post("/wiki/pages/{page_id}/move", response_model=PageRead)
async def move_page(page_id: ItemId, data: PageMove, viewer: Viewer, session: Session):
    page = await wiki.move_page(
        session, viewer=viewer, page_id=page_id, parent_id=data.parent_id, position=data.position
    )
    (read,) = await page_reads(session, viewer, [page])
    return read


@router.get("/wiki/pages/{page_id}/backlinks", response_model=Page[PageRead])
async def page_backlinks(page_id: ItemId, viewer: Viewer, session: Session):
    """Pages that link here, among those the viewer may read."""
    page = await wiki.access_page(session, viewer=viewer, page_id=page_id)
    found = await backlinks(session, viewer=viewer, page=page)
    return {"items": await page_reads(session, viewer, found), "next_cursor": None}


@router.put("/wiki/pages/{page_id}/watch", response_model=Watching)
async def watch(page_id: ItemId, viewer: Viewer, session: Session):
    return Watching(watching=await wiki.watch(session, viewer=viewer, page_id=page_id, on=True))


@router.delete("/wiki/pages/{page_id}/watch", response_model=Watching)
async def unwatch(page_id: ItemId, viewer: Viewer, session: Session):
    return Watching(watching=await wiki.watch(session, viewer=viewer, page_id=page_id, on=False))


# --- history -------------------------------------------------------------------------


@router.get("/wiki/pages/{page_id}/revisions", response_model=Page[RevisionRead])
async def revisions(
    page_id: ItemId,
    viewer: Viewer,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Cursor = None,
):
    """Newest first."""
    found = await wiki.list_revisions(
        session, viewer=viewer, page_id=page_id, before=_revision_cursor(cursor), limit=limit + 1
    )
    authors = await _authors(session, found)
    return {
        "items": [RevisionRead(**_revision_fields(r, authors)) for r in found[:limit]],
        "next_cursor": encode_cursor(found[limit - 1].number) if len(found) > limit else None,
    }


@router.get("/wiki/pages/{page_id}/revisions/{number}", response_model=RevisionDetail)
async def revision(page_id: ItemId, number: Number, viewer: Viewer, session: Session):
    found = await wiki.get_revision(session, viewer=viewer, page_id=page_id, number=number)
    page = await wiki.access_page(session, viewer=viewer, page_id=page_id)
    files = await revision_files(session, viewer=viewer, page_id=page_id, number=number)
    return RevisionDetail(
        **_revision_fields(found, await _authors(session, [found])),
        body=found.body,
        body_html=await render_body(
            session, viewer=viewer, space_id=page.space_id, body=found.body, files=files
        ),
        attachments=[file_read(view) for view in files],
    )


@router.post("/wiki/pages/{page_id}/revisions/{number}/restore", response_model=PageDetail)
async def restore_revision(
    page_id: ItemId, number: Number, data: RevisionRestore, viewer: Viewer, session: Session
):
    """Saves revision ``number``'s title and text as a new revision."""
    page = await wiki.restore_revision(
        session,
        viewer=viewer,
        page_id=page_id,
        number=number,
        base_revision=data.base_revision,
        message=data.message,
    )
    return await page_detail(session, viewer, page)


@router.get("/wiki/pages/{page_id}/diff", response_model=DiffRead)
async def diff(
    page_id: ItemId,
    viewer: Viewer,
    session: Session,
    old: RevisionNumber | None = None,
    new: RevisionNumber | None = None,
):
    """Word by word, from ``old`` (default: the one before ``new``) to ``new``
    (default: the current revision)."""
    page = await wiki.access_page(session, viewer=viewer, page_id=page_id)
    new = new or page.revision
    old = old or max(1, new - 1)
    first, second, segments = await wiki.compare(
        session, viewer=viewer, page_id=page_id, old=old, new=new
    )
    authors = await _authors(session, [first, second])
    return DiffRead(
        page_id=page_id,
        old=RevisionRead(**_revision_fields(first, authors)),
        new=RevisionRead(**_revision_fields(second, authors)),
        segments=[{"op": s.op, "text": s.text} for s in segments],
    )
