"""People as others see them: the directory, and finding an account by its
@handle (where mention links lead). Both show only whom the viewer may know of."""

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_people
from app.errors import NotFound
from app.models import User


async def access_person(
    session: AsyncSession, *, viewer: User, handle: str | None = None, user_id: int | None = None
) -> User:
    """The account with this handle (or id); NotFound alike when it does not
    exist and when the viewer may not know of it."""
    key = User.id == user_id if handle is None else User.handle == handle.strip().lower()
    person = await session.scalar(select(User).where(key, knowable_people(viewer)))
    if person is None:
        raise NotFound()
    return person


def named_like(query: str) -> ColumnElement[bool]:
    """People whose name or handle holds ``query`` (any case; an "@" before a
    handle ignored)."""
    query = query.strip().lower()
    return or_(
        func.lower(User.display_name).contains(query, autoescape=True),
        User.handle.contains(query.lstrip("@"), autoescape=True),
    )


async def list_people(
    session: AsyncSession,
    *,
    viewer: User,
    limit: int,
    after: tuple[str, int] | None,
    query: str | None = None,
) -> list[User]:
    """The directory, by name: active accounts the viewer may know of (former
    ones still have their page, reached from what they wrote)."""
    statement = (
        select(User)
        .where(User.is_active, knowable_people(viewer))
        .order_by(User.display_name, User.id)
    )
    if query:
        statement = statement.where(named_like(query))
    if after is not None:
        name, user_id = after
        statement = statement.where(
            or_(User.display_name > name, and_(User.display_name == name, User.id > user_id))
        )
    return list((await session.scalars(statement.limit(limit))).all())
