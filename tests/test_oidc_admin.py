"""The single sign-on administration page (/admin/sso) against the real provider
of tests/oidc_server.py, and the identity section of an account's page
(docs/identity.md)."""

import html
from collections.abc import AsyncIterator

import httpx
import pytest

from app.models.identity import IdentityLink
from tests.oidc_server import RUCHE, ruche_browser
from tests.test_oidc import sign_in


@pytest.fixture
def sso_settings(app, settings, corp):
    """The app with three providers: the real one, one whose configured issuer
    is not the one its discovery document gives, one that does not answer."""
    wrong = corp.model_copy(
        update={
            "name": "wrong",
            "label": "Wrong issuer",
            "issuer": "https://elsewhere.test",
            "discovery_url": corp.metadata_url,
        }
    )
    # Port 9 (discard): nothing listens there, the connection is refused at once.
    gone = corp.model_copy(
        update={"name": "gone", "label": "Gone", "discovery_url": "http://127.0.0.1:9/x"}
    )
    app.state.settings = settings.model_copy(
        update={
            "oidc_providers": [corp, wrong, gone],
            "local_passwords": False,
            "break_glass_emails": "it-admin@corp.test",
        }
    )
    yield app.state.settings
    app.state.settings = settings


@pytest.fixture
async def ruche(app) -> AsyncIterator[httpx.AsyncClient]:
    async with ruche_browser(app) as client:
        yield client


async def test_the_page_shows_each_provider_and_checks_it(
    sso_settings, corp, ruche, at_provider, make, browser_of
):
    # A real sign-in: one linked account, one open session through "corp".
    assert (await sign_in(ruche, at_provider, "alice")).status_code == 303
    admin = await make.user(role="admin", email="it-admin@corp.test", language="en")
    browser, csrf = await browser_of(admin)

    page = await browser.get("/admin/sso")

    assert page.status_code == 200
    text = html.unescape(page.text)
    assert corp.client_secret.get_secret_value() not in page.text
    assert f"{RUCHE}/login/oidc/corp/callback" in text
    assert corp.issuer in text and corp.client_id in text
    assert "off: only the break-glass addresses" in text and "it-admin@corp.test" in text
    assert "finance-confidential</code> → Confidential" in text
    assert "<dt>Accounts linked</dt><dd>1</dd>" in text
    corp_section, others = text.split('id="sso-wrong"')
    assert "Latest sign-in still open</dt><dd>none" not in corp_section
    assert "Latest sign-in still open</dt><dd>none" in others
    assert 'href="/admin/sso" aria-current="page"' in page.text

    checked = await browser.post("/admin/sso/corp/check", data={"csrf_token": csrf})
    assert checked.status_code == 200
    assert "its issuer is the one configured" in checked.text
    assert corp.client_secret.get_secret_value() not in checked.text
    wrong = html.unescape(
        (await browser.post("/admin/sso/wrong/check", data={"csrf_token": csrf})).text
    )
    assert f"names another issuer: {corp.issuer}" in wrong
    gone = await browser.post("/admin/sso/gone/check", data={"csrf_token": csrf})
    assert "did not answer" in gone.text
    assert (
        await browser.post("/admin/sso/nobody/check", data={"csrf_token": csrf})
    ).status_code == 404

    # An expired form is refused on the page itself.
    forged = await browser.post("/admin/sso/corp/check", data={"csrf_token": "forged"})
    assert forged.status_code == 403 and 'role="alert"' in forged.text
    assert "its issuer is the one configured" not in forged.text


async def test_without_a_provider_and_for_members(make, browser_of):
    admin, member = (
        await make.user(role="admin", language="en"),
        await make.user(clearance="secret"),
    )
    browser, _csrf = await browser_of(admin)
    page = await browser.get("/admin/sso")
    assert page.status_code == 200 and "No provider is configured" in page.text
    assert "on: everyone with a password" in page.text

    outsider, csrf = await browser_of(member)
    assert (await outsider.get("/admin/sso")).status_code == 403
    refused = await outsider.post("/admin/sso/corp/check", data={"csrf_token": csrf})
    assert refused.status_code == 403


async def test_an_account_page_names_its_identities(make, browser_of, session):
    admin, person = await make.user(role="admin", language="en"), await make.user()
    session.add_all(
        [
            IdentityLink(
                provider="oidc:https://id.corp.test/realms/corp", subject="f3a9", user_id=person.id
            ),
            IdentityLink(provider="ldap:directory", subject="9b2c-uuid", user_id=person.id),
            IdentityLink(provider="scim:entra", subject="ext-42", user_id=person.id),
        ]
    )
    await session.commit()
    browser, _csrf = await browser_of(admin)

    text = html.unescape((await browser.get(f"/admin/users/{person.id}")).text)

    assert (
        "Single sign-on (https://id.corp.test/realms/corp)</dt>\n    <dd><code>f3a9</code>" in text
    )
    assert "Directory (directory)</dt>\n    <dd><code>9b2c-uuid</code>" in text
    assert "Provisioning (entra)</dt>\n    <dd><code>ext-42</code>" in text
    alone = html.unescape((await browser.get(f"/admin/users/{admin.id}")).text)
    assert "No identity system knows this person" in alone
