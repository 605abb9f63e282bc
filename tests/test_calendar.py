"""Events through the API: planning in a space or company-wide, times in a
time zone, recurrence with exceptions, answers with seats and a waiting list,
cancelling, and who may read, change or answer what."""

import pytest

from app.levels import Level
from tests.calendar_helpers import CALENDAR, EVENTS, answer, event_body, occurrences, plan
from tests.helpers import expect_error
from tests.stream_helpers import person

WINTER = ("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")


async def test_an_event_keeps_its_wall_clock_time_in_its_zone(make):
    _planner, client = await person(make)
    event = await plan(client, description="Ordre du **jour**", place="Salle Jaurès")
    assert event["starts_at"] == "2026-12-10T08:00:00Z"  # 9:00 in Paris, in winter
    assert event["ends_at"] == "2026-12-10T09:00:00Z"
    assert event["description_html"] == "<p>Ordre du <strong>jour</strong></p>\n"
    assert event["level"] == "internal" and event["space"] is None
    assert event["answers"] == {"going": 0, "maybe": 0, "declined": 0, "waiting": 0}
    shown = await client.get(f"{EVENTS}/{event['id']}")
    assert shown.status_code == 200 and shown.json() == event


async def test_a_weekly_event_stays_at_nine_across_summer_time(make):
    _planner, client = await person(make)
    event = await plan(
        client,
        start="2027-03-18T09:00",
        end="2027-03-18T10:00",
        recurrence="weekly",
        repeat_until="2027-04-08",
    )
    assert event["repeat_until"] == "2027-04-08"
    found = await occurrences(client, "2027-03-01T00:00:00Z", "2027-05-01T00:00:00Z")
    # Paris moves to summer time on 28 March 2027: 9:00 is then 7:00 UTC.
    assert [o["starts_at"] for o in found] == [
        "2027-03-18T08:00:00Z",
        "2027-03-25T08:00:00Z",
        "2027-04-01T07:00:00Z",
        "2027-04-08T07:00:00Z",
    ]
    cancelled = await client.post(
        f"{EVENTS}/{event['id']}/cancel", json={"occurrence": "2027-03-25T08:00:00Z"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is False
    found = await occurrences(client, "2027-03-01T00:00:00Z", "2027-05-01T00:00:00Z")
    assert "2027-03-25T08:00:00Z" not in [o["starts_at"] for o in found]
    assert len(found) == 3
    wrong = await client.post(
        f"{EVENTS}/{event['id']}/cancel", json={"occurrence": "2027-03-26T08:00:00Z"}
    )
    expect_error(wrong, 422, "occurrence")


async def test_a_monthly_event_on_the_31st_skips_shorter_months(make):
    _planner, client = await person(make)
    await plan(client, start="2027-01-31T14:00", end="2027-01-31T15:00", recurrence="monthly")
    found = await occurrences(client, "2027-01-01T00:00:00Z", "2027-06-01T00:00:00Z")
    assert [o["starts_at"][:10] for o in found] == ["2027-01-31", "2027-03-31", "2027-05-31"]


async def test_an_all_day_event_takes_days(make):
    _planner, client = await person(make)
    event = await plan(client, all_day=True, start="2026-12-21", end="2026-12-22")
    assert event["starts_at"] == "2026-12-20T23:00:00Z"
    assert event["ends_at"] == "2026-12-22T23:00:00Z"  # the midnight after its last day
    expect_error(await client.post(EVENTS, json=event_body(all_day=True)), 422, "event_time")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"end": "2026-12-10T08:00"}, "event_ends_before_start"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"start": "2027-02-30T09:00"}, "event_time"),
        ({"start": "2026-13-10T09:00"}, None),
        ({"start": "2026-12-10"}, "event_time"),
        ({"start": "2026-12-10T09:00+01:00"}, None),
        ({"repeat_until": "2027-01-01"}, "recurrence"),
        ({"recurrence": "weekly", "repeat_until": "2026-12-01"}, "repetition_ends_too_soon"),
        ({"video_url": "javascript:alert(1)"}, None),
        ({"capacity": 0}, None),
        ({"title": "   "}, None),
    ],
)
async def test_bad_events_are_refused_and_nothing_is_written(make, fields, code):
    _planner, client = await person(make)
    expect_error(await client.post(EVENTS, json=event_body(**fields)), 422, code, sent=fields)
    assert await occurrences(client, *WINTER) == []


