"""What every wiki screen stands on: the wiki of the path (the company's or a
space's), the tree the viewer may read, and the page a slug or a form names.

Pages are addressed by slug for reading; an old slug redirects to the current
one. Forms post to the page's id, so that a rename between opening a form and
sending it never lands the edit on another page that took the old name."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.api.deps import Session, Viewer
from app.errors import Invalid, NotFound
from app.i18n import _
from app.levels import Level
from app.models import User, WikiPage
from app.schemas.common import MAX_ID
from app.services import spaces, wiki
from app.services.files.uploads import FileView
from app.services.spaces import SpaceView
from app.services.wiki import Wiki
from app.services.wiki.links import find_by_slug, page_path, render_body, wiki_path

MAX_TREE = 5000
HISTORY_PAGE = 50
SEARCH_RESULTS = 50
RECENT = 10
SPACE_ID = re.compile(r"[1-9][0-9]{0,18}")

Slug = Annotated[str, Path(min_length=1, max_length=200)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]
RevisionNumber = Annotated[int, Form(ge=1, le=2**31 - 1)]
Done = Annotated[str | None, Query(max_length=20)]


# --- where: the company wiki or a space's -------------------------------------------


@dataclass(frozen=True)
class Place:
    """A wiki as the viewer stands in it; ``view``: the space's, for its tabs."""

    wiki: Wiki
    view: SpaceView | None

    @property
    def space_id(self) -> int | None:
        return self.wiki.space_id

    @property
    def root(self) -> str:
        return wiki_path(self.space_id)

    @property
    def default_level(self) -> Level:
        return self.wiki.space.default_level if self.wiki.space is not None else Level.INTERNAL


async def wiki_place(request: Request, viewer: Viewer, session: Session) -> Place:
    """The wiki of the path. A space's wiki the viewer may not read is not found,
    like a space that does not exist for them."""
    given = request.path_params.get("space_id")
    if given is None:
        return Place(wiki=await wiki.open_wiki(session, viewer=viewer, space_id=None), view=None)
    if not SPACE_ID.fullmatch(given) or int(given) > MAX_ID:
        raise NotFound()
    view = await spaces.view_space(session, viewer=viewer, space_id=int(given))
    if not view.can_read_content:
        raise NotFound()
    opened = await wiki.open_wiki(session, viewer=viewer, space_id=view.space.id)
    return Place(wiki=opened, view=view)


WikiPlace = Annotated[Place, Depends(wiki_place)]


@dataclass(frozen=True)
class Rendered:
    """Wiki text as HTML for its reader, sanitised by the renderer (nh3): the
    templates mark only ``.body_html`` as safe."""

    body_html: str


async def rendered(
    session, viewer: User, space_id: int | None, body: str, files: Sequence[FileView] = ()
) -> Rendered:
    """``files``: those of the revision shown, which ``attachment:`` names."""
    return Rendered(
        await render_body(session, viewer=viewer, space_id=space_id, body=body, files=files)
    )


# --- the tree -------------------------------------------------------------------------


@dataclass
class Node:
    page: WikiPage
    children: list["Node"] = field(default_factory=list)


@dataclass
class Tree:
    """The pages of a wiki the viewer may read, arranged by parent and position.
    A page whose parent they may not read shows at the top."""

    roots: list[Node]
    nodes: dict[int, Node]

    @property
    def pages(self) -> list[WikiPage]:
        return [node.page for node in self.nodes.values()]

    def ancestors(self, page: WikiPage) -> list[WikiPage]:
        found, seen, parent_id = [], {page.id}, page.parent_id
        while parent_id in self.nodes and parent_id not in seen:
            seen.add(parent_id)
            found.append(self.nodes[parent_id].page)
            parent_id = self.nodes[parent_id].page.parent_id
        return found[::-1]

    def children(self, page: WikiPage) -> list[WikiPage]:
        node = self.nodes.get(page.id)
        return [child.page for child in node.children] if node else []

    def outline(self, *, leaving_out: int | None = None) -> list[tuple[int, WikiPage]]:
        """(depth, page) in reading order; without ``leaving_out`` and what is under
        it (where a page cannot be moved)."""
        found: list[tuple[int, WikiPage]] = []
        stack = [(0, node) for node in reversed(self.roots)]
        while stack:
            depth, node = stack.pop()
            if node.page.id == leaving_out:
                continue
            found.append((depth, node.page))
            stack.extend((depth + 1, child) for child in reversed(node.children))
        return found


async def load_tree(session, viewer: User, space_id: int | None) -> Tree:
    found = await wiki.list_tree(session, viewer=viewer, space_id=space_id, limit=MAX_TREE)
    nodes = {page.id: Node(page) for page in found}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.page.parent_id)
        (parent.children if parent is not None else roots).append(node)
    return Tree(roots=roots, nodes=nodes)


# --- finding a page ---------------------------------------------------------------------


async def page_at(
    request: Request, session, viewer: User, place: Place, slug: str, rest: str = ""
) -> tuple[WikiPage, Response | None]:
    """The page named by ``slug``, and a redirect when that is an old name."""
    page = await find_by_slug(session, viewer=viewer, space_id=place.space_id, slug=slug)
    if page.slug == slug:
        return page, None
    target = page_path(place.space_id, page.slug) + rest
    if request.url.query:
        target += f"?{request.url.query}"
    moved = RedirectResponse(target, status_code=301)
    # The old name may later go to another page: no browser keeps this for ever.
    moved.headers["Cache-Control"] = "no-store"
    return page, moved


async def form_page(session, viewer: User, place: Place, page_id: int) -> WikiPage:
    """The page a form names, if it is one of this wiki's and readable."""
    page = await wiki.access_page(session, viewer=viewer, page_id=page_id)
    if page.space_id != place.space_id:
        raise NotFound()
    return page


def row_id(text: str) -> int | None:
    text = text.strip()
    if not re.fullmatch(r"[0-9]{1,19}", text) or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)


def parent_choice(text: str) -> int | None:
    """The top of the wiki (an empty choice) or a page's id."""
    if not text.strip():
        return None
    chosen = row_id(text)
    if chosen is None:
        raise Invalid(_("Choose a parent page from the list."), code="parent")
    return chosen
