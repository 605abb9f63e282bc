"""Files attached to calendar events: the planner's own new uploads, attached
when the event is planned or changed, taken off by a change; read exactly
while the event is (a raised level takes them at once, a cancelling does not),
found by search under the same rule, collected once taken off like any file."""

import pytest
from sqlalchemy import select

from app.models import StoredFile
from tests.calendar_helpers import EVENTS, event_body, plan
from tests.file_helpers import FILES, own_store, pdf, png, uploaded
from tests.helpers import expect_error
from tests.stream_helpers import person
from tests.test_files_garbage import LONG_AGO, backdate, collect
from tests.test_search_writes import ids, search
from tests.test_web_calendar import form


def names(event: dict) -> list[str]:
    return [file["name"] for file in event["attachments"]]


async def change(client, event: dict, **fields) -> dict:
    response = await client.put(
        f"{EVENTS}/{event['id']}", json=event_body(title=event["title"], **fields)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_files_are_attached_on_planning_and_changing_and_taken_off(make):
    planner, client = await person(make)
    space = await make.space(owner=planner)
    agenda = await uploaded(client, pdf(), "ordre-du-jour.pdf")
    plan_image = await uploaded(client, png(), "plan.png")
    event = await plan(client, space_id=space.id, attachments=[agenda["id"], plan_image["id"]])
    assert names(event) == ["ordre-du-jour.pdf", "plan.png"]
    assert event["attachments"][1]["previews"] is not None

    slides = await uploaded(client, pdf(), "support.pdf")
    changed = await change(
        client, event, attachments=[slides["id"]], remove_attachments=[agenda["id"]]
    )
    assert names(changed) == ["plan.png", "support.pdf"]
    assert (await client.get(f"{EVENTS}/{event['id']}")).json()["attachments"] == changed[
        "attachments"
    ]
    # A file taken off is no one's any more, not even its uploader's to attach again.
    expect_error(await client.get(f"{FILES}/{agenda['id']}"), 404, "not_found")
    again = await client.put(f"{EVENTS}/{event['id']}", json=event_body(attachments=[agenda["id"]]))
    expect_error(again, 422, "unknown_file")
    # Only a file the event has may be taken off; nothing else changes then.
    wrong = await client.put(
        f"{EVENTS}/{event['id']}", json=event_body(remove_attachments=[agenda["id"]])
    )
    expect_error(wrong, 422, "unknown_file")
    # The API's way to drop one's own upload does not take it off an event.
    refused = await client.delete(f"{FILES}/{slides['id']}")
    expect_error(refused, 403, "not_uploader")


async def test_someone_elses_upload_is_refused_as_a_missing_one(make):
    _planner, client = await person(make)
    _other, other_client = await person(make)
    theirs = await uploaded(other_client, pdf(), "le-leur.pdf")
    for file_id in (theirs["id"], 10**9):
        refused = await client.post(EVENTS, json=event_body(attachments=[file_id]))
        expect_error(refused, 422, "unknown_file")
    event = await plan(client)
    refused = await client.put(
        f"{EVENTS}/{event['id']}", json=event_body(attachments=[theirs["id"]])
    )
    expect_error(refused, 422, "unknown_file")
    assert (await client.get(f"{EVENTS}/{event['id']}")).json()["attachments"] == []


async def test_only_who_may_change_the_event_attaches(make):
    planner, client = await person(make)
    member, member_client = await person(make)
    space = await make.space(owner=planner, members=[member])
    event = await plan(client, space_id=space.id)
    mine = await uploaded(member_client, pdf(), "a-moi.pdf")
    refused = await member_client.put(
        f"{EVENTS}/{event['id']}", json=event_body(attachments=[mine["id"]])
    )
    expect_error(refused, 403, None)
    assert (await client.get(f"{EVENTS}/{event['id']}")).json()["attachments"] == []


async def test_a_reader_downloads_the_file_a_contractor_without_the_level_never_sees_it(make):
    planner, client = await person(make)
    reader, reader_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=planner, members=[reader, contractor], allows_externals=True)
    file = await uploaded(client, b"Budget previsionnel zephyrine", "budget-zephyrine.txt")
    event = await plan(client, space_id=space.id, level="public", attachments=[file["id"]])
    content = f"{FILES}/{file['id']}/content"

    shown = (await reader_client.get(f"{EVENTS}/{event['id']}")).json()
    assert names(shown) == ["budget-zephyrine.txt"]
    got = await reader_client.get(content)
    assert got.status_code == 200 and got.content == b"Budget previsionnel zephyrine"
    assert (await contractor_client.get(content)).status_code == 200
    assert ids(await search(contractor_client, "zephyrine")) == [("file", file["id"])]

    # Raised above the contractor's clearance: the file goes with the event, at once.
    await change(client, event, level="internal")
    expect_error(await contractor_client.get(content), 404, "not_found")
    expect_error(await contractor_client.get(f"{FILES}/{file['id']}"), 404, "not_found")
    expect_error(await contractor_client.get(f"{EVENTS}/{event['id']}"), 404, "not_found")
    assert (await search(contractor_client, "zephyrine"))["items"] == []
    assert (await reader_client.get(content)).status_code == 200
    assert ids(await search(reader_client, "zephyrine")) == [("file", file["id"])]

    # Cancelled, the event stays in the calendars, and its files with it.
    cancelled = await client.post(f"{EVENTS}/{event['id']}/cancel", json={})
    assert cancelled.status_code == 200 and names(cancelled.json()) == ["budget-zephyrine.txt"]
    assert (await reader_client.get(content)).status_code == 200


