"""The wiki through the API: pages (creating, reading, links, the tree, saving
with revisions and conflicts, renaming with redirects), history (revisions,
diffs, restoring), deleting to the bin and back, templates, preview, search,
watching, the activity feed, and bad input answered by a 4xx that writes
nothing. Who may see what is tests/test_wiki_policy.py; many writers at once,
tests/test_wiki_concurrency.py."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.api.pagination import encode_cursor
from app.dates import format_day
from app.errors import Invalid, NotFound
from app.models import Activity, WikiLink, WikiPage, WikiRevision, WikiSlug, WikiWatch
from app.services import wiki
from app.services.wiki.links import find_by_slug
from tests.helpers import expect_error
from tests.stream_helpers import notified, person
from tests.wiki_helpers import (
    PAGES,
    PREVIEW,
    SEARCH,
    TEMPLATES,
    bin_of,
    catch_up,
    create_page,
    edit_conflict,
    ids,
    newest_event_id,
    pages_of,
    read_page,
    save_page,
    wikilink,
)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def row_counts(session) -> dict[str, int]:
    """How many rows each wiki table and the activity log hold: what a refused
    request must leave as it found."""
    counts = {}
    for model in (WikiPage, WikiRevision, WikiSlug, WikiLink, WikiWatch, Activity):
        counts[model.__tablename__] = await session.scalar(select(func.count()).select_from(model))
    return counts


# --- creating: POST /wiki/pages, POST /spaces/{id}/wiki/pages ------------------------


async def test_the_wiki_requires_sign_in(client):
    expect_error(await client.get(PAGES), 401, "not_authenticated")
    expect_error(await client.post(PAGES, json={"title": "x"}), 401, "not_authenticated")
    expect_error(await client.get(f"{SEARCH}?q=x"), 401, "not_authenticated")


async def test_a_company_page_defaults_to_internal_and_starts_its_history(make):
    author, client = await person(make)

    page = await create_page(client, "Guide d'accueil", "Bienvenue *à tous*", message="Jet")

    assert page["slug"] == "guide-d-accueil" and page["url"] == "/wiki/guide-d-accueil"
    assert (page["space_id"], page["parent_id"], page["position"]) == (None, None, 0)
    assert (page["level"], page["audience"]) == ("internal", None)
    assert (page["revision"], page["author_id"], page["updated_by_id"]) == (1, author.id, author.id)
    assert page["body"] == "Bienvenue *à tous*"
    assert page["body_html"] == "<p>Bienvenue <em>à tous</em></p>\n"
    assert page["watching"] and page["can_edit"] and not page["can_moderate"]
    assert page["deleted_at"] is None
    history = (await client.get(f"{PAGES}/{page['id']}/revisions")).json()["items"]
    assert [(r["number"], r["message"], r["author"]["id"]) for r in history] == [
        (1, "Jet", author.id)
    ]
    assert await read_page(client, page["id"]) == page


async def test_a_space_page_defaults_to_the_space_level_lowered_to_the_writer(make):
    cleared, cleared_client = await person(make, clearance="confidential")
    employee, employee_client = await person(make)
    space = await make.space(
        owner=cleared, members=[employee], visibility="private", default_level="confidential"
    )

    first = await create_page(cleared_client, "Plan", space_id=space.id)
    second = await create_page(employee_client, "Notes", space_id=space.id)

    assert (first["level"], first["space_id"], first["url"]) == (
        "confidential",
        space.id,
        f"/spaces/{space.id}/wiki/plan",
    )
    assert second["level"] == "internal"
    assert first["can_moderate"] and not second["can_moderate"]


async def test_externals_read_public_company_pages_but_do_not_write_there(make):
    _employee, employee_client = await person(make)
    _contractor, contractor_client = await person(make, kind="contractor")
    public = await create_page(employee_client, "Horaires", level="public")
    internal = await create_page(employee_client, "Organigramme")

    expect_error(await contractor_client.post(PAGES, json={"title": "x"}), 403, "not_employee")
    assert not (await read_page(contractor_client, public["id"]))["can_edit"]
    expect_error(await contractor_client.get(f"{PAGES}/{internal['id']}"), 404, "not_found")
    expect_error(
        await contractor_client.put(f"{PAGES}/{public['id']}", json={"base_revision": 1}),
        403,
        "not_employee",
    )


async def test_a_contractor_member_writes_public_pages_in_the_space_wiki(make):
    contractor, client = await person(make, kind="contractor")
    space = await make.space(allows_externals=True, members=[contractor], visibility="private")

    page = await create_page(client, "Livrables", space_id=space.id)

    assert page["level"] == "public"
    expect_error(
        await client.post(pages_of(space.id), json={"title": "x", "level": "internal"}),
        403,
        "write_up",
    )


async def test_non_members_may_not_write_in_private_spaces_nor_see_secret_ones(make):
    _outsider, client = await person(make)
    private = await make.space(visibility="private")
    secret = await make.space(visibility="secret")
    opened = await make.space(visibility="open")

    expect_error(await client.post(pages_of(private.id), json={"title": "x"}), 403, "not_member")
    expect_error(await client.post(pages_of(secret.id), json={"title": "x"}), 404, "not_found")
    expect_error(await client.get(pages_of(secret.id)), 404, "not_found")
    # An open space's wiki is written as its stream is: by any employee.
    assert (await create_page(client, "Idée", space_id=opened.id))["space_id"] == opened.id


async def test_an_archived_space_wiki_is_read_only(make, session):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    page = await create_page(client, "Bilan", space_id=space.id)
    space.is_archived = True
    await session.commit()

    expect_error(await client.post(pages_of(space.id), json={"title": "x"}), 409, "space_archived")
    expect_error(
        await client.put(f"{PAGES}/{page['id']}", json={"base_revision": 1, "body": "x"}),
        409,
        "space_archived",
    )
    assert not (await read_page(client, page["id"]))["can_edit"]


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ({}, "blank"),
        ({"title": ""}, "invalid"),
        ({"title": "   "}, "invalid"),
        ({"title": "x" * 201}, "invalid"),
        ({"title": "x", "body": "y" * 100_001}, "invalid"),
        ({"title": "x", "message": "m" * 301}, "invalid"),
        ({"title": "x", "template": "minutes"}, "invalid"),
        ({"title": "x", "template": "t" * 41}, "invalid"),
        ({"title": "x", "level": "top"}, "invalid"),
        ({"title": "x", "audience": [2**62]}, "unknown_audience"),
        ({"title": "x", "audience": [0]}, "invalid"),
        ({"title": "x", "audience": list(range(1, 202))}, "invalid"),
        ({"title": "x", "parent_id": 0}, "invalid"),
        ({"title": "x", "parent_id": 2**63}, "invalid"),
        ({"title": "x", "author_id": 1}, "invalid"),
        ({"title": "x", "slug": "ailleurs"}, "invalid"),
        ({"title": "x", "revision": 7}, "invalid"),
    ],
)
async def test_bad_input_to_create_is_a_422_that_writes_nothing(make, session, sent, code):
    _author, client = await person(make)
    before = await row_counts(session)

    expect_error(await client.post(PAGES, json=sent), 422, code, sent=sent)

    assert await row_counts(session) == before


async def test_an_unknown_parent_is_a_404(make, session):
    _author, client = await person(make)
    before = await row_counts(session)

    expect_error(await client.post(PAGES, json={"title": "x", "parent_id": 2**62}), 404)

    assert await row_counts(session) == before


async def test_the_service_bounds_titles_bodies_and_messages_itself(make, session):
    """The API's schema refuses them first; other callers (the web UI) meet
    the service's own bounds."""
    author = await make.user()
    for fields, code in [
        ({"title": "x" * 201}, "title_too_long"),
        ({"title": "x", "body": "y" * 100_001}, "body_too_long"),
        ({"title": "x", "message": "m" * 301}, "message_too_long"),
        ({"title": " \n "}, "blank"),
    ]:
        with pytest.raises(Invalid) as refused:
            await wiki.create_page(session, viewer=author, space_id=None, **fields)
        assert refused.value.code == code
        await session.rollback()
    page = await wiki.create_page(session, viewer=author, space_id=None, title="  Espacé  ")
    assert page.title == "Espacé"


