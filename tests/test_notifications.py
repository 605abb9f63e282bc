"""Notifications through the API: the list and its unread count, pages, marking
read, preferences per kind, and the policy applied again at read time."""

import re
import uuid
from datetime import timedelta

import pytest

from app.models import Invitation
from app.models.base import utcnow
from tests.api_helpers import BROWSER
from tests.helpers import expect_error
from tests.stream_helpers import (
    NOTIFICATIONS,
    POSTS,
    comment_on,
    item_ids,
    notified,
    person,
    publish,
)
from tests.wiki_helpers import create_page, read_page, save_page

KINDS = {
    "mention",
    "reply",
    "reaction",
    "announcement",
    "accepted_answer",
    "invitation",
    "invitation_answered",
    "join_request",
    "join_request_decided",
    "contractor_access_ending",
    "wiki_page_changed",
    "event_invitation",
    "event_cancelled",
    "event_seat",
    "event_reminder",
    "task_assigned",
    "task_overdue",
    "idea_moved",
    "webhook_disabled",
}


async def test_notifications_require_sign_in(client):
    expect_error(await client.get(NOTIFICATIONS), 401)
    expect_error(await client.get(f"{NOTIFICATIONS}/unread-count"), 401)
    expect_error(await client.post(f"{NOTIFICATIONS}/read", json={}), 401)
    expect_error(await client.get(f"{NOTIFICATIONS}/preferences"), 401)
    expect_error(await client.patch(f"{NOTIFICATIONS}/preferences", json={"kinds": {}}), 401)


async def _told_three_times(make):
    """A person with three notifications about their post: two reactions and a reply."""
    author, client = await person(make)
    fan, fan_client = await person(make)
    post = await publish(client, "Mon billet")
    await fan_client.put(f"{POSTS}/{post['id']}/reactions/like")
    await comment_on(fan_client, post["id"])
    await fan_client.put(f"{POSTS}/{post['id']}/reactions/celebrate")
    return author, client, fan, fan_client, post


async def test_the_list_newest_first_with_the_unread_count(make):
    _author, client, fan, _fan_client, post = await _told_three_times(make)

    response = await client.get(NOTIFICATIONS)

    body = response.json()
    assert [n["kind"] for n in body["items"]] == ["reaction", "reply", "reaction"]
    assert body["unread_count"] == 3 and body["next_cursor"] is None
    newest = body["items"][0]
    assert (newest["actor_id"], newest["post_id"], newest["read_at"]) == (fan.id, post["id"], None)
    assert newest["data"]["reaction"] == "celebrate"
    assert set(newest) == {
        "id",
        "kind",
        "actor_id",
        "post_id",
        "page_id",
        "calendar_event_id",
        "task_id",
        "data",
        "created_at",
        "read_at",
    }
    unread = await client.get(f"{NOTIFICATIONS}/unread-count")
    assert unread.json() == {"unread_count": 3}


async def test_notifications_are_paged(make):
    _author, client, _fan, _fan_client, _post = await _told_three_times(make)

    first = await client.get(NOTIFICATIONS, params={"limit": 2})
    second = await client.get(
        NOTIFICATIONS, params={"limit": 2, "cursor": first.json()["next_cursor"]}
    )

    everything = item_ids(await client.get(NOTIFICATIONS))
    assert item_ids(first) + item_ids(second) == everything
    assert second.json()["next_cursor"] is None
    expect_error(await client.get(NOTIFICATIONS, params={"cursor": "zzz"}), 422)
    expect_error(await client.get(NOTIFICATIONS, params={"limit": 1000}), 422)


async def test_a_notification_never_shows_to_another_user(make):
    _author, client, _fan, fan_client, _post = await _told_three_times(make)
    theirs = item_ids(await client.get(NOTIFICATIONS))

    assert (await fan_client.get(NOTIFICATIONS)).json()["items"] == []
    # Marking someone else's notifications read changes nothing for them.
    marked = await fan_client.post(f"{NOTIFICATIONS}/read", json={"ids": theirs})
    assert marked.json() == {"unread_count": 0}
    assert (await client.get(f"{NOTIFICATIONS}/unread-count")).json() == {"unread_count": 3}


