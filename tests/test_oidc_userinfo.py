"""Single sign-on through a provider that asserts the mapped claims at its
UserInfo endpoint only (Okta on the code flow, oidc-provider by default): the
ID token says who, UserInfo says the rest (docs/sso.md)."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from app.models import User
from app.services.oidc import protocol
from tests.oidc_server import RunningProvider, running_provider
from tests.test_oidc import (  # noqa: F401 (fixtures)
    _claims,
    make,
    me,
    ruche,
    sign_in,
    sso_app,
)


@pytest.fixture(scope="module")
async def provider() -> AsyncIterator[RunningProvider]:
    async with running_provider(claims_at_userinfo=True) as running:
        yield running


async def test_the_account_is_made_from_the_userinfo_claims(
    ruche,  # noqa: F811
    at_provider,
    make,  # noqa: F811
    session,
    monkeypatch,
):
    head = await make.user(email="head.of.finance@corp.test")
    id_tokens = []
    checked = protocol.check_id_token

    def keep(id_token: str, **checks) -> dict:
        id_tokens.append(id_token)
        return checked(id_token, **checks)

    monkeypatch.setattr(protocol, "check_id_token", keep)
    answer = await sign_in(ruche, at_provider, "alice")
    assert answer.status_code == 303 and await me(ruche) == 200
    # The ID token named the person and nothing more of them.
    assert "email" not in _claims(id_tokens[0]) and "groups" not in _claims(id_tokens[0])
    alice = await session.scalar(select(User).where(User.email == "alice.martin@corp.test"))
    assert (alice.display_name, alice.department, alice.job_title, alice.manager_id) == (
        "Alice Martin",
        "Finance",
        "Controller",
        head.id,
    )
    assert (alice.kind, alice.clearance) == ("employee", "confidential")

    # A contractor by their groups, which only UserInfo gave.
    ruche.cookies.clear()
    at_provider.cookies.clear()
    answer = await sign_in(ruche, at_provider, "bruno")
    assert answer.status_code == 303
    bruno = await session.scalar(select(User).where(User.email == "bruno@vendor.test"))
    assert (bruno.kind, bruno.clearance) == ("contractor", "public")
