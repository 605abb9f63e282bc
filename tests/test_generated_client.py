"""Integrators can work from the API document alone: a client generated from
``/api/openapi.json`` by openapi-python-client, a well-kept generator they would
pick themselves, generates without leaving anything out, compiles, and does the
common integration against a real server: sign in, make a token, then with the
token alone open a space, post into it, comment, and read both back from the
feed page by page.

The server is ``ruche serve``'s app on a real socket (InProcessServer) over a
fresh database of the kind under test, since its requests commit; the document
and the client are made once for the module."""

import asyncio
import contextlib
import importlib
import pkgutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from openapi_python_client.strings import snake_case

from tests.factories import PASSWORD, Factories
from tests.live_server import InProcessServer, in_process_server

# The venv's console script, next to the interpreter running the tests (as RUCHE is).
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "ruche_client"


@pytest.fixture(scope="module")
async def server(tmp_path_factory) -> AsyncIterator[InProcessServer]:
    workdir = tmp_path_factory.mktemp("generated-client-db")
    async with in_process_server(
        workdir, secret_key="generated-client-secret-key-not-for-production"
    ) as server:
        yield server


class Generation:
    """What the generator said, the document it read and the package it wrote."""

    def __init__(self, process: subprocess.CompletedProcess, document: dict, client: ModuleType):
        self.process = process
        self.document = document
        self.client = client

    def operation(self, method: str, path: str) -> ModuleType:
        """The generated module of an operation, found by its method and path (the
        generator names it after the operation's id, in a folder per tag)."""
        declared = self.document["paths"][path][method]
        tag, operation_id = (
            snake_case(name) for name in (declared["tags"][0], declared["operationId"])
        )
        return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}")


@contextlib.contextmanager
def imported_from(directory: Path) -> Iterator[ModuleType]:
    """The generated package importable while the block runs, then forgotten."""
    sys.path.insert(0, str(directory))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(directory))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