async def test_a_title_taken_in_the_same_wiki_is_a_409_that_writes_nothing(make, session):
    author, client = await person(make)
    space = await make.space(owner=author)
    first = await create_page(client, "Charte")
    before = await row_counts(session)

    response = await client.post(PAGES, json={"title": "CHARTE !", "body": "[[Autre]]"})

    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "title_taken"
    assert response.json()["error"]["page_id"] == first["id"]
    assert await row_counts(session) == before
    # Another wiki has its own names.
    assert (await create_page(client, "Charte", space_id=space.id))["slug"] == "charte"


async def test_titles_in_other_scripts_have_names_and_links_of_their_own(make):
    _author, client = await person(make)

    signs = await create_page(client, "???")
    japanese = await create_page(client, "日本語")
    russian = await create_page(client, "Привет, мир")
    linking = await create_page(client, "Liens", "[[日本語]] [[Привет, мир]] [[Пока]]")

    assert (signs["slug"], japanese["slug"], russian["slug"]) == ("page", "日本語", "привет-мир")
    assert japanese["url"] == "/wiki/%E6%97%A5%E6%9C%AC%E8%AA%9E"
    html = linking["body_html"]
    assert wikilink(japanese["url"], "日本語") in html
    assert wikilink(russian["url"], "Привет, мир") in html
    assert 'class="wikilink missing" rel="nofollow noopener">Пока</a>' in html


# --- templates ------------------------------------------------------------------------


async def test_templates_are_listed_and_fill_a_new_page(make):
    _author, client = await person(make)

    listed = (await client.get(TEMPLATES)).json()
    by_name = {template["name"]: template for template in listed}

    assert sorted(by_name) == ["meeting_notes", "project_charter"]
    # In the author's language (French), the day spelled out: "6 décembre 2026".
    today = format_day(date.today(), spelled_out=True)
    assert by_name["meeting_notes"]["title"] == f"Compte rendu du {today}"
    assert by_name["meeting_notes"]["body"].startswith(f"**Date**\u202f: {today}\n")
    assert all(t["label"] and t["title"] and t["body"].startswith(("**", "## ")) for t in listed)
    notes = await create_page(client, None, None, template="meeting_notes")
    assert (notes["title"], notes["body"]) == (
        by_name["meeting_notes"]["title"],
        by_name["meeting_notes"]["body"],
    )
    assert "<table>" in notes["body_html"]
    charter = await create_page(client, "Charte du projet Ruche", None, template="project_charter")
    assert charter["title"] == "Charte du projet Ruche"
    assert charter["body"] == by_name["project_charter"]["body"]
    empty = await create_page(client, "Vide", "", template="project_charter")
    assert empty["body"] == ""


# --- reading and links ---------------------------------------------------------------


async def test_the_body_is_rendered_safely(make):
    _author, client = await person(make)

    page = await create_page(
        client,
        "Piège",
        "<script>alert(1)</script> [clic](javascript:alert(1)) "
        '[[Ailleurs" onclick="alert(1)|lien]] **gras** @quelqu_un',
    )

    html = page["body_html"]
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and "onclick=" not in html
    assert "<strong>gras</strong>" in html
    assert 'class="wikilink missing"' in html


