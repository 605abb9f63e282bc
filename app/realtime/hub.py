"""The per-process hub: listens to the broker and hands each event to the
connections whose reader may see it, as decided by app/access.py's predicates
with each connection's current reader.

A slow client never slows the others: each connection has a bounded queue,
and one that overflows is closed; its client reconnects and catches up from
the activity log."""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from datetime import datetime

from fastapi import WebSocket
from sqlalchemy import ColumnElement, and_, or_, select

from app.access import Reader, can_read_container, can_see_event, load_reader, named_in_presence
from app.db import Database
from app.models import AccessToken, User, UserSession, Visibility
from app.models.base import utcnow
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
    if event.page_id is not None:
        topics |= {f"wiki:{event.page_id}", "home"}
    if event.calendar_event_id is not None:
        topics |= {f"calendar:{event.calendar_event_id}", "home"}
    if event.space_id is not None:
        topics.add(f"space:{event.space_id}")
    if event.user_id is not None:
        topics.add("notifications")
    return topics


@dataclass(eq=False, slots=True)
class Connection:
    """One open socket. While it idles it holds no task, queue or ORM object: a
    message is written at once when nothing waits before it (the usual case: the
    socket's buffer has room); a write that has to wait (a client reading slowly)
    gets a task, ``writer``, that finishes it and what queued behind it, then ends."""

    websocket: WebSocket
    # Loaded once the connection is registered with the hub (None until then).
    reader: Reader | None
    # The account as it signed in: only its id and its name (for presence) are kept.
    user: InitVar[User]
    session_id: int | None
    token_id: int | None
    topics: frozenset[str] = frozenset()
    user_id: int = field(init=False)
    name: str = field(init=False)
    # Their photo's file id (None: initials), shown with their name in presence.
    avatar_file_id: int | None = field(init=False)
    # Serialised messages waiting, oldest first: during the set-up, and behind a
    # write that had to wait; None while messages go out at once.
    queue: deque | None = field(default_factory=deque)
    writer: asyncio.Task | None = None
    # What the writer task runs (ws._send): given by start(), when the socket is ready.
    write_rest: Callable | None = None
    closing: int | None = None

    def __post_init__(self, user: User) -> None:
        self.user_id, self.name = user.id, user.display_name
        self.avatar_file_id = user.avatar_file_id

    def start(self, write_rest: Callable) -> None:
        """The socket is ready: what was queued during the set-up goes out, then
        every message as it comes."""
        self.write_rest = write_rest
        if self.queue or self.closing is not None:
            self.writer = asyncio.create_task(write_rest(self))
        else:
            self.queue = None

    def offer(self, message: dict) -> None:
        self.offer_text(json.dumps(message))

    def offer_text(self, text: str) -> None:
        if self.closing is not None:
            return
        if self.queue is None:
            self._write_now(text)
            return
        if len(self.queue) >= QUEUE_SIZE:
            self.close(CLOSE_OVERFLOW)
            return
        self.queue.append(text)

    def _write_now(self, text: str) -> None:
        """Begins the write here, without waking a task; if it has to wait, the
        writer task finishes it and anything offered meanwhile queues behind it."""
        send = self.websocket.send_text(text)
        try:
            blocker = send.send(None)
        except StopIteration:
            return
        except Exception:
            return  # the socket is gone: the receiving side ends the connection
        self.queue = deque()
        self.writer = asyncio.create_task(self.write_rest(self, _Resume(send, blocker)))

    def written(self) -> None:
        """Called by the writer task once nothing is left: writes go out at once again."""
        self.queue, self.writer = None, None

    def close(self, code: int) -> None:
        """Closes the socket after what it already holds; when the queue is full (an
        overflow), after nothing more: the client catches up from the last event it
        received."""
        if self.closing is not None:
            return
        self.closing = code
        if self.queue is not None and len(self.queue) >= QUEUE_SIZE:
            self.queue.clear()
        if self.writer is None and self.write_rest is not None:
            self.queue = self.queue or deque()
            self.writer = asyncio.create_task(self.write_rest(self))


