"""The calendar's pages, in process: the calendar by month, week and list with
its filters, an event's page with its answers and participants, the form that
plans or changes an event (a refusal keeps what was typed), the feed on the
settings page, and who sees what (a hidden event is not found, as a missing
one). Forms do nothing without the session's anti-forgery token."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app.levels import Level
from app.models import CalendarAnswer, CalendarEvent, CalendarFeed, Recurrence, RsvpAnswer
from app.services.calendar import answers, cancelling, events
from app.services.calendar.events import Details
from app.services.calendar.occurrences import written_schedule
from tests.api_helpers import BROWSER
from tests.test_web_pages import audit as csp_audit
from tests.test_web_spaces import alert

TITLES = re.compile(r'<a href="/calendar/events/(\d+)">(?:<del>)?([^<]+)')
# The dates a recurring event's page offers to cancel, one form each.
DATES = re.compile(r'name="occurrence" value="([^"]+)"')


async def plan(session, planner, title="Lancement", *, start="2026-12-10T09:00", **options):
    """An event planned through the service, as the form does; committed."""
    schedule = written_schedule(
        start,
        options.pop("end", start[:11] + "10:00"),
        options.pop("time_zone", "Europe/Paris"),
        all_day=options.pop("all_day", False),
        recurrence=options.pop("recurrence", None),
    )
    if "level" in options:
        options["level"] = Level(options["level"])
    event = await events.plan_event(
        session,
        viewer=planner,
        details=Details(title=title, **options.pop("details", {})),
        schedule=schedule,
        **options,
    )
    await session.commit()
    return event


def shown_titles(html: str) -> list[str]:
    return [unescape(title) for _id, title in TITLES.findall(html)]


DECEMBER = {"view": "list", "date": "2026-12-01", "zone": "Europe/Paris"}


# --- the calendar ---------------------------------------------------------------------


async def test_the_calendar_lists_a_months_events_in_its_zone(make, browser_of, session):
    planner = await make.user(clearance="confidential")
    reader = await make.user(language="en")
    await plan(session, planner, "Lancement", details={"place": "Salle Jaurès"})
    await plan(session, planner, "Séminaire", start="2026-12-21", end="2026-12-22", all_day=True)
    await plan(session, planner, "Salaires", level="confidential")
    await plan(session, planner, "Janvier", start="2027-01-05T09:00")
    browser, _csrf = await browser_of(reader)

    listed = await browser.get("/calendar", params=DECEMBER)
    month = await browser.get("/calendar", params={**DECEMBER, "view": "month"})
    week = await browser.get("/calendar", params={**DECEMBER, "view": "week", "date": "2026-12-10"})

    assert listed.status_code == month.status_code == week.status_code == 200
    # The all-day seminar is listed on each of its two days.
    assert shown_titles(listed.text) == ["Lancement", "Séminaire", "Séminaire"]
    # 9:00 in Paris, said in Paris; the day spelled out, never as ISO text.
    assert "Times in Europe/Paris." in listed.text
    assert '<time datetime="2026-12-10T08:00:00+00:00">9:00\u202fAM</time>' in listed.text
    assert "Thursday, December 10, 2026" in listed.text
    assert "All day" in listed.text
    assert "December 2026" in month.text
    assert shown_titles(month.text) == ["Lancement", "Séminaire", "Séminaire"]
    assert shown_titles(week.text) == ["Lancement"]
    assert 'href="/calendar?view=week&amp;date=2026-12-14&amp;zone=Europe%2FParis" rel="next"' in (
        week.text
    )
    assert 'href="/calendar?view=list&amp;date=2026-11-01&amp;zone=Europe%2FParis" rel="prev"' in (
        listed.text
    )
    for page in (listed, month, week):
        assert csp_audit(page.text).problems == []


async def test_the_calendar_filters_by_space_and_mine(make, browser_of, session):
    planner = await make.user()
    reader = await make.user(language="en")
    space = await make.space(members=[reader], name="Projet Aube")
    await plan(session, planner, "Entreprise")
    in_space = await plan(session, reader, "Réunion Aube", space_id=space.id)
    answered = await plan(session, planner, "Pot de départ")
    await answers.answer_event(
        session, viewer=reader, event_id=answered.id, answer=RsvpAnswer.MAYBE
    )
    await session.commit()
    browser, _csrf = await browser_of(reader)

    of_space = await browser.get("/calendar", params={**DECEMBER, "space": space.id})
    mine = await browser.get("/calendar", params={**DECEMBER, "mine": "true"})
    space_page = await browser.get(f"/spaces/{space.id}")

    assert shown_titles(of_space.text) == ["Réunion Aube"]
    assert "Calendar of Projet Aube" in of_space.text
    assert f'href="/calendar/new?space={space.id}"' in of_space.text
    assert sorted(shown_titles(mine.text)) == ["Pot de départ", "Réunion Aube"]
    assert f'href="/calendar?space={space.id}"' in space_page.text
    assert in_space.id  # planned by the reader: theirs
    assert 'href="/calendar" aria-current="page"' in mine.text


async def test_a_cancelled_event_stays_marked_in_the_calendar(make, browser_of, session):
    planner = await make.user()
    event = await plan(session, planner, "Annulé")
    await cancelling.cancel_event(session, viewer=planner, event_id=event.id)
    await session.commit()
    browser, _csrf = await browser_of(await make.user(language="en"))

    listed = await browser.get("/calendar", params=DECEMBER)

    assert f'<a href="/calendar/events/{event.id}"><del>Annulé</del></a>' in listed.text
    assert 'class="badge cancelled">Cancelled<' in listed.text


async def test_a_contractor_sees_only_the_public_events_of_their_spaces(make, browser_of, session):
    owner = await make.user()
    contractor = await make.user(kind="contractor", language="en")
    theirs = await make.space(owner=owner, members=[contractor], allows_externals=True)
    other = await make.space(owner=owner, allows_externals=True)
    public = await plan(session, owner, "Revue publique", space_id=theirs.id, level="public")
    internal = await plan(session, owner, "Revue interne", space_id=theirs.id)
    elsewhere = await plan(session, owner, "Ailleurs", space_id=other.id, level="public")
    company = await plan(session, owner, "Fête", level="public")
    browser, _csrf = await browser_of(contractor)

    listed = await browser.get("/calendar", params=DECEMBER)
    pages = {
        e.id: await browser.get(f"/calendar/events/{e.id}") for e in (public, internal, elsewhere)
    }
    hidden_space = await browser.get("/calendar", params={**DECEMBER, "space": other.id})

    assert sorted(shown_titles(listed.text)) == sorted(["Revue publique", "Fête"])
    assert company.id
    assert pages[public.id].status_code == 200
    assert pages[internal.id].status_code == pages[elsewhere.id].status_code == 404
    assert "Revue interne" not in pages[internal.id].text
    assert hidden_space.status_code == 404


# --- an event's page ------------------------------------------------------------------


async def test_an_event_page_says_when_where_and_who(make, browser_of, session):
    planner = await make.user(display_name="Agnès Organise")
    reader = await make.user(language="en")
    space = await make.space(owner=planner, members=[reader], name="Projet Aube")
    event = await plan(
        session,
        planner,
        "Lancement <b>",
        space_id=space.id,
        recurrence="weekly",
        details={
            "description": "Ordre du **jour**",
            "place": "Salle Jaurès",
            "video_url": "https://visio.example/aube",
            "capacity": 10,
        },
    )
    await answers.answer_event(session, viewer=planner, event_id=event.id, answer=RsvpAnswer.GOING)
    await session.commit()
    browser, _csrf = await browser_of(reader)

    page = await browser.get(f"/calendar/events/{event.id}")

    html = page.text
    assert page.status_code == 200
    assert '<h1 id="event-title">Lancement &lt;b&gt;</h1>' in html
    assert "<strong>jour</strong>" in html
    assert "Thursday, December 10, 2026, 9:00\u202fAM</time> – <time" in html
    assert "(Europe/Paris)" in html and "Every week" in html
    assert "Salle Jaurès" in html and 'href="https://visio.example/aube"' in html
    assert 'class="badge level-internal"' in html
    assert f'href="/spaces/{space.id}">Projet Aube</a>' in html
    assert "Agnès Organise" in html
    assert 'data-count="going">1<' in html and "data-seats-left>9<" in html
    assert f'href="/api/v1/calendar/events/{event.id}/ics"' in html
    assert f'action="/calendar/events/{event.id}/answer"' in html
    # Not the planner, not a moderator: nothing to change.
    assert "/edit" not in html and f"/calendar/events/{event.id}/cancel" not in html
    assert csp_audit(html).problems == []


async def test_participants_name_only_people_the_reader_may_know_of(make, browser_of, session):
    planner = await make.user()
    colleague = await make.user(display_name="Colette Collègue")
    contractor = await make.user(kind="contractor", language="en")
    event = await plan(session, planner, "Fête", level="public")
    for person in (colleague, contractor):
        await answers.answer_event(
            session, viewer=person, event_id=event.id, answer=RsvpAnswer.GOING
        )
    await session.commit()
    browser, _csrf = await browser_of(contractor)

    page = await browser.get(f"/calendar/events/{event.id}")

    assert page.status_code == 200
    assert "Colette Collègue" not in page.text
    assert "1 other person" in page.text
    assert f'href="/people/{contractor.handle}"' in page.text


@pytest.mark.parametrize("hidden", ["missing", "confidential"])
async def test_a_hidden_event_is_not_found(make, browser_of, session, hidden):
    planner = await make.user(clearance="confidential")
    event = await plan(session, planner, "Salaires", level="confidential")
    event_id = event.id if hidden == "confidential" else 987654321
    browser, csrf = await browser_of(await make.user(language="en"))

    pages = [
        await browser.get(f"/calendar/events/{event_id}"),
        await browser.get(f"/calendar/events/{event_id}/edit"),
        await browser.post(
            f"/calendar/events/{event_id}/answer", data={"answer": "going", "csrf_token": csrf}
        ),
    ]

    assert [page.status_code for page in pages] == [404, 404, 404]
    assert all("Salaires" not in page.text for page in pages)
    assert await session.scalar(select(func.count()).select_from(CalendarAnswer)) == 0


async def test_answering_without_scripts_and_withdrawing(make, browser_of, session):
    planner = await make.user()
    reader = await make.user(language="en")
    event = await plan(session, planner, "Atelier", details={"capacity": 1})
    await answers.answer_event(session, viewer=planner, event_id=event.id, answer=RsvpAnswer.GOING)
    await session.commit()
    browser, csrf = await browser_of(reader)
    path = f"/calendar/events/{event.id}/answer"

    forged = await browser.post(path, data={"answer": "going"})
    going = await browser.post(path, data={"answer": "going", "csrf_token": csrf})
    page = await browser.get(going.headers["location"])
    wrong = await browser.post(path, data={"answer": "perhaps", "csrf_token": csrf})

    assert forged.status_code == 403
    assert going.status_code == 303
    assert 'value="going" aria-pressed="true"' in page.text
    assert "you are on the waiting list" in page.text
    assert 'data-count="waiting">1<' in page.text
    assert wrong.status_code == 422 and "Choose one of the values offered." in alert(wrong.text)
    withdrawn = await browser.post(path, data={"answer": "", "csrf_token": csrf})
    assert withdrawn.status_code == 303
    mine = await session.get(CalendarAnswer, (event.id, reader.id))
    assert mine is None


async def test_the_planner_cancels_and_others_may_not(make, browser_of, session):
    planner = await make.user(language="en")
    other = await make.user(language="en")
    event = await plan(session, planner, "Atelier")
    theirs, their_csrf = await browser_of(other)
    mine, csrf = await browser_of(planner)

    refused = await theirs.post(
        f"/calendar/events/{event.id}/cancel", data={"csrf_token": their_csrf}
    )
    page = await mine.get(f"/calendar/events/{event.id}")
    cancelled = await mine.post(f"/calendar/events/{event.id}/cancel", data={"csrf_token": csrf})

    assert refused.status_code == 403 and "moderators" in alert(refused.text)
    assert f'href="/calendar/events/{event.id}/edit"' in page.text
    assert cancelled.status_code == 303
    await session.refresh(event)
    assert event.cancelled_at is not None


async def test_a_weekly_events_page_lists_its_next_dates_and_its_planner_cancels_one(
    make, browser_of, session
):
    planner = await make.user(language="en")
    reader = await make.user(language="en")
    first = (date.today() + timedelta(days=3)).isoformat()
    event = await plan(
        session, planner, "Point hebdo", start=f"{first}T09:00", recurrence=Recurrence.WEEKLY
    )
    await answers.answer_event(session, viewer=reader, event_id=event.id, answer=RsvpAnswer.GOING)
    await session.commit()
    mine, csrf = await browser_of(planner)
    theirs, _their_csrf = await browser_of(reader)
    dates = DATES.findall((await mine.get(f"/calendar/events/{event.id}")).text)

    cancelled = await mine.post(
        f"/calendar/events/{event.id}/cancel", data={"csrf_token": csrf, "occurrence": dates[1]}
    )
    page = await mine.get(cancelled.headers["location"])
    shown = await theirs.get(f"/calendar/events/{event.id}")
    notices = await theirs.get("/notifications")

    assert len(dates) == cancelling.COMING_DATES and dates[0].startswith(first)
    assert cancelled.status_code == 303
    assert "The date is cancelled; those who answered are told." in page.text
    assert DATES.findall(page.text) == [dates[0], *dates[2:]]
    assert page.text.count('class="badge cancelled">Cancelled<') == 1
    assert event.cancelled_at is None
    # The reader sees the dates, the cancelled one marked, and cannot cancel any.
    assert "Next dates" in shown.text and not DATES.findall(shown.text)
    assert shown.text.count('class="badge cancelled">Cancelled<') == 1
    assert "Point hebdo” of " in unescape(notices.text)
    assert "is cancelled; its other dates stay." in unescape(notices.text)


# --- planning and changing ------------------------------------------------------------


def form(**fields) -> dict:
    return {
        "title": "Kick-off",
        "description": "Ordre du jour",
        "space_id": "",
        "level": "internal",
        "start": "2026-12-10T09:00",
        "end": "2026-12-10T10:00",
        "time_zone": "Europe/Paris",
        "recurrence": "",
        "repeat_until": "",
        "place": "",
        "video_url": "",
        "capacity": "",
        "reminder_minutes": "30",
        **fields,
    }


async def test_planning_an_event_through_the_form(make, browser_of, session):
    planner = await make.user(language="en")
    space = await make.space(members=[planner], name="Projet Aube")
    browser, csrf = await browser_of(planner)

    new = await browser.get("/calendar/new", params={"space": space.id})
    planned = await browser.post(
        "/calendar/new",
        data=form(space_id=str(space.id), all_day="true", end="2026-12-11T18:00", csrf_token=csrf),
    )

    assert new.status_code == 200
    assert f'<option value="{space.id}" selected>Projet Aube</option>' in new.text
    assert 'name="time_zone"' in new.text and "<option selected>Europe/Paris</option>" in new.text
    assert csp_audit(new.text).problems == []
    assert planned.status_code == 303
    event = await session.scalar(select(CalendarEvent).where(CalendarEvent.title == "Kick-off"))
    assert event.space_id == space.id and event.all_day and event.reminder_minutes == 30
    # Its days, taken from the time fields: the 10th and the 11th, in Paris.
    assert event.starts_at.isoformat().startswith("2026-12-09T23:00")
    assert event.ends_at.isoformat().startswith("2026-12-11T23:00")
    assert planned.headers["location"] == f"/calendar/events/{event.id}?done=planned"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"end": "2026-12-10T08:00"}, "end", "An event must end after it starts."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone."),
        ({"video_url": "ftp://x"}, "video_url", "This value is not valid."),
        ({"capacity": "0"}, "capacity", "This value is not valid."),
        ({"level": "secret"}, "level", "You cannot write at a level above your own clearance."),
    ],
)
async def test_a_refused_form_keeps_what_was_typed(
    make, browser_of, session, fields, field, message
):
    planner = await make.user(language="en")
    browser, csrf = await browser_of(planner)

    refused = await browser.post(
        "/calendar/new", data=form(place="Salle <Jaurès>", **fields, csrf_token=csrf)
    )

    assert refused.status_code in (403, 422), refused.text
    error = re.search(rf'<p class="field-error" id="error-{field}">([^<]+)</p>', refused.text)
    assert error and unescape(error[1]) == message
    assert 'value="Salle &lt;Jaurès&gt;"' in refused.text
    assert await session.scalar(select(func.count()).select_from(CalendarEvent)) == 0


async def test_changing_an_event_keeps_its_audience(make, browser_of, session):
    planner = await make.user(language="en")
    guest = await make.user()
    event = await plan(session, planner, "Atelier", audience=[guest.id])
    browser, csrf = await browser_of(planner)

    edit = await browser.get(f"/calendar/events/{event.id}/edit")
    changed = await browser.post(
        f"/calendar/events/{event.id}/edit",
        data=form(
            title="Atelier changé",
            start="2026-12-10T14:00",
            end="2026-12-10T16:00",
            csrf_token=csrf,
        ),
    )
    other, other_csrf = await browser_of(guest)
    refused = await other.get(f"/calendar/events/{event.id}/edit")

    assert 'value="2026-12-10T09:00"' in edit.text and 'value="Atelier"' in edit.text
    assert changed.status_code == 303
    title = await session.scalar(select(CalendarEvent.title).where(CalendarEvent.id == event.id))
    view = await events.view_event(session, viewer=planner, event_id=event.id)
    assert title == "Atelier changé" and view.audience == {guest.id}
    assert refused.status_code == 403
    assert other_csrf


# --- the feed on the settings page ------------------------------------------------------


async def test_the_feed_address_is_shown_once_and_revoked(make, browser_of, session, client):
    person = await make.user(language="en")
    browser, csrf = await browser_of(person)

    made = await browser.post(
        "/settings/calendar-feed", data={"shows_titles": "true", "csrf_token": csrf}
    )
    url = re.search(r'id="calendar-feed-url" class="token" readonly value="([^"]+)"', made.text)[1]
    settings = await browser.get("/settings")
    fetched = await client.get(url.removeprefix("http://testserver"))
    revoked = await browser.post("/settings/calendar-feed/revoke", data={"csrf_token": csrf})
    gone = await client.get(url.removeprefix("http://testserver"))

    assert made.status_code == 200 and "/api/v1/calendar/feeds/" in url
    assert (
        url not in settings.text and "It shows the titles of events above public." in settings.text
    )
    # Once on the page, in its content: the section once sat in the title block too.
    assert settings.text.count('id="calendar-feed"') == 1
    assert re.search(r"<title>([^<]*)</title>", settings.text)[1].startswith("Profile and settings")
    assert fetched.status_code == 200 and fetched.text.startswith("BEGIN:VCALENDAR")
    assert revoked.status_code == 303
    assert gone.status_code == 404
    assert await session.scalar(select(func.count()).select_from(CalendarFeed)) == 0


async def test_calendar_pages_need_a_signed_in_browser(client):
    response = await client.get("/calendar", headers=BROWSER)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
