"""Events in the live activity and in notifications: who hears of a change to
an event, who is told of an invitation, a cancellation, a seat freed or an
occurrence about to start (reminders, sent once even by two workers at once),
and that each of them reaches, and stays shown to, only the event's readers."""

import asyncio
from datetime import UTC, datetime, timedelta

from markupsafe import escape
from sqlalchemy import select

from app.access import can_see_event, load_reader
from app.models import CalendarReminder, Notification, User
from app.models.base import utcnow
from app.services.lifecycle import run_due_jobs
from tests.calendar_helpers import EVENTS, answer, event_body, plan
from tests.factories import Factories
from tests.helpers import expect_error
from tests.own_site import own_site
from tests.stream_helpers import person
from tests.test_realtime_log import catch_up

NOTIFICATIONS = "/api/v1/notifications"


async def told(client, kind: str | None = None) -> list[dict]:
    """The notifications the client's person is shown now (of one kind)."""
    response = await client.get(NOTIFICATIONS)
    assert response.status_code == 200, response.text
    return [n for n in response.json()["items"] if kind is None or n["kind"] == kind]


async def unread(client) -> int:
    return (await client.get(f"{NOTIFICATIONS}/unread-count")).json()["unread_count"]


async def stored(session, kind: str) -> list[tuple[int, int]]:
    """(user, event) of every notification of ``kind`` written, shown or not."""
    rows = await session.execute(
        select(Notification.user_id, Notification.calendar_event_id)
        .where(Notification.kind == kind)
        .order_by(Notification.user_id)
        .execution_options(populate_existing=True)
    )
    return [tuple(row) for row in rows]


def of_event(events: list[dict], event_id: int) -> list[str]:
    return [e["kind"] for e in events if e["calendar_event_id"] == event_id and not e["user_id"]]


