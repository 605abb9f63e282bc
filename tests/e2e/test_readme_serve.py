"""The README's first command as a newcomer runs it: ``ruche serve --demo`` in an
empty directory, no RUCHE_* variable set. The browser at the address it prints,
and at localhost, sees a post arrive live (issue 12: the websocket refused both
with a 403, its Origin check knowing only RUCHE_PUBLIC_URL). On the default port
when it is free (a shared machine may hold it), and always on another one,
started again in the same directory."""

import asyncio
import socket
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.test_live_flow import AUTHOR, READER, open_home, publish
from tests.live_server import RUCHE, RucheServer, free_port, ruche_env

pytestmark = pytest.mark.e2e

DEFAULT_PORT = 8000


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def newcomer_server(workdir: Path, port: int) -> RucheServer:
    server = RucheServer(workdir, "--demo", env=ruche_env(), port=port)
    if port == DEFAULT_PORT:
        server.args = [str(RUCHE), "serve", "--demo"]  # as the README writes it
    return server


async def test_the_readme_command_serves_live_updates_at_127_0_0_1_and_localhost(
    browser: Browser, tmp_path: Path
):
    ports = [DEFAULT_PORT] if port_is_free(DEFAULT_PORT) else []
    ports.append(free_port())
    # One directory, as a newcomer runs the command again: the second start
    # finds the demo seeded and adds nothing.
    for port in ports:
        server = newcomer_server(tmp_path, port)
        server.start()
        try:
            await asyncio.to_thread(server.wait_ready)
            printed = f"http://127.0.0.1:{port}"
            assert f"Ruche listens on {printed}" in server.output()
            # The default public URL, http://localhost:8000, is this very address
            # on the default port; on another, the operator is told.
            assert ("RUCHE_PUBLIC_URL is" in server.output()) == (port != DEFAULT_PORT)

            author = await open_home(browser, printed, AUTHOR)
            readers = [
                await open_home(browser, f"http://{host}:{port}", READER)
                for host in ("127.0.0.1", "localhost")
            ]
            await readers[0].wait_for_timeout(1000)  # the sockets connect and subscribe

            await publish(author, f"En direct {uuid.uuid4().hex[:6]}", "Interne")

            for reader in readers:
                bar = reader.locator("[data-new-posts]")
                await expect(bar).to_have_text("1 nouvelle publication : l'afficher")
            for page in (author, *readers):
                await page.context.close()
        finally:
            server.stop()
