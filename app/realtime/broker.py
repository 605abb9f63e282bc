"""How events reach every process: in memory within one process, or Redis
pub/sub when ``RUCHE_REDIS_URL`` is set, so that any number of workers and
nodes share one live feed. A broker failure never fails the write that caused
the event: the database has it, and clients catch up from there."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields

from app.realtime.events import Event, drop_pending, take_pending

logger = logging.getLogger("ruche.realtime")

CHANNEL = "ruche:activity"
RETRY_SECONDS = 1.0
PUBLISH_SECONDS = 2.0


class Status:
    """Told to listeners when the broker is lost or back, so that clients can
    show it and catch up."""

    def __init__(self, healthy: bool):
        self.healthy = healthy


@dataclass(frozen=True)
class Presence:
    """One process's snapshot of who looks at which space:
    {space_id: {user_id: [name, whether a member of the space, avatar file id]}}."""

    node: str
    spaces: dict[int, dict[int, list]]


class MemoryBroker:
    def __init__(self):
        self._listeners: set[asyncio.Queue] = set()

    async def publish(self, event: Event | Presence) -> None:
        for queue in self._listeners:
            queue.put_nowait(event)

    async def listen(self) -> AsyncIterator[Event | Presence | Status]:
        queue: asyncio.Queue = asyncio.Queue()
        self._listeners.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._listeners.discard(queue)

    async def close(self) -> None:
        self._listeners.clear()


class RedisBroker:
    def __init__(self, url: str):
        # Imported here: a single process without Redis does not carry the client (~6 MiB).
        import redis.asyncio as aioredis

        self.redis = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=None)

    async def publish(self, event: Event | Presence) -> None:
        await self.redis.publish(CHANNEL, json.dumps(_encode(event)))

    async def listen(self) -> AsyncIterator[Event | Presence | Status]:
        from redis.exceptions import RedisError

        healthy = True
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                if not healthy:
                    healthy = True
                    yield Status(healthy=True)
                async for message in pubsub.listen():
                    if message and message.get("type") == "message":
                        yield _decode(json.loads(message["data"]))
            except (RedisError, OSError) as error:
                if healthy:
                    logger.warning("redis lost (%s); retrying", error)
                    healthy = False
                    yield Status(healthy=False)
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                await pubsub.aclose()

    async def close(self) -> None:
        await self.redis.aclose()


def _encode(item: Event | Presence) -> dict:
    if isinstance(item, Presence):
        return {"presence": {"node": item.node, "spaces": item.spaces}}
    return {"event": item.to_json()}


def _decode(data: dict) -> Event | Presence:
    if "presence" in data:
        spaces = data["presence"]["spaces"]
        return Presence(
            node=data["presence"]["node"],
            spaces={
                int(space): {int(user): entry for user, entry in people.items()}
                for space, people in spaces.items()
            },
        )
    # What this worker knows of an event: one upgraded before it (a rolling
    # upgrade) may publish fields it has not heard of yet.
    known = {field.name for field in fields(Event)}
    return Event(**{name: value for name, value in data["event"].items() if name in known})


def create_broker(redis_url: str | None) -> MemoryBroker | RedisBroker:
    return RedisBroker(redis_url) if redis_url else MemoryBroker()


def announce_commits(database, broker) -> None:
    """Hooks ``database`` (an app.db.Database) so that each commit announces the
    events its transaction recorded through ``broker``, and each rollback drops
    them: db.py imports nothing from realtime/, main.py and jobs.py call this."""

    async def after_commit(session) -> None:
        events = take_pending(session)
        if events:
            await publish_all(broker, events)

    database.after_commit = after_commit
    database.before_rollback = drop_pending


async def publish_all(broker, events: list[Event]) -> None:
    """Within PUBLISH_SECONDS in all: a broker that does not answer (a frozen or
    unreachable Redis) must not hold the response to the write either."""
    announced = 0
    try:
        async with asyncio.timeout(PUBLISH_SECONDS):
            for event in events:
                try:
                    await broker.publish(event)
                except Exception as error:  # the write stands; readers catch up from the database
                    logger.warning("event %s not announced: %s", event.id, error)
                announced += 1
    except TimeoutError:
        logger.warning(
            "%d events not announced: the broker did not answer", len(events) - announced
        )
