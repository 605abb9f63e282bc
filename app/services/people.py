"""People as others see them: finding an account by its @handle (where mention
links lead). Profiles, skills and the directory come later."""

from sqlalchemy import exists, or_, select
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


async def access_person(session: AsyncSession, *, viewer: User, handle: str) -> User:
    """The account with this handle; NotFound alike when it does not exist and
    when the viewer may not know of it."""
    person = await session.scalar(
        select(User).where(User.handle == handle.strip().lower(), _known_to(viewer))
    )
    if person is None:
        raise NotFound()
    return person
