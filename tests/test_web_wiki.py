"""The wiki's pages, in process, for the company wiki and a space's: the tree,
a page with its level, breadcrumb, red links and backlinks, the editor and its
templates, the conflict screen (409) that shows both versions and merges them,
history, diffs, old names that redirect, the bin, and who sees what (the same
404 for a hidden page as for a missing one). Forms do nothing without the
session's anti-forgery token."""

import re
from datetime import date
from html import unescape
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, update

from app.levels import Level
from app.models import User, WikiPage
from app.services import wiki
from tests.api_helpers import BROWSER
from tests.test_web_pages import audit as csp_audit
from tests.test_web_spaces import alert

TEXTAREA = re.compile(r'<textarea id="wiki-body"[^>]*>(.*?)</textarea>', re.S)
BASE_REVISION = re.compile(r'name="base_revision" value="(\d+)"')


async def write_page(session, author: User, title: str, body: str = "", **options) -> WikiPage:
    """A page written through the service, as the editor does."""
    page = await wiki.create_page(
        session,
        viewer=author,
        space_id=options.pop("space_id", None),
        title=title,
        body=body,
        **options,
    )
    await session.commit()
    return page


async def save(session, editor: User, page: WikiPage, body: str, **options) -> WikiPage:
    saved = await wiki.save_page(
        session, viewer=editor, page_id=page.id, base_revision=page.revision, body=body, **options
    )
    await session.commit()
    return saved


def editor_text(html: str) -> str:
    return unescape(TEXTAREA.search(html)[1])


def tree_links(html: str) -> list[str]:
    """The titles the tree of pages shows, in order."""
    tree = html.split("data-wiki-tree>", 1)[1].split("</nav>", 1)[0]
    return [unescape(title) for title in re.findall(r'<a href="/[^"]*"[^>]*>([^<]+)</a>', tree)]


async def count(session, model, *conditions) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*conditions))


# --- who sees which page ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/wiki", "/wiki/accueil", "/wiki/new", "/spaces/1/wiki"])
async def test_wiki_pages_send_an_anonymous_browser_to_sign_in(client, path):
    response = await client.get(path, headers=BROWSER)

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={quote(path)}"


async def test_the_wiki_home_shows_the_tree_search_and_what_changed(make, browser_of, session):
    author = await make.user(clearance="confidential")
    reader = await make.user(language="en")
    guide = await write_page(session, author, "Guide", "Tout sur la **maison**.")
    await write_page(session, author, "Arrivée", "Le premier jour.", parent_id=guide.id)
    await write_page(session, author, "Charte", "Les règles de la maison.")
    await write_page(session, author, "Salaires", "Grille 2025", level=Level.CONFIDENTIAL)
    browser, _csrf = await browser_of(reader)

    home = await browser.get("/wiki")
    found = await browser.get("/wiki", params={"q": "maison"})

    assert home.status_code == 200
    assert tree_links(home.text) == ["Guide", "Arrivée", "Charte"]
    assert "Salaires" not in home.text
    assert 'href="/wiki/new"' in home.text
    assert 'action="/wiki"' in home.text and 'name="q"' in home.text
    assert "/wiki/deleted" not in home.text  # the bin is for moderators
    assert csp_audit(home.text).problems == []
    results = re.findall(r'data-wiki-result="(\d+)"', found.text)
    assert sorted(int(r) for r in results) == sorted([guide.id, guide.id + 2])
    assert "Grille" not in found.text


async def test_wiki_search_results_show_text_not_markdown(make, browser_of, session):
    author = await make.user()
    reader = await make.user(language="en")
    table = "| Offre | Prix |\n|---|---|\n| Ruche | [[Devis]] |"
    await write_page(session, author, "Tarifs", table)
    browser, _csrf = await browser_of(reader)

    found = await browser.get("/wiki", params={"q": "ruche"})

    shown = unescape(found.text.split('class="plain-list wiki-results"', 1)[1].split("</ul>")[0])
    excerpt = re.sub(r"<[^>]+>", "", shown)
    assert "Offre Prix" in excerpt and "Devis" in excerpt
    assert "|" not in excerpt and "[[" not in excerpt and "---" not in excerpt


async def test_a_page_whose_parent_is_hidden_shows_at_the_top(make, browser_of, session):
    author = await make.user(clearance="confidential")
    reader = await make.user(language="en")
    parent = await write_page(session, author, "Direction", "")
    child = await write_page(session, author, "Annuaire", "", parent_id=parent.id)
    # The parent raised afterwards, its child left readable (as a later change of
    # clearance or audience can leave it): the reader still finds the child.
    await session.execute(
        update(WikiPage).where(WikiPage.id == parent.id).values(level=Level.CONFIDENTIAL)
    )
    await session.commit()
    browser, _csrf = await browser_of(reader)

    home = await browser.get("/wiki")
    page = await browser.get(f"/wiki/{child.slug}")

    assert tree_links(home.text) == ["Annuaire"]
    assert page.status_code == 200
    assert "Direction" not in page.text


