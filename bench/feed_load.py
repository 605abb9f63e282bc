"""Load test of the home feed over HTTP, against a `ruche serve` this script starts.

    python bench/feed_load.py --database-url sqlite+aiosqlite:////tmp/ruche_bench.db
    python bench/feed_load.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/ruche_bench

It starts ``ruche serve`` (one worker, ``--log-level warning``,
``RUCHE_JOBS_INTERVAL_SECONDS=0``) on the database bench/generate.py filled,
then, with the personal access tokens the generator wrote (many viewers, each
request the next viewer of a shuffled list):

1. warm-up: every viewer's feed once (caches warm);
2. ``GET /healthz`` closed loop: the app's own ceiling in requests/s;
3. ``GET /api/v1/me`` closed loop: the cheapest authenticated endpoint (token
   lookup, commit), the floor of anything that reads the database;
4. ``GET /api/v1/feed`` closed loop at rising concurrency: the feed's maximum
   throughput;
5. ``GET /api/v1/feed`` open loop at half that maximum (requests sent on a fixed
   schedule whatever the answers; latency counted from the scheduled time, so a
   slow answer also delays the ones queued behind it): p50, p99, requests/s;
6. optionally (``--profile``) py-spy samples the server during a saturated
   closed loop, and the time is broken down by layer.

Each measure also reports the server's CPU time per request (from /proc), which
does not depend on the share of the cores the server got on a busy machine.
Before the server starts and after the warm-up, the bench tokens are marked as
just used, so that no measured request writes (see ``freshen_tokens``).

It prints a summary and writes it into docs/benchmarks.md, between markers of
its own for this database (``--doc`` elsewhere, ``--doc-key`` for another
block, ``--no-doc`` not at all). Every loop is bounded in time; traffic goes to
127.0.0.1 only. ``--app-dir`` serves another copy of the code (to measure a
change without touching the work tree).

The HTTP client: ``raw`` (default) is a minimal HTTP/1.1 keep-alive client on
asyncio streams (uvloop when installed): ~0.05 ms of CPU per request against
~0.13 ms for aiohttp and ~1.1 ms for httpx (which would make /healthz's ceiling
the client's), so that on a small machine the client takes little CPU from the
server; ``aiohttp`` and ``httpx`` are there to compare (install the ``bench``
extra for aiohttp).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from machine import machine  # bench/machine.py: this script's own folder is on the path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# --- HTTP clients -------------------------------------------------------------------


class RawClient:
    """HTTP/1.1 with keep-alive on asyncio streams: one request at a time per connection."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def _connect(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self, path: str, token: str | None) -> tuple[int, bytes]:
        reused = self.writer is not None
        if not reused:
            await self._connect()
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{auth}"
            f"Accept: application/json\r\n\r\n".encode()
        )
        self.writer.write(request)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            if not reused:
                raise
            # The server closed an idle keep-alive connection: once more on a new one.
            await self.close()
            await self._connect()
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        match = re.search(rb"\r\ncontent-length: *(\d+)", lower)
        if match:
            body = await self.reader.readexactly(int(match.group(1)))
        elif b"transfer-encoding: chunked" in lower:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(part[:-2] for part in parts)
        else:
            body = await self.reader.read()
        if b"\r\nconnection: close" in lower:
            await self.close()
        return status, body

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = self.reader = None


