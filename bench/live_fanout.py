"""Live fan-out over websockets: latency to many subscribers, and idle connections' memory.

    python bench/live_fanout.py                       # everything, defaults below
    python bench/live_fanout.py --clients 1000 --posts 50 --idle 10000 --nice 5
    python bench/live_fanout.py --phases floor,one    # a part only
    python bench/live_fanout.py --app-dir /tmp/ruche_proto   # serve a scratch copy of the code
    python bench/live_fanout.py --profile             # py-spy the server (extra round)

In ONE run, on a fresh SQLite database under /tmp (``ruche migrate``, then
accounts and read/write personal access tokens inserted directly):

1. ``one``: ``ruche serve`` (1 worker, ``RUCHE_JOBS_INTERVAL_SECONDS=0``,
   ``--log-level warning``); ``--clients`` websocket clients in this process
   (asyncio, the ``websockets`` client, no compression), each authenticated by a
   bearer token and subscribed to ``home``; then ``--posts`` posts, one at a
   time, through ``POST /api/v1/posts`` by one author in the company stream.
   Latency of a delivery: from the commit of the post's transaction to a
   client's receipt of the matching ``post.created`` event. The commit is marked
   inside the server (``time.monotonic()``, the clock of this process's
   ``perf_counter`` on Linux) by the launcher (LAUNCHER below: ``ruche``'s own
   ``main``, plus a hook on ``app.realtime.broker.publish_all``, which
   ``Database.commit``'s after-commit hook calls right after the commit); the
   app's code is not changed. The POST's HTTP response is no origin: on one
   process it comes back after the fan-out (its latency from the response is
   shown too). Reported: p50/p99 over all deliveries, and over posts of the LAST
   client's receipt; the servers' CPU time per post and their garbage
   collections during the measured posts.
2. ``two``: the same with two ``ruche serve`` processes on the same database
   sharing a Redis (its own ``redis-server`` on a free port unless
   ``--redis-url``); clients alternate between them; posts go through A.
3. ``floor``: a bare ``websockets`` server (this script, ``--floor-server``, in a
   subprocess; uvloop like uvicorn when installed) speaking the same shape
   (hello, subscribe, an event message of the same size), broadcasting with
   ``websockets.broadcast`` when a control socket asks; latency from just
   before its broadcast (marked in that server) to each receipt, same harness.
   Run before and after the Ruche phases; both runs pooled (each shown too, as a
   drift check). Target: Ruche's p50 and p99 within 1.5x the floor's.
4. ``idle``: a fresh ``ruche serve``; its RSS (``/proc/<pid>/status``) before
   and after ``--idle`` authenticated, subscribed, idle websockets held by
   client processes (``--idle-procs``); then held ``--idle-hold`` seconds (the
   server's CPU meanwhile), with the connection cost (server CPU per socket
   opened) and the collections; then the same for three bare floors: the
   ``websockets`` server of 3., a bare ASGI app under uvicorn with ``ruche
   serve``'s websocket options (``--asgi-floor-server``: what the server costs
   per socket before the app's own objects), and the same app under uvicorn's
   own ``websockets-sansio`` protocol (what Ruche's protocol saves). Target:
   10,000 idle connections on one process under 300 MB.

The results go, as a Markdown section, to ``--out``, with the machine (CPU,
memory, load, other busy processes at the start and the end). Everything
listens on 127.0.0.1; the open-files limit is raised to the hard limit
(``resource.setrlimit`` here, ``ulimit -n`` for the servers). On a shared
machine, ``--nice N`` lowers the priority of everything this starts. The
harness freezes its own objects out of the garbage collector while it measures
(the floor's runs and Ruche's alike).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import hashlib
import json
import math
import multiprocessing
import os
import resource
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from machine import machine  # bench/machine.py: this script's own folder is on the path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ORIGIN = "http://ruche-bench.localhost"
SUBSCRIBE = '{"type": "subscribe", "topics": ["home"]}'
MARK = '"post.created"'
PHASES = ("floor", "one", "two", "idle")
TARGET_RATIO = 1.5
TARGET_IDLE_MB = 300
TARGET_IDLE_CONNECTIONS = 10_000


# --- small helpers -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raise_nofile() -> int:
    """The soft open-files limit up to the hard one; returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value * 1000:.1f} ms"


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon... of /proc/<pid>/status, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            found[name] = int(rest.split()[0])
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def busiest_processes(limit: int = 6) -> list[str]:
    """Other processes using the CPU right now (ps's lifetime average, then a
    1-second sample of the top ones by /proc), to say how loaded the machine was."""
    mine = {os.getpid()}
    before = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in mine:
            with contextlib.suppress(OSError, IndexError, ValueError):
                before[int(entry.name)] = cpu_seconds(int(entry.name))
    time.sleep(1.0)
    busy = []
    for pid, spent in before.items():
        with contextlib.suppress(OSError, IndexError, ValueError):
            share = cpu_seconds(pid) - spent
            if share >= 0.05:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                busy.append((share, pid, command.decode(errors="replace").strip()[:110]))
    busy.sort(reverse=True)
    return [f"{share:.0%} cpu  pid {pid}  {command}" for share, pid, command in busy[:limit]]


def machine_and_limits() -> dict[str, str]:
    import websockets

    return {
        **machine(),
        "websockets": websockets.__version__,
        "open files (hard limit)": str(resource.getrlimit(resource.RLIMIT_NOFILE)[1]),
    }


# --- the database --------------------------------------------------------------------


