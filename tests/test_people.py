"""The people directory, through the API and the web page: everyone active an
employee may know of, by name; for an external, only the people of their spaces
and the authors of what they may read. Nobody else shows, not in a search, not
in a count, not on a later page."""

import re

from tests.helpers import expect_error

PEOPLE = "/api/v1/users"


async def listed(client, **params) -> list[str]:
    """Every handle of the directory, page after page (two at a time)."""
    handles, cursor = [], None
    while True:
        paging = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await client.get(PEOPLE, params={**paging, **params})
        assert response.status_code == 200, response.text
        page = response.json()
        handles += [person["handle"] for person in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return handles


async def test_an_employee_sees_every_active_account_by_name(make):
    viewer = await make.user(display_name="Bruno Vidal")
    colleague = await make.user(display_name="Amélie Roux")
    contractor = await make.user(kind="contractor", display_name="Chloé Prestataire")
    await make.user(display_name="Ancien Salarié", is_active=False)
    client = await make.bearer(viewer)

    response = await client.get(PEOPLE)

    assert response.status_code == 200
    assert response.json()["items"][0] == {
        "id": colleague.id,
        "handle": colleague.handle,
        "display_name": "Amélie Roux",
        "kind": "employee",
        "avatar_url": None,
        "job_title": "",
        "department": "",
        "site": "",
        "skills": [],
    }
    assert await listed(client) == [colleague.handle, viewer.handle, contractor.handle]


async def test_a_search_matches_names_and_handles(make):
    viewer = await make.user(display_name="Bruno Vidal")
    marie = await make.user(display_name="Marie Curie")
    await make.user(display_name="Paul Langevin")
    client = await make.bearer(viewer)

    assert await listed(client, q="curie") == [marie.handle]
    assert await listed(client, q="MARIE") == [marie.handle]
    assert await listed(client, q=f"@{marie.handle}") == [marie.handle]
    assert await listed(client, q="%") == []


async def test_an_external_sees_only_people_they_share_something_with(make):
    contractor = await make.user(kind="contractor", display_name="Chloé Prestataire")
    teammate = await make.user(display_name="Équipière")
    author = await make.user(display_name="Autrice publique")
    hidden_author = await make.user(display_name="Auteur interne")
    await make.user(display_name="Inconnu du prestataire")
    await make.space(owner=teammate, allows_externals=True, members=[contractor])
    await make.post(author=author, level="public", body="Bienvenue à tous")
    await make.post(author=hidden_author, level="internal", body="Entre nous")
    client = await make.bearer(contractor)

    assert sorted(await listed(client)) == sorted(
        [contractor.handle, teammate.handle, author.handle]
    )
    assert await listed(client, q="inconnu") == []
    assert await listed(client, q="interne") == []
    # One person: a stranger answers exactly as an account that does not exist.
    assert (await client.get(f"{PEOPLE}/{teammate.id}")).json()["handle"] == teammate.handle
    hidden = await client.get(f"{PEOPLE}/{hidden_author.id}")
    missing = await client.get(f"{PEOPLE}/999999999")
    expect_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()


async def test_the_directory_needs_a_sign_in_and_a_valid_cursor(make, client):
    expect_error(await client.get(PEOPLE), 401)
    signed_in = await make.bearer(await make.user())
    expect_error(await signed_in.get(PEOPLE, params={"cursor": "not-a-cursor"}), 422)
    expect_error(await signed_in.get(PEOPLE, params={"q": "x" * 101}), 422)


def shown_people(html: str) -> list[str]:
    return re.findall(r'data-person="([^"]+)"', html)


async def test_the_people_page_lists_and_searches_whom_the_viewer_may_know_of(make, browser_of):
    contractor = await make.user(kind="contractor", language="en", display_name="Zoé Externe")
    teammate = await make.user(display_name="Anne Équipe")
    stranger = await make.user(display_name="Anne Ailleurs")
    await make.space(owner=teammate, allows_externals=True, members=[contractor])
    employee, _csrf = await browser_of(await make.user(language="en", display_name="Emma"))
    external, _csrf = await browser_of(contractor)

    everyone = await employee.get("/people")
    searched = await employee.get("/people", params={"q": "anne"})
    theirs = await external.get("/people", params={"q": "anne"})

    assert everyone.status_code == 200
    assert shown_people(everyone.text)[:2] == [stranger.handle, teammate.handle]
    assert f'href="/people/{teammate.handle}"' in everyone.text
    assert shown_people(searched.text) == [stranger.handle, teammate.handle]
    assert shown_people(theirs.text) == [teammate.handle]
    assert "Anne Ailleurs" not in theirs.text
    assert "You see the people of your spaces" in theirs.text
    nobody = await employee.get("/people", params={"q": "personne-de-ce-nom"})
    assert shown_people(nobody.text) == [] and "No one matches this search." in nobody.text