async def test_marking_some_then_all_read(make):
    _author, client, _fan, _fan_client, _post = await _told_three_times(make)
    newest, *older = item_ids(await client.get(NOTIFICATIONS))

    some = await client.post(f"{NOTIFICATIONS}/read", json={"ids": [newest]})

    assert some.json() == {"unread_count": 2}
    items = (await client.get(NOTIFICATIONS)).json()["items"]
    assert [n["read_at"] is not None for n in items] == [True, False, False]
    everything = await client.post(f"{NOTIFICATIONS}/read", json={})
    assert everything.json() == {"unread_count": 0}
    assert (await client.get(NOTIFICATIONS)).json()["unread_count"] == 0
    assert len(older) == 2


@pytest.mark.parametrize(
    "payload", [{"ids": [0]}, {"ids": "all"}, {"ids": list(range(1, 502))}, {"ids": [2**63]}]
)
async def test_bad_read_requests_are_refused(make, payload):
    _author, client, _fan, _fan_client, _post = await _told_three_times(make)

    expect_error(await client.post(f"{NOTIFICATIONS}/read", json=payload), 422)
    assert (await client.get(f"{NOTIFICATIONS}/unread-count")).json() == {"unread_count": 3}


# --- preferences ---------------------------------------------------------------


async def test_preferences_default_to_everything_on(make):
    _viewer, client = await person(make)

    response = await client.get(f"{NOTIFICATIONS}/preferences")

    assert response.json()["kinds"] == dict.fromkeys(KINDS, True)


async def test_a_kind_turned_off_is_not_stored(make, session):
    author, client = await person(make)
    _fan, fan_client = await person(make)

    changed = await client.patch(
        f"{NOTIFICATIONS}/preferences", json={"kinds": {"reaction": False}}
    )

    assert changed.json()["kinds"] == {**dict.fromkeys(KINDS, True), "reaction": False}
    post = await publish(client, f"Merci @{author.handle}")
    await fan_client.put(f"{POSTS}/{post['id']}/reactions/like")
    await fan_client.post(f"{POSTS}/{post['id']}/comments", json={"body": f"@{author.handle}"})
    assert await notified(session, author, "reaction") == []
    assert len(await notified(session, author, "reply")) == 1
    assert len(await notified(session, author, "mention")) == 1

    # Back on, and other kinds left as they were.
    again = await client.patch(f"{NOTIFICATIONS}/preferences", json={"kinds": {"reaction": True}})
    assert again.json()["kinds"] == dict.fromkeys(KINDS, True)
    await fan_client.put(f"{POSTS}/{post['id']}/reactions/curious")
    assert len(await notified(session, author, "reaction")) == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"kinds": {"gossip": False}},
        {"kinds": {"reaction": "bof"}},
        {"kinds": []},
        {},
        # A boolean is true or false, as the document says, not what pydantic would read as one.
        {"kinds": {"mention": 0}},
        {"kinds": {"mention": 1}},
        {"kinds": {"mention": "false"}},
        {"kinds": {"mention": None}},
    ],
)
async def test_bad_preferences_are_refused(make, payload):
    _viewer, client = await person(make)

    expect_error(await client.patch(f"{NOTIFICATIONS}/preferences", json=payload), 422)
    preferences = await client.get(f"{NOTIFICATIONS}/preferences")
    assert preferences.json()["kinds"] == dict.fromkeys(KINDS, True)


# --- the policy at read time ------------------------------------------------------


async def test_a_notification_vanishes_when_its_post_is_raised_above_the_reader(make):
    _author, client = await person(make, clearance="confidential")
    reader, reader_client = await person(make)
    post = await publish(client, f"Pour @{reader.handle}")
    other = await publish(client, f"Et encore @{reader.handle}")
    assert (await reader_client.get(NOTIFICATIONS)).json()["unread_count"] == 2

    await client.patch(f"{POSTS}/{post['id']}", json={"level": "confidential"})

    listed = (await reader_client.get(NOTIFICATIONS)).json()
    assert [n["post_id"] for n in listed["items"]] == [other["id"]]
    assert listed["unread_count"] == 1
    assert (await reader_client.get(f"{NOTIFICATIONS}/unread-count")).json()["unread_count"] == 1