async def test_a_page_shows_its_level_breadcrumb_links_backlinks_and_sub_pages(
    make, browser_of, session
):
    author = await make.user(display_name="Agnès Auteur")
    reader = await make.user(language="en", display_name="Rémi Lecteur")
    guide = await write_page(session, author, "Guide", "Bienvenue.")
    page = await write_page(
        session,
        author,
        "Arrivée",
        "Lire la [[Charte]] et le [[Livret <b>]].\n\nPuis **signer**.",
        parent_id=guide.id,
    )
    await write_page(session, author, "Badge", "Voir [[Arrivée]].", parent_id=page.id)
    await write_page(session, author, "Charte", "Les règles.")
    page = await save(session, reader, page, page.body + "\n\nMis à jour.")
    browser, _csrf = await browser_of(reader)

    shown = await browser.get(f"/wiki/{page.slug}")

    assert shown.status_code == 200
    html = shown.text
    assert "<h1>Arrivée</h1>" in html
    assert 'class="badge level-internal"' in html
    crumbs = html.split('class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/wiki">Company wiki</a>' in crumbs and 'href="/wiki/guide">Guide</a>' in crumbs
    assert '<li aria-current="page">Arrivée</li>' in crumbs
    assert "<strong>signer</strong>" in html
    assert '<a href="/wiki/charte" class="wikilink"' in html
    # A red link, to create the page it names; the title escaped, never markup.
    red = re.search(r'<a href="([^"]+)" class="wikilink missing"[^>]*>Livret &lt;b&gt;</a>', html)
    assert red and unescape(red[1]) == "/wiki/new?title=Livret+%3Cb%3E"
    assert "Revision 2" in html and "Rémi Lecteur" in html
    assert 'href="/wiki/arrivee/edit"' in html and 'href="/wiki/arrivee/history"' in html
    assert f'action="/wiki/pages/{page.id}/watch"' in html and "Stop watching" in html
    assert f'action="/wiki/pages/{page.id}/delete"' not in html  # not theirs, not a moderator
    subpages = html.split('id="subpages-title"', 1)[1].split("</section>", 1)[0]
    backlinks = html.split('id="backlinks-title"', 1)[1].split("</section>", 1)[0]
    assert 'href="/wiki/badge">Badge</a>' in subpages
    assert 'href="/wiki/badge">Badge</a>' in backlinks
    assert f'data-live="wiki:{page.id} notifications"' in html
    assert f'data-wiki-newer data-page="{page.id}" data-revision="2" hidden' in html
    assert csp_audit(html).problems == []


async def test_an_external_reads_public_pages_without_editing_them(make, browser_of, session):
    author = await make.user()
    contractor = await make.user(kind="contractor", language="en")
    public = await write_page(
        session, author, "Accès au site", "Badge à l'accueil.", level=Level.PUBLIC
    )
    internal = await write_page(session, author, "Organigramme", "Interne.")
    browser, _csrf = await browser_of(contractor)

    page = await browser.get(f"/wiki/{public.slug}")
    hidden = await browser.get(f"/wiki/{internal.slug}")
    editor = await browser.get(f"/wiki/{public.slug}/edit")
    home = await browser.get("/wiki")

    assert page.status_code == 200
    assert "/edit" not in page.text and "/move" not in page.text and "/wiki/new" not in page.text
    assert hidden.status_code == 404
    assert tree_links(home.text) == ["Accès au site"]
    assert editor.status_code == 403
    assert "Only employees write in the company wiki." in editor.text
    refused = await browser.post(
        f"/wiki/pages/{public.id}/edit",
        data={"base_revision": "1", "title": public.title, "body": "Forgé", "csrf_token": _csrf},
    )
    assert refused.status_code == 403
    assert "Only employees write in the company wiki." in alert(refused.text)
    assert editor_text(refused.text) == "Forgé"  # what they typed is still there


async def test_a_hidden_page_is_not_found_like_a_missing_one(make, browser_of, session):
    author = await make.user(clearance="secret")
    employee = await make.user(language="en")
    secret = await write_page(session, author, "Fusion", "Projet Orion", level=Level.SECRET)
    browser, csrf = await browser_of(employee)

    for suffix in ("", "/edit", "/history", "/revisions/1", "/diff?old=1&new=1"):
        hidden = await browser.get(f"/wiki/{secret.slug}{suffix}")
        missing = await browser.get(f"/wiki/no-such-page{suffix}")
        assert hidden.status_code == missing.status_code == 404, suffix
        assert hidden.text == missing.text, suffix
        assert "Orion" not in hidden.text and "Fusion" not in hidden.text
    for action in ("edit", "watch", "delete", "move", "revisions/1/restore"):
        posted = await browser.post(
            f"/wiki/pages/{secret.id}/{action}",
            data={"base_revision": "1", "watching": "true", "csrf_token": csrf},
        )
        assert posted.status_code == 404, action
    assert (await browser.get(f"/wiki/new?parent={secret.id}")).status_code == 404


async def test_a_space_wiki_is_not_found_for_those_who_may_not_read_the_space(
    make, browser_of, session
):
    owner = await make.user()
    member = await make.user(language="en")
    outsider = await make.user(language="en")
    private = await make.space(owner=owner, visibility="private", members=[member], name="Atlas")
    secret = await make.space(owner=owner, visibility="secret", members=[member])
    page = await write_page(session, owner, "Planning", "Jalons", space_id=private.id)
    member_browser, _ = await browser_of(member)
    outsider_browser, _ = await browser_of(outsider)

    wiki_home = await member_browser.get(f"/spaces/{private.id}/wiki")
    space_page = await member_browser.get(f"/spaces/{private.id}")
    refused = [
        await outsider_browser.get(f"/spaces/{private.id}/wiki"),
        await outsider_browser.get(f"/spaces/{private.id}/wiki/{page.slug}"),
        await outsider_browser.get(f"/spaces/{secret.id}/wiki"),
        await outsider_browser.get("/spaces/999999999/wiki"),
        await outsider_browser.get("/spaces/0/wiki"),
        # A page is found only in its own wiki.
        await member_browser.get(f"/wiki/{page.slug}"),
        await member_browser.get(f"/spaces/{secret.id}/wiki/{page.slug}"),
    ]
    outsider_space = await outsider_browser.get(f"/spaces/{private.id}")

    assert wiki_home.status_code == 200
    assert tree_links(wiki_home.text) == ["Planning"]
    crumbs = wiki_home.text.split('class="breadcrumb"', 1)
    assert len(crumbs) == 1 or "Atlas" in crumbs[1]
    assert f'<a href="/spaces/{private.id}/wiki" aria-current="page">Wiki</a>' in wiki_home.text
    assert f'<a href="/spaces/{private.id}">Atlas</a>' in wiki_home.text
    assert f'href="/spaces/{private.id}/wiki/new"' in wiki_home.text
    assert f'<a href="/spaces/{private.id}/wiki" >Wiki</a>' in space_page.text
    assert [response.status_code for response in refused] == [404] * len(refused)
    assert all("Jalons" not in response.text for response in refused)
    assert outsider_space.status_code == 200
    assert f"/spaces/{private.id}/wiki" not in outsider_space.text
    redirected = await member_browser.get(f"/spaces/{private.id}", params={"tab": "wiki"})
    assert redirected.headers["location"] == f"/spaces/{private.id}/wiki"


# --- writing --------------------------------------------------------------------------------


async def test_a_red_link_opens_the_new_page_form_with_its_title(make, browser_of, session):
    author = await make.user(language="en")
    guide = await write_page(session, author, "Guide", "")
    browser, _csrf = await browser_of(author)

    form = await browser.get("/wiki/new", params={"title": "Livret d'accueil", "parent": guide.id})

    assert form.status_code == 200
    assert 'id="wiki-title" name="title" required maxlength="200" value="Livret d&#39;accueil"' in (
        form.text
    )
    assert f'<option value="{guide.id}" selected>Guide</option>' in form.text
    assert 'action="/wiki/new"' in form.text
    assert 'data-wiki-editor data-space-id=""' in form.text
    # Choosing a template keeps the title the red link gave.
    assert f"template=meeting_notes&amp;title=Livret+d%27accueil&amp;parent={guide.id}" in form.text
    assert '<option value="internal" selected>' in form.text  # the wiki's default level
    assert "secret" not in re.findall(r'<option value="(\w+)"', form.text)  # above clearance
    assert csp_audit(form.text).problems == []


async def test_a_page_is_created_from_a_template(make, browser_of, session):
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)

    form = await browser.get("/wiki/new", params={"template": "meeting_notes"})
    chosen = await browser.post(
        "/wiki/new",
        data={
            "template": "project_charter",
            "title": "Charte Atlas",
            "body": "",
            "csrf_token": csrf,
        },
    )

    assert form.status_code == 200
    assert "## Agenda" in editor_text(form.text) and "## Decisions" in editor_text(form.text)
    assert re.search(
        r'name="title" required maxlength="200" '
        r'value="Meeting notes of [A-Z][a-z]+ \d{1,2}, \d{4}"',
        form.text,
    )
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/wiki/charte-atlas?done=created"
    page = await session.scalar(select(WikiPage).where(WikiPage.slug == "charte-atlas"))
    assert "## Objectives" in page.body and "## Milestones" in page.body
    shown = await browser.get(chosen.headers["location"])
    assert "The page is created." in shown.text
    assert "<h2>Objectives</h2>" in shown.text


