"""Tasks through the API: a project space's board, assignees, checklists,
links, "my tasks" and a space's progress, and who may read or change what."""

from datetime import timedelta

import pytest

from app.models.base import utcnow
from tests.calendar_helpers import plan
from tests.helpers import expect_error
from tests.stream_helpers import person, publish
from tests.task_helpers import MY_TASKS, TASKS, add, board, move, progress_of, titles

NOTIFICATIONS = "/api/v1/notifications"


def day(offset: int) -> str:
    return (utcnow().date() + timedelta(days=offset)).isoformat()


async def test_a_task_is_written_assigned_ticked_and_moved(make):
    owner, client = await person(make)
    doer = await make.user()
    space = await make.space(owner=owner, members=[doer])
    task = await add(
        client, space.id, description="Un **plan**", due_on=day(3), assignees=[doer.id]
    )
    assert task["status"] == "todo" and task["level"] == "internal" and not task["late"]
    assert task["description_html"] == "<p>Un <strong>plan</strong></p>\n"
    assert [person["id"] for person in task["assignees"]] == [doer.id]
    item = await client.post(f"{TASKS}/{task['id']}/checklist", json={"text": " Relire "})
    assert item.status_code == 201, item.text
    [entry] = item.json()["checklist"]
    assert entry == {"id": entry["id"], "text": "Relire", "done": False}
    ticked = await client.patch(
        f"{TASKS}/{task['id']}/checklist/{entry['id']}", json={"done": True}
    )
    assert ticked.json()["checklist"][0]["done"] is True
    done = await move(client, task["id"], "done", 0)
    assert done["status"] == "done" and done["done_at"] is not None
    back = await move(client, task["id"], "doing", 0)
    assert back["status"] == "doing" and back["done_at"] is None
    removed = await client.delete(f"{TASKS}/{task['id']}/checklist/{entry['id']}")
    assert removed.json()["checklist"] == []
    changed = await client.put(f"{TASKS}/{task['id']}", json={"title": "Cahier des charges"})
    assert changed.json()["title"] == "Cahier des charges" and changed.json()["due_on"] is None
    assert (await client.get(f"{TASKS}/{task['id']}")).json() == changed.json()
    assert (await client.delete(f"{TASKS}/{task['id']}")).status_code == 204
    expect_error(await client.get(f"{TASKS}/{task['id']}"), 404, "not_found")


async def test_the_board_keeps_the_order_a_move_gives(make):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    first, second, third = [await add(client, space.id, title) for title in ("A", "B", "C")]
    assert await titles(client, board(space.id)) == ["A", "B", "C"]
    await move(client, third["id"], "todo", 0)
    assert await titles(client, board(space.id)) == ["C", "A", "B"]
    await move(client, first["id"], "doing", 0)
    await move(client, second["id"], "doing", 0)
    assert await titles(client, board(space.id), status="doing") == ["B", "A"]
    await move(client, second["id"], "doing", 5)  # past the end: last
    assert await titles(client, board(space.id)) == ["C", "A", "B"]


async def test_a_move_counts_only_the_tasks_its_mover_may_read(make):
    owner, owner_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    one = await add(owner_client, space.id, "Public 1", level="public")
    await add(owner_client, space.id, "Interne")
    two = await add(owner_client, space.id, "Public 2", level="public")
    assert await titles(contractor_client, board(space.id)) == ["Public 1", "Public 2"]
    # Second among what the contractor reads: after "Public 1", hidden ones keep their place.
    await move(contractor_client, two["id"], "todo", 1)
    await move(contractor_client, one["id"], "todo", 1)
    assert await titles(contractor_client, board(space.id)) == ["Public 2", "Public 1"]
    assert await titles(owner_client, board(space.id)) == ["Interne", "Public 2", "Public 1"]


async def test_tasks_belong_to_project_spaces(make):
    owner, client = await person(make)
    team = await make.space(owner=owner, kind="team")
    response = await client.post(board(team.id), json={"title": "Ranger"})
    expect_error(response, 422, "not_project_space")


@pytest.mark.parametrize("blank", ["", "   "])
async def test_a_blank_title_is_refused(make, blank):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    expect_error(await client.post(board(space.id), json={"title": blank}), 422)
    assert await titles(client, board(space.id)) == []