class _Resume:
    """Awaits the rest of a coroutine already started by hand (as a task would):
    Python 3.12's eager tasks do this natively."""

    __slots__ = ("blocker", "coroutine")

    def __init__(self, coroutine, blocker):
        self.coroutine, self.blocker = coroutine, blocker

    def __await__(self):
        coroutine, blocker = self.coroutine, self.blocker
        while True:
            try:
                yield blocker
            except BaseException as error:
                try:
                    blocker = coroutine.throw(error)
                except StopIteration as stop:
                    return stop.value
                continue
            try:
                blocker = coroutine.send(None)
            except StopIteration as stop:
                return stop.value


class Hub:
    def __init__(self, broker, database: Database):
        self.broker = broker
        self.database = database
        self.connections: set[Connection] = set()
        self.healthy = True
        self.node = uuid.uuid4().hex
        # Who looks at which space, per process:
        # {node: (seen at, {space: {user: [name, member of the space]}})}.
        self._presence: dict[str, tuple[float, dict[int, dict[int, list]]]] = {}
        self._shown: dict[int, dict[int, list]] = {}
        # The visibility of the spaces subscribed to, as last granted or changed: what
        # presence needs to re-check, per reader, that they may still read the space.
        self.space_visibility: dict[int, Visibility] = {}
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run()),
            asyncio.create_task(self._presence_loop()),
            asyncio.create_task(self._revalidate_loop()),
        ]

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
        if event.kind == "space.changed" and event.space_visibility is not None:
            self.space_visibility[event.space_id] = Visibility(event.space_visibility)
            self._drop_unreadable_spaces(
                [c for c in self.connections if f"space:{event.space_id}" in c.topics]
            )
        text = json.dumps({"type": "event", "event": _public(event)})
        topics = topics_of(event)
        ref = event.ref()  # once per event, not per reader
        for connection in list(self.connections):
            if not connection.topics.isdisjoint(topics) and can_see_event(connection.reader, ref):
                connection.offer_text(text)

    async def _revalidate_loop(self) -> None:
        """A session ended or a token revoked elsewhere closes its sockets within a
        minute, even when the event announcing it was lost: one batch of queries
        for all the connections, not a task and two queries per connection."""
        while True:
            await asyncio.sleep(REVALIDATE_SECONDS)
            try:
                await self.revalidate()
            except Exception:
                logger.exception("revalidating connections failed")

    async def revalidate(self) -> None:
        connections = list(self.connections)
        if not connections:
            return
        now = utcnow()
        session_ids = {c.session_id for c in connections if c.session_id is not None}
        token_ids = {c.token_id for c in connections if c.session_id is None}
        user_ids = {c.user_id for c in connections}
        async with self.database.sessionmaker() as session:
            sessions = await _ids_where(session, UserSession.id, session_ids, session_holds(now))
            tokens = await _ids_where(session, AccessToken.id, token_ids, token_holds(now))
            active = await _ids_where(session, User.id, user_ids, User.is_active)
        for c in connections:
            alive = c.session_id in sessions if c.session_id is not None else c.token_id in tokens
            if not alive or c.user_id not in active:
                c.close(CLOSE_SIGNED_OUT)

    def _end(self, event: Event) -> None:
        for connection in list(self.connections):
            if connection.user_id == event.user_id and _ended_by(connection, event):
                connection.close(CLOSE_SIGNED_OUT)

    async def _reload_readers(self, user_id: int) -> None:
        mine = [c for c in self.connections if c.user_id == user_id]
        if not mine:
            return
        async with self.database.sessionmaker() as session:
            user = await session.get(User, user_id)
            reader = await load_reader(session, user) if user is not None else None
        for connection in mine:
            if reader is None or not reader.is_active:
                connection.close(CLOSE_SIGNED_OUT)
            else:
                connection.reader, connection.name = reader, user.display_name
                connection.avatar_file_id = user.avatar_file_id
        self._drop_unreadable_spaces(mine)

    def _drop_unreadable_spaces(self, connections: list[Connection]) -> None:
        """A space's topic stays only while its reader may read the space (a member
        removed, a space made private or secret, an account offboarded lose it):
        it also shows them present there and tells them who else is."""
        for connection in connections:
            if connection.closing is not None or connection.reader is None:
                continue
            kept = frozenset(
                topic
                for topic in connection.topics
                if not topic.startswith("space:") or self.may_read_space(connection, int(topic[6:]))
            )
            if kept != connection.topics:
                connection.topics = kept
                connection.offer({"type": "subscribed", "topics": sorted(kept)})

    def may_read_space(self, connection: Connection, space_id: int) -> bool:
        return can_read_container(connection.reader, space_id, self.space_visibility.get(space_id))

    def local_presence(self) -> dict[int, dict[int, list]]:
        """The spaces this process's readers look at (a subscription to the space's
        topic, which the socket grants only to those who may read the space), with
        whether each is a member of the space (externals see only members named)."""
        spaces: dict[int, dict[int, list]] = {}
        for connection in self.connections:
            for topic in connection.topics:
                if topic.startswith("space:"):
                    space_id = int(topic[6:])
                    people = spaces.setdefault(space_id, {})
                    member = space_id in connection.reader.member_space_ids
                    people[connection.user_id] = [
                        connection.name,
                        member,
                        connection.avatar_file_id,
                    ]
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
        merged: dict[int, dict[int, list]] = {}
        for _seen, spaces in self._presence.values():
            for space_id, people in spaces.items():
                merged.setdefault(space_id, {}).update(people)
        for space_id in set(merged) | set(self._shown):
            people = merged.get(space_id, {})
            if people == self._shown.get(space_id):
                continue
            everyone = None
            for connection in list(self.connections):
                if f"space:{space_id}" not in connection.topics or not self.may_read_space(
                    connection, space_id
                ):
                    continue
                if connection.reader.is_employee:
                    everyone = everyone or _presence_message(connection.reader, space_id, people)
                    connection.offer(everyone)
                else:
                    connection.offer(_presence_message(connection.reader, space_id, people))
        self._shown = merged


