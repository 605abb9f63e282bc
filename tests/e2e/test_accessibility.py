"""Accessibility audit: axe-core (npm, ``npm ci``) on every page kind, as every
kind of account, in both languages and both themes; no violation of impact
serious or critical may remain. Given ``RUCHE_TEST_ARTEFACTS`` (a folder), the
same pass keeps screenshots of every page kind at 1366×900 and 390×844 in French
and English there, for people to look at; nothing asserts on them, so a run
without the variable (CI's) takes none.

Every combination of page × account × language × theme would take minutes, so
the audit follows a covering design over the four (language, theme) pairs
(``COMBINATIONS``): each account opens each of its pages once, in the pair its
place in the design gives that page, and the employee and the administrator (as
the contractor and the alumnus) take opposite pairs on the pages they share, both
language and theme differing. A page kind only one account reaches (``alone``:
administration, a space's settings, the editor, the charter before acceptance,
the signed-out pages...) is opened in both opposite pairs. So every page kind and
every account kind meets both languages and both themes, in one browser with one
context per account, two accounts at a time. The theme is the browser's ``prefers-color-scheme``
(``emulate_media``), the language the account's own setting (the browser's
``Accept-Language`` before sign-in). The demo server is shared with the other
browser tests: accounts get their language back at the end, and what the audit
creates (a contractor, an invitation, a document, a wiki page) has a name of its own.
"""

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import APIRequestContext, Browser, BrowserContext, Page

from app.demo import DEMO_PASSWORD
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.e2e

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(folder) if (folder := os.environ.get("RUCHE_TEST_ARTEFACTS")) else None
WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}
FAILING_IMPACTS = ("serious", "critical")
NEWCOMER = "newcomer"  # the key of the contractor the administrator creates, in ``world``
# (language, theme), so that COMBINATIONS[i] and COMBINATIONS[(i + 2) % 4]
# differ in both: the covering design of the docstring.
COMBINATIONS = (("fr", "light"), ("fr", "dark"), ("en", "dark"), ("en", "light"))

