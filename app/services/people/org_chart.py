"""The org chart around a person, and what else their page shows of them: the
spaces they belong to. Everyone named is someone the viewer may know of; a link
of the chain they may not know of is left out, never named nor hinted at."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_among, knowable_people, visible_spaces
from app.models import Membership, Space, User
from app.services.people.profiles import MAX_CHAIN


@dataclass
class OrgChart:
    person: User
    managers: list[User]  # from the top down to the person's own manager
    reports: list[User]  # the person's direct reports, by name


async def org_chart(session: AsyncSession, *, viewer: User, person: User) -> OrgChart:
    """``person`` must be one the viewer may know of (``access_person``)."""
    chain: list[User] = []
    seen = {person.id}
    above = person.manager_id
    while above is not None and above not in seen and len(seen) <= MAX_CHAIN:
        seen.add(above)
        manager = await session.get(User, above)
        if manager is None:
            break
        chain.append(manager)
        above = manager.manager_id
    known = await knowable_among(session, viewer, (manager.id for manager in chain))
    reports = await session.scalars(
        select(User)
        .where(User.manager_id == person.id, User.is_active, knowable_people(viewer))
        .order_by(User.display_name, User.id)
    )
    return OrgChart(
        person=person,
        managers=[manager for manager in reversed(chain) if manager.id in known],
        reports=list(reports),
    )


async def visible_manager(session: AsyncSession, *, viewer: User, person: User) -> User | None:
    """The person's manager, when there is one the viewer may know of."""
    if person.manager_id is None:
        return None
    return await session.scalar(
        select(User).where(User.id == person.manager_id, knowable_people(viewer))
    )


async def spaces_of(session: AsyncSession, *, viewer: User, person: User) -> list[Space]:
    """The spaces ``person`` belongs to that exist for the viewer: never a
    secret space the viewer is not in (nor, for an external, any space not
    theirs)."""
    found = await session.scalars(
        select(Space)
        .join(Membership, Membership.space_id == Space.id)
        .where(Membership.user_id == person.id, visible_spaces(viewer))
        .order_by(Space.name, Space.id)
    )
    return list(found)
