"""Pages of the calendars (they mirror app/api/calendar.py): ``periods``, the
viewer's calendar by month, week or list, of all they may read, one space's
or their own; ``events``, an event's page with its answers; ``planning``, the
form that plans or changes an event; ``feeds``, the secret feed address on the
settings page."""

from fastapi import APIRouter

from app.web.calendar import events, feeds, periods, planning

router = APIRouter(include_in_schema=False)
# /calendar/new before /calendar/events/{event_id}: the first route that matches answers.
for part in (planning, periods, events, feeds):
    router.include_router(part.router)
