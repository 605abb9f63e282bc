"""The search of the navigation bar: people, spaces and wiki pages whose name or
text holds the words, each list filtered for the viewer by its own service (the
directories' and the wiki's); a #hashtag leads to its stream. Posts' text waits
for full-text search (ARCHITECTURE.md: FTS5 / tsvector), which will also rank."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request

from app.api.deps import Session, Viewer
from app.markdown import HASHTAG_NAME, normalise_hashtag
from app.services import people, spaces, wiki
from app.snippets import snippet
from app.web.routes import render, see_other

router = APIRouter(include_in_schema=False)

EACH = 8  # results of each kind; the kind's own page shows the rest


@router.get("/search")
async def search_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    q: Annotated[str, Query(max_length=100)] = "",
):
    query = q.strip()
    tag = normalise_hashtag(query[1:]) if query.startswith("#") else ""
    if HASHTAG_NAME.fullmatch(tag):
        return see_other(f"/hashtags/{quote(tag)}")
    found = {"people": [], "spaces": [], "pages": []}
    if query:
        found = {
            "people": await people.list_people(
                session, viewer=viewer, limit=EACH, after=None, query=query
            ),
            "spaces": await spaces.list_spaces(
                session, viewer=viewer, limit=EACH, after=None, query=query
            ),
            "pages": [
                (page, snippet(page.body, query))
                for page in await wiki.search_pages(session, viewer=viewer, query=query, limit=EACH)
            ],
        }
    return render(request, "search.html", q=query, each=EACH, **found)