async def test_a_template_title_already_taken_today_is_offered_with_a_number(make, browser_of):
    """The day's second meeting notes: the form offers a title a save accepts."""
    author = await make.user(language="en")
    browser, csrf = await browser_of(author)

    titles = []
    for _ in range(3):
        form = await browser.get("/wiki/new", params={"template": "meeting_notes"})
        title = unescape(re.search(r'name="title" [^>]*value="([^"]*)"', form.text).group(1))
        saved = await browser.post(
            "/wiki/new",
            data={"template": "meeting_notes", "title": title, "body": "Notes", "csrf_token": csrf},
        )
        assert saved.status_code == 303, saved.text
        titles.append(title)

    today = date.today()
    first = f"Meeting notes of {today:%B} {today.day}, {today.year}"
    assert titles == [first, f"{first} (2)", f"{first} (3)"]


async def test_a_new_page_in_a_space_wiki_goes_under_its_parent(make, browser_of, session):
    member = await make.user(language="en")
    space = await make.space(members=[member], default_level="confidential")
    member.clearance = Level.CONFIDENTIAL
    await session.commit()
    parent = await write_page(session, member, "Projet", "", space_id=space.id)
    browser, csrf = await browser_of(member)

    form = await browser.get(f"/spaces/{space.id}/wiki/new", params={"parent": parent.id})
    created = await browser.post(
        f"/spaces/{space.id}/wiki/new",
        data={
            "title": "Jalons",
            "body": "- juin",
            "parent_id": str(parent.id),
            "level": "confidential",
            "message": "Premier jet",
            "csrf_token": csrf,
        },
    )

    assert '<option value="confidential" selected>' in form.text
    assert f'data-space-id="{space.id}"' in form.text
    assert created.status_code == 303
    assert created.headers["location"] == f"/spaces/{space.id}/wiki/jalons?done=created"
    page = await session.scalar(select(WikiPage).where(WikiPage.title == "Jalons"))
    assert (page.space_id, page.parent_id, page.level) == (space.id, parent.id, Level.CONFIDENTIAL)
    revision = await wiki.get_revision(session, viewer=member, page_id=page.id, number=1)
    assert revision.message == "Premier jet"


