"""Who may know of whom (app/access.py, ``knowable_people``): an external account
sees by name only themselves, the members of their spaces and the people shown
with what they read; everyone else is counted, or "a colleague", wherever people
appear (reactions, confirmations, audiences, notifications, follows), and an id or
a handle of theirs answers exactly as one that does not exist (follows,
audiences, mentions, member adds, invitations). Employees know everyone."""

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from app.access import knowable_among, knowable_people
from app.models import Space, User
from tests.calendar_helpers import EVENTS, plan
from tests.stream_helpers import (
    NOTIFICATIONS,
    POSTS,
    comment_on,
    notified,
    person,
    publish,
    read_post,
)
from tests.wiki_helpers import create_page, save_page

MISSING_ID = 9_000_000_000
# Headers that differ between any two answers, whatever they say.
PER_ANSWER = {"date", "content-length"}


@dataclass
class World:
    """An external member of one space, the people they may know of, and a
    stranger: an employee who shares no space and wrote nothing they read."""

    external: User
    outsider_client: httpx.AsyncClient  # the external's
    owner: User  # an employee, owner of the external's space
    owner_client: httpx.AsyncClient
    author: User  # an employee whose public post the external reads
    author_client: httpx.AsyncClient
    stranger: User
    stranger_client: httpx.AsyncClient
    space: Space


@pytest.fixture
async def world(make) -> World:
    external, external_client = await person(make, kind="contractor")
    owner, owner_client = await person(make, display_name="Odile Propriétaire")
    author, author_client = await person(make, display_name="Auguste Auteur")
    stranger, stranger_client = await person(make, display_name="Sidonie Inconnue")
    space = await make.space(
        owner=owner, visibility="private", allows_externals=True, members=[external]
    )
    return World(
        external,
        external_client,
        owner,
        owner_client,
        author,
        author_client,
        stranger,
        stranger_client,
        space,
    )


def same_answer(first: httpx.Response, second: httpx.Response) -> None:
    """Status, body and headers alike: nothing tells the two apart."""
    assert (first.status_code, first.content) == (second.status_code, second.content)
    assert {k: v for k, v in first.headers.items() if k not in PER_ANSWER} == {
        k: v for k, v in second.headers.items() if k not in PER_ANSWER
    }


# --- the rule itself ------------------------------------------------------------------


async def test_an_external_knows_their_spaces_and_the_people_shown_with_what_they_read(
    make, session, world
):
    commenter, commenter_client = await person(make)
    wiki_author, wiki_client = await person(make)
    editor, editor_client = await person(make)
    post = await publish(world.author_client, level="public")
    await comment_on(commenter_client, post["id"])
    page = await create_page(wiki_client, "Guide public", "Bienvenue", level="public")
    await save_page(editor_client, page, body="Bienvenue à tous")

    everyone = [
        world.external,
        world.owner,
        world.author,
        commenter,
        wiki_author,
        editor,
        world.stranger,
    ]
    known = {u.id for u in everyone} - {world.stranger.id}
    ids = {u.id for u in everyone}
    # The clause and the helper say the same, for an external and for an employee.
    assert await knowable_among(session, world.external, ids) == known
    by_clause = await session.scalars(
        select(User.id).where(User.id.in_(ids), knowable_people(world.external))
    )
    assert set(by_clause) == known
    assert await knowable_among(session, world.stranger, ids) == ids
    for user in everyone:
        answer = await world.outsider_client.get(f"/api/v1/users/{user.id}")
        assert answer.status_code == (200 if user.id in known else 404), user.display_name


async def test_a_wiki_revision_the_external_may_not_read_does_not_make_its_author_known(
    make, session, world
):
    writer, writer_client = await person(make)
    page = await create_page(writer_client, "Note", "Brouillon interne", level="internal")
    await save_page(writer_client, page, body="Public désormais", level="public")
    secret_editor, secret_client = await person(make, clearance="confidential")
    page = await create_page(secret_client, "Autre", "Confidentiel", level="confidential")
    assert await knowable_among(session, world.external, {writer.id, secret_editor.id}) == {
        writer.id
    }


async def test_an_event_the_external_reads_makes_its_planner_known(session, world):
    """Its planner is shown with it, as a post's author is: an external reading
    it may know of them; an event they may not read shows nobody."""
    profile = f"/api/v1/users/{world.stranger.id}"
    await plan(world.stranger_client, title="Point interne", level="internal")
    assert await knowable_among(session, world.external, {world.stranger.id}) == set()
    assert (await world.outsider_client.get(profile)).status_code == 404
    event = await plan(world.stranger_client, title="Portes ouvertes", level="public")
    shown = await world.outsider_client.get(f"{EVENTS}/{event['id']}")
    assert shown.status_code == 200 and shown.json()["author"]["id"] == world.stranger.id
    assert (await world.outsider_client.get(profile)).status_code == 200