async def test_a_company_event_takes_files_and_a_space_event_counts_in_its_quota(make):
    planner, client = await person(make)
    space = await make.space(owner=planner)
    company = await plan(client, attachments=[(await uploaded(client, pdf(), "a.pdf"))["id"]])
    assert names(company) == ["a.pdf"]
    too_many = [(await uploaded(client, pdf() + bytes([n]), f"{n}.pdf"))["id"] for n in range(11)]
    refused = await client.post(EVENTS, json=event_body(space_id=space.id, attachments=too_many))
    assert refused.status_code == 422
    event = await plan(client, space_id=space.id, attachments=too_many[:10])
    refused = await client.put(
        f"{EVENTS}/{event['id']}", json=event_body(attachments=too_many[10:])
    )
    expect_error(refused, 422, "too_many_files")


@pytest.fixture
def store(app, tmp_path):
    with own_store(app, tmp_path / "var", unused_file_grace_hours=1) as store:
        yield store


async def test_a_file_taken_off_is_collected_after_the_grace(db, app, make, session, store):
    _planner, client = await person(make)
    kept = await uploaded(client, b"reste sur l'evenement", "reste.txt")
    taken_off = await uploaded(client, b"retire de l'evenement", "retire.txt")
    event = await plan(client, attachments=[kept["id"], taken_off["id"]])
    await change(client, event, remove_attachments=[taken_off["id"]])
    for file in (kept, taken_off):
        await backdate(session, StoredFile, file["id"], created_at=LONG_AGO)
    await backdate(session, StoredFile, taken_off["id"], detached_at=LONG_AGO)

    assert (await collect(db, app))["files_collected"] == 1

    session.expire_all()
    left = set(await session.scalars(select(StoredFile.id)))
    assert kept["id"] in left and taken_off["id"] not in left


async def test_the_form_takes_files_without_scripts_and_the_page_lists_them(
    make, browser_of, session
):
    planner = await make.user(language="en")
    browser, csrf = await browser_of(planner)
    planned = await browser.post(
        "/calendar/new",
        data=form(csrf_token=csrf),
        files=[("files", ("ordre-du-jour.pdf", pdf(), "application/pdf"))],
    )
    assert planned.status_code == 303, planned.text
    page = await browser.get(planned.headers["location"])
    file_id = await session.scalar(
        select(StoredFile.id).where(StoredFile.name == "ordre-du-jour.pdf")
    )
    assert "ordre-du-jour.pdf" in page.text and f"/api/v1/files/{file_id}/content" in page.text

    event_id = planned.headers["location"].split("/")[-1].split("?")[0]
    edit = await browser.get(f"/calendar/events/{event_id}/edit")
    assert f'name="remove_attachments" value="{file_id}"' in edit.text
    # Refused (it ends before it starts): the file sent with it stays pending.
    refused = await browser.post(
        f"/calendar/events/{event_id}/edit",
        data=form(csrf_token=csrf, end="2026-12-10T08:00", remove_attachments=str(file_id)),
        files=[("files", ("annexe.pdf", pdf(), "application/pdf"))],
    )
    assert refused.status_code == 422
    pending = await session.scalar(select(StoredFile).where(StoredFile.name == "annexe.pdf"))
    assert pending is not None and pending.calendar_event_id is None
    assert f'name="attachments" value="{pending.id}"' in refused.text
    changed = await browser.post(
        f"/calendar/events/{event_id}/edit",
        data=form(csrf_token=csrf, attachments=str(pending.id), remove_attachments=str(file_id)),
    )
    assert changed.status_code == 303, changed.text
    page = await browser.get(f"/calendar/events/{event_id}")
    assert "annexe.pdf" in page.text and "ordre-du-jour.pdf" not in page.text
