"""Ruche's own RFC 6455 server protocol (app/realtime/websocket_protocol.py) under a
real uvicorn in the tests' event loop, with small ASGI apps: the opening handshake
and the scope, messages of every length encoding, fragmentation, control frames,
every protocol error the server must fail a connection for, the close handshake,
the keepalive sweep, shutdown, backpressure both ways, and what an idle socket holds.

Clients are the `websockets` library for the ordinary flows and raw TCP with
hand-built frames for the rest. No database. Every read has a timeout, so that a
broken server fails a test instead of hanging it.
"""

import asyncio
import base64
import contextlib
import random
import string
import struct
import time
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import pytest
import uvicorn
from packaging.requirements import Requirement
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request
from websockets.protocol import OPEN

from app.realtime import websocket_protocol
from app.realtime.websocket_protocol import WebSocketProtocol
from tests.live_server import free_port

PROTOCOL = "app.realtime.websocket_protocol:WebSocketProtocol"
MAX_SIZE = 65536  # ws_max_size, as app.cli.WEBSOCKET_OPTIONS sets it
TIMEOUT = 5.0
SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 section 1.3
SAMPLE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


# --- frames, by hand ----------------------------------------------------------------

MASK = b"\x37\xfa\x21\x3d"


def masked(payload: bytes, mask: bytes = MASK) -> bytes:
    """``payload`` XORed with ``mask`` repeated (written apart from the module's)."""
    return bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def client_frame(
    opcode: int,
    payload: bytes = b"",
    *,
    fin: bool = True,
    rsv: int = 0,
    mask: bool = True,
    announce: int | None = None,
    encoding: int | None = None,
) -> bytes:
    """A client frame: masked unless ``mask`` is false; ``rsv`` sets the reserved
    bits (4: RSV1, 2: RSV2, 1: RSV3); ``announce`` claims another length than the
    payload's; ``encoding`` (7, 16 or 64) forces the length's form, else the shortest."""
    size = len(payload) if announce is None else announce
    if encoding is None:
        encoding = 7 if size < 126 else 16 if size < 1 << 16 else 64
    head = bytes(((0x80 if fin else 0) | rsv << 4 | opcode,))
    mask_bit = 0x80 if mask else 0
    if encoding == 7:
        head += bytes((mask_bit | size,))
    elif encoding == 16:
        head += bytes((mask_bit | 126,)) + struct.pack("!H", size)
    else:
        head += bytes((mask_bit | 127,)) + struct.pack("!Q", size)
    return head + (MASK + masked(payload) if mask else payload)


def text(value: str, **options) -> bytes:
    return client_frame(TEXT, value.encode(), **options)


def binary(value: bytes, **options) -> bytes:
    return client_frame(BINARY, value, **options)


def close(code: int | None = None, reason: bytes = b"") -> bytes:
    payload = b"" if code is None else struct.pack("!H", code) + reason
    return client_frame(CLOSE, payload)


class Frame(NamedTuple):
    fin: bool
    opcode: int
    payload: bytes
    header: bytes  # the first bytes up to the payload: the length's encoding shows

    @property
    def close_code(self) -> int | None:
        assert self.opcode == CLOSE, self
        return struct.unpack("!H", self.payload[:2])[0] if self.payload else None

    @property
    def close_reason(self) -> bytes:
        assert self.opcode == CLOSE, self
        return self.payload[2:]


def pattern(size: int, seed: int = 0) -> bytes:
    return random.Random(size * 7919 + seed).randbytes(size)