# --- people shown: reactions, confirmations, audiences, notifications, follows --------


async def test_reactions_name_only_the_people_an_external_may_know_of(world):
    post = await publish(world.author_client, "Ouvert à tous", level="public")
    comment = await comment_on(world.author_client, post["id"])
    for client in (world.author_client, world.stranger_client, world.outsider_client):
        assert (await client.put(f"{POSTS}/{post['id']}/reactions/like")).status_code == 204
        reacted = await client.put(f"/api/v1/comments/{comment['id']}/reactions/like")
        assert reacted.status_code == 204

    for path in (f"{POSTS}/{post['id']}/reactions", f"/api/v1/comments/{comment['id']}/reactions"):
        seen = (await world.outsider_client.get(path)).json()
        assert [r["user"]["id"] if r["user"] else None for r in seen] == [
            world.author.id,
            None,  # the stranger: a colleague, neither id nor name
            world.external.id,
        ]
        assert world.stranger.display_name not in str(seen)
        by_employee = (await world.author_client.get(path)).json()
        assert [r["user"]["id"] for r in by_employee] == [
            world.author.id,
            world.stranger.id,
            world.external.id,
        ]


async def test_announcement_confirmations_count_the_colleagues_an_external_may_not_know_of(
    make, browser_of, world
):
    # An external moderator of an open space: every employee reads its announcements.
    space = await make.space(
        owner=world.owner, visibility="open", allows_externals=True, moderators=[world.external]
    )
    announcement = await publish(
        world.outsider_client, "À lire", space_id=space.id, level="public", kind="announcement"
    )
    confirmed = await world.stranger_client.post(f"{POSTS}/{announcement['id']}/confirm")
    assert confirmed.status_code == 204

    shown = (await world.outsider_client.get(f"{POSTS}/{announcement['id']}/confirmations")).json()
    assert shown["confirmed"] == [] and shown["confirmed_others"] == 1
    assert [p["id"] for p in shown["pending"]] == [world.owner.id]
    # The author and the other employees of the test: counted, not named.
    assert shown["pending_others"] >= 1
    assert world.stranger.display_name not in str(shown)
    assert world.author.display_name not in str(shown)

    browser, _csrf = await browser_of(world.external)
    page = (await browser.get(f"/posts/{announcement['id']}")).text
    assert world.stranger.display_name not in page
    assert "Lu et confirmé (1)" in page
    assert "1 collègue" in page


async def test_an_audience_names_only_the_people_an_external_may_know_of(browser_of, world):
    post = await publish(
        world.author_client,
        "Pour vous deux",
        level="public",
        audience=[world.external.id, world.stranger.id],
    )
    seen = await read_post(world.outsider_client, post["id"])
    assert (seen["audience"], seen["audience_others"]) == ([world.external.id], 1)
    by_employee = await read_post(world.author_client, post["id"])
    assert (by_employee["audience_others"], len(by_employee["audience"])) == (0, 2)

    browser, _csrf = await browser_of(world.external)
    page = (await browser.get(f"/posts/{post['id']}")).text
    assert "Restreinte à 2 personnes" in page


async def test_a_notification_names_no_actor_an_external_may_not_know_of(browser_of, world):
    post = await publish(world.outsider_client, "Mon premier message", level="public")
    assert (
        await world.stranger_client.put(f"{POSTS}/{post['id']}/reactions/like")
    ).status_code == 204
    assert (
        await world.author_client.put(f"{POSTS}/{post['id']}/reactions/like")
    ).status_code == 204
    await comment_on(world.author_client, post["id"])  # now the external may know of the author

    items = (await world.outsider_client.get(NOTIFICATIONS)).json()["items"]
    reactions = {n["id"]: n for n in items if n["kind"] == "reaction"}
    actors = sorted((n["actor_id"] or 0, n["data"].get("actor_name")) for n in reactions.values())
    assert actors == [(0, None), (world.author.id, world.author.display_name)]
    assert world.stranger.display_name not in str(items)

    browser, _csrf = await browser_of(world.external)
    page = (await browser.get("/notifications")).text
    assert world.stranger.display_name not in page
    assert "Un·e collègue a réagi" in page
    # What is hidden from the answer stays in the database.
    again = (await world.outsider_client.get(NOTIFICATIONS)).json()["items"]
    assert again == items