def wall_clock(moment: datetime) -> str:
    """A moment as the API takes it for an event in UTC, to the minute."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def soon(minutes: int, **fields) -> dict:
    """An event in UTC starting ``minutes`` from now, for an hour."""
    start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    return event_body(
        time_zone="UTC",
        start=wall_clock(start),
        end=wall_clock(start + timedelta(hours=1)),
        **fields,
    )


async def plan_body(client, body: dict) -> dict:
    response = await client.post(EVENTS, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def remind(db, make, now: datetime) -> int:
    """One run of the due jobs at ``now``, in its own transaction."""
    async with db.transaction() as session:
        done = await run_due_jobs(
            session, now=now, store=make.app.state.files, settings=make.app.state.settings
        )
    return done["events_reminded"]


# --- the live activity -------------------------------------------------------------


async def test_a_contractor_catches_up_on_public_events_only(make, session, heard):
    _planner, planner_client = await person(make, clearance="confidential")
    contractor, contractor_client = await person(make, kind="contractor")
    _employee, employee_client = await person(make)
    start = (await planner_client.get("/api/v1/events")).json()["last_id"]

    internal = await plan(planner_client, title="Comité interne")
    public = await plan(planner_client, title="Portes ouvertes", level="public")
    for event in (internal, public):
        await answer(planner_client, event["id"], "going")
        changed = await planner_client.put(
            f"{EVENTS}/{event['id']}", json=event_body(title="Déplacé", level=event["level"])
        )
        assert changed.status_code == 200, changed.text
        cancelled = await planner_client.post(f"{EVENTS}/{event['id']}/cancel", json={})
        assert cancelled.status_code == 200, cancelled.text
    kinds = [
        "calendar_event.created",
        "calendar_event.answered",
        "calendar_event.changed",
        "calendar_event.cancelled",
    ]

    contractor_events, _ = await catch_up(contractor_client, start)
    employee_events, _ = await catch_up(employee_client, start)
    assert of_event(contractor_events, internal["id"]) == []
    assert of_event(contractor_events, public["id"]) == kinds
    assert of_event(employee_events, internal["id"]) == kinds
    answered = next(e for e in contractor_events if e["kind"] == "calendar_event.answered")
    assert answered["payload"] == {"answers": {"going": 1, "maybe": 0, "declined": 0, "waiting": 0}}
    assert "Portes ouvertes" not in str(contractor_events)

    # What the hub lets through to the contractor's socket is what catch-up gives.
    reader = await load_reader(session, await session.get(User, contractor.id))
    heard_events = [e for e in await heard.settled() if e.calendar_event_id is not None]
    live = [e.id for e in heard_events if can_see_event(reader, e.ref())]
    assert live == [e["id"] for e in contractor_events if e["calendar_event_id"] is not None]
    assert len(live) == 4


async def test_an_event_raised_to_internal_hides_its_earlier_activity(make):
    _planner, planner_client = await person(make)
    _contractor, contractor_client = await person(make, kind="contractor")
    start = (await planner_client.get("/api/v1/events")).json()["last_id"]
    event = await plan(planner_client, level="public")
    before, _ = await catch_up(contractor_client, start)
    assert of_event(before, event["id"]) == ["calendar_event.created"]

    raised = await planner_client.put(f"{EVENTS}/{event['id']}", json=event_body(level="internal"))
    assert raised.status_code == 200, raised.text

    after, _ = await catch_up(contractor_client, start)
    assert of_event(after, event["id"]) == []


# --- invitations -----------------------------------------------------------------------


async def test_inviting_a_space_tells_only_its_members_who_may_read_the_event(make, session):
    owner, owner_client = await person(make)
    member, member_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    outsider, outsider_client = await person(make)
    space = await make.space(
        owner=owner, visibility="private", allows_externals=True, members=[member, contractor]
    )
    internal = await plan(owner_client, space_id=space.id, title="Revue interne")

    invited = await owner_client.post(f"{EVENTS}/{internal['id']}/invite")

    assert invited.status_code == 200, invited.text
    assert invited.json() == {"invited": 1}
    assert await stored(session, "event_invitation") == [(member.id, internal["id"])]
    assert await told(contractor_client) == [] and await unread(contractor_client) == 0
    assert await told(outsider_client) == [] and await told(owner_client) == []
    [notice] = await told(member_client, "event_invitation")
    assert notice["calendar_event_id"] == internal["id"] and notice["actor_id"] == owner.id
    assert notice["data"]["title"] == "Revue interne"

    # Each is invited once; those who answered are not invited.
    again = await owner_client.post(f"{EVENTS}/{internal['id']}/invite")
    assert again.json() == {"invited": 0}
    public = await plan(owner_client, space_id=space.id, level="public")
    await answer(member_client, public["id"], "maybe")
    invited = await owner_client.post(f"{EVENTS}/{public['id']}/invite")
    assert invited.json() == {"invited": 1}
    assert [n["calendar_event_id"] for n in await told(contractor_client)] == [public["id"]]
    # Nobody was ever told of the internal event who may not read it.
    assert (contractor.id, internal["id"]) not in await stored(session, "event_invitation")
    assert outsider.id not in {user for user, _ in await stored(session, "event_invitation")}


async def test_who_may_invite_and_what(make, client):
    owner, owner_client = await person(make)
    moderator, moderator_client = await person(make)
    member, member_client = await person(make)
    _outsider, outsider_client = await person(make)
    space = await make.space(
        owner=owner, visibility="private", members=[member], moderators=[moderator]
    )
    event = await plan(member_client, space_id=space.id)
    by_other = await plan(owner_client, space_id=space.id)
    company_wide = await plan(owner_client)

    expect_error(await client.post(f"{EVENTS}/{event['id']}/invite"), 401)
    expect_error(await outsider_client.post(f"{EVENTS}/{event['id']}/invite"), 404)
    expect_error(await member_client.post(f"{EVENTS}/{by_other['id']}/invite"), 403)
    expect_error(
        await owner_client.post(f"{EVENTS}/{company_wide['id']}/invite"), 409, "event_not_in_space"
    )
    expect_error(await owner_client.post(f"{EVENTS}/999999999/invite"), 404)
    # Its planner, and the space's moderators, invite.
    assert (await member_client.post(f"{EVENTS}/{event['id']}/invite")).json() == {"invited": 2}
    moderated = await moderator_client.post(f"{EVENTS}/{by_other['id']}/invite")
    assert moderated.json() == {"invited": 2}
    await owner_client.post(f"{EVENTS}/{by_other['id']}/cancel", json={})
    expect_error(await owner_client.post(f"{EVENTS}/{by_other['id']}/invite"), 409)


async def test_two_moderators_inviting_at_once_tell_each_member_once(tmp_path):
    async with own_site(tmp_path) as site:
        owner_id, owner_client = await site.person()
        moderator_id, moderator_client = await site.person()
        member_ids = [(await site.person())[0] for _ in range(3)]
        async with site.database.sessionmaker() as session:
            make = Factories(session, site.app)
            owner, moderator, *members = [
                await session.get(User, uid) for uid in (owner_id, moderator_id, *member_ids)
            ]
            space = await make.space(owner=owner, moderators=[moderator], members=members)
        event = await plan(owner_client, space_id=space.id)

        invite = f"{EVENTS}/{event['id']}/invite"
        both = await asyncio.gather(owner_client.post(invite), moderator_client.post(invite))

        assert [r.status_code for r in both] == [200, 200], [r.text for r in both]
        # One waited for the other: each told the rest once, the other the first.
        assert sorted(r.json()["invited"] for r in both) == [1, 4]
        told = await site.rows(
            select(Notification.user_id).where(Notification.kind == "event_invitation")
        )
        assert sorted(uid for (uid,) in told) == sorted([owner_id, moderator_id, *member_ids])


# --- cancellation and seats -------------------------------------------------------------


async def test_cancelling_tells_those_who_meant_to_come(make, session):
    _planner, planner_client = await person(make)
    people = {answer_: await person(make) for answer_ in ("going", "maybe", "declined", "waiting")}
    _bystander, bystander_client = await person(make)
    event = await plan(planner_client, capacity=2, title="Atelier")
    await answer(planner_client, event["id"], "going")
    for given in ("going", "maybe", "declined", "waiting"):
        await answer(people[given][1], event["id"], "going" if given == "waiting" else given)
    assert (await planner_client.get(f"{EVENTS}/{event['id']}")).json()["answers"]["waiting"] == 1

    cancelled = await planner_client.post(f"{EVENTS}/{event['id']}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.text

    expected = sorted(people[given][0].id for given in ("going", "maybe", "waiting"))
    assert await stored(session, "event_cancelled") == [(uid, event["id"]) for uid in expected]
    [notice] = await told(people["waiting"][1], "event_cancelled")
    assert notice["data"]["title"] == "Atelier"
    assert await told(bystander_client) == [] and await told(planner_client) == []


async def test_cancelling_one_date_tells_those_coming_once_and_names_it(make, session):
    owner, owner_client = await person(make)
    going, going_client = await person(make)
    declined, declined_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(
        owner=owner,
        visibility="private",
        allows_externals=True,
        members=[going, declined, contractor],
    )
    weekly = await plan(
        owner_client, space_id=space.id, level="public", title="Point hebdo", recurrence="weekly"
    )
    answers = ((going_client, "going"), (declined_client, "declined"), (contractor_client, "maybe"))
    for client, given in answers:
        await answer(client, weekly["id"], given)
    second = "2026-12-17T08:00:00Z"

    for _twice in range(2):  # the second time changes nothing and tells no one
        cancelled = await owner_client.post(
            f"{EVENTS}/{weekly['id']}/cancel", json={"occurrence": second}
        )
        assert cancelled.status_code == 200, cancelled.text

    told_ids = sorted([going.id, contractor.id])
    assert await stored(session, "event_cancelled") == [(uid, weekly["id"]) for uid in told_ids]
    [notice] = await told(going_client, "event_cancelled")
    assert notice["data"]["starts_at"] == "2026-12-17T08:00:00+00:00"
    assert await told(declined_client) == []
    # Raised above public, the event takes its notification from the contractor.
    raised = await owner_client.put(
        f"{EVENTS}/{weekly['id']}", json=event_body(level="internal", recurrence="weekly")
    )
    assert raised.status_code == 200, raised.text
    assert await told(contractor_client) == [] and await unread(contractor_client) == 0


async def test_a_freed_seat_is_told_to_whom_it_goes(make, session):
    _planner, planner_client = await person(make)
    _first, first_client = await person(make)
    second, second_client = await person(make)
    event = await plan(planner_client, capacity=1)
    await answer(first_client, event["id"], "going")  # a seat free: taken, not told
    await answer(second_client, event["id"], "going")
    assert await stored(session, "event_seat") == []

    await answer(first_client, event["id"], "declined")

    assert await stored(session, "event_seat") == [(second.id, event["id"])]
    assert (await second_client.get(f"{EVENTS}/{event['id']}")).json()["waiting"] is False
    assert await told(first_client, "event_seat") == []


async def test_more_seats_seat_those_waiting_and_tell_them(make, session):
    _planner, planner_client = await person(make)
    waiting, waiting_client = await person(make)
    event = await plan(planner_client, capacity=1)
    await answer(planner_client, event["id"], "going")
    await answer(waiting_client, event["id"], "going")

    more = await planner_client.put(f"{EVENTS}/{event['id']}", json=event_body(capacity=2))

    assert more.status_code == 200, more.text
    assert await stored(session, "event_seat") == [(waiting.id, event["id"])]


# --- shown while readable -------------------------------------------------------------


async def test_a_notification_about_an_event_raised_to_internal_disappears(make):
    owner, owner_client = await person(make)
    member, member_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    space = await make.space(
        owner=owner, visibility="private", allows_externals=True, members=[member, contractor]
    )
    event = await plan(owner_client, space_id=space.id, level="public")
    assert (await owner_client.post(f"{EVENTS}/{event['id']}/invite")).json() == {"invited": 2}
    assert len(await told(contractor_client, "event_invitation")) == 1
    assert await unread(contractor_client) == 1

    raised = await owner_client.put(f"{EVENTS}/{event['id']}", json=event_body(level="internal"))
    assert raised.status_code == 200, raised.text

    assert await told(contractor_client) == [] and await unread(contractor_client) == 0
    assert len(await told(member_client, "event_invitation")) == 1


async def test_the_notifications_page_names_the_event_and_links_to_it(make, browser_of):
    owner = await make.user()
    owner_client = await make.bearer(owner)
    readers = {lang: await make.user(language=lang) for lang in ("en", "fr")}
    space = await make.space(owner=owner, members=list(readers.values()))
    event = await plan(owner_client, space_id=space.id, title="Rétrospective")
    await owner_client.post(f"{EVENTS}/{event['id']}/invite")
    for reader in readers.values():
        await answer(await make.bearer(reader), event["id"], "going")
    renamed = await owner_client.put(
        f"{EVENTS}/{event['id']}", json=event_body(title="Bilan annuel")
    )
    assert renamed.status_code == 200, renamed.text
    await owner_client.post(f"{EVENTS}/{event['id']}/cancel", json={})
    expected = {
        "en": [
            f"{owner.display_name} invites you to the event “Bilan annuel”.",
            "The event “Bilan annuel” is cancelled.",
        ],
        "fr": [
            f"{owner.display_name} vous invite à l'événement «\u202fBilan annuel\u202f».",
            "L'événement «\u202fBilan annuel\u202f» est annulé.",
        ],
    }
    for lang, reader in readers.items():
        browser, _csrf = await browser_of(reader)
        page = await browser.get("/notifications")
        assert page.status_code == 200
        assert page.text.count(f'href="/calendar/events/{event["id"]}"') == 2
        for sentence in expected[lang]:
            assert escape(sentence) in page.text
        assert "Rétrospective" not in page.text  # the title read now, never stored


# --- reminders -------------------------------------------------------------------------


async def test_a_reminder_tells_those_coming_who_may_read_it_once(db, make, session):
    planner, planner_client = await person(make)
    going, going_client = await person(make)
    maybe, maybe_client = await person(make)
    _declined, declined_client = await person(make)
    waiting, waiting_client = await person(make)
    contractor, contractor_client = await person(make, kind="contractor")
    body = soon(30, reminder_minutes=60, capacity=3, level="public", title="Point d'étape")
    event = await plan_body(planner_client, body)
    await answer(planner_client, event["id"], "going")
    await answer(contractor_client, event["id"], "going")
    await answer(going_client, event["id"], "going")
    await answer(maybe_client, event["id"], "maybe")
    await answer(declined_client, event["id"], "declined")
    await answer(waiting_client, event["id"], "going")
    # Raised: the contractor, going, may no longer read it and is not reminded.
    raised = await planner_client.put(f"{EVENTS}/{event['id']}", json={**body, "level": "internal"})
    assert raised.status_code == 200, raised.text
    await session.commit()

    assert await remind(db, make, utcnow()) == 1
    assert await remind(db, make, utcnow()) == 0

    reminded = await stored(session, "event_reminder")
    assert reminded == [(uid, event["id"]) for uid in sorted([planner.id, going.id, maybe.id])]
    assert waiting.id not in {uid for uid, _ in reminded}
    assert contractor.id not in {uid for uid, _ in reminded}
    [notice] = await told(maybe_client, "event_reminder")
    assert notice["data"]["starts_at"] == event["starts_at"].replace("Z", "+00:00")
    assert notice["data"]["title"] == "Point d'étape"
    row = await session.scalar(
        select(Notification).where(Notification.user_id == maybe.id).limit(1)
    )
    assert "title" not in row.data  # read when shown, never stored


async def test_no_reminder_too_early_after_the_start_or_for_what_is_cancelled(db, make, session):
    planner, planner_client = await person(make)
    early = await plan_body(planner_client, soon(90, reminder_minutes=60))
    started = await plan_body(planner_client, soon(-5, reminder_minutes=60))
    called_off = await plan_body(planner_client, soon(30, reminder_minutes=60))
    silent = await plan_body(planner_client, soon(30))
    weekly = await plan_body(planner_client, soon(30, reminder_minutes=60, recurrence="weekly"))
    for event in (early, started, called_off, silent, weekly):
        await answer(planner_client, event["id"], "going")
    await planner_client.post(f"{EVENTS}/{called_off['id']}/cancel", json={})
    skipped = await planner_client.post(
        f"{EVENTS}/{weekly['id']}/cancel", json={"occurrence": weekly["starts_at"]}
    )
    assert skipped.status_code == 200, skipped.text
    await session.commit()
    now = utcnow()

    assert await remind(db, make, now) == 0
    assert await stored(session, "event_reminder") == []
    # The next week's occurrence is reminded in its turn; the early event in its.
    assert await remind(db, make, now + timedelta(days=7)) == 1
    assert await remind(db, make, now + timedelta(minutes=31)) == 1
    assert sorted(await stored(session, "event_reminder")) == sorted(
        [(planner.id, weekly["id"]), (planner.id, early["id"])]
    )


async def test_two_workers_at_once_remind_once(tmp_path):
    """Two runs of the jobs in real transactions on their own connections: the
    second waits for the first (for its claim on PostgreSQL, for the write lock
    on SQLite), then finds the occurrence taken and goes on without an error."""
    async with own_site(tmp_path) as site:
        planner_id, planner_client = await site.person()
        going_id, going_client = await site.person()
        first = await plan_body(planner_client, soon(20, reminder_minutes=30))
        second = await plan_body(planner_client, soon(25, reminder_minutes=30))
        for event in (first, second):
            await answer(going_client, event["id"], "going")
        state = site.app.state

        async def run(now: datetime) -> dict[str, int]:
            async with site.database.transaction() as session:
                return await run_due_jobs(
                    session, now=now, store=state.files, settings=state.settings
                )

        now = utcnow()
        async with site.database.transaction() as session:
            held = await run_due_jobs(session, now=now, store=state.files, settings=state.settings)
            other = asyncio.create_task(run(now))
            await asyncio.sleep(0.5)
            assert not other.done()  # waiting for the first run's transaction
        assert held["events_reminded"] == 2
        assert (await other)["events_reminded"] == 0

        # And two runs started together, for the next occurrences there are none.
        results = await asyncio.gather(run(utcnow()), run(utcnow()))
        assert [done["events_reminded"] for done in results] == [0, 0]

        reminded = await site.rows(
            select(Notification.user_id, Notification.calendar_event_id)
            .where(Notification.kind == "event_reminder")
            .order_by(Notification.calendar_event_id)
        )
        assert reminded == [(going_id, first["id"]), (going_id, second["id"])]
        claims = await site.rows(select(CalendarReminder.event_id))
        assert sorted(claims) == [(first["id"],), (second["id"],)]
        assert planner_id not in {uid for uid, _ in reminded}


async def test_a_seat_and_a_reminder_read_in_the_readers_language(db, make, session, browser_of):
    _planner, planner_client = await person(make)
    _first, first_client = await person(make)
    reader = await make.user(language="fr")
    reader_client = await make.bearer(reader)
    event = await plan_body(
        planner_client, soon(30, reminder_minutes=45, capacity=1, title="Visite du site")
    )
    await answer(first_client, event["id"], "going")
    await answer(reader_client, event["id"], "going")  # waits
    await answer(first_client, event["id"], "declined")  # the seat is the reader's
    await session.commit()
    assert await remind(db, make, utcnow()) == 1

    browser, _csrf = await browser_of(reader)
    page = (await browser.get("/notifications")).text
    assert page.count(f'href="/calendar/events/{event["id"]}"') == 2
    assert (
        escape(
            "Une place s'est libérée pour vous à l'événement «\u202fVisite du site\u202f»\u202f: "
            "vous y allez."
        )
        in page
    )
    assert escape("L'événement «\u202fVisite du site\u202f» commence le ") in page