def letters(size: int) -> str:
    return (string.ascii_letters * (size // 52 + 1))[:size]


class RawClient:
    """A TCP connection that did the opening handshake by hand: the response's
    status and headers (names lowercased), then frames both ways."""

    def __init__(self, reader, writer, status: int, headers: dict[str, str], head: bytes):
        self.reader, self.writer = reader, writer
        self.status, self.headers, self.head = status, headers, head

    async def send(self, *frames: bytes) -> None:
        self.writer.write(b"".join(frames))
        await self.writer.drain()

    async def frame(self, timeout: float = TIMEOUT) -> Frame:
        async with asyncio.timeout(timeout):
            header = await self.reader.readexactly(2)
            first, second = header
            assert not first & 0x70, f"reserved bits set by the server: {header!r}"
            assert not second & 0x80, "the server masked its frame"
            size = second & 0x7F
            if size == 126:
                extra = await self.reader.readexactly(2)
                header += extra
                (size,) = struct.unpack("!H", extra)
            elif size == 127:
                extra = await self.reader.readexactly(8)
                header += extra
                (size,) = struct.unpack("!Q", extra)
            payload = await self.reader.readexactly(size)
        return Frame(bool(first & 0x80), first & 0x0F, payload, header)

    async def data(self, answer_pings: bool = True) -> Frame:
        """The next frame that is not a ping (answered, unless told not to)."""
        async with asyncio.timeout(TIMEOUT):
            while True:
                received = await self.frame()
                if received.opcode != PING:
                    return received
                if answer_pings:
                    await self.send(client_frame(PONG, received.payload))

    async def closed_with(self) -> Frame:
        """The server's close frame, then the end of the connection, and nothing else."""
        received = await self.data()
        assert received.opcode == CLOSE, received
        assert received.fin
        assert await self.rest() == b""
        return received

    async def rest(self, timeout: float = TIMEOUT) -> bytes:
        """Whatever the server still sends until it ends the connection."""
        chunks = []
        async with asyncio.timeout(timeout):
            while True:
                try:
                    chunk = await self.reader.read(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    async def closed_after_body(self) -> None:
        """A refusal's body (the library explains in a line of text), then the end."""
        body = await self.rest()
        assert len(body) == int(self.headers["content-length"]) < 200, body

    def abort(self) -> None:
        self.writer.transport.abort()


async def open_raw(
    port: int,
    path: str = "/",
    *,
    key: str | None = SAMPLE_KEY,
    version: str = "13",
    headers: tuple[tuple[str, str], ...] = (),
) -> RawClient:
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT)
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Version: {version}",
    ]
    if key is not None:
        lines.append(f"Sec-WebSocket-Key: {key}")
    lines += [f"{name}: {value}" for name, value in headers]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    response_headers = {}
    for line in header_lines:
        name, value = line.split(":", 1)
        assert name.strip().lower() not in response_headers, f"{name} twice"
        response_headers[name.strip().lower()] = value.strip()
    return RawClient(reader, writer, int(status_line.split(" ")[1]), response_headers, head)


# --- servers and apps -------------------------------------------------------------------


class Served:
    """A uvicorn server running ``app`` with the protocol under test."""

    def __init__(self, app, **options):
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            lifespan="off",
            log_level="warning",
            interface="asgi3",
            ws=PROTOCOL,
            ws_max_size=options.pop("ws_max_size", MAX_SIZE),
            ws_per_message_deflate=options.pop("ws_per_message_deflate", False),
            ws_ping_interval=options.pop("ws_ping_interval", None),
            ws_ping_timeout=options.pop("ws_ping_timeout", None),
            **options,
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task | None = None
        self.raw_clients: list[RawClient] = []

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        async with asyncio.timeout(TIMEOUT):
            while not self.server.started:
                if self.task.done():
                    self.task.result()
                    pytest.fail("uvicorn stopped before listening")
                await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.close_raw_clients()
        if self.task is not None and not self.task.done():
            self.server.should_exit = True
            try:
                await asyncio.wait_for(asyncio.shield(self.task), TIMEOUT)
            except TimeoutError:
                self.server.force_exit = True  # what a second Ctrl+C does
                await asyncio.wait_for(self.task, TIMEOUT)
                raise

    def url(self, path: str = "/") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def connect(self, path: str = "/", **options):
        """The `websockets` client, without proxy or pings of its own, and without
        compression unless asked."""
        options.setdefault("compression", None)
        return connect(
            self.url(path),
            proxy=None,
            ping_interval=None,
            open_timeout=TIMEOUT,
            close_timeout=TIMEOUT,
            **options,
        )

    async def raw(self, path: str = "/", **options) -> RawClient:
        client = await open_raw(self.port, path, **options)
        self.raw_clients.append(client)
        return client

    async def accepted(self, path: str = "/", **options) -> RawClient:
        client = await self.raw(path, **options)
        assert client.status == 101, client.head
        return client

    def close_raw_clients(self) -> None:
        for client in self.raw_clients:
            client.writer.close()
        self.raw_clients.clear()

    def sockets(self) -> set[WebSocketProtocol]:
        """The open sockets (accepted, not yet closed), as the module's Shared has them."""
        shared = websocket_protocol._shared.get(self.server.server_state)
        return set() if shared is None else shared.sockets

    async def socket(self, path: str | None = None) -> WebSocketProtocol:
        """The one open socket (on ``path``), once it is there."""
        async with asyncio.timeout(TIMEOUT):
            while True:
                found = [s for s in self.sockets() if path is None or s.scope["path"] == path]
                if len(found) == 1:
                    return found[0]
                assert len(found) < 2, found
                await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def serving(app, **options) -> AsyncIterator[Served]:
    served = Served(app, **options)
    await served.start()
    try:
        yield served
    finally:
        await served.stop()


class Echo:
    """Accepts (with ``subprotocol`` and ``headers``), sends back every message and
    records the scope, what it received and how each socket ended."""

    def __init__(self, subprotocol: str | None = None, headers=()):
        self.subprotocol, self.headers = subprotocol, list(headers)
        self.scopes: list[dict] = []
        self.received: list[dict] = []
        self.disconnects: asyncio.Queue[dict] = asyncio.Queue()

    @property
    def calls(self) -> int:
        return len(self.scopes)

    async def __call__(self, scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope)
        assert await receive() == {"type": "websocket.connect"}
        accept = {"type": "websocket.accept", "headers": self.headers}
        if self.subprotocol:
            accept["subprotocol"] = self.subprotocol
        await send(accept)
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                await self.disconnects.put(message)
                return
            self.received.append(message)
            await send(
                {
                    "type": "websocket.send",
                    "text": message.get("text"),
                    "bytes": message.get("bytes"),
                }
            )

    async def disconnect(self) -> dict:
        return await asyncio.wait_for(self.disconnects.get(), TIMEOUT)


class Dispatch:
    """The module server's app: whatever the running test set."""

    def __init__(self):
        self.app = None

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
async def module_server() -> AsyncIterator[Served]:
    dispatch = Dispatch()
    async with serving(dispatch) as served:
        served.dispatch = dispatch
        yield served


@pytest.fixture
async def server(module_server) -> AsyncIterator[Served]:
    """The module's server (ws_max_size 64 KiB, no keepalive), serving a new Echo
    as ``server.app`` unless the test sets ``server.dispatch.app``; each test
    ends with no connection left."""
    module_server.app = module_server.dispatch.app = Echo()
    try:
        yield module_server
    finally:
        module_server.close_raw_clients()
        connections = module_server.server.server_state.connections
        try:
            await until(lambda: not connections)
        except TimeoutError:
            for connection in list(connections):  # so that the next tests start clean
                connection.transport.abort()
            pytest.fail(f"connections left open after the test: {connections}")


async def until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.002)


# --- the opening handshake ------------------------------------------------------------


