"""Every list that can be empty says what to do next, with only the actions the
viewer may take: an employee is offered to create a space, a contractor is not;
a space's managers to invite people and edit the objective, its members to
write the first post; an editor of a wiki to write its first page."""

import re
from html import unescape

from app.levels import AccountKind


def actions(html: str) -> list[str]:
    """The addresses an empty state offers, in order."""
    return [unescape(href) for href in re.findall(r'data-empty-action="([^"]*)"', html)]


async def page(browser_of, user, path: str, **params) -> str:
    browser, _csrf = await browser_of(user)
    response = await browser.get(path, params=params)
    assert response.status_code == 200, response.text
    assert "data-empty-state" in response.text
    return response.text


async def test_a_new_space_offers_its_managers_to_write_invite_and_edit_the_objective(
    make, browser_of
):
    owner = await make.user(language="en")
    member = await make.user(language="en")
    contractor = await make.user(language="en", kind=AccountKind.CONTRACTOR)
    space = await make.space(owner=owner, members=[member, contractor], allows_externals=True)

    assert actions(await page(browser_of, owner, f"/spaces/{space.id}")) == [
        "#composer-body",
        f"/spaces/{space.id}?tab=members#invite-account",
        f"/spaces/{space.id}?tab=settings#space-objective",
    ]
    assert actions(await page(browser_of, member, f"/spaces/{space.id}")) == ["#composer-body"]
    archived = await make.space(owner=owner, is_archived=True)
    assert actions(await page(browser_of, owner, f"/spaces/{archived.id}")) == []
    assert actions(await page(browser_of, contractor, f"/spaces/{space.id}")) == ["#composer-body"]


async def test_no_space_an_employee_may_create_one_a_contractor_may_not(make, browser_of):
    employee = await make.user(language="en")
    contractor = await make.user(language="en", kind=AccountKind.CONTRACTOR)

    assert actions(await page(browser_of, employee, "/spaces")) == ["/spaces/new"]
    mine = await page(browser_of, employee, "/spaces", mine="true")
    assert actions(mine) == ["/spaces", "/spaces/new"]
    shown = await page(browser_of, contractor, "/spaces")
    assert actions(shown) == [] and "/spaces/new" not in shown
    assert "/spaces/new" not in await page(browser_of, contractor, "/spaces", q="nothing")


async def test_an_empty_wiki_offers_its_editors_the_first_page_and_the_templates(make, browser_of):
    employee = await make.user(language="en")
    contractor = await make.user(language="en", kind=AccountKind.CONTRACTOR)

    offered = actions(await page(browser_of, employee, "/wiki"))
    assert offered[0] == "/wiki/new"
    assert offered[1:] and all(href.startswith("/wiki/new?template=") for href in offered[1:])
    shown = await page(browser_of, contractor, "/wiki")
    assert actions(shown) == [] and "/wiki/new" not in shown


async def test_a_wiki_search_that_finds_nothing_offers_the_page_to_whoever_may_write_it(
    make, browser_of
):
    employee = await make.user(language="en")
    contractor = await make.user(language="en", kind=AccountKind.CONTRACTOR)

    # The results' empty state first, then the empty tree's.
    assert actions(await page(browser_of, employee, "/wiki", q="Plan <b>"))[:2] == [
        "/wiki/new?title=Plan+%3Cb%3E",
        "/search?q=Plan+%3Cb%3E",
    ]
    assert actions(await page(browser_of, contractor, "/wiki", q="Plan")) == ["/search?q=Plan"]


async def test_a_search_that_finds_nothing_says_where_to_look(make, browser_of):
    viewer = await make.user(language="en")
    shown = await page(browser_of, viewer, "/search", q="introuvable")
    # The people named so, then the spaces; the search already covered the wiki.
    assert actions(shown) == ["/people?q=introuvable", "/spaces"]
    assert "data-results" not in shown


async def test_no_notification_points_to_the_preferences(make, browser_of):
    viewer = await make.user(language="en")
    assert actions(await page(browser_of, viewer, "/notifications")) == ["#preferences", "/people"]


async def test_an_empty_hashtag_offers_a_post_begun_with_it(make, browser_of):
    viewer = await make.user(language="en")
    assert actions(await page(browser_of, viewer, "/hashtags/budget")) == [
        "/posts/new?hashtag=budget"
    ]
    browser, _csrf = await browser_of(viewer)
    composer = await browser.get("/posts/new", params={"hashtag": "budget"})
    assert re.search(r'<textarea id="composer-body"[^>]*>#budget </textarea>', composer.text)
    assert (await browser.get("/posts/new", params={"hashtag": "a b"})).status_code == 422


async def test_people_who_match_nothing(make, browser_of):
    viewer = await make.user(language="en")
    assert actions(await page(browser_of, viewer, "/people", q="zzz")) == [
        "/people",
        "/search?q=zzz",
    ]


async def test_an_empty_files_area_offers_its_writers_to_upload(make, browser_of):
    owner = await make.user(language="en")
    space = await make.space(owner=owner)
    assert actions(await page(browser_of, owner, f"/spaces/{space.id}/files")) == ["#upload-file"]
