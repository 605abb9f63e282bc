"""Late tasks: their assignees are told once by the due jobs, only while they
may read the task, and once even by two workers running the jobs at once."""

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select

from app.models import Notification, TaskOverdueReminder, User
from app.models.base import utcnow
from app.services.lifecycle import run_due_jobs
from tests.factories import Factories
from tests.own_site import own_site
from tests.stream_helpers import person
from tests.task_helpers import TASKS, add, move


def day(offset: int) -> str:
    return (utcnow().date() + timedelta(days=offset)).isoformat()


async def remind(db, make, now: datetime) -> int:
    """One run of the due jobs at ``now``, in its own transaction."""
    async with db.transaction() as session:
        done = await run_due_jobs(
            session, now=now, store=make.app.state.files, settings=make.app.state.settings
        )
    return done["tasks_reminded"]


async def stored(session) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(Notification.user_id, Notification.task_id).where(
            Notification.kind == "task_overdue"
        )
    )
    return sorted(tuple(row) for row in rows)


async def test_a_late_task_is_told_once_to_its_assignees_who_may_read_it(db, make, session):
    owner, client = await person(make)
    doer = await make.user()
    contractor = await make.user(kind="contractor")
    space = await make.space(owner=owner, members=[doer, contractor], allows_externals=True)
    late = await add(
        client,
        space.id,
        "Relancer",
        level="public",
        due_on=day(-1),
        assignees=[doer.id, contractor.id],
    )
    await add(client, space.id, "Demain", due_on=day(1), assignees=[doer.id])
    finished = await add(client, space.id, "Fini", due_on=day(-3), assignees=[doer.id])
    await move(client, finished["id"], "done", 0)
    await add(client, space.id, "Personne", due_on=day(-3))
    # Raised above the contractor's level: they may no longer read it, nor be told.
    raised = await client.put(
        f"{TASKS}/{late['id']}", json={"title": "Relancer", "due_on": day(-1), "level": "internal"}
    )
    assert raised.status_code == 200, raised.text
    await session.commit()

    assert await remind(db, make, utcnow()) == 1
    assert await stored(session) == [(doer.id, late["id"])]
    assert await remind(db, make, utcnow()) == 0
    # A new due day, missed in its turn, is told again.
    await client.put(f"{TASKS}/{late['id']}", json={"title": "Relancer", "due_on": day(-2)})
    await session.commit()
    assert await remind(db, make, utcnow()) == 1
    assert await stored(session) == [(doer.id, late["id"])] * 2


async def test_two_workers_at_once_remind_once(tmp_path):
    """Two runs of the jobs in real transactions on their own connections: the
    second waits for the first's claim, then finds the task taken."""
    async with own_site(tmp_path) as site:
        owner_id, client = await site.person()
        async with site.database.sessionmaker() as session:
            make = Factories(session, site.app)
            owner = await session.get(User, owner_id)
            space = await make.space(owner=owner)
        first = await add(client, space.id, "Un", due_on=day(-1), assignees=[owner_id])
        second = await add(client, space.id, "Deux", due_on=day(-2), assignees=[owner_id])
        state = site.app.state

        async def run() -> dict[str, int]:
            async with site.database.transaction() as session:
                return await run_due_jobs(
                    session, now=utcnow(), store=state.files, settings=state.settings
                )

        async with site.database.transaction() as session:
            held = await run_due_jobs(
                session, now=utcnow(), store=state.files, settings=state.settings
            )
            other = asyncio.create_task(run())
            await asyncio.sleep(0.5)
            assert not other.done()  # waiting for the first run's transaction
        assert held["tasks_reminded"] == 2
        assert (await other)["tasks_reminded"] == 0
        results = await asyncio.gather(run(), run())
        assert [done["tasks_reminded"] for done in results] == [0, 0]

        claims = await site.rows(select(TaskOverdueReminder.task_id))
        assert sorted(claims) == [(first["id"],), (second["id"],)]
        # The owner assigned themselves: told of lateness all the same, once per task.
        told = await site.rows(
            select(Notification.user_id, Notification.task_id)
            .where(Notification.kind == "task_overdue")
            .order_by(Notification.task_id)
        )
        assert told == [(owner_id, first["id"]), (owner_id, second["id"])]
