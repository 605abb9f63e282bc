"""The web UI's pages in process: where they redirect, the anti-forgery tokens of
their forms, the token shown once, and HTML that obeys the Content-Security-Policy."""

import re
from html.parser import HTMLParser

import pytest

from app.services.sessions import TOKEN_PREFIX
from tests.factories import PASSWORD

# What a browser sends when it follows a link: errors then come back as pages.
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
HIDDEN_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


async def open_login_form(client, next_target: str = "/") -> str:
    """GETs the sign-in page; returns the token of its form (its twin is in a cookie)."""
    page = await client.get("/login", params={"next": next_target}, headers=BROWSER)
    assert page.status_code == 200
    return HIDDEN_CSRF.search(page.text).group(1)


async def sign_in_with_form(client, user, next_target: str = "/") -> str:
    """Signs in as a browser does; returns the session's CSRF token, read from a page."""
    token = await open_login_form(client, next_target)
    response = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": next_target},
        headers=BROWSER,
    )
    assert response.status_code == 303, response.text
    settings_page = await client.get("/settings", headers=BROWSER)
    return META_CSRF.search(settings_page.text).group(1)


async def test_home_sends_an_anonymous_browser_to_sign_in(client):
    response = await client.get("/", headers=BROWSER)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


async def test_home_answers_401_json_to_a_script(client):
    response = await client.get("/", headers={"Accept": "application/json"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("send_cookie", "form_token"),
    [
        (False, None),  # neither
        (False, "form"),  # the token without its cookie: a cross-site form
        (True, None),  # the cookie without the token
        (True, "other"),  # a token that is not the cookie's
    ],
)
async def test_login_form_without_its_double_submit_token_is_refused(
    client, make, send_cookie, form_token
):
    user = await make.user()
    token = await open_login_form(client)
    if not send_cookie:
        client.cookies.clear()
    data = {"email": user.email, "password": PASSWORD, "next": "/"}
    if form_token is not None:
        data["csrf_token"] = token if form_token == "form" else "x" * len(token)

    response = await client.post("/login", data=data, headers=BROWSER)

    assert response.status_code == 403
    assert "ruche_session" not in response.cookies
    assert (await client.get("/", headers=BROWSER)).headers["location"] == "/login?next=/"


async def test_login_form_with_its_token_signs_in_and_follows_next(client, make):
    user = await make.user()
    token = await open_login_form(client, "/settings")

    response = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": "/settings"},
        headers=BROWSER,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/settings"
    assert "ruche_session" in response.cookies
    settings_page = await client.get("/settings", headers=BROWSER)
    assert settings_page.status_code == 200
    assert user.email in settings_page.text


async def test_login_form_with_a_wrong_password_shows_the_form_again(client, make):
    user = await make.user()
    token = await open_login_form(client)

    response = await client.post(
        "/login",
        data={"email": user.email, "password": "wrong password", "csrf_token": token},
        headers=BROWSER,
    )

    assert response.status_code == 401
    assert "E-mail ou mot de passe incorrect." in response.text
    assert f'value="{user.email}"' in response.text
    assert HIDDEN_CSRF.search(response.text).group(1) != token
    assert "ruche_session" not in response.cookies


@pytest.mark.parametrize(
    "next_target",
    ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"],
)
async def test_sign_in_never_redirects_off_site(client, make, next_target):
    user = await make.user()
    token = await open_login_form(client, next_target)

    response = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": next_target},
        headers=BROWSER,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    # A signed-in visit to the sign-in page redirects too, to the same safe place.
    again = await client.get("/login", params={"next": next_target}, headers=BROWSER)
    assert again.status_code == 303
    assert again.headers["location"] == "/"


async def test_login_page_keeps_only_a_safe_next(client):
    page = await client.get("/login", params={"next": "//evil.example"}, headers=BROWSER)

    assert 'name="next" value="/"' in page.text
    assert "evil.example" not in page.text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/settings/preferences", {"language": "en", "display_name": "Forged"}),
        ("/settings/password", {"current_password": PASSWORD, "new_password": "forged pass 1"}),
        ("/settings/tokens", {"name": "forged"}),
        ("/logout", {}),
    ],
)
@pytest.mark.parametrize("csrf_token", [None, "not-the-token"])
async def test_settings_forms_refuse_a_missing_or_wrong_csrf_token(
    client, make, path, data, csrf_token
):
    user = await make.user(language="fr")
    await sign_in_with_form(client, user)
    if csrf_token is not None:
        data = {**data, "csrf_token": csrf_token}

    response = await client.post(path, data=data, headers=BROWSER)

    assert response.status_code == 403
    assert "Le formulaire a expiré" in response.text
    settings_page = await client.get("/settings", headers=BROWSER)
    assert settings_page.status_code == 200  # still signed in, password unchanged
    assert 'lang="fr"' in settings_page.text
    assert "Forged" not in settings_page.text
    assert "forged" not in settings_page.text