async def test_handshake_answers_101_with_the_accept_key_of_rfc_6455(server):
    client = await server.raw(
        "/", headers=(("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),)
    )

    assert client.head.startswith(b"HTTP/1.1 101 ")
    assert client.status == 101
    assert client.headers["sec-websocket-accept"] == SAMPLE_ACCEPT
    assert client.headers["upgrade"].lower() == "websocket"
    assert client.headers["connection"].lower() == "upgrade"
    # Compression is not negotiated, and no subprotocol was chosen.
    assert "sec-websocket-extensions" not in client.headers
    assert "sec-websocket-protocol" not in client.headers
    # And the socket works.
    await client.send(text("ping?"))
    assert (await client.frame()) == (True, TEXT, b"ping?", b"\x81\x05")


async def test_the_scope_the_app_sees(server):
    client = await server.raw(
        "/chat%20room/x?a=1&b=%20",
        headers=(
            ("X-Custom-Header", "Some Value"),
            ("Sec-WebSocket-Protocol", "chat, superchat"),
            ("Sec-WebSocket-Protocol", "v3"),
        ),
    )
    assert client.status == 101
    await client.send(text("hi"))
    await client.data()

    (scope,) = server.app.scopes
    assert scope["type"] == "websocket"
    assert scope["asgi"]["version"] == "3.0"
    assert scope["http_version"] == "1.1"
    assert scope["scheme"] == "ws"
    assert scope["path"] == "/chat room/x"
    assert scope["raw_path"] == b"/chat%20room/x"
    assert scope["query_string"] == b"a=1&b=%20"
    assert scope["root_path"] == ""
    assert scope["subprotocols"] == ["chat", "superchat", "v3"]
    assert tuple(scope["client"]) == client.writer.get_extra_info("sockname")
    assert tuple(scope["server"]) == ("127.0.0.1", server.port)
    headers = scope["headers"]
    assert all(isinstance(n, bytes) and isinstance(v, bytes) for n, v in headers)
    assert all(name == name.lower() for name, _ in headers)
    assert (b"x-custom-header", b"Some Value") in headers
    assert (b"sec-websocket-key", SAMPLE_KEY.encode()) in headers
    assert (b"host", f"127.0.0.1:{server.port}".encode()) in headers


async def test_the_subprotocol_and_headers_the_app_accepts_with_are_sent(server):
    server.dispatch.app = app = Echo(subprotocol="superchat", headers=[(b"x-extra", b"yes")])

    async with server.connect("/sub", subprotocols=["chat", "superchat"]) as ws:
        assert ws.subprotocol == "superchat"
        assert ws.response.headers["x-extra"] == "yes"
        assert ws.response.headers["sec-websocket-protocol"] == "superchat"
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "hello"

    assert app.scopes[0]["subprotocols"] == ["chat", "superchat"]


async def test_a_version_other_than_13_gets_426_naming_13(server):
    client = await server.raw(version="8")

    assert client.status == 426
    assert client.headers["sec-websocket-version"] == "13"
    assert "sec-websocket-accept" not in client.headers
    await client.closed_after_body()
    await asyncio.sleep(0)
    assert server.app.calls == 0


@pytest.mark.parametrize(
    "key",
    [
        "not base64 at all!",
        base64.b64encode(b"fifteen bytes..").decode(),
        base64.b64encode(b"seventeen bytes..").decode(),
        "dGhlIHNhbXBsZSBub25jZQ",  # the sample without its padding
        None,
    ],
    ids=["not-base64", "15-bytes", "17-bytes", "unpadded", "missing"],
)
async def test_a_bad_key_gets_400_and_never_reaches_the_app(server, key):
    client = await server.raw(key=key)

    assert client.status == 400
    assert "sec-websocket-accept" not in client.headers
    await client.closed_after_body()
    await asyncio.sleep(0)
    assert server.app.calls == 0


async def close_before_accept(scope, receive, send):
    await receive()
    await send({"type": "websocket.close", "code": 1008})


async def raise_before_accept(scope, receive, send):
    await receive()
    raise RuntimeError("the app broke (on purpose, in a test)")


async def return_before_accept(scope, receive, send):
    await receive()


async def accept_with_a_line_break(scope, receive, send):
    await receive()
    await send({"type": "websocket.accept", "headers": [(b"x-evil", b"a\r\nInjected: yes")]})


@pytest.mark.parametrize(
    ("app", "status"),
    [
        (close_before_accept, 403),
        (raise_before_accept, 500),
        (return_before_accept, 500),
        (accept_with_a_line_break, 500),
    ],
    ids=["close-403", "raise-500", "return-500", "header-injection-500"],
)
async def test_an_app_that_does_not_accept_gets_an_http_refusal(server, app, status):
    server.dispatch.app = app

    client = await server.raw()

    assert client.status == status
    assert client.headers["content-length"] == "0"
    assert "sec-websocket-accept" not in client.headers
    assert "injected" not in client.headers
    assert await client.rest() == b""


# --- messages -----------------------------------------------------------------------------

SIZES = [0, 1, 125, 126, 127, 65535, MAX_SIZE]


async def test_text_and_binary_messages_of_every_length_encoding_are_echoed(server):
    async with server.connect() as ws:
        for size in SIZES:
            await ws.send(letters(size))
            assert await asyncio.wait_for(ws.recv(), TIMEOUT) == letters(size)
            await ws.send(pattern(size))
            assert await asyncio.wait_for(ws.recv(), TIMEOUT) == pattern(size)
        await ws.send("é✓😀" * 1000)
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "é✓😀" * 1000

    expected = []
    for size in SIZES:
        expected += [
            {"type": "websocket.receive", "text": letters(size)},
            {"type": "websocket.receive", "bytes": pattern(size)},
        ]
    expected.append({"type": "websocket.receive", "text": "é✓😀" * 1000})
    assert server.app.received == expected


@pytest.mark.parametrize(
    ("size", "header"),
    [
        (0, b"\x82\x00"),
        (125, b"\x82\x7d"),
        (126, b"\x82\x7e\x00\x7e"),
        (65535, b"\x82\x7e\xff\xff"),
        (65536, b"\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00"),
    ],
)
async def test_frame_lengths_are_read_and_written_in_each_encoding(server, size, header):
    client = await server.accepted()

    await client.send(binary(pattern(size)))
    echoed = await client.frame()

    assert echoed.header == header  # the shortest encoding, unmasked, fin set
    assert echoed.payload == pattern(size)
    assert server.app.received == [{"type": "websocket.receive", "bytes": pattern(size)}]


async def test_the_server_writes_messages_bigger_than_ws_max_size(server):
    """ws_max_size bounds what a client sends, not what the app sends."""
    big = pattern(300_000)

    async def send_big(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "bytes": big})
        await send({"type": "websocket.send", "text": "x" * 200_000})
        await receive()

    server.dispatch.app = send_big
    client = await server.accepted()

    first = await client.frame()
    assert first.header == b"\x82\x7f" + struct.pack("!Q", 300_000)
    assert first.payload == big
    second = await client.frame()
    assert (second.opcode, second.payload) == (TEXT, b"x" * 200_000)


@pytest.mark.parametrize("kind", ["text", "binary"])
async def test_a_fragmented_message_arrives_whole_with_pings_answered_between(server, kind):
    if kind == "text":
        whole = "héllo wörld ✓ 😀".encode()
        cuts = [whole[:2], b"", whole[2:9], whole[9:17], whole[17:]]  # cuts inside characters
        first_opcode = TEXT
    else:
        whole = bytes(range(256)) * 3
        cuts = [whole[:100], whole[100:101], b"", whole[101:]]
        first_opcode = BINARY
    frames = [client_frame(first_opcode, cuts[0], fin=False)]
    for index, cut in enumerate(cuts[1:], start=1):
        frames.append(client_frame(PING, f"ping {index}".encode()))
        frames.append(client_frame(CONTINUATION, cut, fin=index == len(cuts) - 1))
    client = await server.accepted()

    for one in frames:  # one write each, so the server sees them one by one
        await client.send(one)

    for index in range(1, len(cuts)):
        assert await client.frame() == (True, PONG, f"ping {index}".encode(), bytes((0x8A, 6)))
    echoed = await client.frame()
    assert (echoed.fin, echoed.opcode, echoed.payload) == (True, first_opcode, whole)
    key = "text" if kind == "text" else "bytes"
    value = whole.decode() if kind == "text" else whole
    assert server.app.received == [{"type": "websocket.receive", key: value}]


async def test_a_message_of_exactly_ws_max_size_is_accepted_whole_or_in_fragments(server):
    whole = pattern(MAX_SIZE)
    quarter = MAX_SIZE // 4
    client = await server.accepted()

    await client.send(binary(whole))
    assert (await client.frame()).payload == whole
    await client.send(
        binary(whole[:quarter], fin=False),
        *(
            client_frame(CONTINUATION, whole[start : start + quarter], fin=start == 3 * quarter)
            for start in (quarter, 2 * quarter, 3 * quarter)
        ),
    )
    assert (await client.frame()).payload == whole

    assert server.app.received == [{"type": "websocket.receive", "bytes": whole}] * 2


async def test_pings_get_pongs_of_the_same_payload_and_pongs_get_nothing(server):
    client = await server.accepted()

    await client.send(client_frame(PING, b"hello"))
    assert await client.frame() == (True, PONG, b"hello", b"\x8a\x05")
    await client.send(client_frame(PING, b"\xff" * 125))
    assert (await client.frame()).payload == b"\xff" * 125
    await client.send(client_frame(PING))
    assert await client.frame() == (True, PONG, b"", b"\x8a\x00")
    await client.send(client_frame(PONG, b"unsolicited"), text("after"))
    assert await client.frame() == (True, TEXT, b"after", b"\x81\x05")

    assert server.app.received == [{"type": "websocket.receive", "text": "after"}]


async def test_frames_delivered_byte_by_byte_still_parse(server):
    messages = [letters(5), letters(300), "é" * 40]
    stream = b"".join(text(message) for message in messages) + client_frame(PING, b"pp")
    big = binary(pattern(MAX_SIZE))  # a 64-bit length
    client = await server.accepted()
    socket = await server.socket()

    for byte in stream:
        await client.send(bytes((byte,)))
        await asyncio.sleep(0)  # the server reads this byte alone
    for message in messages:
        assert (await client.frame()).payload == message.encode()
    assert await client.frame() == (True, PONG, b"pp", b"\x8a\x02")

    # A big frame in uneven chunks: its bytes wait in the library's buffer until it is whole.
    sent, step = 0, 1
    while sent + step < len(big):
        await client.send(big[sent : sent + step])
        await asyncio.sleep(0)
        sent, step = sent + step, step * 3 % 4093 + 1
    # The header (2 + 8 bytes of length + 4 of mask) is read; the payload waits whole.
    await until(lambda: len(socket.protocol.reader.buffer) == sent - 14)
    assert server.app.received == [{"type": "websocket.receive", "text": m} for m in messages]
    await client.send(big[sent:])
    assert (await client.frame()).payload == pattern(MAX_SIZE)
    assert not socket.protocol.reader.buffer


async def test_several_frames_in_one_write_all_arrive_in_order(server):
    frames, expected, pongs = [], [], []
    for index in range(60):
        if index % 3 == 0:
            frames.append(text(f"text {index}"))
            expected.append((TEXT, f"text {index}".encode()))
        elif index % 3 == 1:
            frames.append(binary(pattern(index * 50, index)))
            expected.append((BINARY, pattern(index * 50, index)))
        else:
            frames += [
                text(f"frag {index} ", fin=False),
                client_frame(PING, str(index).encode()),
                client_frame(CONTINUATION, b"end"),
            ]
            pongs.append(str(index).encode())
            expected.append((TEXT, f"frag {index} end".encode()))
    client = await server.accepted()

    await client.send(*frames)

    # Pongs come from the protocol at once, echoes through the app: each kind in order.
    received = [await client.frame() for _ in range(len(expected) + len(pongs))]
    assert [frame.payload for frame in received if frame.opcode == PONG] == pongs
    assert [(frame.opcode, frame.payload) for frame in received if frame.opcode != PONG] == expected
    assert len(server.app.received) == 60


# --- protocol errors ---------------------------------------------------------------------

ERRORS = {
    "unmasked": ([text("hi", mask=False)], 1002),
    "rsv1": ([text("hi", rsv=4)], 1002),
    "rsv2": ([text("hi", rsv=2)], 1002),
    "rsv3": ([binary(b"hi", rsv=1)], 1002),
    "opcode-3": ([client_frame(0x3, b"x")], 1002),
    "opcode-0xB": ([client_frame(0xB, b"x")], 1002),
    "fragmented-ping": ([client_frame(PING, b"x", fin=False)], 1002),
    "fragmented-close": ([client_frame(CLOSE, b"\x03\xe8", fin=False)], 1002),
    "ping-126-bytes": ([client_frame(PING, b"p" * 126)], 1002),
    "close-126-bytes": ([client_frame(CLOSE, b"\x03\xe8" + b"r" * 124)], 1002),
    "continuation-of-nothing": ([client_frame(CONTINUATION, b"x")], 1002),
    "text-inside-a-message": ([text("a", fin=False), text("b")], 1002),
    "binary-inside-a-message": ([binary(b"a", fin=False), binary(b"b", fin=False)], 1002),
    "invalid-utf8": ([client_frame(TEXT, b"ok \xff\xfe")], 1007),
    "utf8-surrogate": ([client_frame(TEXT, b"\xed\xa0\x80")], 1007),
    "truncated-utf8": ([client_frame(TEXT, b"euro \xe2\x82")], 1007),
    "invalid-utf8-across-fragments": (
        [client_frame(TEXT, b"ok \xc3", fin=False), client_frame(CONTINUATION, b"(")],
        1007,
    ),
    # Failed at the fragment that brings it, not once the message is whole.
    "invalid-utf8-in-an-unfinished-message": ([client_frame(TEXT, b"ok \xff", fin=False)], 1007),
    "invalid-utf8-in-an-unfinished-continuation": (
        [client_frame(TEXT, b"ok", fin=False), client_frame(CONTINUATION, b"\xc3(", fin=False)],
        1007,
    ),
    "too-big-header-only": ([binary(b"", announce=MAX_SIZE + 1)], 1009),
    "too-big-64-bit-header-only": ([binary(b"", announce=1 << 40)], 1009),
    "too-big-across-fragments": (
        [
            binary(pattern(40_000), fin=False),
            client_frame(CONTINUATION, pattern(20_000), fin=False),
            client_frame(CONTINUATION, announce=MAX_SIZE - 60_000 + 1),
        ],
        1009,
    ),
    "close-1-byte": ([client_frame(CLOSE, b"\x03")], 1002),
    "close-reason-not-utf8": ([close(1000, b"bye \xff")], 1007),
    **{
        f"close-code-{code}": ([close(code)], 1002)
        for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535)
    },
}


