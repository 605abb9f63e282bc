"""Events as iCalendar: one event's .ics download, and each person's feed behind
a secret address that calendar applications fetch without signing in.

Every .ics is read back by the ``icalendar`` library, as a calendar application
would: the tests judge what it understands, not how the text is spelt. The feed
leaves the company's servers, so it holds only what its owner may read at the
time it is fetched, names no participant, and says only "Busy" of an event above
public unless its owner chose to see titles there (HumHub's feed gave
participants' names away, calendar#588)."""

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from dateutil.rrule import rrulestr

from tests.api_helpers import ADMIN_USERS
from tests.calendar_helpers import EVENTS, FEED, answer, event_body, occurrences, plan
from tests.helpers import expect_error
from tests.space_helpers import admin_client
from tests.stream_helpers import person

PARIS = ZoneInfo("Europe/Paris")
# Feeds hold the events around today: those of the tests take place in two weeks.
SOON = date.today() + timedelta(days=14)
AT_SOON = {"start": f"{SOON}T09:00", "end": f"{SOON}T10:00"}
# Nothing of who answers may reach a calendar file: these words are in their names.
PARTICIPANT_MARKERS = ("Zéphyrine", "Barnabé")


def read_ics(response: httpx.Response) -> icalendar.Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def property_names(calendar: icalendar.Calendar) -> set[str]:
    """Every property of every component (the calendar, its events, time zones)."""
    return {name for component in calendar.walk() for name in component}


def the_event(calendar: icalendar.Calendar) -> icalendar.Event:
    [event] = calendar.walk("VEVENT")
    return event


def by_event_id(calendar: icalendar.Calendar) -> dict[int, icalendar.Event]:
    """A feed's events by the id of the Ruche event each one is (from its UID)."""
    return {
        int(str(event["UID"]).removeprefix("ruche-event-").split("@")[0]): event
        for event in calendar.walk("VEVENT")
    }


async def download(client: httpx.AsyncClient, event_id: int) -> icalendar.Calendar:
    response = await client.get(f"{EVENTS}/{event_id}/ics")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="event-{event_id}.ics"'
    )
    return read_ics(response)


async def open_feed(client: httpx.AsyncClient, **body) -> str:
    """POST /me/calendar-feed; the path of the address it gives."""
    response = await client.post(FEED, json=body)
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    assert url.startswith("http://testserver/api/v1/calendar/feeds/")
    return urlsplit(url).path


async def fetch(make, path: str) -> httpx.Response:
    """The feed as a calendar application fetches it: no session, no token."""
    async with make.client() as anonymous:
        return await anonymous.get(path)


async def fetch_feed(make, path: str) -> icalendar.Calendar:
    return read_ics(await fetch(make, path))


async def never_made(make) -> httpx.Response:
    return await fetch(make, "/api/v1/calendar/feeds/Wf9CMpqGZ3Sg7UQK1sFpLN82g6KI1u8Si8VRnGMGzAg")


def answers_like_never_made(response: httpx.Response, unknown: httpx.Response) -> None:
    expect_error(response, 404, "not_found")
    assert response.json() == unknown.json()
    assert response.headers["content-type"] == unknown.headers["content-type"]


async def answered_by_markers(make, event_id: int) -> None:
    """People whose names carry the markers answer an event of one seat: one
    going, one maybe, one waiting."""
    for name, reply in [
        ("Zéphyrine Participe", "going"),
        ("Barnabé Hésite", "maybe"),
        ("Zéphyrine Attend", "going"),
    ]:
        _someone, client = await person(make, display_name=name)
        await answer(client, event_id, reply)


def names_no_participant(response: httpx.Response) -> None:
    calendar = read_ics(response)
    assert not property_names(calendar) & {"ATTENDEE", "ORGANIZER", "CONTACT"}
    for marker in PARTICIPANT_MARKERS:
        assert marker not in response.text
        assert marker not in calendar.to_ical().decode()


# One event's download.


async def test_an_event_downloads_with_what_it_says_and_when(make):
    _planner, client = await person(make)
    event = await plan(
        client,
        description="Ordre du **jour**",
        place="Salle Jaurès",
        video_url="https://visio.example.test/lancement",
    )

    calendar = await download(client, event["id"])

    component = the_event(calendar)
    assert str(component["SUMMARY"]) == "Lancement du projet"
    assert str(component["DESCRIPTION"]) == "Ordre du **jour**"
    assert str(component["LOCATION"]) == "Salle Jaurès"
    assert str(component["URL"]) == "https://visio.example.test/lancement"
    assert component.decoded("DTSTART") == datetime(2026, 12, 10, 8, tzinfo=UTC)
    assert component.decoded("DTEND") == datetime(2026, 12, 10, 9, tzinfo=UTC)
    assert "RRULE" not in component and "STATUS" not in component
    assert not property_names(calendar) & {"ATTENDEE", "ORGANIZER"}


