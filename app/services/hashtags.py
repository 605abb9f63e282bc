"""Hashtags: one row per name, made the first time a post carries it or someone
follows it."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import insert_unless_taken
from app.models import Hashtag


async def hashtag_ids(session: AsyncSession, names: set[str] | frozenset[str]) -> dict[str, int]:
    """The id of each of ``names`` (normalised already), made where missing. Two
    posts bringing the same new tag at once both get it: the unique name decides,
    and the one that lost the race reads the winner's row."""
    if not names:
        return {}
    query = select(Hashtag.name, Hashtag.id).where(Hashtag.name.in_(names))
    found = dict((await session.execute(query)).all())
    missing = names - found.keys()
    for name in sorted(missing):
        await insert_unless_taken(session, Hashtag(name=name))
    if missing:
        found = dict((await session.execute(query)).all())
    return found