async def test_a_refused_page_comes_back_with_everything_typed(make, browser_of, session):
    author = await make.user(language="en")
    await write_page(session, author, "Charte", "")
    browser, csrf = await browser_of(author)
    body = "Un long texte <script>alert(1)</script> à ne pas perdre."

    taken = await browser.post(
        "/wiki/new", data={"title": "Charte", "body": body, "csrf_token": csrf}
    )
    too_long = await browser.post(
        "/wiki/new", data={"title": "T" * 300, "body": body, "csrf_token": csrf}
    )

    assert taken.status_code == 409
    assert alert(taken.text) == "A page with this title already exists in this wiki."
    assert editor_text(taken.text) == body
    assert "<script>alert(1)</script>" not in taken.text
    assert too_long.status_code == 422
    assert editor_text(too_long.text) == body
    assert await count(session, WikiPage, WikiPage.author_id == author.id) == 1


async def test_the_preview_button_renders_without_saving(make, browser_of, session):
    author = await make.user(language="en")
    page = await write_page(session, author, "Guide", "Avant")
    await write_page(session, author, "Charte", "")
    browser, csrf = await browser_of(author)

    previewed = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={
            "base_revision": "1",
            "title": "Guide",
            "body": "**Après** et [[Charte]] et [[Absente]]",
            "intent": "preview",
            "csrf_token": csrf,
        },
    )

    assert previewed.status_code == 200
    preview = previewed.text.split("data-wiki-preview>", 1)[1].split("</div>", 1)[0]
    assert "<strong>Après</strong>" in preview
    assert 'href="/wiki/charte" class="wikilink"' in preview
    assert 'class="wikilink missing"' in preview
    assert editor_text(previewed.text) == "**Après** et [[Charte]] et [[Absente]]"
    await session.refresh(page)
    assert (page.revision, page.body) == (1, "Avant")


