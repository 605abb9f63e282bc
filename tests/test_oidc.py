"""Single sign-on through OpenID Connect (docs/sso.md), against a real provider
(tests/oidc_server.py): just-in-time accounts from mapped claims, linking by a
verified e-mail only, the ID token's checks, passwords off but for break-glass
administrators, and the provider's own sign-out."""

import base64
import html
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from app.main import create_app
from app.models import AuditEvent, User, UserSession
from app.models.base import utcnow
from app.models.identity import IdentityLink
from app.services.oidc import protocol
from app.services.oidc.protocol import SignInRefused
from tests.api_helpers import BROWSER
from tests.factories import PASSWORD, Factories
from tests.oidc_server import RUCHE, ruche_browser, sign_in_at

HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture(scope="module")
def sso_app(settings, corp):
    return create_app(settings.model_copy(update={"oidc_providers": [corp]}))


@pytest.fixture
async def ruche(sso_app, db) -> AsyncIterator[httpx.AsyncClient]:
    """A browser at Ruche (cookies kept) over this test's rolled-back transaction."""
    sso_app.state.db = db
    async with ruche_browser(sso_app) as client:
        yield client


@pytest.fixture
def make(session, sso_app) -> Factories:
    return Factories(session, sso_app)


async def leave_for_provider(ruche: httpx.AsyncClient, next: str = "/") -> str:
    answer = await ruche.get("/login/oidc/corp", params={"next": next})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


async def come_back(ruche: httpx.AsyncClient, at_provider, url: str, login: str):
    back = await sign_in_at(at_provider, url, login)
    assert back.startswith(f"{RUCHE}/login/oidc/corp/callback?"), back
    return await ruche.get(back.removeprefix(RUCHE))


async def sign_in(ruche, at_provider, login: str, next: str = "/"):
    return await come_back(ruche, at_provider, await leave_for_provider(ruche, next), login)


async def me(ruche) -> int:
    return (await ruche.get("/api/v1/me")).status_code


async def test_first_sign_in_makes_the_account_from_the_mapped_claims(
    ruche, at_provider, make, session, corp
):
    head = await make.user(email="head.of.finance@corp.test")
    url = await leave_for_provider(ruche, next="/spaces")
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert "code_verifier" not in query

    answer = await come_back(ruche, at_provider, url, "alice")

    assert answer.status_code == 303 and answer.headers["location"] == "/spaces"
    assert await me(ruche) == 200
    alice = await session.scalar(select(User).where(User.email == "alice.martin@corp.test"))
    assert (alice.display_name, alice.department, alice.job_title) == (
        "Alice Martin",
        "Finance",
        "Controller",
    )
    assert alice.manager_id == head.id
    assert (alice.kind, alice.clearance, alice.password_hash) == ("employee", "confidential", None)
    link = await session.scalar(select(IdentityLink).where(IdentityLink.user_id == alice.id))
    assert (link.provider, link.subject) == (f"oidc:{corp.issuer}", "alice")
    actions = (
        await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_id == alice.id)
            .order_by(AuditEvent.id)
        )
    ).all()
    assert actions == ["account.created", "identity.linked", "auth.sign_in"]
    # No password to change: the account signs in through its provider.
    assert 'action="/settings/password"' not in (await ruche.get("/settings")).text

    # Later: found by the link, not by the address (changed here since).
    alice.email = "alice@elsewhere.test"
    await session.commit()
    await ruche.post("/logout", data={"csrf_token": await page_csrf(ruche)})
    assert await me(ruche) == 401
    answer = await sign_in(ruche, at_provider, "alice")
    assert answer.status_code == 303 and await me(ruche) == 200
    assert (await ruche.get("/api/v1/me")).json()["id"] == alice.id
    assert (
        await session.scalar(select(User.id).where(User.email == "alice.martin@corp.test")) is None
    )


