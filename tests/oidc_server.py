"""A real OpenID Connect provider for the sign-in tests: the npm package
``oidc-provider`` run by Node (tests/oidc_provider.mjs) on a free port, with
the accounts below; clients are registered through its dynamic registration
once a test knows its redirect address. ``sign_in_at`` plays the person at the
provider's development login form, as a browser would, without one.
"""

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from app.config import OidcProvider
from tests.api_helpers import BROWSER

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
# The tests' Ruche (its public address in the tests' settings).
RUCHE = "http://testserver"
READY_TIMEOUT_SECONDS = 30.0

# Their ``sub`` at the provider, and the claims it asserts.
ACCOUNTS = {
    "alice": {
        "email": "alice.martin@corp.test",
        "email_verified": True,
        "name": "Alice Martin",
        "department": "Finance",
        "job_title": "Controller",
        "manager_email": "head.of.finance@corp.test",
        "groups": ["staff", "finance-confidential"],
    },
    "bruno": {
        "email": "bruno@vendor.test",
        "email_verified": True,
        "name": "Bruno Vendor",
        # A contractor also in a clearance group: still public.
        "groups": ["contractors", "finance-confidential"],
    },
    "carole": {"email": "carole@corp.test", "email_verified": True, "name": "Carole Linked"},
    # Claims an address it has not proven: an existing account's.
    "mallory": {"email": "carole@corp.test", "email_verified": False, "name": "Not Carole"},
}


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen

    async def register(self, redirect_uri: str, post_logout_uri: str) -> tuple[str, str]:
        """A confidential web client (RFC 7591): its id and secret."""
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{self.issuer}/reg",
                json={
                    "redirect_uris": [redirect_uri],
                    "post_logout_redirect_uris": [post_logout_uri],
                    "response_types": ["code"],
                    "grant_types": ["authorization_code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                },
            )
        answer.raise_for_status()
        client = answer.json()
        return client["client_id"], client["client_secret"]

    async def provider_settings(self, public_url: str, **overrides) -> OidcProvider:
        """Ruche's settings for this provider, with a client registered for ``public_url``."""
        client_id, secret = await self.register(
            f"{public_url}/login/oidc/corp/callback", f"{public_url}/login"
        )
        return OidcProvider(
            name="corp",
            label="Corp ID",
            issuer=self.issuer,
            client_id=client_id,
            client_secret=secret,
            scopes=["openid", "email", "profile"],
            claims={
                "department": "department",
                "job_title": "job_title",
                "manager_email": "manager_email",
            },
            kind_by_group={"contractors": "contractor"},
            clearance_by_group={"finance-confidential": "confidential"},
            **overrides,
        )


@contextlib.asynccontextmanager
async def running_provider(claims_at_userinfo: bool = False) -> AsyncIterator[RunningProvider]:
    """The provider, its claims in the ID token or (``claims_at_userinfo``) at
    its UserInfo endpoint only."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the OpenID Connect tests (.ci/run installs it)"
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        env={
            **os.environ,
            "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
            "OIDC_CLAIMS_AT_USERINFO": "1" if claims_at_userinfo else "0",
            "NODE_ENV": "test",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = await asyncio.wait_for(
            asyncio.to_thread(process.stdout.readline), READY_TIMEOUT_SECONDS
        )
        assert line.startswith("READY "), f"the provider did not start: {line!r}"
        yield RunningProvider(issuer=line.split()[1], process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)


async def sign_in_at(provider_browser: httpx.AsyncClient, url: str, login: str) -> str:
    """Follows the provider from its authorization URL, signs in as ``login`` at
    its form, and returns the address it sends the browser back to (the client's
    redirect URI with the code). ``provider_browser`` keeps the provider's cookies."""
    answer = await provider_browser.get(url)
    while answer.is_redirect:
        location = urljoin(str(answer.url), answer.headers["location"])
        if not location.startswith(str(provider_browser.base_url)):
            return location
        answer = await provider_browser.get(location)
        form = re.search(r'<form[^>]*action="([^"]+)"', answer.text)
        if answer.status_code == 200 and form:
            answer = await provider_browser.post(
                urljoin(str(answer.url), form.group(1)),
                data={"prompt": "login", "login": login, "password": "any"},
            )
    raise AssertionError(f"the provider answered {answer.status_code}: {answer.text[:500]}")


@contextlib.asynccontextmanager
async def ruche_browser(app) -> AsyncIterator[httpx.AsyncClient]:
    """A browser at Ruche (cookies kept), in English."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.8", 50000)),
        base_url=RUCHE,
        headers={**BROWSER, "Accept-Language": "en"},
    ) as client:
        yield client