# Only what the report needs crosses back from the page.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
    summary: violation.nodes[0] ? violation.nodes[0].failureSummary : "",
  }));
}"""


@dataclass(frozen=True)
class Visit:
    """One page kind as an account sees it: ``path`` to open, or ``reach`` for
    a page only an action leads to (a conflict screen answers a form)."""

    kind: str
    path: str = ""
    status: int = 200
    reach: Callable[[Page], Awaitable[None]] | None = None
    # A page kind no other account of the design meets: seen in both halves.
    alone: bool = False


@dataclass
class Account:
    kind: str
    # None: a visitor, not signed in; NEWCOMER: the account another one creates
    email: str | None
    offset: int  # its place in the design: 0 and 2, 1 and 3 complete each other
    # (context, the signed-in account or None, what accounts share) -> its pages
    prepare: Callable[[BrowserContext, dict | None, dict], Awaitable[list[Visit]]]


@dataclass
class Audit:
    """What the pass found, and which screenshots it has already taken."""

    violations: list[str] = field(default_factory=list)
    shot: set[tuple[str, str]] = field(default_factory=set)


async def api(request: APIRequestContext, method: str, path: str, **options) -> dict | list:
    """The context's own REST client: it shares the browser's cookies."""
    response = await request.fetch(f"/api/v1{path}", method=method, **options)
    assert response.ok, f"{method} {path}: {response.status} {await response.text()}"
    return await response.json() if response.status != 204 else {}


async def sign_in(context: BrowserContext, email: str) -> dict:
    """Signs the context in through the API; its CSRF token goes on every later
    request, so the same client can write."""
    signed_in = await api(
        context.request,
        "POST",
        "/auth/login",
        data={"email": email, "password": DEMO_PASSWORD},
    )
    await context.set_extra_http_headers({"X-CSRF-Token": signed_in["csrf_token"]})
    return signed_in["user"]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def space_with(request: APIRequestContext, slug: str) -> int:
    spaces = await api(request, "GET", "/spaces", params={"limit": 100})
    return next(space["id"] for space in spaces["items"] if space["slug"] == slug)


async def wiki_page_url(request: APIRequestContext, title: str, space_id: int | None) -> str:
    listing = f"/spaces/{space_id}/wiki/pages" if space_id else "/wiki/pages"
    pages = await api(request, "GET", listing, params={"limit": 100})
    return next(page["url"] for page in pages["items"] if page["title"] == title)


async def member_visits(
    request: APIRequestContext,
    me: dict,
    *,
    space_slug: str,
    hashtag: str,
    query: str,
    wiki_title: str,
    wiki_space: bool,
) -> list[Visit]:
    """The pages every signed-in account reaches, in its own space and wiki."""
    space = await space_with(request, space_slug)
    post = (await api(request, "GET", f"/spaces/{space}/posts", params={"limit": 1}))["items"][0]
    people = (await api(request, "GET", "/users", params={"limit": 5}))["items"]
    someone = next(person for person in people if person["id"] != me["id"])
    wiki = await wiki_page_url(request, wiki_title, space if wiki_space else None)
    wiki_index = f"/spaces/{space}/wiki" if wiki_space else "/wiki"
    return [
        Visit("home", "/"),
        Visit("spaces directory", "/spaces"),
        Visit("space stream", f"/spaces/{space}"),
        Visit("space about", f"/spaces/{space}?tab=about"),
        Visit("space members", f"/spaces/{space}?tab=members"),
        Visit("files area", f"/spaces/{space}/files"),
        Visit("post", f"/posts/{post['id']}"),
        Visit("composer", "/posts/new"),
        Visit("hashtag", f"/hashtags/{hashtag}"),
        Visit("people directory", "/people"),
        Visit("person", f"/people/{someone['handle']}"),
        Visit("own profile", f"/people/{me['handle']}"),
        Visit("who knows", f"/experts?topic=%23{hashtag}"),
        Visit("edit my profile", "/settings/profile"),
        Visit("notifications", "/notifications"),
        Visit("search results", f"/search?q={query}"),
        Visit("search results of one type", f"/search?q={query}&type=post"),
        suggestions_for(query),
        Visit("wiki index", wiki_index),
        Visit("wiki page", wiki),
        Visit("wiki history", f"{wiki}/history"),
        Visit("wiki revision", f"{wiki}/revisions/1"),
        Visit("wiki diff", f"{wiki}/diff?old=1"),
        Visit("settings and tokens", "/settings"),
        # A zone given: without one, calendar.js loads the page again in the browser's.
        Visit("calendar by month", "/calendar?zone=Europe/Paris"),
        Visit("calendar of a space, by week", f"/calendar?space={space}&view=week&zone=UTC"),
        Visit("calendar as a list", "/calendar?view=list&mine=true&zone=Europe/Paris"),
        Visit("charter", "/charter"),
        Visit("error 404", "/posts/2147483647", status=404),
    ]


async def upload_document(request: APIRequestContext, space: int) -> str:
    """A public document in the space's files area (the demo has none there)."""
    document = await api(
        request,
        "POST",
        f"/spaces/{space}/files",
        multipart={
            "level": "public",
            "file": {
                "name": f"planning-{uuid.uuid4().hex[:6]}.txt",
                "mimeType": "text/plain",
                "buffer": b"Planning de la recette Atlas.\n",
            },
        },
    )
    return f"/spaces/{space}/files/{document['id']}"


def suggestions_for(typed: str) -> Visit:
    """The header's search box with its suggestions open (search-box.js)."""

    async def reach(page: Page) -> None:
        await page.goto("/")
        await page.locator("[data-search-box]").fill(typed)
        await page.locator('[data-search-box][aria-expanded="true"]').wait_for()

    return Visit("search suggestions", reach=reach)