async def test_a_space_event_is_read_by_whoever_reads_the_space(make):
    member, member_client = await person(make)
    _outsider, outsider_client = await person(make)
    space = await make.space(owner=member, visibility="private")
    event = await plan(member_client, space_id=space.id)
    assert event["space"]["id"] == space.id
    expect_error(await outsider_client.get(f"{EVENTS}/{event['id']}"), 404, "not_found")
    expect_error(
        await outsider_client.put(f"{EVENTS}/{event['id']}/answer", json={"answer": "going"}),
        404,
        "not_found",
    )
    expect_error(await outsider_client.get(f"{EVENTS}/{event['id']}/ics"), 404, "not_found")
    assert await occurrences(outsider_client, *WINTER) == []
    assert [o["event"]["id"] for o in await occurrences(member_client, *WINTER)] == [event["id"]]
    # A private space is listed to employees: they may know it, not write in it.
    refused = await outsider_client.post(EVENTS, json=event_body(space_id=space.id))
    expect_error(refused, 403, "not_member")


async def test_a_contractor_reads_only_the_public_events_of_their_spaces(make):
    owner, owner_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(owner=owner, members=[contractor], allows_externals=True)
    public = await plan(owner_client, space_id=space.id, level="public", title="Démo client")
    internal = await plan(owner_client, space_id=space.id, level="internal")
    company = await plan(owner_client, level="public")
    found = {o["event"]["id"] for o in await occurrences(contractor_client, *WINTER)}
    assert found == {public["id"], company["id"]}
    expect_error(await contractor_client.get(f"{EVENTS}/{internal['id']}"), 404, "not_found")
    raised = await owner_client.put(
        f"{EVENTS}/{public['id']}", json=event_body(level="internal", title="Démo client")
    )
    assert raised.status_code == 200, raised.text
    found = {o["event"]["id"] for o in await occurrences(contractor_client, *WINTER)}
    assert found == {company["id"]}
    assert contractor.clearance is Level.PUBLIC


async def test_only_the_planner_or_a_moderator_changes_or_cancels(make):
    planner, planner_client = await person(make)
    other, other_client = await person(make)
    moderator, moderator_client = await person(make)
    space = await make.space(owner=planner, members=[other], moderators=[moderator])
    event = await plan(planner_client, space_id=space.id)
    expect_error(
        await other_client.put(f"{EVENTS}/{event['id']}", json=event_body(title="Pris")),
        403,
    )
    expect_error(await other_client.post(f"{EVENTS}/{event['id']}/cancel", json={}), 403)
    changed = await moderator_client.put(f"{EVENTS}/{event['id']}", json=event_body(title="Revu"))
    assert changed.status_code == 200 and changed.json()["title"] == "Revu"
    cancelled = await planner_client.post(f"{EVENTS}/{event['id']}/cancel", json={})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True
    expect_error(
        await other_client.put(f"{EVENTS}/{event['id']}/answer", json={"answer": "going"}),
        409,
        "event_cancelled",
    )
    assert (await occurrences(other_client, *WINTER))[0]["event"]["cancelled"] is True


