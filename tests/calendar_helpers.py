"""Small helpers shared by the calendar's tests."""

import httpx

EVENTS = "/api/v1/calendar/events"
CALENDAR = "/api/v1/calendar"
FEED = "/api/v1/me/calendar-feed"


def event_body(**fields) -> dict:
    """An hour on 10 December 2026 in Paris, unless told otherwise."""
    return {
        "title": "Lancement du projet",
        "time_zone": "Europe/Paris",
        "start": "2026-12-10T09:00",
        "end": "2026-12-10T10:00",
        **fields,
    }


async def plan(client: httpx.AsyncClient, **fields) -> dict:
    """POST /calendar/events that must succeed; the event as the API returns it."""
    response = await client.post(EVENTS, json=event_body(**fields))
    assert response.status_code == 201, response.text
    return response.json()


async def answer(client: httpx.AsyncClient, event_id: int, answer: str) -> dict:
    response = await client.put(f"{EVENTS}/{event_id}/answer", json={"answer": answer})
    assert response.status_code == 200, response.text
    return response.json()


async def occurrences(client: httpx.AsyncClient, since: str, until: str, **params) -> list:
    response = await client.get(CALENDAR, params={"from": since, "to": until, **params})
    assert response.status_code == 200, response.text
    return response.json()
