"""Digests: once a day or a week, what happened in a person's spaces and the
company stream (posts, wiki pages saved, events planned), queued once per
period whichever worker gets there first, and filled when sent with only what
its reader may read then."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import member_space_ids, readable
from app.config import Settings
from app.models import CalendarEvent, Digest, MailSettings, Post, Space, User, WikiPage
from app.models.mail import DIGEST_MAIL
from app.services.mail.outbox import queue_mail

DIGEST_POSTS = 20
# Wiki pages saved, events planned: a few of each.
DIGEST_ITEMS = 10


@dataclass(frozen=True)
class Period:
    key: str
    since: datetime
    until: datetime


def period_of(digest: Digest, *, now: datetime, settings: Settings) -> Period:
    """The last whole period before ``now``: days end at the digest hour of the
    company's zone; weeks on Monday at that hour."""
    zone = ZoneInfo(settings.mail_timezone)
    local = now.astimezone(zone)
    end = local.replace(hour=settings.mail_digest_hour, minute=0, second=0, microsecond=0)
    if local < end:
        end -= timedelta(days=1)
    if digest is Digest.WEEKLY:
        end -= timedelta(days=end.weekday())
        year, week, _day = end.isocalendar()
        key, length = f"{year}-W{week:02d}", timedelta(days=7)
    else:
        key, length = end.date().isoformat(), timedelta(days=1)
    # The wall-clock hour, then UTC: a day across a change of summer time lasts 23 or 25 h.
    since = (end.replace(tzinfo=None) - length).replace(tzinfo=zone)
    return Period(key, since.astimezone(UTC), end.astimezone(UTC))


async def queue_digests(session: AsyncSession, *, now: datetime, settings: Settings) -> int:
    """Queues the digest of every active person whose period ended and was not
    queued yet. One conditional UPDATE claims them: a second worker running at
    once waits for the first's row locks (PostgreSQL) or its write lock
    (SQLite), then finds the period taken."""
    queued = 0
    for digest in (Digest.DAILY, Digest.WEEKLY):
        period = period_of(digest, now=now, settings=settings)
        claimed = await session.scalars(
            update(MailSettings)
            .where(
                MailSettings.digest == digest.value,
                or_(
                    MailSettings.digest_sent_for.is_(None),
                    MailSettings.digest_sent_for != period.key,
                ),
                MailSettings.user_id.in_(select(User.id).where(User.is_active.is_(True))),
            )
            .values(digest_sent_for=period.key)
            .returning(MailSettings.user_id)
        )
        for user_id in claimed.all():
            queue_mail(
                session,
                kind=DIGEST_MAIL,
                user_id=user_id,
                since=period.since.isoformat(),
                until=period.until.isoformat(),
            )
            queued += 1
    return queued


@dataclass(frozen=True)
class DigestPost:
    post: Post
    author_name: str
    space_name: str | None


@dataclass(frozen=True)
class DigestContents:
    posts: list[DigestPost]
    # Posts of the period beyond those listed.
    more: int
    # Wiki pages saved in the period by others, newest first: (page, space name).
    pages: list[tuple[WikiPage, str | None]]
    # Events planned in the period by others, soonest first: (event, space name).
    events: list[tuple[CalendarEvent, str | None]]

    def __bool__(self) -> bool:
        return bool(self.posts or self.pages or self.events)


async def digest_contents(
    session: AsyncSession, *, viewer: User, since: datetime, until: datetime
) -> DigestContents:
    """What happened in the period in the company stream and the viewer's
    spaces that the viewer may read now (the policy's clause in each query,
    never a filter after it), not of their own doing: the newest posts, the
    wiki pages saved, the events planned."""
    author = aliased(User)
    conditions = (
        *_theirs(viewer, Post),
        Post.deleted_at.is_(None),
        Post.created_at >= since,
        Post.created_at < until,
        Post.author_id != viewer.id,
    )
    rows = (
        await session.execute(
            select(Post, author.display_name, Space.name)
            .join(author, author.id == Post.author_id)
            .outerjoin(Space, Space.id == Post.space_id)
            .where(*conditions)
            .order_by(Post.id.desc())
            .limit(DIGEST_POSTS)
        )
    ).all()
    total = await session.scalar(select(func.count()).select_from(Post).where(*conditions))
    posts = [DigestPost(post, author_name, space_name) for post, author_name, space_name in rows]
    pages = await _in_period(
        session,
        viewer,
        WikiPage.updated_at,
        since,
        until,
        WikiPage.deleted_at.is_(None),
        WikiPage.updated_by_id != viewer.id,
        order=WikiPage.updated_at.desc(),
    )
    events = await _in_period(
        session,
        viewer,
        CalendarEvent.created_at,
        since,
        until,
        CalendarEvent.cancelled_at.is_(None),
        CalendarEvent.author_id != viewer.id,
        order=CalendarEvent.starts_at,
    )
    return DigestContents(posts=posts, more=total - len(posts), pages=pages, events=events)


def _theirs(viewer: User, model) -> tuple:
    """Items of ``model`` the viewer may read, in the company's stream (or
    wiki, or calendar) and the spaces they are a member of."""
    return (
        readable(viewer, model),
        or_(model.space_id.is_(None), model.space_id.in_(member_space_ids(viewer))),
    )


async def _in_period(
    session: AsyncSession,
    viewer: User,
    moment,
    since: datetime,
    until: datetime,
    *conditions,
    order,
) -> list[tuple]:
    """The first ``DIGEST_ITEMS`` items, in ``order``, whose ``moment`` (a
    column of their model) falls in the period, of those the viewer may read in
    the company's wiki or calendar and their spaces (``_theirs``), each with its
    space's name."""
    model = moment.class_
    rows = await session.execute(
        select(model, Space.name)
        .outerjoin(Space, Space.id == model.space_id)
        .where(*_theirs(viewer, model), moment >= since, moment < until, *conditions)
        .order_by(order)
        .limit(DIGEST_ITEMS)
    )
    return [(item, space_name) for item, space_name in rows.all()]