async def test_links_lead_to_pages_and_missing_ones_are_red(make):
    author, client = await person(make)
    space = await make.space(owner=author, visibility="open")
    await create_page(client, "Charte")
    await create_page(client, "Plan de route", space_id=space.id)

    page = await create_page(
        client,
        "Accueil",
        f"Voir [[Charte]], [[charte|la charte]], [[Absente]], [[{space.slug}:Plan de route]], "
        f"[[{space.slug}:Autre plan]] et [[inconnu:Page]]. `[[Pas un lien]]`",
    )

    html = page["body_html"]
    assert wikilink("/wiki/charte", "Charte") in html
    assert wikilink("/wiki/charte", "la charte") in html
    assert wikilink("/wiki/new?title=Absente", "Absente", missing=True) in html
    assert wikilink(f"/spaces/{space.id}/wiki/plan-de-route", f"{space.slug}:Plan de route") in html
    new_plan = f"/spaces/{space.id}/wiki/new?title=Autre+plan"
    assert wikilink(new_plan, f"{space.slug}:Autre plan", missing=True) in html
    assert wikilink("#", "inconnu:Page", missing=True) in html
    assert "<code>[[Pas un lien]]</code>" in html


async def test_a_space_page_links_into_the_company_wiki_with_a_leading_colon(make):
    author, client = await person(make)
    space = await make.space(owner=author)
    charter = await create_page(client, "Charte")
    await create_page(client, "Charte", space_id=space.id)

    page = await create_page(client, "Renvois", "[[:Charte]] [[Charte]]", space_id=space.id)

    # The colon only chooses the wiki: the link shows the title.
    assert wikilink("/wiki/charte", "Charte") in page["body_html"]
    assert wikilink(f"/spaces/{space.id}/wiki/charte", "Charte") in page["body_html"]
    assert ids(await client.get(f"{PAGES}/{charter['id']}/backlinks")) == [page["id"]]


async def test_a_page_of_thousands_of_links_is_rendered(make):
    """An index page: one OR per link made SQLite refuse the query (a 500)."""
    author, client = await person(make)
    space = await make.space(owner=author)
    await create_page(client, "Page 7")
    await create_page(client, "Page 7", space_id=space.id)
    body = " ".join(f"[[Page {n}]] [[{space.slug}:Page {n}]]" for n in range(1500))

    page = await create_page(client, "Index", body)

    html = page["body_html"]
    assert html.count('class="wikilink"') == 2 and html.count('class="wikilink missing"') == 2998
    assert wikilink("/wiki/page-7", "Page 7") in html
    assert wikilink(f"/spaces/{space.id}/wiki/page-7", f"{space.slug}:Page 7") in html


async def test_a_link_made_before_its_page_exists_turns_blue_and_counts_as_a_backlink(make):
    _author, client = await person(make)
    source = await create_page(client, "Accueil", "À écrire : [[Foire aux questions]]")

    target = await create_page(client, "Foire aux questions")

    assert (
        'href="/wiki/foire-aux-questions" class="wikilink"'
        in (await read_page(client, source["id"]))["body_html"]
    )
    assert ids(await client.get(f"{PAGES}/{target['id']}/backlinks")) == [source["id"]]


async def test_backlinks_follow_renames_and_drop_removed_links(make):
    _author, client = await person(make)
    target = await create_page(client, "Charte")
    by_old_name = await create_page(client, "Zèbre", "[[Charte]]")
    target = await save_page(client, target, title="Charte du réseau")
    by_new_name = await create_page(client, "Abeille", "[[Charte du réseau]] [[Charte]]")
    await create_page(client, "Sans lien", "Charte")
    await save_page(client, target, body="Je me cite : [[Charte du réseau]]")

    backlinks = f"{PAGES}/{target['id']}/backlinks"
    # Sorted by title; a page's links to itself are not backlinks.
    assert ids(await client.get(backlinks)) == [by_new_name["id"], by_old_name["id"]]
    assert (
        'href="/wiki/charte-du-reseau"' in (await read_page(client, by_old_name["id"]))["body_html"]
    )

    await save_page(client, by_old_name, body="Plus de lien")

    assert ids(await client.get(backlinks)) == [by_new_name["id"]]


# --- lists ----------------------------------------------------------------------------


async def test_a_wikis_pages_are_listed_by_id_with_a_cursor(make):
    author, client = await person(make)
    space = await make.space(owner=author)
    made = [(await create_page(client, f"Page {n}", space_id=space.id))["id"] for n in range(3)]
    elsewhere = await create_page(client, "Ailleurs")

    first = await client.get(pages_of(space.id), params={"limit": 2})
    second = await client.get(
        pages_of(space.id), params={"limit": 2, "cursor": first.json()["next_cursor"]}
    )

    assert ids(first) == made[:2] and ids(second) == made[2:]
    assert second.json()["next_cursor"] is None
    assert elsewhere["id"] in ids(await client.get(PAGES))
    assert not set(made) & set(ids(await client.get(PAGES)))
    matching = await client.get(pages_of(space.id), params={"q": "PAGE 1"})
    assert ids(matching) == [made[1]]
    listed = matching.json()["items"][0]
    assert "body" not in listed and listed["url"] == f"/spaces/{space.id}/wiki/page-1"


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "%%%"},
        {"cursor": encode_cursor("x")},
        {"cursor": encode_cursor(-1)},
        {"cursor": encode_cursor(True)},
        {"cursor": encode_cursor(2**64)},
        {"limit": 0},
        {"limit": 501},
        {"q": "x" * 201},
    ],
)
async def test_bad_list_parameters_are_a_422(make, params):
    _author, client = await person(make)

    expect_error(await client.get(PAGES, params=params), 422, sent=params)


# --- the tree -------------------------------------------------------------------------


