"""The search page: the results of the same service as ``GET /api/v1/search``
(app/services/search.py), with its facets as filters and a keyset "next page"
link. A #hashtag alone leads to its stream, which shows more than a list."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request

from app.api.deps import Session, Viewer
from app.api.pagination import decode_cursor, encode_cursor
from app.dates import end_of_day, start_of_day
from app.errors import Invalid
from app.i18n import _
from app.levels import Level
from app.markdown import HASHTAG_NAME, normalise_hashtag
from app.models import SearchKind
from app.schemas.common import MAX_ID
from app.search.engine import COUNT_CAP
from app.search.query import MAX_QUERY
from app.services import search
from app.web.routes import render, see_other
from app.web.stream_shared import page_link

router = APIRouter(include_in_schema=False)

RESULTS_PAGE = 20
# A form sends its empty fields as "": each filter is read as text, blank is "any".
Field = Annotated[str, Query(max_length=60)]


def _choice(kind, text: str):
    """An enumerated filter (a type, a level) from its form value; blank: any."""
    try:
        return kind(text) if text else None
    except ValueError as error:
        raise Invalid(_("This filter has no such value."), code="invalid_filter") from error


def _space(text: str) -> int | None:
    space_id = _choice(int, text)
    if space_id is not None and not 0 < space_id <= MAX_ID:
        raise Invalid(_("This filter has no such value."), code="invalid_filter")
    return space_id


@router.get("/search")
async def search_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
    type: Field = "",
    space: Field = "",
    author: Field = "",
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
    level: Field = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
):
    query = q.strip()
    chosen = {
        "q": query,
        "type": type,
        "space": space,
        "author": author.strip(),
        "from": since,
        "to": until,
        "level": level,
    }
    tag = normalise_hashtag(query[1:]) if query.startswith("#") else ""
    if HASHTAG_NAME.fullmatch(tag) and not any(chosen[name] for name in chosen if name != "q"):
        return see_other(f"/hashtags/{quote(tag)}")
    context = {
        "chosen": chosen,
        "found": None,
        "error": None,
        "cap": COUNT_CAP,
        # The page's address with one filter changed (and no cursor: page one).
        "link_with": lambda name, value: page_link("/search", **{**chosen, name: value}),
    }
    if query:
        try:
            found = await search.find(
                session,
                viewer=viewer,
                text=query,
                types=[_choice(SearchKind, type)] if type else None,
                space_id=_space(space),
                author=chosen["author"] or None,
                since=start_of_day(since),
                until=end_of_day(until),
                level=_choice(Level, level),
                after_key=decode_cursor(cursor),
                limit=RESULTS_PAGE,
            )
        except Invalid as error:
            context["error"] = error.message
        else:
            following = found.pop("following")
            context["found"] = found
            context["next_page"] = (
                page_link("/search", **chosen, cursor=encode_cursor(following))
                if following
                else None
            )
    return render(request, "search.html", status_code=422 if context["error"] else 200, **context)