@pytest.mark.parametrize(("frames", "code"), ERRORS.values(), ids=ERRORS.keys())
async def test_a_protocol_error_fails_the_connection_with_its_code(server, frames, code):
    client = await server.accepted()
    await client.send(text("before"))
    assert (await client.frame()).payload == b"before"

    await client.send(*frames)

    closing = await client.closed_with()
    assert closing.close_code == code
    assert (await server.app.disconnect())["code"] == code
    assert server.app.received == [{"type": "websocket.receive", "text": "before"}]


async def test_a_too_big_frame_fails_before_its_payload_arrives(server):
    """The header alone, announcing 1 GiB, is enough: nothing is buffered first."""
    client = await server.accepted()
    socket = await server.socket()

    await client.send(binary(b"", announce=1 << 30)[:-4] + MASK + b"\x00" * 1000)

    assert (await client.closed_with()).close_code == 1009
    assert not socket.protocol.reader.buffer
    assert (await server.app.disconnect())["code"] == 1009


async def test_a_client_failed_mid_burst_still_reads_the_close_frame(server):
    """Over the cap in the middle of a burst (Autobahn 9.4.3 sends 4 MiB in
    fragments), the client's bytes are still arriving when the connection fails:
    a socket closed with them unread is reset by the kernel, and the reset can
    destroy the close frame before the client reads it. The server half-closes
    and reads on instead: the close frame (1009), then the end of the stream."""
    client = await server.accepted()
    fragment = b"x" * 8192
    following = client_frame(CONTINUATION, fragment, fin=False)
    burst = [binary(fragment, fin=False)] + [following] * (4 * MAX_SIZE // len(fragment))

    await client.send(*burst)
    await asyncio.sleep(0.3)  # failed at 64 KiB, the rest unread or in flight

    assert (await client.closed_with()).close_code == 1009
    assert (await server.app.disconnect())["code"] == 1009


# --- the close handshake ---------------------------------------------------------------


async def test_a_client_close_reaches_the_app_and_is_answered(server):
    client = await server.accepted()

    await client.send(text("before"))
    assert (await client.frame()).payload == b"before"
    # Whatever follows the client's close frame is not for the app.
    await client.send(close(4001, b"see you"), text("after"))

    assert (await client.closed_with()).close_code == 4001
    assert await server.app.disconnect() == {
        "type": "websocket.disconnect",
        "code": 4001,
        "reason": "see you",
    }
    assert server.app.received == [{"type": "websocket.receive", "text": "before"}]


async def test_the_websockets_client_closing_gets_its_code_back(server):
    async with server.connect() as ws:
        await ws.send("hi")
        await asyncio.wait_for(ws.recv(), TIMEOUT)
        await asyncio.wait_for(ws.close(4001, "done here"), TIMEOUT)
        assert ws.close_code == 4001

    assert await server.app.disconnect() == {
        "type": "websocket.disconnect",
        "code": 4001,
        "reason": "done here",
    }


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999])
async def test_valid_close_codes_are_echoed(server, code):
    client = await server.accepted()

    await client.send(close(code, b"why"))

    assert (await client.closed_with()).close_code == code
    assert await server.app.disconnect() == {
        "type": "websocket.disconnect",
        "code": code,
        "reason": "why",
    }