def ruche_env(args, database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUCHE_")}
    env.update(
        {
            "RUCHE_DATABASE_URL": database_url,
            "RUCHE_VAR_DIR": str(var_dir),
            "RUCHE_SECRET_KEY": "live-bench-" + "k" * 40,
            "RUCHE_PUBLIC_URL": ORIGIN,
            "RUCHE_JOBS_INTERVAL_SECONDS": "0",
            "RUCHE_SQL_ECHO": "false",
        }
    )
    env.update({f"RUCHE_{k.upper()}": v for k, v in extra.items()})
    if args.app_dir:
        env["PYTHONPATH"] = args.app_dir
    return env


# ``ruche`` as its console script runs it, plus, when LIVE_BENCH_MARKS names a file,
# a mark of each commit that announces post.created events: time.monotonic() right
# after the commit (app.db.Database.commit's after-commit hook, set by
# app.realtime.broker.announce_commits, calls publish_all then), and the posts;
# when LIVE_BENCH_GC names a file, the start and duration of each collection of the
# garbage collector's generations 1 and 2. The app's code is not changed; each mark
# costs one line written.
LAUNCHER = """\
import os, sys, time
sys.argv[0] = "ruche"
if os.environ.get("LIVE_BENCH_MARKS"):
    import app.realtime.broker
    _publish_all = app.realtime.broker.publish_all
    _marks = open(os.environ["LIVE_BENCH_MARKS"], "a", buffering=1)
    async def publish_all(broker, events):
        now = time.monotonic()
        posts = [str(e.post_id) for e in events if e.kind == "post.created"]
        if posts:
            _marks.write(f"{now!r} {' '.join(posts)}\\n")
        await _publish_all(broker, events)
    app.realtime.broker.publish_all = publish_all
if os.environ.get("LIVE_BENCH_GC"):
    import gc
    _gc_log = open(os.environ["LIVE_BENCH_GC"], "a", buffering=1)
    _gc_started = [0.0]
    def _gc_watch(phase, info):
        if info["generation"] < 1:
            return
        if phase == "start":
            _gc_started[0] = time.monotonic()
        else:
            took = time.monotonic() - _gc_started[0]
            _gc_log.write(f"{_gc_started[0]!r} {took!r} {info['generation']}\\n")
    gc.callbacks.append(_gc_watch)
from app.cli import main
main()
"""


def ruche_command(args, *ruche_args: str) -> list[str]:
    """``ruche ...`` through LAUNCHER (the venv's, or --app-dir's copy of the code)."""
    return [sys.executable, "-c", LAUNCHER, *ruche_args]


def read_marks(path: Path) -> dict[int, float]:
    """{post id: monotonic time of its commit} from a LIVE_BENCH_MARKS file."""
    marks = {}
    if path.exists():
        for line in path.read_text().splitlines():
            when, *posts = line.split()
            for post in posts:
                marks[int(post)] = float(when)
    return marks


def seed(args, database_url: str, var_dir: Path, accounts: int) -> list[str]:
    """``ruche migrate``, then ``accounts`` employees (internal clearance), each with
    a read/write personal access token marked as just used (so that connecting
    writes nothing). Returns the tokens' secrets; the first is the author's."""
    done = subprocess.run(
        ruche_command(args, "migrate"),
        env=ruche_env(args, database_url, var_dir),
        cwd=args.app_dir or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"ruche migrate failed:\n{done.stdout}\n{done.stderr}")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from sqlalchemy import insert

    from app.config import Settings
    from app.db import Database
    from app.levels import AccountKind, Language, Level, Role
    from app.models import AccessToken, User

    now = datetime.now(UTC)
    secret_list = [f"ruche_live_{secrets.token_hex(24)}" for _ in range(accounts)]
    users = [
        {
            "id": i + 1,
            "email": f"live{i + 1}@ruche-bench.fr",
            "handle": f"live{i + 1}",
            "display_name": f"Lecteur {i + 1}",
            "password_hash": None,
            "kind": AccountKind.EMPLOYEE,
            "role": Role.MEMBER,
            "clearance": Level.INTERNAL,
            "is_active": True,
            "language": Language.FR,
            "created_at": now,
            "last_seen_at": now,
        }
        for i in range(accounts)
    ]
    tokens = [
        {
            "id": i + 1,
            "user_id": i + 1,
            "name": "live bench",
            "token_hash": hashlib.sha256(secret.encode()).hexdigest(),
            "prefix": secret[:12],
            "scopes": "read write",
            "created_at": now,
            "last_used_at": now,
        }
        for i, secret in enumerate(secret_list)
    ]

    async def load():
        database = Database(Settings(database_url=database_url, var_dir=var_dir))
        try:
            async with database.transaction() as session:
                for start in range(0, accounts, 2000):
                    await session.execute(insert(User), users[start : start + 2000])
                for start in range(0, accounts, 2000):
                    await session.execute(insert(AccessToken), tokens[start : start + 2000])
        finally:
            await database.dispose()

    asyncio.run(load())
    return secret_list


# --- processes -------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str] | None = None
    cwd: Path | str | None = None
    log: Path | None = None
    popen: subprocess.Popen | None = None
    display: str | None = None  # the command as the report shows it

    def shown(self) -> str:
        return self.display or shlex.join(self.command)

    def start(self) -> None:
        out = self.log.open("wb") if self.log else subprocess.DEVNULL
        self.popen = subprocess.Popen(
            self.command, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT
        )
        if self.log:
            out.close()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def tail(self) -> str:
        if self.log and self.log.exists():
            return self.log.read_text(errors="replace")[-3000:]
        return ""


def server_process(args, name: str, port: int, env: dict[str, str], workdir: Path) -> Process:
    """``ruche serve`` under ``bash -c 'ulimit -n ...; exec ...'``: the pid is the server's."""
    serve = ruche_command(
        args, "serve", "--port", str(port), "--workers", "1", "--log-level", "warning"
    )
    shell = f"ulimit -n {args.nofile}; exec {shlex.join(serve)}"
    rest = shlex.join(serve[3:])
    where = f"PYTHONPATH={args.app_dir} (cwd) " if args.app_dir else ""
    return Process(
        name,
        ["bash", "-c", shell],
        env=env,
        cwd=args.app_dir or ROOT,
        log=workdir / f"{name}.log",
        display=f'{where}bash -c \'ulimit -n {args.nofile}; exec {serve[0]} -c "$LAUNCHER" '
        f"{rest}'",
    )


async def wait_http(process: Process, url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if not process.alive():
                raise SystemExit(f"{process.name} exited:\n{process.tail()}")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(url, timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise SystemExit(f"{process.name} not ready after {timeout:.0f} s:\n{process.tail()}")


async def wait_port(process: Process, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise SystemExit(f"{process.name} exited:\n{process.tail()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
        else:
            writer.close()
            return
    raise SystemExit(f"{process.name} does not listen on {port}")


# --- the bare floor server (run as a subprocess of this script) -----------------------


def floor_server(port: int, loop_name: str) -> None:
    """A bare ``websockets`` server speaking the shape of Ruche's protocol: a hello,
    subscribe -> subscribed, and on {"type": "fire", "id": k} from a control
    socket: an acknowledgement to it, then one broadcast of an event message of
    the same size as Ruche's to every subscribed socket."""
    from websockets.asyncio.server import broadcast, serve

    raise_nofile()
    if os.environ.get("LIVE_BENCH_GC"):
        import gc

        log = open(os.environ["LIVE_BENCH_GC"], "a", buffering=1)  # noqa: SIM115
        started = [0.0]

        def watch(phase, info):
            if info["generation"] >= 1:
                if phase == "start":
                    started[0] = time.monotonic()
                else:
                    log.write(
                        f"{started[0]!r} {time.monotonic() - started[0]!r} {info['generation']}\n"
                    )

        gc.callbacks.append(watch)
    subscribed = set()
    hello = json.dumps({"type": "hello", "last_event_id": 0, "state": "ok"})
    granted = json.dumps({"type": "subscribed", "topics": ["home"]})

    async def handler(websocket):
        await websocket.send(hello)
        try:
            async for raw in websocket:
                message = json.loads(raw)
                if message.get("type") == "subscribe":
                    subscribed.add(websocket)
                    await websocket.send(granted)
                elif message.get("type") == "fire":
                    k = message["id"]
                    event = {
                        "type": "event",
                        "event": {
                            "id": k,
                            "kind": "post.created",
                            "space_id": None,
                            "post_id": k,
                            "payload": {"author_id": 1, "post_kind": "ordinary"},
                        },
                    }
                    fired = time.monotonic()
                    broadcast(subscribed, json.dumps(event))
                    await websocket.send(json.dumps({"type": "fired", "id": k, "at": fired}))
        finally:
            subscribed.discard(websocket)

    async def main():
        async with serve(
            handler,
            "127.0.0.1",
            port,
            compression=None,
            max_queue=None,
            ping_interval=20,
            backlog=4096,
        ):
            await asyncio.Future()

    if loop_name == "uvloop":
        import uvloop

        uvloop.run(main())
    else:
        asyncio.run(main())


def asgi_floor_server(port: int, options: dict) -> None:
    """A bare ASGI app under uvicorn with the websocket ``options`` (``ruche serve``'s,
    app.cli.WEBSOCKET_OPTIONS, or uvicorn's own protocol): the same hello and
    subscribed, and nothing else. What any app served this way pays per idle
    socket, before its own objects."""
    import uvicorn

    raise_nofile()
    hello = json.dumps({"type": "hello", "last_event_id": 0, "state": "ok"})
    granted = json.dumps({"type": "subscribed", "topics": ["home"]})

    async def app(scope, receive, send):
        if scope["type"] != "websocket":
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": hello})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if json.loads(message.get("text") or "{}").get("type") == "subscribe":
                await send({"type": "websocket.send", "text": granted})

    uvicorn.run(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", **options)


def websocket_options(args) -> dict:
    """``ruche serve``'s uvicorn websocket options, read from the served code."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, app.cli; print(json.dumps(app.cli.WEBSOCKET_OPTIONS))",
        ],
        env=ruche_env(args, "sqlite://", Path(tempfile.gettempdir())),
        cwd=args.app_dir or ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


# --- the client harness ------------------------------------------------------------------


async def open_client(url: str, token: str | None, *, timeout: float = 120):
    """Connected, greeted and subscribed to ``home``."""
    from websockets.asyncio.client import connect

    headers = {"Authorization": f"Bearer {token}"} if token else None
    websocket = await connect(
        url,
        origin=ORIGIN,
        additional_headers=headers,
        compression=None,
        open_timeout=timeout,
        ping_interval=None,
        close_timeout=5,
        user_agent_header=None,
    )
    hello = json.loads(await asyncio.wait_for(websocket.recv(), timeout))
    if hello.get("type") != "hello":
        raise RuntimeError(f"expected hello, got {hello}")
    await websocket.send(SUBSCRIBE)
    while True:
        message = json.loads(await asyncio.wait_for(websocket.recv(), timeout))
        if message.get("type") == "subscribed":
            if "home" not in message.get("topics", []):
                raise RuntimeError(f"home not granted: {message}")
            return websocket


@dataclass
class Tally:
    """Receipts of post.created events: (perf_counter, client index, raw message)."""

    receipts: list = field(default_factory=list)
    awaited: int = 0
    seen: int = 0
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    def expect(self, count: int) -> None:
        self.awaited, self.seen = count, 0
        self.complete.clear()

    def hit(self) -> None:
        self.seen += 1
        if self.seen >= self.awaited:
            self.complete.set()


async def listen(websocket, index: int, tally: Tally) -> None:
    """As cheap as possible: a timestamp and a substring test; parsed afterwards."""
    receipts = tally.receipts
    with contextlib.suppress(Exception):
        async for raw in websocket:
            now = time.perf_counter()
            if MARK in raw:
                receipts.append((now, index, raw))
                tally.hit()


async def open_many(urls_and_tokens: list[tuple[str, str | None]], concurrency: int):
    semaphore = asyncio.Semaphore(concurrency)
    failures: dict[str, int] = {}

    async def one(url, token):
        async with semaphore:
            try:
                return await open_client(url, token)
            except Exception as error:
                key = f"{type(error).__name__}: {str(error)[:100]}"
                failures[key] = failures.get(key, 0) + 1
                return None

    opened = await asyncio.gather(*(one(u, t) for u, t in urls_and_tokens))
    return opened, failures


async def close_many(websockets_: list, concurrency: int = 200) -> None:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(websocket):
        async with semaphore:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(), 10)

    await asyncio.gather(*(one(w) for w in websockets_ if w is not None))


@dataclass
class FanoutResult:
    """Seconds. ``deliveries``: from the origin (Ruche: the commit, marked in the
    server; the floor: just before its broadcast) to each receipt."""

    name: str
    clients: int
    posts: int
    deliveries: list[float]
    last_per_post: list[float]
    from_answer: list[float]  # from the trigger's answer (the POST's response), 0 if before
    early: int  # receipts seen before the trigger's answer
    from_request: list[float]  # from the trigger's sending
    missing: int
    by_group: dict[str, list[float]]
    trigger: list[float]  # trigger round trips
    failures: dict[str, int]
    load: str
    origin: str
    server_cpu: float = math.nan  # the servers' CPU seconds per measured post
    gc: dict | None = None  # the servers' collections during the measured posts
    server_command: str = ""

    def summary(self) -> dict[str, float]:
        return {
            "p50": percentile(self.deliveries, 0.5),
            "p99": percentile(self.deliveries, 0.99),
            "last_p50": percentile(self.last_per_post, 0.5),
            "last_p99": percentile(self.last_per_post, 0.99),
            "answer_p50": percentile(self.from_answer, 0.5),
            "answer_p99": percentile(self.from_answer, 0.99),
            "req_p50": percentile(self.from_request, 0.5),
            "req_p99": percentile(self.from_request, 0.99),
            "trigger_p50": percentile(self.trigger, 0.5),
        }


async def fanout(
    args,
    name: str,
    clients: list[tuple[str, str | None]],
    trigger,
    origins,
    origin: str,
    pids=(),
    gc_logs=(),
    groups=None,
    before_posts=None,
    answer_counts=True,
) -> FanoutResult:
    """Opens the clients, sends warm-up then measured triggers one at a time (each
    waits for every delivery, or the timeout, then --interval), closes them.
    ``trigger(k)`` -> (id, sent, answered), perf_counter times in this process;
    ``origins()`` -> {id: time.monotonic() of the origin, in the server}: the same
    clock (CLOCK_MONOTONIC) on Linux. Without an origin, the answer is the origin."""
    print(f"[{name}] opening {len(clients)} clients", flush=True)
    started = time.perf_counter()
    opened, failures = await open_many(clients, args.connect_concurrency)
    live = [(i, w) for i, w in enumerate(opened) if w is not None]
    print(
        f"[{name}] {len(live)} open in {time.perf_counter() - started:.1f} s"
        + (f"; failures {failures}" if failures else ""),
        flush=True,
    )
    tally = Tally()
    readers = [asyncio.create_task(listen(w, i, tally)) for i, w in live]
    # The harness's own collections would delay receipts (the floor's and Ruche's
    # alike): what exists now is set aside from them for the measurement.
    gc.collect()
    gc.freeze()
    await asyncio.sleep(args.settle)
    load = loadavg()
    times: dict[int, tuple[float, float]] = {}
    measured: list[int] = []
    window = [math.inf, 0.0]
    try:
        total = args.warmup + args.posts
        cpu_before = cpu_after = 0.0
        for k in range(total):
            if k == args.warmup:
                if before_posts is not None:
                    await before_posts()
                cpu_before = sum(cpu_seconds(pid) for pid in pids)
                window[0] = time.perf_counter()
            tally.expect(len(live))
            ident, sent, answered = await trigger(k)
            times[ident] = (sent, answered)
            if k >= args.warmup:
                measured.append(ident)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(tally.complete.wait(), args.timeout)
            await asyncio.sleep(args.interval)
        await asyncio.sleep(0.5)
        cpu_after = sum(cpu_seconds(pid) for pid in pids)
        window[1] = time.perf_counter()
    finally:
        for task in readers:
            task.cancel()
        await close_many([w for _, w in live])
        gc.unfreeze()
    marks = origins() if origins else {}
    wanted = {ident for ident in measured if not origins or ident in marks}
    if len(wanted) < len(measured):
        print(f"[{name}] {len(measured) - len(wanted)} posts without a commit mark", flush=True)
    per_post: dict[int, list[float]] = {ident: [] for ident in wanted}
    deliveries, from_answer, from_request, by_group = [], [], [], {}
    early = 0
    for now, index, raw in tally.receipts:
        ident = json.loads(raw)["event"]["post_id"]
        if ident not in wanted:
            continue
        sent, answered = times[ident]
        latency = now - marks.get(ident, answered)
        deliveries.append(latency)
        per_post[ident].append(latency)
        if answer_counts and now < answered:
            early += 1
        if answer_counts:
            from_answer.append(max(0.0, now - answered))
        from_request.append(now - sent)
        if groups:
            by_group.setdefault(groups(index), []).append(latency)
    missing = len(live) * len(wanted) - len(deliveries)
    result = FanoutResult(
        name=name,
        clients=len(live),
        posts=len(wanted),
        deliveries=deliveries,
        last_per_post=[max(v) for v in per_post.values() if v],
        from_answer=from_answer,
        early=early,
        from_request=from_request,
        missing=missing,
        by_group=by_group,
        trigger=[times[i][1] - times[i][0] for i in wanted],
        failures=failures,
        load=f"{load} -> {loadavg()}",
        origin=origin if origins else "the trigger's answer",
        server_cpu=(cpu_after - cpu_before) / max(len(measured), 1) if pids else math.nan,
        gc=read_gc(list(gc_logs), *window) if gc_logs else None,
    )
    s = result.summary()
    print(
        f"[{name}] from {result.origin}: p50 {ms(s['p50'])} p99 {ms(s['p99'])}; last client "
        f"per post p50 {ms(s['last_p50'])} p99 {ms(s['last_p99'])}; from the answer p50 "
        f"{ms(s['answer_p50'])} p99 {ms(s['answer_p99'])} ({early} receipts before it); "
        f"missing {missing}; server CPU {ms(result.server_cpu)} per post; server GC "
        f"{gc_text(result.gc)}",
        flush=True,
    )
    return result


# --- the phases --------------------------------------------------------------------------


async def phase_floor(args, workdir: Path, label: str) -> FanoutResult:
    port = free_port()
    gc_log = workdir / f"floor{label}.gc"
    floor = Process(
        f"floor{label}",
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--floor-server",
            str(port),
            "--floor-loop",
            args.floor_loop,
        ],
        env={**os.environ, "LIVE_BENCH_GC": str(gc_log)},
        log=workdir / f"floor{label}.log",
    )
    floor.start()
    try:
        await wait_port(floor, port)
        from websockets.asyncio.client import connect

        url = f"ws://127.0.0.1:{port}/"
        fired: dict[int, float] = {}
        async with connect(url, compression=None, ping_interval=None) as control:

            async def trigger(k):
                sent = time.perf_counter()
                await control.send(json.dumps({"type": "fire", "id": k + 1}))
                while (answer := json.loads(await control.recv())).get("type") != "fired":
                    pass
                fired[k + 1] = answer["at"]
                return k + 1, sent, time.perf_counter()

            return await fanout(
                args,
                f"floor{label}",
                [(url, None)] * args.clients,
                trigger,
                origins=lambda: fired,
                origin="the broadcast (in the server)",
                pids=[floor.pid],
                gc_logs=[gc_log],
                answer_counts=False,  # its answer comes after the broadcast
            )
    finally:
        floor.stop()


def post_trigger(http, author: str):
    headers = {"Authorization": f"Bearer {author}"}

    async def trigger(k):
        sent = time.perf_counter()
        response = await http.post(
            "/api/v1/posts", json={"body": f"Live bench post {k}"}, headers=headers
        )
        answered = time.perf_counter()
        if response.status_code != 201:
            raise SystemExit(f"POST /api/v1/posts: {response.status_code} {response.text}")
        return response.json()["id"], sent, answered

    return trigger


COMMIT = "the commit (in the server)"


def marks_env(args, env: dict[str, str], path: Path) -> dict[str, str]:
    env = {**env, "LIVE_BENCH_GC": str(path.with_suffix(".gc"))}
    if not args.no_marks:
        env["LIVE_BENCH_MARKS"] = str(path)
    return env


def read_gc(paths: list[Path], start: float, end: float) -> dict[str, float]:
    """Collections of generations 1 and 2 that started within [start, end]."""
    pauses = {1: [], 2: []}
    for path in paths:
        if path.exists():
            for line in path.read_text().splitlines():
                began, took, generation = line.split()
                if start <= float(began) <= end:
                    pauses[int(generation)].append(float(took))
    return {
        "gen2": len(pauses[2]),
        "gen2_max": max(pauses[2], default=0.0),
        "gen2_total": sum(pauses[2]),
        "gen1": len(pauses[1]),
        "gen1_max": max(pauses[1], default=0.0),
    }


def gc_text(pauses: dict[str, float] | None) -> str:
    if not pauses:
        return "n/a"
    return (
        f"{pauses['gen2']} full, max {ms(pauses['gen2_max'])}; {pauses['gen1']} gen-1, max "
        f"{ms(pauses['gen1_max'])}"
    )


def marks_of(args, path: Path):
    return None if args.no_marks else (lambda: read_marks(path))


async def phase_one(args, workdir, database_url, tokens) -> tuple[FanoutResult, list[str]]:
    import httpx

    port = free_port()
    marks = workdir / "marks-one.txt"
    env = marks_env(args, ruche_env(args, database_url, workdir), marks)
    server = server_process(args, "one", port, env, workdir)
    server.start()
    profile_lines: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_http(server, f"{base}/readyz")
        url = f"ws://127.0.0.1:{port}/ws"
        clients = [(url, tokens[1 + i]) for i in range(args.clients)]
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            result = await fanout(
                args,
                "one",
                clients,
                post_trigger(http, tokens[0]),
                origins=marks_of(args, marks),
                origin=COMMIT,
                pids=[server.pid],
                gc_logs=[marks.with_suffix(".gc")],
            )
            result.server_command = server.shown()
            if args.profile:
                profile_lines = await profile_fanout(
                    args, workdir, server, clients, http, tokens, marks
                )
        return result, profile_lines
    finally:
        server.stop()


async def profile_fanout(args, workdir, server, clients, http, tokens, marks) -> list[str]:
    """Another round of posts (not in the figures) with py-spy sampling the server."""
    py_spy = VENV_BIN / "py-spy"
    if not py_spy.exists():
        return ["py-spy not installed in the venv: no profile"]
    raw = workdir / "profile_one.txt"
    spy = None

    async def start_spy():
        nonlocal spy
        # Blocking mode (the process is paused for each sample): slower, but every
        # stack is consistent (--nonblocking misattributes lines under load).
        command = [
            str(py_spy),
            "record",
            "--pid",
            str(server.pid),
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            str(raw),
        ]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        await asyncio.sleep(1.5)

    await fanout(
        args,
        "one-profiled",
        clients,
        post_trigger(http, tokens[0]),
        origins=marks_of(args, marks),
        origin=COMMIT,
        before_posts=start_spy,
    )
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        _, errors = spy.communicate(timeout=60)
        if not raw.exists():
            return [f"py-spy failed: {errors.decode()[-400:]}"]
    return summarise_profile(raw)


def summarise_profile(raw: Path, top: int = 25) -> list[str]:
    """py-spy raw stacks of the event loop's thread (the database driver's worker
    threads, mostly waiting for work, apart): the functions with the most samples,
    self and inclusive. Time spent inside uvloop's C code (system calls, task
    scheduling) shows as the Python frame that called it, ``Runner.run`` when it is
    the loop itself."""
    self_time: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = threads = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        if any(frame.startswith("Thread._bootstrap") for frame in frames):
            threads += samples
            continue
        total += samples
        self_time[frames[-1]] = self_time.get(frames[-1], 0) + samples
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + samples
    lines = [
        f"{total} samples of the event loop's thread at 250 Hz ({threads} more in worker "
        "threads); self time:"
    ]
    for frame, n in sorted(self_time.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"  {n / max(total, 1):6.1%}  {frame}")
    lines.append("inclusive:")
    for frame, n in sorted(inclusive.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"  {n / max(total, 1):6.1%}  {frame}")
    return lines


async def phase_two(args, workdir, database_url, tokens) -> FanoutResult:
    import httpx

    redis = None
    redis_url = args.redis_url
    if not redis_url:
        redis_port = free_port()
        redis = Process(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            log=workdir / "redis.log",
        )
        redis.start()
        await wait_port(redis, redis_port)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
    marks = workdir / "marks-two.txt"
    env = marks_env(args, ruche_env(args, database_url, workdir, redis_url=redis_url), marks)
    port_a, port_b = free_port(), free_port()
    server_a = server_process(args, "two-a", port_a, env, workdir)
    server_b = server_process(args, "two-b", port_b, env, workdir)
    try:
        server_a.start()
        await wait_http(server_a, f"http://127.0.0.1:{port_a}/readyz")
        server_b.start()
        await wait_http(server_b, f"http://127.0.0.1:{port_b}/readyz")
        urls = [f"ws://127.0.0.1:{port_a}/ws", f"ws://127.0.0.1:{port_b}/ws"]
        clients = [(urls[i % 2], tokens[1 + i]) for i in range(args.clients)]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port_a}", timeout=30) as http:
            result = await fanout(
                args,
                "two",
                clients,
                post_trigger(http, tokens[0]),
                origins=marks_of(args, marks),
                origin=COMMIT,
                pids=[server_a.pid, server_b.pid, *([redis.pid] if redis else [])],
                gc_logs=[marks.with_suffix(".gc")],
                groups=lambda i: "A (posting worker)" if i % 2 == 0 else "B (via Redis)",
            )
        result.server_command = (
            f"{server_a.shown()}  (twice, ports {port_a} and {port_b}); "
            f"RUCHE_REDIS_URL={redis_url}" + (f"; {shlex.join(redis.command)}" if redis else "")
        )
        return result
    finally:
        server_b.stop()
        server_a.stop()
        if redis:
            redis.stop()


def idle_child(url: str, tokens: list[str], concurrency: int, conn) -> None:
    """One client process: opens its share of idle sockets, reports, holds them
    until told, then reports how many were still open and closes them."""
    raise_nofile()

    async def hold():
        opened, failures = await open_many([(url, t) for t in tokens], concurrency)
        live = [w for w in opened if w is not None]
        conn.send(("ready", len(live), failures))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)
        from websockets.protocol import State

        still = sum(1 for w in live if w.state is State.OPEN)
        conn.send(("still", still))
        for w in live:
            w.transport.abort()

    asyncio.run(hold())


@dataclass
class IdleResult:
    name: str
    asked: int
    held: int
    failures: dict[str, int]
    still_open: int
    rss_before_kb: int
    rss_after_kb: int
    rss_end_kb: int
    hwm_kb: int
    fds: int
    open_seconds: float
    open_cpu: float  # the server's CPU seconds to accept them all
    hold_seconds: float
    cpu_share: float
    load: str
    server_command: str
    procs: int
    gc: dict | None = None  # collections from the first socket opened to the end of the hold

    @property
    def per_connection_kib(self) -> float:
        return (self.rss_after_kb - self.rss_before_kb) / max(self.held, 1)


async def hold_idle(
    args,
    name: str,
    server: Process,
    url: str,
    tokens: list,
    hold: float,
    warm_up=None,
    gc_log: Path | None = None,
) -> IdleResult:
    """The server's RSS before and after len(tokens) idle sockets (each subscribed
    to ``home``) held by client processes, and its CPU while they idle."""
    warm, _ = await open_many([(url, t) for t in tokens[:20]], 10)
    if warm_up is not None:
        await warm_up()
    await asyncio.sleep(1)
    await close_many(warm)
    await asyncio.sleep(2)
    before = proc_status(server.pid)["VmRSS"]
    count = len(tokens)
    procs = args.idle_procs or max(1, math.ceil(count / 5000))
    share = math.ceil(count / procs)
    context = multiprocessing.get_context("spawn")
    children = []
    loop = asyncio.get_running_loop()
    try:
        started, cpu_before = time.perf_counter(), cpu_seconds(server.pid)
        started_at = started
        print(f"[{name}] opening {count} idle sockets from {procs} processes", flush=True)
        for p in range(procs):
            parent, child = context.Pipe()
            process = context.Process(
                target=idle_child,
                args=(
                    url,
                    tokens[p * share : (p + 1) * share],
                    max(1, args.connect_concurrency // procs),
                    child,
                ),
            )
            process.start()
            children.append((process, parent))
        held, failures = 0, {}
        for _, parent in children:
            _, n, failed = await loop.run_in_executor(None, parent.recv)
            held += n
            for key, value in failed.items():
                failures[key] = failures.get(key, 0) + value
        open_seconds = time.perf_counter() - started
        open_cpu = cpu_seconds(server.pid) - cpu_before
        print(
            f"[{name}] {held} open in {open_seconds:.1f} s"
            + (f"; failures {failures}" if failures else ""),
            flush=True,
        )
        await asyncio.sleep(5)
        after = proc_status(server.pid)["VmRSS"]
        fds = open_fds(server.pid)
        cpu_start, wall_start = cpu_seconds(server.pid), time.perf_counter()
        load_start = loadavg()
        await asyncio.sleep(hold)
        cpu_share = (cpu_seconds(server.pid) - cpu_start) / (time.perf_counter() - wall_start)
        status = proc_status(server.pid)
        still = 0
        for _, parent in children:
            parent.send("close")
        for _, parent in children:
            _, n = await loop.run_in_executor(None, parent.recv)
            still += n
    finally:
        for process, _ in children:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    result = IdleResult(
        name=name,
        asked=count,
        held=held,
        failures=failures,
        still_open=still,
        rss_before_kb=before,
        rss_after_kb=after,
        rss_end_kb=status["VmRSS"],
        hwm_kb=status["VmHWM"],
        fds=fds,
        open_seconds=open_seconds,
        open_cpu=open_cpu,
        hold_seconds=hold,
        cpu_share=cpu_share,
        load=f"{load_start} -> {loadavg()}",
        server_command=server.shown(),
        procs=procs,
        gc=read_gc([gc_log], started_at, time.perf_counter()) if gc_log else None,
    )
    print(
        f"[{name}] RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB "
        f"({result.per_connection_kib:.1f} KiB per connection); after {hold:.0f} s: "
        f"{status['VmRSS'] / 1024:.1f} MiB, {still} still open; server CPU "
        f"{open_cpu / max(held, 1) * 1000:.2f} ms per connection opened, "
        f"{cpu_share:.0%} of a core while they idle; GC {gc_text(result.gc)}",
        flush=True,
    )
    return result


async def phase_idle(args, workdir, database_url, tokens) -> list[IdleResult]:
    """Ruche, then the bare floor server, with the same client processes."""
    import httpx

    results = []
    port = free_port()
    gc_log = workdir / "idle.gc"
    env = {**ruche_env(args, database_url, workdir), "LIVE_BENCH_GC": str(gc_log)}
    server = server_process(args, "idle", port, env, workdir)
    server.start()
    try:
        await wait_http(server, f"http://127.0.0.1:{port}/readyz")

        async def warm_up():  # a post: every import and cache of a serving process
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                await post_trigger(http, tokens[0])(0)

        results.append(
            await hold_idle(
                args,
                "idle",
                server,
                f"ws://127.0.0.1:{port}/ws",
                tokens[1 : 1 + args.idle],
                args.idle_hold,
                warm_up,
                gc_log,
            )
        )
    finally:
        server.stop()
    if args.idle_floor:
        options = websocket_options(args)
        uvicorns = {**options, "ws": "websockets-sansio", "ws_per_message_deflate": False}
        bare = {
            "idle-floor": ["--floor-server", "{port}", "--floor-loop", args.floor_loop],
            "idle-asgi": ["--asgi-floor-server", "{port}", "--asgi-options", json.dumps(options)],
            "idle-asgi-uvicorn": [
                "--asgi-floor-server",
                "{port}",
                "--asgi-options",
                json.dumps(uvicorns),
            ],
        }
        for name, floor_args in bare.items():
            results.append(await hold_bare(args, workdir, name, floor_args))
    return results


async def hold_bare(args, workdir: Path, name: str, floor_args: list[str]) -> IdleResult:
    """A bare server of this script (``floor_args``, ``{port}`` filled in) holding the
    same idle sockets, without tokens, as long (its CPU while idle: keepalive pings)."""
    port = free_port()
    command = [sys.executable, str(Path(__file__).resolve())]
    command += [a.replace("{port}", str(port)) for a in floor_args]
    floor = Process(
        name,
        ["bash", "-c", f"ulimit -n {args.nofile}; exec " + shlex.join(command)],
        env=ruche_env(args, "sqlite://", workdir),
        cwd=args.app_dir or ROOT,
        log=workdir / f"{name}.log",
    )
    floor.start()
    try:
        await wait_port(floor, port)
        url = f"ws://127.0.0.1:{port}/"
        return await hold_idle(args, name, floor, url, [None] * args.idle, args.idle_hold)
    finally:
        floor.stop()


# --- the report ----------------------------------------------------------------------------


def verdict(value: float, target: float) -> str:
    if math.isnan(value) or math.isnan(target):
        return "n/a"
    ratio = value / target if target else math.inf
    word = "met" if ratio <= 1 else "MISSED"
    return f"{word} ({ratio:.2f}x the target)"


def fanout_rows(result: FanoutResult) -> list[str]:
    s = result.summary()
    return [
        f"| {result.name} | {result.origin} | {result.clients} | {result.posts} | "
        f"{ms(s['p50'])} | {ms(s['p99'])} | {ms(s['last_p50'])} | {ms(s['last_p99'])} | "
        f"{ms(s['answer_p50'])} / {ms(s['answer_p99'])} ({result.early}) | "
        f"{ms(s['req_p50'])} / {ms(s['req_p99'])} | {ms(s['trigger_p50'])} | "
        f"{ms(result.server_cpu)} | {gc_text(result.gc)} | {result.missing} | {result.load} |"
    ]


def write_report(args, info, started, results, idles, profile_lines, workdir) -> str:
    lines = [
        "## Live fan-out over websockets (bench/live_fanout.py)",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC: `{shlex.join([sys.executable, *sys.argv])}`",
        "",
        "Machine: "
        + "; ".join(f"{k} {v}" for k, v in info.items() if k not in ("busy_list", "busy_end"))
        + (f"; everything at nice {args.nice}" if args.nice else "")
        + ".",
        "",
        "Other processes using the CPU when the run started (1-second sample):",
        "",
        *([f"    {line}" for line in info.get("busy_list", [])] or ["    (none above 5 %)"]),
        "",
        "... and when it ended:",
        "",
        *([f"    {line}" for line in info.get("busy_end", [])] or ["    (none above 5 %)"]),
        "",
    ]
    lines += [
        "`$LAUNCHER` in the commands below: `from app.cli import main; main()` (what the "
        "`ruche` console script runs) plus the commit and garbage-collection marks of "
        "`LAUNCHER` in bench/live_fanout.py (one line written per marked event).",
        "",
    ]
    fan = [r for r in results if r is not None]
    if fan:
        lines += [
            f"Fan-out: {args.clients} clients in the harness process (asyncio, "
            f"`websockets` client, compression off), subscribed to `home`; {args.posts} "
            f"measured posts (after {args.warmup} warm-up), one at a time, each after the "
            f"previous one's last delivery + {args.interval} s. Latency of a delivery: from "
            "the origin to the client's receipt of the event; origin: for Ruche the commit "
            "of the post's transaction (`time.monotonic()` marked in the server right after "
            "`session.commit()`, where `Database.commit` announces the events; the same "
            "clock as the harness's `perf_counter`), for the floor the moment just before "
            'its `broadcast()`. "last": the slowest client of each post. Also shown: '
            "from the trigger's answer (the POST's HTTP response, counted 0 for receipts "
            "that came before it, their number in brackets; not for the floor, which answers "
            "after its broadcast) and from the trigger's sending.",
            "",
            "| run | origin | clients | posts | p50 | p99 | last p50 | last p99 "
            "| from answer p50 / p99 (early) | from request p50 / p99 | trigger round trip p50 "
            "| server CPU per post | server GC collections (gen 2, gen 1) | missing "
            "| load avg (1/5/15 min) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| --- | ---: | --- |",
        ]
        for result in fan:
            lines += fanout_rows(result)
        lines.append("")
        for result in fan:
            for group, values in sorted(result.by_group.items()):
                lines.append(
                    f"- {result.name}, clients on {group}: p50 {ms(percentile(values, 0.5))}, "
                    f"p99 {ms(percentile(values, 0.99))} ({len(values)} deliveries)"
                )
            if result.failures:
                lines.append(f"- {result.name}: connection failures {result.failures}")
            command = getattr(result, "server_command", None)
            if command:
                lines.append(f"- {result.name}: `{command}`")
        floors = [r for r in fan if r.name.startswith("floor")]
        if floors:
            pooled = [x for r in floors for x in r.deliveries]
            pooled_last = [x for r in floors for x in r.last_per_post]
            floor = {
                "p50": percentile(pooled, 0.5),
                "p99": percentile(pooled, 0.99),
                "last_p50": percentile(pooled_last, 0.5),
                "last_p99": percentile(pooled_last, 0.99),
            }
            lines += [
                "",
                f"Floor pooled over {len(floors)} run(s): p50 {ms(floor['p50'])}, p99 "
                f"{ms(floor['p99'])}; last client p50 {ms(floor['last_p50'])}, p99 "
                f"{ms(floor['last_p99'])}. Floor server: `{sys.executable} "
                f"bench/live_fanout.py --floor-server <port> --floor-loop {args.floor_loop}`.",
                "",
                f"Targets (within {TARGET_RATIO}x the floor of this run):",
                "",
            ]
            for result in fan:
                if result.name.startswith("floor"):
                    continue
                s = result.summary()
                for key, label in (
                    ("p50", "p50"),
                    ("p99", "p99"),
                    ("last_p50", "last-client p50"),
                    ("last_p99", "last-client p99"),
                ):
                    ratio = s[key] / floor[key] if floor[key] else math.nan
                    close = abs(ratio - TARGET_RATIO) < 0.01
                    word = "met" if ratio <= TARGET_RATIO else "MISSED"
                    lines.append(
                        f"- {result.name} {label}: {ms(s[key])} = {ratio:.{3 if close else 2}f}x "
                        f"the floor's {ms(floor[key])} (target: at most {TARGET_RATIO}x, "
                        f"{ms(floor[key] * TARGET_RATIO)}): {word}"
                        + ("" if key.startswith("p") else " (informative)")
                    )
    if idles:
        lines += [
            "",
            f"Idle connections: authenticated websockets, each subscribed to `home`, held by "
            f"client processes of the harness; the server's RSS (`/proc/<pid>/status`) before "
            f"(after a warm-up: 20 sockets and a post, closed) and once they are open; then "
            f"held {args.idle_hold:.0f} s (the server's CPU meanwhile). The floors, same "
            f"clients (no token), held as long: idle-floor, the bare `websockets` server above; "
            f"idle-asgi, a bare ASGI app under uvicorn with `ruche serve`'s websocket options "
            f"(app.cli.WEBSOCKET_OPTIONS: Ruche's own protocol); idle-asgi-uvicorn, the same "
            f"app under uvicorn's own `websockets-sansio` protocol, without compression.",
            "",
            "| server | held / asked | opened in | server CPU per connection opened "
            "| RSS before | RSS with them | per connection | RSS after the hold (peak) "
            "| CPU while idle | server GC collections (gen 2, gen 1) | load avg |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for idle in idles:
            lines.append(
                f"| {idle.name} | {idle.held:,} / {idle.asked:,} | {idle.open_seconds:.1f} s | "
                f"{idle.open_cpu / max(idle.held, 1) * 1000:.2f} ms | "
                f"{idle.rss_before_kb / 1024:.1f} MiB | {idle.rss_after_kb / 1024:.1f} MiB | "
                f"{idle.per_connection_kib:.1f} KiB | {idle.rss_end_kb / 1024:.1f} MiB "
                f"({idle.hwm_kb / 1024:.1f} MiB) | {idle.cpu_share:.1%} of a core | "
                f"{gc_text(idle.gc)} | {idle.load} |"
            )
        lines.append("")
        for idle in idles:
            lines.append(
                f"- {idle.name}: `{idle.server_command}`; {idle.still_open:,} still "
                f"open at the end; server fds {idle.fds:,}"
                + (f"; failures {idle.failures}" if idle.failures else "")
            )
        ruche = idles[0]
        for floor in idles[1:]:
            lines.append(
                f"- {ruche.name} above {floor.name}: "
                f"{ruche.per_connection_kib - floor.per_connection_kib:+.1f} KiB per socket, "
                f"{(ruche.rss_before_kb - floor.rss_before_kb) / 1024:+.1f} MiB at start"
            )
        held_mb = max(ruche.rss_after_kb, ruche.rss_end_kb) * 1024 / 1e6
        lines.append(
            f"- target {TARGET_IDLE_CONNECTIONS:,} idle connections on one process under "
            f"{TARGET_IDLE_MB} MB: "
            + (
                f"{ruche.held:,} held in {held_mb:.0f} MB "
                f"({held_mb / 1.048576:.0f} MiB; peak {ruche.hwm_kb * 1024 / 1e6:.0f} MB): "
                + verdict(held_mb, TARGET_IDLE_MB)
                if ruche.held >= TARGET_IDLE_CONNECTIONS
                else f"only {ruche.held:,} held: not measured at the target's size"
            )
        )
    if profile_lines:
        lines += [
            "",
            "py-spy profile of the one-process server during another round of posts:",
            "",
            *[f"    {line}" for line in profile_lines],
        ]
    lines += ["", f"Scratch directory (database, server logs): `{workdir}`", ""]
    text = "\n".join(lines)
    Path(args.out).write_text(text)
    return text


# --- main ------------------------------------------------------------------------------------


async def run(args) -> None:
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        raise SystemExit(f"unknown phases: {', '.join(sorted(unknown))}")
    started = datetime.now(UTC)
    info = machine_and_limits()
    info["busy_list"] = busiest_processes()
    info["load at start"] = loadavg()
    print("machine:", {k: v for k, v in info.items() if k != "busy_list"}, flush=True)
    for line in info["busy_list"]:
        print("busy:", line, flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="ruche_live_", dir="/tmp"))
    database_url = f"sqlite+aiosqlite:///{workdir / 'ruche.db'}"
    accounts = 1 + max(
        args.clients if {"one", "two"} & set(phases) else 0,
        args.idle if "idle" in phases else 0,
        20,
    )
    t = time.perf_counter()
    tokens = await asyncio.to_thread(seed, args, database_url, workdir, accounts)
    print(
        f"seeded {accounts} accounts with tokens in {time.perf_counter() - t:.1f} s "
        f"({database_url})",
        flush=True,
    )
    results: list[FanoutResult] = []
    profile_lines: list[str] = []
    idles: list[IdleResult] = []
    if "floor" in phases:
        results.append(await phase_floor(args, workdir, "-before"))
    if "one" in phases:
        one, profile_lines = await phase_one(args, workdir, database_url, tokens)
        results.append(one)
    if "two" in phases:
        results.append(await phase_two(args, workdir, database_url, tokens))
    if "floor" in phases and ({"one", "two"} & set(phases)):
        results.append(await phase_floor(args, workdir, "-after"))
    if "idle" in phases:
        idles = await phase_idle(args, workdir, database_url, tokens)
    info["load at end"] = loadavg()
    info["busy_end"] = await asyncio.to_thread(busiest_processes)
    text = write_report(args, info, started, results, idles, profile_lines, workdir)
    print("\n" + text, flush=True)
    print(f"written to {args.out}", flush=True)
    if not args.keep:
        for name in ("ruche.db", "ruche.db-wal", "ruche.db-shm"):
            with contextlib.suppress(FileNotFoundError):
                (workdir / name).unlink()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog="The method: the module docstring (python -m pydoc bench/live_fanout.py).",
    )
    parser.add_argument(
        "--phases", default=",".join(PHASES), help=f"comma-separated, among {', '.join(PHASES)}"
    )
    parser.add_argument("--clients", type=int, default=1000, help="fan-out subscribers")
    parser.add_argument("--posts", type=int, default=50, help="measured posts per fan-out run")
    parser.add_argument("--warmup", type=int, default=3, help="posts before the measured ones")
    parser.add_argument(
        "--interval",
        type=float,
        default=0.2,
        help="seconds between a post's last delivery and the next post",
    )
    parser.add_argument(
        "--timeout", type=float, default=15, help="seconds to wait for a post's deliveries"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=2,
        help="seconds between the last client's subscription and the first post",
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=32,
        help="handshakes in flight while opening sockets",
    )
    parser.add_argument("--idle", type=int, default=10_000, help="idle sockets to hold")
    parser.add_argument(
        "--idle-procs",
        type=int,
        default=0,
        help="client processes holding them (default: one per 5,000)",
    )
    parser.add_argument(
        "--idle-hold",
        type=float,
        default=60,
        help="seconds to hold them (the server's CPU is measured meanwhile)",
    )
    parser.add_argument(
        "--no-idle-floor",
        dest="idle_floor",
        action="store_false",
        help="skip the bare servers' memory per idle connection",
    )
    parser.add_argument(
        "--redis-url",
        default=None,
        help="use this Redis instead of starting a redis-server on a free port",
    )
    parser.add_argument(
        "--floor-loop",
        choices=("uvloop", "asyncio"),
        default=None,
        help="the floor server's event loop (default: uvloop when installed, as uvicorn picks)",
    )
    parser.add_argument(
        "--app-dir",
        default=None,
        help="serve the code of this copy of the repository (PYTHONPATH, cwd)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the one-process server during an extra round of posts",
    )
    parser.add_argument(
        "--nice", type=int, default=0, help="niceness of this process and everything it starts"
    )
    parser.add_argument(
        "--out",
        default=str(Path(tempfile.gettempdir(), "live_bench_results.md")),
        help="where the Markdown section goes",
    )
    parser.add_argument(
        "--no-marks",
        action="store_true",
        help="no commit marks: latency from the POST's response only",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--floor-server", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--asgi-floor-server", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--asgi-options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_loop is None:
        try:
            import uvloop  # noqa: F401
        except ImportError:
            args.floor_loop = "asyncio"
        else:
            args.floor_loop = "uvloop"
    if args.floor_server is not None:
        floor_server(args.floor_server, args.floor_loop)
        return
    if args.asgi_floor_server is not None:
        asgi_floor_server(args.asgi_floor_server, json.loads(args.asgi_options))
        return
    if args.nice:
        os.nice(args.nice)
    args.nofile = raise_nofile()
    if args.nofile < args.idle + 1000:
        print(f"warning: open-files limit {args.nofile} for --idle {args.idle}", flush=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
