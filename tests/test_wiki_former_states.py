"""What a wiki reader sees is never computed from what they may not read:
former states (an old revision's text in an edit conflict, an old name that
redirects) answer only readers cleared for the level they had; positions and
names are computed among what the reader may read (no gap, no ``-2``); and
a page's audience names to an external only the people they may know of."""

import httpx

from app.models import User
from tests.stream_helpers import person
from tests.wiki_helpers import (
    API,
    PAGES,
    create_page,
    edit_conflict,
    pages_of,
    read_page,
    save_page,
    wikilink,
)

SECRET_TEXT = "Rachat de Zephyr le 3 mars"
SECRET_NAME = "Projet Zephyr"


async def secret_then_lowered(make) -> tuple[User, httpx.AsyncClient, dict]:
    """A page whose first revision and first name were secret: renamed and
    rewritten while secret, then lowered to internal."""
    author, author_client = await person(make, clearance="secret")
    page = await create_page(author_client, SECRET_NAME, SECRET_TEXT, level="secret")
    page = await save_page(author_client, page, title="Projet", body="Texte de tous.")
    page = await save_page(author_client, page, level="internal")
    assert (page["revision"], page["slug"], page["level"]) == (2, "projet", "internal")
    return author, author_client, page


# --- 1. hidden history through an edit conflict -----------------------------------------


async def test_a_conflict_against_a_base_the_reader_may_not_read_shows_the_current_text_only(
    make, browser_of
):
    _author, author_client, page = await secret_then_lowered(make)
    reader, client = await person(make)
    browser, csrf = await browser_of(reader)

    stale = await client.put(
        f"{PAGES}/{page['id']}", json={"base_revision": 1, "body": "Ma version."}
    )
    screen = await browser.post(
        f"/wiki/pages/{page['id']}/edit",
        data={"base_revision": "1", "title": "Projet", "body": "Ma version.", "csrf_token": csrf},
    )
    restore = await client.post(
        f"{PAGES}/{page['id']}/revisions/1/restore", json={"base_revision": 2}
    )
    # Its author, cleared for it, gets the merge; but may not copy the secret
    # text into the page it lowered (that would declassify it).
    cleared = edit_conflict(
        await author_client.put(
            f"{PAGES}/{page['id']}", json={"base_revision": 1, "body": "Ma version."}
        )
    )
    write_down = await author_client.post(
        f"{PAGES}/{page['id']}/revisions/1/restore", json={"base_revision": 2}
    )

    error = edit_conflict(stale)
    assert (error["diff"], error["merged"]) == (None, None)
    assert error["current"]["body"] == "Texte de tous."
    assert screen.status_code == 409
    assert "Texte de tous." in screen.text and "Ma version." in screen.text
    for answer in (stale, screen):
        assert "Zephyr" not in answer.text and "3 mars" not in answer.text
    assert restore.status_code == 404
    assert "Zephyr le 3 mars" in str(cleared["diff"]) and cleared["merged"]["body"]
    assert write_down.status_code == 422 and write_down.json()["error"]["code"] == "write_down"


# --- 2. former names that still answer ---------------------------------------------------------


async def test_a_name_borne_while_secret_answers_like_an_unknown_one(make, browser_of):
    author, author_client, page = await secret_then_lowered(make)
    author_browser, _csrf = await browser_of(author)
    reader, client = await person(make)
    browser, _csrf = await browser_of(reader)
    linking = await create_page(client, "Liens", f"[[{SECRET_NAME}]]")

    for suffix in ("", "/history", "/edit"):
        old = await browser.get(f"/wiki/projet-zephyr{suffix}")
        unknown = await browser.get(f"/wiki/projet-inconnu{suffix}")
        assert old.status_code == unknown.status_code == 404, suffix
        assert old.text == unknown.text, suffix
        assert _headers(old) == _headers(unknown), suffix
    # The link names nothing the reader may read: red, as a missing page.
    shown = await read_page(client, linking["id"])
    red = wikilink(f"/wiki/new?title={SECRET_NAME.replace(' ', '+')}", SECRET_NAME, missing=True)
    assert red in shown["body_html"]
    backlinks = await client.get(f"{PAGES}/{page['id']}/backlinks")
    assert backlinks.json()["items"] == []
    # Those cleared for it are still sent on.
    moved = await author_browser.get("/wiki/projet-zephyr")
    assert (moved.status_code, moved.headers["location"]) == (301, "/wiki/projet")
    # A name shown at internal (lowered, then renamed) redirects internal readers.
    page = await save_page(author_client, page, title="Projet final")
    renamed = await browser.get("/wiki/projet")
    assert (renamed.status_code, renamed.headers["location"]) == (301, "/wiki/projet-final")


def _headers(response: httpx.Response) -> dict:
    """What a response tells besides its body, less what differs per request."""
    return {name: value for name, value in response.headers.items() if name not in {"date"}}


# --- 3. counts and numbering ---------------------------------------------------------------------


