"""The ``ruche`` command: serve, migrate, reindex, jobs, directory-sync, create-admin, demo."""

import argparse
import asyncio
import getpass
import re
import sys

from app.config import Settings, origin_of
from app.db import Database

# How uvicorn holds /ws (bench/live_fanout.py's bare ASGI floor uses the same): with
# Ruche's glue around the `websockets` sans-I/O protocol, a few KiB an idle socket
# where uvicorn's own take 18 to 27 (app/realtime/websocket_protocol.py says why),
# and no per-message deflate unless RUCHE_WS_COMPRESSION (its zlib state would cost
# every socket tens of KiB to shrink messages of a few hundred bytes). A client's
# messages (sign-in, subscriptions) are small: 64 KiB bounds what one socket can
# make the server hold.
WEBSOCKET_OPTIONS = {
    "ws": "app.realtime.websocket_protocol:WebSocketProtocol",
    "ws_max_size": 64 * 1024,
    "ws_per_message_deflate": False,
}


def _migrate(settings: Settings) -> None:
    from app.migrate import upgrade

    async def run():
        database = Database(settings)
        try:
            await upgrade(database.engine)
        finally:
            await database.dispose()

    asyncio.run(run())


def _reindex(settings: Settings, *, only_if_empty: bool) -> int | None:
    """Rebuilds the search index (``only_if_empty``: only when it is empty and
    there is content, as after the upgrade that added search). Returns the
    number of entries written, None when nothing was done."""
    from app.search.indexing import needs_rebuild, rebuild

    def run_sync(connection):
        if only_if_empty and not needs_rebuild(connection):
            return None
        return rebuild(connection)

    async def run():
        database = Database(settings)
        try:
            async with database.engine.begin() as connection:
                return await connection.run_sync(run_sync)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _seed_demo(settings: Settings) -> None:
    from app.demo import DEMO_PASSWORD, seed_demo

    async def run():
        database = Database(settings)
        try:
            async with database.transaction() as session:
                return await seed_demo(session, settings)
        finally:
            await database.dispose()

    people = asyncio.run(run())
    print(f"Demo company ready. Sign in with any of these accounts, password '{DEMO_PASSWORD}':")
    for person in people:
        print(f"  {person.email:<40} {person.kind.value:<11} {person.role.value}")


# Names of this machine that reach what listens on 127.0.0.1: one address to a person.
LOOPBACK = re.compile(r"://(localhost|127\.0\.0\.1|\[::1\])(?=:|$)")


def listening_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def public_url_warning(settings: Settings, listening: str) -> str | None:
    """Said at start when RUCHE_PUBLIC_URL is not where the server listens: right
    behind a reverse proxy, a surprise otherwise (invitation links point there)."""
    public, here = (
        LOOPBACK.sub("://localhost", origin_of(url)) for url in (settings.public_url, listening)
    )
    if public == here:
        return None
    return (
        f"Warning: RUCHE_PUBLIC_URL is {settings.public_url}, not the address Ruche listens on "
        f"({listening}). Right behind a reverse proxy; otherwise set RUCHE_PUBLIC_URL to the "
        "address people type: invitation links use it. The live feed accepts pages from both."
    )


def served_app(settings: Settings | None = None):
    """What uvicorn runs: the app inside LiveSocketRoute, which takes /ws before
    FastAPI's stack, so that an idle socket holds none of its frames."""
    from app.api.live import LiveSocketRoute
    from app.main import create_app

    return LiveSocketRoute(create_app(settings))


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from app.mail.smtp import describe_mail_setup

    _migrate(settings)
    if args.demo:
        _seed_demo(settings)
    indexed = _reindex(settings, only_if_empty=True)
    if indexed is not None:
        print(f"Search index built: {indexed} entries.", flush=True)
    # Made (or read) now, once: left to the first sign-in, each worker process
    # could generate its own key, and a cookie signed by one fail on another.
    _ = settings.resolved_secret_key
    listening = listening_url(args.host, args.port)
    print(f"Ruche listens on {listening}", flush=True)
    print(describe_mail_setup(settings).capitalize() + ".", flush=True)
    warning = public_url_warning(settings, listening)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    uvicorn.run(
        "app.cli:served_app",
        factory=True,
        # Said, not guessed: LiveSocketRoute.__call__ returns the coroutine to await
        # rather than being one, which uvicorn's guess would take for ASGI 2.
        interface="asgi3",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_level=args.log_level,
        **{**WEBSOCKET_OPTIONS, "ws_per_message_deflate": settings.ws_compression},
    )


