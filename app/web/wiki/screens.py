"""The screens several routes draw: any wiki page around its content, a page,
the editor (and the conflict screen), and the 404 that keeps a lost edit."""

from fastapi import Request
from fastapi.responses import Response

from app.errors import NotFound
from app.files import kinds
from app.models import FilePurpose, User, WikiPage
from app.services import compose, wiki
from app.services.files.attachments import MAX_ATTACHMENTS, pending_uploads
from app.services.wiki.attachments import editor_files, revision_files
from app.services.wiki.links import backlinks
from app.services.wiki.templates import TEMPLATES
from app.web.form_errors import FailedForm
from app.web.routes import render
from app.web.spaces import space_tabs
from app.web.wiki.common import (
    Place,
    Rendered,
    Tree,
    load_tree,
    rendered,
)


async def wiki_page(
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


async def show_page(
    request: Request,
    session,
    viewer: User,
    place: Place,
    page: WikiPage,
    *,
    done: str | None = None,
) -> Response:
    """A page; also the page of a refused form about it (move, delete, watch:
    the refusal comes from the request, app/web/pages.py)."""
    tree = await load_tree(session, viewer, place.space_id)
    files = await revision_files(session, viewer=viewer, page_id=page.id, number=page.revision)
    audience = (await wiki.audiences_for(session, viewer=viewer, pages=[page])).get(page.id)
    people = await wiki.people_by_id(session, {page.author_id, page.updated_by_id})
    siblings = [
        node.page
        for node in (
            tree.nodes[page.parent_id].children if page.parent_id in tree.nodes else tree.roots
        )
    ]
    return await wiki_page(
        request,
        "wiki/page.html",
        viewer=viewer,
        place=place,
        tree=tree,
        page=page,
        shown=await rendered(session, viewer, page.space_id, page.body, files),
        files=files,
        subpages=tree.children(page),
        linked_from=await backlinks(session, viewer=viewer, page=page),
        author=people.get(page.author_id),
        editor=people.get(page.updated_by_id),
        audience=audience.known if audience is not None else [],
        audience_others=audience.others if audience is not None else 0,
        watching=await wiki.is_watching(session, viewer=viewer, page_id=page.id),
        may_delete=place.wiki.may_edit(viewer)
        and (page.author_id == viewer.id or place.wiki.may_moderate(viewer)),
        first=bool(siblings) and siblings[0].id == page.id,
        last=bool(siblings) and siblings[-1].id == page.id,
        parents=tree.outline(leaving_out=page.id),
        position=next((i for i, s in enumerate(siblings, 1) if s.id == page.id), 1),
        done=done,
    )


async def preview_of(
    session, viewer: User, place: Place, page: WikiPage | None, values: dict
) -> Rendered:
    """The editor's text as it will show, ``attachment:`` names among the files
    the save would leave the page with."""
    files = await editor_files(session, viewer=viewer, page=page, upload_ids=values["attachments"])
    removed = set(values["remove_attachments"])
    kept = [view for view in files if view.file.id not in removed]
    return await rendered(session, viewer, place.space_id, values["body"], kept)


def gone(request: Request, *, title: str, body: str) -> Response:
    """A save to a page deleted meanwhile (or no longer readable): the same 404
    as any missing page, with the text its writer typed, to keep elsewhere."""
    return render(
        request, "wiki/gone.html", status_code=404, error=NotFound(), title=title, body=body
    )


def editor_values(**given) -> dict:
    values = {
        "title": "",
        "body": "",
        "message": "",
        "level": None,
        "parent_id": None,
        "base_revision": None,
        # The writer's uploads to attach on save; the page's files to leave out.
        "attachments": [],
        "remove_attachments": [],
    }
    values.update(given)
    return values


async def show_editor(
    request: Request,
    session,
    viewer: User,
    place: Place,
    *,
    values: dict,
    page: WikiPage | None = None,
    failed: FailedForm | None = None,
    preview: Rendered | None = None,
    given_title: str = "",
) -> Response:
    """The editor of a new page (``page`` None) or of a page; after a refused
    save, again with everything typed; after a conflict, the conflict screen."""
    tree = await load_tree(session, viewer, place.space_id)
    conflict = failed.detail if failed is not None and failed.code == "edit_conflict" else None
    may_set_level = page is None or page.author_id == viewer.id or place.wiki.may_moderate(viewer)
    levels = compose.writable_levels(viewer)
    if page is not None and page.level not in levels:
        may_set_level = False  # a level they could not choose again
    people, shown = {}, []
    if page is not None:
        people = await wiki.people_by_id(session, {page.updated_by_id})
        shown = await revision_files(session, viewer=viewer, page_id=page.id, number=page.revision)
    return await wiki_page(
        request,
        "wiki/edit.html",
        viewer=viewer,
        place=place,
        tree=tree,
        page=page,
        values=values,
        levels=levels if may_set_level else [],
        parents=tree.outline(),
        templates=list(TEMPLATES.values()),
        conflict=conflict,
        editor=people.get(page.updated_by_id) if page is not None else None,
        preview=preview,
        files=shown,
        pending=await pending_uploads(session, viewer=viewer, file_ids=values["attachments"]),
        max_files=MAX_ATTACHMENTS,
        max_upload_bytes=request.app.state.settings.max_upload_bytes,
        accepted=", ".join(kinds.accepted_extensions(FilePurpose.ATTACHMENT)),
        given_title=given_title,  # a red link's, kept when a template is chosen
    )
