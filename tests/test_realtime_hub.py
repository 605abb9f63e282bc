"""The hub, in process: an item whose level is raised stops reaching those below
it at once, and presence tells a space's readers who looks at it, only when it
changes."""

import json
import time

from app.access import load_reader
from app.realtime.broker import MemoryBroker
from app.realtime.hub import PRESENCE_SECONDS, Connection, Hub, visible_to
from tests.stream_helpers import person, publish


async def connection_for(session, user, topics: set[str]) -> Connection:
    return Connection(
        websocket=None,
        reader=await load_reader(session, user),
        user=user,
        session_id=None,
        token_id=None,
        topics=topics,
    )


def messages(connection: Connection) -> list[dict]:
    taken = []
    while connection.queue:
        item = connection.queue.popleft()
        taken.append(json.loads(item) if item is not None else None)
    return taken


async def test_raising_a_posts_level_stops_its_events_reaching_those_below(
    make,
    session,
    heard,
):
    _author, author_client = await person(make, clearance="confidential")
    reader = await load_reader(session, await make.user())
    post = await publish(author_client, "Bientôt confidentiel")

    raised = await author_client.patch(
        f"/api/v1/posts/{post['id']}", json={"level": "confidential"}
    )
    assert raised.status_code == 200, raised.text
    await author_client.put(f"/api/v1/posts/{post['id']}/reactions/like")

    events = [e for e in await heard.settled() if e.post_id == post["id"] and e.user_id is None]
    assert [e.kind for e in events] == ["post.created", "post.edited", "reaction.changed"]
    assert [visible_to(reader, e) for e in events] == [True, False, False]


async def test_presence_shows_a_spaces_readers_who_is_there_when_it_changes(make, session, db):
    owner, colleague, elsewhere = await make.user(), await make.user(), await make.user()
    space = await make.space(owner=owner, visibility="private", members=[colleague])
    hub = Hub(MemoryBroker(), db)
    watching = [
        await connection_for(session, owner, {f"space:{space.id}"}),
        await connection_for(session, colleague, {f"space:{space.id}", "home"}),
    ]
    away = await connection_for(session, elsewhere, {"home"})
    for connection in [*watching, away]:
        hub.add(connection)

    hub._presence[hub.node] = (time.monotonic(), hub.local_presence())
    hub._show_presence()

    for connection in watching:
        (message,) = messages(connection)
        assert message["type"] == "presence"
        assert message["space_id"] == space.id
        assert message["count"] == 2
        assert {p["name"] for p in message["people"]} == {
            owner.display_name,
            colleague.display_name,
        }
    assert messages(away) == []

    # Nothing changed: nothing is sent (at most one update per interval, and only news).
    hub._show_presence()
    assert all(messages(connection) == [] for connection in watching)

    # Another process's snapshot joins in; once stale, it drops out.
    hub._presence["other-node"] = (time.monotonic(), {space.id: {999: "Someone Else"}})
    hub._show_presence()
    assert [m["count"] for m in messages(watching[0])] == [3]
    hub._presence["other-node"] = (time.monotonic() - PRESENCE_SECONDS * 10, {space.id: {999: "X"}})
    hub._show_presence()
    assert [m["count"] for m in messages(watching[0])] == [2]