async def test_a_notification_vanishes_when_the_reader_leaves_the_audience(make):
    _author, client = await person(make)
    reader, reader_client = await person(make)
    post = await publish(client, f"Pour @{reader.handle}", audience=[reader.id])
    assert len(item_ids(await reader_client.get(NOTIFICATIONS))) == 1

    await client.patch(f"{POSTS}/{post['id']}", json={"audience": []})

    assert (await reader_client.get(NOTIFICATIONS)).json() == {
        "items": [],
        "next_cursor": None,
        "unread_count": 0,
    }


# --- nothing outlives access: checked when read, names read when shown --------------


def bell(html: str) -> int:
    """The count the bell of a page shows."""
    found = re.search(r"data-unread[^>]*>(\d+)<", html)
    assert found, "no bell on the page"
    return int(found.group(1))


async def everything_shown(make, user) -> tuple[dict, int, str, str]:
    """What the reader is shown of their notifications: the API list, the unread
    count, the web page, and a page's bell."""
    client = await make.bearer(user)
    browser = await make.signed_in(user)
    browser.headers.update(BROWSER)
    try:
        listed = (await client.get(NOTIFICATIONS)).json()
        count = (await client.get(f"{NOTIFICATIONS}/unread-count")).json()["unread_count"]
        page = await browser.get("/notifications")
        home = await browser.get("/")
        assert (page.status_code, home.status_code) == (200, 200)
        return listed, count, page.text, home.text
    finally:
        await browser.aclose()


@pytest.mark.parametrize("ending", ["revoked", "declined", "expired"])
async def test_an_invitation_to_a_secret_space_that_ends_leaves_nothing_of_it(
    make, session, ending
):
    owner, owner_client = await person(make)
    invitee, invitee_client = await person(make)
    name = f"Rachat confidentiel {uuid.uuid4().hex[:8]}"
    space = await make.space(owner=owner, visibility="secret", name=name)
    issued = await owner_client.post(
        f"/api/v1/spaces/{space.id}/invitations", json={"user_id": invitee.id}
    )
    assert issued.status_code == 201, issued.text
    invitation_id = issued.json()["id"]
    # While it stands, the invitee is told the space's name, everywhere.
    listed, count, page, home = await everything_shown(make, invitee)
    assert [n["data"]["space_name"] for n in listed["items"]] == [name]
    assert (listed["unread_count"], count, bell(home)) == (1, 1, 1)
    assert name in page

    if ending == "revoked":
        answer = await owner_client.delete(f"/api/v1/spaces/{space.id}/invitations/{invitation_id}")
        assert answer.status_code == 204, answer.text
    elif ending == "declined":
        answer = await invitee_client.post(f"/api/v1/invitations/{invitation_id}/decline")
        assert answer.status_code == 200, answer.text
    else:
        invitation = await session.get(Invitation, invitation_id)
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        await session.flush()

    listed, count, page, home = await everything_shown(make, invitee)
    assert listed == {"items": [], "next_cursor": None, "unread_count": 0}
    assert (count, bell(home)) == (0, 0)
    assert name not in page and name not in home
    assert f"/spaces/{space.id}" not in page


async def test_an_accepted_invitation_keeps_its_notification(make):
    owner, owner_client = await person(make)
    invitee, invitee_client = await person(make)
    space = await make.space(owner=owner, visibility="secret", name="Comité restreint")
    issued = await owner_client.post(
        f"/api/v1/spaces/{space.id}/invitations", json={"user_id": invitee.id}
    )
    await invitee_client.post(f"/api/v1/invitations/{issued.json()['id']}/accept")

    listed = (await invitee_client.get(NOTIFICATIONS)).json()
    assert [(n["kind"], n["data"]["space_name"]) for n in listed["items"]] == [
        ("invitation", "Comité restreint")
    ]


