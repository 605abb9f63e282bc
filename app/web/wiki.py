"""Pages of the wikis: the company's at /wiki and each space's at
/spaces/{id}/wiki, served by the same routes (the place comes from the path).
The tree, a page, its editor with a live preview, the conflict screen that
merges two edits instead of losing one, history, diffs, and the bin.

Pages are addressed by slug for reading; an old slug redirects to the current
one. Forms post to the page's id, so that a rename between opening a form and
sending it never lands the edit on another page that took the old name."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.access import check_can_edit_wiki, default_level_for, higher_level
from app.api.deps import MAX_ID, ItemId, Session, Viewer
from app.errors import AppError, Invalid, NotFound
from app.i18n import _
from app.levels import Level
from app.models import User, WikiPage
from app.services import compose, spaces, wiki
from app.services.content import audience_of
from app.services.spaces import SpaceView
from app.services.wiki import Wiki
from app.services.wiki_links import backlinks, find_by_slug, page_path, render_body, wiki_path
from app.services.wiki_templates import TEMPLATES, template_named
from app.web.routes import attempt, render, see_other
from app.web.spaces import space_tabs

# Registered twice, under /wiki and /spaces/{space_id}/wiki (see the end).
pages = APIRouter()
router = APIRouter(include_in_schema=False)

MAX_TREE = 5000
HISTORY_PAGE = 50
SEARCH_RESULTS = 50
RECENT = 10
SPACE_ID = re.compile(r"[1-9][0-9]{0,18}")

Slug = Annotated[str, Path(min_length=1, max_length=200)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]
RevisionNumber = Annotated[int, Form(ge=1, le=2**31 - 1)]
Done = Annotated[str | None, Query(max_length=20)]
# Looser than the service's limits: what is too long comes back beside the
# form, with everything typed, instead of an error page that loses it.
Title = Annotated[str, Form(max_length=1000)]
Text = Annotated[str, Form(max_length=200_000)]
Message = Annotated[str, Form(max_length=1000)]
Intent = Annotated[Literal["save", "preview"], Form()]


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


async def rendered(session, viewer: User, space_id: int | None, body: str) -> Rendered:
    return Rendered(await render_body(session, viewer=viewer, space_id=space_id, body=body))


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


async def _page_at(
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


async def _page_by_id(session, viewer: User, place: Place, page_id: int) -> WikiPage:
    """The page a form names, if it is one of this wiki's and readable."""
    page = await wiki.access_page(session, viewer=viewer, page_id=page_id)
    if page.space_id != place.space_id:
        raise NotFound()
    return page


def _row_id(text: str) -> int | None:
    text = text.strip()
    if not re.fullmatch(r"[0-9]{1,19}", text) or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)


def _parent_choice(text: str) -> int | None:
    """The top of the wiki (an empty choice) or a page's id."""
    if not text.strip():
        return None
    chosen = _row_id(text)
    if chosen is None:
        raise Invalid(_("Choose a parent page from the list."), code="parent")
    return chosen


# --- rendering ------------------------------------------------------------------------------


async def _wiki_page(
    request: Request,
    template: str,
    *,
    viewer: User,
    place: Place,
    tree: Tree,
    status_code: int = 200,
    page: WikiPage | None = None,
    **context,
) -> Response:
    """Every wiki page: its place (the space's tabs), the tree with the page
    shown (if any) and its ancestors, and what the viewer may do here."""
    return render(
        request,
        template,
        status_code=status_code,
        place=place,
        space=place.wiki.space,
        view=place.view,
        tabs=space_tabs(place.view) if place.view is not None else [],
        root=place.root,
        tree=tree,
        current=page,
        page=page,
        ancestors=tree.ancestors(page) if page is not None else [],
        may_edit=place.wiki.may_edit(viewer),
        may_moderate=place.wiki.may_moderate(viewer),
        **context,
    )