async def test_seats_are_taken_in_order_and_freed_to_the_first_waiting(make):
    _planner, planner_client = await person(make)
    event = await plan(planner_client, capacity=2)
    clients = [(await person(make))[1] for _ in range(4)]
    states = [await answer(client, event["id"], "going") for client in clients]
    assert [state["waiting"] for state in states] == [False, False, True, True]
    assert states[-1]["answers"] == {"going": 2, "maybe": 0, "declined": 0, "waiting": 2}
    assert states[-1]["seats_left"] == 0
    freed = await answer(clients[0], event["id"], "declined")
    assert freed["my_answer"] == "declined" and freed["answers"]["going"] == 2
    third = (await clients[2].get(f"{EVENTS}/{event['id']}")).json()
    assert third["waiting"] is False and third["my_answer"] == "going"
    fourth = (await clients[3].get(f"{EVENTS}/{event['id']}")).json()
    assert fourth["waiting"] is True
    withdrawn = await clients[1].delete(f"{EVENTS}/{event['id']}/answer")
    assert withdrawn.status_code == 200 and withdrawn.json()["my_answer"] is None
    assert (await clients[3].get(f"{EVENTS}/{event['id']}")).json()["waiting"] is False


async def test_more_seats_seat_those_waiting(make):
    _planner, planner_client = await person(make)
    event = await plan(planner_client, capacity=1)
    clients = [(await person(make))[1] for _ in range(2)]
    for client in clients:
        await answer(client, event["id"], "going")
    larger = await planner_client.put(f"{EVENTS}/{event['id']}", json=event_body(capacity=5))
    assert larger.json()["answers"]["waiting"] == 0 and larger.json()["seats_left"] == 3


async def test_an_external_sees_no_name_of_a_participant_they_may_not_know_of(make):
    owner, owner_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    _stranger, stranger_client = await person(make, display_name="Inconnue Lointaine")
    teammate, teammate_client = await person(make)
    await make.space(owner=owner, members=[contractor, teammate], allows_externals=True)
    event = await plan(owner_client, level="public")
    for client in (stranger_client, teammate_client, contractor_client):
        await answer(client, event["id"], "going")
    shown = await contractor_client.get(f"{EVENTS}/{event['id']}/participants")
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert {user["id"] for user in body["going"]} == {teammate.id, contractor.id}
    assert "Inconnue" not in shown.text
    assert body["unnamed"] == {"going": 1, "maybe": 0, "waiting": 0}
    everyone = (await owner_client.get(f"{EVENTS}/{event['id']}/participants")).json()
    assert len(everyone["going"]) == 3 and everyone["unnamed"]["going"] == 0


async def test_my_calendar_holds_what_i_planned_or_go_to(make):
    _planner, planner_client = await person(make)
    _me, my_client = await person(make)
    going = await plan(planner_client, title="J'y vais")
    maybe = await plan(planner_client, title="Peut-être")
    declined = await plan(planner_client, title="Non")
    await plan(planner_client, title="Sans réponse")
    mine = await plan(my_client, title="Le mien")
    await answer(my_client, going["id"], "going")
    await answer(my_client, maybe["id"], "maybe")
    await answer(my_client, declined["id"], "declined")
    found = await occurrences(my_client, *WINTER, mine="true")
    assert {o["event"]["id"] for o in found} == {going["id"], maybe["id"], mine["id"]}


async def test_a_period_is_bounded(make):
    _me, client = await person(make)
    response = await client.get(
        CALENDAR, params={"from": "2026-01-01T00:00:00Z", "to": "2028-01-01T00:00:00Z"}
    )
    expect_error(response, 422, "period")
    response = await client.get(
        CALENDAR, params={"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}
    )
    expect_error(response, 422, "period")


async def test_an_external_may_know_of_the_planner_of_an_event_they_read(make):
    """As of an author of a post they read: the event's page names its planner,
    and so may the directory; the planner of an event they may not read stays
    unknown to them."""
    planner, planner_client = await person(make, display_name="Planificatrice Lointaine")
    hidden, hidden_client = await person(make)
    _contractor, contractor_client = await person(make, kind="contractor")
    event = await plan(planner_client, level="public")
    await plan(hidden_client, level="internal")
    shown = (await contractor_client.get(f"{EVENTS}/{event['id']}")).json()
    assert shown["author"]["id"] == planner.id
    assert (await contractor_client.get(f"/api/v1/users/{planner.id}")).status_code == 200
    expect_error(await contractor_client.get(f"/api/v1/users/{hidden.id}"), 404, "not_found")
