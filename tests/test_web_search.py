"""The search page of the navigation bar: people, spaces and wiki pages that
hold the words, each as its own service filters it for the viewer; a #hashtag
leads to its stream. What the viewer may not see is not there, not even as a
count."""

import re

from tests.wiki_helpers import create_page


def found(html: str, kind: str) -> list[str]:
    """The results of one section of the page, by their data attribute."""
    section = re.search(rf'data-results="{kind}">(.*?)</section>', html, re.S)
    assert section, kind
    attribute = {"people": "data-person", "spaces": "data-space", "pages": "data-wiki-result"}
    return re.findall(rf'{attribute[kind]}="([^"]+)"', section.group(1))


async def test_one_search_finds_people_spaces_and_wiki_pages(make, browser_of):
    viewer = await make.user(language="en")
    person = await make.user(display_name="Hélène Atlas")
    space = await make.space(name="Projet Atlas", owner=viewer)
    page = await create_page(await make.bearer(viewer), "Charte Atlas", "Le projet **Atlas**.")
    browser, _csrf = await browser_of(viewer)

    response = await browser.get("/search", params={"q": "atlas"})

    assert response.status_code == 200
    assert found(response.text, "people") == [person.handle]
    assert found(response.text, "spaces") == [str(space.id)]
    assert found(response.text, "pages") == [str(page["id"])]
    assert f'href="/people/{person.handle}"' in response.text
    assert f'href="/spaces/{space.id}"' in response.text
    empty = await browser.get("/search")
    assert empty.status_code == 200 and "data-results" not in empty.text


async def test_an_external_finds_nothing_beyond_what_they_may_see(make, browser_of):
    contractor = await make.user(kind="contractor", language="en")
    teammate = await make.user(display_name="Atlas Équipière", clearance="confidential")
    await make.user(display_name="Atlas Inconnu")
    shared = await make.space(
        name="Atlas partagé", owner=teammate, allows_externals=True, members=[contractor]
    )
    await make.space(name="Atlas interne", visibility="private")
    employee_client = await make.bearer(teammate)
    await create_page(employee_client, "Atlas confidentiel", "Plan", level="confidential")
    public = await create_page(
        employee_client, "Atlas pour tous", "Ouvert", space_id=shared.id, level="public"
    )
    browser, _csrf = await browser_of(contractor)

    response = await browser.get("/search", params={"q": "atlas"})

    assert found(response.text, "people") == [teammate.handle]
    assert found(response.text, "spaces") == [str(shared.id)]
    assert found(response.text, "pages") == [str(public["id"])]
    for hidden in ("Atlas Inconnu", "Atlas interne", "Atlas confidentiel"):
        assert hidden not in response.text


async def test_a_hashtag_leads_to_its_stream(make, browser_of):
    browser, _csrf = await browser_of(await make.user())

    response = await browser.get("/search", params={"q": "#Équipe"})

    assert response.status_code == 303
    assert response.headers["location"] == "/hashtags/%C3%A9quipe"


async def test_wiki_hits_show_the_text_a_reader_reads_not_its_markdown(make, browser_of):
    viewer = await make.user(language="en")
    body = (
        "| Étape | Qui |\n|---|---|\n| **Commande** | [[Achats]] |\n\n"
        "Voir [le guide](https://example.com/g) et `<b>code</b>` pour la commande."
    )
    page = await create_page(await make.bearer(viewer), "Procédure", body)
    browser, _csrf = await browser_of(viewer)

    for path in ("/search", "/wiki"):
        response = await browser.get(path, params={"q": "commande"})
        hit = re.search(
            rf'data-wiki-result="{page["id"]}">.*?<p class="muted small">(.*?)</p>',
            response.text,
            re.S,
        )
        assert hit, path
        assert hit[1] == (
            "Étape Qui <mark>Commande</mark> Achats Voir le guide et "
            "&lt;b&gt;code&lt;/b&gt; pour la <mark>commande</mark>."
        ), path