async def test_a_close_without_status_is_answered_empty_and_told_as_1005(server):
    client = await server.accepted()

    await client.send(close())

    assert (await client.closed_with()).payload == b""
    assert (await server.app.disconnect())["code"] == 1005


def closing_app(code: int, reason: str, outcome: list):
    """Accepts, closes with (code, reason) on the first message, then records
    what receive() says and what a send says."""

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        await receive()
        await send({"type": "websocket.close", "code": code, "reason": reason})
        outcome.append(await asyncio.wait_for(receive(), TIMEOUT))
        try:
            await send({"type": "websocket.send", "text": "too late"})
        except Exception as error:  # recorded, for the test to judge
            outcome.append(error)

    return app


async def test_an_app_close_is_sent_and_the_connection_ends_once_answered(server):
    outcome = []
    server.dispatch.app = closing_app(4003, "bye", outcome)
    client = await server.accepted()

    await client.send(text("close please"))
    closing = await client.frame()
    assert (closing.opcode, closing.close_code, closing.close_reason) == (CLOSE, 4003, b"bye")
    await client.send(close(4003))
    started = time.monotonic()

    assert await client.rest() == b""
    assert time.monotonic() - started < 2  # not the 10 s of CLOSE_TIMEOUT
    assert outcome[0] == {"type": "websocket.disconnect", "code": 4003, "reason": "bye"}
    assert isinstance(outcome[1], OSError)


