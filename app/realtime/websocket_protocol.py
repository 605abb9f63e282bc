"""The WebSocket protocol uvicorn runs for Ruche's sockets (``ruche serve`` names
it in app.cli.WEBSOCKET_OPTIONS): thin, low-memory glue between uvicorn's
transport, the ASGI app and the `websockets` package's sans-I/O server protocol,
which parses the handshake and the frames.

Why not one of uvicorn's own: an idle socket is what a busy Ruche holds by the
thousand, and uvicorn's implementations keep per socket an ``asyncio.Queue`` and an
``asyncio.Event``, the parsed handshake request and response and a timer for pings:
about 19.6 KiB a socket before the app's own, which alone put 10,000 sockets over
300 MB. Here a socket keeps its transport, its ASGI scope, the library's protocol
object (about 1.3 KiB open) and a few slots: a message only while its fragments
arrive, a future only while the app waits, and one sweep per server pings them all.

Why not Ruche's own frame parser any more: it was security code written by hand,
and one message in many small fragments cost it quadratic time (issue 12). The
frames are the library's, checked by Autobahn|Testsuite (bench/autobahn.py). What
the library leaves to its caller is here: reassembling fragments (each weighing
at least FRAGMENT_WEIGHT bytes toward ``ws_max_size``, which the library
enforces), checking text is UTF-8 as each fragment arrives, parsing a bounded
amount a turn of the event loop, backpressure both ways, and two answers Autobahn
expects that the library does not give (``_ended``).

Per-message compression is negotiated only when uvicorn's ``ws_per_message_deflate``
is set (``ruche serve`` sets it from RUCHE_WS_COMPRESSION, off by default: a
compressed socket holds tens of KiB of zlib state). Not done: the ASGI
"websocket.http.response" extension (not advertised; an app refusing a handshake
gets a 403, as ASGI says).
"""

import asyncio
import codecs
import logging
import weakref
from urllib.parse import unquote

from uvicorn.protocols.utils import (
    ClientDisconnected,
    get_local_addr,
    get_remote_addr,
    is_ssl,
)
from websockets.exceptions import InvalidHeader
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import CLOSED, CLOSING, CONNECTING, OPEN
from websockets.server import ServerProtocol

logger = logging.getLogger("uvicorn.error")
# The library's logger (not uvicorn's: its "connection open"/"closed" lines, one a
# socket, stay below the default WARNING level unless an operator asks for them).
library_logger = logging.getLogger("websockets.server")

CLOSE_TIMEOUT = 10.0
# Messages the app may leave untaken before the socket stops reading.
MAX_INBOX = 16
# A fragment counts as at least this many bytes toward ws_max_size: an empty one
# would weigh nothing there, and each costs the parser a few microseconds. With
# the 64 KiB cap, 1,024 fragments a message; with 16 MiB, the 65,536 fragments of
# 64 bytes of Autobahn's largest case (9.3.1).
FRAGMENT_WEIGHT = 64
# What one turn of the event loop parses for a socket, in slices of SLICE bytes:
# up to TURN_BYTES, or until TURN_FRAMES frames came out, then the loop serves
# the other sockets. A read (256 KiB) of tiny frames would otherwise hold it for
# a quarter of a second.
SLICE = 1024
TURN_BYTES = 64 * 1024
TURN_FRAMES = 256

TEXT, BINARY, CONT, PONG, CLOSE = Opcode.TEXT, Opcode.BINARY, Opcode.CONT, Opcode.PONG, Opcode.CLOSE

