"""The job runner that `ruche serve` and `ruche jobs` share."""

from datetime import timedelta

from sqlalchemy import select

from app.jobs import run_jobs
from app.models import Notification, RateLimitHit, User
from app.models.base import utcnow

NOTHING = {
    "events_reminded": 0,
    "tasks_reminded": 0,
    "sponsors_warned": 0,
    "access_ended": 0,
    "files_collected": 0,
    "blobs_collected": 0,
    "temporary_files_removed": 0,
}


def in_app(make) -> dict:
    """What a run takes from the app it runs in: its store and settings."""
    return {"store": make.app.state.files, "settings": make.app.state.settings}


async def test_a_run_ends_expired_access_and_warns_sponsors(db, make, session):
    sponsor = await make.user()
    expired = await make.user(kind="contractor")
    ending = await make.user(kind="contractor")
    expired.sponsor_id = ending.sponsor_id = sponsor.id
    expired.access_ends_at = utcnow() - timedelta(minutes=1)
    ending.access_ends_at = utcnow() + timedelta(days=3)
    await session.commit()
    expired_id, ending_id, sponsor_id = expired.id, ending.id, sponsor.id

    assert await run_jobs(db, **in_app(make)) == {
        **NOTHING,
        "sponsors_warned": 1,
        "access_ended": 1,
    }
    assert await run_jobs(db, **in_app(make)) == NOTHING

    session.expire_all()
    assert (await session.get(User, expired_id)).is_active is False
    assert (await session.get(User, ending_id)).is_active is True
    warnings = (
        await session.scalars(select(Notification).where(Notification.user_id == sponsor_id))
    ).all()
    assert [(n.kind, n.data["user_id_ending"]) for n in warnings] == [
        ("contractor_access_ending", ending_id)
    ]


async def test_a_run_forgets_rate_limit_hits_older_than_a_day(db, make, session):
    session.add_all(
        [
            RateLimitHit(
                bucket="sign_in_account", key="old", created_at=utcnow() - timedelta(days=2)
            ),
            RateLimitHit(bucket="sign_in_account", key="new", created_at=utcnow()),
        ]
    )
    await session.commit()

    await run_jobs(db, **in_app(make))

    keys = set(await session.scalars(select(RateLimitHit.key)))
    assert keys == {"new"}
