"""Who may see what of the wiki. A page a viewer may not read — for its
container, its level or its audience — is absent from every output path, as
if it did not exist: 404 (not 403) on its own paths, left out of lists,
search, backlinks, the activity catch-up and notifications, a red link where
another page names it, a free name where it holds one. And a sub-page is
never readable by someone its parent keeps out."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.access import can_see_event, load_reader, readable
from app.errors import NotFound
from app.levels import Level
from app.models import Activity, User, WikiPage
from app.services import wiki
from app.services.wiki.links import find_by_slug
from tests.helpers import expect_error
from tests.space_helpers import admin_client
from tests.stream_helpers import NOTIFICATIONS, notified, person
from tests.wiki_helpers import (
    PAGES,
    PREVIEW,
    SEARCH,
    bin_of,
    catch_up,
    create_page,
    ids,
    newest_event_id,
    pages_of,
    read_page,
    save_page,
    wikilink,
)

MISSING = 2**62  # no page has this id


@dataclass(frozen=True)
class Case:
    """One viewer and one page: where it lives, how narrow it is, whether the
    viewer is a member of its space, and whether they should read it."""

    container: str | None  # a space's visibility, None: the company wiki
    kind: str = "employee"
    member: bool = False
    clearance: str | None = None
    level: str = "internal"
    audience: str | None = None  # "others", "viewer" (includes them), None
    readable: bool = False

    def __str__(self) -> str:
        parts = [self.container or "company", self.kind, "member" if self.member else "outsider"]
        parts += [self.level, f"audience={self.audience}", "reads" if self.readable else "hidden"]
        return "-".join(parts)


CASES = [
    # The company wiki: everyone active, externals at public only.
    Case(None, kind="contractor"),
    Case(None, kind="alumni"),
    Case(None, level="confidential"),
    Case(None, audience="others"),
    Case(None, kind="alumni", level="public", readable=True),
    Case(None, audience="viewer", readable=True),
    # An open space: every employee, its external members at public only.
    Case("open", kind="alumni", level="public"),
    Case("open", kind="contractor", member=True),
    Case("open", readable=True),
    Case("open", kind="contractor", member=True, level="public", readable=True),
    # A private space: its members only.
    Case("private"),
    Case("private", member=True, level="confidential"),
    Case("private", member=True, audience="others"),
    Case("private", member=True, clearance="confidential", level="confidential", readable=True),
    # A secret space: its members only, and it does not exist for others.
    Case("secret"),
    Case("secret", kind="alumni", level="public"),
    Case("secret", member=True, audience="others", level="public"),
    Case("secret", member=True, audience="viewer", readable=True),
]


@dataclass
class World:
    author_client: object
    viewer_client: object
    space: object
    page: dict  # the page under test, with two revisions
    target: dict  # a page of the same wiki that ``page`` links to
    linking: dict  # a public company page that links to ``page``
    link_text: str
    since: int


async def build(make, session, case: Case) -> World:
    author, author_client = await person(make, clearance="secret")
    other = await make.user()
    viewer, viewer_client = await person(
        make, kind=case.kind, **({"clearance": case.clearance} if case.clearance else {})
    )
    space = None
    if case.container is not None:
        space = await make.space(
            owner=author,
            visibility=case.container,
            allows_externals=True,
            members=[viewer] if case.member else [],
        )
    space_id = space.id if space else None
    audience = {"others": [other.id], "viewer": [other.id, viewer.id], None: None}[case.audience]
    since = await newest_event_id(session)
    target = await create_page(author_client, "Sommaire", space_id=space_id, level="public")
    page = await create_page(
        author_client,
        "Cible",
        "mot-introuvable [[Sommaire]]",
        space_id=space_id,
        level=case.level,
        audience=audience,
    )
    page = await save_page(author_client, page, body="mot-introuvable, revu [[Sommaire]]")
    link_text = f"{space.slug}:Cible" if space else "Cible"
    linking = await create_page(author_client, "Renvoi", f"[[{link_text}]]", level="public")
    return World(author_client, viewer_client, space, page, target, linking, link_text, since)


async def not_found(client, method: str, page_id: int, path: str = "", **request) -> None:
    """``path`` of the page answers 404, word for word as for a page that does
    not exist."""
    response = await client.request(method, f"{PAGES}/{page_id}{path}", **request)
    missing = await client.request(method, f"{PAGES}/{MISSING}{path}", **request)
    error = expect_error(response, 404, "not_found", sent=(method, path))
    assert error == expect_error(missing, 404, "not_found", sent=(method, path))


def sees_space(case: Case) -> bool:
    """Whether the page's space exists for the viewer (ARCHITECTURE.md: private
    spaces are listed to employees, secret ones to their members only)."""
    if case.container is None:
        return True
    return case.member or (case.kind == "employee" and case.container != "secret")


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_a_page_is_on_every_path_or_on_none(make, session, case):
    world = await build(make, session, case)
    client, page = world.viewer_client, world.page
    listed = await client.get(pages_of(world.space.id if world.space else None))
    found = await client.get(SEARCH, params={"q": "mot-introuvable"})
    linking = await read_page(client, world.linking["id"])
    preview = await client.post(PREVIEW, json={"body": f"[[{world.link_text}]]"})
    events = [e for e in await catch_up(client, world.since) if e["page_id"] == page["id"]]

    if case.readable:
        assert (await read_page(client, page["id"]))["revision"] == 2
        assert page["id"] in ids(listed) and ids(found) == [page["id"]]
        assert wikilink(page["url"], world.link_text) in linking["body_html"]
        assert wikilink(page["url"], world.link_text) in preview.json()["html"]
        assert [e["kind"] for e in events] == ["wiki.page.created", "wiki.page.edited"]
        assert ids(await client.get(f"{PAGES}/{world.target['id']}/backlinks")) == [page["id"]]
        for path in ("/revisions", "/revisions/1", "/diff", "/backlinks"):
            assert (await client.get(f"{PAGES}/{page['id']}{path}")).status_code == 200, path
        return

    for path in ("", "/revisions", "/revisions/1", "/diff?old=1&new=2", "/backlinks"):
        await not_found(client, "GET", page["id"], path)
    # Writing through it is no way to learn of it, a stale save included.
    await not_found(client, "PUT", page["id"], json={"base_revision": 2, "body": "écrasé"})
    await not_found(client, "PUT", page["id"], json={"base_revision": 1, "body": "écrasé"})
    await not_found(client, "DELETE", page["id"])
    await not_found(client, "PUT", page["id"], "/watch")
    await not_found(client, "DELETE", page["id"], "/watch")
    await not_found(client, "POST", page["id"], "/move", json={})
    await not_found(client, "POST", page["id"], "/restore")
    await not_found(client, "POST", page["id"], "/revisions/1/restore", json={"base_revision": 2})
    # Not even as a parent: the same answer as a page that does not exist.
    response = await client.post(PAGES, json={"title": "Enfant", "parent_id": page["id"]})
    missing = await client.post(PAGES, json={"title": "Enfant", "parent_id": MISSING})
    assert (response.status_code, response.json()) == (missing.status_code, missing.json())
    if sees_space(case):
        assert page["id"] not in ids(listed)
    else:
        expect_error(listed, 404, "not_found")
    assert ids(found) == []
    red = page["url"].rsplit("/", 1)[0] + "/new?title=Cible" if sees_space(case) else "#"
    assert wikilink(red, world.link_text, missing=True) in linking["body_html"]
    assert wikilink(red, world.link_text, missing=True) in preview.json()["html"]
    assert page["url"] not in linking["body_html"] + preview.json()["html"]
    assert events == []
    target = await client.get(f"{PAGES}/{world.target['id']}/backlinks")
    if target.status_code == 200:
        assert ids(target) == []
    # Nothing was written through any of those paths.
    assert await read_page(world.author_client, page["id"]) == page


async def test_a_deactivated_viewer_reads_nothing(make, session):
    author, author_client = await person(make)
    viewer, client = await person(make)
    space = await make.space(owner=author, members=[viewer])
    page = await create_page(author_client, "Ouverte", level="public", space_id=space.id)
    await client.put(f"{PAGES}/{page['id']}/watch")
    viewer.is_active = False
    await session.commit()

    for path in (f"{PAGES}/{page['id']}", PAGES, f"{SEARCH}?q=Ouverte", "/api/v1/events"):
        expect_error(await client.get(path), 401, sent=path)
    with pytest.raises(NotFound):
        await wiki.access_page(session, viewer=viewer, page_id=page["id"])
    assert await session.scalar(select(WikiPage.id).where(readable(viewer, WikiPage))) is None
    await save_page(author_client, page, body="Changée")
    assert await notified(session, viewer) == []


# --- links, backlinks, names ----------------------------------------------------------


async def test_a_link_into_a_secret_space_reads_as_one_into_no_space(make):
    author, author_client = await person(make)
    _reader, client = await person(make)
    secret = await make.space(owner=author, visibility="secret")
    await create_page(author_client, "Plan", space_id=secret.id)

    html = (await client.post(PREVIEW, json={"body": f"[[{secret.slug}:Plan]]"})).json()["html"]
    nowhere = (await client.post(PREVIEW, json={"body": "[[nulle-part:Plan]]"})).json()["html"]

    assert html.replace(secret.slug, "nulle-part") == nowhere
    assert f"/spaces/{secret.id}/" not in html


async def test_backlinks_show_only_the_sources_the_reader_may_read(make):
    author, author_client = await person(make, clearance="confidential")
    reader, client = await person(make)
    # The reader is a member of the private space, not of the secret one.
    private = await make.space(owner=author, visibility="private", members=[reader])
    secret = await make.space(owner=author, visibility="secret")
    target = await create_page(author_client, "Charte", level="public")
    shown = [
        await create_page(author_client, "Lu", "[[Charte]]"),
        await create_page(author_client, "Privé", "[[:Charte]]", space_id=private.id),
    ]
    hidden = [
        await create_page(author_client, "Haut", "[[Charte]]", level="confidential"),
        await create_page(author_client, "Restreint", "[[Charte]]", audience=[]),
        await create_page(author_client, "Secret", "[[:Charte]]", space_id=secret.id),
    ]
    deleted = await create_page(author_client, "Parti", "[[Charte]]")
    await author_client.delete(f"{PAGES}/{deleted['id']}")

    backlinks = f"{PAGES}/{target['id']}/backlinks"
    assert ids(await client.get(backlinks)) == [page["id"] for page in shown]
    assert ids(await author_client.get(backlinks)) == [
        page["id"] for page in sorted(shown + hidden, key=lambda page: page["title"])
    ]


async def test_a_name_held_by_a_hidden_page_is_free_without_a_suffix(make, session):
    """A ``-2`` would tell the writer, and everyone who reads their page, that a
    page they may not read bears the title: the name is theirs as it is."""
    author, author_client = await person(make, clearance="confidential")
    writer, client = await person(make)
    space = await make.space(owner=author, visibility="private", members=[writer])
    hidden = await create_page(author_client, "Fusion", level="confidential")
    narrowed = await create_page(author_client, "Budget", space_id=space.id, audience=[])

    mine = await create_page(client, "Fusion")
    also = await create_page(client, "Budget", space_id=space.id)
    other = await create_page(client, "Fusion 2")

    assert (mine["slug"], also["slug"], other["slug"]) == ("fusion", "budget", "fusion-2")
    # A title the writer may see is refused.
    draft = await create_page(client, "Brouillon")
    for response in (
        await client.post(PAGES, json={"title": "Fusion"}),
        await client.put(f"{PAGES}/{draft['id']}", json={"base_revision": 1, "title": "FUSION"}),
    ):
        assert response.status_code == 409, response.text
        assert response.json()["error"]["page_id"] == mine["id"]
    assert (await read_page(author_client, hidden["id"]))["slug"] == "fusion"
    assert (await read_page(author_client, narrowed["id"]))["slug"] == "budget"
    # The name finds, for each reader, the page they may read; for one who may
    # read both, the first to have claimed it.
    found = await find_by_slug(session, viewer=writer, space_id=None, slug="fusion")
    assert found.id == mine["id"]
    found = await find_by_slug(session, viewer=author, space_id=None, slug="fusion")
    assert found.id == hidden["id"]
    found = await find_by_slug(session, viewer=writer, space_id=space.id, slug="budget")
    assert found.id == also["id"]


async def test_an_old_name_of_a_hidden_page_finds_nothing(make, session):
    author, author_client = await person(make, clearance="confidential")
    reader = await make.user()
    page = await create_page(author_client, "Avant", level="confidential")
    await save_page(author_client, page, title="Après")

    for slug in ("avant", "apres"):
        with pytest.raises(NotFound):
            await find_by_slug(session, viewer=reader, space_id=None, slug=slug)
        assert (
            await find_by_slug(session, viewer=author, space_id=None, slug=slug)
        ).slug == "apres"


# --- notifications and the activity catch-up ---------------------------------------------


async def lose_access_by_leaving(make, session, space, page, watcher, author_client):
    await (await make.bearer(watcher)).post(f"/api/v1/spaces/{space.id}/leave")


async def lose_access_by_a_raise(make, session, space, page, watcher, author_client):
    await save_page(author_client, page, level="confidential")


async def lose_access_by_an_audience(make, session, space, page, watcher, author_client):
    await save_page(author_client, page, audience=[])


async def lose_access_by_offboarding(make, session, space, page, watcher, author_client):
    _admin, client = await admin_client(make)
    response = await client.post(f"/api/v1/admin/users/{watcher.id}/offboard")
    assert response.status_code == 200, response.text


async def lose_access_by_deactivation(make, session, space, page, watcher, author_client):
    watcher.is_active = False
    await session.commit()


@pytest.mark.parametrize(
    "lose_access",
    [
        lose_access_by_leaving,
        lose_access_by_a_raise,
        lose_access_by_an_audience,
        lose_access_by_offboarding,
        lose_access_by_deactivation,
    ],
)
async def test_a_watcher_who_lost_access_is_told_nothing_more(make, session, lose_access):
    author, author_client = await person(make, clearance="confidential")
    watcher, watcher_client = await person(make)
    space = await make.space(owner=author, visibility="private", members=[watcher])
    page = await create_page(author_client, "Suivie", "v1", space_id=space.id)
    assert (await watcher_client.put(f"{PAGES}/{page['id']}/watch")).status_code == 200
    page = await save_page(author_client, page, body="v2")
    assert len(await notified(session, watcher, kind="wiki_page_changed")) == 1
    since = await newest_event_id(session)

    await lose_access(make, session, space, page, watcher, author_client)
    page = await read_page(author_client, page["id"])
    await save_page(author_client, page, body="v3")

    # Only the notification of v2, from before, is stored, and none announced since...
    assert [n.data["revision"] for n in await notified(session, watcher)] == [2]
    announced = await session.scalars(
        select(Activity.id).where(
            Activity.id > since,
            Activity.user_id == watcher.id,
            Activity.kind == "notification.created",
        )
    )
    assert list(announced) == []
    # ...and the watcher no longer sees even that one, nor counts it.
    if watcher.is_active and lose_access is not lose_access_by_offboarding:
        shown = (await watcher_client.get(NOTIFICATIONS)).json()
        assert (shown["items"], shown["unread_count"]) == ([], 0)


async def test_the_catch_up_hides_a_pages_events_once_its_level_is_raised(make, session):
    _author, author_client = await person(make, clearance="confidential")
    reader, reader_client = await person(make)
    since = await newest_event_id(session)
    page = await create_page(author_client, "Annonce")
    await reader_client.put(f"{PAGES}/{page['id']}/watch")
    page = await save_page(author_client, page, body="Texte")

    before = [e for e in await catch_up(reader_client, since) if e["page_id"] == page["id"]]
    assert [e["kind"] for e in before] == [
        "wiki.page.created",
        "notification.created",
        "wiki.page.edited",
    ]
    assert before[1]["user_id"] == reader.id

    await save_page(author_client, page, level="confidential")

    assert [e for e in await catch_up(reader_client, since) if e["page_id"] == page["id"]] == []
    assert (await reader_client.get(NOTIFICATIONS)).json()["items"] == []
    # The author still sees the page's own events (not the reader's notification).
    after = [e for e in await catch_up(author_client, since) if e["page_id"] == page["id"]]
    assert [e["kind"] for e in after] == ["wiki.page.created", "wiki.page.edited"]


async def test_the_catch_up_hides_a_private_wikis_events_from_outsiders(make, session):
    author, author_client = await person(make)
    _outsider, outsider_client = await person(make)
    _external, external_client = await person(make, kind="alumni")
    private = await make.space(owner=author, visibility="private")
    since = await newest_event_id(session)

    page = await create_page(author_client, "Interne", space_id=private.id)
    public = await create_page(author_client, "Publique", level="public")
    await save_page(author_client, page, body="x")
    await author_client.post(f"{PAGES}/{page['id']}/move", json={})
    await author_client.delete(f"{PAGES}/{page['id']}")

    for client in (outsider_client, external_client):
        seen = {e["page_id"] for e in await catch_up(client, since)}
        assert page["id"] not in seen and public["id"] in seen


async def test_what_a_socket_is_sent_of_the_wiki_is_what_the_catch_up_returns(make, session, heard):
    """For every reader, the wiki events the hub would let through (app/access.py's
    can_see_event) are exactly those GET /events returns."""
    owner, owner_client = await person(make, clearance="confidential")
    member, member_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    _employee, employee_client = await person(make)
    _alumni, alumni_client = await person(make, kind="alumni")
    clients = [owner_client, member_client, contractor_client, employee_client, alumni_client]
    spaces = [
        await make.space(
            owner=owner, visibility=visibility, members=[member, contractor], allows_externals=True
        )
        for visibility in ("open", "private", "secret")
    ]
    since = await newest_event_id(session)

    for space in [None, *spaces]:
        where = {"space_id": space.id} if space else {}
        for fields in ({"level": "public"}, {"level": "confidential"}, {"audience": [member.id]}):
            page = await create_page(owner_client, f"Page {fields}", **where, **fields)
            for client in clients:
                await client.put(f"{PAGES}/{page['id']}/watch")
            page = await save_page(owner_client, page, body="revue")
            await owner_client.post(f"{PAGES}/{page['id']}/move", json={})

    events = [event for event in await heard.settled() if event.id > since]
    assert {"wiki.page.created", "wiki.page.edited", "wiki.page.moved"} <= {
        event.kind for event in events
    }
    assert any(event.kind == "notification.created" and event.page_id for event in events)
    for client in clients:
        me = (await client.get("/api/v1/me")).json()
        reader = await load_reader(session, await session.get(User, me["id"]))
        live = [event.id for event in events if can_see_event(reader, event.ref())]
        assert [event["id"] for event in await catch_up(client, since)] == live, me["kind"]


# --- the tree: a sub-page is never wider than its parent ----------------------------------


async def test_a_sub_page_takes_its_parents_level_and_audience_by_default(make):
    _author, client = await person(make, clearance="confidential")
    colleague = await make.user()
    parent = await create_page(client, "Haut", level="confidential", audience=[colleague.id])

    child = await create_page(client, "Bas", parent_id=parent["id"])

    assert (child["level"], child["audience"]) == ("confidential", [colleague.id])
    narrower = await create_page(client, "Plus bas", parent_id=parent["id"], audience=[])
    assert narrower["audience"] == []


@pytest.mark.parametrize(
    ("parent_fields", "child_fields", "code"),
    [
        ({"level": "confidential"}, {"level": "internal"}, "write_down"),
        ({"audience": "colleague"}, {"audience": "both"}, "wider_than_parent"),
        (
            {"level": "internal", "audience": "colleague"},
            {"audience": "other"},
            "wider_than_parent",
        ),
    ],
)
async def test_a_sub_page_wider_than_its_parent_is_refused(
    make, session, parent_fields, child_fields, code
):
    _author, client = await person(make, clearance="confidential")
    colleague, other = await make.user(), await make.user()
    people = {"colleague": [colleague.id], "other": [other.id], "both": [colleague.id, other.id]}

    def fields(spec: dict) -> dict:
        return {k: people.get(v, v) if k == "audience" else v for k, v in spec.items()}

    parent = await create_page(client, "Haut", **fields(parent_fields))
    loose = await create_page(client, "Libre", **fields(child_fields))
    count = len(ids(await client.get(PAGES)))

    response = await client.post(
        PAGES, json={"title": "Bas", "parent_id": parent["id"], **fields(child_fields)}
    )
    expect_error(response, 422, code)
    response = await client.post(f"{PAGES}/{loose['id']}/move", json={"parent_id": parent["id"]})
    expect_error(response, 422, code)
    assert len(ids(await client.get(PAGES))) == count
    assert (await read_page(client, loose["id"]))["parent_id"] is None


async def test_a_sub_page_cannot_be_made_wider_than_its_parent(make):
    _author, client = await person(make, clearance="confidential")
    colleague = await make.user()
    parent = await create_page(client, "Haut", level="confidential", audience=[colleague.id])
    child = await create_page(client, "Bas", parent_id=parent["id"])

    for sent, code in (
        ({"level": "internal"}, "write_down"),
        ({"audience": None}, "wider_than_parent"),
        ({"audience": [colleague.id, 2**62]}, "unknown_audience"),
    ):
        response = await client.put(f"{PAGES}/{child['id']}", json={"base_revision": 1, **sent})
        expect_error(response, 422, code, sent=sent)
    assert await read_page(client, child["id"]) == child


async def test_raising_a_parents_level_raises_every_sub_page(make, session):
    _author, client = await person(make, clearance="secret")
    _reader, reader_client = await person(make)
    top = await create_page(client, "Haut")
    middle = await create_page(client, "Milieu", parent_id=top["id"])
    low = await create_page(client, "Bas", parent_id=middle["id"])
    already = await create_page(client, "Déjà", parent_id=top["id"], level="secret")
    aside = await create_page(client, "À côté")

    await save_page(client, top, level="confidential")

    levels = {p["id"]: (await read_page(client, p["id"]))["level"] for p in (middle, low, already)}
    assert levels == {
        middle["id"]: "confidential",
        low["id"]: "confidential",
        already["id"]: "secret",
    }
    assert (await read_page(client, aside["id"]))["level"] == "internal"
    assert ids(await reader_client.get(PAGES)) == [aside["id"]]
    # Lowering it again leaves the sub-pages where they are: nothing widens by itself.
    await save_page(client, await read_page(client, top["id"]), level="internal")
    assert (await read_page(client, low["id"]))["level"] == "confidential"


async def test_narrowing_a_parent_narrows_its_wider_sub_pages_even_those_the_editor_cannot_read(
    make,
):
    """The sub-pages follow, as they follow a raised level: never wider than
    their parent, and nothing tells the editor about sub-pages hidden from them."""
    author, client = await person(make)
    _cleared, cleared_client = await person(make, clearance="confidential")
    colleague, other = await make.user(), await make.user()
    other_client = await make.bearer(other)
    parent = await create_page(client, "Haut")
    open_child = await create_page(client, "Bas", parent_id=parent["id"])
    named_child = await create_page(
        client, "Nommés", parent_id=parent["id"], audience=[colleague.id, other.id]
    )
    hidden_child = await create_page(
        cleared_client, "Caché", parent_id=parent["id"], level="confidential"
    )
    grandchild = await create_page(client, "Petit", parent_id=open_child["id"])
    assert len(ids(await other_client.get(PAGES))) == 4
    expect_error(await client.get(f"{PAGES}/{hidden_child['id']}"), 404, "not_found")

    response = await client.put(
        f"{PAGES}/{parent['id']}",
        json={"base_revision": 1, "audience": [colleague.id], "body": "x"},
    )

    assert response.status_code == 200, response.text
    audiences = {
        p["id"]: (await read_page(client, p["id"]))["audience"]
        for p in (parent, open_child, named_child, grandchild)
    }
    assert audiences == {
        parent["id"]: [colleague.id],
        open_child["id"]: sorted([colleague.id, author.id]),
        named_child["id"]: [colleague.id],
        grandchild["id"]: sorted([colleague.id, author.id]),
    }
    # The sub-page hidden from the editor was narrowed too; its own author still
    # reads it (an author always does).
    narrowed = await read_page(cleared_client, hidden_child["id"])
    assert narrowed["audience"] == sorted([colleague.id, author.id])
    assert ids(await other_client.get(PAGES)) == []


async def test_a_sub_page_restored_after_its_parent_was_raised_is_raised_too(make):
    """In the bin, it was not raised with its parent; restored under it as it
    was, it would be readable by people the parent now keeps out."""
    _admin, admin = await person(make, role="admin", clearance="confidential")
    _reader, reader_client = await person(make)
    parent = await create_page(admin, "Haut")
    child = await create_page(admin, "Bas", "secret de polichinelle", parent_id=parent["id"])
    await admin.delete(f"{PAGES}/{child['id']}")
    await save_page(admin, parent, level="confidential")

    restored = (await admin.post(f"{PAGES}/{child['id']}/restore")).json()

    assert (restored["parent_id"], restored["level"]) == (parent["id"], "confidential")
    assert ids(await reader_client.get(SEARCH, params={"q": "polichinelle"})) == []


async def test_a_sub_page_restored_after_its_parent_was_narrowed_comes_back_at_the_top(make):
    """Its audience is its own to choose: rather than widen its parent's or
    narrow its own, it comes back where nothing constrains it, as wide as it was."""
    _admin, admin = await person(make, role="admin")
    colleague = await make.user()
    parent = await create_page(admin, "Haut")
    child = await create_page(admin, "Bas", parent_id=parent["id"])
    await admin.delete(f"{PAGES}/{child['id']}")
    await save_page(admin, parent, audience=[colleague.id])

    restored = (await admin.post(f"{PAGES}/{child['id']}/restore")).json()

    assert (restored["parent_id"], restored["level"], restored["audience"]) == (
        None,
        "internal",
        None,
    )


async def test_a_hidden_sub_page_is_raised_with_its_parent_all_the_same(make, session):
    _author, client = await person(make, clearance="confidential")
    _colleague, colleague_client = await person(make)
    top = await create_page(client, "Haut")
    hidden = await create_page(colleague_client, "À moi", parent_id=top["id"], audience=[])

    await save_page(client, top, level="confidential")

    assert (await session.get(WikiPage, hidden["id"], populate_existing=True)).level is (
        Level.CONFIDENTIAL
    )


# --- the bin ---------------------------------------------------------------------------


async def test_the_bin_holds_only_what_its_moderator_may_read(make):
    owner, owner_client = await person(make)
    cleared, cleared_client = await person(make, clearance="confidential")
    _outsider, outsider_client = await person(make)
    space = await make.space(owner=owner, visibility="secret", members=[cleared])
    hidden = await create_page(cleared_client, "Haut", space_id=space.id, level="confidential")
    shown = await create_page(cleared_client, "Bas", space_id=space.id)
    for page in (hidden, shown):
        assert (await cleared_client.delete(f"{PAGES}/{page['id']}")).status_code == 204

    assert ids(await owner_client.get(bin_of(space.id))) == [shown["id"]]
    expect_error(await owner_client.post(f"{PAGES}/{hidden['id']}/restore"), 404, "not_found")
    expect_error(await outsider_client.get(bin_of(space.id)), 404, "not_found")
    expect_error(await cleared_client.get(bin_of(space.id)), 403, "forbidden")
    expect_error(await cleared_client.post(f"{PAGES}/{shown['id']}/restore"), 404, "not_found")


async def test_a_hidden_spaces_wiki_answers_like_a_missing_one(make):
    owner = await make.user()
    _outsider, client = await person(make)
    secret = await make.space(owner=owner, visibility="secret")

    for method, path, body in (
        ("GET", "/api/v1/spaces/{id}/wiki/pages", None),
        ("POST", "/api/v1/spaces/{id}/wiki/pages", {"title": "x"}),
        ("GET", "/api/v1/spaces/{id}/wiki/deleted", None),
    ):
        answers = [
            await client.request(method, path.format(id=space_id), json=body)
            for space_id in (secret.id, MISSING)
        ]
        assert [(r.status_code, r.json()) for r in answers] == [
            (404, answers[1].json()),
            (404, answers[1].json()),
        ]
    hidden = await client.post(PREVIEW, json={"space_id": secret.id, "body": "x"})
    missing = await client.post(PREVIEW, json={"space_id": MISSING, "body": "x"})
    assert (hidden.status_code, hidden.json()) == (404, missing.json())


async def test_lowering_a_page_declassifies_its_current_text_not_its_history(make):
    _author, client = await person(make, clearance="secret")
    _reader, reader_client = await person(make)
    page = await create_page(client, "Fusion", "Cible : Dupont SA", level="secret")
    page = await save_page(client, page, body="Cible : Martin SA")

    lowered = await save_page(client, page, level="internal")

    assert lowered["level"] == "internal"
    seen = await reader_client.get(f"{PAGES}/{page['id']}")
    assert seen.status_code == 200 and seen.json()["body"] == "Cible : Martin SA"
    history = (await reader_client.get(f"{PAGES}/{page['id']}/revisions")).json()["items"]
    assert [revision["number"] for revision in history] == [2]
    for path in (f"{PAGES}/{page['id']}/revisions/1", f"{PAGES}/{page['id']}/diff?old=1&new=2"):
        expect_error(await reader_client.get(path), 404, "not_found")
    restore = await reader_client.post(
        f"{PAGES}/{page['id']}/revisions/1/restore", json={"base_revision": 2}
    )
    expect_error(restore, 404, "not_found")
    # Those cleared for the old level still see the whole history.
    full = (await client.get(f"{PAGES}/{page['id']}/revisions")).json()["items"]
    assert [revision["number"] for revision in full] == [2, 1]
