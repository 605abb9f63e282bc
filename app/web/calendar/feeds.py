"""The calendar feed on the settings page: its secret address made (and shown
this once, to copy into a calendar application), made again (the old one
then answers 404) or revoked, with the choice of titles above public."""

from fastapi import APIRouter, Request

from app.api.deps import AppSettings, Session, Viewer
from app.schemas.calendar import FeedWrite
from app.services.calendar import feeds
from app.web.form_errors import form_page
from app.web.forms import stream_form
from app.web.routes import see_other, settings_again, show_settings

router = APIRouter()


@router.post("/settings/calendar-feed")
@form_page(settings_again)
async def open_feed(request: Request, viewer: Viewer, session: Session, settings: AppSettings):
    async with stream_form(request, session, settings) as received:
        # A checkbox: sent when ticked, whatever its value.
        wanted = FeedWrite(shows_titles="shows_titles" in received.fields)
    secret = await feeds.open_feed(session, viewer=viewer, shows_titles=wanted.shows_titles)
    url = f"{settings.public_url.rstrip('/')}/api/v1/calendar/feeds/{secret}"
    return await show_settings(request, session, viewer, new_feed_url=url)


@router.post("/settings/calendar-feed/revoke")
@form_page(settings_again)
async def close_feed(viewer: Viewer, session: Session):
    await feeds.close_feed(session, viewer=viewer)
    return see_other("/settings?saved=calendar_feed#calendar-feed")
