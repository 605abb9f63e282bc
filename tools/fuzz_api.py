"""Schemathesis against a running Ruche: every operation of the OpenAPI document,
as an administrator and as a contractor, stateful phase included; a CI check.

    python tools/fuzz_api.py                                  # SQLite in a temp dir
    python tools/fuzz_api.py --database-url postgresql+asyncpg://.../ruche_fuzz
    python tools/fuzz_api.py --seed 1234                      # replay a run
    python tools/fuzz_api.py --roles admin -- --include-path-regex wiki

A fresh database (a SQLite file in a temporary directory, or the empty
PostgreSQL database given) gets Ruche's migrations and the demo company (people,
spaces, posts, comments, polls, wiki pages: ids that exist); its administrator
and a contractor (charter accepted, access ending in 180 days) are made members
of two shared spaces and get a personal access token each (read write admin;
read write). Then ``ruche serve`` on a free port, and ``schemathesis run`` once
per role, the contractor first: the administrator's run may deactivate them.

The run fails on any 5xx, any status the document does not declare, any
response that does not match its schema, any schema-violating request accepted,
and any schema-valid request refused for a rule the schema could state
(tools/schemathesis.toml and tools/schemathesis_hooks.py say which refusals are
legitimate, and why). The server's tracebacks are printed at the end; the
reports, the database and the server's log stay in the printed directory.

Schemathesis runs from its own virtualenv (--venv, made once with the pinned
version): it brings a pytest plugin, and pins on hypothesis and pytest, that do
not belong in Ruche's test environment. The seed is random unless given, and
printed, so that CI explores a little further each run and a finding replays.
"""

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = "schemathesis==4.32.5"
CONFIG = ROOT / "tools" / "schemathesis.toml"
HOOKS = ROOT / "tools" / "schemathesis_hooks.py"
# The venv's console script, next to the interpreter running this script.
RUCHE = Path(sys.executable).parent / "ruche"
ADMIN_EMAIL = "admin@ruche.example"
CONTRACTOR_EMAIL = "marc.lambert@prestataire.example"
# Demo spaces that let externals in, both accounts made members: each run then
# reaches posts, comments, polls and wiki pages it may read and write.
SHARED_SPACES = ("projet-atlas", "communaute-anciens")
# The roles in the order they run, with the scopes of their token.
ROLES = {"contractor": ("read", "write"), "admin": ("read", "write", "admin")}
# High enough that the fuzzer's sign-in attempts (random e-mails, all failing, all
# from 127.0.0.1) never lock the address out: every later sign-in would answer 429
# whatever its body, and hide what the route does with it. Set in this run's
# environment only; production keeps app/config.py's defaults.
SIGN_IN_LIMITS = {
    "sign_in_max_failures_per_account_and_address": "1000000",
    "sign_in_max_failures_per_account": "1000000",
    "sign_in_max_failures_per_address": "1000000",
}
# The first line of an error and its traceback in the server's output: the app's
# 500 handler (app/api/errors.py), naming the request, or another of uvicorn's
# errors. uvicorn's "Exception in ASGI application" repeats the handler's (the
# handler answers, then Starlette raises again for the server to log).
SERVER_ERROR = re.compile(r"^(unexpected error on |ERROR:(?!\s+Exception in ASGI application))")
LOG_LINE = re.compile(r"^(unexpected error on |ERROR:|WARNING:|INFO:)")


def ensure_venv(venv: Path) -> Path:
    """The schemathesis command in its own virtualenv, made once."""
    command = venv / "bin" / "schemathesis"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "-q", SCHEMATHESIS], check=True)
    return command


