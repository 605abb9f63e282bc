"""The live feed against real ``ruche serve`` processes and the `websockets` client:
who may open /ws and how, what each reader receives (and what it no longer
receives once its access changes), who a space's readers see present, the hub's
recheck of open sockets (on ``ruche serve``'s app in this process, to call it),
two workers sharing one feed and presence through a real Redis, a Redis outage
and a server restart with nothing lost after catch-up.

One fresh database per group of servers (SQLite, or PostgreSQL under
RUCHE_TEST_DATABASE_URL), servers shared by the module's tests; every wait has a
timeout, so that a broken server fails a test instead of hanging it."""

import asyncio
import contextlib
import json
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.api.live import AUTH_SECONDS
from app.config import Settings
from app.db import Database
from app.migrate import upgrade
from app.models import AccessToken, Space, User, UserSession
from app.models.base import utcnow
from app.realtime.broker import PUBLISH_SECONDS
from app.realtime.hub import CLOSE_SIGNED_OUT
from tests.calendar_helpers import event_body
from tests.conftest import create_fresh_database, drop_database
from tests.factories import PASSWORD, Factories
from tests.live_server import InProcessServer, RucheServer, free_port, ruche_env

PUBLIC_URL = "http://ruche.test"  # what the servers are told they are reached as
ORIGIN = PUBLIC_URL
ALLOWED_ORIGIN = "https://intranet.test"  # RUCHE_ALLOWED_ORIGINS
SECRET_KEY = "live-tests-secret-key-not-for-production"
SESSION_COOKIE = "ruche_session"
LOGIN = "/api/v1/auth/login"
POSTS = "/api/v1/posts"
EVENTS = "/api/v1/events"
TIMEOUT = 5.0


# --- servers, Redis and the people on them -----------------------------------------


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    return ruche_env(
        database_url=database_url,
        public_url=PUBLIC_URL,
        allowed_origins=f"http://other.test, {ALLOWED_ORIGIN}/",
        secret_key=SECRET_KEY,
        jobs_interval_seconds="0",
        **settings,
    )


def ws_url(server: RucheServer, query: str = "") -> str:
    return f"ws://127.0.0.1:{server.port}/ws{query}"


class RedisServer:
    """A throwaway ``redis-server`` that the tests may kill and start again on the
    same port."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def freeze(self) -> None:
        """Stopped, not killed: its connections stay open and nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Person:
    """An account signed in through POST /api/v1/auth/login: its session cookie
    and CSRF token, and HTTP clients for any of the servers."""

    def __init__(self, site: "Site", user: User, cookie: str, csrf: str):
        self.site, self.user, self.cookie, self.csrf = site, user, cookie, csrf
        self._clients: dict[int, httpx.AsyncClient] = {}

    @property
    def id(self) -> int:
        return self.user.id

    def http(self, server: RucheServer | None = None) -> httpx.AsyncClient:
        server = server or self.site.servers[0]
        if server.port not in self._clients:
            self._clients[server.port] = self.site.client(
                server,
                Cookie=f"{SESSION_COOKIE}={self.cookie}",
                **{"X-CSRF-Token": self.csrf},
            )
        return self._clients[server.port]

    async def publish(self, server: RucheServer | None = None, **fields) -> dict:
        response = await self.http(server).post(POSTS, json={"body": "Bonjour", **fields})
        assert response.status_code == 201, response.text
        return response.json()

    async def token(self, server: RucheServer | None = None) -> str:
        response = await self.http(server).post("/api/v1/me/tokens", json={"name": "live"})
        assert response.status_code == 201, response.text
        return response.json()["token"]

    async def socket(self, server: RucheServer | None = None, *topics: str) -> "Socket":
        """A socket signed in by this person's session cookie, subscribed to ``topics``."""
        socket = await self.site.socket(server, cookie=self.cookie)
        if topics:
            assert set(await socket.subscribe(*topics)) >= set(topics)
        return socket