async def generation(server, tmp_path_factory) -> AsyncIterator[Generation]:
    """The document as served, then ``openapi-python-client generate`` on it, as
    docs/api.md tells integrators, without its formatting step (ruff over every
    generated file: a third of the time, and nothing that changes the code's meaning)."""
    workdir = tmp_path_factory.mktemp("generated-client")
    async with httpx.AsyncClient(base_url=server.base_url, trust_env=False) as http:
        served = await http.get("/api/openapi.json")
    assert served.status_code == 200, served.text
    document = workdir / "openapi.json"
    document.write_bytes(served.content)
    config = workdir / "generator.yaml"
    config.write_text("post_hooks: []\n")
    command = [
        str(GENERATOR),
        "generate",
        "--path",
        str(document),
        "--output-path",
        str(workdir / PACKAGE),
        "--meta",
        "none",
        "--config",
        str(config),
    ]
    process = await asyncio.to_thread(
        subprocess.run,
        command,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    with imported_from(workdir) as client:
        yield Generation(process, served.json(), client)


def test_the_generator_leaves_nothing_out(generation):
    """Its warnings name what it could not generate (an operation, a response, a
    schema) and why: each is a hole in the document an integrator would fall into."""
    said = generation.process.stderr.strip()
    if said:
        pytest.fail(f"openapi-python-client warned about the document:\n{said}", pytrace=False)


def test_every_operation_has_a_module_that_compiles_and_imports(generation):
    package_dir = Path(generation.client.__file__).parent
    modules = [
        importlib.import_module(module.name)
        for module in pkgutil.walk_packages([str(package_dir)], f"{PACKAGE}.")
    ]
    operations = {module.__name__ for module in modules if hasattr(module, "asyncio_detailed")}
    assert operations == {
        generation.operation(method, path).__name__
        for path, methods in generation.document["paths"].items()
        for method in methods
    }


async def test_a_token_posts_comments_and_reads_the_feed_through_the_generated_client(
    server, generation
):
    """What a CI job or a connector does, with nothing but the generated client:
    its typed models in, its typed models out."""
    async with server.app.state.db.writer() as session:  # see test_files_bad_input's live
        person = await Factories(session, None).user()
    # Imported by name: the package's __init__ does not import it, and the test
    # that walks every module may run in another worker.
    models = importlib.import_module(f"{PACKAGE}.models")
    operation = generation.operation

    # Sign in with a password, then make a token with the session (cookie + CSRF).
    browser = generation.client.Client(base_url=server.base_url, raise_on_unexpected_status=True)
    async with browser:
        signed_in = await operation("post", "/api/v1/auth/login").asyncio(
            client=browser, body=models.SignInRequest(email=person.email, password=PASSWORD)
        )
        assert isinstance(signed_in, models.SignedInRead)
        assert signed_in.user.id == person.id
        # Set on the httpx client itself: with_headers() would copy the client
        # without its cookie jar, hence without the session.
        browser.get_async_httpx_client().headers["X-CSRF-Token"] = signed_in.csrf_token
        made = await operation("post", "/api/v1/me/tokens").asyncio(
            client=browser,
            body=models.TokenCreate(
                name="ci",
                scopes=[models.TokenCreateScopesItem.READ, models.TokenCreateScopesItem.WRITE],
            ),
        )
    assert isinstance(made, models.TokenCreated)
    assert made.token.startswith(made.prefix)

    # From here on, the token alone.
    ci = generation.client.AuthenticatedClient(
        base_url=server.base_url, token=made.token, raise_on_unexpected_status=True
    )
    async with ci:
        me = await operation("get", "/api/v1/me").asyncio(client=ci)
        assert isinstance(me, models.MeRead)
        assert me.id == person.id

        space = await operation("post", "/api/v1/spaces").asyncio(
            client=ci,
            body=models.SpaceCreate(
                name="Release train",
                objective="Ship the quarterly release on time.",
                kind=models.SpaceKind.PROJECT,
            ),
        )
        assert isinstance(space, models.SpaceDetail)

        publish = operation("post", "/api/v1/posts").asyncio
        built = await publish(
            client=ci, body=models.PostCreate(space_id=space.id, body="Build **1041** passed.")
        )
        deployed = await publish(
            client=ci, body=models.PostCreate(space_id=space.id, body="Deployed to staging.")
        )
        assert isinstance(built, models.PostWritten)
        assert built.space.id == space.id
        assert built.author.id == person.id
        assert built.level == models.Level.INTERNAL  # the space's default level
        assert "<strong>1041</strong>" in built.body_html
        assert isinstance(built.created_at, datetime)

        comment = await operation("post", "/api/v1/posts/{post_id}/comments").asyncio(
            client=ci, post_id=built.id, body=models.CommentCreate(body="Green on every runner.")
        )
        assert isinstance(comment, models.CommentWritten)
        assert comment.post_id == built.id

        # An error the document declares comes back typed too.
        missing = await operation("get", "/api/v1/posts/{post_id}").asyncio_detailed(
            client=ci, post_id=deployed.id + 1000
        )
        assert missing.status_code == 404
        assert isinstance(missing.parsed.error, models.ErrorDetail)
        assert missing.parsed.error.code == "not_found"

        # The feed, one post a page, by its cursors: newest first, the comment on its post.
        read_feed = operation("get", "/api/v1/feed").asyncio
        pages = [await read_feed(client=ci, limit=1)]
        while pages[-1].next_cursor is not None and len(pages) < 5:
            pages.append(await read_feed(client=ci, limit=1, cursor=pages[-1].next_cursor))
    assert all(isinstance(page, models.PagePostRead) for page in pages)
    posts = [post for page in pages for post in page.items]
    assert [post.id for post in posts] == [deployed.id, built.id]
    assert posts[1].body == "Build **1041** passed."
    assert posts[1].comment_count == 1
    assert [(c.id, c.body) for c in posts[1].first_comments] == [
        (comment.id, "Green on every runner.")
    ]
