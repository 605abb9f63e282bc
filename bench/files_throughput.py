"""Upload and download of one large file through a `ruche serve` this script
starts, against the same bytes moved without Ruche, and the server's memory
meanwhile.

    python bench/files_throughput.py                 # 100 MB, 3 rounds, into docs/benchmarks.md
    python bench/files_throughput.py --size-mb 20 --rounds 1 --no-doc

It starts ``ruche serve`` (the code beside this script, SQLite in a temporary
``var/``, one worker, ``--log-level warning``, ``RUCHE_JOBS_INTERVAL_SECONDS=0``,
``RUCHE_MAX_UPLOAD_MB`` above the size), makes an administrator and a personal
access token, then for each round:

1. upload: ``curl -F file=@...`` to ``POST /api/v1/files`` with the bearer
   token; against ``cp`` of the same file, and ``cp`` then ``sync`` of the copy
   (Ruche flushes a file to disk before it keeps it);
2. download: ``curl`` of ``GET /api/v1/files/{id}/content``; against ``curl``
   of the same file from ``python -m http.server`` on this machine;
3. a range (``curl -r``), which must answer 206 with just those bytes.

The file is a PDF's header then random bytes (an accepted type that nothing
compresses), made new each round so that no upload finds its bytes stored
already. The server's resident memory (RSS, with any child process's) is read
from /proc every 50 ms: idle before the first round, then during each
transfer; the target is a peak under 50 MB above idle, whatever the file's
size. The server's CPU time per transfer comes from /proc too. Traffic goes to
127.0.0.1 only; everything is removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from feed_load import free_port, stop_server, write_doc
from machine import machine  # bench/: this script's own folder is on the path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MB = 1_000_000
SAMPLE_SECONDS = 0.05
EMAIL = "bench-files@example.com"
# What the docs print in place of the bearer secret.
SHOWN_INSTEAD = "$TOKEN"


# --- the server's memory and CPU, from /proc ---------------------------------------------


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn with one worker has none)."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split()
            waiting.extend(int(child) for child in children)
    return found


def rss_bytes(pid: int) -> int:
    total = 0
    for member in process_tree(pid):
        fields = Path(f"/proc/{member}/statm").read_text().split()
        total += int(fields[1]) * PAGE_SIZE
    return total


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class RssSampler:
    """Reads the server's RSS every 50 ms in a thread while the block runs."""

    def __init__(self, pid: int):
        self.pid = pid
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(rss_bytes(self.pid))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_bytes(self.pid))

    @property
    def peak(self) -> int:
        return max(self.samples)


# --- transfers ---------------------------------------------------------------------------


@dataclass
class Transfer:
    """One timed transfer: its command as the docs show it, seconds, bytes."""

    name: str
    command: str
    seconds: float
    size: int
    peak_rss: int = 0
    server_cpu: float = 0.0

    @property
    def mb_per_s(self) -> float:
        return self.size / self.seconds / MB


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {shlex.join(command)}\n{done.stderr}")
    return seconds, done.stdout


def shown(command: list[str], token: str) -> str:
    return shlex.join(command).replace(token, SHOWN_INSTEAD)


def curl(*args: str) -> list[str]:
    """curl, silent but for errors, printing the status and the time it measured."""
    return ["curl", "-sS", "-w", "%{http_code} %{time_total}", *args]


def curl_answer(output: str, expected: int) -> float:
    status, seconds = output.split()[-2:]
    if int(status) != expected:
        raise SystemExit(f"curl got {status}, expected {expected}")
    return float(seconds)


@dataclass
class Round:
    transfers: dict[str, Transfer] = field(default_factory=dict)


def one_round(work: Path, server: Server, static_port: int, token: str, number: int) -> Round:
    source = work / "source" / "large.pdf"
    with source.open("r+b") as out:  # new bytes each round: no upload is a duplicate
        out.seek(9)
        out.write(os.urandom(32))
    size = source.stat().st_size
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    found = Round()
    auth = ["-H", f"Authorization: Bearer {token}"]

    copy = work / "copy.pdf"
    command = ["cp", str(source), str(copy)]
    seconds, _ = timed(command)
    found.transfers["cp"] = Transfer("cp", shlex.join(command), seconds, size)
    copy.unlink()
    command = ["sh", "-c", f"cp {source} {copy} && sync {copy}"]
    seconds, _ = timed(command)
    found.transfers["cp+sync"] = Transfer("cp then sync", command[2], seconds, size)
    copy.unlink()

    answer = work / "answer.json"
    command = curl(
        "-o",
        str(answer),
        *auth,
        "-F",
        f"file=@{source};type=application/pdf",
        f"{server.base_url}/api/v1/files",
    )
    before = cpu_seconds(server.pid)
    with RssSampler(server.pid) as rss:
        _wall, output = timed(command)
    seconds = curl_answer(output, 201)
    file = httpx.Response(200, content=answer.read_bytes()).json()
    found.transfers["upload"] = Transfer(
        "upload", shown(command, token), seconds, size, rss.peak, cpu_seconds(server.pid) - before
    )

    got = work / "got.pdf"
    url = f"{server.base_url}/api/v1/files/{file['id']}/content"
    command = curl("-o", str(got), *auth, url)
    before = cpu_seconds(server.pid)
    with RssSampler(server.pid) as rss:
        _wall, output = timed(command)
    seconds = curl_answer(output, 200)
    found.transfers["download"] = Transfer(
        "download", shown(command, token), seconds, size, rss.peak, cpu_seconds(server.pid) - before
    )
    if hashlib.sha256(got.read_bytes()).hexdigest() != sha:
        raise SystemExit("the downloaded file differs from the uploaded one")
    got.unlink()

    command = curl("-o", str(got), f"http://127.0.0.1:{static_port}/large.pdf")
    _wall, output = timed(command)
    found.transfers["static"] = Transfer(
        "static download", shlex.join(command), curl_answer(output, 200), size
    )
    got.unlink()

    tail = size - 100
    command = curl("-o", str(got), "-r", f"{tail}-", *auth, url)
    _wall, output = timed(command)
    curl_answer(output, 206)
    if got.read_bytes() != source.read_bytes()[tail:]:
        raise SystemExit("the range answered other bytes")
    got.unlink()
    print(
        f"round {number}: "
        + ", ".join(f"{t.name} {t.mb_per_s:.0f} MB/s" for t in found.transfers.values()),
        flush=True,
    )
    return found