async def test_children_come_last_and_are_reordered_and_moved(make):
    _author, client = await person(make)
    top = await create_page(client, "Projet")
    a, b, c = [await create_page(client, name, parent_id=top["id"]) for name in "ABC"]

    assert [(p["parent_id"], p["position"]) for p in (a, b, c)] == [
        (top["id"], n) for n in range(3)
    ]

    moved = await client.post(f"{PAGES}/{c['id']}/move", json={"parent_id": top["id"]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["position"] == 0

    async def order() -> list[tuple[int | None, int, int]]:
        items = (await client.get(PAGES)).json()["items"]
        return sorted(
            (p["parent_id"] or 0, p["position"], p["id"])
            for p in items
            if p["id"] in {a["id"], b["id"], c["id"]}
        )

    assert [row[2] for row in await order()] == [c["id"], a["id"], b["id"]]
    await client.post(f"{PAGES}/{c['id']}/move", json={"parent_id": top["id"], "position": 99})
    assert [row[2] for row in await order()] == [a["id"], b["id"], c["id"]]
    # To the top of the wiki; its address does not change.
    response = await client.post(f"{PAGES}/{a['id']}/move", json={})
    assert (response.json()["parent_id"], response.json()["slug"]) == (None, "a")
    assert [row[2] for row in await order() if row[0] == top["id"]] == [b["id"], c["id"]]


async def test_a_page_cannot_move_under_itself_or_its_descendants(make, session):
    _author, client = await person(make)
    top = await create_page(client, "Haut")
    middle = await create_page(client, "Milieu", parent_id=top["id"])
    low = await create_page(client, "Bas", parent_id=middle["id"])

    for parent in (top, middle, low):
        response = await client.post(f"{PAGES}/{top['id']}/move", json={"parent_id": parent["id"]})
        expect_error(response, 422, "cycle")
    assert (await read_page(client, top["id"]))["parent_id"] is None


async def test_a_parent_must_be_in_the_same_wiki(make):
    author, client = await person(make)
    space = await make.space(owner=author)
    company = await create_page(client, "Société")
    local = await create_page(client, "Local", space_id=space.id)

    response = await client.post(
        pages_of(space.id), json={"title": "Enfant", "parent_id": company["id"]}
    )
    expect_error(response, 422, "parent_elsewhere")
    response = await client.post(f"{PAGES}/{local['id']}/move", json={"parent_id": company["id"]})
    expect_error(response, 422, "parent_elsewhere")


@pytest.mark.parametrize(
    "sent", [{"position": -1}, {"position": 100_001}, {"parent_id": 0}, {"level": "secret"}]
)
async def test_bad_moves_are_a_422(make, sent):
    _author, client = await person(make)
    page = await create_page(client, "Page")

    expect_error(await client.post(f"{PAGES}/{page['id']}/move", json=sent), 422, sent=sent)


# --- saving, renaming, redirects --------------------------------------------------------


async def test_each_save_is_a_revision_and_a_rename_keeps_the_old_slug(make, session):
    author, client = await person(make)
    editor, editor_client = await person(make)
    page = await create_page(client, "Ancien nom", "Un")

    saved = await save_page(editor_client, page, body="Deux", message="Plus clair")
    renamed = await save_page(client, saved, title="Nouveau nom")

    assert (saved["revision"], saved["updated_by_id"], saved["slug"]) == (
        2,
        editor.id,
        "ancien-nom",
    )
    assert (renamed["revision"], renamed["slug"], renamed["body"]) == (3, "nouveau-nom", "Deux")
    assert renamed["url"] == "/wiki/nouveau-nom"
    for slug in ("ancien-nom", "nouveau-nom"):
        found = await find_by_slug(session, viewer=author, space_id=None, slug=slug)
        assert (found.id, found.slug) == (page["id"], "nouveau-nom")
    history = (await client.get(f"{PAGES}/{page['id']}/revisions")).json()["items"]
    assert [(r["number"], r["title"], r["author"]["id"], r["message"]) for r in history] == [
        (3, "Nouveau nom", author.id, ""),
        (2, "Ancien nom", editor.id, "Plus clair"),
        (1, "Ancien nom", author.id, ""),
    ]


async def test_a_new_page_may_take_a_name_that_only_redirects(make, session):
    author, client = await person(make)
    space = await make.space(owner=author)
    old = await create_page(client, "Ancien nom", space_id=space.id)
    await save_page(client, old, title="Nouveau nom")

    newer = await create_page(client, "Ancien nom", space_id=space.id)

    assert newer["slug"] == "ancien-nom"
    found = await find_by_slug(session, viewer=author, space_id=space.id, slug="ancien-nom")
    assert found.id == newer["id"]
    # The first page can take its name back only under another address.
    response = await client.put(
        f"{PAGES}/{old['id']}", json={"base_revision": 2, "title": "Ancien nom"}
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "title_taken"
    # Its old address in one wiki is no address in another.
    with pytest.raises(NotFound):
        await find_by_slug(session, viewer=author, space_id=None, slug="ancien-nom")


async def test_renaming_back_and_forth_keeps_every_name(make, session):
    author, client = await person(make)
    page = await create_page(client, "Alpha")
    page = await save_page(client, page, title="Bêta")
    page = await save_page(client, page, title="Alpha")

    assert page["slug"] == "alpha"
    found = await find_by_slug(session, viewer=author, space_id=None, slug="beta")
    assert found.id == page["id"] and found.slug == "alpha"


async def test_a_save_that_changes_nothing_adds_no_revision(make, session):
    _author, client = await person(make)
    page = await create_page(client, "Stable", "Texte")
    before = await row_counts(session)

    same = await save_page(client, page, title="Stable", body="Texte")

    assert same["revision"] == 1
    assert await row_counts(session) == before


async def test_a_stale_save_is_a_409_with_the_current_text_a_diff_and_a_merge(make):
    _first, first_client = await person(make, display_name="Première")
    _second, second_client = await person(make)
    page = await create_page(first_client, "Procédure", "Étape un\nÉtape deux\nÉtape trois\n")
    await save_page(first_client, page, body="Étape 1\nÉtape deux\nÉtape trois\n")

    response = await second_client.put(
        f"{PAGES}/{page['id']}",
        json={"base_revision": 1, "body": "Étape un\nÉtape deux\nÉtape 3\n", "message": "3"},
    )

    error = edit_conflict(response)
    assert error["current"]["revision"] == 2
    assert error["current"]["body"] == "Étape 1\nÉtape deux\nÉtape trois\n"
    assert (error["current"]["title"], error["current"]["author"]) == ("Procédure", "Première")
    assert error["diff"] == [
        {"op": "equal", "text": "Étape "},
        {"op": "delete", "text": "un"},
        {"op": "insert", "text": "1"},
        {"op": "equal", "text": "\nÉtape deux\nÉtape trois\n"},
    ]
    assert error["merged"] == {"body": "Étape 1\nÉtape deux\nÉtape 3\n", "clean": True}
    assert (await read_page(second_client, page["id"]))["revision"] == 2
    merged = await save_page(second_client, page, base_revision=2, body=error["merged"]["body"])
    assert merged["revision"] == 3


async def test_a_conflict_tells_when_the_current_revision_was_saved_not_last_moved(make):
    _author, client = await person(make)
    page = await save_page(client, await create_page(client, "Page", "un"), body="deux")
    await client.post(f"{PAGES}/{page['id']}/move", json={"position": 3})

    response = await client.put(f"{PAGES}/{page['id']}", json={"base_revision": 1, "body": "x"})

    saved = (await client.get(f"{PAGES}/{page['id']}/revisions/2")).json()["created_at"]
    assert instant(edit_conflict(response)["current"]["saved_at"]) == instant(saved)
    assert instant(saved) < instant((await read_page(client, page["id"]))["updated_at"])


async def test_a_clashing_save_offers_both_versions_between_markers(make):
    _first, first_client = await person(make)
    _second, second_client = await person(make)
    page = await create_page(first_client, "Décision", "Nous choisissons A.\n")
    await save_page(first_client, page, body="Nous choisissons B.\n")

    response = await second_client.put(
        f"{PAGES}/{page['id']}", json={"base_revision": 1, "body": "Nous choisissons C.\n"}
    )

    merged = edit_conflict(response)["merged"]
    assert not merged["clean"]
    assert "Nous choisissons B.\n=======\nNous choisissons C.\n>>>>>>>" in merged["body"]


async def test_a_stale_rename_is_a_409_too(make):
    _author, client = await person(make)
    page = await create_page(client, "Titre", "Texte")
    await save_page(client, page, body="Texte revu")

    response = await client.put(f"{PAGES}/{page['id']}", json={"base_revision": 1, "title": "T"})

    assert edit_conflict(response)["merged"] == {"body": "Texte revu", "clean": True}
    assert (await read_page(client, page["id"]))["title"] == "Titre"


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ({"base_revision": 2, "body": "x"}, "unknown_revision"),
        ({"base_revision": 2**31 - 1, "body": "x"}, "unknown_revision"),
        ({"base_revision": 0, "body": "x"}, "invalid"),
        ({"base_revision": 2**31, "body": "x"}, "invalid"),
        ({"body": "x"}, "invalid"),
        ({"base_revision": 1, "title": ""}, "invalid"),
        ({"base_revision": 1, "title": "  "}, "invalid"),
        ({"base_revision": 1, "title": "t" * 201}, "invalid"),
        ({"base_revision": 1, "body": "b" * 100_001}, "invalid"),
        ({"base_revision": 1, "message": "m" * 301}, "invalid"),
        ({"base_revision": 1, "level": "top"}, "invalid"),
        ({"base_revision": 1, "audience": [2**62]}, "unknown_audience"),
        ({"base_revision": 1, "body": "x", "author_id": 1}, "invalid"),
        ({"base_revision": 1, "body": "x", "revision": 9}, "invalid"),
    ],
)
async def test_bad_input_to_save_is_a_422_that_writes_nothing(make, session, sent, code):
    _author, client = await person(make)
    page = await create_page(client, "Page", "Texte")
    before = await row_counts(session)

    expect_error(await client.put(f"{PAGES}/{page['id']}", json=sent), 422, code, sent=sent)

    assert await row_counts(session) == before
    assert await read_page(client, page["id"]) == page


async def test_only_the_author_or_a_moderator_changes_who_may_read(make):
    author, client = await person(make)
    moderator, moderator_client = await person(make)
    member, member_client = await person(make)
    space = await make.space(members=[author, member], moderators=[moderator])
    page = await create_page(client, "Budget", "Chiffres", space_id=space.id)

    for sent in ({"level": "public"}, {"audience": [member.id]}, {"audience": None}):
        response = await member_client.put(
            f"{PAGES}/{page['id']}", json={"base_revision": 1, **sent}
        )
        expect_error(response, 403, "not_author", sent=sent)
    # A text edit by the same member is fine, and sends the same level back unchanged.
    edited = await save_page(member_client, page, body="Chiffres revus", level="internal")
    assert edited["level"] == "internal"

    narrowed = await save_page(moderator_client, edited, audience=[member.id])
    assert narrowed["audience"] == [member.id] and narrowed["revision"] == 2
    widened = await save_page(client, narrowed, audience=None, level="public")
    assert (widened["audience"], widened["level"]) == (None, "public")
    expect_error(
        await client.put(f"{PAGES}/{page['id']}", json={"base_revision": 2, "level": "secret"}),
        403,
        "write_up",
    )


# --- history: revisions, diffs, restoring ------------------------------------------------


async def test_revisions_are_listed_newest_first_with_a_cursor(make):
    _author, client = await person(make)
    page = await create_page(client, "Journal", "v1")
    for n in range(2, 6):
        page = await save_page(client, page, body=f"v{n}")
    history = f"{PAGES}/{page['id']}/revisions"

    first = await client.get(history, params={"limit": 2})
    second = await client.get(history, params={"limit": 2, "cursor": first.json()["next_cursor"]})
    third = await client.get(history, params={"limit": 2, "cursor": second.json()["next_cursor"]})

    numbers = [[r["number"] for r in r.json()["items"]] for r in (first, second, third)]
    assert numbers == [[5, 4], [3, 2], [1]]
    assert third.json()["next_cursor"] is None
    expect_error(await client.get(history, params={"cursor": "!"}), 422, "invalid_cursor")
    # A revision number is an INTEGER: a forged cursor beyond it is refused, not sent on.
    for forged in (2**31, 2**63 - 1, -1):
        response = await client.get(history, params={"cursor": encode_cursor(forged)})
        expect_error(response, 422, "invalid_cursor", sent=forged)
    last = await client.get(history, params={"cursor": encode_cursor(2**31 - 1)})
    assert [r["number"] for r in last.json()["items"]] == [5, 4, 3, 2, 1]
    expect_error(await client.get(history, params={"limit": 101}), 422, "invalid")


async def test_a_revision_is_read_and_two_are_compared_word_by_word(make):
    author, client = await person(make)
    await create_page(client, "Cible")
    page = await create_page(client, "Note", "Le chat dort.")
    page = await save_page(client, page, body="Le chien dort. Voir [[Cible]].", title="Note 2")
    page = await save_page(client, page, body="Le chien mange.")

    first = (await client.get(f"{PAGES}/{page['id']}/revisions/1")).json()
    second = (await client.get(f"{PAGES}/{page['id']}/revisions/2")).json()
    assert (first["number"], first["title"], first["body"]) == (1, "Note", "Le chat dort.")
    assert first["author"]["id"] == author.id and first["restored_from"] is None
    assert first["body_html"] == "<p>Le chat dort.</p>\n"
    assert 'href="/wiki/cible" class="wikilink"' in second["body_html"]

    latest = (await client.get(f"{PAGES}/{page['id']}/diff")).json()
    assert (latest["old"]["number"], latest["new"]["number"]) == (2, 3)
    assert latest["page_id"] == page["id"]
    chosen = (await client.get(f"{PAGES}/{page['id']}/diff", params={"old": 1, "new": 2})).json()
    assert chosen["segments"] == [
        {"op": "equal", "text": "Le "},
        {"op": "delete", "text": "chat"},
        {"op": "insert", "text": "chien"},
        {"op": "equal", "text": " dort."},
        {"op": "insert", "text": " Voir [[Cible]]."},
    ]
    from_one = (await client.get(f"{PAGES}/{page['id']}/diff", params={"new": 2})).json()
    assert from_one["segments"] == chosen["segments"]
    only = (await client.get(f"{PAGES}/{page['id']}/diff", params={"old": 3, "new": 3})).json()
    assert only["segments"] == [{"op": "equal", "text": "Le chien mange."}]


async def test_unknown_revisions_are_a_404_and_bad_numbers_a_422(make):
    _author, client = await person(make)
    page = await create_page(client, "Note", "x")

    expect_error(await client.get(f"{PAGES}/{page['id']}/revisions/2"), 404, "not_found")
    expect_error(await client.get(f"{PAGES}/{page['id']}/diff?old=1&new=2"), 404, "not_found")
    expect_error(await client.get(f"{PAGES}/{page['id']}/diff?old=9"), 404, "not_found")
    for bad in ("revisions/0", "revisions/2147483648", "revisions/x", "diff?old=0", "diff?new=-1"):
        expect_error(await client.get(f"{PAGES}/{page['id']}/{bad}"), 422, "invalid", sent=bad)
    response = await client.post(
        f"{PAGES}/{page['id']}/revisions/5/restore", json={"base_revision": 1}
    )
    expect_error(response, 404, "not_found")


async def test_restoring_a_revision_saves_it_as_a_new_one(make):
    _author, client = await person(make)
    page = await create_page(client, "Règles", "Version une")
    page = await save_page(client, page, title="Règles 2", body="Version deux")

    response = await client.post(
        f"{PAGES}/{page['id']}/revisions/1/restore", json={"base_revision": 2}
    )

    assert response.status_code == 200, response.text
    restored = response.json()
    assert (restored["revision"], restored["title"], restored["body"], restored["slug"]) == (
        3,
        "Règles",
        "Version une",
        "regles",
    )
    newest = (await client.get(f"{PAGES}/{page['id']}/revisions")).json()["items"][0]
    assert (newest["number"], newest["restored_from"]) == (3, 1)
    assert "1" in newest["message"]
    # Restoring the current text again is still a revision: history only grows.
    again = await client.post(
        f"{PAGES}/{page['id']}/revisions/3/restore",
        json={"base_revision": 3, "message": "Encore"},
    )
    assert (again.json()["revision"], again.json()["body"]) == (4, "Version une")
    stale = await client.post(
        f"{PAGES}/{page['id']}/revisions/1/restore", json={"base_revision": 2}
    )
    assert edit_conflict(stale)["current"]["revision"] == 4
    for sent in ({}, {"base_revision": 0}, {"base_revision": 4, "title": "x"}):
        response = await client.post(f"{PAGES}/{page['id']}/revisions/1/restore", json=sent)
        expect_error(response, 422, "invalid", sent=sent)


# --- deleting, the bin, restoring --------------------------------------------------------


async def test_the_author_or_a_moderator_deletes_a_page_nobody_else(make):
    owner, owner_client = await person(make)
    author, author_client = await person(make)
    _member, member_client = await person(make)
    space = await make.space(owner=owner, members=[author, _member])
    mine = await create_page(author_client, "À moi", space_id=space.id)
    other = await create_page(author_client, "Autre", space_id=space.id)

    expect_error(await member_client.delete(f"{PAGES}/{mine['id']}"), 403, "not_author")
    assert (await author_client.delete(f"{PAGES}/{mine['id']}")).status_code == 204
    assert (await owner_client.delete(f"{PAGES}/{other['id']}")).status_code == 204
    expect_error(await author_client.delete(f"{PAGES}/{mine['id']}"), 404, "not_found")


async def test_a_deleted_page_is_gone_from_every_path_but_the_bin(make, session):
    owner, owner_client = await person(make)
    member, client = await person(make)
    space = await make.space(owner=owner, members=[member])
    page = await create_page(client, "Périmé", "mot-rare", space_id=space.id)
    linking = await create_page(client, "Lien", "[[Périmé]]", space_id=space.id)
    since = await newest_event_id(session)

    assert (await client.delete(f"{PAGES}/{page['id']}")).status_code == 204

    for path in ("", "/revisions", "/revisions/1", "/diff", "/backlinks"):
        expect_error(await client.get(f"{PAGES}/{page['id']}{path}"), 404, sent=path)
    expect_error(await client.put(f"{PAGES}/{page['id']}/watch"), 404)
    expect_error(
        await client.put(f"{PAGES}/{page['id']}", json={"base_revision": 1, "body": "x"}), 404
    )
    expect_error(await client.post(f"{PAGES}/{page['id']}/move", json={}), 404)
    assert page["id"] not in ids(await client.get(pages_of(space.id)))
    assert ids(await client.get(SEARCH, params={"q": "mot-rare"})) == []
    assert 'class="wikilink missing"' in (await read_page(client, linking["id"]))["body_html"]
    with pytest.raises(NotFound):
        await find_by_slug(session, viewer=member, space_id=space.id, slug="perime")
    # Its readers learn that it went.
    deleted = [e for e in await catch_up(client, since) if e["page_id"] == page["id"]]
    assert [e["kind"] for e in deleted] == ["wiki.page.deleted"]
    # The bin: for the space's moderators only.
    expect_error(await client.get(bin_of(space.id)), 403, "forbidden")
    binned = (await owner_client.get(bin_of(space.id))).json()["items"]
    assert [(p["id"], p["title"]) for p in binned] == [(page["id"], "Périmé")]
    assert binned[0]["deleted_at"] is not None
    # Its name is free again.
    assert (await create_page(client, "Périmé", space_id=space.id))["slug"] == "perime"


async def test_deleting_a_page_moves_its_children_up(make):
    _author, client = await person(make)
    top = await create_page(client, "Haut")
    middle = await create_page(client, "Milieu", parent_id=top["id"])
    sibling = await create_page(client, "Voisin", parent_id=top["id"])
    low = [await create_page(client, f"Bas {n}", parent_id=middle["id"]) for n in range(2)]

    assert (await client.delete(f"{PAGES}/{middle['id']}")).status_code == 204

    children = [await read_page(client, p["id"]) for p in (sibling, *low)]
    # Numbered among the live pages: the one in the bin leaves no gap.
    assert [(c["parent_id"], c["position"]) for c in children] == [
        (top["id"], 0),
        (top["id"], 1),
        (top["id"], 2),
    ]


async def test_moderators_restore_a_deleted_page_where_it_was(make):
    owner, owner_client = await person(make)
    member, client = await person(make)
    space = await make.space(owner=owner, members=[member])
    top = await create_page(client, "Haut", space_id=space.id)
    page = await create_page(client, "Bas", "Texte", space_id=space.id, parent_id=top["id"])
    await client.delete(f"{PAGES}/{page['id']}")

    expect_error(await client.post(f"{PAGES}/{page['id']}/restore"), 404, "not_found")
    response = await owner_client.post(f"{PAGES}/{page['id']}/restore")

    assert response.status_code == 200, response.text
    restored = response.json()
    assert (restored["parent_id"], restored["slug"], restored["body"]) == (
        top["id"],
        "bas",
        "Texte",
    )
    assert restored["deleted_at"] is None and restored["revision"] == 1
    assert (await client.get(bin_of(space.id))).status_code == 403
    assert (await owner_client.get(bin_of(space.id))).json()["items"] == []
    # A live page is not in the bin: nothing to restore.
    expect_error(await owner_client.post(f"{PAGES}/{page['id']}/restore"), 404, "not_found")


async def test_a_page_restored_after_its_parent_went_comes_back_at_the_top(make):
    _admin, admin_client = await person(make, role="admin")
    top = await create_page(admin_client, "Haut")
    page = await create_page(admin_client, "Bas", parent_id=top["id"])
    await admin_client.delete(f"{PAGES}/{page['id']}")
    await admin_client.delete(f"{PAGES}/{top['id']}")

    assert ids(await admin_client.get(bin_of())) == [top["id"], page["id"]]
    restored = (await admin_client.post(f"{PAGES}/{page['id']}/restore")).json()

    assert restored["parent_id"] is None


async def test_a_restored_page_whose_name_was_taken_yields_it_to_the_page_that_took_it(
    make, session
):
    """No ``-2``: a suffix would tell its readers of a page that some of them may
    not read. The name answers with the page that claimed it first."""
    admin, admin_client = await person(make, role="admin")
    _author, client = await person(make)
    first = await create_page(client, "Procédure")
    await admin_client.delete(f"{PAGES}/{first['id']}")
    second = await create_page(client, "Procédure")

    restored = (await admin_client.post(f"{PAGES}/{first['id']}/restore")).json()

    assert (second["slug"], restored["slug"]) == ("procedure", "procedure")
    found = await find_by_slug(session, viewer=admin, space_id=None, slug="procedure")
    assert found.id == second["id"]


async def test_only_administrators_keep_the_company_wikis_bin(make):
    _author, client = await person(make)
    _admin, admin_client = await person(make, role="admin")
    page = await create_page(client, "Brouillon")
    await client.delete(f"{PAGES}/{page['id']}")

    expect_error(await client.get(bin_of()), 403, "forbidden")
    assert page["id"] in ids(await admin_client.get(bin_of()))


# --- watching and notifications ----------------------------------------------------------


async def test_watchers_are_told_of_each_new_revision_but_not_the_editor(make, session):
    author, client = await person(make)
    watcher, watcher_client = await person(make)
    editor, editor_client = await person(make, display_name="Éditrice")
    page = await create_page(client, "Suivie", "v1")

    watching = await watcher_client.put(f"{PAGES}/{page['id']}/watch")
    assert watching.json() == {"watching": True}
    assert (await watcher_client.put(f"{PAGES}/{page['id']}/watch")).json() == {"watching": True}
    assert (await read_page(watcher_client, page["id"]))["watching"]
    page = await save_page(editor_client, page, body="v2")

    for person_told in (author, watcher):
        told = await notified(session, person_told, kind="wiki_page_changed")
        assert [(n.page_id, n.actor_id, n.data) for n in told] == [
            (page["id"], editor.id, {"revision": 2})
        ]
    assert await notified(session, editor, kind="wiki_page_changed") == []
    listed = (await watcher_client.get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["page_id"], n["data"]) for n in listed] == [
        (
            "wiki_page_changed",
            page["id"],
            {"revision": 2, "actor_name": "Éditrice", "title": "Suivie"},
        )
    ]

    # The editor watches from their first save; the watcher stops.
    unwatched = await watcher_client.delete(f"{PAGES}/{page['id']}/watch")
    assert unwatched.json() == {"watching": False}
    await save_page(client, page, body="v3")
    assert len(await notified(session, watcher, kind="wiki_page_changed")) == 1
    assert len(await notified(session, editor, kind="wiki_page_changed")) == 1


