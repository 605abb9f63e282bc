"""The search page: the results of the API's own search service, with
highlighted snippets, facets as filters and a keyset "next page" link; a
#hashtag alone leads to its stream. What the viewer may not read is not
there, not even as a count or a facet."""

import re
from html import unescape

from tests.test_files_avatars import avatar_of
from tests.wiki_helpers import create_page


def results(html: str) -> list[str]:
    """The results shown, as "kind-id", in their order."""
    return re.findall(r'data-result="([^"]+)"', html)


def total(html: str) -> str:
    return re.search(r'id="results-count" data-total="(\d+)"', html)[1]


def facet(html: str, name: str) -> dict[str, int]:
    """A facet's choices and their counts ({"post": 2} or {"12": 3})."""
    block = re.search(rf'data-facet="{name}">(.*?)</ul>', html, re.S)
    if block is None:
        return {}
    return {
        value: int(count)
        for value, count in re.findall(rf'data-{name}="([^"]+)" data-count="(\d+)"', block[1])
    }


async def test_results_with_snippets_types_and_counts(make, browser_of):
    viewer = await make.user(language="en")
    space = await make.space(name="Projet Zéphyr", owner=viewer)
    post = await make.post(author=viewer, space=space, body="Le <b>zéphyr</b> souffle fort.")
    page = await create_page(
        await make.bearer(viewer), "Charte zephyr", "Le **vent**.", space_id=space.id
    )
    await make.post(author=viewer, body="Rien à voir.")
    browser, _csrf = await browser_of(viewer)

    response = await browser.get("/search", params={"q": "zephyr"})

    assert response.status_code == 200
    assert results(response.text) == [
        f"page-{page['id']}",
        f"space-{space.id}",
        f"post-{post.id}",
    ]
    assert total(response.text) == "3" and ">3 results<" in response.text
    assert facet(response.text, "type") == {"post": 1, "page": 1, "space": 1}
    assert facet(response.text, "space") == {str(space.id): 3}  # the space itself too
    snippet = re.search(
        rf'data-result="post-{post.id}".*?data-snippet>(.*?)</p>', response.text, re.S
    )[1]
    assert snippet == "Le &lt;b&gt;<mark>zéphyr</mark>&lt;/b&gt; souffle fort."
    assert f'href="/posts/{post.id}"' in response.text
    assert "Post by " in response.text and "<time" in response.text


async def test_filters_narrow_the_results_and_keep_the_type_counts(make, browser_of):
    viewer = await make.user(language="en")
    space = await make.space(name="Atelier", owner=viewer)
    public = await make.post(author=viewer, space=space, level="public", body="Boussole ouverte")
    internal = await make.post(author=viewer, body="Boussole interne")
    browser, _csrf = await browser_of(viewer)

    by_space = await browser.get("/search", params={"q": "boussole", "space": space.id})
    by_level = await browser.get("/search", params={"q": "boussole", "level": "internal"})
    by_type = await browser.get("/search", params={"q": "boussole", "type": "comment"})
    by_author = await browser.get("/search", params={"q": "boussole", "author": "personne"})
    later = await browser.get("/search", params={"q": "boussole", "from": "2999-01-01"})
    blank = await browser.get(
        "/search", params={"q": "boussole", "from": "", "to": "", "level": "", "type": ""}
    )

    assert results(by_space.text) == [f"post-{public.id}"]
    assert results(by_level.text) == [f"post-{internal.id}"]
    assert results(by_type.text) == [] and total(by_type.text) == "0"
    assert results(by_author.text) == [] and "@personne" in by_author.text
    assert 'href="/search?q=boussole">' in by_author.text  # every author again
    assert facet(by_type.text, "type") == {"post": 2}
    assert 'data-type="comment"' not in by_type.text
    assert results(later.text) == [] and "data-empty-state" in later.text
    assert results(blank.text) == [f"post-{internal.id}", f"post-{public.id}"]
    link = unescape(re.search(r'href="([^"]*)" data-type="post"', by_level.text)[1])
    assert link == "/search?q=boussole&type=post&level=internal"