async def test_saving_makes_a_revision_and_a_rename_redirects_the_old_address(
    make, browser_of, session
):
    author = await make.user(language="en")
    page = await write_page(session, author, "Guide", "Avant")
    browser, csrf = await browser_of(author)

    editor = await browser.get("/wiki/guide/edit")
    saved = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={
            "base_revision": BASE_REVISION.search(editor.text)[1],
            "title": "Guide d'accueil",
            "body": "Après",
            "message": "Renommée",
            "level": "internal",
            "csrf_token": csrf,
        },
    )
    old_view = await browser.get("/wiki/guide", params={"done": "saved"})
    old_history = await browser.get("/wiki/guide/history")

    assert editor.status_code == 200
    assert editor_text(editor.text) == "Avant"
    assert 'id="wiki-level"' in editor.text  # the author may change who reads it
    assert saved.status_code == 303
    assert saved.headers["location"] == "/wiki/guide-d-accueil?done=saved"
    assert old_view.status_code == 301
    assert old_view.headers["location"] == "/wiki/guide-d-accueil?done=saved"
    assert old_history.status_code == 301
    assert old_history.headers["location"] == "/wiki/guide-d-accueil/history"
    shown = await browser.get(old_view.headers["location"])
    assert "Your changes are saved." in shown.text and "Revision 2" in shown.text


async def test_an_editor_who_is_not_the_author_does_not_choose_the_level(make, browser_of, session):
    author = await make.user()
    colleague = await make.user(language="en")
    page = await write_page(session, author, "Guide", "Avant")
    browser, csrf = await browser_of(colleague)

    editor = await browser.get("/wiki/guide/edit")
    forged = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={
            "base_revision": "1",
            "title": "Guide",
            "body": "Après",
            "level": "public",
            "csrf_token": csrf,
        },
    )

    assert 'id="wiki-level"' not in editor.text
    assert "Only the page's author and the moderators change it." in unescape(editor.text)
    assert forged.status_code == 403
    assert editor_text(forged.text) == "Après"


async def test_a_stale_save_gets_the_conflict_screen_and_merges_both_edits(
    make, browser_of, session
):
    first = await make.user(display_name="Alice Première")
    second = await make.user(language="en")
    page = await write_page(session, first, "Procédure", "Étape un\nÉtape deux\nÉtape trois\n")
    browser, csrf = await browser_of(second)
    editor = await browser.get("/wiki/procedure/edit")
    # Someone else saves while the second editor types.
    await save(session, first, page, "Étape zéro <b>\nÉtape un\nÉtape deux\nÉtape trois\n")

    conflict = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={
            "base_revision": BASE_REVISION.search(editor.text)[1],
            "title": "Procédure",
            "body": "Étape un\nÉtape deux\nÉtape trois\nÉtape quatre\n",
            "message": "Ajout",
            "csrf_token": csrf,
        },
    )

    assert conflict.status_code == 409
    html = conflict.text
    assert "Someone saved this page since you opened it" in alert(html)
    theirs = html.split("data-their-version>", 1)[1].split("</section>", 1)[0]
    mine = html.split("data-my-version>", 1)[1].split("</section>", 1)[0]
    assert "Their version (revision 2)" in theirs and "Alice Première" in theirs
    assert "Étape zéro &lt;b&gt;" in theirs  # escaped, never markup
    assert "Étape quatre" in mine and "based on revision 1" in mine
    assert "<ins>Étape zéro &lt;b&gt;\n</ins>" in html
    assert editor_text(html) == "Étape zéro <b>\nÉtape un\nÉtape deux\nÉtape trois\nÉtape quatre\n"
    assert BASE_REVISION.search(html)[1] == "2"
    assert 'value="Ajout"' in html
    assert "<<<<<<<" not in editor_text(html)

    merged = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={
            "base_revision": "2",
            "title": "Procédure",
            "body": editor_text(html),
            "message": "Ajout",
            "csrf_token": csrf,
        },
    )

    assert merged.status_code == 303
    await session.refresh(page)
    assert page.revision == 3
    assert "Étape zéro <b>" in page.body and "Étape quatre" in page.body


async def test_a_conflict_on_the_same_lines_keeps_both_between_markers(make, browser_of, session):
    first = await make.user()
    second = await make.user(language="en")
    page = await write_page(session, first, "Menu", "Lundi : pâtes\n")
    await save(session, first, page, "Lundi : riz\n")
    browser, csrf = await browser_of(second)

    conflict = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={"base_revision": "1", "title": "Menu", "body": "Lundi : soupe\n", "csrf_token": csrf},
    )

    assert conflict.status_code == 409
    merged = editor_text(conflict.text)
    assert "Lundi : riz" in merged and "Lundi : soupe" in merged
    assert merged.startswith("<<<<<<< ") and ">>>>>>> " in merged
    assert "You both changed the same lines" in conflict.text


