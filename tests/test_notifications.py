"""Notifications through the API: the list and its unread count, pages, marking
read, preferences per kind, and the policy applied again at read time."""

import pytest

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
    [{"kinds": {"gossip": False}}, {"kinds": {"reaction": "bof"}}, {"kinds": []}, {}],
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