# --- the servers -------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str

    @property
    def pid(self) -> int:
        return self.process.pid


def ruche_env(work: Path, size_mb: int) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("RUCHE_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT),  # the code beside this script, not the installed one
            "RUCHE_VAR_DIR": str(work / "var"),
            "RUCHE_JOBS_INTERVAL_SECONDS": "0",
            "RUCHE_MAX_UPLOAD_MB": str(size_mb * 2),
            "RUCHE_PERSON_QUOTA_MB": str(size_mb * 100),
        }
    )
    return env


def start_ruche(work: Path, env: dict[str, str]) -> tuple[Server, str]:
    ruche = str(VENV_BIN / "ruche")
    password = secrets.token_urlsafe(16)
    subprocess.run(
        [ruche, "create-admin", "--email", EMAIL],
        input=password + "\n",
        env=env,
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    )
    port = free_port()
    command = [ruche, "serve", "--port", str(port), "--log-level", "warning"]
    print("server:", shlex.join(command), flush=True)
    log = (work / "serve.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"ruche serve stopped:\n{(work / 'serve.log').read_text()}")
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    else:
        raise SystemExit("ruche serve did not become ready")
    with httpx.Client(base_url=server.base_url, trust_env=False) as client:
        signed_in = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": password})
        signed_in.raise_for_status()
        created = client.post(
            "/api/v1/me/tokens",
            json={"name": "bench"},
            headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
        )
        created.raise_for_status()
    return server, created.json()["token"]


# --- the report --------------------------------------------------------------------------


def median_of(rounds: list[Round], name: str) -> Transfer:
    transfers = sorted((r.transfers[name] for r in rounds), key=lambda t: t.seconds)
    return transfers[len(transfers) // 2]


def report(args, rounds: list[Round], idle: int, version: str) -> str:
    about = machine()
    size = rounds[0].transfers["upload"].size
    lines = [
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, code {version}, {about['nproc']} cores "
        f"({about['cpu']}), {about['memory']}, Python {about['python']}, "
        f"kernel {about['kernel']}; SQLite; a {size / MB:.0f} MB file, "
        f"median of {len(rounds)} rounds; load average before: {args.load_before}.",
        "",
        "| transfer | seconds | MB/s | best round MB/s | server CPU s | server peak RSS "
        "| above idle |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("upload", "cp", "cp+sync", "download", "static"):
        transfer = median_of(rounds, name)
        best = max(r.transfers[name].mb_per_s for r in rounds)
        peak = max(r.transfers[name].peak_rss for r in rounds)
        served = name in ("upload", "download")
        lines.append(
            f"| {transfer.name} | {transfer.seconds:.2f} | {transfer.mb_per_s:.0f} | {best:.0f} | "
            + (f"{transfer.server_cpu:.2f} | " if served else "– | ")
            + (f"{peak / MB:.1f} MB | {(peak - idle) / MB:+.1f} MB |" if served else "– | – |")
        )
    lines += [
        "",
        f"Server RSS idle (after start, before the first round): {idle / MB:.1f} MB. "
        "A range of the last 100 bytes answered 206 with those bytes.",
        "",
        "Commands (one round):",
        "",
        *(f"    {median_of(rounds, name).command}" for name in ("upload", "download", "static")),
        "",
        f"    python bench/files_throughput.py --size-mb {args.size_mb} --rounds {args.rounds}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--doc", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    args.load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    version = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()

    with tempfile.TemporaryDirectory(prefix="ruche-files-bench-") as name:
        work = Path(name)
        (work / "source").mkdir()
        with (work / "source" / "large.pdf").open("wb") as out:
            out.write(b"%PDF-1.7\n")
            for _ in range(args.size_mb):
                out.write(os.urandom(MB))
        static_port = free_port()
        static = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(static_port)],
            cwd=work / "source",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server, token = start_ruche(work, ruche_env(work, args.size_mb))
        try:
            time.sleep(1)
            with RssSampler(server.pid) as idle_rss:
                time.sleep(2)
            idle = max(idle_rss.samples)
            rounds = [
                one_round(work, server, static_port, token, number)
                for number in range(1, args.rounds + 1)
            ]
        finally:
            stop_server(server.process)
            stop_server(static)
    body = report(args, rounds, idle, version)
    print(body)
    if not args.no_doc:
        write_doc(Path(args.doc), "files", "Raw run (written by bench/files_throughput.py)", body)


if __name__ == "__main__":
    main()