async def test_a_save_on_a_page_deleted_meanwhile_gives_back_the_text(make, browser_of, session):
    author = await make.user(language="en")
    page = await write_page(session, author, "Brouillon", "Avant")
    await wiki.delete_page(session, viewer=author, page_id=page.id)
    await session.commit()
    browser, csrf = await browser_of(author)

    response = await browser.post(
        f"/wiki/pages/{page.id}/edit",
        data={"base_revision": "1", "title": "Brouillon", "body": "Mon texte", "csrf_token": csrf},
    )

    assert response.status_code == 404
    assert ">Mon texte</textarea>" in response.text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/wiki/new", {"title": "Forgée", "body": "x"}),
        ("/wiki/pages/{id}/edit", {"base_revision": "1", "title": "Forgée", "body": "x"}),
        ("/wiki/pages/{id}/delete", {}),
        ("/wiki/pages/{id}/move", {"shift": "down"}),
        ("/wiki/pages/{id}/watch", {"watching": "false"}),
        ("/wiki/pages/{id}/revisions/1/restore", {"base_revision": "1"}),
    ],
)
async def test_wiki_forms_do_nothing_without_the_anti_forgery_token(
    make, browser_of, session, path, data
):
    author = await make.user(role="admin", clearance="secret")
    page = await write_page(session, author, "Guide", "Avant")
    await write_page(session, author, "Autre", "")
    browser, _csrf = await browser_of(author)

    refused = await browser.post(path.format(id=page.id), data=data)
    wrong = await browser.post(path.format(id=page.id), data={**data, "csrf_token": "x" * 43})

    assert refused.status_code == wrong.status_code == 403
    await session.refresh(page)
    assert (page.title, page.body, page.revision, page.deleted_at) == ("Guide", "Avant", 1, None)
    assert await count(session, WikiPage, WikiPage.title == "Forgée") == 0
    assert await wiki.is_watching(session, viewer=author, page_id=page.id)


# --- history -------------------------------------------------------------------------------


async def test_history_lists_revisions_to_compare_view_and_restore(make, browser_of, session):
    author = await make.user(display_name="Agnès Auteur", language="en")
    page = await write_page(session, author, "Guide", "Le chat dort.", message="Création")
    page = await save(session, author, page, "Le chien dort.", message="Chien")
    page = await save(session, author, page, "Le chien court.")
    browser, csrf = await browser_of(author)

    history = await browser.get("/wiki/guide/history")

    assert history.status_code == 200
    assert re.findall(r'<tr data-revision="(\d+)">', history.text) == ["3", "2", "1"]
    assert "Création" in history.text and "Chien" in history.text
    assert 'action="/wiki/guide/diff"' in history.text
    assert re.search(r'name="old" value="2"[^>]*checked', history.text)
    assert re.search(r'name="new" value="3"[^>]*checked', history.text)
    assert f'action="/wiki/pages/{page.id}/revisions/1/restore"' in history.text
    assert f'action="/wiki/pages/{page.id}/revisions/3/restore"' not in history.text  # current
    assert csp_audit(history.text).problems == []

    diff = await browser.get("/wiki/guide/diff", params={"old": 1, "new": 3})
    default_diff = await browser.get("/wiki/guide/diff")
    revision = await browser.get("/wiki/guide/revisions/1")
    missing = await browser.get("/wiki/guide/revisions/9")

    assert diff.status_code == 200
    assert "<del>chat</del><ins>chien</ins><span> </span><del>dort.</del><ins>court.</ins>" in (
        diff.text
    )
    assert "<del>dort.</del><ins>court.</ins>" in default_diff.text  # 2 to 3
    assert revision.status_code == 200
    assert "Le chat dort." in revision.text and "Restore this revision" in revision.text
    assert missing.status_code == 404

    restored = await browser.post(
        f"/wiki/pages/{page.id}/revisions/1/restore",
        data={"base_revision": "3", "csrf_token": csrf},
    )
    stale = await browser.post(
        f"/wiki/pages/{page.id}/revisions/2/restore",
        data={"base_revision": "3", "csrf_token": csrf},
    )

    assert restored.status_code == 303
    assert restored.headers["location"] == "/wiki/guide?done=reverted"
    await session.refresh(page)
    assert (page.revision, page.body) == (4, "Le chat dort.")
    assert stale.status_code == 409
    assert "Someone saved this page since you opened its history" in alert(stale.text)
    later = await browser.get("/wiki/guide/history")
    assert "(restored from revision 1)" in later.text


async def test_history_is_paged(make, browser_of, session):
    author = await make.user(language="en")
    page = await write_page(session, author, "Journal", "0")
    for number in range(1, 55):
        page = await save(session, author, page, str(number))
    browser, _csrf = await browser_of(author)

    first = await browser.get("/wiki/journal/history")
    older_link = re.search(r'href="(/wiki/journal/history\?before=\d+)"', first.text)[1]
    second = await browser.get(older_link)

    shown = re.findall(r'<tr data-revision="(\d+)">', first.text)
    rest = re.findall(r'<tr data-revision="(\d+)">', second.text)
    assert len(shown) == 50 and shown[0] == "55"
    assert rest == [str(n) for n in range(5, 0, -1)]


