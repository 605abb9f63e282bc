"""Autobahn|Testsuite's fuzzing client, all its cases, against a plain ASGI echo
app served the way `ruche serve` serves /ws (uvicorn with app.cli.WEBSOCKET_OPTIONS:
Ruche's glue around the `websockets` sans-I/O protocol).

    python bench/autobahn.py                      # the production cap, then 16 MiB
    python bench/autobahn.py --max-size 65536     # one cap
    python bench/autobahn.py --compression        # with permessage-deflate on

Autobahn|Testsuite (PyPI ``autobahntestsuite``) runs on Python 2 only: the script
makes, once, a virtualenv (``virtualenv<20.22``, the last that makes Python 2
ones) with the pins of the package's own egg-info/requires.txt, under --venv.
Python 2.7 is found with --python2 (default: pyenv's 2.7.18).

Without compression, the permessage-deflate cases (12.* and 13.*) are left out:
the server does not negotiate it, and they would only say so. Every other case
runs. Under a cap smaller than a case's message (the production cap is 64 KiB;
cases 9.1.2 to 9.6.6 send 256 KiB to 16 MiB), the server must refuse with 1009
and Autobahn, which expects an echo, reports FAILED: such a case counts as
"refused over the cap" here, and only when the server's close code was 1009.

The summary of each run goes to docs/autobahn/<agent>.json (counts, and every case
that was not plainly OK with what Autobahn said of it); Autobahn's full reports to
--reports. Exit status 1 if a case failed otherwise, or more than 8 were NON-STRICT.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = "autobahntestsuite==25.10.1"
PRODUCTION_CAP = 64 * 1024
MAX_NON_STRICT = 8
# The message each case of 9.1-9.6 sends (Autobahn's case9_*.py).
SIZES = [64 * 2**10, 256 * 2**10, 2**20, 4 * 2**20, 8 * 2**20, 16 * 2**20]


def case_message_size(case: str) -> int | None:
    """The size of the message a case of section 9 sends, else None."""
    parts = [int(part) for part in case.split(".")]
    if parts[0] != 9 or len(parts) != 3:
        return None
    minor, number = parts[1:]
    if minor in (1, 2):
        return SIZES[number - 1]
    if minor in (3, 4):
        return 4 * 2**20
    if minor in (5, 6):
        return 2**20
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_venv(venv: Path, python2: str) -> Path:
    """wstest in a Python 2 virtualenv, made once."""
    wstest = venv / "bin" / "wstest"
    if wstest.exists():
        return wstest
    work = Path(tempfile.mkdtemp(prefix="ruche-autobahn-"))
    tool = work / "tool"
    subprocess.run([sys.executable, "-m", "venv", str(tool)], check=True)
    subprocess.run([tool / "bin" / "pip", "install", "-q", "virtualenv<20.22"], check=True)
    subprocess.run([tool / "bin" / "virtualenv", "-q", "-p", python2, str(venv)], check=True)
    subprocess.run(
        [
            tool / "bin" / "pip",
            "download",
            "-q",
            "--no-deps",
            "--no-binary",
            ":all:",
            SUITE,
            "-d",
            work,
        ],
        check=True,
    )
    (sdist,) = work.glob("autobahntestsuite-*.tar.gz")
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("egg-info/requires.txt"))
        pins = archive.extractfile(member).read().decode().split()
    pip = venv / "bin" / "pip"
    subprocess.run([pip, "install", "-q", *pins], check=True)
    subprocess.run([pip, "install", "-q", "--no-deps", str(sdist)], check=True)
    shutil.rmtree(work)
    return wstest


async def echo(scope, receive, send):
    """Accepts and sends every message back."""
    if scope["type"] != "websocket":
        return
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send(
            {"type": "websocket.send", "bytes": message.get("bytes"), "text": message.get("text")}
        )


def serve(port: int, max_size: int, compression: bool) -> None:
    import uvicorn

    from app.cli import WEBSOCKET_OPTIONS

    options = {**WEBSOCKET_OPTIONS, "ws_max_size": max_size, "ws_per_message_deflate": compression}
    uvicorn.run(
        echo, host="127.0.0.1", port=port, interface="asgi3", log_level="warning", **options
    )


def run(wstest: Path, max_size: int, compression: bool, reports: Path) -> dict:
    agent = f"ruche-{max_size // 1024}KiB" + ("-deflate" if compression else "")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--max-size", str(max_size)]
        + (["--compression"] if compression else []),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        spec = {
            "outdir": str(reports / agent),
            "servers": [{"agent": agent, "url": f"ws://127.0.0.1:{port}"}],
            "cases": ["*"],
            "exclude-cases": [] if compression else ["12.*", "13.*"],
            "exclude-agent-cases": {},
        }
        with tempfile.TemporaryDirectory() as work:
            spec_file = Path(work) / "spec.json"
            spec_file.write_text(json.dumps(spec))
            started = time.monotonic()
            subprocess.run(
                [wstest, "-m", "fuzzingclient", "-s", str(spec_file)],
                cwd=work,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            duration = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)
    results = json.loads((reports / agent / "index.json").read_text())[agent]
    return summarize(agent, results, max_size, compression, duration)


def summarize(agent: str, results: dict, max_size: int, compression: bool, duration: float):
    counts: dict[str, int] = {}
    notable = {}
    for case, result in sorted(results.items(), key=lambda item: _case_key(item[0])):
        behavior = result["behavior"]
        size = case_message_size(case)
        over_the_cap = size is not None and size > max_size
        if behavior == "FAILED" and over_the_cap and result.get("remoteCloseCode") == 1009:
            behavior = "REFUSED OVER THE CAP (1009)"
        counts[behavior] = counts.get(behavior, 0) + 1
        if behavior not in ("OK", "INFORMATIONAL") or result["behaviorClose"] != "OK":
            notable[case] = {
                "behavior": result["behavior"],
                "behaviorClose": result["behaviorClose"],
                "remoteCloseCode": result.get("remoteCloseCode"),
                "counted as": behavior,
            }
    return {
        "agent": agent,
        "suite": SUITE,
        "server": "uvicorn with app.cli.WEBSOCKET_OPTIONS, a plain ASGI echo app",
        "ws_max_size": max_size,
        "compression": compression,
        "excluded": [] if compression else ["12.*", "13.*"],
        "cases": len(results),
        "counts": counts,
        "seconds": round(duration),
        "not plainly OK": notable,
    }


def _case_key(case: str) -> tuple[int, ...]:
    return tuple(int(part) for part in case.split("."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-size", type=int, action="append", help="ws_max_size (repeatable)")
    parser.add_argument("--compression", action="store_true", help="permessage-deflate on")
    parser.add_argument("--venv", type=Path, default=Path.home() / ".cache/ruche-autobahn")
    parser.add_argument("--python2", default="/root/.pyenv/versions/2.7.18/bin/python")
    parser.add_argument("--reports", type=Path, default=ROOT / "var" / "autobahn")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "autobahn")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = args.max_size or [PRODUCTION_CAP, 16 * 2**20]
    if args.serve:
        return serve(args.serve, sizes[0], args.compression)
    wstest = ensure_venv(args.venv, args.python2)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = False
    for max_size in sizes:
        summary = run(wstest, max_size, args.compression, args.reports)
        (args.out / f"{summary['agent']}.json").write_text(json.dumps(summary, indent=1) + "\n")
        counts = summary["counts"]
        print(f"{summary['agent']}: {json.dumps(counts)} in {summary['seconds']} s")
        if counts.get("FAILED") or counts.get("NON-STRICT", 0) > MAX_NON_STRICT:
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