async def test_the_kind_comes_from_the_provider_groups_and_caps_the_clearance(
    ruche, at_provider, session
):
    answer = await sign_in(ruche, at_provider, "bruno")
    assert answer.status_code == 303
    bruno = await session.scalar(select(User).where(User.email == "bruno@vendor.test"))
    assert (bruno.kind, bruno.clearance) == ("contractor", "public")


async def test_an_unverified_address_of_an_existing_account_is_refused(
    ruche, at_provider, make, session
):
    carole = await make.user(email="carole@corp.test")
    answer = await sign_in(ruche, at_provider, "mallory")
    assert answer.status_code == 403
    assert "has not verified your e-mail address" in html.unescape(answer.text)
    assert "ruche_session" not in answer.cookies
    assert await me(ruche) == 401
    assert (
        await session.scalar(select(IdentityLink.id).where(IdentityLink.user_id == carole.id))
        is None
    )


async def test_a_verified_address_links_the_existing_account(ruche, at_provider, make, session):
    carole = await make.user(email="carole@corp.test")
    assert (await sign_in(ruche, at_provider, "carole")).status_code == 303
    assert (await ruche.get("/api/v1/me")).json()["id"] == carole.id
    linked = await session.scalar(select(AuditEvent).where(AuditEvent.action == "identity.linked"))
    assert linked.target_id == carole.id and linked.detail["subject"] == "carole"


async def test_a_closed_account_cannot_sign_in_through_the_provider(
    ruche, at_provider, make, session
):
    carole = await make.user(email="carole@corp.test", is_active=False)
    answer = await sign_in(ruche, at_provider, "carole")
    assert answer.status_code == 403 and "This account is closed" in answer.text
    carole.is_active = True
    carole.access_ends_at = utcnow()
    await session.commit()
    answer = await sign_in(ruche, at_provider, "carole")
    assert answer.status_code == 403 and await me(ruche) == 401


async def test_an_answer_to_another_request_is_refused(ruche, at_provider, session):
    """The provider signs a token with the nonce it was given; Ruche expects its own."""
    url = urlsplit(await leave_for_provider(ruche))
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    forged = urlunsplit(url._replace(query=urlencode({**query, "nonce": "another-request"})))
    answer = await come_back(ruche, at_provider, forged, "alice")
    assert answer.status_code == 403 and await me(ruche) == 401
    assert await session.scalar(select(User.id).where(User.email.like("alice%"))) is None

    # Nor does a code come back to a browser that did not start the sign-in.
    url = await leave_for_provider(ruche)
    ruche.cookies.clear()
    answer = await come_back(ruche, at_provider, url, "alice")
    assert answer.status_code == 403 and "Start again" in answer.text


async def test_userinfo_about_another_subject_is_refused(ruche, at_provider, monkeypatch):
    """OpenID Connect Core 5.3.2: UserInfo's claims are used only when they are
    about the ID token's subject."""
    fetched = protocol._fetch_json

    async def another(url: str, *, bearer: str | None = None) -> dict:
        document = await fetched(url, bearer=bearer)
        return {**document, "sub": "mallory"} if bearer is not None else document

    monkeypatch.setattr(protocol, "_fetch_json", another)
    answer = await sign_in(ruche, at_provider, "alice")
    assert answer.status_code == 403 and await me(ruche) == 401