async def test_a_join_request_vanishes_for_a_manager_the_space_no_longer_shows_to(make):
    owner, owner_client = await person(make)
    moderator, moderator_client = await person(make)
    _asker, asker_client = await person(make, display_name="Dominique Demandeur")
    name = f"Atelier fermé {uuid.uuid4().hex[:8]}"
    space = await make.space(owner=owner, visibility="private", name=name)
    added = await owner_client.post(
        f"/api/v1/spaces/{space.id}/members", json={"user_id": moderator.id, "role": "moderator"}
    )
    assert added.status_code == 201, added.text
    asked = await asker_client.post(f"/api/v1/spaces/{space.id}/join", json={"message": ""})
    assert asked.status_code == 200, asked.text
    listed = (await moderator_client.get(NOTIFICATIONS)).json()
    assert [
        (n["kind"], n["data"]["space_name"], n["data"]["actor_name"]) for n in listed["items"]
    ] == [("join_request", name, "Dominique Demandeur")]

    await owner_client.delete(f"/api/v1/spaces/{space.id}/members/{moderator.id}")
    # Still a private space: listed to every employee, so the notice stays.
    assert len((await moderator_client.get(NOTIFICATIONS)).json()["items"]) == 1
    made_secret = await owner_client.patch(
        f"/api/v1/spaces/{space.id}", json={"visibility": "secret"}
    )
    assert made_secret.status_code == 200, made_secret.text

    listed, count, page, home = await everything_shown(make, moderator)
    assert listed["items"] == [] and (listed["unread_count"], count, bell(home)) == (0, 0, 0)
    assert name not in page


async def test_a_space_renamed_shows_its_name_of_now_never_a_former_one(make):
    owner, owner_client = await person(make)
    invitee, _invitee_client = await person(make)
    space = await make.space(owner=owner, visibility="secret", name="Projet Faucon")
    await owner_client.post(f"/api/v1/spaces/{space.id}/invitations", json={"user_id": invitee.id})

    renamed = await owner_client.patch(f"/api/v1/spaces/{space.id}", json={"name": "Projet B"})
    assert renamed.status_code == 200, renamed.text

    listed, _count, page, _home = await everything_shown(make, invitee)
    assert [n["data"]["space_name"] for n in listed["items"]] == ["Projet B"]
    assert "Faucon" not in str(listed) and "Faucon" not in page


async def test_a_mention_raised_above_the_reader_leaves_nothing_on_any_path(make):
    _author, client = await person(make, clearance="confidential")
    reader, _reader_client = await person(make)
    post = await publish(client, f"Chiffres du trimestre, @{reader.handle}")
    listed, count, _page, home = await everything_shown(make, reader)
    assert [n["post_id"] for n in listed["items"]] == [post["id"]]
    assert (count, bell(home)) == (1, 1)

    raised = await client.patch(f"{POSTS}/{post['id']}", json={"level": "confidential"})
    assert raised.status_code == 200, raised.text

    listed, count, page, home = await everything_shown(make, reader)
    assert listed["items"] == [] and (listed["unread_count"], count, bell(home)) == (0, 0, 0)
    assert f"/posts/{post['id']}" not in page


async def test_a_watched_pages_notification_shows_its_title_of_now(make):
    _author, client = await person(make, clearance="confidential")
    _watcher, watcher_client = await person(make, clearance="confidential")
    page = await create_page(client, "Fusion Alpha", "v1", level="confidential")
    await watcher_client.put(f"/api/v1/wiki/pages/{page['id']}/watch")
    page = await save_page(client, page, body="v2")
    assert [
        n["data"]["title"] for n in (await watcher_client.get(NOTIFICATIONS)).json()["items"]
    ] == ["Fusion Alpha"]

    await save_page(client, page, title="Note interne", level="internal")
    watcher_told = (await watcher_client.get(NOTIFICATIONS)).json()["items"]
    assert {n["data"]["title"] for n in watcher_told} == {"Note interne"}
    assert "Alpha" not in str(watcher_told)

    # Raised above a watcher: every notification of the page goes, on every path.
    colleague, colleague_client = await person(make)
    page = await read_page(colleague_client, page["id"])
    await colleague_client.put(f"/api/v1/wiki/pages/{page['id']}/watch")
    page = await save_page(client, page, body="v4")
    assert len((await colleague_client.get(NOTIFICATIONS)).json()["items"]) == 1
    await save_page(client, page, level="confidential")
    listed, count, shown, home = await everything_shown(make, colleague)
    assert listed["items"] == [] and (count, bell(home)) == (0, 0)
    assert "Note interne" not in shown