class AiohttpClient:
    """One shared aiohttp session (its own pool of keep-alive connections)."""

    session = None

    def __init__(self, host: str, port: int):
        import aiohttp

        self.base = f"http://{host}:{port}"
        if AiohttpClient.session is None:
            AiohttpClient.session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, force_close=False)
            )

    async def get(self, path, token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.get(self.base + path, headers=headers) as response:
            return response.status, await response.read()

    async def close(self):
        """The shared session outlives each worker: see ``shutdown``."""

    @classmethod
    async def shutdown(cls):
        if cls.session is not None:
            await cls.session.close()
            cls.session = None


class HttpxClient:
    """One shared httpx client, HTTP/1.1 with keep-alive."""

    client = None

    def __init__(self, host: str, port: int):
        import httpx

        if HttpxClient.client is None:
            HttpxClient.client = httpx.AsyncClient(
                base_url=f"http://{host}:{port}",
                http2=False,
                limits=httpx.Limits(max_connections=None, max_keepalive_connections=None),
                timeout=60,
            )

    async def get(self, path, token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.get(path, headers=headers)
        return response.status_code, response.content

    async def close(self):
        """The shared client outlives each worker: see ``shutdown``."""

    @classmethod
    async def shutdown(cls):
        if cls.client is not None:
            await cls.client.aclose()
            cls.client = None


CLIENTS = {"raw": RawClient, "aiohttp": AiohttpClient, "httpx": HttpxClient}


# --- measuring ----------------------------------------------------------------------


def cpu_seconds(pid: int | str = "self") -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Result:
    name: str
    concurrency: int | None = None
    rate: float | None = None
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: Counter = field(default_factory=Counter)
    bytes: int = 0
    server_cpu: float = 0.0  # % of one core
    client_cpu: float = 0.0
    late: float = 0.0  # open loop: how far behind schedule the sender fell, at most

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU time per request, whatever share of the cores it got."""
        return self.server_cpu / 100 * self.seconds / self.count * 1000 if self.count else 0

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    def ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000

    def line(self) -> str:
        where = f"c={self.concurrency}" if self.concurrency else f"rate={self.rate:.0f}/s"
        return (
            f"{self.name:<8} {where:<12} {self.count:>7} req {self.rps:>8.1f} req/s  "
            f"p50 {self.ms(50):6.1f} ms  p90 {self.ms(90):6.1f}  p99 {self.ms(99):6.1f}  "
            f"max {self.ms(100):6.1f}  errors {self.errors}  "
            f"server CPU {self.server_cpu:3.0f}% ({self.cpu_ms:.2f} ms/req)  "
            f"client CPU {self.client_cpu:3.0f}%"
        )


class Load:
    def __init__(self, args, port: int, server_pid: int, tokens: list[str]):
        self.args = args
        self.port = port
        self.server_pid = server_pid
        self.tokens = tokens
        self.next_token = 0
        self.client_class = CLIENTS[args.client]

    def token(self) -> str:
        token = self.tokens[self.next_token % len(self.tokens)]
        self.next_token += 1
        return token

    @staticmethod
    async def get(client, path: str, token: str | None) -> tuple[int, bytes]:
        """A failed connection counts as status 0, and the next request reconnects."""
        try:
            return await client.get(path, token)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            await client.close()
            return 0, repr(error).encode()

    def check(self, result: Result, status: int, body: bytes) -> None:
        result.statuses[status] += 1
        result.bytes += len(body)
        if status == 200 and result.statuses[200] <= 3 and result.name == "feed":
            assert "items" in json.loads(body), body[:200]
        elif status != 200 and result.errors <= 3:
            print(f"  {result.name}: HTTP {status}: {body[:300]!r}", flush=True)

    async def closed(
        self,
        name: str,
        path: str,
        concurrency: int,
        seconds: float,
        authenticated: bool = True,
        limit: int | None = None,
    ) -> Result:
        """``concurrency`` connections, each sending its next request when the last
        one is answered, for ``seconds`` (or ``limit`` requests)."""
        result = Result(name, concurrency=concurrency)
        deadline = time.perf_counter() + seconds
        remaining = [limit if limit is not None else 1 << 62]

        async def worker():
            client = self.client_class("127.0.0.1", self.port)
            try:
                while time.perf_counter() < deadline and remaining[0] > 0:
                    remaining[0] -= 1
                    token = self.token() if authenticated else None
                    started = time.perf_counter()
                    status, body = await self.get(client, path, token)
                    result.latencies.append(time.perf_counter() - started)
                    self.check(result, status, body)
            finally:
                await client.close()

        server_cpu, client_cpu, started = (
            cpu_seconds(self.server_pid),
            cpu_seconds(),
            time.perf_counter(),
        )
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
        result.server_cpu = (cpu_seconds(self.server_pid) - server_cpu) / result.seconds * 100
        result.client_cpu = (cpu_seconds() - client_cpu) / result.seconds * 100
        return result

    async def open(self, name: str, path: str, rate: float, seconds: float) -> Result:
        """Requests scheduled every 1/rate s whatever the answers; latency is counted
        from the scheduled time (no coordinated omission). Connections are taken
        from a pool that grows as needed."""
        result = Result(name, rate=rate)
        idle: list = []
        pending = set()
        total = int(rate * seconds)
        start = time.perf_counter() + 0.05

        async def one(scheduled: float, token: str):
            client = idle.pop() if idle else self.client_class("127.0.0.1", self.port)
            status, body = await self.get(client, path, token)
            result.latencies.append(time.perf_counter() - scheduled)
            self.check(result, status, body)
            idle.append(client)

        server_cpu, client_cpu = cpu_seconds(self.server_pid), cpu_seconds()
        for i in range(total):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                result.late = max(result.late, -delay)
            task = asyncio.create_task(one(scheduled, self.token()))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(pending, timeout=60)
        result.seconds = time.perf_counter() - start
        result.server_cpu = (cpu_seconds(self.server_pid) - server_cpu) / result.seconds * 100
        result.client_cpu = (cpu_seconds() - client_cpu) / result.seconds * 100
        for client in idle:
            await client.close()
        return result


# --- the server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(args, port: int, var_dir: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "RUCHE_DATABASE_URL": args.database_url,
        "RUCHE_JOBS_INTERVAL_SECONDS": "0",
        "RUCHE_VAR_DIR": var_dir,
        "RUCHE_SQL_ECHO": "false",
    }
    launcher = "import sys; sys.argv[0] = 'ruche'; "
    if args.switch_interval:
        launcher += f"sys.setswitchinterval({args.switch_interval}); "
    launcher += "from app.cli import main; main()"
    command = (
        [sys.executable, "-c", launcher]
        if args.switch_interval or args.app_dir
        else [str(VENV_BIN / "ruche")]
    )
    command += ["serve", "--port", str(port), "--workers", "1", "--log-level", "warning"]
    if args.app_dir:
        env["PYTHONPATH"] = args.app_dir
    if args.nice:
        command = ["nice", "-n", str(args.nice), *command]
    print("server:", shlex.join(command), flush=True)
    return subprocess.Popen(command, env=env, cwd=args.app_dir or ROOT)


async def wait_ready(port: int, process: subprocess.Popen, timeout: float) -> float:
    started = time.perf_counter()
    client = RawClient("127.0.0.1", port)
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode})")
        try:
            status, _ = await client.get("/healthz", None)
            if status == 200:
                await client.close()
                return time.perf_counter() - started
        except OSError:
            await client.close()
        await asyncio.sleep(0.2)
    raise SystemExit("the server did not answer /healthz in time")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- profiling (py-spy) ---------------------------------------------------------------

# Where a sample is, first match wins. SQLAlchemy's async layer runs each
# statement's synchronous part in a greenlet, whose stack py-spy sees without the
# frames that called it: those samples are counted as one bucket.
LAYERS = [
    (
        "driver thread (aiosqlite: SQLite running the statements)",
        lambda stack, leaf: "MainThread" not in stack.split(";", 1)[0],
    ),
    (
        "event loop itself (uvloop: I/O, callbacks, waiting)",
        lambda stack, leaf: leaf.startswith(("Runner.run ", "run_until_complete")),
    ),
    (
        "SQLAlchemy in greenlets (compile, cache keys, execute, ORM rows)",
        lambda stack, leaf: "Runner.run (" not in stack,
    ),
    (
        "feed.stream outside greenlets (building the query)",
        lambda stack, leaf: re.search(r";stream \(app/services/feed", stack),
    ),
    ("feed.show_posts outside greenlets", lambda stack, leaf: ";show_posts (app/" in stack),
    ("post_read (PostRead models)", lambda stack, leaf: ";post_read (app/" in stack),
    ("auth dependency", lambda stack, leaf: ";optional_auth (app/" in stack),
    (
        "response validation + JSON",
        lambda stack, leaf: re.search(
            r";(serialize_response|_prepare_response_content|dump_json|jsonable_encoder) ", stack
        ),
    ),
    ("asyncpg protocol", lambda stack, leaf: "asyncpg" in leaf),
    ("HTTP, routing, middleware, dependencies", lambda stack, leaf: True),
]
# Self time: the innermost frame's package.
PACKAGES = [
    ("aiosqlite/sqlite3", re.compile(r"aiosqlite|sqlite3")),
    ("asyncpg", re.compile(r"asyncpg")),
    ("sqlalchemy", re.compile(r"sqlalchemy/")),
    ("pydantic", re.compile(r"pydantic")),
    ("fastapi", re.compile(r"fastapi/")),
    ("starlette", re.compile(r"starlette/")),
    ("uvicorn/httptools", re.compile(r"uvicorn/|httptools")),
    ("event loop (uvloop/asyncio)", re.compile(r"asyncio/")),
    ("app", re.compile(r"\(app/")),
]


def summarise_profile(raw: Path) -> list[str]:
    """py-spy's raw (collapsed) stacks: share of the samples per layer and package."""
    layers, packages = Counter(), Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        leaf = stack.rsplit(";", 1)[-1]
        layers[next(name for name, test in LAYERS if test(stack, leaf))] += samples
        packages[next((name for name, p in PACKAGES if p.search(leaf)), "other")] += samples
    if not total:
        return ["(no samples)"]
    lines = [
        f"- {total} samples; by layer: "
        + ", ".join(f"{name} {n / total:.0%}" for name, n in layers.most_common())
    ]
    lines.append(
        "- self time by package: "
        + ", ".join(f"{name} {n / total:.0%}" for name, n in packages.most_common())
    )
    return lines


# --- the report -----------------------------------------------------------------------


async def freshen_tokens(url: str) -> None:
    """Marks the bench tokens as just used, so that no request of the run writes.

    A token's first use in five minutes writes ``last_used_at`` (and the
    account's ``last_seen_at``); on SQLite such writes from concurrent requests
    collide ("database is locked", see docs/benchmarks.md). This measures the
    feed's reads; the script freshens the tokens before the server starts and
    again after the warm-up, and the whole run fits in five minutes.
    """
    now = datetime.now(UTC)
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.split(":///", 1)[1], timeout=30)
        try:
            stamp = now.replace(tzinfo=None).isoformat(" ", "microseconds")
            with connection:
                connection.execute(
                    "UPDATE users SET last_seen_at = ? WHERE id IN "
                    "(SELECT user_id FROM access_tokens WHERE name = 'bench')",
                    (stamp,),
                )
                connection.execute(
                    "UPDATE access_tokens SET last_used_at = ? WHERE name = 'bench'", (stamp,)
                )
        finally:
            connection.close()
        return
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(
            "UPDATE users SET last_seen_at = $1 WHERE id IN "
            "(SELECT user_id FROM access_tokens WHERE name = 'bench')",
            now,
        )
        await connection.execute(
            "UPDATE access_tokens SET last_used_at = $1 WHERE name = 'bench'", now
        )
    finally:
        await connection.close()


async def database_facts(url: str) -> str:
    if url.startswith("sqlite"):
        import sqlite3

        path = url.split(":///", 1)[1]
        size = os.path.getsize(path) / 1024**3
        return f"SQLite {sqlite3.sqlite_version} (file {size:.2f} GiB, WAL)"
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        version = await connection.fetchval("SHOW server_version")
        size = await connection.fetchval("SELECT pg_database_size(current_database())")
        buffers = await connection.fetchval("SHOW shared_buffers")
    finally:
        await connection.close()
    return f"PostgreSQL {version} (database {size / 1024**3:.2f} GiB, shared_buffers {buffers})"


def code_label(args) -> str:
    """Which code was measured: the work tree's commit (and whether app/ had
    uncommitted changes), or --app-dir's .bench_commit file."""
    if args.app_dir:
        stamp = Path(args.app_dir) / ".bench_commit"
        commit = stamp.read_text().strip() if stamp.exists() else "?"
        return f"commit {commit} (copy in {args.app_dir})"
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "app"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return f"commit {commit}" + (" + uncommitted changes in app/" if dirty else "")


def n(rows: dict, table: str) -> str:
    return f"{rows[table]:,}" if table in rows else "?"


def report(
    args, meta, facts, results, best, open_result, health, profile, ready_s, load_before, load_after
) -> str:
    m = machine()
    rows = meta.get("rows", {})
    feed_target = open_result.ms(99) < 20
    ratio = best.rps / health.rps if health.rps else 0
    lines = [
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, written by bench/feed_load.py.",
        "",
        f"- Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']}, Linux {m['kernel']}, "
        f"Python {m['python']}; load average {load_before} before, {load_after} after "
        "(other test suites were sharing the machine: figures may be lower than on a quiet one).",
        f"- Database: {facts}; {n(rows, 'users')} accounts, {n(rows, 'spaces')} spaces, "
        f"{n(rows, 'posts')} posts, {n(rows, 'comments')} comments, "
        f"{n(rows, 'post_reactions')} reactions (generated in {meta.get('seconds', '?')} s).",
        f"- Generated with: `{meta.get('command', '?')}`",
        f"- Measured with: `{shlex.join(['python', *sys.argv])}` "
        f"({len(args.viewer_tokens)} viewers, client `{args.client}`, server started in "
        f"{ready_s:.1f} s, 1 uvicorn worker{', nice ' + str(args.nice) if args.nice else ''}; "
        f"code: {code_label(args)}).",
        "",
        "| measure | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors "
        "| server CPU | server CPU ms/req | client CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        where = (
            f"closed loop, {r.concurrency} conn."
            if r.concurrency
            else f"**open loop, {r.rate:.0f} req/s**"
        )
        path = {"healthz": "GET /healthz", "me": "GET /api/v1/me"}.get(r.name, "GET /api/v1/feed")
        lines.append(
            f"| `{path}` {where} "
            f"| {r.count} | {r.rps:.0f} | {r.ms(50):.1f} | {r.ms(90):.1f} | {r.ms(99):.1f} "
            f"| {r.ms(100):.1f} | {r.errors} | {r.server_cpu:.0f} % | {r.cpu_ms:.2f} "
            f"| {r.client_cpu:.0f} % |"
        )
    lines += [
        "",
        f"- `/healthz` ceiling: **{health.rps:.0f} req/s**; feed maximum: **{best.rps:.0f} "
        f"req/s** (at {best.concurrency} connection{'s' if best.concurrency > 1 else ''}) "
        f"= **{ratio:.1%}** of the ceiling (target ≥ 25 %: "
        f"{'met' if ratio >= 0.25 else 'missed'}).",
        f"- Feed at half its maximum ({open_result.rate:.0f} req/s offered, "
        f"{open_result.rps:.0f} served): p50 **{open_result.ms(50):.1f} ms**, "
        f"p99 **{open_result.ms(99):.1f} ms** (target < 20 ms: "
        f"{'met' if feed_target else 'missed'}); mean response "
        f"{open_result.bytes / max(1, open_result.count) / 1024:.1f} KiB.",
    ]
    feed_cpu = statistics.median(r.cpu_ms for r in results if r.name == "feed" and r.count)
    health_cpu = min(r.cpu_ms for r in results if r.name == "healthz")
    lines.append(
        f"- Independent of the share of the cores the server got: the feed costs "
        f"**{feed_cpu:.1f} ms** of server CPU per request (median over the runs; "
        f"≈ {1000 / feed_cpu:.0f} req/s on a dedicated core), `/healthz` {health_cpu:.2f} ms "
        f"(≈ {1000 / health_cpu:.0f} req/s): a ratio of {health_cpu / feed_cpu:.1%}."
    )
    if profile:
        lines += ["", "Server profile (py-spy, saturated closed loop):", "", *profile]
    return "\n".join(lines)


def write_doc(path: Path, key: str, title: str, body: str) -> None:
    start, end = f"<!-- feed_load:{key}:start -->", f"<!-- feed_load:{key}:end -->"
    block = f"{start}\n### {title}\n\n{body}\n{end}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)
    print(f"written to {path} ({key})", flush=True)


# --- main -----------------------------------------------------------------------------


async def run(args) -> None:
    tokens_file = Path(args.tokens_file)
    data = json.loads(tokens_file.read_text())
    viewers = data["viewers"]
    if args.viewers:
        viewers = viewers[: args.viewers]
    tokens = [viewer["token"] for viewer in viewers]
    random.Random(args.seed).shuffle(tokens)
    args.viewer_tokens = tokens
    meta = data.get("generator", {})
    facts = await database_facts(args.database_url)
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"{facts}; {len(tokens)} viewers; load average {load_before}", flush=True)

    await freshen_tokens(args.database_url)
    port = args.port or free_port()
    var_dir = tempfile.mkdtemp(prefix="ruche_bench_var_")
    process = start_server(args, port, var_dir)
    try:
        ready_s = await wait_ready(port, process, args.start_timeout)
        print(f"server ready in {ready_s:.1f}s (pid {process.pid})", flush=True)
        load = Load(args, port, process.pid, tokens)
        feed_path = f"/api/v1/feed?limit={args.limit}"
        results = []

        # Every viewer once: caches warm, and no token's first use lands in a measure.
        warm = await load.closed(
            "feed", feed_path, args.warmup_concurrency, args.warmup_seconds, limit=len(tokens)
        )
        print("warm-up:", warm.line(), flush=True)
        await freshen_tokens(args.database_url)

        health = None
        for concurrency in args.health_concurrency:
            result = await load.closed(
                "healthz", "/healthz", concurrency, args.seconds, authenticated=False
            )
            print(result.line(), flush=True)
            results.append(result)
            if health is None or result.rps > health.rps:
                health = result

        # An authenticated endpoint that reads only the viewer (token lookup, session,
        # commit): the floor of any endpoint that touches the database.
        me = await load.closed("me", "/api/v1/me", 8, args.seconds)
        print(me.line(), flush=True)
        results.append(me)

        best = None
        for concurrency in args.concurrency:
            result = await load.closed("feed", feed_path, concurrency, args.seconds)
            print(result.line(), flush=True)
            results.append(result)
            if best is None or result.rps > best.rps:
                best = result

        rate = best.rps * args.open_fraction
        open_result = await load.open("feed", feed_path, rate, args.open_seconds)
        print(
            open_result.line(),
            f"(sender at most {open_result.late * 1000:.1f} ms late)",
            flush=True,
        )
        results.append(open_result)

        profile = None
        if args.profile:
            profile = await profile_server(args, load, process.pid, feed_path, best.concurrency)
        load_after = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    finally:
        for client_class in (AiohttpClient, HttpxClient):
            await client_class.shutdown()
        stop_server(process)
        shutil.rmtree(var_dir, ignore_errors=True)

    body = report(
        args,
        meta,
        facts,
        results,
        best,
        open_result,
        health,
        profile,
        ready_s,
        load_before,
        load_after,
    )
    print("\n" + body, flush=True)
    if not args.no_doc:
        database = "sqlite" if args.database_url.startswith("sqlite") else "postgresql"
        key = args.doc_key or database
        title = (
            args.doc_title or f"Latest run: {'SQLite' if database == 'sqlite' else 'PostgreSQL'}"
        )
        write_doc(Path(args.doc), key, title, body)


