"""Catching up while others write: pollers that follow ``last_id`` from page to
page, as docs/realtime.md tells clients to, during many concurrent posts, each
request in its own transaction on its own connection (SQLite and PostgreSQL).
No poller may skip an event: the mark it is handed never passes an event that
committed after its page was read."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.own_site import Site, own_site
from tests.stream_helpers import POSTS

EVENTS = "/api/v1/events"
WRITERS = 6
POSTS_EACH = 20
POLLERS = 3


@pytest.fixture(scope="module")
async def site(tmp_path_factory) -> AsyncIterator[Site]:
    async with own_site(tmp_path_factory.mktemp("catch-up-races")) as site:
        yield site


async def follow(client: httpx.AsyncClient, since: int, seen: list[int]) -> int:
    """Pages from ``since`` until none is left, as a client does; returns the last id."""
    while True:
        response = await client.get(EVENTS, params={"since": since})
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [event["id"] for event in page["items"]]
        assert page["last_id"] >= since
        since = page["last_id"]
        if not page["more"]:
            return since


async def test_pollers_following_last_id_miss_no_event_of_concurrent_writers(site):
    writers = [(await site.person())[1] for _ in range(WRITERS)]
    pollers = [(await site.person())[1] for _ in range(POLLERS)]
    start = await follow(pollers[0], 0, [])
    writing = True

    async def write(client: httpx.AsyncClient, n: int) -> None:
        for round_ in range(POSTS_EACH):
            answer = await client.post(POSTS, json={"body": f"Note {n}.{round_}"})
            assert answer.status_code == 201, answer.text

    async def poll(client: httpx.AsyncClient) -> list[int]:
        seen: list[int] = []
        since = start
        while writing:
            since = await follow(client, since, seen)
        await follow(client, since, seen)  # what committed after the last poll
        return seen

    polling = [asyncio.create_task(poll(client)) for client in pollers]
    try:
        await asyncio.gather(*(write(client, n) for n, client in enumerate(writers)))
    finally:
        writing = False
    heard = await asyncio.gather(*polling)

    every: list[int] = []
    await follow(pollers[0], start, every)
    assert len(every) >= WRITERS * POSTS_EACH
    for seen in heard:
        assert len(seen) == len(set(seen)), "an event came twice"
        assert sorted(seen) == sorted(every), sorted(set(every) - set(seen))
