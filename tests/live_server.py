"""A real ``ruche`` process for the tests that need one: the installed command,
its migrations, uvicorn and the app's lifespan, exactly as an operator runs them.

Used by the browser tests (``tests/e2e/conftest.py``) and by ``tests/test_serve.py``.
``InProcessServer`` serves the same app in the tests' own process, for the tests
that must reach into it (the hub) while real sockets talk to it;
``in_process_server`` gives one over a fresh database of its own.
"""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.cli import WEBSOCKET_OPTIONS, served_app
from app.config import Settings
from app.migrate import upgrade
from tests.conftest import create_fresh_database, drop_database

# The venv's console script, next to the interpreter running the tests (not
# resolved: the venv's ``python`` is a symlink to the system one).
RUCHE = Path(sys.executable).parent / "ruche"
# Seeding the demo (photos drawn, images cleaned) takes seconds more on a busy
# machine: a limit to catch a server that never comes up, not a speed target.
READY_TIMEOUT_SECONDS = 90.0


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ruche_env(**settings: str) -> dict[str, str]:
    """The test runner's environment without its ``RUCHE_*`` variables, plus
    ``settings`` (``database_url="..."`` becomes ``RUCHE_DATABASE_URL``)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("RUCHE_")}
    env.update({f"RUCHE_{name.upper()}": value for name, value in settings.items()})
    return env


def run_ruche(*args: str, cwd: Path, env: dict[str, str], stdin: str | None = None):
    """Runs one ``ruche`` command to its end and returns the completed process."""
    return subprocess.run(
        [str(RUCHE), *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


class RucheServer:
    """``ruche serve --port <free port> [extra args]`` in ``workdir``.

    Its output goes to a file, not a pipe: nobody reads a pipe while the tests
    run, and a full pipe would stall the server once it has logged enough requests.
    """

    def __init__(
        self, workdir: Path, *extra_args: str, env: dict[str, str], port: int | None = None
    ):
        self.workdir = workdir
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.args = [str(RUCHE), "serve", "--port", str(self.port), *extra_args]
        self.env = env
        self.log_path = workdir / "ruche-serve.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.args, cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Until ``GET /readyz`` answers 200: migrated, seeded and listening."""
        deadline = time.monotonic() + timeout
        last_answer = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._fail(f"`ruche serve` exited with status {self.process.returncode}")
            try:
                response = httpx.get(f"{self.base_url}/readyz", timeout=2)
            except httpx.TransportError as error:
                last_answer = repr(error)
            else:
                if response.status_code == 200:
                    return
                last_answer = f"{response.status_code} {response.text}"
            time.sleep(0.1)
        self._fail(f"/readyz not 200 after {timeout:.0f} s (last: {last_answer})")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def _fail(self, reason: str):
        self.stop()
        pytest.fail(
            f"{reason}\ncommand: {' '.join(self.args)}\n--- server output ---\n{self.output()}",
            pytrace=False,
        )


class InProcessServer:
    """``ruche serve``'s app (``served_app``) under uvicorn with its websocket
    options, in the tests' event loop, on a free port. No migration: the database
    must be at head already."""

    def __init__(self, settings: Settings):
        self.asgi = served_app(settings)
        self.app = self.asgi.app  # the FastAPI app: its state, its hub
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.asgi,
            host="127.0.0.1",
            port=self.port,
            interface="asgi3",
            log_level="warning",
            **WEBSOCKET_OPTIONS,
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task | None = None

    async def start(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        self.task = asyncio.create_task(self.server.serve())
        async with asyncio.timeout(timeout):
            while not self.server.started:
                if self.task.done():
                    self.task.result()  # its error, if it failed to start
                    pytest.fail("the in-process server stopped before listening")
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


@contextlib.asynccontextmanager
async def in_process_server(workdir: Path, **settings) -> AsyncIterator[InProcessServer]:
    """An ``InProcessServer`` over a fresh database of the kind under test,
    migrated, its ``var/`` under ``workdir``, without the time-driven jobs;
    stopped and its database dropped on leaving."""
    database_url = await create_fresh_database(workdir)
    server = InProcessServer(
        Settings(
            database_url=database_url,
            var_dir=workdir / "var",
            jobs_interval_seconds=0,
            _env_file=None,
            **settings,
        )
    )
    try:
        await upgrade(server.app.state.db.engine)
        await server.start()
        yield server
    finally:
        await server.stop()
        await drop_database(database_url)
