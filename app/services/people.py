"""People as others see them: the directory, and finding an account by its
@handle (where mention links lead). Both show only whom the viewer may know of."""

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import member_space_ids, readable
from app.errors import NotFound
from app.models import Membership, Post, User


def _known_to(viewer: User):
    """Whom the viewer may know of. Employees: every account. Externals: only
    themselves, the members of their spaces and the authors of what they may
    read, so a guessed handle reveals nothing else of the company."""
    if not viewer.kind.is_external:
        return User.id.is_not(None)
    return or_(
        User.id == viewer.id,
        User.id.in_(
            select(Membership.user_id).where(Membership.space_id.in_(member_space_ids(viewer)))
        ),
        exists().where(Post.author_id == User.id, readable(viewer, Post)),
    )


async def access_person(
    session: AsyncSession, *, viewer: User, handle: str | None = None, user_id: int | None = None
) -> User:
    """The account with this handle (or id); NotFound alike when it does not
    exist and when the viewer may not know of it."""
    key = User.id == user_id if handle is None else User.handle == handle.strip().lower()
    person = await session.scalar(select(User).where(key, _known_to(viewer)))
    if person is None:
        raise NotFound()
    return person


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
        select(User).where(User.is_active, _known_to(viewer)).order_by(User.display_name, User.id)
    )
    if query:
        query = query.strip().lower()
        statement = statement.where(
            or_(
                func.lower(User.display_name).contains(query, autoescape=True),
                User.handle.contains(query.lstrip("@"), autoescape=True),
            )
        )
    if after is not None:
        name, user_id = after
        statement = statement.where(
            or_(User.display_name > name, and_(User.display_name == name, User.id > user_id))
        )
    return list((await session.scalars(statement.limit(limit))).all())