async def test_bad_filters_are_told_on_the_page(make, browser_of):
    browser, _csrf = await browser_of(await make.user(language="fr"))

    for params in ({"from": "hier"}, {"level": "ultra"}, {"space": "abc"}, {"type": "x"}):
        response = await browser.get("/search", params={"q": "boussole", **params})
        assert response.status_code == 422, params
        assert "data-search-error" in response.text and 'lang="fr"' in response.text
    response = await browser.get("/search", params={"q": "-seulement"})
    assert response.status_code == 422 and "data-search-error" in response.text


async def test_the_next_page_link_carries_the_cursor_and_the_filters(make, browser_of):
    viewer = await make.user(language="en")
    posts = [await make.post(author=viewer, body=f"Marée numéro {n}") for n in range(23)]
    browser, _csrf = await browser_of(viewer)

    first = await browser.get("/search", params={"q": "maree", "type": "post"})
    link = unescape(re.search(r'href="([^"]+)" rel="next"', first.text)[1])
    second = await browser.get(link)

    assert link.startswith("/search?q=maree&type=post&cursor=")
    newest_first = [f"post-{post.id}" for post in reversed(posts)]
    assert results(first.text) == newest_first[:20]
    assert results(second.text) == newest_first[20:]
    assert 'rel="next"' not in second.text
    assert total(second.text) == "23"


async def test_a_contractor_sees_only_what_they_may_read_counts_included(make, browser_of):
    contractor = await make.user(kind="contractor", language="en")
    employee = await make.user()
    shared = await make.space(
        name="Chantier", owner=employee, allows_externals=True, members=[contractor]
    )
    secret = await make.space(name="Chantier secret", owner=employee, visibility="secret")
    public = await make.post(author=employee, space=shared, level="public", body="Quartz public")
    await make.post(author=employee, space=shared, level="internal", body="Quartz interne")
    await make.post(author=employee, space=secret, level="public", body="Quartz caché")
    await make.post(author=employee, level="internal", body="Quartz de la maison")
    browser, _csrf = await browser_of(contractor)

    response = await browser.get("/search", params={"q": "quartz"})
    hidden = await browser.get("/search", params={"q": "quartz", "space": secret.id})

    assert results(response.text) == [f"post-{public.id}"]
    assert total(response.text) == "1" and ">1 result<" in response.text
    assert facet(response.text, "type") == {"post": 1}
    assert facet(response.text, "space") == {str(shared.id): 1}
    for word in ("interne", "caché", "maison", "Chantier secret"):
        assert word not in response.text
    assert results(hidden.text) == [] and total(hidden.text) == "0"
    assert "Chantier secret" not in hidden.text
    employee_browser, _csrf = await browser_of(employee)
    seen = await employee_browser.get("/search", params={"q": "quartz"})
    assert total(seen.text) == "4"


async def test_a_hashtag_alone_leads_to_its_stream(make, browser_of):
    browser, _csrf = await browser_of(await make.user())

    response = await browser.get("/search", params={"q": "#Équipe"})
    filtered = await browser.get("/search", params={"q": "#équipe", "type": "post"})

    assert response.status_code == 303
    assert response.headers["location"] == "/hashtags/%C3%A9quipe"
    assert filtered.status_code == 200 and 'id="results-count"' in filtered.text


async def test_an_empty_search_shows_the_form_and_no_results(make, browser_of):
    browser, _csrf = await browser_of(await make.user(language="fr"))

    empty = await browser.get("/search")
    nothing = await browser.get("/search", params={"q": "introuvablissime"})

    assert empty.status_code == 200 and 'id="search-q"' in empty.text
    assert "results-count" not in empty.text
    assert "data-empty-state" in nothing.text and "0 résultat" in nothing.text
    assert 'data-empty-action="/search?q=introuvablissime"' not in nothing.text
    filtered = await browser.get("/search", params={"q": "introuvablissime", "level": "public"})
    assert 'data-empty-action="/search?q=introuvablissime"' in filtered.text


async def test_the_header_box_suggestions_carry_faces(make):
    """search-box.js shows a person's photo beside their name, else initials."""
    viewer = await make.user()
    pictured = await make.user(display_name="Ombeline Photo")
    plain = await make.user(display_name="Ombeline Sans")
    async with await make.bearer(pictured) as client:
        photo = await avatar_of(client)
    async with await make.bearer(viewer) as client:
        answer = await client.get("/api/v1/search/suggestions", params={"q": "ombel"})

    faces = {person["id"]: person["avatar_url"] for person in answer.json()["people"]}
    assert faces == {pictured.id: photo, plain.id: None}
