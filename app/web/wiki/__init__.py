"""Pages of the wikis: the company's at /wiki and each space's at
/spaces/{id}/wiki, served by the same routes (the place comes from the path).
``reading``: the tree, a page, the bin; ``writing``: the editor with a live
preview and the conflict screen, moves, deletion; ``history``: revisions and
diffs. ``common`` and ``screens`` hold what they share."""

from fastapi import APIRouter

from app.api.deps import ItemId, Session, Viewer
from app.services import wiki
from app.services.wiki.links import page_path
from app.web.routes import see_other
from app.web.wiki import history, reading, writing

router = APIRouter(include_in_schema=False)


@router.get("/wiki/pages/{page_id}")
async def page_by_id(page_id: ItemId, viewer: Viewer, session: Session):
    """Where notifications point: a page by its id, wherever it now lives."""
    page = await wiki.access_page(session, viewer=viewer, page_id=page_id)
    return see_other(page_path(page.space_id, page.slug))


# Declared last: the same pages for the company wiki and for each space's. The
# first route that matches answers: /new and /deleted before /{slug}.
for prefix in ("/wiki", "/spaces/{space_id}/wiki"):
    for part in (writing, history, reading):
        router.include_router(part.router, prefix=prefix)