def conflict_on(request: APIRequestContext, page_id: int, editor: str) -> Visit:
    """The wiki's conflict screen: the editor opens, someone saves meanwhile
    (here through the API), then the editor's save answers with the merge."""

    async def reach(page: Page) -> None:
        await page.goto(editor)
        current = await api(request, "GET", f"/wiki/pages/{page_id}")
        await api(
            request,
            "PUT",
            f"/wiki/pages/{page_id}",
            data={
                "base_revision": current["revision"],
                "body": f"{current['body']}\n\nSaved meanwhile {uuid.uuid4().hex[:6]}.",
            },
        )
        await page.locator("[data-wiki-body]").fill("Edited in the editor.")
        async with page.expect_navigation():
            await page.locator("button[name=intent][value=save]").click()
        assert await page.locator("[data-conflict]").count() == 1, "no conflict screen"

    return Visit("wiki conflict", reach=reach, alone=True)


async def prepare_employee(context: BrowserContext, me: dict, world: dict) -> list[Visit]:
    """Julien Martin owns Projet Atlas: its settings, its invitations, its files.
    He invites a contractor by e-mail: the link is the visitor's to open; he
    plans an event in it, for its page and its form; its board and a task. The
    innovation lab's campaign, its board and an idea he reads."""
    request = context.request
    atlas = await space_with(request, "projet-atlas")
    visits = await member_visits(
        request,
        me,
        space_slug="projet-atlas",
        hashtag="atlas",
        query="Atlas",
        wiki_title="Charte du projet Atlas",
        wiki_space=True,
    )
    scratch = await api(
        request,
        "POST",
        "/wiki/pages",
        data={"title": f"Brouillon {uuid.uuid4().hex[:6]}", "body": "Premier jet."},
    )
    invited = await api(
        request,
        "POST",
        f"/spaces/{atlas}/invitations",
        data={
            "email": f"invite-{uuid.uuid4().hex[:8]}@partenaire.example",
            "external_kind": "contractor",
            "access_ends_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        },
    )
    world["invitation"] = path_of(invited["accept_url"])
    soon = datetime.now(UTC) + timedelta(days=2)
    event = await api(
        request,
        "POST",
        "/calendar/events",
        data={
            "title": f"Revue Atlas {uuid.uuid4().hex[:6]}",
            "description": "Ordre du **jour**",
            "space_id": atlas,
            "time_zone": "Europe/Paris",
            "start": soon.strftime("%Y-%m-%dT10:00"),
            "end": soon.strftime("%Y-%m-%dT11:00"),
            "place": "Salle Jaurès",
            "capacity": 12,
        },
    )
    tasks = await api(request, "GET", f"/spaces/{atlas}/tasks")
    kick_off = next(task for task in tasks if task["links"]["event"])  # a checklist, a link
    lab = await space_with(request, "labo-innovation")
    [campaign] = await api(request, "GET", f"/spaces/{lab}/campaigns")
    idea = (await api(request, "GET", f"/campaigns/{campaign['id']}/ideas"))[0]
    return [
        *visits,
        Visit("task board", f"/spaces/{atlas}/tasks", alone=True),
        Visit("task", f"/tasks/{kick_off['id']}", alone=True),
        Visit("my tasks", "/tasks", alone=True),
        Visit("idea campaigns", f"/spaces/{lab}/campaigns", alone=True),
        Visit("idea campaign", f"/campaigns/{campaign['id']}", alone=True),
        Visit("idea board", f"/campaigns/{campaign['id']}/board", alone=True),
        Visit("idea", f"/ideas/{idea['id']}", alone=True),
        Visit("event", f"/calendar/events/{event['id']}", alone=True),
        Visit("event editor", f"/calendar/events/{event['id']}/edit", alone=True),
        Visit("new event", f"/calendar/new?space={atlas}", alone=True),
        Visit("space settings", f"/spaces/{atlas}?tab=settings", alone=True),
        Visit("new space", "/spaces/new", alone=True),
        Visit("document", await upload_document(request, atlas), alone=True),
        Visit("wiki editor", f"{scratch['url']}/edit", alone=True),
        Visit("new wiki page", "/wiki/new", alone=True),
        conflict_on(request, scratch["id"], f"{scratch['url']}/edit"),
    ]


async def prepare_administrator(context: BrowserContext, me: dict, world: dict) -> list[Visit]:
    """Camille Admin also creates a contractor who has not accepted the charter
    yet, and sees an idea with the forms that move it (administrators may)."""
    request = context.request
    world[NEWCOMER] = f"nouveau-{uuid.uuid4().hex[:8]}@partenaire.example"
    await api(
        request,
        "POST",
        "/admin/users",
        data={
            "email": world[NEWCOMER],
            "display_name": "Nouveau Prestataire",
            "password": DEMO_PASSWORD,
            "kind": "contractor",
        },
    )
    visits = await member_visits(
        request,
        me,
        space_slug="comite-de-direction",
        hashtag="atlas",
        query="Atlas",
        wiki_title="Guide d'accueil",
        wiki_space=False,
    )
    return [
        *visits,
        Visit("admin users", "/admin/users", alone=True),
        Visit("admin user", f"/admin/users/{me['id']}", alone=True),
        Visit("admin audit", "/admin/audit", alone=True),
        Visit("admin charter", "/admin/charter", alone=True),
        Visit("admin directory", "/admin/directory", alone=True),
        Visit("admin single sign-on", "/admin/sso", alone=True),
        Visit("idea with the moderators' forms", await idea_under_review(request), alone=True),
    ]


async def idea_under_review(request: APIRequestContext) -> str:
    """An idea of the innovation lab that may still be moved and made a project."""
    lab = await space_with(request, "labo-innovation")
    [campaign] = await api(request, "GET", f"/spaces/{lab}/campaigns")
    ideas = await api(
        request, "GET", f"/campaigns/{campaign['id']}/ideas", params={"status": "under_review"}
    )
    return f"/ideas/{ideas[0]['id']}"


async def prepare_contractor(context: BrowserContext, me: dict, world: dict) -> list[Visit]:
    return await member_visits(
        context.request,
        me,
        space_slug="projet-atlas",
        hashtag="atlas",
        query="Atlas",
        wiki_title="Charte du projet Atlas",
        wiki_space=True,
    )


async def prepare_alumnus(context: BrowserContext, me: dict, world: dict) -> list[Visit]:
    return await member_visits(
        context.request,
        me,
        space_slug="communaute-anciens",
        hashtag="alumni",
        query="anciens",
        wiki_title="Charte d'utilisation de Ruche",
        wiki_space=False,
    )


async def prepare_newcomer(context: BrowserContext, me: dict, world: dict) -> list[Visit]:
    return [Visit("charter to accept", "/charter", alone=True)]


async def prepare_visitor(context: BrowserContext, me: None, world: dict) -> list[Visit]:
    return [
        Visit("sign-in", "/login", alone=True),
        Visit("invitation acceptance", world["invitation"], alone=True),
        Visit("error 404 signed out", "/no-such-page", status=404, alone=True),
        Visit("API docs signed out", "/api/docs", alone=True),
    ]


def screenshot_name(kind: str, language: str, theme: str, size: dict) -> str:
    return f"{kind.replace(' ', '-')}-{language}-{theme}-{size['width']}x{size['height']}.png"


async def audit_page(
    page: Page, audit: Audit, account: Account, visit: Visit, language: str, theme: str
):
    await page.emulate_media(color_scheme=theme)
    if visit.reach is not None:
        await visit.reach(page)
    else:
        response = await page.goto(visit.path)
        assert response is not None and response.status == visit.status, (
            f"{account.kind} {visit.path}: {response.status if response else 'no answer'}"
        )
    assert await page.locator("html").get_attribute("lang") == language, (
        f"{account.kind} {visit.kind} not in {language}"
    )
    for violation in await page.evaluate(RUN_AXE):
        if violation["impact"] in FAILING_IMPACTS:
            audit.violations.append(
                f"{violation['id']} ({violation['impact']}: {violation['help']}) on "
                f"{visit.kind} {visit.path or ''} as {account.kind}, {language}, {theme}:\n"
                + "".join(f"    {target}\n" for target in violation["targets"])
                + f"    {violation['summary']}"
            )
    if ARTEFACTS is not None and (visit.kind, language) not in audit.shot:
        audit.shot.add((visit.kind, language))
        for size in (WIDE, NARROW):
            await page.set_viewport_size(size)
            await page.screenshot(
                path=ARTEFACTS / screenshot_name(visit.kind, language, theme, size)
            )
        await page.set_viewport_size(WIDE)


def schedule(account: Account, visits: list[Visit]) -> list[tuple[Visit, tuple[str, str]]]:
    """Each visit in its combination of the design (and the opposite one when it is
    ``alone``), French first, so that the language changes once."""
    planned = []
    for index, visit in enumerate(visits):
        first = (account.offset + index) % len(COMBINATIONS)
        planned.append((visit, COMBINATIONS[first]))
        if visit.alone:
            planned.append((visit, COMBINATIONS[(first + 2) % len(COMBINATIONS)]))
    return sorted(planned, key=lambda planned_visit: planned_visit[1][0] != "fr")


async def speak(context: BrowserContext, me: dict | None, language: str) -> None:
    """The account's language, or the browser's before sign-in."""
    if me:
        await api(context.request, "PATCH", "/me", data={"language": language})
    else:
        await context.set_extra_http_headers({"Accept-Language": language})


async def audit_account(
    browser: Browser, live_server: str, audit: Audit, world: dict, account: Account
) -> None:
    """One context for the account: signed in, its pages prepared, then each
    language in turn with its theme; its language restored at the end."""
    context = await browser.new_context(base_url=live_server, viewport=WIDE)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    # An init script is the one way in that the pages' Content-Security-Policy allows.
    await context.add_init_script(path=AXE_SCRIPT)
    try:
        email = world.get(account.email, account.email)
        me = await sign_in(context, email) if email else None
        visits = await account.prepare(context, me, world)
        original_language = me["language"] if me else None
        page = await context.new_page()
        try:
            current = None
            for visit, (language, theme) in schedule(account, visits):
                if language != current:
                    await speak(context, me, language)
                    current = language
                await audit_page(page, audit, account, visit, language, theme)
        finally:
            if original_language:
                await speak(context, me, original_language)
    finally:
        await context.close()


# Two lanes audited side by side (the server and the browser each keep a core
# busy), each in order: the employee issues the invitation the visitor opens, the
# administrator creates the newcomer.
LANES = [
    [
        Account("employee", "julien.martin@ruche.example", 0, prepare_employee),
        Account("contractor", "marc.lambert@prestataire.example", 1, prepare_contractor),
        Account("visitor", None, 0, prepare_visitor),
    ],
    [
        Account("administrator", "admin@ruche.example", 2, prepare_administrator),
        Account("alumnus", "antoine.girard@ruche.example", 3, prepare_alumnus),
        Account("contractor before the charter", NEWCOMER, 0, prepare_newcomer),
    ],
]


async def test_no_serious_accessibility_violation_on_any_page(browser: Browser, live_server: str):
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"axe-core is missing ({AXE_SCRIPT}): run `npm ci` at the project root first.",
            pytrace=False,
        )
    if ARTEFACTS is not None:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
    audit, world = Audit(), {}

    async def audit_lane(accounts: list[Account]) -> None:
        for account in accounts:
            await audit_account(browser, live_server, audit, world, account)

    await asyncio.gather(*(audit_lane(lane) for lane in LANES))
    assert not audit.violations, (
        f"{len(audit.violations)} serious or critical accessibility violations:\n"
        + "\n".join(audit.violations)
    )