def _presence_message(reader: Reader, space_id: int, people: dict[int, list]) -> dict:
    """Who looks at a space, as ``reader`` may be told: everyone counted, named
    only the people the policy lets them know of (an employee: everyone), with
    their photo (whoever may know of a person may read it: access.readable_files)."""
    named = [
        # A process of the previous version tells [name, member]: no photo then.
        {"id": user_id, "name": entry[0], "avatar_file_id": (entry[2:] or [None])[0]}
        for user_id, entry in sorted(people.items())
        if named_in_presence(reader, user_id, entry[1])
    ]
    return {
        "type": "presence",
        "space_id": space_id,
        "count": len(people),
        "people": named[:PRESENCE_NAMES],
    }


REVALIDATE_SECONDS = 60
BATCH = 500


def session_holds(now: datetime) -> ColumnElement[bool]:
    """A sign-in session still opens sockets (sign-out and expiry end it)."""
    return UserSession.expires_at > now


def token_holds(now: datetime) -> ColumnElement[bool]:
    """A personal access token still opens sockets: neither revoked nor expired."""
    return and_(
        AccessToken.revoked_at.is_(None),
        or_(AccessToken.expires_at.is_(None), AccessToken.expires_at > now),
    )


async def _ids_where(session, column, ids: set, *conditions) -> set:
    found: set = set()
    ordered = sorted(i for i in ids if i is not None)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        found |= set(await session.scalars(select(column).where(column.in_(chunk), *conditions)))
    return found


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
        "page_id": event.page_id,
        "calendar_event_id": event.calendar_event_id,
        "task_id": event.task_id,
        "payload": event.payload,
    }