async def test_the_websockets_client_sees_the_app_close(server):
    server.dispatch.app = closing_app(4003, "bye", [])

    async with server.connect() as ws:
        await ws.send("close please")
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), TIMEOUT)

    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4003, "bye")


async def test_an_unanswered_close_drops_the_connection_after_close_timeout(server, monkeypatch):
    monkeypatch.setattr(websocket_protocol, "CLOSE_TIMEOUT", 0.3)
    server.dispatch.app = closing_app(4003, "bye", [])
    client = await server.accepted()

    started = time.monotonic()  # before the close, so before its timer
    await client.send(text("close please"))
    assert (await client.frame()).close_code == 4003

    assert await client.rest() == b""
    assert 0.29 <= time.monotonic() - started < 3


async def test_a_long_close_reason_is_cut_to_valid_utf8(server):
    """A close frame holds 123 bytes of reason: the cut must not split a character
    (a client fails a connection whose close reason is not UTF-8)."""
    reason = "é" * 100  # 200 bytes
    server.dispatch.app = closing_app(4000, reason, [])
    client = await server.accepted()

    await client.send(text("close please"))
    closing = await client.frame()

    assert closing.close_code == 4000
    assert len(closing.payload) <= 125
    assert reason.startswith(closing.close_reason.decode("utf-8"))
    assert len(closing.close_reason) >= 120


async def return_while_open(scope, receive, send):
    await receive()
    await send({"type": "websocket.accept"})
    await receive()


async def raise_while_open(scope, receive, send):
    await receive()
    await send({"type": "websocket.accept"})
    await receive()
    raise RuntimeError("the app broke (on purpose, in a test)")


@pytest.mark.parametrize(
    ("app", "code"), [(return_while_open, 1000), (raise_while_open, 1011)], ids=["return", "raise"]
)
async def test_an_app_ending_while_open_closes_the_socket(server, app, code):
    server.dispatch.app = app
    client = await server.accepted()

    await client.send(text("go"))
    closing = await client.frame()
    assert (closing.opcode, closing.close_code) == (CLOSE, code)
    await client.send(close(code))
    assert await client.rest() == b""


@pytest.mark.parametrize("leaving", ["abort", "close-frame"])
async def test_after_the_client_left_receive_repeats_the_disconnect_and_send_fails(server, leaving):
    outcome: asyncio.Queue = asyncio.Queue()

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        for _ in range(3):
            await outcome.put(await asyncio.wait_for(receive(), TIMEOUT))
        try:
            await send({"type": "websocket.send", "text": "anyone?"})
        except Exception as error:  # recorded, for the test to judge
            await outcome.put(error)

    server.dispatch.app = app
    client = await server.accepted()
    await client.send(text("hello"))
    assert await asyncio.wait_for(outcome.get(), TIMEOUT) == {
        "type": "websocket.receive",
        "text": "hello",
    }

    if leaving == "abort":
        client.abort()
        expected = {"type": "websocket.disconnect", "code": 1006, "reason": ""}
    else:
        await client.send(close(1001, b"gone"))
        expected = {"type": "websocket.disconnect", "code": 1001, "reason": "gone"}

    assert await asyncio.wait_for(outcome.get(), TIMEOUT) == expected
    assert await asyncio.wait_for(outcome.get(), TIMEOUT) == expected  # again, no hang
    error = await asyncio.wait_for(outcome.get(), TIMEOUT)
    assert isinstance(error, OSError), error


# --- keepalive ----------------------------------------------------------------------------


async def test_answered_keepalive_pings_keep_the_socket_open():
    app = Echo()
    async with serving(app, ws_ping_interval=0.2, ws_ping_timeout=0.2) as served:
        client = await served.accepted()

        for _ in range(4):
            received = await client.frame()
            assert (received.opcode, received.payload) == (PING, b"")
            await client.send(client_frame(PONG, received.payload))

        await client.send(text("still there?"))
        assert (await client.data()).payload == b"still there?"
        assert len(served.sockets()) == 1


async def test_an_unanswered_keepalive_ping_closes_with_1011():
    app = Echo()
    async with serving(app, ws_ping_interval=0.2, ws_ping_timeout=0.2) as served:
        client = await served.accepted()

        assert (await client.frame()).opcode == PING
        closing = await client.frame()  # at the next sweep, not another ping

        assert (closing.opcode, closing.close_code) == (CLOSE, 1011)
        assert await client.rest() == b""
        assert (await app.disconnect())["code"] == 1011


async def test_without_ping_timeout_unanswered_pings_do_not_close():
    app = Echo()
    async with serving(app, ws_ping_interval=0.2, ws_ping_timeout=None) as served:
        client = await served.accepted()

        for _ in range(4):
            assert await client.frame() == (True, PING, b"", b"\x89\x00")

        await client.send(text("still there?"))
        assert (await client.data(answer_pings=False)).payload == b"still there?"


async def test_the_websockets_client_answers_keepalive_pings():
    app = Echo()
    options = {"ws_ping_interval": 0.1, "ws_ping_timeout": 0.1}
    async with serving(app, **options) as served, served.connect() as ws:
        await served.socket()
        await asyncio.sleep(0.5)  # five sweeps, each closing the unanswered
        await ws.send("alive")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "alive"


# --- shutdown -----------------------------------------------------------------------------