async def test_userinfo_completes_the_id_token_and_never_overrides_it(
    ruche, at_provider, make, session, monkeypatch
):
    """The signed claims win; an address and its being verified come from one
    side together: an ID token's address without a word on it stays unverified
    whatever UserInfo says (no account linked by it)."""
    carole = await make.user(email="carole@corp.test")
    checked, fetched = protocol.check_id_token, protocol._fetch_json

    def silent_on_verification(id_token: str, **checks) -> dict:
        claims = checked(id_token, **checks)
        claims.pop("email_verified", None)
        return claims

    async def boasting(url: str, *, bearer: str | None = None) -> dict:
        document = await fetched(url, bearer=bearer)
        if bearer is None:
            return document
        return {**document, "name": "Quelqu'un d'autre", "email_verified": True}

    monkeypatch.setattr(protocol, "check_id_token", silent_on_verification)
    monkeypatch.setattr(protocol, "_fetch_json", boasting)
    answer = await sign_in(ruche, at_provider, "mallory")
    assert answer.status_code == 403 and await me(ruche) == 401
    assert "has not verified your e-mail address" in html.unescape(answer.text)
    link = select(IdentityLink.id).where(IdentityLink.user_id == carole.id)
    assert await session.scalar(link) is None

    # A signed name is the one kept.
    monkeypatch.setattr(protocol, "check_id_token", checked)
    at_provider.cookies.clear()
    answer = await sign_in(ruche, at_provider, "bruno")
    assert answer.status_code == 303
    bruno = await session.scalar(select(User).where(User.email == "bruno@vendor.test"))
    assert bruno.display_name == "Bruno Vendor"


async def test_an_unreachable_userinfo_endpoint_fails_the_sign_in(
    ruche, at_provider, session, monkeypatch
):
    """Half the claims (the groups missing) could make the wrong kind of
    account: without UserInfo, no sign-in — a port where nothing listens."""
    found = protocol.metadata_of

    async def elsewhere(provider) -> dict:
        return {**await found(provider), "userinfo_endpoint": "http://127.0.0.1:9/me"}

    monkeypatch.setattr(protocol, "metadata_of", elsewhere)
    answer = await sign_in(ruche, at_provider, "alice")
    assert answer.status_code == 502 and await me(ruche) == 401
    made = select(User.id).where(User.email == "alice.martin@corp.test")
    assert await session.scalar(made) is None


def _segments(token: str) -> list[str]:
    return token.split(".")


def _claims(token: str) -> dict:
    payload = _segments(token)[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def test_id_tokens_are_checked(ruche, at_provider, session, corp):
    """A real token of the provider, then altered: signature, expiry, clock skew."""
    await sign_in(ruche, at_provider, "alice")
    token = await session.scalar(select(UserSession.oidc_id_token))
    claims = _claims(token)
    metadata = await protocol.metadata_of(corp)

    def check(id_token: str, now: int | None = None) -> dict:
        return protocol.check_id_token(
            id_token,
            keys=keys,
            provider=corp,
            algorithms=protocol.signature_algorithms(metadata),
            nonce=claims["nonce"],
            skew=60,
            now=now,
        )

    keys = await protocol.keys_of(metadata)
    assert check(token)["sub"] == "alice"

    header, _payload, signature = _segments(token)
    changed = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "bruno"}).encode())
    with pytest.raises(SignInRefused):
        check(f"{header}.{changed.decode().rstrip('=')}.{signature}")

    kid = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    own_key = RSAKey.generate_key(2048, parameters={"kid": kid})
    with pytest.raises(SignInRefused):
        check(jwt.encode({"alg": "RS256", "kid": kid}, {**claims, "sub": "bruno"}, own_key))

    assert check(token, now=claims["exp"] + 59)  # within the allowed skew
    with pytest.raises(SignInRefused):
        check(token, now=claims["exp"] + 61)
    with pytest.raises(SignInRefused):
        check(token, now=claims["iat"] - 61)  # issued "in the future"
    with pytest.raises(SignInRefused):
        protocol.check_id_token(
            token,
            keys=keys,
            provider=corp.model_copy(update={"client_id": "someone-else"}),
            algorithms=protocol.signature_algorithms(metadata),
            nonce=claims["nonce"],
            skew=60,
        )


async def page_csrf(ruche) -> str:
    return META_CSRF.search((await ruche.get("/settings")).text).group(1)


