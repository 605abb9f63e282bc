"""A real HTTP server that receives webhooks, for the tests: the standard
library's, in a thread, on a port the system chooses."""

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """What it was sent, and the statuses it answers with, in turn (then 200s)."""

    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.received: list[Received] = []
        self.statuses: deque[int] = deque()
        self.always: int | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, host: str = "localhost", path: str = "/hook") -> str:
        return f"http://{host}:{self.port}{path}"

    def answer(self, *statuses: int, always: int | None = None) -> None:
        self.statuses.extend(statuses)
        self.always = always

    def next_status(self) -> int:
        if self.statuses:
            return self.statuses.popleft()
        return self.always or 200


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = receiver.next_status()
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
