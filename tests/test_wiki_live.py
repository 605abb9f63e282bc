"""Wiki pages in the live activity: each save is an event on the page's topic,
the home feed and its space, delivered by the hub only to connections whose
reader may read the page, and caught up through /events by the same rule."""

import json

from app.access import load_reader
from app.realtime.broker import MemoryBroker
from app.realtime.hub import Connection, Hub, topics_of
from tests.stream_helpers import person

PAGES = "/api/v1/wiki/pages"


async def connection_for(session, user, topics: set[str]) -> Connection:
    return Connection(
        websocket=None,
        reader=await load_reader(session, user),
        user=user,
        session_id=None,
        token_id=None,
        topics=topics,
    )


def received(connection: Connection) -> list[dict]:
    texts = list(connection.queue)
    connection.queue.clear()
    return [json.loads(text)["event"] for text in texts]


async def create(client, url: str = PAGES, **fields) -> dict:
    response = await client.post(url, json={"title": "Plan de reprise", "body": "v1", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_save_reaches_the_pages_readers_and_no_one_else(make, session, db, heard):
    author, client = await person(make, clearance="confidential")
    cleared = await make.user(clearance="confidential")
    uncleared = await make.user()
    space = await make.space(owner=author, visibility="private", members=[cleared, uncleared])
    outsider = await make.user(clearance="secret")
    page = await create(client, f"/api/v1/spaces/{space.id}/wiki/pages", level="confidential")
    topic = f"wiki:{page['id']}"
    hub = Hub(MemoryBroker(), db)
    listening = {
        user.id: await connection_for(session, user, {topic, "home", f"space:{space.id}"})
        for user in (cleared, uncleared, outsider)
    }
    for connection in listening.values():
        hub.add(connection)

    saved = await client.put(f"{PAGES}/{page['id']}", json={"base_revision": 1, "body": "v2"})
    assert saved.status_code == 200, saved.text
    (event,) = [e for e in await heard.settled() if e.kind == "wiki.page.edited"]
    assert topics_of(event) == {topic, "home", f"space:{space.id}"}
    await hub.dispatch(event)

    (delivered,) = received(listening[cleared.id])
    assert delivered["kind"] == "wiki.page.edited"
    assert delivered["page_id"] == page["id"]
    assert delivered["payload"]["revision"] == 2
    # Ids only: neither the title nor the text travels.
    assert "Plan de reprise" not in json.dumps(delivered) and "v2" not in json.dumps(delivered)
    assert received(listening[uncleared.id]) == []
    assert received(listening[outsider.id]) == []


async def test_catching_up_hides_a_pages_events_once_its_level_is_raised(make):
    _author, client = await person(make, clearance="secret")
    _reader, reader_client = await person(make)
    before = (await reader_client.get("/api/v1/events")).json()["last_id"]
    page = await create(client)
    await client.put(f"{PAGES}/{page['id']}", json={"base_revision": 1, "body": "v2"})

    seen = (await reader_client.get(f"/api/v1/events?since={before}")).json()["items"]
    assert [e["kind"] for e in seen if e["page_id"] == page["id"]] == [
        "wiki.page.created",
        "wiki.page.edited",
    ]

    raised = await client.put(f"{PAGES}/{page['id']}", json={"base_revision": 2, "level": "secret"})
    assert raised.status_code == 200, raised.text
    seen = (await reader_client.get(f"/api/v1/events?since={before}")).json()["items"]
    assert [e for e in seen if e["page_id"] == page["id"]] == []
    # The author, cleared for the new level, still sees them.
    mine = (await client.get(f"/api/v1/events?since={before}")).json()["items"]
    assert {e["kind"] for e in mine if e["page_id"] == page["id"]} == {
        "wiki.page.created",
        "wiki.page.edited",
    }