# --- the tree: moving, reordering; watching; the bin -------------------------------------------


async def test_pages_move_up_down_and_under_another_parent(make, browser_of, session):
    author = await make.user(language="en", clearance="confidential")
    first = await write_page(session, author, "Un", "")
    hidden = await write_page(session, author, "Caché", "")
    second = await write_page(session, author, "Deux", "")
    third = await write_page(session, author, "Trois", "")
    # A sibling the reader may not read, between the others: it neither counts nor moves.
    await session.execute(
        update(WikiPage).where(WikiPage.id == hidden.id).values(level=Level.SECRET)
    )
    await session.commit()
    author.clearance = Level.INTERNAL
    await session.commit()
    browser, csrf = await browser_of(author)

    view = await browser.get("/wiki/deux")
    up = await browser.post(
        f"/wiki/pages/{second.id}/move", data={"shift": "up", "csrf_token": csrf}
    )
    after_up = tree_links((await browser.get("/wiki")).text)
    down = await browser.post(
        f"/wiki/pages/{second.id}/move", data={"shift": "down", "csrf_token": csrf}
    )
    after_down = tree_links((await browser.get("/wiki")).text)
    under = await browser.post(
        f"/wiki/pages/{third.id}/move",
        data={"parent_id": str(first.id), "position": "1", "csrf_token": csrf},
    )
    cycle = await browser.post(
        f"/wiki/pages/{first.id}/move",
        data={"parent_id": str(third.id), "position": "1", "csrf_token": csrf},
    )

    assert 'name="shift" value="up"' in view.text
    assert f'<option value="{second.id}"' not in view.text  # not under itself
    assert up.status_code == down.status_code == under.status_code == 303
    assert after_up == ["Deux", "Un", "Trois"]
    assert after_down == ["Un", "Deux", "Trois"]
    assert tree_links((await browser.get("/wiki")).text) == ["Un", "Trois", "Deux"]
    assert under.headers["location"] == "/wiki/trois?done=moved"
    assert cycle.status_code == 422
    assert alert(cycle.text) == "A page cannot be moved under itself."


async def test_watching_is_toggled_from_the_page(make, browser_of, session):
    author = await make.user()
    reader = await make.user(language="en")
    page = await write_page(session, author, "Guide", "")
    browser, csrf = await browser_of(reader)

    before = await browser.get("/wiki/guide")
    watched = await browser.post(
        f"/wiki/pages/{page.id}/watch", data={"watching": "true", "csrf_token": csrf}
    )
    during = await browser.get(watched.headers["location"])
    stopped = await browser.post(
        f"/wiki/pages/{page.id}/watch", data={"watching": "false", "csrf_token": csrf}
    )

    assert 'name="watching" value="true"' in before.text and ">Watch</button>" in before.text
    assert watched.headers["location"] == "/wiki/guide?done=watching"
    assert 'name="watching" value="false"' in during.text and "Stop watching" in during.text
    assert stopped.headers["location"] == "/wiki/guide?done=unwatched"
    assert not await wiki.is_watching(session, viewer=reader, page_id=page.id)


async def test_the_bin_is_for_moderators_who_restore_from_it(make, browser_of, session):
    admin = await make.user(role="admin", clearance="secret", language="en")
    author = await make.user(language="en")
    employee = await make.user(language="en")
    guide = await write_page(session, author, "Guide", "")
    child = await write_page(session, author, "Arrivée", "", parent_id=guide.id)
    author_browser, author_csrf = await browser_of(author)
    admin_browser, admin_csrf = await browser_of(admin)
    employee_browser, employee_csrf = await browser_of(employee)

    refused_delete = await employee_browser.post(
        f"/wiki/pages/{guide.id}/delete", data={"csrf_token": employee_csrf}
    )
    deleted = await author_browser.post(
        f"/wiki/pages/{guide.id}/delete", data={"csrf_token": author_csrf}
    )
    gone = await author_browser.get("/wiki/guide")
    home = await author_browser.get(deleted.headers["location"])
    author_bin = await author_browser.get("/wiki/deleted")
    admin_home = await admin_browser.get("/wiki")
    admin_bin = await admin_browser.get("/wiki/deleted")
    refused_restore = await employee_browser.post(
        f"/wiki/pages/{guide.id}/restore", data={"csrf_token": employee_csrf}
    )
    restored = await admin_browser.post(
        f"/wiki/pages/{guide.id}/restore", data={"csrf_token": admin_csrf}
    )

    assert refused_delete.status_code == 403
    assert alert(refused_delete.text) == "Only the page's author and the moderators may delete it."
    assert deleted.headers["location"] == "/wiki?done=deleted"
    assert gone.status_code == 404
    assert "The page is in the bin." in home.text
    assert tree_links(home.text) == ["Arrivée"]  # moved up, not lost
    assert author_bin.status_code == 403
    assert 'href="/wiki/deleted"' in admin_home.text
    assert admin_bin.status_code == 200
    assert f'data-deleted-page="{guide.id}"' in admin_bin.text
    assert refused_restore.status_code == 404
    assert restored.headers["location"] == "/wiki/guide?done=restored"
    await session.refresh(child)
    assert (await author_browser.get("/wiki/guide")).status_code == 200
    assert child.parent_id is None


