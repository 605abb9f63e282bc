"""The WebSocket protocol uvicorn runs for Ruche's sockets (``ruche serve`` names
it in app.cli.WEBSOCKET_OPTIONS): RFC 6455 for a server, speaking ASGI to the app.

Why not one of uvicorn's own: an idle socket is what a busy Ruche holds by the
thousand, and uvicorn's implementations keep per socket an ``asyncio.Queue`` and an
``asyncio.Event``, the parsed handshake request and response, a suspended parser
and a timer for pings: about 19.6 KiB a socket before the app's own, which alone
put 10,000 sockets over 300 MB. Here a socket keeps its transport, its ASGI scope
and a few slots: the bytes of an unfinished frame only while one is arriving, a
future only while the app waits, and one sweep per server pings them all.

What it does not do: per-message compression (not negotiated: the extension is
simply not answered, as RFC 6455 allows) and the ASGI "websocket.http.response"
extension (not advertised; an app refusing a handshake gets a 403, as ASGI says).
"""

import asyncio
import base64
import hashlib
import logging
import struct
import weakref
from urllib.parse import unquote

from uvicorn.protocols.utils import (
    ClientDisconnected,
    get_local_addr,
    get_remote_addr,
    is_ssl,
)

logger = logging.getLogger("uvicorn.error")

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HANDSHAKE = 16 * 1024
CLOSE_TIMEOUT = 10.0
# Messages the app may leave untaken before the socket stops reading.
MAX_INBOX = 16

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
DATA_OPCODES = (CONTINUATION, TEXT, BINARY)
CONTROL_OPCODES = (CLOSE, PING, PONG)

# Close codes (RFC 6455 section 7.4).
NO_STATUS = 1005
ABNORMAL = 1006
PROTOCOL_ERROR = 1002
INVALID_DATA = 1007
TOO_BIG = 1009
INTERNAL_ERROR = 1011
SERVICE_RESTART = 1012


def _valid_close_code(code: int) -> bool:
    """The codes a peer may send in a close frame (RFC 6455 7.4.1 and IANA's registry)."""
    return code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014) or (
        3000 <= code <= 4999
    )


def frame(opcode: int, payload: bytes) -> bytes:
    """One unfragmented, unmasked frame, as a server sends them."""
    size = len(payload)
    if size < 126:
        return bytes((0x80 | opcode, size)) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", 0x80 | opcode, 126, size) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, size) + payload


def close_frame(code: int, reason: str = "") -> bytes:
    if code == NO_STATUS:
        return frame(CLOSE, b"")
    # At most 123 bytes of reason, cut between characters: the client checks its UTF-8.
    cut = reason.encode()[:123].decode(errors="ignore").encode()
    return frame(CLOSE, struct.pack("!H", code) + cut)


def unmask(payload: bytes, mask: bytes) -> bytes:
    """XOR with the 4-byte key repeated, done on two big integers (C speed)."""
    size = len(payload)
    if not size:
        return b""
    key = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")


def accept_key(key: bytes) -> bytes:
    # SHA-1 is what RFC 6455 prescribes here: a handshake check, not a secret.
    return base64.b64encode(hashlib.sha1(key + GUID).digest())  # noqa: S324


