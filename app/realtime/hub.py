"""The per-process hub: listens to the broker and hands each event to the
connections whose reader may see it, as decided by app/access.py's predicates
with each connection's current reader.

A slow client never slows the others: each connection has a bounded queue,
and one that overflows is closed; its client reconnects and catches up from
the activity log."""

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field

from fastapi import WebSocket

from app.access import Reader, can_read, can_read_container, load_reader
from app.db import Database
from app.models import User, Visibility
from app.realtime.broker import Presence, Status
from app.realtime.events import Event

logger = logging.getLogger("ruche.realtime")

QUEUE_SIZE = 256
# Presence: how often it may change on screen, and how many names it shows.
PRESENCE_SECONDS = 2.0
PRESENCE_NAMES = 50
# Close codes the browser client understands (4000-4999 are the application's).
CLOSE_SIGNED_OUT = 4401
CLOSE_OVERFLOW = 4408
# Kinds that change what a person may read: their connections reload the reader.
ACCESS_KINDS = frozenset({"membership.changed", "account.changed"})
# Kinds that end a person's connections (sign-out, deactivation, offboarding).
ENDING_KINDS = frozenset({"session.ended", "sessions.ended", "access.ended"})


def topics_of(event: Event) -> set[str]:
    topics = set()
    if event.post_id is not None:
        topics |= {f"post:{event.post_id}", "home"}
    if event.space_id is not None:
        topics.add(f"space:{event.space_id}")
    if event.user_id is not None:
        topics.add("notifications")
    return topics


def visible_to(reader: Reader, event: Event) -> bool:
    """The websocket twin of app/services/activity.visible_activity."""
    if event.user_id is not None and event.user_id != reader.user_id:
        return False
    item = event.item()
    if item is not None:
        return can_read(reader, item)
    if event.space_id is not None:
        visibility = Visibility(event.space_visibility) if event.space_visibility else None
        return can_read_container(reader, event.space_id, visibility)
    return reader.is_active


@dataclass(eq=False)
class Connection:
    websocket: WebSocket
    reader: Reader
    # The account as it signed in: its id and kind for topic checks, its name for presence.
    user: User
    session_id: int | None
    token_id: int | None
    topics: set[str] = field(default_factory=set)
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    closing: int | None = None

    def offer(self, message: dict) -> None:
        if self.closing is not None:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.close(CLOSE_OVERFLOW)

    def close(self, code: int) -> None:
        """Asks the sender to close the socket after what it already holds; when
        the queue is full (an overflow), after nothing more: the sender must see
        the end, and the client catches up from the last event it received."""
        if self.closing is None:
            self.closing = code
            if self.queue.full():
                while not self.queue.empty():
                    self.queue.get_nowait()
            self.queue.put_nowait(None)


class Hub:
    def __init__(self, broker, database: Database):
        self.broker = broker
        self.database = database
        self.connections: set[Connection] = set()
        self.healthy = True
        self.node = uuid.uuid4().hex
        # Who looks at which space, per process: {node: (seen at, {space: {user: name}})}.
        self._presence: dict[str, tuple[float, dict[int, dict[int, str]]]] = {}
        self._shown: dict[int, dict[int, str]] = {}
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run()), asyncio.create_task(self._presence_loop())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def add(self, connection: Connection) -> None:
        self.connections.add(connection)

    def remove(self, connection: Connection) -> None:
        self.connections.discard(connection)

    async def _run(self) -> None:
        async for item in self.broker.listen():
            try:
                if isinstance(item, Status):
                    self._status(item.healthy)
                elif isinstance(item, Presence):
                    self._presence[item.node] = (time.monotonic(), item.spaces)
                else:
                    await self.dispatch(item)
            except Exception:  # one bad event must not stop the live feed
                logger.exception("dispatching an event failed")

    def _status(self, healthy: bool) -> None:
        """Clients show a discreet "degraded" mark, and catch up once it clears."""
        self.healthy = healthy
        for connection in self.connections:
            connection.offer({"type": "status", "state": "ok" if healthy else "degraded"})

    async def dispatch(self, event: Event) -> None:
        if event.kind in ENDING_KINDS:
            self._end(event)
            return
        if event.kind in ACCESS_KINDS and event.user_id is not None:
            await self._reload_readers(event.user_id)
        message = {"type": "event", "event": _public(event)}
        topics = topics_of(event)
        for connection in list(self.connections):
            if connection.topics & topics and visible_to(connection.reader, event):
                connection.offer(message)

    def _end(self, event: Event) -> None:
        for connection in list(self.connections):
            if connection.reader.user_id == event.user_id and _ended_by(connection, event):
                connection.close(CLOSE_SIGNED_OUT)

    async def _reload_readers(self, user_id: int) -> None:
        mine = [c for c in self.connections if c.reader.user_id == user_id]
        if not mine:
            return
        async with self.database.sessionmaker() as session:
            user = await session.get(User, user_id)
            reader = await load_reader(session, user) if user is not None else None
        for connection in mine:
            if reader is None or not reader.is_active:
                connection.close(CLOSE_SIGNED_OUT)
            else:
                connection.reader, connection.user = reader, user

    def local_presence(self) -> dict[int, dict[int, str]]:
        """The spaces this process's readers look at (a subscription to the space's
        topic, which the socket grants only to those who may read the space)."""
        spaces: dict[int, dict[int, str]] = {}
        for connection in self.connections:
            for topic in connection.topics:
                if topic.startswith("space:"):
                    people = spaces.setdefault(int(topic[6:]), {})
                    people[connection.reader.user_id] = connection.user.display_name
        return spaces

    async def _presence_loop(self) -> None:
        """Every few seconds at most: each process tells the others who it holds,
        and each tells its own readers of a space who is there, when it changed."""
        while True:
            await asyncio.sleep(PRESENCE_SECONDS)
            try:
                with contextlib.suppress(Exception):
                    await self.broker.publish(
                        Presence(node=self.node, spaces=self.local_presence())
                    )
                self._show_presence()
            except Exception:
                logger.exception("presence update failed")

    def _show_presence(self) -> None:
        fresh_after = time.monotonic() - PRESENCE_SECONDS * 3
        self._presence = {n: v for n, v in self._presence.items() if v[0] >= fresh_after}
        merged: dict[int, dict[int, str]] = {}
        for _seen, spaces in self._presence.values():
            for space_id, people in spaces.items():
                merged.setdefault(space_id, {}).update(people)
        for space_id in set(merged) | set(self._shown):
            people = merged.get(space_id, {})
            if people == self._shown.get(space_id):
                continue
            message = {
                "type": "presence",
                "space_id": space_id,
                "count": len(people),
                "people": [{"id": i, "name": n} for i, n in sorted(people.items())][
                    :PRESENCE_NAMES
                ],
            }
            for connection in list(self.connections):
                if f"space:{space_id}" in connection.topics:
                    connection.offer(message)
        self._shown = merged


def _ended_by(connection: Connection, event: Event) -> bool:
    """access.ended: every way in; session.ended: that session; sessions.ended:
    every session but one (a password change keeps the one it came from)."""
    if event.kind == "access.ended":
        return True
    if connection.session_id is None:
        return False
    if event.kind == "session.ended":
        return connection.session_id == event.payload.get("session_id")
    return connection.session_id != event.payload.get("except_session_id")


def _public(event: Event) -> dict:
    """What a client is told: ids and counts, never the audience or the level."""
    return {
        "id": event.id,
        "kind": event.kind,
        "space_id": event.space_id,
        "post_id": event.post_id,
        "payload": event.payload,
    }