# Close codes (RFC 6455 section 7.4).
NO_STATUS = 1005
ABNORMAL = 1006
INVALID_DATA = 1007
TOO_BIG = 1009
INTERNAL_ERROR = 1011
SERVICE_RESTART = 1012


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
        max_size = config.ws_max_size
        self.max_fragments = max(1, max_size // FRAGMENT_WEIGHT) if max_size else None
        # The factory makes a compressor per socket only when a client asks for it.
        self.extensions = (
            [ServerPerMessageDeflateFactory(server_max_window_bits=12, client_max_window_bits=12)]
            if config.ws_per_message_deflate
            else None
        )

    def protocol(self, state=CONNECTING) -> ServerProtocol:
        return ServerProtocol(
            extensions=self.extensions,
            max_size=self.config.ws_max_size,
            logger=library_logger,
            state=state,
        )

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


class Message:
    """A message whose fragments are arriving: its bytes in one buffer (no object
    per fragment), and for text a decoder that fails bad UTF-8 at the fragment
    that brings it, not once the whole message is in."""

    __slots__ = ("data", "decoder", "fragments")

    def __init__(self, frame: Frame):
        self.data = bytearray(frame.data)
        self.fragments = 1
        self.decoder = None
        if frame.opcode is TEXT:
            self.decoder = codecs.getincrementaldecoder("utf-8")()
            self.decoder.decode(frame.data)

    def add(self, data: bytes, fin: bool, max_fragments: int | None) -> None:
        self.fragments += 1
        if max_fragments is not None and self.fragments > max_fragments:
            raise MessageTooBig(f"more than {max_fragments} fragments")
        self.data += data
        if self.decoder is not None:
            self.decoder.decode(data, final=fin)

    def received(self) -> dict:
        if self.decoder is None:
            return {"type": "websocket.receive", "bytes": bytes(self.data)}
        return {"type": "websocket.receive", "text": self.data.decode()}


class MessageTooBig(Exception):
    pass


class WebSocketProtocol(asyncio.Protocol):
    """One socket, from the upgrade request uvicorn hands over to the end. Its
    state is the library protocol's: CONNECTING (the request is read, then, once
    ``scope`` is set, the app decides), OPEN, CLOSING (a close frame sent), CLOSED
    (the connection is lost)."""

    __slots__ = (
        "close_timer",  # while our close frame waits for the client's answer
        "disconnect",  # (code, reason) once the app has been told the socket ended
        "drain",  # the future send() awaits while the transport's buffer is full
        "ending",  # the close frame of a failed connection, held (see _ended)
        "inbox",  # ASGI messages the app has not received yet (None: none)
        "message",  # a fragmented message still arriving
        "ping_unanswered",
        "protocol",  # websockets' ServerProtocol: the handshake and the frames
        "receiver",  # the future the app's receive() awaits
        "response",  # the handshake's 101, until the app accepts
        "scope",
        "shared",
        "transport",
        "unread",  # bytes read and not yet parsed: a slice waits for its turn
    )

    def __init__(self, config, server_state, app_state, _loop=None):
        if not config.loaded:
            config.load()
        self.shared = shared_for(config, server_state, app_state)
        self.protocol = self.shared.protocol()
        self.transport = self.scope = self.response = self.message = None
        self.inbox = self.receiver = self.drain = self.unread = None
        self.ping_unanswered = False
        self.close_timer = self.disconnect = self.ending = None

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
        self.protocol.receive_eof()  # the library's state becomes CLOSED
        self.protocol.data_to_send()  # nowhere to go
        self.message = self.unread = self.ending = None
        if self.scope is not None:
            self._tell_disconnect(ABNORMAL, "")
        if self.drain is not None and not self.drain.done():
            self.drain.set_result(None)

    def data_received(self, data: bytes) -> None:
        if self.protocol.state is not CLOSED:
            self._read(memoryview(data))

    def _read(self, data: memoryview) -> None:
        """Hands the library a slice of what arrived and acts on what it parsed;
        the rest waits in ``unread``, reading paused, for the next turn of the
        loop, or for the app to catch up (``_pace``)."""
        protocol = self.protocol
        fed = frames = 0
        while data and fed < TURN_BYTES and frames < TURN_FRAMES and self._reads():
            protocol.receive_data(data[:SLICE])
            data, fed = data[SLICE:], fed + SLICE
            events = protocol.events_received()
            if protocol.state is CONNECTING:
                self._connecting(events)
                continue
            frames += len(events)
            for event in events:
                if not self._frame(event):
                    break  # failed here: the rest is not for the app
            if protocol.state is not OPEN:
                self._ended()
            self._flush()
        self.unread = data or None
        self._pace()

    def _read_unread(self) -> None:
        if self.unread is not None and self._reads():
            self._read(self.unread)

    def _reads(self) -> bool:
        """Whether the socket reads on: the request, until the app decides; then
        while the app keeps up with the messages; once closing, to the end."""
        state = self.protocol.state
        if state is OPEN:
            return self.inbox is None or len(self.inbox) < MAX_INBOX
        if state is CONNECTING:
            return self.scope is None
        return state is CLOSING

    def _pace(self) -> None:
        if self.protocol.state is CLOSED or self.transport.is_closing():
            self.unread = None
        elif self.unread is not None:
            self.transport.pause_reading()
            if self._reads():
                asyncio.get_running_loop().call_soon(self._read_unread)
        elif self._reads():
            self.transport.resume_reading()
        else:
            self.transport.pause_reading()

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
        protocol = self.protocol
        if protocol.state is OPEN:
            self._tell_disconnect(SERVICE_RESTART, "")
            protocol.send_close(SERVICE_RESTART)
            self._flush()
        elif protocol.state is CONNECTING and self.response is not None:
            self._refuse(503)
        elif self.ending is not None:
            self._send_ending()
        self.transport.close()

    def keepalive(self, close_unanswered: bool) -> None:
        if self.protocol.state is not OPEN:
            return
        if self.ping_unanswered and close_unanswered:
            logger.debug("WebSocket keepalive ping timeout")
            self._fail(INTERNAL_ERROR, "keepalive ping timeout")
            self._ended()
            self._flush()
            return
        self.ping_unanswered = True
        self.protocol.send_ping(b"")
        self._flush()

    # --- the opening handshake ---------------------------------------------------

    def _connecting(self, events: list) -> None:
        """The upgrade request, checked by the library; the app then decides, while
        the socket reads no further. A client that sends frames before the answer,
        or a request that is not HTTP, is cut off."""
        protocol = self.protocol
        if self.scope is None and not events:
            if protocol.handshake_exc is not None:  # 414, 431, or not HTTP at all
                self._flush()
                self.transport.close()
            return
        if self.scope is not None or protocol.eof_sent or len(events) > 1 or protocol.reader.buffer:
            self.transport.close()  # data before our answer breaks RFC 6455 (4.1)
            return
        (request,) = events
        response = protocol.accept(request)
        if response.status_code != 101:
            exc = protocol.handshake_exc
            if isinstance(exc, InvalidHeader) and exc.name == "Sec-WebSocket-Version":
                # RFC 6455 4.4: name the version this server speaks.
                response = protocol.reject(426, "Sec-WebSocket-Version must be 13.\n")
                response.headers["Sec-WebSocket-Version"] = "13"
            protocol.send_response(response)
            self._flush()
            self.transport.close()
            return
        self.response = response
        self.scope = self._scope(request)
        self.inbox = [{"type": "websocket.connect"}]
        task = asyncio.get_running_loop().create_task(self._run_asgi())
        tasks = self.shared.tasks
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def _scope(self, request: Request) -> dict:
        shared = self.shared
        path, _, query = request.path.partition("?")
        root = shared.config.root_path
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request.headers.raw_items()
        ]
        subprotocols = [
            token.strip()
            for value in request.headers.get_all("Sec-WebSocket-Protocol")
            for token in value.split(",")
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

    def _refuse(self, status: int) -> None:
        """An HTTP answer instead of the 101 (empty: the status says it all)."""
        self.response = None
        self.protocol.send_response(self.protocol.reject(status, ""))
        self._flush()
        self.transport.close()

    def _accept(self, message: dict) -> None:
        response: Response = self.response
        headers = response.headers
        del headers["Date"]  # uvicorn's default headers bring it, as for HTTP
        extra = [*self.shared.default_headers(), *message.get("headers", ())]
        subprotocol = message.get("subprotocol")
        if subprotocol:
            extra.append((b"Sec-WebSocket-Protocol", subprotocol.encode()))
        if any(b"\r" in part or b"\n" in part for header in extra for part in header):
            raise RuntimeError("Invalid header: it holds a line break")
        for name, value in extra:
            headers[name.decode("latin-1")] = value.decode("latin-1")
        logger.info('%s - "WebSocket %s" [accepted]', _client(self.scope), self.scope["path"])
        self.response = None
        handshake = self.protocol
        handshake.send_response(response)
        self._flush()
        # The library's parser keeps the request (its headers: 1.5 KiB) in its
        # suspended frame for the socket's whole life. The frames go to a protocol
        # of their own, open from the start with what the handshake negotiated;
        # the handshake's took no byte past the request (checked in _connecting).
        self.protocol = self.shared.protocol(state=OPEN)
        self.protocol.extensions = handshake.extensions
        self._pace()
        self.shared.opened(self)

    # --- frames from the client --------------------------------------------------

    def _frame(self, frame: Frame) -> bool:
        """One frame the library has checked (pings are answered by it); False
        when it failed the connection."""
        opcode = frame.opcode
        if opcode is TEXT or opcode is BINARY:
            if opcode is BINARY and frame.fin:  # the common cases first: one frame
                self._deliver({"type": "websocket.receive", "bytes": frame.data})
                return True
            try:
                if frame.fin:
                    self._deliver({"type": "websocket.receive", "text": frame.data.decode()})
                else:
                    self.message = Message(frame)
            except UnicodeDecodeError:
                return self._fail(INVALID_DATA, "invalid UTF-8")
        elif opcode is CONT:
            try:
                self.message.add(frame.data, frame.fin, self.shared.max_fragments)
            except UnicodeDecodeError:
                return self._fail(INVALID_DATA, "invalid UTF-8")
            except MessageTooBig as error:
                return self._fail(TOO_BIG, str(error))
            if frame.fin:
                message, self.message = self.message, None
                self._deliver(message.received())
        elif opcode is PONG:
            self.ping_unanswered = False
        elif opcode is CLOSE:
            self.message = None
            if self.close_timer is not None:  # the answer to our close: done
                self.close_timer.cancel()
                self.close_timer = None
        return True

    def _ended(self) -> None:
        """The connection stops (a close frame received or answered, or the client
        broke RFC 6455): the app learns how, once, after the messages that came
        before. If some are still in the inbox when the connection failed, the
        close frame waits in ``ending`` until the app has taken them, so that its
        answers to them go first (Autobahn 3.2, 4.1.3, 5.15...)."""
        protocol = self.protocol
        received = protocol.close_rcvd
        if (
            received is not None
            and protocol.close_rcvd_then_sent
            and protocol.close_sent is not received
            and not self.transport.is_closing()
        ):
            # A close between a message's fragments: allowed (RFC 6455 5.4), and
            # answered like any close, not failed with 1002 as the library does.
            protocol.data_to_send()
            payload = b"" if received.code == NO_STATUS else received.serialize()
            self.transport.write(Frame(CLOSE, payload).serialize(mask=False))
            self.transport.close()
        if self.scope is None:
            return
        ending = received or protocol.close_sent
        if received is None and self.disconnect is None and self.inbox:
            self.ending = protocol.data_to_send()
            self.close_timer = asyncio.get_running_loop().call_later(
                CLOSE_TIMEOUT, self._send_ending
            )
        if ending is None:
            self._tell_disconnect(ABNORMAL, "")
        else:
            self._tell_disconnect(ending.code, ending.reason)

    def _fail(self, code: int, reason: str) -> bool:
        """Fails the connection (RFC 6455 7.1.7): a close frame, and no waiting."""
        self.message = None
        self.protocol.fail(code, reason)
        return False

    def _send_ending(self) -> None:
        """The close frame held for the app's last answers: now."""
        ending, self.ending = self.ending or (), None
        if self.close_timer is not None:
            self.close_timer.cancel()
            self.close_timer = None
        for data in ending:
            self.transport.write(data)
        self._end_stream()

    def _flush(self) -> None:
        """Writes what the library has for the client; its end of stream closes
        the connection (a server closes first, RFC 6455 7.1.1)."""
        for data in self.protocol.data_to_send():
            if data:
                self.transport.write(data)
            else:
                self._end_stream()

    def _end_stream(self) -> None:
        """Closes the connection, lingering after a failure. A client failed while
        still sending (a message over the cap, 4 MiB in fragments) has bytes on
        their way: closing with them unread makes the kernel reset the connection,
        and the reset can destroy our close frame before the client reads it
        (Autobahn 9.4.3 once saw no close code). So half-close instead, and read
        on — the library discards it — until the client closes, CLOSE_TIMEOUT at
        most. After a close handshake (the client's close frame came) nothing more
        is coming: close at once."""
        if self.protocol.close_rcvd is not None or not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.close_timer = asyncio.get_running_loop().call_later(
            CLOSE_TIMEOUT, self.transport.close
        )

    # --- ASGI ----------------------------------------------------------------------

    def _deliver(self, message: dict) -> None:
        """Hands ``message`` to the app's receive() and wakes it. Reading pauses
        while the app leaves many messages untaken (a client flooding it)."""
        if self.disconnect is not None:
            return  # past the close: the app has been told it is over
        if self.inbox is None:
            self.inbox = [message]
        else:
            self.inbox.append(message)
        if self.receiver is not None and not self.receiver.done():
            self.receiver.set_result(None)

    def _tell_disconnect(self, code: int, reason: str) -> None:
        """The app learns once that the socket ended, and how."""
        if self.disconnect is None:
            self.disconnect = (code, reason)
            message = {"type": "websocket.disconnect", "code": code, "reason": reason}
            if self.inbox is None:
                self.inbox = [message]
            else:
                self.inbox.append(message)
            if self.receiver is not None and not self.receiver.done():
                self.receiver.set_result(None)

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
        if self.ending is not None and message["type"] == "websocket.disconnect":
            self._send_ending()
        if not self.inbox:
            self.inbox = None
            if self.protocol.state is OPEN:
                self._pace()
        return message

    async def send(self, message: dict) -> None:
        if self.drain is not None:
            await self.drain
        kind = message["type"]
        state = self.protocol.state
        if state is CONNECTING and self.response is not None:
            if kind == "websocket.accept":
                self._accept(message)
            elif kind == "websocket.close":
                logger.info('%s - "WebSocket %s" 403', _client(self.scope), self.scope["path"])
                self._tell_disconnect(ABNORMAL, "")
                self._refuse(403)
            else:
                raise RuntimeError(
                    f"Expected 'websocket.accept' or 'websocket.close', got {kind!r}"
                )
        elif state is OPEN:
            if kind == "websocket.send":
                data = message.get("bytes")
                if data is not None:
                    self.protocol.send_binary(data)
                else:
                    self.protocol.send_text(message["text"].encode())
                self._flush()
            elif kind == "websocket.close":
                self._close(message.get("code", 1000), message.get("reason") or "")
            else:
                raise RuntimeError(f"Expected 'websocket.send' or 'websocket.close', got {kind!r}")
        elif self.ending is not None and kind == "websocket.send":
            self._answer_before_ending(message)
        elif self.ending is not None:
            self._send_ending()
        elif kind == "websocket.send" or state is CLOSED:
            raise ClientDisconnected()
        elif kind != "websocket.close":  # closing what is closing already changes nothing
            raise RuntimeError(f"Unexpected {kind!r} once the socket is closing")

    def _answer_before_ending(self, message: dict) -> None:
        """The library sends nothing once it failed the connection: the app's answer
        to a message that came before the failure is framed here, by the library's
        Frame (and its extensions), ahead of the held close frame."""
        data = message.get("bytes")
        frame = Frame(BINARY, data) if data is not None else Frame(TEXT, message["text"].encode())
        self.transport.write(frame.serialize(mask=False, extensions=self.protocol.extensions))

    def _close(self, code: int, reason: str) -> None:
        """Our close frame; the client answers with its own within CLOSE_TIMEOUT."""
        # At most 123 bytes of reason, cut between characters: the client checks its UTF-8.
        reason = reason.encode()[:123].decode(errors="ignore")
        self._tell_disconnect(code, reason)
        self.protocol.send_close(code, reason)
        self._flush()
        self._pace()  # reads on, for the client's answer
        self.close_timer = asyncio.get_running_loop().call_later(
            CLOSE_TIMEOUT, self.transport.close
        )

    async def _run_asgi(self) -> None:
        try:
            await self.shared.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            code = 1000
        except BaseException:
            logger.exception("Exception in ASGI application\n")
            code = INTERNAL_ERROR
        else:
            if self.response is not None:
                logger.error("ASGI callable returned without completing handshake.")
            code = 1000
        self._app_ended(code)

    def _app_ended(self, code: int) -> None:
        """The app has returned (or failed): whatever it left open is closed."""
        state = self.protocol.state
        if self.ending is not None:
            self._send_ending()
        elif state is CONNECTING and self.response is not None:
            self._refuse(500)
        elif state is OPEN:
            self._close(code, "")
        elif self.close_timer is None and state is not CLOSED:
            self.transport.close()


def _client(scope: dict) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"
