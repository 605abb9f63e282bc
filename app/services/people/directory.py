"""People as others see them: the directory with its filters and their counts,
and finding an account by its @handle (where mention links lead). All show
only whom the viewer may know of (``access.knowable_people``), counts included."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import knowable_people, knowable_people_listed
from app.errors import NotFound
from app.levels import AccountKind
from app.models import User
from app.models.user import ProfileTag, TagKind
from app.search.text import fold

# The skills offered as filters: the most declared ones.
MAX_SKILL_FACETS = 50


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


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory is narrowed to; they combine (all must hold). ``skill``
    is compared folded, so "Équipe" and "equipe" are one skill."""

    query: str | None = None
    skill: str | None = None
    department: str | None = None
    site: str | None = None
    kind: AccountKind | None = None


def _listed(viewer: User, filters: DirectoryFilters) -> list[ColumnElement[bool]]:
    """Active accounts the viewer may know of, as ``filters`` narrow them."""
    # Bots (incoming webhooks' accounts) are not people of the directory.
    conditions = [User.is_active, User.is_bot.is_(False), knowable_people_listed(viewer)]
    if filters.query:
        conditions.append(named_like(filters.query))
    if filters.skill:
        conditions.append(
            User.id.in_(
                select(ProfileTag.user_id).where(
                    ProfileTag.kind == TagKind.SKILL, ProfileTag.key == fold(filters.skill.strip())
                )
            )
        )
    if filters.department:
        conditions.append(User.department == filters.department)
    if filters.site:
        conditions.append(User.site == filters.site)
    if filters.kind is not None:
        conditions.append(User.kind == filters.kind)
    return conditions


async def list_people(
    session: AsyncSession,
    *,
    viewer: User,
    limit: int,
    after: tuple[str, int] | None,
    query: str | None = None,
    filters: DirectoryFilters | None = None,
) -> list[User]:
    """The directory, by name: active accounts the viewer may know of (former
    ones still have their page, reached from what they wrote)."""
    filters = filters or DirectoryFilters(query=query)
    statement = select(User).where(*_listed(viewer, filters)).order_by(User.display_name, User.id)
    if after is not None:
        name, user_id = after
        statement = statement.where(
            or_(User.display_name > name, and_(User.display_name == name, User.id > user_id))
        )
    return list((await session.scalars(statement.limit(limit))).all())


@dataclass(frozen=True)
class Facet:
    value: str  # what the filter takes (a skill's folded key)
    label: str  # what it shows (a skill as one of its holders wrote it)
    count: int


@dataclass
class Facets:
    departments: list[Facet] = field(default_factory=list)
    sites: list[Facet] = field(default_factory=list)
    skills: list[Facet] = field(default_factory=list)


async def directory_facets(session: AsyncSession, *, viewer: User) -> Facets:
    """The directory's filters with how many people each holds, counted only
    over the active people the viewer may know of: an external's counts reveal
    nobody the directory would not show them."""
    known = select(User.id).where(*_listed(viewer, DirectoryFilters()))
    facets = Facets()
    for column, into in ((User.department, facets.departments), (User.site, facets.sites)):
        rows = await session.execute(
            select(column, func.count())
            .where(User.id.in_(known), column != "")
            .group_by(column)
            .order_by(column)
        )
        into.extend(Facet(value, value, count) for value, count in rows)
    rows = await session.execute(
        select(ProfileTag.key, func.min(ProfileTag.name), func.count())
        .where(ProfileTag.kind == TagKind.SKILL, ProfileTag.user_id.in_(known))
        .group_by(ProfileTag.key)
        .order_by(func.count().desc(), ProfileTag.key)
        .limit(MAX_SKILL_FACETS)
    )
    facets.skills = sorted((Facet(key, name, count) for key, name, count in rows), key=_by_label)
    return facets


def _by_label(facet: Facet) -> str:
    return fold(facet.label)


async def tags_of(session: AsyncSession, user_ids: list[int]) -> dict[int, dict[TagKind, list]]:
    """The tags of these people (already known to the viewer), by person and
    kind, in alphabetical order: one query for a whole page of people."""
    found: dict[int, dict[TagKind, list]] = defaultdict(lambda: defaultdict(list))
    if user_ids:
        rows = await session.scalars(
            select(ProfileTag)
            .where(ProfileTag.user_id.in_(user_ids))
            .order_by(ProfileTag.user_id, ProfileTag.kind, ProfileTag.key)
        )
        for tag in rows:
            found[tag.user_id][tag.kind].append(tag)
    return found
