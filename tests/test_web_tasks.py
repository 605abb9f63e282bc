"""The tasks' pages: the board and its forms (without scripts), a task's page,
"my tasks", the progress on a project space's page, and the notifications
that lead to a task; each shows only what its reader may read."""

from datetime import timedelta
from html import unescape

from markupsafe import escape

from app.models.base import utcnow
from tests.calendar_helpers import plan
from tests.stream_helpers import person
from tests.task_helpers import add, board, titles


def day(offset: int) -> str:
    return (utcnow().date() + timedelta(days=offset)).isoformat()


async def test_a_task_is_added_and_moved_through_the_boards_forms(make, browser_of):
    owner = await make.user(language="en")
    space = await make.space(owner=owner, name="Atlas")
    browser, csrf = await browser_of(owner)
    added = await browser.post(
        f"/spaces/{space.id}/tasks",
        data={"csrf_token": csrf, "title": "Maquette", "level": "internal"},
    )
    assert added.status_code == 303, added.text
    second = await browser.post(
        f"/spaces/{space.id}/tasks",
        data={"csrf_token": csrf, "title": "Relecture", "level": "internal"},
    )
    task_id = int(second.headers["location"].rsplit("-", 1)[1])
    page = (await browser.get(f"/spaces/{space.id}/tasks")).text
    assert "Board of Atlas" in page and "Maquette" in page
    assert escape("Move “Relecture” up") in page
    # Up, without scripts: a form, and the board again at the task.
    moved = await browser.post(
        f"/tasks/{task_id}/move", data={"csrf_token": csrf, "status": "todo", "index": "0"}
    )
    assert moved.headers["location"] == f"/spaces/{space.id}/tasks#task-{task_id}"
    client = await make.bearer(owner)
    assert await titles(client, board(space.id)) == ["Relecture", "Maquette"]
    await browser.post(
        f"/tasks/{task_id}/move", data={"csrf_token": csrf, "status": "done", "index": "100000"}
    )
    assert await titles(client, board(space.id), status="done") == ["Relecture"]
    forged = await browser.post(f"/tasks/{task_id}/move", data={"status": "todo", "index": "0"})
    assert forged.status_code == 403
    refused = await browser.post(
        f"/spaces/{space.id}/tasks", data={"csrf_token": csrf, "title": " "}
    )
    assert refused.status_code == 422 and "Board of Atlas" in refused.text


async def test_a_tasks_page_changes_its_checklist_assignees_and_words(make, browser_of):
    owner = await make.user(language="fr")
    doer = await make.user(display_name="Inès Doer")
    space = await make.space(owner=owner, members=[doer])
    client = await make.bearer(owner)
    kick_off = await plan(client, space_id=space.id, title="Lancement")
    task = await add(client, space.id, "Budget")
    browser, csrf = await browser_of(owner)
    path = f"/tasks/{task['id']}"
    page = (await browser.get(path)).text
    assert "Lancement" in page and "Inès Doer" in page  # offered to link and assign
    await browser.post(f"{path}/checklist", data={"csrf_token": csrf, "text": "Chiffrer"})
    await browser.post(f"{path}/assignees", data={"csrf_token": csrf, "user_id": str(doer.id)})
    changed = await browser.post(
        f"{path}/edit",
        data={
            "csrf_token": csrf,
            "title": "Budget 2027",
            "description": "**Vite**",
            "level": "internal",
            "due_on": day(-1),
            "calendar_event_id": str(kick_off["id"]),
        },
    )
    assert changed.status_code == 303, changed.text
    shown = (await client.get(f"/api/v1{path}")).json()
    item = shown["checklist"][0]
    await browser.post(
        f"{path}/checklist/{item['id']}/tick", data={"csrf_token": csrf, "done": "true"}
    )
    shown = (await client.get(f"/api/v1{path}")).json()
    assert shown["title"] == "Budget 2027" and shown["late"] and shown["checklist"][0]["done"]
    assert [p["id"] for p in shown["assignees"]] == [doer.id]
    assert shown["links"]["event"]["id"] == kick_off["id"]
    page = unescape((await browser.get(path)).text)
    assert (
        "<strong>Vite</strong>" in page and "Événement : Lancement".replace(" :", "\u202f:") in page
    )
    deleted = await browser.post(f"{path}/delete", data={"csrf_token": csrf})
    assert deleted.headers["location"] == f"/spaces/{space.id}/tasks?done=deleted"


async def test_my_tasks_and_the_progress_show_what_their_reader_may_read(make, browser_of):
    owner, client = await person(make)
    contractor = await make.user(kind="contractor", language="en")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    public = await add(
        client, space.id, "Démo publique", level="public", assignees=[contractor.id], due_on=day(-1)
    )
    await add(client, space.id, "Budget interne", assignees=[owner.id])
    browser, _csrf = await browser_of(contractor)
    mine = (await browser.get("/tasks")).text
    assert "Démo publique" in mine and "Budget interne" not in mine and "Late: due on" in mine
    space_page = (await browser.get(f"/spaces/{space.id}")).text
    assert "0 of 1 task done" in space_page and "1 late" in space_page
    board_page = (await browser.get(f"/spaces/{space.id}/tasks")).text
    assert "Budget interne" not in board_page and "Démo publique" in board_page
    # Offered to assign: the members who may read the task, as an external may know them.
    task_page = (await browser.get(f"/tasks/{public['id']}")).text
    assert 'id="assign-user"' in task_page and contractor.display_name in task_page
    notices = (await browser.get("/notifications")).text
    assert "assigned you the task" in notices and "Budget" not in notices


async def test_hidden_tasks_and_boards_are_not_found(make, browser_of):
    owner, client = await person(make)
    outsider = await make.user()
    space = await make.space(owner=owner, visibility="secret")
    task = await add(client, space.id)
    browser, csrf = await browser_of(outsider)
    for path in (f"/tasks/{task['id']}", f"/spaces/{space.id}/tasks"):
        assert (await browser.get(path)).status_code == 404
    moved = await browser.post(
        f"/tasks/{task['id']}/move", data={"csrf_token": csrf, "status": "done", "index": "0"}
    )
    assert moved.status_code == 404