async def test_shutdown_closes_open_sockets_with_1012_without_hanging():
    app = Echo()
    async with serving(app) as served, served.connect("/a") as ws:
        raw = await served.accepted("/b")
        await ws.send("a")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "a"
        await raw.send(text("b"))
        assert (await raw.frame()).payload == b"b"

        started = time.monotonic()
        served.server.should_exit = True
        await asyncio.wait_for(served.task, TIMEOUT)
        assert time.monotonic() - started < 2

        assert (await raw.closed_with()).close_code == 1012
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert closed.value.rcvd.code == 1012

    assert [(await app.disconnect())["code"] for _ in range(2)] == [1012, 1012]


# --- backpressure -------------------------------------------------------------------------

CHUNK = 64 * 1024
CHUNKS = 1024  # 64 MiB: far more than the kernel's buffers hold


def chunk(index: int) -> bytes:
    return index.to_bytes(4, "big") + bytes((index % 251,)) * (CHUNK - 4)


async def test_send_waits_while_the_client_does_not_read(server):
    sent = []
    echo = server.app

    async def app(scope, receive, send):
        if scope["path"] != "/flood":
            return await echo(scope, receive, send)
        await receive()
        await send({"type": "websocket.accept"})
        for index in range(CHUNKS):
            await send({"type": "websocket.send", "bytes": chunk(index)})
            sent.append(index)
        await receive()

    server.dispatch.app = app
    slow = await server.accepted("/flood")  # and it reads nothing for now
    flooding = await server.socket("/flood")

    # send() blocks: the app waits on the transport's buffer.
    await until(lambda: flooding.drain is not None and not flooding.drain.done())
    async with server.connect("/echo") as fast:
        for round_trip in range(20):
            await fast.send(f"fast {round_trip}")
            assert await asyncio.wait_for(fast.recv(), TIMEOUT) == f"fast {round_trip}"
    assert flooding.drain is not None and not flooding.drain.done()
    assert len(sent) < CHUNKS // 2, f"{len(sent)} chunks of 64 KiB sent to a client reading none"

    for index in range(CHUNKS):
        received = await slow.frame()
        assert received.payload == chunk(index), index
    assert len(sent) == CHUNKS
    await slow.send(close(1000))
    assert (await slow.closed_with()).close_code == 1000


async def test_a_flooding_client_is_read_no_further_until_the_app_catches_up(server):
    count = 20_000  # 820 KB of frames: more than one read of the transport (256 KiB)
    go = asyncio.Event()
    received = []

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        await go.wait()
        for _ in range(count):
            received.append(await asyncio.wait_for(receive(), TIMEOUT))
        await send({"type": "websocket.send", "text": "all read"})
        await receive()

    server.dispatch.app = app
    client = await server.accepted()
    socket = await server.socket()
    writing = asyncio.create_task(
        client.send(*(text(f"message {index:06d} " + "." * 20) for index in range(count)))
    )
    try:
        await until(lambda: not socket.transport.is_reading())
        await asyncio.sleep(0.05)  # what the kernel holds stays there
        assert not socket.transport.is_reading()
        assert websocket_protocol.MAX_INBOX <= len(socket.inbox) < count
    finally:
        go.set()
        await asyncio.wait_for(writing, TIMEOUT)

    assert (await client.frame()).payload == b"all read"
    assert received == [
        {"type": "websocket.receive", "text": f"message {index:06d} " + "." * 20}
        for index in range(count)
    ]
    assert socket.transport.is_reading()
    await client.send(close(1000))
    await client.closed_with()


# --- what an idle socket holds --------------------------------------------------------


async def test_an_idle_socket_holds_its_scope_and_nothing_else(server):
    go = asyncio.Event()
    received = []

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        while True:
            await go.wait()  # idle: not even waiting in receive()
            go.clear()
            message = await receive()
            received.append(message)
            if message["type"] == "websocket.disconnect":
                return

    server.dispatch.app = app
    client = await server.accepted("/idle")
    socket = await server.socket()

    def idle_slots_are_empty() -> None:
        assert not hasattr(socket, "__dict__")
        assert socket.protocol.state is OPEN
        for name in ("response", "inbox", "message", "receiver", "drain"):
            assert getattr(socket, name) is None, name
        assert socket.close_timer is None and socket.disconnect is None
        # The library's protocol holds no bytes, event or write in between, and
        # not the handshake's request (its parser of the handshake would keep it).
        assert not socket.protocol.reader.buffer
        assert not socket.protocol.events and not socket.protocol.writes
        parser_locals = socket.protocol.parser.gi_frame.f_locals.values()
        assert not any(isinstance(value, Request) for value in parser_locals)
        # Besides the scope (which holds the headers), only scalars and shared objects.
        for name in WebSocketProtocol.__slots__:
            if name not in ("scope", "shared", "transport", "protocol"):
                assert getattr(socket, name) is None or isinstance(
                    getattr(socket, name), (int, float)
                ), name
        assert socket.scope["path"] == "/idle"
        assert (b"sec-websocket-key", SAMPLE_KEY.encode()) in socket.scope["headers"]

    await asyncio.sleep(0.01)
    idle_slots_are_empty()

    # A message waiting for the app is held in the inbox, only until taken.
    await client.send(text("one"))
    await until(lambda: socket.inbox is not None)
    go.set()
    await until(lambda: len(received) == 1)
    idle_slots_are_empty()

    # The app waiting in receive() holds a future, only while it waits.
    go.set()
    await until(lambda: socket.receiver is not None)
    await client.send(text("two"))
    await until(lambda: len(received) == 2)
    idle_slots_are_empty()

    # An unfinished frame and an unfinished message, only until they are complete.
    middle = client_frame(CONTINUATION, b"ee", fin=False)
    await client.send(text("thr", fin=False), middle[:5])
    await until(lambda: socket.protocol.reader.buffer and socket.message is not None)
    await client.send(middle[5:])
    await until(lambda: not socket.protocol.reader.buffer)
    assert socket.message is not None
    await client.send(client_frame(CONTINUATION, b"!"))
    await until(lambda: socket.inbox is not None)
    assert socket.message is None
    go.set()
    await until(lambda: len(received) == 3)
    idle_slots_are_empty()
    assert [message["text"] for message in received] == ["one", "two", "three!"]

    go.set()
    await client.send(close(1000))
    await client.closed_with()
    await until(lambda: len(received) == 4)
    await until(lambda: not server.sockets())


