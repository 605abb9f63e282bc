"""An event's page: what, when (in its own zone, and in the reader's by
script), where, its answers and the people the reader may know of among
those who answered; the answer buttons (in place with calendar.js, a page
load without), and its planner's and moderators' cancelling, of the event or,
for a recurring one, of each of its next dates. A hidden event
is not found, as a missing one."""

from datetime import timedelta

from fastapi import APIRouter, Request

from app.api.calendar import event_read
from app.api.deps import ItemId, Session, Viewer
from app.models import User
from app.schemas.calendar import AnswerWrite, CancelWrite
from app.services.calendar import answers, cancelling, events
from app.services.calendar.occurrences import zone
from app.web.form_errors import FailedForm, form_page
from app.web.forms import parsed, stream_form
from app.web.routes import render, see_other

router = APIRouter()


async def show_event(request: Request, session, viewer: User, event_id: int, **context):
    view = await events.view_event(session, viewer=viewer, event_id=event_id)
    event = view.event
    event_zone = zone(event.time_zone)
    start, end = event.starts_at.astimezone(event_zone), event.ends_at.astimezone(event_zone)
    return render(
        request,
        "calendar/event.html",
        event=event_read(view),
        event_zone=event_zone,
        # An all-day event's days, its end the midnight after the last.
        days=(start.date(), (end - timedelta(days=1)).date()),
        ends_same_day=start.date() == end.date(),
        participants=await answers.participants(session, viewer=viewer, event_id=event_id),
        may_change=await events.may_change(session, viewer, event),
        dates=await cancelling.coming_dates(session, event),
        files=view.attachments,
        **context,
    )


@router.get("/calendar/events/{event_id}")
async def event_page(
    request: Request, event_id: ItemId, viewer: Viewer, session: Session, done: str = ""
):
    return await show_event(request, session, viewer, event_id, done=done[:20])


async def _event_again(request: Request, session, viewer: User, _failed: FailedForm):
    """A refused answer or cancelling: the event's page, the refusal above."""
    return await show_event(request, session, viewer, int(request.path_params["event_id"]))


@router.post("/calendar/events/{event_id}/answer")
@form_page(_event_again)
async def answer_event(request: Request, event_id: ItemId, viewer: Viewer, session: Session):
    """Going, maybe or declined (the API's answer); an empty answer withdraws it."""
    async with stream_form(request, session, request.app.state.settings) as received:
        given = any(value for value in received.fields.get("answer", []))
        answer = parsed(received, AnswerWrite).answer if given else None
    await answers.answer_event(session, viewer=viewer, event_id=event_id, answer=answer)
    return see_other(f"/calendar/events/{event_id}?done=answered#answer")


@router.post("/calendar/events/{event_id}/cancel")
@form_page(_event_again)
async def cancel_event(request: Request, event_id: ItemId, viewer: Viewer, session: Session):
    async with stream_form(request, session, request.app.state.settings) as received:
        occurrence = parsed(received, CancelWrite).occurrence
    await cancelling.cancel_event(session, viewer=viewer, event_id=event_id, occurrence=occurrence)
    if occurrence is not None:
        return see_other(f"/calendar/events/{event_id}?done=date_cancelled#dates")
    return see_other(f"/calendar/events/{event_id}?done=cancelled")