def _http_response(status: str, headers: list[tuple[bytes, bytes]] = ()) -> bytes:
    lines = [b"HTTP/1.1 " + status.encode()]
    lines += [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _refusal(status: str, *extra: tuple[bytes, bytes]) -> bytes:
    return _http_response(status, [(b"Content-Length", b"0"), (b"Connection", b"close"), *extra])


class ProtocolError(Exception):
    """The peer broke RFC 6455: the socket is failed with ``code``."""

    def __init__(self, code: int, reason: str = ""):
        super().__init__(reason)
        self.code, self.reason = code, reason


class Shared:
    """What every socket of one uvicorn server shares (one pointer per socket
    instead of a dozen), and the keepalive: one timer for the server, not one per
    socket. Each sweep, every ``ws_ping_interval`` seconds, pings the open sockets;
    one that has not answered by the next sweep is closed (1011), unless
    ``ws_ping_timeout`` is None."""

    def __init__(self, config, server_state, app_state):
        self.config = config
        self.app = config.loaded_app
        self.app_state = app_state
        # The server's own sets; its default headers are read when a socket opens
        # (uvicorn renews their Date every second). Weak: this lives in a table
        # keyed by the server's state, which must be free to go.
        self.connections, self.tasks = server_state.connections, server_state.tasks
        self.server_state = weakref.ref(server_state)
        self.sockets: set[WebSocketProtocol] = set()
        self.interval = config.ws_ping_interval
        self.close_unanswered = config.ws_ping_timeout is not None
        self.timer: asyncio.TimerHandle | None = None

    def default_headers(self) -> list[tuple[bytes, bytes]]:
        server_state = self.server_state()
        return server_state.default_headers if server_state is not None else []

    def opened(self, socket: "WebSocketProtocol") -> None:
        self.sockets.add(socket)
        if self.interval and self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(self.interval, self.sweep)

    def closed(self, socket: "WebSocketProtocol") -> None:
        self.sockets.discard(socket)
        if not self.sockets and self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def sweep(self) -> None:
        for socket in list(self.sockets):
            socket.keepalive(self.close_unanswered)
        self.timer = asyncio.get_running_loop().call_later(self.interval, self.sweep)


_shared: "weakref.WeakKeyDictionary[object, Shared]" = weakref.WeakKeyDictionary()


def shared_for(config, server_state, app_state) -> Shared:
    found = _shared.get(server_state)
    if found is None:
        found = _shared[server_state] = Shared(config, server_state, app_state)
    return found


# The socket's states.
HANDSHAKE, CONNECTING, OPEN, CLOSING, CLOSED = range(5)


class WebSocketProtocol(asyncio.Protocol):
    """One socket, from the upgrade request uvicorn hands over to the end."""

    __slots__ = (
        "accept",  # the Sec-WebSocket-Accept value, until the app accepts
        "close_timer",  # while our close frame waits for the client's answer
        "disconnect",  # (code, reason) once the app has been told the socket ended
        "drain",  # the future send() awaits while the transport's buffer is full
        "fragments",  # [opcode, data, ...] of a message still arriving
        "inbox",  # ASGI messages the app has not received yet (None: none)
        "needed",  # how many bytes the unfinished frame needs, as far as known
        "pending",  # an unfinished frame (or handshake): its chunks, joined once whole
        "pending_size",
        "ping_unanswered",
        "receiver",  # the future the app's receive() awaits
        "scope",
        "shared",
        "state",
        "transport",
    )

    def __init__(self, config, server_state, app_state, _loop=None):
        if not config.loaded:
            config.load()
        self.shared = shared_for(config, server_state, app_state)
        self.transport = self.scope = self.accept = None
        self.state = HANDSHAKE
        self.pending, self.pending_size, self.needed = None, 0, 0
        self.fragments = self.inbox = self.receiver = self.drain = None
        self.ping_unanswered = False
        self.close_timer = self.disconnect = None

    # --- asyncio.Protocol -------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.shared.connections.add(self)

    def connection_lost(self, exc) -> None:
        self.shared.connections.discard(self)
        self.shared.closed(self)
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None
        self.state = CLOSED
        self.pending = self.fragments = None
        if self.scope is not None:
            self._tell_disconnect(ABNORMAL, "")
        if self.drain is not None and not self.drain.done():
            self.drain.set_result(None)

    def data_received(self, data: bytes) -> None:
        if self.state == CLOSED:
            return
        if self.pending is not None:
            self.pending.append(data)
            self.pending_size += len(data)
            if self.pending_size < self.needed:
                return  # the frame is not complete: no joining chunk after chunk
            data = b"".join(self.pending)
            self.pending, self.pending_size, self.needed = None, 0, 0
        if self.state == HANDSHAKE:
            data = self._handshake(data)
            if not data:
                return
        try:
            self._frames(data)
        except ProtocolError as error:
            self._fail(error.code, error.reason)

    def eof_received(self) -> None:
        return None  # let the transport close; connection_lost tells the app

    def pause_writing(self) -> None:
        if self.drain is None or self.drain.done():
            self.drain = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.drain is not None and not self.drain.done():
            self.drain.set_result(None)
        self.drain = None

    # --- uvicorn's calls ---------------------------------------------------------

    def shutdown(self) -> None:
        """The server stops: open sockets are told 1012 (service restart)."""
        if self.state == OPEN:
            self._tell_disconnect(SERVICE_RESTART, "")
            self.transport.write(close_frame(SERVICE_RESTART))
        elif self.state == CONNECTING:
            self.transport.write(_refusal("503 Service Unavailable"))
        if self.state != CLOSED:
            self.state = CLOSING
        self.transport.close()

    def keepalive(self, close_unanswered: bool) -> None:
        if self.state != OPEN:
            return
        if self.ping_unanswered and close_unanswered:
            logger.debug("WebSocket keepalive ping timeout")
            self._fail(INTERNAL_ERROR, "keepalive ping timeout")
            return
        self.ping_unanswered = True
        self.transport.write(frame(PING, b""))

    # --- the opening handshake ---------------------------------------------------

    def _handshake(self, data: bytes) -> bytes:
        """Reads the upgrade request; returns the bytes after it (frames sent early)."""
        head, found, rest = data.partition(b"\r\n\r\n")
        if not found:
            if len(data) > MAX_HANDSHAKE:
                self._refuse("431 Request Header Fields Too Large")
            else:
                self.pending, self.pending_size, self.needed = [data], len(data), len(data) + 1
            return b""
        try:
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, target, version = request_line.split(" ")
            headers = []
            for line in header_lines:
                name, value = line.split(":", 1)
                headers.append(
                    (name.strip().lower().encode("latin-1"), value.strip().encode("latin-1"))
                )
        except ValueError:
            self._refuse("400 Bad Request")
            return b""
        fields = {}
        for name, value in headers:
            fields.setdefault(name, []).append(value)
        key = b",".join(fields.get(b"sec-websocket-key", []))
        if (
            method != "GET"
            or version != "HTTP/1.1"
            or b"websocket" not in b",".join(fields.get(b"upgrade", [])).lower()
            or b"upgrade" not in b",".join(fields.get(b"connection", [])).lower()
            or not _is_key(key)
        ):
            self._refuse("400 Bad Request")
            return b""
        if fields.get(b"sec-websocket-version") != [b"13"]:
            self._refuse("426 Upgrade Required", (b"Sec-WebSocket-Version", b"13"))
            return b""
        self.scope = self._scope(target, headers, fields)
        self.accept = accept_key(key)
        self.state = CONNECTING
        self.inbox = [{"type": "websocket.connect"}]
        task = asyncio.get_running_loop().create_task(self._run_asgi())
        tasks = self.shared.tasks
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return rest

    def _scope(self, target: str, headers: list, fields: dict) -> dict:
        shared = self.shared
        path, _, query = target.partition("?")
        root = shared.config.root_path
        subprotocols = [
            token.strip().decode("latin-1")
            for value in fields.get(b"sec-websocket-protocol", [])
            for token in value.split(b",")
            if token.strip()
        ]
        return {
            "type": "websocket",
            "asgi": {"version": shared.config.asgi_version, "spec_version": "2.4"},
            "http_version": "1.1",
            "scheme": "wss" if is_ssl(self.transport) else "ws",
            "server": get_local_addr(self.transport),
            "client": get_remote_addr(self.transport),
            "root_path": root,
            "path": root + unquote(path),
            "raw_path": (root + path).encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "headers": headers,
            "subprotocols": subprotocols,
            "state": shared.app_state.copy(),
        }

    def _refuse(self, status: str, *extra: tuple[bytes, bytes]) -> None:
        self.state = CLOSED
        self.transport.write(_refusal(status, *extra))
        self.transport.close()

    # --- frames from the client --------------------------------------------------

    def _frames(self, data: bytes) -> None:
        """Every complete frame in ``data``; an unfinished one waits in ``pending``."""
        start, end = 0, len(data)
        max_size = self.shared.config.ws_max_size
        while start < end and self.state != CLOSED:
            if end - start < 2:
                return self._wait(data[start:], 2)
            first, second = data[start], data[start + 1]
            fin, opcode = first & 0x80, first & 0x0F
            if first & 0x70:
                raise ProtocolError(PROTOCOL_ERROR, "reserved bits must be 0")
            if not second & 0x80:
                raise ProtocolError(PROTOCOL_ERROR, "client frames must be masked")
            size, header = second & 0x7F, 2
            if size == 126:
                if end - start < 4:
                    return self._wait(data[start:], 4)
                (size,), header = struct.unpack_from("!H", data, start + 2), 4
            elif size == 127:
                if end - start < 10:
                    return self._wait(data[start:], 10)
                (size,), header = struct.unpack_from("!Q", data, start + 2), 10
            if opcode in CONTROL_OPCODES:
                if not fin or size > 125:
                    raise ProtocolError(PROTOCOL_ERROR, "bad control frame")
            elif opcode not in DATA_OPCODES:
                raise ProtocolError(PROTOCOL_ERROR, "unknown opcode")
            elif size + self._fragments_size() > max_size:
                raise ProtocolError(TOO_BIG, "message too big")
            total = header + 4 + size
            if end - start < total:
                return self._wait(data[start:], total)
            mask = data[start + header : start + header + 4]
            payload = unmask(data[start + header + 4 : start + total], mask)
            start += total
            if opcode in CONTROL_OPCODES:
                self._control(opcode, payload)
            else:
                self._data(opcode, bool(fin), payload)
        return None

    def _wait(self, rest: bytes, needed: int) -> None:
        self.pending, self.pending_size, self.needed = [rest], len(rest), needed

    def _fragments_size(self) -> int:
        return sum(len(part) for part in self.fragments[1:]) if self.fragments else 0

    def _data(self, opcode: int, fin: bool, payload: bytes) -> None:
        if opcode == CONTINUATION:
            if self.fragments is None:
                raise ProtocolError(PROTOCOL_ERROR, "continuation of nothing")
            self.fragments.append(payload)
        elif self.fragments is not None:
            raise ProtocolError(PROTOCOL_ERROR, "a new message before the last ended")
        else:
            self.fragments = [opcode, payload]
        if not fin:
            return
        opcode, *parts = self.fragments
        self.fragments = None
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        if self.state not in (CONNECTING, OPEN):
            return  # past our close: the app has been told it is over
        if opcode == TEXT:
            try:
                message = {"type": "websocket.receive", "text": body.decode()}
            except UnicodeDecodeError:
                raise ProtocolError(INVALID_DATA, "invalid UTF-8") from None
        else:
            message = {"type": "websocket.receive", "bytes": body}
        self._deliver(message)

    def _control(self, opcode: int, payload: bytes) -> None:
        if opcode == PING:
            if self.state == OPEN:
                self.transport.write(frame(PONG, payload))
        elif opcode == PONG:
            self.ping_unanswered = False
        else:
            self._close_received(payload)

    def _close_received(self, payload: bytes) -> None:
        if len(payload) == 1:
            raise ProtocolError(PROTOCOL_ERROR, "bad close frame")
        code, reason = NO_STATUS, ""
        if payload:
            (code,) = struct.unpack_from("!H", payload)
            if not _valid_close_code(code):
                raise ProtocolError(PROTOCOL_ERROR, "bad close code")
            try:
                reason = payload[2:].decode()
            except UnicodeDecodeError:
                raise ProtocolError(INVALID_DATA, "invalid UTF-8") from None
        if self.state == CLOSING:  # the answer to our close: the handshake is done
            self.transport.close()
            return
        self._tell_disconnect(code, reason)
        if self.state == OPEN:  # before the 101, there is no frame to answer with
            self.transport.write(close_frame(code))
        self.state = CLOSING
        self.transport.close()

    def _fail(self, code: int, reason: str) -> None:
        """Fails the connection (RFC 6455 7.1.7): a close frame, and no waiting."""
        if self.scope is not None:
            self._tell_disconnect(code, reason)
        if self.state == OPEN:
            self.transport.write(close_frame(code, reason))
        self.state = CLOSING
        self.transport.close()

    # --- ASGI ----------------------------------------------------------------------

    def _deliver(self, message: dict) -> None:
        """Hands ``message`` to the app's receive() and wakes it. Reading pauses
        while the app leaves many messages untaken (a client flooding it)."""
        if self.inbox is None:
            self.inbox = [message]
        else:
            self.inbox.append(message)
            if len(self.inbox) >= MAX_INBOX and self.state in (CONNECTING, OPEN):
                self.transport.pause_reading()
        if self.receiver is not None and not self.receiver.done():
            self.receiver.set_result(None)

    def _tell_disconnect(self, code: int, reason: str) -> None:
        """The app learns once that the socket ended, and how."""
        if self.disconnect is None:
            self.disconnect = (code, reason)
            self._deliver({"type": "websocket.disconnect", "code": code, "reason": reason})

    async def receive(self) -> dict:
        while not self.inbox:
            if self.disconnect is not None:  # asked again after the end: the same answer
                code, reason = self.disconnect
                return {"type": "websocket.disconnect", "code": code, "reason": reason}
            self.receiver = asyncio.get_running_loop().create_future()
            try:
                await self.receiver
            finally:
                self.receiver = None
        message = self.inbox.pop(0)
        if not self.inbox:
            self.inbox = None
            if self.state in (CONNECTING, OPEN) and not self.transport.is_reading():
                self.transport.resume_reading()
        return message

    async def send(self, message: dict) -> None:
        if self.drain is not None:
            await self.drain
        kind = message["type"]
        if self.state == CONNECTING:
            if kind == "websocket.accept":
                self._accept(message)
            elif kind == "websocket.close":
                logger.info('%s - "WebSocket %s" 403', _client(self.scope), self.scope["path"])
                self._tell_disconnect(ABNORMAL, "")
                self._refuse("403 Forbidden")
            else:
                raise RuntimeError(
                    f"Expected 'websocket.accept' or 'websocket.close', got {kind!r}"
                )
        elif self.state == OPEN:
            if kind == "websocket.send":
                data = message.get("bytes")
                if data is not None:
                    self.transport.write(frame(BINARY, data))
                else:
                    self.transport.write(frame(TEXT, message["text"].encode()))
            elif kind == "websocket.close":
                self._close(message.get("code", 1000), message.get("reason") or "")
            else:
                raise RuntimeError(f"Expected 'websocket.send' or 'websocket.close', got {kind!r}")
        elif kind == "websocket.send":
            raise ClientDisconnected()
        elif kind != "websocket.close":  # closing what is closing already changes nothing
            raise RuntimeError(f"Unexpected {kind!r} once the socket is closing")

    def _close(self, code: int, reason: str) -> None:
        """Our close frame; the client answers with its own within CLOSE_TIMEOUT."""
        self._tell_disconnect(code, reason)
        self.state = CLOSING
        self.transport.write(close_frame(code, reason))
        self.transport.resume_reading()  # for the client's answer
        self.close_timer = asyncio.get_running_loop().call_later(
            CLOSE_TIMEOUT, self.transport.close
        )

    def _accept(self, message: dict) -> None:
        headers = [
            (b"Upgrade", b"websocket"),
            (b"Connection", b"Upgrade"),
            (b"Sec-WebSocket-Accept", self.accept),
            *self.shared.default_headers(),
            *message.get("headers", ()),
        ]
        subprotocol = message.get("subprotocol")
        if subprotocol:
            headers.append((b"Sec-WebSocket-Protocol", subprotocol.encode()))
        if any(b"\r" in part or b"\n" in part for header in headers for part in header):
            raise RuntimeError("Invalid header: it holds a line break")
        logger.info('%s - "WebSocket %s" [accepted]', _client(self.scope), self.scope["path"])
        self.state, self.accept = OPEN, None
        self.transport.write(_http_response("101 Switching Protocols", headers))
        self.shared.opened(self)

    async def _run_asgi(self) -> None:
        try:
            await self.shared.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            code = 1000
        except BaseException:
            logger.exception("Exception in ASGI application\n")
            code = INTERNAL_ERROR
        else:
            if self.state == CONNECTING:
                logger.error("ASGI callable returned without completing handshake.")
            code = 1000
        self._ended(code)

    def _ended(self, code: int) -> None:
        """The app has returned (or failed): whatever it left open is closed."""
        if self.state == CONNECTING:
            self._refuse("500 Internal Server Error")
        elif self.state == OPEN:
            self._close(code, "")
        elif self.close_timer is None and self.state != CLOSED:
            self.transport.close()


def _is_key(key: bytes) -> bool:
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        return False


def _client(scope: dict) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"