async def test_positions_count_only_the_siblings_the_reader_may_read(make):
    _author, author_client = await person(make, clearance="confidential")
    _reader, client = await person(make)
    top = await create_page(author_client, "Racine")
    first = await create_page(author_client, "Premier", parent_id=top["id"])
    hidden = await create_page(author_client, "Caché", parent_id=top["id"], level="confidential")
    third = await create_page(author_client, "Troisième", parent_id=top["id"])

    def places(response: httpx.Response) -> dict[int, int]:
        assert response.status_code == 200, response.text
        return {item["id"]: item["position"] for item in response.json()["items"]}

    seen = places(await client.get(pages_of()))
    # The reader moves the third page first, in their own numbering.
    moved = await client.post(f"{PAGES}/{third['id']}/move", json={"parent_id": top["id"]})
    after = places(await client.get(pages_of()))
    everything = places(await author_client.get(pages_of()))

    assert {seen[first["id"]], seen[third["id"]]} == {0, 1}
    assert moved.status_code == 200 and moved.json()["position"] == 0
    assert (after[third["id"]], after[first["id"]]) == (0, 1)
    assert hidden["id"] not in after
    # The hidden sibling kept its place after the page it followed.
    assert [everything[p["id"]] for p in (third, first, hidden)] == [0, 1, 2]


async def test_a_secret_space_gives_no_suffix_to_a_space_of_the_same_name(make):
    _member, member_client = await person(make)
    _creator, client = await person(make)
    body = {"objective": "Préparer la fusion.", "kind": "project"}

    secret = await member_client.post(
        f"{API}/spaces", json={**body, "name": "Fusion", "visibility": "secret"}
    )
    mine = await client.post(f"{API}/spaces", json={**body, "name": "Fusion", "visibility": "open"})
    again = await member_client.post(
        f"{API}/spaces", json={**body, "name": "Fusion", "visibility": "open"}
    )

    assert secret.status_code == mine.status_code == 201, (secret.text, mine.text)
    assert secret.json()["slug"] == mine.json()["slug"] == "fusion"
    # A name the creator may see is refused, not suffixed.
    assert again.status_code == 409 and again.json()["error"]["code"] == "name_taken"
    assert again.json()["error"]["space_id"] == secret.json()["id"]
    # A link's space slug names the space its reader sees: the oldest of two.
    for who, expected in ((client, mine), (member_client, secret)):
        page = await create_page(who, f"Vers {expected.json()['visibility']}", "[[fusion:Plan]]")
        target = f"/spaces/{expected.json()['id']}/wiki/new?title=Plan"
        assert wikilink(target, "fusion:Plan", missing=True) in page["body_html"]


async def test_a_renamed_space_keeps_no_slug_of_its_former_name(make):
    """The slug is the name's: a secret space renamed, then opened, no longer
    tells its readers what it was called while secret."""
    _owner, client = await person(make)
    body = {"objective": "Préparer la fusion.", "kind": "project", "visibility": "secret"}
    space = (await client.post(f"{API}/spaces", json={**body, "name": SECRET_NAME})).json()

    renamed = await client.patch(
        f"{API}/spaces/{space['id']}", json={"name": "Projet N", "visibility": "open"}
    )

    assert space["slug"] == "projet-zephyr"
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["slug"] == "projet-n"
    reader = (await person(make))[1]
    shown = await reader.get(f"{API}/spaces/{space['id']}")
    assert "zephyr" not in shown.text.lower()


async def test_names_without_latin_letters_do_not_collide(make):
    """Two different names are never "the same name" for want of Latin letters."""
    _creator, client = await person(make)
    body = {"objective": "Vendre au Japon et en Ukraine.", "kind": "team", "visibility": "open"}

    first = await client.post(f"{API}/spaces", json={**body, "name": "営業"})
    second = await client.post(f"{API}/spaces", json={**body, "name": "Продажі"})

    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json()["slug"] == f"espace-{first.json()['id']}"
    assert second.json()["slug"] == f"espace-{second.json()['id']}"


# --- 4. the people a page's audience names ----------------------------------------------------


async def test_an_external_sees_only_the_audience_they_may_know_of(make, browser_of):
    owner, owner_client = await person(make)
    contractor = await make.user(
        kind="contractor", display_name="Carla Sous-Traitante", language="en"
    )
    colleague = await make.user(display_name="Bertrand Inconnu")
    space = await make.space(owner=owner, visibility="open", members=[contractor])
    page = await create_page(
        owner_client,
        "Planning",
        space_id=space.id,
        level="public",
        audience=[contractor.id, colleague.id],
    )
    external = await make.bearer(contractor)
    browser, _csrf = await browser_of(contractor)

    seen = await read_page(external, page["id"])
    html = (await browser.get(f"/spaces/{space.id}/wiki/planning")).text
    employee_view = await read_page(owner_client, page["id"])

    assert (seen["audience"], seen["audience_others"]) == ([contractor.id], 1)
    assert "Bertrand" not in html and "Inconnu" not in html
    assert "Carla Sous-Traitante" in html and "1 other colleague" in html
    assert employee_view["audience"] == sorted([contractor.id, colleague.id])
    assert employee_view["audience_others"] == 0