async def _show_page(
    request: Request,
    session,
    viewer: User,
    place: Place,
    page: WikiPage,
    *,
    done: str | None = None,
    error: AppError | None = None,
) -> Response:
    tree = await load_tree(session, viewer, place.space_id)
    audience = await audience_of(session, page)
    people = await wiki.people_by_id(
        session, {page.author_id, page.updated_by_id, *(audience or ())}
    )
    siblings = [
        node.page
        for node in (
            tree.nodes[page.parent_id].children if page.parent_id in tree.nodes else tree.roots
        )
    ]
    return await _wiki_page(
        request,
        "wiki/page.html",
        viewer=viewer,
        place=place,
        tree=tree,
        status_code=error.status if error is not None else 200,
        page=page,
        shown=await rendered(session, viewer, page.space_id, page.body),
        subpages=tree.children(page),
        linked_from=await backlinks(session, viewer=viewer, page=page),
        author=people.get(page.author_id),
        editor=people.get(page.updated_by_id),
        audience=[people[user_id] for user_id in sorted(audience or ()) if user_id in people],
        watching=await wiki.is_watching(session, viewer=viewer, page_id=page.id),
        may_delete=place.wiki.may_edit(viewer)
        and (page.author_id == viewer.id or place.wiki.may_moderate(viewer)),
        first=bool(siblings) and siblings[0].id == page.id,
        last=bool(siblings) and siblings[-1].id == page.id,
        parents=tree.outline(leaving_out=page.id),
        position=next((i for i, s in enumerate(siblings, 1) if s.id == page.id), 1),
        done=done,
        error=error.message if error is not None else None,
    )


def _gone(request: Request, *, title: str, body: str) -> Response:
    """A save to a page deleted meanwhile (or no longer readable): the same 404
    as any missing page, with the text its writer typed, to keep elsewhere."""
    return render(
        request, "wiki/gone.html", status_code=404, error=NotFound(), title=title, body=body
    )


def _editor_values(**given) -> dict:
    values = {
        "title": "",
        "body": "",
        "message": "",
        "level": None,
        "parent_id": None,
        "base_revision": None,
    }
    values.update(given)
    return values


async def _editor(
    request: Request,
    session,
    viewer: User,
    place: Place,
    *,
    values: dict,
    page: WikiPage | None = None,
    error: AppError | None = None,
    preview: Rendered | None = None,
    given_title: str = "",
) -> Response:
    """The editor of a new page (``page`` None) or of a page; after a refused
    save, again with everything typed; after a conflict, the conflict screen."""
    tree = await load_tree(session, viewer, place.space_id)
    conflict = error.detail if error is not None and error.code == "edit_conflict" else None
    may_set_level = page is None or page.author_id == viewer.id or place.wiki.may_moderate(viewer)
    levels = compose.writable_levels(viewer)
    if page is not None and page.level not in levels:
        may_set_level = False  # a level they could not choose again
    people = {}
    if page is not None:
        people = await wiki.people_by_id(session, {page.updated_by_id})
    return await _wiki_page(
        request,
        "wiki/edit.html",
        viewer=viewer,
        place=place,
        tree=tree,
        status_code=error.status if error is not None else 200,
        page=page,
        values=values,
        levels=levels if may_set_level else [],
        parents=tree.outline(),
        templates=list(TEMPLATES.values()),
        conflict=conflict,
        editor=people.get(page.updated_by_id) if page is not None else None,
        preview=preview,
        given_title=given_title,  # a red link's, kept when a template is chosen
        error=error.message if error is not None else None,
    )


# --- the wiki's home, search, the bin -------------------------------------------------------


@pages.get("")
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
        results = [(page, wiki.snippet(page.body, query)) for page in found]
    recent = sorted(tree.pages, key=lambda page: (page.updated_at, page.id), reverse=True)
    return await _wiki_page(
        request,
        "wiki/index.html",
        viewer=viewer,
        place=place,
        tree=tree,
        side=False,  # the tree and the search are the page itself
        q=query,
        results=results,
        recent=recent[:RECENT],
        done=done,
    )


@pages.get("/deleted")
async def wiki_bin(request: Request, viewer: Viewer, session: Session, place: WikiPlace):
    """Deleted pages, for the wiki's moderators to restore."""
    deleted = await wiki.list_deleted(session, viewer=viewer, space_id=place.space_id)
    people = await wiki.people_by_id(session, {page.deleted_by_id for page in deleted})
    return await _wiki_page(
        request,
        "wiki/deleted.html",
        viewer=viewer,
        place=place,
        tree=await load_tree(session, viewer, place.space_id),
        deleted=deleted,
        people=people,
    )


