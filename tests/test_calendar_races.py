"""Answers to one event sent at once, each request in its own transaction on its
own connection (not the rolled-back test transaction the other tests share), on
SQLite and PostgreSQL: no seat is given twice, nobody is counted twice, nobody
waiting is passed over, and no request fails with a 500.

The service counts an event's answers one at a time (the event row locked on
PostgreSQL; SQLite has one writer): without that, two answers read the same
free seat and both take it."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from app.models import CalendarAnswer
from tests.calendar_helpers import EVENTS, event_body
from tests.own_site import Site, own_site

SEATS = 3
PEOPLE = 8


@pytest.fixture(scope="module")
async def site(tmp_path_factory) -> AsyncIterator[Site]:
    async with own_site(tmp_path_factory.mktemp("calendar-races")) as site:
        yield site


async def planned(site: Site, **fields) -> int:
    _planner_id, planner = await site.person()
    response = await planner.post(EVENTS, json=event_body(level="public", **fields))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def stored_answers(site: Site, event_id: int) -> list[tuple[int, str, bool]]:
    """(person, answer, waiting) as stored, first answered first."""
    return await site.rows(
        select(CalendarAnswer.user_id, CalendarAnswer.answer, CalendarAnswer.waiting)
        .where(CalendarAnswer.event_id == event_id)
        .order_by(CalendarAnswer.answered_at, CalendarAnswer.user_id)
    )


async def at_once(requests) -> list[httpx.Response]:
    responses = await asyncio.gather(*requests)
    assert {response.status_code for response in responses} == {200}, [
        response.text for response in responses
    ]
    return responses


async def test_more_people_going_at_once_than_seats_fill_them_and_wait(site):
    event_id = await planned(site, capacity=SEATS)
    people = [await site.person() for _ in range(PEOPLE)]

    responses = await at_once(
        client.put(f"{EVENTS}/{event_id}/answer", json={"answer": "going"})
        for _user_id, client in people
    )

    stored = await stored_answers(site, event_id)
    assert sorted(user_id for user_id, _answer, _waiting in stored) == sorted(
        user_id for user_id, _client in people
    )
    assert {answer for _user_id, answer, _waiting in stored} == {"going"}
    # First come, first seated: the seats went to the first three answers.
    assert [waiting for _user_id, _answer, waiting in stored] == [False] * SEATS + [True] * (
        PEOPLE - SEATS
    )
    # Each one was told what was stored of them.
    told = {
        user_id: response.json()["waiting"]
        for (user_id, _c), response in zip(people, responses, strict=True)
    }
    assert told == {user_id: waiting for user_id, _answer, waiting in stored}
    shown = (await people[0][1].get(f"{EVENTS}/{event_id}")).json()
    assert shown["answers"] == {
        "going": SEATS,
        "maybe": 0,
        "declined": 0,
        "waiting": PEOPLE - SEATS,
    }
    assert shown["seats_left"] == 0


async def test_one_person_answering_several_times_at_once_is_counted_once(site):
    event_id = await planned(site, capacity=1)
    user_id, client = await site.person()

    await at_once(
        client.put(f"{EVENTS}/{event_id}/answer", json={"answer": reply})
        for reply in ["going", "going", "maybe", "going", "declined", "going"]
    )

    [(stored_id, answer, waiting)] = await stored_answers(site, event_id)
    assert stored_id == user_id and waiting is False
    shown = (await client.get(f"{EVENTS}/{event_id}")).json()
    assert shown["my_answer"] == answer
    assert sum(shown["answers"].values()) == 1


async def test_seats_freed_at_once_go_to_the_first_waiting_only(site):
    event_id = await planned(site, capacity=2)
    # Answered one after another: the order of the waiting list is known.
    queue = [await site.person() for _ in range(6)]
    for _user_id, client in queue:
        response = await client.put(f"{EVENTS}/{event_id}/answer", json={"answer": "going"})
        assert response.status_code == 200, response.text
    latecomers = [await site.person() for _ in range(2)]

    # The two seated leave while two more ask for a seat.
    await at_once(
        [
            *(client.delete(f"{EVENTS}/{event_id}/answer") for _user_id, client in queue[:2]),
            *(
                client.put(f"{EVENTS}/{event_id}/answer", json={"answer": "going"})
                for _user_id, client in latecomers
            ),
        ]
    )

    stored = {
        user_id: waiting for user_id, _answer, waiting in await stored_answers(site, event_id)
    }
    assert set(stored) == {user_id for user_id, _client in queue[2:] + latecomers}
    seated = {user_id for user_id, waiting in stored.items() if not waiting}
    assert seated == {user_id for user_id, _client in queue[2:4]}
