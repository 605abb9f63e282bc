"""The hub, in process: an item whose level is raised stops reaching those below
it at once, presence tells a space's readers who looks at it, only when it
changes, and a socket whose writes wait keeps the rest in order behind them."""

import asyncio
import json
import time

from starlette.websockets import WebSocketState

from app.access import can_see_event, load_reader
from app.api.live import _send
from app.realtime.broker import MemoryBroker, _decode, _encode
from app.realtime.events import Event
from app.realtime.hub import PRESENCE_SECONDS, Connection, Hub
from tests.stream_helpers import person, publish


async def connection_for(session, user, topics: set[str], websocket=None) -> Connection:
    return Connection(
        websocket=websocket,
        reader=await load_reader(session, user),
        user=user,
        session_id=None,
        token_id=None,
        topics=frozenset(topics),
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
    assert [can_see_event(reader, e.ref()) for e in events] == [True, False, False]


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
    # Someone real, whose id no one here has: a made-up one (999) was once a
    # test user's own on PostgreSQL, whose ids climb across rolled-back tests.
    afar = await make.user()
    hub._presence["other-node"] = (time.monotonic(), {space.id: {afar.id: ["Someone Else", True]}})
    hub._show_presence()
    assert [m["count"] for m in messages(watching[0])] == [3]
    hub._presence["other-node"] = (
        time.monotonic() - PRESENCE_SECONDS * 10,
        {space.id: {afar.id: ["X", True]}},
    )
    hub._show_presence()
    assert [m["count"] for m in messages(watching[0])] == [2]


class HeldSocket:
    """What a connection writes to: writes wait while ``open`` is cleared, as for a
    client that reads slowly."""

    def __init__(self):
        self.client_state = WebSocketState.CONNECTED
        self.open = asyncio.Event()
        self.open.set()
        self.sent: list[int] = []
        self.closed_with: int | None = None

    async def send_text(self, text: str) -> None:
        await self.open.wait()
        self.sent.append(json.loads(text)["n"])

    async def close(self, code: int = 1000) -> None:
        self.closed_with = code
        self.client_state = WebSocketState.DISCONNECTED


async def test_writes_go_out_at_once_and_queue_in_order_behind_one_that_waits(make, session):
    socket = HeldSocket()
    connection = await connection_for(session, await make.user(), {"home"}, socket)
    connection.offer({"n": 0})  # during the set-up: kept until start
    assert socket.sent == []
    connection.start(_send)
    await connection.writer
    assert socket.sent == [0]

    # Idle: a message is written within offer, with no task.
    connection.offer({"n": 1})
    assert (socket.sent, connection.writer) == ([0, 1], None)

    # A write that has to wait goes to a task; later ones queue behind it, in order.
    socket.open.clear()
    for n in (2, 3, 4):
        connection.offer({"n": n})
    assert socket.sent == [0, 1]
    assert list(connection.queue) == [json.dumps({"n": 3}), json.dumps({"n": 4})]
    socket.open.set()
    await connection.writer
    assert socket.sent == [0, 1, 2, 3, 4]
    connection.offer({"n": 5})
    assert (socket.sent[-1], connection.writer) == (5, None)

    connection.close(4401)
    await connection.writer
    assert socket.closed_with == 4401


def test_a_worker_reads_events_of_a_newer_one_without_their_new_fields():
    """A rolling upgrade: a worker upgraded first publishes events with fields
    the others have not heard of (tasks' ``task_id`` once); they keep the rest."""
    sent = Event(
        id=7,
        kind="post.created",
        space_id=None,
        space_visibility=None,
        post_id=3,
        page_id=None,
        level="public",
        audience=None,
        author_id=1,
        user_id=None,
        payload={},
    )
    newer = _encode(sent)
    newer["event"]["field_of_a_later_version"] = 42
    assert _decode(json.loads(json.dumps(newer))) == sent