@pages.post("/pages/{page_id}/restore")
async def restore_deleted_page(
    request: Request, page_id: ItemId, viewer: Viewer, session: Session, place: WikiPlace
):
    page, error = await attempt(session, wiki.restore_page(session, viewer=viewer, page_id=page_id))
    if error is not None:
        return await _wiki_page(
            request,
            "wiki/deleted.html",
            viewer=viewer,
            place=place,
            tree=await load_tree(session, viewer, place.space_id),
            status_code=error.status,
            deleted=await wiki.list_deleted(session, viewer=viewer, space_id=place.space_id),
            people={},
            error=error.message,
        )
    return see_other(page_path(page.space_id, page.slug) + "?done=restored")


# --- a new page ------------------------------------------------------------------------------


@pages.get("/new")
async def new_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    title: Annotated[str, Query(max_length=200)] = "",
    parent: Annotated[str, Query(max_length=20)] = "",
    template: Annotated[str, Query(max_length=40)] = "",
):
    """The form of a new page: its title given by a red link, its parent by the
    page it hangs under, its text by a template."""
    check_can_edit_wiki(viewer, place.wiki.space, place.wiki.role)
    given_title, body = title, ""
    if template:
        chosen = template_named(template)
        title = title or await wiki.free_title(
            session, viewer=viewer, space_id=place.space_id, title=chosen.title(date.today())
        )
        body = chosen.body(date.today())
    level = place.default_level
    parent_id = _row_id(parent)
    if parent_id is not None:
        parent_page = await _page_by_id(session, viewer, place, parent_id)
        level = higher_level(level, parent_page.level)
    values = _editor_values(
        title=title,
        body=body,
        parent_id=parent_id,
        level=default_level_for(viewer, level),
        template=template,
    )
    return await _editor(request, session, viewer, place, values=values, given_title=given_title)


@pages.post("/new")
async def create_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    title: Title = "",
    body: Text = "",
    message: Message = "",
    parent_id: Annotated[str, Form(max_length=20)] = "",
    level: Annotated[Level | None, Form()] = None,
    template: Annotated[str, Form(max_length=40)] = "",
    intent: Intent = "save",
):
    values = _editor_values(
        title=title,
        body=body,
        message=message,
        parent_id=_row_id(parent_id),
        level=level,
        template=template,
    )
    if intent == "preview":
        preview = await rendered(session, viewer, place.space_id, body)
        return await _editor(request, session, viewer, place, values=values, preview=preview)
    try:
        parent = _parent_choice(parent_id)
        if template and not body.strip():
            # A template chosen but its text not loaded (the form sent as is).
            chosen = template_named(template)
            body = chosen.body(date.today())
            title = title.strip() or chosen.title(date.today())
    except Invalid as error:
        return await _editor(request, session, viewer, place, values=values, error=error)
    page, error = await attempt(
        session,
        wiki.create_page(
            session,
            viewer=viewer,
            space_id=place.space_id,
            title=title,
            body=body,
            parent_id=parent,
            level=level,
            message=message,
        ),
    )
    if error is not None:
        return await _editor(request, session, viewer, place, values=values, error=error)
    return see_other(page_path(page.space_id, page.slug) + "?done=created")


# --- one page: reading and editing -----------------------------------------------------------


@pages.get("/{slug}")
async def page_view(
    request: Request,
    slug: Slug,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    done: Done = None,
):
    page, moved = await _page_at(request, session, viewer, place, slug)
    if moved is not None:
        return moved
    return await _show_page(request, session, viewer, place, page, done=done)


@pages.get("/{slug}/edit")
async def edit_page(
    request: Request, slug: Slug, viewer: Viewer, session: Session, place: WikiPlace
):
    page, moved = await _page_at(request, session, viewer, place, slug, "/edit")
    if moved is not None:
        return moved
    check_can_edit_wiki(viewer, place.wiki.space, place.wiki.role)
    values = _editor_values(
        title=page.title, body=page.body, level=page.level, base_revision=page.revision
    )
    return await _editor(request, session, viewer, place, values=values, page=page)