async def test_preferences_form_with_its_csrf_token_switches_the_language(client, make):
    user = await make.user(language="fr", display_name="Anne Exemple")
    csrf = await sign_in_with_form(client, user)

    response = await client.post(
        "/settings/preferences",
        data={"language": "en", "display_name": "  Anne E.  ", "csrf_token": csrf},
        headers=BROWSER,
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/settings?saved=preferences"
    settings_page = await client.get("/settings?saved=preferences", headers=BROWSER)
    assert 'lang="en"' in settings_page.text
    assert "Saved." in settings_page.text
    assert 'value="Anne E."' in settings_page.text


async def test_sign_out_form_ends_the_session(client, make):
    user = await make.user()
    csrf = await sign_in_with_form(client, user)

    response = await client.post("/logout", data={"csrf_token": csrf}, headers=BROWSER)

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert (await client.get("/", headers=BROWSER)).headers["location"] == "/login?next=/"


async def test_a_new_token_is_shown_once_and_works(client, make):
    user = await make.user()
    csrf = await sign_in_with_form(client, user)

    created = await client.post(
        "/settings/tokens", data={"name": "CI pipeline", "csrf_token": csrf}, headers=BROWSER
    )

    assert created.status_code == 200
    secret = re.search(r"<code class=\"token\" data-new-token>([^<]+)</code>", created.text)[1]
    async with make.client(Authorization=f"Bearer {secret}") as integration:
        me = await integration.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    later = await client.get("/settings", headers=BROWSER)
    assert "CI pipeline" in later.text
    assert f"<code>{secret[: len(TOKEN_PREFIX) + 6]}…</code>" in later.text  # its prefix
    assert secret not in later.text
    assert "data-new-token" not in later.text


# Attributes through which an element loads something.
ASSET_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "form": ("action",),
}


class CspAudit(HTMLParser):
    """What in a page the policy (``script-src 'self'; style-src 'self'`` ...) would
    block or what would load from elsewhere: inline scripts, inline styles, inline
    event handlers, ``javascript:`` URLs and assets from another host."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not attributes.get("src"):
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("inline <style>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
        for name in ASSET_ATTRIBUTES.get(tag, ()):
            value = (attributes.get(name) or "").strip().lower()
            if re.match(r"^([a-z][a-z0-9+.-]*:)?//", value):
                self.problems.append(f"external {name}={value!r} on <{tag}>")


def audit(html: str) -> CspAudit:
    checker = CspAudit()
    checker.feed(html)
    return checker


async def test_pages_need_nothing_the_content_security_policy_blocks(client, make):
    anonymous = [await client.get(path, headers=BROWSER) for path in ("/login", "/api/docs")]
    admin = await make.user(role="admin", clearance="secret")
    csrf = await sign_in_with_form(client, admin)
    signed_in = [
        await client.get(path, headers=BROWSER) for path in ("/", "/settings", "/no-such-page")
    ]
    with_token = await client.post(
        "/settings/tokens", data={"name": "audit", "csrf_token": csrf}, headers=BROWSER
    )

    pages = [*anonymous, *signed_in, with_token]
    assert [page.status_code for page in pages] == [200, 200, 200, 200, 404, 200]
    for page in pages:
        assert "script-src 'self'" in page.headers["content-security-policy"]
        checked = audit(page.text)
        assert checked.problems == [], (page.url, checked.problems)
        assert checked.scripts >= 1  # the page's module script was seen, so was checked


def test_the_html_audit_sees_what_the_policy_blocks():
    """The audit above would pass vacuously if it missed these."""
    checked = audit(
        '<script>alert(1)</script><script src="https://cdn.example/x.js"></script>'
        '<link rel="stylesheet" href="//cdn.example/x.css"><style>p{}</style>'
        '<p style="color:red" onclick="x()"><a href="javascript:x()">x</a></p>'
        '<img src="/static/img/ruche.svg"><a href="https://elsewhere.example/">a link</a>'
    )

    assert len(checked.problems) == 7, checked.problems


async def test_every_link_of_the_navigation_bar_leads_to_a_page(client, make):
    """The bar is on every page: none of its links may end on a 404."""
    admin = await make.user(role="admin", language="en")
    await sign_in_with_form(client, admin)
    home = await client.get("/", headers=BROWSER)
    bar = re.search(r'<header class="topbar">(.*?)</header>', home.text, re.S).group(1)
    links = sorted(set(re.findall(r'href="(/[^"#]*)"', bar)))
    assert {"/people", "/search", "/spaces", "/wiki", "/notifications"} <= set(links)

    for link in links:
        page = await client.get(link, headers=BROWSER)
        assert page.status_code == 200, link
        assert audit(page.text).problems == [], link


async def test_an_address_no_route_answers_looks_like_a_page_a_route_refused(make, browser_of):
    reader = await make.user(language="en")
    browser, _csrf = await browser_of(reader)

    nowhere = await browser.get("/no-such-page", headers={"Accept-Language": "fr"})
    hidden = await browser.get("/posts/2147483647", headers={"Accept-Language": "fr"})

    assert nowhere.status_code == hidden.status_code == 404
    # The account's language and its own top bar, not the browser's language signed out.
    assert "Not found." in nowhere.text and reader.display_name in nowhere.text
    assert nowhere.text == hidden.text


async def test_a_token_not_valid_on_an_address_no_route_answers_is_a_page_for_nobody(client):
    response = await client.get(
        "/no-such-page",
        headers={
            "Accept": "text/html",
            "Accept-Language": "en",
            "Authorization": "Bearer not-a-token",
        },
    )
    assert response.status_code == 404 and "Not found." in response.text