# --- floods of fragments (issue 12) ----------------------------------------------------

FLOOD = 65536  # fragments in one message


def fragmented(size: int, count: int = FLOOD) -> bytes:
    """One text message in ``count`` fragments of ``size`` bytes, as one write."""
    middle = client_frame(CONTINUATION, b"a" * size, fin=False)
    return b"".join(
        (text("a" * size, fin=False), middle * (count - 2), client_frame(CONTINUATION, b"a" * size))
    )


async def flood_costs(served: Served, flood: bytes) -> tuple[Frame, float, float]:
    """Sends ``flood`` on one socket while another does round trips: the flooded
    socket's answer, the CPU the process spent until it came (the server's, and
    the clients' little), and the longest round trip meanwhile. Round trips are
    timed in the process's CPU time too: server and clients share one event loop,
    so that is how long the loop was busy before answering, which a loaded
    machine's preemption does not lengthen (wall time, it does)."""
    flooding = await served.accepted("/flood")
    async with served.connect("/other") as other:
        await other.send("warm")
        assert await asyncio.wait_for(other.recv(), TIMEOUT) == "warm"
        longest = 0.0
        started = time.process_time()
        writing = asyncio.create_task(flooding.send(flood))
        answer = asyncio.create_task(flooding.data())
        while not answer.done():
            sent = time.process_time()
            await other.send("meanwhile")
            assert await asyncio.wait_for(other.recv(), TIMEOUT) == "meanwhile"
            longest = max(longest, time.process_time() - sent)
        received = await answer
        await asyncio.wait_for(writing, TIMEOUT)
        return received, time.process_time() - started, longest


@pytest.mark.parametrize("size", [1, 0], ids=["one-byte", "empty"])
async def test_a_flood_of_fragments_is_refused_cheaply_while_others_are_served(server, size):
    """65,536 fragments (exactly 64 KiB of one-byte ones, or empty ones) cost the
    hand-written parser 50 s of CPU, and every other socket waited. Under the
    production cap a message may come in 1,024 fragments: refused after those,
    in 8 ms of CPU here, the other socket's round trips taking 7 to 8 ms."""
    received, cpu, longest = await flood_costs(server, fragmented(size))

    assert (received.opcode, received.close_code) == (CLOSE, 1009)
    assert received.close_reason == b"more than 1024 fragments"
    assert cpu < 0.5, f"{cpu:.3f} s of CPU"
    assert longest < 0.05, f"a round trip took {longest * 1000:.0f} ms of CPU"


@pytest.mark.parametrize("size", [64, 0], ids=["64-bytes", "empty"])
async def test_under_a_16_mib_cap_a_message_of_65536_fragments_is_echoed_in_linear_time(size):
    """Autobahn's case 9.3.1 (4 MiB in fragments of 64 bytes), which the
    hand-written parser answered after 49 s, and as many empty fragments: whole,
    at a few microseconds a fragment (0.38 to 0.44 s of CPU here, the clients'
    share included; the bound is about the order of magnitude), the other socket
    served between (12 to 14 ms)."""
    app = Echo()
    async with serving(app, ws_max_size=16 * 1024 * 1024) as served:
        received, cpu, longest = await flood_costs(served, fragmented(size))

        assert (received.opcode, received.payload) == (TEXT, b"a" * size * FLOOD)
        assert {"type": "websocket.receive", "text": "a" * size * FLOOD} in app.received
        assert cpu < 1, f"{cpu:.3f} s of CPU"
        assert longest < 0.05, f"a round trip took {longest * 1000:.0f} ms of CPU"


# --- per-message compression (RUCHE_WS_COMPRESSION) ---------------------------------


async def test_compression_is_negotiated_only_when_the_server_offers_it(server):
    """Off (the module's server, as ``ruche serve`` by default): the offer is not
    answered and frames go uncompressed. On: the library's permessage-deflate."""
    async with server.connect(compression="deflate") as ws:
        assert "sec-websocket-extensions" not in ws.response.headers
        await ws.send("plain " * 100)
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "plain " * 100

    app = Echo()
    async with (
        serving(app, ws_per_message_deflate=True) as served,
        served.connect(compression="deflate") as ws,
    ):
        assert ws.response.headers["sec-websocket-extensions"].startswith("permessage-deflate")
        assert [extension.name for extension in ws.protocol.extensions] == ["permessage-deflate"]
        await ws.send("squeezed " * 1000)
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "squeezed " * 1000
    assert app.received[0] == {"type": "websocket.receive", "text": "squeezed " * 1000}


# --- what Autobahn|Testsuite checks beyond the library (bench/autobahn.py) -----------


async def test_a_close_between_fragments_is_answered_like_any_close(server):
    """RFC 6455 5.4 lets control frames come between fragments (Autobahn 7.1.5)."""
    client = await server.accepted()

    await client.send(text("fragment1", fin=False), close(1000), client_frame(CONTINUATION, b"2"))

    assert (await client.closed_with()).close_code == 1000
    assert (await server.app.disconnect())["code"] == 1000
    assert server.app.received == []


async def test_messages_before_a_protocol_error_are_answered_before_the_close(server):
    """Autobahn 3.2: the echo of the first message, then the connection failed."""
    client = await server.accepted()

    await client.send(text("Hello, world!"), text("again", rsv=2), client_frame(PING))

    assert await client.frame() == (True, TEXT, b"Hello, world!", b"\x81\x0d")
    assert (await client.closed_with()).close_code == 1002
    assert (await server.app.disconnect())["code"] == 1002


def test_the_installed_uvicorn_and_websockets_are_within_the_pinned_ranges():
    """The glue uses uvicorn's internals and websockets' sans-I/O API: this suite
    proves it against the versions pyproject.toml allows, and only those."""
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    pinned = {
        (requirement := Requirement(line)).name: requirement.specifier
        for line in pyproject["project"]["dependencies"]
    }

    for name in ("uvicorn", "websockets"):
        assert version(name) in pinned[name], (name, version(name), pinned[name])
        assert "<" in str(pinned[name]), f"{name} has no upper bound"