@pages.post("/pages/{page_id}/edit")
async def save_page(
    request: Request,
    page_id: ItemId,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    base_revision: RevisionNumber,
    title: Title = "",
    body: Text = "",
    message: Message = "",
    level: Annotated[Level | None, Form()] = None,
    intent: Intent = "save",
):
    """A new revision; when someone saved since the editor opened, the conflict
    screen (409): their version, what they changed, and both edits merged in the
    editor, based on their revision, so that saving again keeps both."""
    try:
        page = await _page_by_id(session, viewer, place, page_id)
    except NotFound:
        return _gone(request, title=title, body=body)
    values = _editor_values(
        title=title, body=body, message=message, level=level, base_revision=base_revision
    )
    if intent == "preview":
        preview = await rendered(session, viewer, place.space_id, body)
        return await _editor(
            request, session, viewer, place, values=values, page=page, preview=preview
        )
    try:
        saved, error = await attempt(
            session,
            wiki.save_page(
                session,
                viewer=viewer,
                page_id=page.id,
                base_revision=base_revision,
                title=title,
                body=body,
                message=message,
                level=level,
            ),
        )
    except NotFound:
        return _gone(request, title=title, body=body)
    if error is None:
        return see_other(page_path(saved.space_id, saved.slug) + "?done=saved")
    page = await _page_by_id(session, viewer, place, page_id)
    if error.code == "edit_conflict":
        values.update(
            body=error.detail["merged"]["body"],
            base_revision=error.detail["current"]["revision"],
            mine=body,
            base=base_revision,
        )
    return await _editor(request, session, viewer, place, values=values, page=page, error=error)


@pages.post("/pages/{page_id}/watch")
async def watch_page(
    request: Request,
    page_id: ItemId,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    watching: Annotated[bool, Form()],
):
    page = await _page_by_id(session, viewer, place, page_id)
    await wiki.watch(session, viewer=viewer, page_id=page.id, on=watching)
    done = "watching" if watching else "unwatched"
    return see_other(page_path(page.space_id, page.slug) + f"?done={done}")


@pages.post("/pages/{page_id}/move")
async def move_page(
    request: Request,
    page_id: ItemId,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    shift: Annotated[Literal["up", "down", ""], Form()] = "",
    parent_id: Annotated[str, Form(max_length=20)] = "",
    position: Annotated[int, Form(ge=1, le=100_000)] = 100_000,
):
    """Up or down among its siblings, or under another parent at a position
    (1: first; beyond the last: last)."""
    page = await _page_by_id(session, viewer, place, page_id)
    if shift:
        call = wiki.shift_page(
            session, viewer=viewer, page_id=page.id, offset=-1 if shift == "up" else 1
        )
    else:
        try:
            parent = _parent_choice(parent_id)
        except Invalid as error:
            return await _show_page(request, session, viewer, place, page, error=error)
        call = wiki.move_page(
            session, viewer=viewer, page_id=page.id, parent_id=parent, position=position - 1
        )
    moved, error = await attempt(session, call)
    if error is not None:
        page = await _page_by_id(session, viewer, place, page_id)
        return await _show_page(request, session, viewer, place, page, error=error)
    return see_other(page_path(moved.space_id, moved.slug) + "?done=moved")


@pages.post("/pages/{page_id}/delete")
async def delete_page(
    request: Request, page_id: ItemId, viewer: Viewer, session: Session, place: WikiPlace
):
    """Into the bin; its sub-pages move up to its parent."""
    page = await _page_by_id(session, viewer, place, page_id)
    _nothing, error = await attempt(
        session, wiki.delete_page(session, viewer=viewer, page_id=page.id)
    )
    if error is not None:
        page = await _page_by_id(session, viewer, place, page_id)
        return await _show_page(request, session, viewer, place, page, error=error)
    return see_other(f"{place.root}?done=deleted")


# --- history ----------------------------------------------------------------------------------


