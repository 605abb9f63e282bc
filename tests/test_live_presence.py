"""Presence against a real ``ruche serve`` and the `websockets` client: it follows
the rule of events, re-checked when access changes (a member removed, an open
space made secret), and names to an external only the people they may know of
(app/access.py, ``named_in_presence``); the others are counted."""

import json
from collections.abc import AsyncIterator

import pytest

from tests.file_helpers import png
from tests.test_live import Person, Site, Socket, one_server  # noqa: F401 (a fixture)


@pytest.fixture
async def live(one_server) -> AsyncIterator[Site]:  # noqa: F811 (the fixture imported)
    """This module's ``ruche serve``, its sockets closed after each test."""
    yield one_server
    await one_server.close_sockets()


async def no_presence_of(socket: Socket, space_id: int) -> None:
    """Whatever the socket was sent so far holds no presence of that space: read up
    to the answer to a ping (the hub offers a round to every socket at once)."""
    await socket.ws.send(json.dumps({"type": "ping"}))
    while (message := await socket.receive())["type"] != "pong":
        assert not (message["type"] == "presence" and message["space_id"] == space_id), message


def named(*people: Person) -> list[dict]:
    return [
        {"id": p.id, "name": p.user.display_name, "avatar_file_id": p.user.avatar_file_id}
        for p in sorted(people, key=lambda p: p.id)
    ]


async def lost_topic(socket: Socket, topic: str) -> None:
    """The hub tells the socket which topics it keeps once one is taken away."""
    assert topic not in (await socket.next("subscribed"))["topics"]


async def test_presence_stops_for_a_member_removed_from_the_space(live: Site):
    owner, member, late = await live.person(), await live.person(), await live.person()
    space = await live.space(owner=owner.user, visibility="private", members=[member.user])
    topic = f"space:{space.id}"
    owner_socket = await owner.socket(None, topic)
    member_socket = await member.socket(None, topic)
    assert (await owner_socket.next("presence", space_id=space.id, count=2))["people"] == named(
        owner, member
    )

    removed = await owner.http().delete(f"/api/v1/spaces/{space.id}/members/{member.id}")
    assert removed.status_code == 204, removed.text
    await lost_topic(member_socket, topic)
    assert (await owner_socket.next("presence", space_id=space.id, count=1))["people"] == named(
        owner
    )

    added = await owner.http().post(f"/api/v1/spaces/{space.id}/members", json={"user_id": late.id})
    assert added.status_code == 201, added.text
    await late.socket(None, topic)
    shown = await owner_socket.next("presence", space_id=space.id, count=2)
    assert shown["people"] == named(owner, late)
    await no_presence_of(member_socket, space.id)


async def test_presence_stops_for_readers_of_an_open_space_made_secret(live: Site):
    owner, reader, late = await live.person(), await live.person(), await live.person()
    space = await live.space(owner=owner.user, visibility="open", members=[late.user])
    topic = f"space:{space.id}"
    owner_socket = await owner.socket(None, topic)
    reader_socket = await reader.socket(None, topic)  # an employee, not a member
    await owner_socket.next("presence", space_id=space.id, count=2)

    closed = await owner.http().patch(f"/api/v1/spaces/{space.id}", json={"visibility": "secret"})
    assert closed.status_code == 200, closed.text
    await lost_topic(reader_socket, topic)
    await owner_socket.next("presence", space_id=space.id, count=1)

    await late.socket(None, topic)
    shown = await owner_socket.next("presence", space_id=space.id, count=2)
    assert shown["people"] == named(owner, late)
    await no_presence_of(reader_socket, space.id)
    # Asking again is refused, as for anyone who may not read the space.
    assert topic not in await reader_socket.subscribe(topic)


async def test_presence_names_to_an_external_only_the_members_of_the_space(live: Site):
    owner = await live.person()
    external = await live.person(kind="contractor")
    watcher = await live.person()  # an employee reading the open space from outside
    space = await live.space(
        owner=owner.user, visibility="open", allows_externals=True, members=[external.user]
    )
    topic = f"space:{space.id}"
    external_socket = await external.socket(None, topic)
    owner_socket = await owner.socket(None, topic)
    await watcher.socket(None, topic)

    told = await external_socket.next("presence", space_id=space.id, count=3)
    assert told["people"] == named(owner, external)
    assert watcher.user.display_name not in json.dumps(told)
    # Employees know everyone.
    everyone = await owner_socket.next("presence", space_id=space.id, count=3)
    assert everyone["people"] == named(owner, external, watcher)


async def test_presence_shows_the_photos_of_the_people_it_names_and_no_other(live: Site):
    """A photo goes with a name: an external is shown the members' photos, never
    the photo of someone they may not know of (app/access.py, named_in_presence)."""
    owner = await live.person()
    external = await live.person(kind="contractor")
    watcher = await live.person()
    photos = {}
    for person in (owner, watcher):
        me = await person.http().put(
            "/api/v1/me/avatar", files={"file": ("me.png", png(120, 120), "image/png")}
        )
        assert me.status_code == 200, me.text
        photos[person.id] = int(me.json()["avatar_url"].split("/")[-2])
    space = await live.space(
        owner=owner.user, visibility="open", allows_externals=True, members=[external.user]
    )
    topic = f"space:{space.id}"
    external_socket = await external.socket(None, topic)
    owner_socket = await owner.socket(None, topic)
    await watcher.socket(None, topic)

    told = await external_socket.next("presence", space_id=space.id, count=3)
    assert {p["id"]: p["avatar_file_id"] for p in told["people"]} == {
        owner.id: photos[owner.id],
        external.id: None,
    }
    assert f'"avatar_file_id": {photos[watcher.id]}' not in json.dumps(told)
    everyone = await owner_socket.next("presence", space_id=space.id, count=3)
    assert {p["id"]: p["avatar_file_id"] for p in everyone["people"]} == {
        owner.id: photos[owner.id],
        external.id: None,
        watcher.id: photos[watcher.id],
    }