def migrate(args: argparse.Namespace, settings: Settings) -> None:
    _migrate(settings)
    print("Database schema is up to date.")


def reindex(args: argparse.Namespace, settings: Settings) -> None:
    _migrate(settings)
    print(f"Search index rebuilt: {_reindex(settings, only_if_empty=False)} entries.")


def demo(args: argparse.Namespace, settings: Settings) -> None:
    _migrate(settings)
    _seed_demo(settings)


def jobs(args: argparse.Namespace, settings: Settings) -> None:
    from app.jobs import run_jobs_once

    print(asyncio.run(run_jobs_once(settings)))


def directory_sync(args: argparse.Namespace, settings: Settings) -> None:
    from app.services.directory.runs import run_sync

    if not settings.ldap_url:
        sys.exit("error: no directory configured (RUCHE_LDAP_URL, docs/directory.md)")

    async def run():
        database = Database(settings)
        try:
            async with database.transaction() as session:
                return await run_sync(session, settings=settings, dry_run=args.dry_run)
        finally:
            await database.dispose()

    _migrate(settings)
    run = asyncio.run(run())
    if run.error:
        sys.exit(f"error: {run.error}")
    print(describe_run(run))


def describe_run(run) -> str:
    """One line per change, then the counts: what an operator reads (in English,
    as the rest of the command's output)."""
    lines = [f"{'Would change' if run.dry_run else 'Changed'}: {len(run.changes)}"]
    for change in run.changes:
        detail = {key: change[key] for key in ("before", "after", "space", "note") if key in change}
        lines.append(f"  {change['action']:<10} {change['person']} {detail or ''}".rstrip())
    lines.append(", ".join(f"{key}: {value}" for key, value in sorted(run.summary.items())))
    return "\n".join(lines)


def create_admin(args: argparse.Namespace, settings: Settings) -> None:
    from app.levels import Role
    from app.services.accounts import create_account

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            sys.exit("The two passwords differ.")
    else:
        password = sys.stdin.readline().rstrip("\n")

    async def run():
        database = Database(settings)
        try:
            async with database.transaction() as session:
                await create_account(
                    session,
                    email=args.email,
                    display_name=args.name,
                    password=password,
                    role=Role.ADMIN,
                )
        finally:
            await database.dispose()

    _migrate(settings)
    from app.errors import AppError

    try:
        asyncio.run(run())
    except AppError as error:
        sys.exit(f"error: {error.message}")
    print(f"Administrator {args.email} created.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ruche", description="Ruche enterprise social network")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="upgrade the database, then serve")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=1)
    serve_parser.add_argument("--demo", action="store_true", help="seed the demo company first")
    serve_parser.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1,::1",
        help="reverse proxies trusted for X-Forwarded-* headers",
    )
    serve_parser.add_argument("--log-level", default="info")
    serve_parser.set_defaults(handler=serve)

    commands.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        handler=migrate
    )
    commands.add_parser("demo", help="seed the demo company (idempotent)").set_defaults(
        handler=demo
    )

    commands.add_parser(
        "reindex", help="rebuild the search index from the content (after a bulk load)"
    ).set_defaults(handler=reindex)

    commands.add_parser(
        "jobs",
        help="run the due time-driven jobs once (contractors' access end, unused files), for cron",
    ).set_defaults(handler=jobs)

    sync_parser = commands.add_parser(
        "directory-sync", help="sync people and groups from the LDAP directory now"
    )
    sync_parser.add_argument(
        "--dry-run", action="store_true", help="show what would change, change nothing"
    )
    sync_parser.set_defaults(handler=directory_sync)

    admin_parser = commands.add_parser("create-admin", help="create an administrator account")
    admin_parser.add_argument("--email", required=True)
    admin_parser.add_argument("--name", default="Administrateur")
    admin_parser.set_defaults(handler=create_admin)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.handler(args, Settings())
