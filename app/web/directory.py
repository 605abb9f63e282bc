"""Administration of the directory sync (docs/directory.md): its settings as
read, the last run, a dry run's preview, a sync on demand, and the people the
directory enabled again, each waiting for an administrator's decision."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request

from app.access import check_admin
from app.api.deps import Address, ItemId, Session, Viewer
from app.services.directory import runs
from app.web.form_errors import FailedForm, form_page
from app.web.routes import render, see_other

router = APIRouter(include_in_schema=False)


@router.get("/admin/directory")
async def directory_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    done: Annotated[str | None, Query(max_length=20)] = None,
):
    settings = request.app.state.settings
    status = await runs.directory_status(session, viewer=viewer, settings=settings)
    return render(request, "admin/directory.html", status=status, config=settings, done=done)


async def _again(request: Request, session, viewer, _failed: FailedForm):
    """Each form of the page (its buttons) is refused on the page itself."""
    return await directory_page(request=request, viewer=viewer, session=session)


@router.post("/admin/directory/preview")
@form_page(_again)
async def preview_sync(request: Request, viewer: Viewer, session: Session):
    """A dry run: what a sync would change, kept for this page."""
    await runs.start_sync(session, viewer=viewer, settings=request.app.state.settings, dry_run=True)
    return see_other("/admin/directory?done=previewed#preview")


@router.post("/admin/directory/sync")
@form_page(_again)
async def sync_now(request: Request, viewer: Viewer, session: Session):
    await runs.start_sync(
        session, viewer=viewer, settings=request.app.state.settings, dry_run=False
    )
    return see_other("/admin/directory?done=synced")


@router.post("/admin/directory/returned/{user_id}")
@form_page(_again)
async def decide_return(
    request: Request,
    user_id: ItemId,
    viewer: Viewer,
    session: Session,
    address: Address,
    decision: Annotated[Literal["restore", "keep"], Form()],
):
    check_admin(viewer)
    await runs.decide_return(
        session,
        viewer=viewer,
        settings=request.app.state.settings,
        user_id=user_id,
        restore=decision == "restore",
        address=address,
    )
    return see_other("/admin/directory?done=decided")