async def test_a_watcher_who_turned_wiki_notifications_off_is_not_told(make, session):
    _author, client = await person(make)
    watcher, watcher_client = await person(make)
    page = await create_page(client, "Suivie")
    await watcher_client.put(f"{PAGES}/{page['id']}/watch")
    response = await watcher_client.patch(
        "/api/v1/notifications/preferences", json={"kinds": {"wiki_page_changed": False}}
    )
    assert response.status_code == 200, response.text

    await save_page(client, page, body="changé")

    assert await notified(session, watcher) == []


# --- the activity feed -------------------------------------------------------------------


async def test_every_change_to_a_page_is_in_the_activity_feed(make, session):
    author, client = await person(make, role="admin")
    _reader, reader_client = await person(make)
    top = await create_page(client, "Haut")
    since = await newest_event_id(session)

    page = await create_page(client, "Journal")
    page = await save_page(client, page, body="édité")
    await client.post(f"{PAGES}/{page['id']}/move", json={"parent_id": top["id"]})
    await client.delete(f"{PAGES}/{page['id']}")
    await client.post(f"{PAGES}/{page['id']}/restore")

    events = [e for e in await catch_up(reader_client, since) if e["page_id"] == page["id"]]
    assert [e["kind"] for e in events] == [
        "wiki.page.created",
        "wiki.page.edited",
        "wiki.page.moved",
        "wiki.page.deleted",
        "wiki.page.restored",
    ]
    assert events[1]["payload"] == {"revision": 2, "actor_id": author.id}
    assert all(e["space_id"] is None and e["post_id"] is None for e in events)