class Socket:
    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self.hello: dict | None = None

    async def receive(self, timeout: float = TIMEOUT) -> dict:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def next(self, kind: str, timeout: float = TIMEOUT, **fields) -> dict:
        """The next message of that type (and those fields), skipping the others
        (presence, pongs, events of other kinds...)."""
        deadline = time.monotonic() + timeout
        while True:
            message = await self.receive(max(deadline - time.monotonic(), 0.01))
            if message["type"] == kind and all(message.get(k) == v for k, v in fields.items()):
                return message

    async def next_event(self, kind: str = "post.created", timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = await self.next("event", max(deadline - time.monotonic(), 0.01))
            if message["event"]["kind"] == kind:
                return message["event"]

    async def subscribe(self, *topics: str) -> list[str]:
        await self.ws.send(json.dumps({"type": "subscribe", "topics": list(topics)}))
        return (await self.next("subscribed"))["topics"]

    async def alive(self) -> bool:
        await self.ws.send(json.dumps({"type": "ping"}))
        await self.next("pong")
        return True

    async def closed(self, timeout: float = TIMEOUT) -> int | None:
        """Reads until the server closes; the close code it sent."""
        deadline = time.monotonic() + timeout
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.wait_for(self.ws.recv(), max(deadline - time.monotonic(), 0.01))
        return self.ws.close_code


class Site:
    """One fresh database, the servers that share it, and a way to seed it
    directly (accounts with the factories' cheap password hash, spaces)."""

    def __init__(self, workdir: Path, database_url: str):
        self.workdir = workdir
        self.database_url = database_url
        self.database = Database(Settings(database_url=database_url, _env_file=None))
        self.servers: list[RucheServer] = []
        self._clients: list[httpx.AsyncClient] = []
        self._sockets: list[Socket] = []

    async def add_servers(self, *names: str, **settings: str) -> None:
        """Started together. Each migrates the database first: with several, it is
        migrated here beforehand, so that they find nothing to do at once."""
        if len(names) > 1:
            await upgrade(self.database.engine)
        servers = []
        for name in names:
            workdir = self.workdir / name
            workdir.mkdir()
            servers.append(
                RucheServer(
                    workdir, "--log-level", "warning", env=server_env(self.database_url, **settings)
                )
            )
        self.servers += servers
        await asyncio.gather(*(start(server) for server in servers))

    def client(self, server: RucheServer, **headers: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            base_url=server.base_url, headers=headers, timeout=TIMEOUT, trust_env=False
        )
        self._clients.append(client)
        return client

    async def user(self, **fields) -> User:
        async with self.database.sessionmaker() as session:
            return await Factories(session, None).user(**fields)

    async def space(self, **fields) -> Space:
        async with self.database.sessionmaker() as session:
            return await Factories(session, None).space(**fields)

    async def sign_in(self, user: User, server: RucheServer | None = None) -> Person:
        client = self.client(server or self.servers[0])
        response = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return Person(self, user, client.cookies[SESSION_COOKIE], response.json()["csrf_token"])

    async def person(self, **fields) -> Person:
        return await self.sign_in(await self.user(**fields))

    async def socket(
        self,
        server: RucheServer | None = None,
        *,
        cookie: str | None = None,
        bearer: str | None = None,
        origin: str | None = ORIGIN,
        query: str = "",
        hello: bool = True,
    ) -> Socket:
        headers = {}
        if cookie is not None:
            headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        ws = await connect(
            ws_url(server or self.servers[0], query),
            origin=origin,
            additional_headers=headers,
            compression=None,
            proxy=None,
            open_timeout=TIMEOUT,
            close_timeout=2,
        )
        socket = Socket(ws)
        self._sockets.append(socket)
        if hello:
            socket.hello = await socket.next("hello")
        return socket

    async def close_sockets(self) -> None:
        for socket in self._sockets:
            await socket.ws.close()
        self._sockets.clear()

    async def close(self) -> None:
        await self.close_sockets()
        for client in self._clients:
            await client.aclose()
        for server in self.servers:
            await asyncio.to_thread(server.stop)
        await self.database.dispose()
        await drop_database(self.database_url)


async def start(server: RucheServer) -> None:
    server.start()
    await asyncio.to_thread(server.wait_ready)


async def refused_handshake(site: Site, **options) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await site.socket(**options)
    return refused.value.response.status_code


async def catch_up(client: httpx.AsyncClient, since: int) -> tuple[list[dict], int]:
    """What a reconnecting client asks for: every page since its last id."""
    found: list[dict] = []
    for _ in range(100):
        response = await client.get(EVENTS, params={"since": since})
        assert response.status_code == 200, response.text
        page = response.json()
        assert all(event["id"] > since for event in page["items"])
        found += page["items"]
        since = page["last_id"]
        if not page["more"]:
            return found, since
    raise AssertionError("the pages never ended")


@pytest.fixture(scope="module")
async def one_server(tmp_path_factory) -> AsyncIterator[Site]:
    """One ``ruche serve`` with its in-memory broker."""
    workdir = tmp_path_factory.mktemp("live")
    site = Site(workdir, await create_fresh_database(workdir))
    try:
        await site.add_servers("solo")
        yield site
    finally:
        await site.close()


@pytest.fixture
async def site(one_server) -> AsyncIterator[Site]:
    yield one_server
    await one_server.close_sockets()


@pytest.fixture(scope="module")
async def redis_pair(tmp_path_factory) -> AsyncIterator[tuple[Site, RedisServer]]:
    """Two ``ruche serve`` processes on one database, sharing a Redis of their own."""
    # Not a skip: without it, the multi-worker and outage tests would prove nothing.
    assert shutil.which("redis-server"), "install Debian's redis-server to run these tests"
    workdir = tmp_path_factory.mktemp("pair")
    broker = RedisServer(workdir)
    await asyncio.to_thread(broker.start)
    site = Site(workdir, await create_fresh_database(workdir))
    try:
        await site.add_servers("a", "b", redis_url=broker.url)
        yield site, broker
    finally:
        await site.close()
        broker.kill()


@pytest.fixture
async def pair(redis_pair) -> AsyncIterator[tuple[Site, RedisServer]]:
    yield redis_pair
    await redis_pair[0].close_sockets()


# --- who may open a socket ------------------------------------------------------------


async def test_another_sites_origin_or_none_is_refused_at_the_handshake(site):
    reader = await site.person()
    port = site.servers[0].port
    others = (
        "http://evil.test",
        "https://ruche.test",
        "http://ruche.test:8080",
        "null",
        "http://intranet.test",  # the allowed one's scheme matters
        "https://intranet.test.evil.test",
        # Another port or another name for the same machine is another origin:
        # the handshake asks for 127.0.0.1:<port>.
        f"http://127.0.0.1:{free_port()}",
        f"http://localhost:{port}",
        f"https://127.0.0.1:{port}",
    )

    for origin in others:
        # The browser would send the victim's cookie along: refused all the same.
        assert await refused_handshake(site, cookie=reader.cookie, origin=origin) == 403, origin
    assert await refused_handshake(site, cookie=reader.cookie, origin=None) == 403

    assert (await site.socket(cookie=reader.cookie)).hello["type"] == "hello"


async def test_the_pages_own_origin_and_the_allowed_ones_are_accepted(site):
    """Same-origin (the host the handshake asks for: `ruche serve` reached at the
    address it prints, whatever RUCHE_PUBLIC_URL says), the public URL's, and
    RUCHE_ALLOWED_ORIGINS' (given with a slash, any case: compared as origins)."""
    reader = await site.person()
    port = site.servers[0].port

    for origin in (f"http://127.0.0.1:{port}", ORIGIN, ALLOWED_ORIGIN, "HTTP://Other.test"):
        socket = await site.socket(cookie=reader.cookie, origin=origin)
        assert socket.hello["type"] == "hello", origin


async def test_a_token_in_the_url_is_refused(site):
    reader = await site.person()
    token = await reader.token()

    for query in (f"?token={token}", f"?access_token={token}"):
        assert await refused_handshake(site, query=query) == 403
        assert await refused_handshake(site, cookie=reader.cookie, query=query) == 403


async def test_without_credentials_the_socket_is_closed_4401(site):
    """Silence: closed after the auth timeout; a bad first message, or bad
    credentials, at once."""

    async def closed_after(first_message: str | None, **options) -> tuple[int | None, float]:
        socket = await site.socket(hello=False, **options)
        began = time.monotonic()
        if first_message is not None:
            await socket.ws.send(first_message)
        code = await socket.closed(timeout=AUTH_SECONDS + 5)
        return code, time.monotonic() - began

    silent, *bad = await asyncio.gather(
        closed_after(None),
        closed_after(json.dumps({"type": "auth", "token": "rch_not-a-token"})),
        closed_after(json.dumps({"type": "auth"})),
        closed_after(json.dumps({"type": "subscribe", "topics": ["home"]})),
        closed_after("not json"),
        closed_after(json.dumps({"type": "auth", "token": "x"}), cookie="forged.cookie"),
        closed_after(json.dumps({"type": "ping"}), bearer="rch_not-a-token"),
    )

    assert silent[0] == CLOSE_SIGNED_OUT
    assert AUTH_SECONDS - 0.5 <= silent[1] < AUTH_SECONDS + 3
    for code, elapsed in bad:
        assert code == CLOSE_SIGNED_OUT
        assert elapsed < AUTH_SECONDS - 1


@pytest.mark.parametrize("way", ["cookie", "authorization header", "first message"])
async def test_a_signed_in_socket_receives_the_readers_events(site, way):
    reader = await site.person()
    if way == "cookie":
        socket = await site.socket(cookie=reader.cookie)
    elif way == "authorization header":
        socket = await site.socket(bearer=await reader.token())
    else:
        token = await reader.token()
        socket = await site.socket(hello=False)
        await socket.ws.send(json.dumps({"type": "auth", "token": token}))
        socket.hello = await socket.next("hello")
    assert socket.hello["state"] == "ok"
    assert await socket.subscribe("home") == ["home"]

    post = await reader.publish(body="En direct")

    event = await socket.next_event()
    assert (event["post_id"], event["payload"]["author_id"]) == (post["id"], reader.id)
    assert await socket.alive()


# --- what each reader receives ----------------------------------------------------------


async def test_each_reader_receives_only_what_its_clearance_and_kind_allow(site):
    writer = await site.person(clearance="confidential")
    cleared = await site.person(clearance="confidential")
    internal = await site.person()
    contractor = await site.person(kind="contractor")
    sockets = {
        "cleared": await cleared.socket(None, "home"),
        "internal": await internal.socket(None, "home"),
        "contractor": await contractor.socket(None, "home"),
    }

    confidential = await writer.publish(body="Confidentiel", level="confidential")
    inside = await writer.publish(body="Interne", level="internal")
    public = await writer.publish(body="Public", level="public")

    async def received(socket: Socket, count: int) -> list[int]:
        return [(await socket.next_event())["post_id"] for _ in range(count)]

    # Events reach each socket in order: a skipped post is one never sent.
    assert await received(sockets["cleared"], 3) == [confidential["id"], inside["id"], public["id"]]
    assert await received(sockets["internal"], 2) == [inside["id"], public["id"]]
    assert await received(sockets["contractor"], 1) == [public["id"]]


async def test_a_contractors_socket_hears_of_public_events_only(site):
    planner = await site.person()
    contractor = await site.person(kind="contractor")
    socket = await contractor.socket(None, "home")

    for level in ("internal", "public"):
        response = await planner.http().post(
            "/api/v1/calendar/events", json=event_body(title=f"Réunion {level}", level=level)
        )
        assert response.status_code == 201, response.text
        planned = response.json()
    answered = await planner.http().put(
        f"/api/v1/calendar/events/{planned['id']}/answer", json={"answer": "going"}
    )
    assert answered.status_code == 200, answered.text

    # The internal event, planned first, never reaches the contractor.
    created = await socket.next_event("calendar_event.created")
    assert created["calendar_event_id"] == planned["id"]
    answer = await socket.next_event("calendar_event.answered")
    assert answer["calendar_event_id"] == planned["id"]
    assert answer["payload"] == {"answers": {"going": 1, "maybe": 0, "declined": 0, "waiting": 0}}
    assert "Réunion" not in json.dumps(created)


async def test_a_post_in_a_private_space_reaches_its_members_only(site):
    owner = await site.person()
    member = await site.person()
    outsider = await site.person()
    space = await site.space(owner=owner.user, visibility="private", members=[member.user])
    member_socket = await member.socket(None, "home", f"space:{space.id}")
    outsider_socket = await outsider.socket(None, "home")
    # The outsider may not even subscribe to the space's topic.
    assert await outsider_socket.subscribe(f"space:{space.id}") == ["home"]

    inside = await owner.publish(body="Entre nous", space_id=space.id)
    everyone = await owner.publish(body="Pour tous")

    assert (await member_socket.next_event())["post_id"] == inside["id"]
    assert (await member_socket.next_event())["post_id"] == everyone["id"]
    assert (await outsider_socket.next_event())["post_id"] == everyone["id"]


async def test_after_leaving_a_space_its_posts_no_longer_arrive(site):
    owner = await site.person()
    leaver = await site.person()
    space = await site.space(owner=owner.user, visibility="private", members=[leaver.user])
    socket = await leaver.socket(None, "home", f"space:{space.id}")
    before = await owner.publish(body="Avant", space_id=space.id)
    assert (await socket.next_event())["post_id"] == before["id"]

    left = await leaver.http().post(f"/api/v1/spaces/{space.id}/leave")
    assert left.status_code == 204, left.text
    after = await owner.publish(body="Après", space_id=space.id)
    everyone = await owner.publish(body="Pour tous")

    # The socket's reader was reloaded: the space's next post is not sent.
    assert (await socket.next_event())["post_id"] == everyone["id"]
    assert after["id"] != everyone["id"]


async def test_a_lowered_clearance_applies_at_once_and_deactivation_closes(site):
    admin = await site.person(role="admin")
    writer = await site.person(clearance="confidential")
    reader = await site.person(clearance="confidential")
    socket = await reader.socket(None, "home")
    first = await writer.publish(body="Confidentiel", level="confidential")
    assert (await socket.next_event())["post_id"] == first["id"]

    lowered = await admin.http().patch(
        f"/api/v1/admin/users/{reader.id}", json={"clearance": "internal"}
    )
    assert lowered.status_code == 200, lowered.text
    await writer.publish(body="Confidentiel encore", level="confidential")
    inside = await writer.publish(body="Interne", level="internal")
    assert (await socket.next_event())["post_id"] == inside["id"]

    deactivated = await admin.http().patch(
        f"/api/v1/admin/users/{reader.id}", json={"is_active": False}
    )
    assert deactivated.status_code == 200, deactivated.text
    assert await socket.closed() == CLOSE_SIGNED_OUT


async def test_offboarding_closes_every_socket_of_the_person(site):
    admin = await site.person(role="admin")
    leaver = await site.person()
    by_cookie = await leaver.socket(None, "home")
    by_token = await site.socket(bearer=await leaver.token())
    admin_socket = await admin.socket(None, "home")

    response = await admin.http().post(f"/api/v1/admin/users/{leaver.id}/offboard")
    assert response.status_code == 200, response.text

    assert await by_cookie.closed() == CLOSE_SIGNED_OUT
    assert await by_token.closed() == CLOSE_SIGNED_OUT
    assert await admin_socket.alive()
    # The old cookie opens nothing any more: the ping is taken for a bad first message.
    refused = await site.socket(hello=False, cookie=leaver.cookie)
    await refused.ws.send(json.dumps({"type": "ping"}))
    assert await refused.closed(timeout=3) == CLOSE_SIGNED_OUT


async def test_signing_out_closes_that_sessions_socket_only(site):
    reader = await site.person()
    other_session = await site.sign_in(reader.user)
    signing_out = await reader.socket(None, "home")
    staying = await other_session.socket(None, "home")
    by_token = await site.socket(bearer=await other_session.token())
    someone_else = await (await site.person()).socket(None, "home")

    response = await reader.http().post("/api/v1/auth/logout")
    assert response.status_code == 204, response.text

    assert await signing_out.closed() == CLOSE_SIGNED_OUT
    for socket in (staying, by_token, someone_else):
        assert await socket.alive()


async def test_events_carry_ids_never_the_body_level_or_audience(site):
    author = await site.person()
    named = await site.person()
    socket = await site.socket(cookie=named.cookie)
    await socket.subscribe("home", "notifications")

    post = await author.publish(body="Marqueur-secret-du-corps", audience=[named.id])
    comment = await author.http().post(
        f"{POSTS}/{post['id']}/comments", json={"body": "Marqueur-du-commentaire"}
    )
    assert comment.status_code == 201, comment.text
    reacted = await named.http().put(f"{POSTS}/{post['id']}/reactions/like")
    assert reacted.status_code == 204, reacted.text

    raw: list[str] = []
    kinds: list[str] = []
    while len(kinds) < 3:
        text = await asyncio.wait_for(socket.ws.recv(), TIMEOUT)
        message = json.loads(text)
        if message["type"] == "event":
            raw.append(text)
            kinds.append(message["event"]["kind"])
            assert set(message) == {"type", "event"}
            assert set(message["event"]) == {
                "id",
                "kind",
                "space_id",
                "post_id",
                "page_id",
                "calendar_event_id",
                "task_id",
                "payload",
            }
            assert message["event"]["post_id"] == post["id"]
            assert isinstance(message["event"]["id"], int)
    assert kinds == ["post.created", "comment.created", "reaction.changed"]
    for text in raw:
        assert "Marqueur" not in text
        assert "level" not in text and "audience" not in text and "internal" not in text


async def test_hello_carries_the_last_event_id(site):
    author = await site.person()
    watcher = await author.socket(None, "home")
    post = await author.publish()
    newest = (await watcher.next_event())["id"]

    late = await site.socket(cookie=author.cookie)

    assert late.hello["last_event_id"] == newest
    assert late.hello["state"] == "ok"
    missed = (await author.http().get(EVENTS, params={"since": newest})).json()
    assert missed == {"items": [], "last_id": newest, "more": False}
    caught, _ = await catch_up(author.http(), newest - 1)
    assert [(e["id"], e["post_id"]) for e in caught] == [(newest, post["id"])]


async def test_presence_shows_a_spaces_readers_who_is_there(site):
    owner = await site.person()
    member = await site.person()
    outsider = await site.person()
    space = await site.space(owner=owner.user, visibility="private", members=[member.user])
    topic = f"space:{space.id}"
    owner_socket = await owner.socket(None, "home", topic)
    member_socket = await member.socket(None, topic)
    outsider_socket = await outsider.socket(None, "home")
    assert await outsider_socket.subscribe(topic) == ["home"]  # not granted, not counted

    both = [
        {"id": person.id, "name": person.user.display_name, "avatar_file_id": None}
        for person in sorted((owner, member), key=lambda person: person.id)
    ]
    for socket in (owner_socket, member_socket):
        assert (await socket.next("presence", space_id=space.id, count=2))["people"] == both
    # Whatever the outsider was sent in that round came before the answer to its ping.
    await outsider_socket.ws.send(json.dumps({"type": "ping"}))
    while (message := await outsider_socket.receive())["type"] != "pong":
        assert message["type"] != "presence", message

    await member_socket.ws.close()
    alone = await owner_socket.next("presence", space_id=space.id, count=1)
    assert alone["people"] == [
        {"id": owner.id, "name": owner.user.display_name, "avatar_file_id": None}
    ]


# --- the hub's recheck of open sockets --------------------------------------------------


@pytest.fixture
async def in_process(tmp_path) -> AsyncIterator[tuple[Site, InProcessServer]]:
    """A fresh database and ``ruche serve``'s app in this process (InProcessServer),
    for the tests that call the hub themselves."""
    site = Site(tmp_path, await create_fresh_database(tmp_path))
    await upgrade(site.database.engine)
    server = InProcessServer(
        Settings(
            database_url=site.database_url,
            public_url=PUBLIC_URL,
            secret_key=SECRET_KEY,
            jobs_interval_seconds=0,
            _env_file=None,
        )
    )
    await server.start()
    try:
        yield site, server
    finally:
        await site.close_sockets()
        await server.stop()
        await site.close()


async def test_the_hubs_recheck_closes_sockets_whose_way_in_ended_unannounced(in_process):
    """A session expired, a token revoked, an account deactivated, straight in the
    database, as when the event saying so was lost: Hub.revalidate, the recheck the
    hub runs every minute, closes their sockets, and no other."""
    site, server = in_process
    expired, revoked, deactivated, staying = [
        await site.sign_in(await site.user(), server) for _ in range(4)
    ]
    sockets = {
        "expired": await expired.socket(server, "home"),
        "revoked": await site.socket(server, bearer=await revoked.token(server)),
        "deactivated": await deactivated.socket(server, "home"),
        "staying": await staying.socket(server, "home"),
    }
    now = utcnow()
    async with site.database.sessionmaker() as session:
        await session.execute(
            update(UserSession)
            .where(UserSession.user_id == expired.id)
            .values(expires_at=now - timedelta(seconds=1))
        )
        await session.execute(
            update(AccessToken).where(AccessToken.user_id == revoked.id).values(revoked_at=now)
        )
        await session.execute(update(User).where(User.id == deactivated.id).values(is_active=False))
        await session.commit()
    for socket in sockets.values():
        assert await socket.alive()  # nothing told the hub

    await server.app.state.hub.revalidate()

    for name in ("expired", "revoked", "deactivated"):
        assert await sockets[name].closed() == CLOSE_SIGNED_OUT, name
    assert await sockets["staying"].alive()


# --- two workers, one Redis -------------------------------------------------------------


async def test_a_post_through_worker_a_reaches_a_socket_held_by_worker_b(pair):
    site, _broker = pair
    a, b = site.servers
    reader = await site.person()
    on_a = await reader.socket(a, "home")
    on_b = await reader.socket(b, "home")

    through_a = await reader.publish(a, body="Par A")
    through_b = await reader.publish(b, body="Par B")

    for socket in (on_b, on_a):
        assert (await socket.next_event())["post_id"] == through_a["id"]
        assert (await socket.next_event())["post_id"] == through_b["id"]


async def test_presence_is_shared_by_the_workers(pair):
    site, _broker = pair
    a, b = site.servers
    owner = await site.person()
    member = await site.person()
    space = await site.space(owner=owner.user, visibility="private", members=[member.user])
    on_a = await owner.socket(a, f"space:{space.id}")
    on_b = await member.socket(b, f"space:{space.id}")

    for socket in (on_a, on_b):
        shown = await socket.next("presence", space_id=space.id, count=2)
        assert {person["id"] for person in shown["people"]} == {owner.id, member.id}


async def test_a_redis_outage_degrades_then_recovers_and_nothing_is_lost(pair):
    site, broker = pair
    a, b = site.servers
    reader = await site.person()
    sockets = [await reader.socket(a, "home"), await reader.socket(b, "home")]
    await reader.publish(a)
    seen = {(await socket.next_event())["id"] for socket in sockets}
    assert len(seen) == 1
    last_seen = seen.pop()

    broker.kill()
    for socket in sockets:
        await socket.next("status", state="degraded")
    during: list[int] = []
    for server in (a, b, a, b):
        began = time.monotonic()
        during.append((await reader.publish(server, body="Pendant la panne"))["id"])
        assert time.monotonic() - began < 2, "a write waited for the lost Redis"
    joined_during = await reader.socket(b, "home")
    assert joined_during.hello["state"] == "degraded"

    await asyncio.to_thread(broker.start)  # the same port again
    for socket in [*sockets, joined_during]:
        await socket.next("status", timeout=10, state="ok")

    missed, _ = await catch_up(reader.http(b), last_seen)
    assert [(e["kind"], e["post_id"]) for e in missed] == [("post.created", i) for i in during]
    # And the live feed flows again, through both workers.
    after = await reader.publish(b, body="Après la panne")
    for socket in [*sockets, joined_during]:
        event = await socket.next_event()
        # Whatever a socket may have been told of the outage's posts, nothing twice.
        while event["post_id"] in during:
            event = await socket.next_event()
        assert event["post_id"] == after["id"]


async def test_a_frozen_redis_does_not_hold_writes(pair):
    """Redis stopped (SIGSTOP), not gone: its connections stay open and nothing
    answers. The write is answered all the same, after PUBLISH_SECONDS at most."""
    site, broker = pair
    a, b = site.servers
    reader = await site.person()
    socket = await reader.socket(b, "home")
    before = (await reader.http(a).get(EVENTS)).json()["last_id"]

    broker.freeze()
    try:
        began = time.monotonic()
        frozen = await reader.publish(a, body="Redis figé")
        assert time.monotonic() - began < PUBLISH_SECONDS + 2
    finally:
        broker.thaw()

    after = await reader.publish(a, body="Redis revenu")
    received: list[int] = []
    while after["id"] not in received:
        received.append((await socket.next_event())["post_id"])
    # The frozen post may arrive late, once at most; the catch-up has both.
    assert received in ([after["id"]], [frozen["id"], after["id"]])
    missed, _ = await catch_up(reader.http(b), before)
    assert [e["post_id"] for e in missed if e["kind"] == "post.created"] == [
        frozen["id"],
        after["id"],
    ]


async def test_a_server_restart_mid_stream_loses_nothing_after_catch_up(pair):
    """A writer keeps posting through worker A while worker B, which holds the
    reader's socket, restarts; the reader reconnects, listens, catches up from its
    last id, and keeps what the live feed brings after that."""
    site, _broker = pair
    a, b = site.servers
    reader = await site.person()
    writer = await site.person()
    posted: list[int] = []
    stop_writing = asyncio.Event()

    async def keep_posting() -> None:
        n = 0
        while not stop_writing.is_set():
            posted.append((await writer.publish(a, body=f"Billet {n}"))["id"])
            n += 1
            await asyncio.sleep(0.05)

    socket = await reader.socket(b, "home")
    writing = asyncio.create_task(keep_posting())
    try:
        live_before = [await socket.next_event() for _ in range(3)]
        await asyncio.to_thread(b.stop)
        # Told before the restart, if anything more: kept, as the client would.
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while True:
                message = await socket.receive()
                if message["type"] == "event" and message["event"]["kind"] == "post.created":
                    live_before.append(message["event"])
        assert socket.ws.close_code is not None
        posted_while_down = len(posted)
        await start(b)
        assert len(posted) > posted_while_down  # the stream went on meanwhile

        # The client reconnects, listens, then asks for what it missed.
        last_id = live_before[-1]["id"]
        socket = await reader.socket(b, "home")
        assert socket.hello["last_event_id"] >= last_id
        missed, caught_up_to = await catch_up(reader.http(b), last_id)
        await asyncio.sleep(0.3)  # a few more, live only
    finally:
        stop_writing.set()
        await asyncio.wait_for(writing, 10)

    received = [event["id"] for event in live_before]
    assert received == sorted(set(received))
    merged = [(e["id"], e["post_id"]) for e in live_before + missed if e["kind"] == "post.created"]
    assert len(missed) >= 1
    # Then live again: the client drops what the catch-up already gave it.
    live_after = 0
    while len(merged) < len(posted):
        event = await socket.next_event()
        if event["id"] > caught_up_to:
            merged.append((event["id"], event["post_id"]))
            live_after += 1
    assert live_after >= 1
    assert [post_id for _id, post_id in merged] == posted
    assert [event_id for event_id, _ in merged] == sorted({event_id for event_id, _ in merged})


# --- concurrent requests on one database -----------------------------------------


async def test_concurrent_writers_and_first_uses_never_fail(site):
    """Many people at once, each on a fresh token (its first use is noted): on
    SQLite a deferred transaction that read first could not take the write lock
    and failed at once; writes now begin IMMEDIATE and wait their turn, and the
    noting of a use is written apart, never failing a request."""
    people = [await site.sign_in(await site.user()) for _ in range(6)]
    tokens = [await person.token() for person in people]
    server = site.servers[0]
    clients = [site.client(server, Authorization=f"Bearer {token}") for token in tokens]

    async def busy(client: httpx.AsyncClient, n: int) -> list[int]:
        statuses = []
        for round_ in range(4):
            posted = await client.post(POSTS, json={"body": f"Écrit {n}.{round_}"})
            read = await client.get("/api/v1/feed")
            statuses += [posted.status_code, read.status_code]
        return statuses

    results = await asyncio.wait_for(
        asyncio.gather(*(busy(client, n) for n, client in enumerate(clients))), TIMEOUT * 6
    )

    assert {status for statuses in results for status in statuses} == {200, 201}


async def test_a_board_is_told_of_the_tasks_its_reader_may_read_only(site):
    """Tasks are in the activity log: a change reaches, live and on catch-up,
    only who may read the task as it stands — not a member below its level."""
    owner = await site.person(clearance="confidential")
    member = await site.person()  # internal
    space = await site.space(owner=owner.user, kind="project", members=[member.user])
    socket = await member.socket(None, f"space:{space.id}")
    since = socket.hello["last_event_id"]

    async def add(title: str, level: str, **fields) -> dict:
        response = await owner.http().post(
            f"/api/v1/spaces/{space.id}/tasks", json={"title": title, "level": level, **fields}
        )
        assert response.status_code == 201, response.text
        return response.json()

    hidden = await add("Tâche-confidentielle", "confidential")
    narrowed = await add("Tâche-entre-nous", "internal", audience=[owner.id])
    shown = await add("Tâche-interne", "internal")
    for task in (hidden, narrowed, shown):
        moved = await owner.http().post(
            f"/api/v1/tasks/{task['id']}/move", json={"status": "doing", "index": 0}
        )
        assert moved.status_code == 200, moved.text

    created = await socket.next_event("task.created")
    assert (created["task_id"], created["space_id"]) == (shown["id"], space.id)
    assert "Tâche" not in json.dumps(created)
    moved = await socket.next_event("task.moved")
    assert (moved["task_id"], moved["payload"]) == (shown["id"], {"status": "doing"})

    caught = await member.http().get("/api/v1/events", params={"since": since})
    assert [(event["kind"], event["task_id"]) for event in caught.json()["items"]] == [
        ("task.created", shown["id"]),
        ("task.moved", shown["id"]),
    ]
    # Raised above them since: its earlier events are gone from their catch-up too.
    raised = await owner.http().put(
        f"/api/v1/tasks/{shown['id']}", json={"title": "Tâche-interne", "level": "confidential"}
    )
    assert raised.status_code == 200, raised.text
    caught = await member.http().get("/api/v1/events", params={"since": since})
    assert caught.json()["items"] == []
    # Nor does it reach their open socket any more; a task they may read still does.
    again = await owner.http().post(
        f"/api/v1/tasks/{shown['id']}/move", json={"status": "done", "index": 0}
    )
    assert again.status_code == 200, again.text
    after = await add("Tâche-suivante", "internal")
    event = await socket.next("event")
    assert (event["event"]["kind"], event["event"]["task_id"]) == ("task.created", after["id"])
