"""The first-run tour's pages: the tour on a page of its own (the user menu's
link, and what works without scripts), and dismissing it for good. The home
page shows the same tour as a dialog while the account has not dismissed it."""

from fastapi import APIRouter, Request

from app.api.deps import Viewer
from app.models import User
from app.services.tour import dismiss_tour
from app.web.form_errors import FailedForm, form_page
from app.web.routes import render
from app.web.stream_shared import Next, back

router = APIRouter(include_in_schema=False)


@router.get("/welcome")
async def tour_page(request: Request, viewer: Viewer):
    return render(request, "tour.html")


async def _tour_again(request: Request, _session, viewer: User, _failed: FailedForm):
    return await tour_page(request, viewer)


@router.post("/welcome/dismiss")
@form_page(_tour_again)
async def dismiss(viewer: Viewer, next: Next = "/"):
    """Cookie-authenticated like every form: the CSRF token is checked by
    ``Viewer`` before this runs; the request's transaction saves the change."""
    dismiss_tour(viewer)
    return back(next)