async def test_a_weekly_event_downloads_with_its_rule_and_its_cancelled_occurrence(make):
    _planner, client = await person(make)
    event = await plan(
        client,
        start="2027-03-18T09:00",
        end="2027-03-18T10:00",
        recurrence="weekly",
        repeat_until="2027-04-08",
    )
    cancelled = await client.post(
        f"{EVENTS}/{event['id']}/cancel", json={"occurrence": "2027-03-25T08:00:00Z"}
    )
    assert cancelled.status_code == 200, cancelled.text

    component = the_event(await download(client, event["id"]))

    # Written at 9:00 in Paris, so it stays there after the change to summer time.
    start = component.decoded("DTSTART")
    assert start == datetime(2027, 3, 18, 9, tzinfo=PARIS) and start.tzinfo.key == "Europe/Paris"
    assert component["RRULE"]["FREQ"] == ["WEEKLY"]
    exdates = [moment.dt for moment in component["EXDATE"].dts]
    assert exdates == [datetime(2027, 3, 25, 9, tzinfo=PARIS)]
    # A calendar application expanding the rule finds the occurrences Ruche lists.
    rule = rrulestr(component["RRULE"].to_ical().decode(), dtstart=start)
    expanded = [moment for moment in rule if moment not in exdates]
    listed = await occurrences(client, "2027-03-01T00:00:00Z", "2027-05-01T00:00:00Z")
    assert [moment.astimezone(UTC) for moment in expanded] == [
        datetime.fromisoformat(found["starts_at"]) for found in listed
    ]
    assert len(expanded) == 3


async def test_an_all_day_event_downloads_as_days(make):
    _planner, client = await person(make)
    event = await plan(client, all_day=True, start="2026-12-21", end="2026-12-22")

    component = the_event(await download(client, event["id"]))

    assert component["DTSTART"].params.get("VALUE") == "DATE"
    start, end = component.decoded("DTSTART"), component.decoded("DTEND")
    assert not isinstance(start, datetime) and not isinstance(end, datetime)
    # The end is exclusive: the day after the last.
    assert (start, end) == (date(2026, 12, 21), date(2026, 12, 23))