async def _history(
    request: Request,
    session,
    viewer: User,
    place: Place,
    page: WikiPage,
    *,
    before: int | None = None,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    found = await wiki.list_revisions(
        session, viewer=viewer, page_id=page.id, before=before, limit=HISTORY_PAGE + 1
    )
    shown = found[:HISTORY_PAGE]
    tree = await load_tree(session, viewer, place.space_id)
    return await _wiki_page(
        request,
        "wiki/history.html",
        viewer=viewer,
        place=place,
        tree=tree,
        status_code=status_code,
        page=page,
        revisions=shown,
        people=await wiki.people_by_id(session, {revision.author_id for revision in shown}),
        older=shown[-1].number if len(found) > HISTORY_PAGE else None,
        done=done,
        error=error,
    )


@pages.get("/{slug}/history")
async def page_history(
    request: Request,
    slug: Slug,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    done: Done = None,
):
    """Every revision, newest first: who, when, why; two to compare; one to restore."""
    page, moved = await _page_at(request, session, viewer, place, slug, "/history")
    if moved is not None:
        return moved
    return await _history(request, session, viewer, place, page, before=before, done=done)


@pages.get("/{slug}/revisions/{number}")
async def page_revision(
    request: Request,
    slug: Slug,
    number: Number,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
):
    page, moved = await _page_at(request, session, viewer, place, slug, f"/revisions/{number}")
    if moved is not None:
        return moved
    revision = await wiki.get_revision(session, viewer=viewer, page_id=page.id, number=number)
    tree = await load_tree(session, viewer, place.space_id)
    people = await wiki.people_by_id(session, {revision.author_id})
    return await _wiki_page(
        request,
        "wiki/revision.html",
        viewer=viewer,
        place=place,
        tree=tree,
        page=page,
        revision=revision,
        author=people.get(revision.author_id),
        shown=await rendered(session, viewer, page.space_id, revision.body),
    )


@pages.post("/pages/{page_id}/revisions/{number}/restore")
async def restore_revision(
    request: Request,
    page_id: ItemId,
    number: Number,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    base_revision: RevisionNumber,
):
    """An old revision saved again as the newest: history only grows."""
    page = await _page_by_id(session, viewer, place, page_id)
    restored, error = await attempt(
        session,
        wiki.restore_revision(
            session, viewer=viewer, page_id=page.id, number=number, base_revision=base_revision
        ),
    )
    if error is None:
        return see_other(page_path(restored.space_id, restored.slug) + "?done=reverted")
    page = await _page_by_id(session, viewer, place, page_id)
    message = error.message
    if error.code == "edit_conflict":
        message = _(
            "Someone saved this page since you opened its history: look at the newest "
            "revision, then restore again if you still want to."
        )
    return await _history(
        request, session, viewer, place, page, error=message, status_code=error.status
    )


@pages.get("/{slug}/diff")
async def page_diff(
    request: Request,
    slug: Slug,
    viewer: Viewer,
    session: Session,
    place: WikiPlace,
    old: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    new: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
):
    """Word by word, from ``old`` (default: the one before ``new``) to ``new``
    (default: the current revision)."""
    page, moved = await _page_at(request, session, viewer, place, slug, "/diff")
    if moved is not None:
        return moved
    new = new or page.revision
    old = old or max(1, new - 1)
    if old > new:
        old, new = new, old
    first, second, segments = await wiki.compare(
        session, viewer=viewer, page_id=page.id, old=old, new=new
    )
    tree = await load_tree(session, viewer, place.space_id)
    return await _wiki_page(
        request,
        "wiki/diff.html",
        viewer=viewer,
        place=place,
        tree=tree,
        page=page,
        first=first,
        second=second,
        segments=segments,
        people=await wiki.people_by_id(session, {first.author_id, second.author_id}),
    )


@router.get("/wiki/pages/{page_id}")
async def page_by_id(page_id: ItemId, viewer: Viewer, session: Session):
    """Where notifications point: a page by its id, wherever it now lives."""
    page = await wiki.access_page(session, viewer=viewer, page_id=page_id)
    return see_other(page_path(page.space_id, page.slug))


# Declared last: the same pages for the company wiki and for each space's.
router.include_router(pages, prefix="/wiki")
router.include_router(pages, prefix="/spaces/{space_id}/wiki")