# --- preview -----------------------------------------------------------------------------


async def test_the_preview_renders_the_text_as_it_will_be(make):
    author, client = await person(make)
    space = await make.space(owner=author)
    await create_page(client, "Locale", space_id=space.id)

    response = await client.post(
        PREVIEW,
        json={"space_id": space.id, "body": "**[[Locale]]** [[Absente]] <b>x</b>"},
    )

    assert response.status_code == 200, response.text
    html = response.json()["html"]
    assert wikilink(f"/spaces/{space.id}/wiki/locale", "Locale") in html
    assert f'href="/spaces/{space.id}/wiki/new?title=Absente" class="wikilink missing"' in html
    assert "<b>" not in html
    company = (await client.post(PREVIEW, json={"body": "[[Locale]]"})).json()["html"]
    assert 'class="wikilink missing"' in company


@pytest.mark.parametrize(
    "sent",
    [{}, {"body": "x" * 100_001}, {"body": "x", "space_id": 0}, {"body": "x", "level": "public"}],
)
async def test_bad_previews_are_a_422(make, sent):
    _author, client = await person(make)

    expect_error(await client.post(PREVIEW, json=sent), 422, "invalid", sent=sent)


# --- search ------------------------------------------------------------------------------


async def test_search_finds_titles_first_then_the_freshest_text(make):
    author, client = await person(make)
    space = await make.space(owner=author)
    in_text_old = await create_page(client, "Ancienne", "Parle de photosynthèse ici.")
    in_title = await create_page(client, "Photosynthèse", "Rien", space_id=space.id)
    in_text_new = await create_page(client, "Récente", "x" * 200 + " photosynthèse " + "y" * 200)
    await create_page(client, "Hors sujet", "Rien à voir")

    response = await client.get(SEARCH, params={"q": "photosynthèse"})

    assert ids(response) == [in_title["id"], in_text_new["id"], in_text_old["id"]]
    hits = response.json()["items"]
    assert hits[0]["space_id"] == space.id and hits[0]["snippet"] == "Rien"
    assert hits[1]["snippet"] == "…" + "x" * 79 + " photosynthèse " + "y" * 79 + "…"
    assert hits[2]["snippet"] == "Parle de photosynthèse ici."
    assert response.json()["next_cursor"] is None
    assert ids(await client.get(SEARCH, params={"q": "PHOTO", "limit": 1})) == [in_title["id"]]
    # Spaces around the words are not part of the search, nor of the snippet.
    spaced = await client.get(SEARCH, params={"q": "  photosynthèse \n"})
    assert spaced.json()["items"] == hits


async def test_search_takes_percent_and_underscore_literally(make):
    _author, client = await person(make)
    percent = await create_page(client, "Remise", "Une remise de 10% ce mois")
    underscore = await create_page(client, "Variables", "Nommez-les en snake_case")
    titled = await create_page(client, "Le snake_case", "Titre")
    # A title that the wildcards would match must not jump the queue.
    lookalike = await create_page(client, "snakeXcase", "Voir snake_case")

    assert ids(await client.get(SEARCH, params={"q": "%"})) == [percent["id"]]
    for query in ("_", "snake_case"):
        assert ids(await client.get(SEARCH, params={"q": query})) == [
            titled["id"],
            lookalike["id"],
            underscore["id"],
        ]
    assert ids(await client.get(SEARCH, params={"q": "\\"})) == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "invalid"),
        ({"q": ""}, "invalid"),
        ({"q": "   "}, "invalid"),
        ({"q": "x" * 201}, "invalid"),
        ({"q": "x", "limit": 0}, "invalid"),
        ({"q": "x", "limit": 51}, "invalid"),
    ],
)
async def test_bad_searches_are_a_422(make, params, code):
    _author, client = await person(make)

    expect_error(await client.get(SEARCH, params=params), 422, code, sent=params)