async def test_a_cancelled_event_downloads_as_cancelled(make):
    _planner, client = await person(make)
    event = await plan(client)
    cancelled = await client.post(f"{EVENTS}/{event['id']}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text

    component = the_event(await download(client, event["id"]))

    assert str(component["STATUS"]) == "CANCELLED"
    assert str(component["SUMMARY"]) == "Lancement du projet"


async def test_a_download_names_no_participant(make):
    _planner, client = await person(make, display_name="Zéphyrine Organise")
    event = await plan(client, capacity=1, level="public")
    await answered_by_markers(make, event["id"])
    shown = (await client.get(f"{EVENTS}/{event['id']}")).json()
    assert shown["answers"] == {"going": 1, "maybe": 1, "declined": 0, "waiting": 1}

    names_no_participant(await client.get(f"{EVENTS}/{event['id']}/ics"))


# The feed's address.


async def test_a_feed_address_is_shown_once_and_fetched_without_signing_in(make):
    _me, client = await person(make)
    before = await client.get(FEED)
    assert before.json() == {"active": False, "shows_titles": False, "created_at": None}
    event = await plan(client, level="public", **AT_SOON)

    path = await open_feed(client)

    shown = await client.get(FEED)
    assert shown.status_code == 200 and shown.json()["active"] is True
    assert shown.json()["shows_titles"] is False and shown.json()["created_at"]
    assert path.rsplit("/", 1)[-1] not in shown.text
    response = await fetch(make, path)
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "private, no-store"
    assert list(by_event_id(read_ics(response))) == [event["id"]]


async def test_a_revoked_feed_answers_like_one_never_made(make):
    _me, client = await person(make)
    await plan(client, **AT_SOON)
    unknown = await never_made(make)
    first = await open_feed(client)
    await fetch_feed(make, first)

    second = await open_feed(client, shows_titles=True)

    answers_like_never_made(await fetch(make, first), unknown)
    await fetch_feed(make, second)
    assert (await client.get(FEED)).json()["shows_titles"] is True
    closed = await client.delete(FEED)
    assert closed.status_code == 204
    answers_like_never_made(await fetch(make, second), unknown)
    assert (await client.get(FEED)).json()["active"] is False


async def test_a_deactivated_owner_feed_answers_like_one_never_made(make):
    me, client = await person(make)
    await plan(client, **AT_SOON)
    path = await open_feed(client)
    await fetch_feed(make, path)
    _admin, admin = await admin_client(make)

    deactivated = await admin.patch(f"{ADMIN_USERS}/{me.id}", json={"is_active": False})

    assert deactivated.status_code == 200, deactivated.text
    answers_like_never_made(await fetch(make, path), await never_made(make))


# What a feed holds.


async def test_a_contractor_feed_holds_only_the_public_events_of_their_spaces(make):
    owner, owner_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    theirs = await make.space(owner=owner, members=[contractor], allows_externals=True)
    other = await make.space(owner=owner, allows_externals=True)
    secret = await make.space(owner=owner, visibility="secret")

    def planned(title: str, **fields):
        return plan(owner_client, title=title, **AT_SOON, **fields)

    demo = await planned("Démo client", space_id=theirs.id, level="public")
    company = await planned("Portes ouvertes", level="public")
    hidden = [
        await planned("Revue INTERNE de l'espace", space_id=theirs.id, level="internal"),
        await planned("Point INTERNE de l'entreprise", level="internal"),
        await planned("Démo d'un AUTRE espace", space_id=other.id, level="public"),
        await planned("Réunion SECRÈTE", space_id=secret.id, level="public"),
        await planned("Public RESTREINT", level="public", audience=[owner.id]),
    ]
    path = await open_feed(contractor_client)

    response = await fetch(make, path)

    feed = by_event_id(read_ics(response))
    assert set(feed) == {demo["id"], company["id"]}
    assert {str(event["SUMMARY"]) for event in feed.values()} == {"Démo client", "Portes ouvertes"}
    for word in ("INTERNE", "AUTRE", "SECRÈTE", "RESTREINT"):
        assert word not in response.text
    assert all(event["id"] not in feed for event in hidden)

    # Raised to internal: gone from the feed at its next fetch.
    raised = await owner_client.put(
        f"{EVENTS}/{demo['id']}", json=event_body(title="Démo client", level="internal", **AT_SOON)
    )
    assert raised.status_code == 200, raised.text
    assert set(by_event_id(await fetch_feed(make, path))) == {company["id"]}


@pytest.mark.parametrize(("language", "busy"), [("fr", "Occupé"), ("en", "Busy")])
async def test_an_employee_feed_says_only_busy_above_public(make, language, busy):
    me, client = await person(make, language=language, clearance="confidential")
    space = await make.space(owner=me)
    confidential = await plan(
        client,
        title="Comité SECRET des rémunérations",
        description="Les SALAIRES de 2027",
        place="Bureau de la DIRECTION",
        video_url="https://visio.example.test/comite",
        level="confidential",
        space_id=space.id,
        **AT_SOON,
    )
    internal = await plan(client, title="Point INTERNE", recurrence="weekly", **AT_SOON)
    public = await plan(client, title="Portes ouvertes", level="public", **AT_SOON)
    path = await open_feed(client)

    response = await fetch(make, path)

    feed = by_event_id(read_ics(response))
    for event in (confidential, internal):
        component = feed[event["id"]]
        assert str(component["SUMMARY"]) == busy
        assert not {"DESCRIPTION", "LOCATION", "URL"} & set(component)
        # Its times are kept: that is what "busy" is for.
        assert component.decoded("DTSTART") == datetime.combine(SOON, time(9), PARIS)
    assert feed[internal["id"]]["RRULE"]["FREQ"] == ["WEEKLY"]
    assert str(feed[public["id"]]["SUMMARY"]) == "Portes ouvertes"
    for word in ("SECRET", "SALAIRES", "DIRECTION", "visio.example", "INTERNE"):
        assert word not in response.text


async def test_a_feed_made_to_show_titles_shows_them(make):
    me, client = await person(make, clearance="confidential")
    space = await make.space(owner=me)
    event = await plan(
        client,
        title="Comité de pilotage",
        description="Budget 2027",
        place="Salle Jaurès",
        level="confidential",
        space_id=space.id,
        **AT_SOON,
    )
    path = await open_feed(client, shows_titles=True)

    component = by_event_id(await fetch_feed(make, path))[event["id"]]

    assert str(component["SUMMARY"]) == "Comité de pilotage"
    assert str(component["DESCRIPTION"]) == "Budget 2027"
    assert str(component["LOCATION"]) == "Salle Jaurès"


@pytest.mark.parametrize("shows_titles", [False, True])
async def test_a_feed_names_no_participant(make, shows_titles):
    _me, client = await person(make)
    public = await plan(client, level="public", capacity=1, **AT_SOON)
    internal = await plan(client, title="Atelier", capacity=1, **AT_SOON)
    for event in (public, internal):
        await answered_by_markers(make, event["id"])
        await answer(client, event["id"], "going")
    path = await open_feed(client, shows_titles=shows_titles)

    response = await fetch(make, path)

    names_no_participant(response)
    assert set(by_event_id(read_ics(response))) == {public["id"], internal["id"]}
