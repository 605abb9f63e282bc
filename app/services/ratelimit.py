"""Sliding-window limits kept in the database, so every worker shares them."""

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import RateLimited
from app.models import RateLimitHit
from app.models.base import utcnow


async def check_rate_limit(
    session: AsyncSession, *, bucket: str, key: str, limit: int, window_seconds: int
) -> None:
    """Raises RateLimited, with the seconds until the oldest hit leaves the window,
    when ``key`` already has ``limit`` hits in it."""
    since = utcnow() - timedelta(seconds=window_seconds)
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(RateLimitHit.created_at)).where(
                RateLimitHit.bucket == bucket,
                RateLimitHit.key == key,
                RateLimitHit.created_at > since,
            )
        )
    ).one()
    if count >= limit:
        raise RateLimited(retry_after=int((oldest - since).total_seconds()) + 1)


def count_hit(session: AsyncSession, *, bucket: str, key: str) -> None:
    session.add(RateLimitHit(bucket=bucket, key=key))


async def forget_hits(session: AsyncSession, *, bucket: str, key: str) -> None:
    await session.execute(
        delete(RateLimitHit).where(RateLimitHit.bucket == bucket, RateLimitHit.key == key)
    )
