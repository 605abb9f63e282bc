"""Reading a wiki: its home (the tree, what changed, a search), a page, and
the bin."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.api.deps import Session, Viewer
from app.services import wiki
from app.services.wiki.templates import TEMPLATES
from app.snippets import snippet
from app.web.wiki.common import (
    RECENT,
    SEARCH_RESULTS,
    Done,
    Slug,
    WikiPlace,
    load_tree,
    page_at,
)
from app.web.wiki.screens import (
    show_page,
    wiki_page,
)

router = APIRouter()


# --- the wiki's home, search, the bin -------------------------------------------------------


@router.get("")
async def wiki_home(
    request: Request,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    q: Annotated[str, Query(max_length=200)] = "",
    done: Done = None,
):
    """The tree, what changed lately, and a search over this wiki."""
    tree = await load_tree(session, viewer, place.space_id)
    query = q.strip()
    results = []
    if query:
        found = await wiki.list_pages(
            session, viewer=viewer, space_id=place.space_id, query=query, limit=SEARCH_RESULTS
        )
        results = [(page, snippet(page.body, query)) for page in found]
    recent = sorted(tree.pages, key=lambda page: (page.updated_at, page.id), reverse=True)
    return await wiki_page(
        request,
        "wiki/index.html",
        viewer=viewer,
        place=place,
        tree=tree,
        side=False,  # the tree and the search are the page itself
        q=query,
        results=results,
        recent=recent[:RECENT],
        templates=list(TEMPLATES.values()),  # what an empty wiki offers to start from
        done=done,
    )


@router.get("/deleted")
async def wiki_bin(request: Request, viewer: Viewer, session: Session, place: WikiPlace):
    """Deleted pages, for the wiki's moderators to restore."""
    deleted = await wiki.list_deleted(session, viewer=viewer, space_id=place.space_id)
    people = await wiki.people_by_id(session, {page.deleted_by_id for page in deleted})
    return await wiki_page(
        request,
        "wiki/deleted.html",
        viewer=viewer,
        place=place,
        tree=await load_tree(session, viewer, place.space_id),
        deleted=deleted,
        people=people,
    )


# --- one page: reading and editing -----------------------------------------------------------


@router.get("/{slug}")
async def page_view(
    request: Request,
    slug: Slug,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    done: Done = None,
):
    page, moved = await page_at(request, session, viewer, place, slug)
    if moved is not None:
        return moved
    return await show_page(request, session, viewer, place, page, done=done)
