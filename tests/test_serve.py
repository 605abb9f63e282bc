"""What a newcomer does first: ``ruche serve`` in an empty directory, with no
configuration at all, then ``ruche create-admin`` and a sign-in."""

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import RucheServer, ruche_env, run_ruche

ADMIN_PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory) -> Iterator[RucheServer]:
    """``ruche serve`` in an empty directory, with no RUCHE_* variable set."""
    workdir: Path = tmp_path_factory.mktemp("newcomer")
    server = RucheServer(workdir, env=ruche_env())
    server.start()
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_serve_creates_its_sqlite_database_under_var(newcomer):
    response = httpx.get(f"{newcomer.base_url}/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert (newcomer.workdir / "var" / "ruche.db").is_file()


def test_serve_creates_a_secret_key_only_its_owner_can_read(newcomer):
    key_file = newcomer.workdir / "var" / "secret_key"

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 32


def test_create_admin_reads_the_password_from_stdin_and_can_sign_in(newcomer):
    env = ruche_env()
    created = run_ruche(
        "create-admin",
        "--email",
        "x@example.test",
        cwd=newcomer.workdir,
        env=env,
        stdin=f"{ADMIN_PASSWORD}\n",
    )
    assert created.returncode == 0, created.stderr
    assert "x@example.test" in created.stdout

    with httpx.Client(base_url=newcomer.base_url) as client:
        signed_in = client.post(
            "/api/v1/auth/login", json={"email": "x@example.test", "password": ADMIN_PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["user"]["role"] == "admin"
        me = client.get("/api/v1/me")
        assert me.status_code == 200
        assert me.json()["email"] == "x@example.test"
    wrong = httpx.post(
        f"{newcomer.base_url}/api/v1/auth/login",
        json={"email": "x@example.test", "password": "not it at all"},
    )
    assert wrong.status_code == 401

    again = run_ruche(
        "create-admin",
        "--email",
        "x@example.test",
        cwd=newcomer.workdir,
        env=env,
        stdin=f"{ADMIN_PASSWORD}\n",
    )
    assert again.returncode == 1
    # Said in the default language (French): "Un compte existe déjà avec cette adresse e-mail."
    assert again.stderr.startswith("error: ")
    assert "e-mail" in again.stderr


def test_create_admin_refuses_a_short_password(newcomer):
    refused = run_ruche(
        "create-admin",
        "--email",
        "short@example.test",
        cwd=newcomer.workdir,
        env=ruche_env(),
        stdin="short\n",
    )

    assert refused.returncode == 1
    assert refused.stderr.startswith("error: ")
    assert "10" in refused.stderr
    signed_in = httpx.post(
        f"{newcomer.base_url}/api/v1/auth/login",
        json={"email": "short@example.test", "password": "short"},
    )
    assert signed_in.status_code == 401


def test_serve_says_where_it_listens_and_warns_that_the_public_url_is_elsewhere(newcomer):
    output = newcomer.output()

    assert f"Ruche listens on {newcomer.base_url}" in output
    # Not the default port: the default public URL, http://localhost:8000, is elsewhere.
    assert "RUCHE_PUBLIC_URL is http://localhost:8000, not the address Ruche listens on" in output