async def test_signing_out_ends_the_provider_session_too(ruche, at_provider, session, corp):
    await sign_in(ruche, at_provider, "alice")
    token = await session.scalar(select(UserSession.oidc_id_token))

    answer = await ruche.post("/logout", data={"csrf_token": await page_csrf(ruche)})

    assert answer.status_code == 200 and await me(ruche) == 401
    url = html.unescape(re.search(r'content="0; url=([^"]+)"', answer.text).group(1))
    metadata = await protocol.metadata_of(corp)
    assert url.startswith(metadata["end_session_endpoint"] + "?")
    query = parse_qs(urlsplit(url).query)
    assert query["id_token_hint"] == [token]
    assert query["post_logout_redirect_uri"] == [f"{RUCHE}/login"]
    # The provider takes the hint, asks, and sends the person back to Ruche.
    confirm = await at_provider.get(url)
    assert confirm.status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirm.text))
    action = re.search(r'<form[^>]*action="([^"]+)"', confirm.text).group(1)
    done = await at_provider.post(action, data={**fields, "logout": "yes"})
    assert done.headers["location"] == f"{RUCHE}/login"


@pytest.fixture
async def passwords_off(settings, corp, db) -> AsyncIterator[tuple[httpx.AsyncClient, Factories]]:
    app = create_app(
        settings.model_copy(
            update={
                "oidc_providers": [corp],
                "local_passwords": False,
                "break_glass_emails": " Root@Corp.test ",
            }
        )
    )
    app.state.db = db
    async with db.sessionmaker() as session:
        factories = Factories(session, app)
        async with factories.client(**BROWSER, **{"Accept-Language": "en"}) as client:
            yield client, factories


async def test_passwords_off_but_for_break_glass_administrators(passwords_off):
    client, make = passwords_off
    root = await make.user(email="root@corp.test", role="admin")
    member = await make.user()

    answer = await client.post(
        "/api/v1/auth/login", json={"email": member.email, "password": PASSWORD}
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "local_passwords_off"

    french = await client.get("/login", headers={"Accept-Language": "fr"})
    assert "Se connecter avec Corp ID" in french.text
    page = await client.get("/login")
    assert "Sign in with Corp ID" in page.text and "<details" in page.text
    answer = await client.post(
        "/login",
        data={
            "email": member.email,
            "password": PASSWORD,
            "csrf_token": HIDDEN_CSRF.search(page.text).group(1),
        },
    )
    assert answer.status_code == 403 and "Passwords are turned off" in html.unescape(answer.text)

    async with await make.bearer(member) as bearer:  # tokens keep working
        assert (await bearer.get("/api/v1/me")).status_code == 200
    answer = await client.post(
        "/api/v1/auth/login", json={"email": root.email, "password": PASSWORD}
    )
    assert answer.status_code == 200


def test_providers_are_read_from_the_environment_as_json(monkeypatch):
    from app.config import Settings

    provider = {
        "name": "corp",
        "label": "Corp ID",
        "issuer": "https://id.example.com/realms/corp",
        "client_id": "ruche",
        "client_secret": "s3cret",
        "kind_by_group": {"contractors": "contractor"},
    }
    monkeypatch.setenv("RUCHE_OIDC_PROVIDERS", json.dumps([provider]))
    [corp] = Settings(_env_file=None).oidc_providers
    assert corp.metadata_url == (
        "https://id.example.com/realms/corp/.well-known/openid-configuration"
    )
    assert "s3cret" not in repr(corp)
    monkeypatch.setenv("RUCHE_OIDC_PROVIDERS", json.dumps([provider, provider]))
    with pytest.raises(ValueError, match="its own name"):
        Settings(_env_file=None)
    # Alumni are made by offboarding, never by a provider's group.
    monkeypatch.setenv(
        "RUCHE_OIDC_PROVIDERS", json.dumps([{**provider, "kind_by_group": {"x": "alumni"}}])
    )
    with pytest.raises(ValueError):
        Settings(_env_file=None)