async def profile_server(args, load: Load, pid: int, feed_path: str, concurrency: int):
    py_spy = VENV_BIN / "py-spy"
    if not py_spy.exists():
        print("py-spy is not installed (pip install -e '.[bench]'): no profile", flush=True)
        return None
    raw = Path(tempfile.mkdtemp(prefix="ruche_bench_prof_")) / "feed.txt"
    command = [
        str(py_spy),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(args.profile_seconds),
        "--rate",
        "250",
        "--format",
        "raw",
        "--threads",
        "--output",
        str(raw),
        "--nonblocking",
    ]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    await asyncio.sleep(1)
    result = await load.closed("feed", feed_path, concurrency, args.profile_seconds)
    print("profiled:", result.line(), flush=True)
    _, errors = spy.communicate(timeout=60)
    if not raw.exists():
        print(f"py-spy failed: {errors.decode()[-500:]}", flush=True)
        return None
    lines = summarise_profile(raw)
    print("\n".join(lines), flush=True)
    print(f"(raw stacks in {raw})", flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--tokens-file", default=None, help="written by bench/generate.py (default: as it names it)"
    )
    parser.add_argument("--viewers", type=int, default=0, help="use only the first N viewers")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="raw")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--limit", type=int, default=20, help="posts per feed page")
    parser.add_argument("--seconds", type=float, default=10, help="each closed-loop step")
    parser.add_argument(
        "--concurrency", default="1,2,4,8,16", help="closed-loop steps for the feed's maximum"
    )
    parser.add_argument("--health-concurrency", default="8,32")
    parser.add_argument(
        "--open-fraction",
        type=float,
        default=0.5,
        help="open-loop rate, as a fraction of the feed's maximum",
    )
    parser.add_argument("--open-seconds", type=float, default=30)
    parser.add_argument("--warmup-seconds", type=float, default=180)
    parser.add_argument("--warmup-concurrency", type=int, default=2)
    parser.add_argument("--start-timeout", type=float, default=600)
    parser.add_argument("--profile", action="store_true", help="py-spy the server")
    parser.add_argument("--profile-seconds", type=int, default=15)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="start the server under nice -n N (the client inherits this script's own niceness)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--app-dir",
        default=None,
        help="serve the code of another copy of the repository (to measure a "
        "prototype change without touching the work tree)",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="sys.setswitchinterval() in the server (diagnosis of GIL hand-offs "
        "between the event loop and aiosqlite's thread)",
    )
    parser.add_argument("--doc", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument(
        "--doc-key",
        default=None,
        help="which block of the doc to replace (default: the database's kind)",
    )
    parser.add_argument("--doc-title", default=None)
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.health_concurrency = [int(c) for c in args.health_concurrency.split(",")]
    url = args.database_url
    if args.tokens_file is None:
        args.tokens_file = (
            url.split(":///", 1)[1] + ".tokens.json"
            if url.startswith("sqlite")
            else f"/tmp/ruche_bench_tokens_{url.rsplit('/', 1)[-1]}.json"  # noqa: S108
        )
    try:
        import uvloop

        uvloop.run(run(args))
    except ImportError:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