async def test_followed_people_an_external_may_no_longer_know_of_drop_out_of_the_list(
    session, world
):
    followed = await world.outsider_client.put(f"/api/v1/follows/users/{world.owner.id}")
    assert followed.status_code == 204
    assert (await world.outsider_client.get("/api/v1/follows")).json()["users"] == [world.owner.id]
    left = await world.owner_client.delete(
        f"/api/v1/spaces/{world.space.id}/members/{world.external.id}"
    )
    assert left.status_code == 204, left.text
    assert (await world.outsider_client.get("/api/v1/follows")).json()["users"] == []


# --- no existence oracle ----------------------------------------------------------------


async def test_following_someone_an_external_may_not_know_of_answers_as_a_missing_account(world):
    def follow(target: int):
        return world.outsider_client.put(f"/api/v1/follows/users/{target}")

    same_answer(await follow(world.stranger.id), await follow(MISSING_ID))
    assert (await follow(MISSING_ID)).status_code == 404
    assert (await follow(world.owner.id)).status_code == 204
    # An employee may follow anyone.
    assert (
        await world.author_client.put(f"/api/v1/follows/users/{world.stranger.id}")
    ).status_code == 204


async def test_an_audience_naming_someone_unknown_answers_as_a_missing_account(world):
    def post_to(target: int):
        return world.outsider_client.post(
            POSTS, json={"body": "Pour toi", "level": "public", "audience": [target]}
        )

    hidden, missing = await post_to(world.stranger.id), await post_to(MISSING_ID)
    same_answer(hidden, missing)
    assert missing.json()["error"]["code"] == "unknown_audience"
    assert (await post_to(world.owner.id)).status_code == 201
    mine = await publish(world.outsider_client, "Modifiable", level="public")
    edits = [
        await world.outsider_client.patch(f"{POSTS}/{mine['id']}", json={"audience": [target]})
        for target in (world.stranger.id, MISSING_ID)
    ]
    same_answer(*edits)


async def test_mentioning_a_handle_an_external_may_not_know_of_is_as_mentioning_nobody(
    session, world
):
    written = [
        await world.outsider_client.post(
            POSTS, json={"body": f"Bonjour @{handle}", "space_id": world.space.id}
        )
        for handle in (world.stranger.handle, "personne-inexistante")
    ]
    assert [w.status_code for w in written] == [201, 201]
    assert [w.json()["unreachable_mentions"] for w in written] == [[], []]
    assert await notified(session, world.stranger, "mention") == []
    # Someone they may know of (an author of what they read), who may not read the
    # space, is reported as before.
    await publish(world.author_client, "Bonjour à tous", level="public")
    known = await world.outsider_client.post(
        POSTS, json={"body": f"Et @{world.author.handle}", "space_id": world.space.id}
    )
    assert known.json()["unreachable_mentions"] == [world.author.handle]


async def test_adding_or_inviting_someone_an_external_may_not_know_of_answers_as_missing(
    make, browser_of, world
):
    space = await make.space(
        owner=world.owner, visibility="private", allows_externals=True, moderators=[world.external]
    )
    for path, body in (
        (f"/api/v1/spaces/{space.id}/members", "user_id"),
        (f"/api/v1/spaces/{space.id}/invitations", "user_id"),
    ):
        hidden = await world.outsider_client.post(path, json={body: world.stranger.id})
        missing = await world.outsider_client.post(path, json={body: MISSING_ID})
        same_answer(hidden, missing)
        # An external manages nothing (even one made moderator before the rule).
        assert missing.status_code == 403, path
    # By e-mail address, through the API and the space's page (by address or handle).
    invitations = f"/api/v1/spaces/{space.id}/invitations"
    by_address = [
        await world.outsider_client.post(
            invitations, json={"email": address, "external_kind": "alumni"}
        )
        for address in (world.stranger.email, "nobody@example.test")
    ]
    same_answer(*by_address)
    assert by_address[0].status_code == 403
    browser, csrf = await browser_of(world.external)
    for path in (f"/spaces/{space.id}/members", f"/spaces/{space.id}/invitations"):
        pages = [
            await browser.post(path, data={"csrf_token": csrf, "identifier": identifier})
            for identifier in (world.stranger.handle, "personne-inexistante")
        ]
        assert pages[0].status_code == pages[1].status_code, path
        assert (
            pages[0].text.replace(world.stranger.handle, "personne-inexistante") == pages[1].text
        ), path