async def prepare(database_url: str, var_dir: Path) -> dict[str, tuple[int, str]]:
    """Migrates and seeds the database; returns each role's token (id, secret)."""
    from sqlalchemy import select

    from app.config import Settings
    from app.db import Database
    from app.demo import seed_demo
    from app.migrate import upgrade
    from app.models import Membership, Space, SpaceRole, User
    from app.models.base import utcnow
    from app.services.sessions import create_token

    settings = Settings(database_url=database_url, var_dir=var_dir)
    database = Database(settings)
    try:
        await upgrade(database.engine)
        async with database.transaction() as session:
            await seed_demo(session, settings)
            people = {
                user.email: user
                for user in await session.scalars(
                    select(User).where(User.email.in_([ADMIN_EMAIL, CONTRACTOR_EMAIL]))
                )
            }
            admin, contractor = people[ADMIN_EMAIL], people[CONTRACTOR_EMAIL]
            # What the contractor's run relies on, seeded by the demo: said here so
            # that a change of the demo fails loudly rather than fuzzing a locked door.
            if contractor.charter_accepted_at is None or not (
                contractor.access_ends_at and contractor.access_ends_at > utcnow()
            ):
                sys.exit("the demo's contractor must have accepted the charter and be active")
            for space in await session.scalars(select(Space).where(Space.slug.in_(SHARED_SPACES))):
                members = set(
                    await session.scalars(
                        select(Membership.user_id).where(Membership.space_id == space.id)
                    )
                )
                session.add_all(
                    Membership(space_id=space.id, user_id=user.id, role=SpaceRole.MEMBER)
                    for user in (admin, contractor)
                    if user.id not in members
                )
            tokens = {}
            for role, user in (("contractor", contractor), ("admin", admin)):
                token, secret = await create_token(
                    session,
                    viewer=user,
                    name=f"fuzz {role}",
                    scopes=list(ROLES[role]),
                    expires_at=None,
                    settings=settings,
                )
                tokens[role] = (token.id, secret)
        return tokens
    finally:
        await database.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(workdir: Path, database_url: str, log_path: Path):
    """``ruche serve`` as an operator runs it, once /readyz answers 200."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("RUCHE_")}
    settings = {
        "database_url": database_url,
        "var_dir": str(workdir / "var"),
        "public_url": base_url,
        **SIGN_IN_LIMITS,
    }
    env.update({f"RUCHE_{name.upper()}": value for name, value in settings.items()})
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(RUCHE), "serve", "--port", str(port), "--log-level", "warning"],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"`ruche serve` exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return server, base_url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    sys.exit(f"`ruche serve` not ready after 60 s:\n{log_path.read_text()}")


def fuzz(schemathesis: Path, base_url: str, role: str, token: tuple[int, str], args, workdir):
    """One Schemathesis run as ``role``; True if it found nothing."""
    from app.schemas.common import MAX_ID

    token_id, secret = token
    command = [
        str(schemathesis),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/openapi.json",
        "--header",
        f"Authorization: Bearer {secret}",
        "--checks",
        "all",
        "--phases",
        args.phases,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        # One worker: Schemathesis's threads make CPython 3.11.7's ast.parse fail
        # now and then ("AST constructor recursion depth mismatch", CPython issue
        # 106905), and two cost as much time here as one, the server being the
        # bottleneck on two cores.
        "--workers",
        "1",
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(workdir / "reports" / role),
        *args.schemathesis_args,
    ]
    print(f"--- Schemathesis as the {role} (seed {args.seed})", flush=True)
    started = time.monotonic()
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        "RUCHE_FUZZ_TOKEN_ID": str(token_id),
        "RUCHE_FUZZ_MISSING_ID": str(MAX_ID),
    }
    # In the temporary directory: Schemathesis keeps its example database there.
    completed = subprocess.run(command, cwd=workdir, env=env, check=False)
    print(f"--- {role}: exit status {completed.returncode} in {time.monotonic() - started:.0f} s")
    # Each 401 is a finding already; this says when they all come from a lost token.
    me = httpx.get(f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    if me.status_code != 200:
        print(f"--- {role}: the run's token stopped working ({me.status_code} {me.text})")
    return completed.returncode == 0 and me.status_code == 200


def server_errors(log: str) -> list[str]:
    """The errors in the server's output, each with its traceback."""
    blocks: list[list[str]] = []
    for line in log.splitlines():
        if LOG_LINE.match(line):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return ["\n".join(block) for block in blocks if SERVER_ERROR.match(block[0])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temporary)")
    parser.add_argument("--venv", type=Path, default=Path.home() / ".cache/ruche-schemathesis")
    parser.add_argument("--max-examples", type=int, default=10, help="per operation and phase")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--seed", type=int, default=random.randrange(2**32))
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated, in order")
    parser.add_argument("schemathesis_args", nargs="*", help="after --: for `schemathesis run`")
    args = parser.parse_args()

    schemathesis = ensure_venv(args.venv)
    workdir = Path(tempfile.mkdtemp(prefix="ruche-fuzz-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'ruche.db'}"
    tokens = asyncio.run(prepare(database_url, workdir / "var"))
    log_path = workdir / "ruche-serve.log"
    server, base_url = start_server(workdir, database_url, log_path)
    try:
        passed = [
            fuzz(schemathesis, base_url, role, tokens[role], args, workdir)
            for role in args.roles.split(",")
        ]
    finally:
        server.terminate()
        server.wait(10)
    errors = server_errors(log_path.read_text(errors="replace"))
    for error in errors:
        print(f"--- server error\n{error}")
    print(f"--- seed {args.seed}; {len(errors)} server error(s); reports and log in {workdir}")
    sys.exit(0 if all(passed) and not errors else 1)


if __name__ == "__main__":
    main()