async def test_a_space_bin_is_for_the_space_moderators(make, browser_of, session):
    owner = await make.user(language="en")
    member = await make.user(language="en")
    space = await make.space(owner=owner, members=[member])
    page = await write_page(session, member, "Notes", "", space_id=space.id)
    await wiki.delete_page(session, viewer=member, page_id=page.id)
    await session.commit()
    owner_browser, _ = await browser_of(owner)
    member_browser, _ = await browser_of(member)

    owner_bin = await owner_browser.get(f"/spaces/{space.id}/wiki/deleted")
    member_bin = await member_browser.get(f"/spaces/{space.id}/wiki/deleted")

    assert owner_bin.status_code == 200
    assert f'action="/spaces/{space.id}/wiki/pages/{page.id}/restore"' in owner_bin.text
    assert member_bin.status_code == 403


async def test_a_space_wiki_redirects_old_names_and_keeps_its_pages_to_itself(
    make, browser_of, session
):
    member = await make.user(language="en")
    space = await make.space(members=[member])
    page = await write_page(session, member, "Planning", "Jalons", space_id=space.id)
    await wiki.save_page(
        session, viewer=member, page_id=page.id, base_revision=1, title="Calendrier"
    )
    await session.commit()
    company_page = await write_page(session, member, "Guide", "")
    browser, csrf = await browser_of(member)

    moved = await browser.get(f"/spaces/{space.id}/wiki/planning/revisions/1")
    elsewhere = await browser.post(
        f"/spaces/{space.id}/wiki/pages/{company_page.id}/edit",
        data={"base_revision": "1", "title": "Guide", "body": "x", "csrf_token": csrf},
    )

    assert moved.status_code == 301
    assert moved.headers["location"] == f"/spaces/{space.id}/wiki/calendrier/revisions/1"
    assert elsewhere.status_code == 404
    shown = await browser.get(moved.headers["location"])
    assert shown.status_code == 200 and "Jalons" in shown.text


async def test_a_watchers_notification_leads_to_the_page_wherever_it_lives(
    make, browser_of, session
):
    author, watcher, outsider = await make.user(), await make.user(), await make.user()
    space = await make.space(owner=author, visibility="private", members=[watcher])
    page = await write_page(session, author, "Procédure", "v1", space_id=space.id)
    await wiki.watch(session, viewer=watcher, page_id=page.id, on=True)
    await save(session, author, page, "v2", title="Procédure d'achat")
    client, _csrf = await browser_of(watcher)

    listed = await client.get("/notifications")
    changed = "a modifié la page de wiki «\u202fProcédure d'achat\u202f»"
    assert f"{author.display_name} {changed}" in unescape(listed.text)
    assert f'href="/wiki/pages/{page.id}"' in listed.text
    followed = await client.get(f"/wiki/pages/{page.id}")
    assert followed.status_code == 303
    assert followed.headers["location"] == f"/spaces/{space.id}/wiki/procedure-d-achat"

    stranger, _ = await browser_of(outsider)
    hidden = await stranger.get(f"/wiki/pages/{page.id}")
    missing = await stranger.get(f"/wiki/pages/{page.id + 1000}")
    assert hidden.status_code == missing.status_code == 404


async def test_a_page_titled_like_a_wiki_screen_gets_an_address_of_its_own(
    make, browser_of, session
):
    author = await make.user()
    pages = [await write_page(session, author, title) for title in ("New", "Deleted", "Pages")]
    assert [page.slug for page in pages] == ["new-page", "deleted-page", "pages-page"]
    client, _csrf = await browser_of(author)
    shown = await client.get("/wiki/new-page")
    assert shown.status_code == 200
    assert "<h1" in shown.text and "New" in shown.text


async def test_the_home_page_lists_recent_wiki_changes_the_reader_may_read(
    make, browser_of, session
):
    author = await make.user(clearance="secret")
    reader = await make.user()
    seen = await write_page(session, author, "Guide des congés")
    await write_page(session, author, "Plan social", level=Level.SECRET)
    client, _csrf = await browser_of(reader)

    home = await client.get("/")

    card = home.text[home.text.index("data-wiki-changes") :]
    card = card[: card.index("</ul>")]
    assert f'data-page="{seen.id}"' in card and "Guide des congés" in card
    assert "Plan social" not in home.text