async def test_only_members_who_may_read_the_task_are_assigned(make):
    owner, client = await person(make)
    stranger = await make.user()
    contractor = await make.user(kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    refused = await client.post(board(space.id), json={"title": "T", "assignees": [stranger.id]})
    expect_error(refused, 422, "unknown_assignee")
    task = await add(client, space.id)  # internal: the contractor may not read it
    response = await client.put(f"{TASKS}/{task['id']}/assignees/{contractor.id}")
    expect_error(response, 422, "unknown_assignee")
    public = await add(client, space.id, level="public")
    assigned = await client.put(f"{TASKS}/{public['id']}/assignees/{contractor.id}")
    assert [p["id"] for p in assigned.json()["assignees"]] == [contractor.id]
    again = await client.put(f"{TASKS}/{public['id']}/assignees/{contractor.id}")
    assert again.status_code == 200
    gone = await client.delete(f"{TASKS}/{public['id']}/assignees/{contractor.id}")
    assert gone.json()["assignees"] == []


async def test_a_link_is_shown_only_to_who_may_read_what_it_names(make):
    owner, client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    other = await make.space(owner=owner)
    internal_post = await publish(client, "Compte rendu", space_id=space.id)
    kick_off = await plan(client, space_id=space.id, level="public", title="Lancement")
    elsewhere = await publish(client, "Ailleurs", space_id=other.id)
    refused = await client.post(board(space.id), json={"title": "T", "post_id": elsewhere["id"]})
    expect_error(refused, 422, "unknown_link")
    task = await add(
        client,
        space.id,
        level="public",
        post_id=internal_post["id"],
        calendar_event_id=kick_off["id"],
    )
    assert task["links"]["post"]["id"] == internal_post["id"]
    assert task["links"]["event"]["title"] == "Lancement"
    shown = (await contractor_client.get(f"{TASKS}/{task['id']}")).json()["links"]
    assert shown == {"post": None, "page": None, "event": shown["event"]}
    assert shown["event"]["id"] == kick_off["id"]
    # A change by the contractor keeps the link they were shown as absent.
    changed = await contractor_client.put(
        f"{TASKS}/{task['id']}",
        json={"title": "Revu", "calendar_event_id": kick_off["id"], "level": "public"},
    )
    assert changed.json()["links"]["post"] is None
    kept = (await client.get(f"{TASKS}/{task['id']}")).json()["links"]
    assert kept["post"]["id"] == internal_post["id"]
    # Nor may the contractor link what they cannot read.
    response = await contractor_client.post(
        board(space.id), json={"title": "T", "post_id": internal_post["id"]}
    )
    expect_error(response, 422, "unknown_link")


async def test_who_may_change_and_delete(make):
    owner, owner_client = await person(make)
    member, member_client = await person(make)
    _outsider, outsider_client = await person(make)
    space = await make.space(owner=owner, members=[member], visibility="private")
    task = await add(owner_client, space.id)
    path = f"{TASKS}/{task['id']}"
    for response in (
        await outsider_client.get(path),
        await outsider_client.put(path, json={"title": "X"}),
        await outsider_client.delete(path),
        await outsider_client.post(f"{path}/move", json={"status": "done", "index": 0}),
        await outsider_client.post(f"{path}/checklist", json={"text": "X"}),
        await outsider_client.get(board(space.id)),
        await outsider_client.get(progress_of(space.id)),
    ):
        expect_error(response, 404, "not_found")
    assert (await member_client.put(path, json={"title": "Revu"})).status_code == 200
    expect_error(await member_client.delete(path), 403)
    own = await add(member_client, space.id)
    assert (await member_client.delete(f"{TASKS}/{own['id']}")).status_code == 204
    assert (await owner_client.delete(path)).status_code == 204


async def test_an_external_member_sees_the_public_tasks_and_nothing_else(make):
    owner, owner_client = await person(make, clearance="confidential")
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    public = await add(owner_client, space.id, "Démo client", level="public")
    internal = await add(owner_client, space.id, "Budget", assignees=[owner.id], due_on=day(-2))
    await add(owner_client, space.id, "Secret", level="confidential")
    assert await titles(contractor_client, board(space.id)) == ["Démo client"]
    expect_error(await contractor_client.get(f"{TASKS}/{internal['id']}"), 404, "not_found")
    expect_error(await contractor_client.put(f"{TASKS}/{internal['id']}", json={"title": "X"}), 404)
    await move(owner_client, public["id"], "done", 0)
    theirs = (await contractor_client.get(progress_of(space.id))).json()
    ours = (await owner_client.get(progress_of(space.id))).json()
    assert (theirs["total"], theirs["done"], theirs["late"]) == (1, 1, 0)
    assert (ours["total"], ours["done"], ours["late"]) == (3, 1, 1)
    assert theirs["shares"] == [] and theirs["unassigned_open"] == 0
    assert [(s["person"]["id"], s["open_tasks"]) for s in ours["shares"]] == [(owner.id, 1)]
    assert ours["next_milestone"] is None and theirs["next_milestone"] is None


async def test_progress_names_the_next_milestone(make):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    await add(client, space.id, "Livrer", due_on=day(400))
    soon = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    later = (utcnow() + timedelta(days=2, hours=1)).strftime("%Y-%m-%dT%H:%M")
    event = await plan(
        client, space_id=space.id, title="Comité", start=soon, end=later, time_zone="UTC"
    )
    found = (await client.get(progress_of(space.id))).json()["next_milestone"]
    assert (found["kind"], found["id"], found["title"]) == ("event", event["id"], "Comité")
    task = await add(client, space.id, "Maquette", due_on=day(1))
    found = (await client.get(progress_of(space.id))).json()["next_milestone"]
    assert (found["kind"], found["id"], found["day"]) == ("task", task["id"], day(1))


async def test_my_tasks_list_the_late_ones_first(make):
    owner, client = await person(make)
    space = await make.space(owner=owner)
    other = await make.space(owner=owner)
    await add(client, space.id, "Sans date", assignees=[owner.id])
    await add(client, space.id, "Demain", assignees=[owner.id], due_on=day(1))
    await add(client, other.id, "En retard", assignees=[owner.id], due_on=day(-1))
    done = await add(client, space.id, "Fini", assignees=[owner.id])
    await add(client, space.id, "Pas à moi")
    await move(client, done["id"], "done", 0)
    assert await titles(client, MY_TASKS) == ["En retard", "Demain", "Sans date"]
    assert await titles(client, MY_TASKS, status="done") == ["Fini"]
    assert await titles(client, MY_TASKS, space_id=other.id) == ["En retard"]
    [late] = (await client.get(MY_TASKS, params={"space_id": other.id})).json()
    assert late["late"] is True


async def test_an_assignee_who_loses_access_loses_the_task_and_its_notification(make):
    owner, owner_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    task = await add(owner_client, space.id, "Démo", level="public", assignees=[contractor.id])
    [told] = (await contractor_client.get(NOTIFICATIONS)).json()["items"]
    assert (told["kind"], told["task_id"], told["data"]["title"]) == (
        "task_assigned",
        task["id"],
        "Démo",
    )
    assert await titles(contractor_client, MY_TASKS) == ["Démo"]
    raised = await owner_client.put(
        f"{TASKS}/{task['id']}", json={"title": "Démo", "level": "internal"}
    )
    assert raised.status_code == 200, raised.text
    assert (await contractor_client.get(NOTIFICATIONS)).json()["items"] == []
    unread = await contractor_client.get(f"{NOTIFICATIONS}/unread-count")
    assert unread.json()["unread_count"] == 0
    assert await titles(contractor_client, MY_TASKS) == []
    assert await titles(contractor_client, board(space.id)) == []
    expect_error(await contractor_client.get(f"{TASKS}/{task['id']}"), 404, "not_found")


async def test_an_audience_narrows_a_task(make):
    owner, client = await person(make)
    member, member_client = await person(make)
    other, other_client = await person(make)
    space = await make.space(owner=owner, members=[member, other])
    task = await add(client, space.id, "Entretiens", audience=[member.id], assignees=[member.id])
    assert task["audience"] == [member.id]
    assert await titles(member_client, MY_TASKS) == ["Entretiens"]
    expect_error(await other_client.get(f"{TASKS}/{task['id']}"), 404, "not_found")
    assert (await other_client.get(progress_of(space.id))).json()["total"] == 0
    refused = await client.put(f"{TASKS}/{task['id']}/assignees/{other.id}")
    expect_error(refused, 422, "unknown_assignee")
