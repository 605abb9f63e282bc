"""Runs the scim2-tester compliance checker against a real Ruche and writes its
report to docs/scim-compliance.md.

Ruche is served by uvicorn on a free port over a fresh SQLite database (or a
fresh PostgreSQL one: see ``--database-url``), with an administrator and a SCIM
client made the way an administrator makes them; the checker then talks HTTP
to /scim/v2 with the client's token, as an identity provider would.

    python tools/scim_compliance.py            # writes docs/scim-compliance.md
    python tools/scim_compliance.py --check    # writes nothing; fails on an error

tests/scim/test_compliance.py runs the same and fails on any error.
"""

import argparse
import asyncio
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import uvicorn
from scim2_tester import Status, check_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cli import served_app  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import Database, create_engine  # noqa: E402
from app.levels import AccountKind, Role  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.services.accounts import create_account  # noqa: E402
from app.services.scim.clients import create_client  # noqa: E402

REPORT = ROOT / "docs" / "scim-compliance.md"
# What the RFCs make mandatory; a check ending so fails the run.
FAILING = {Status.ERROR, Status.CRITICAL}
SERVER = re.compile(r"http://127\.0\.0\.1:\d+")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


async def _provision_client(settings: Settings) -> str:
    """An administrator and a SCIM client; returns the client's token."""
    engine = create_engine(settings.resolved_database_url)
    await upgrade(engine)
    await engine.dispose()
    database = Database(settings)
    async with database.writer() as session:
        admin = await create_account(
            session,
            email="admin@compliance.example.com",
            display_name="Administrator",
            password=None,
            role=Role.ADMIN,
        )
        _client, token = await create_client(
            session, viewer=admin, name="scim2-tester", default_kind=AccountKind.EMPLOYEE
        )
        await database.commit(session)
    await database.dispose()
    return token


def _check(base_url: str, token: str) -> list:
    from httpx2 import Client
    from scim2_client.engines.httpx2 import SyncSCIMClient

    with Client(
        base_url=f"{base_url}/scim/v2", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        return check_server(SyncSCIMClient(http))


async def run_checker(workdir: Path, database_url: str | None = None) -> list:
    """Serves Ruche from ``workdir`` on a free port and returns the checker's results."""
    config = uvicorn.Config(None, host="127.0.0.1", port=0, interface="asgi3", log_level="warning")
    server = uvicorn.Server(config)
    sockets = [config.bind_socket()]
    port = sockets[0].getsockname()[1]
    settings = Settings(
        database_url=database_url or f"sqlite+aiosqlite:///{workdir / 'ruche.db'}",
        var_dir=workdir / "var",
        public_url=f"http://127.0.0.1:{port}",
        jobs_interval_seconds=0,
        secret_key="scim-compliance-run",  # noqa: S106 (a throwaway server's)
        _env_file=None,
    )
    token = await _provision_client(settings)
    config.app = served_app(settings)
    serving = asyncio.create_task(server.serve(sockets=sockets))
    try:
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.05)
        return await asyncio.to_thread(_check, f"http://127.0.0.1:{port}", token)
    finally:
        server.should_exit = True
        await serving


def failures(results: list) -> list:
    return [result for result in results if result.status in FAILING]


def report(results: list) -> str:
    import scim2_tester

    version = getattr(scim2_tester, "__version__", None) or _version("scim2-tester")
    counts = Counter(result.status.name for result in results)
    lines = [
        "# SCIM compliance report",
        "",
        f"The [scim2-tester](https://pypi.org/project/scim2-tester/) checker ({version}) run"
        " against Ruche's `/scim/v2` served by uvicorn, with a SCIM client's token."
        " Regenerate with `python tools/scim_compliance.py`; `tests/scim/test_compliance.py`"
        " runs the same check and fails on any `ERROR` or `CRITICAL`.",
        "",
        "Totals: " + ", ".join(f"{name} {count}" for name, count in sorted(counts.items())),
        "",
        "| status | check | resource | reason |",
        "| --- | --- | --- | --- |",
    ]
    for result in results:
        reason = " ".join(str(result.reason or "").split()).replace("|", "\\|")
        # What changes from run to run (the port, generated values) would make
        # every regeneration a diff.
        reason = UUID.sub("<uuid>", SERVER.sub("<server>", reason))
        if len(reason) > 160:
            reason = reason[:157] + "..."
        resource = result.resource_type or ""
        lines.append(f"| {result.status.name} | {result.title} | {resource} | {reason} |")
    return "\n".join(lines) + "\n"


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail on an error")
    parser.add_argument("--database-url", help="an empty database to run on (default: SQLite)")
    parser.add_argument("--output", type=Path, default=REPORT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        results = asyncio.run(run_checker(Path(workdir), args.database_url))
    failed = failures(results)
    for result in failed:
        print(f"{result.status.name} {result.title}: {result.reason}", file=sys.stderr)
    if not args.check:
        args.output.write_text(report(results))
        print(f"{len(results)} checks, {len(failed)} failed; report in {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
