"""Spaces: creation, the directory, settings and archiving."""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import (
    Reader,
    can_read_container,
    check_no_write_up,
    load_reader,
    readable_spaces,
    visible_spaces,
)
from app.db import serialise_on
from app.errors import Conflict, Forbidden, NotFound, non_blank
from app.i18n import _
from app.levels import AccountKind, Level
from app.models import Membership, Space, SpaceKind, SpaceRole, User, Visibility
from app.realtime.events import record_event
from app.services.audit import record_audit

# The settings that are free text, trimmed when saved.
SPACE_TEXTS = frozenset({"name", "objective", "description"})


def slugify(name: str) -> str:
    """The Latin letters and digits of a name, joined by hyphens ("" when it has none)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")


async def claim_space_slug(session: AsyncSession, *, viewer: User, space: Space) -> None:
    """Gives ``space`` (flushed) the slug of its name, at creation and at each
    rename, so that a slug never keeps a former name: 409 name_taken when
    another space the viewer may see already bears it. A space they may not see
    does not count (nor give theirs a ``-2``): slugs are not unique, and a
    link's space slug names the space its reader sees (the oldest, if they see
    two). A name without a Latin letter gets ``espace-<id>``, from the space's
    own id. Writers of one slug wait for each other, so that of two spaces
    named alike at once, one is refused."""
    slug = slugify(space.name) or f"espace-{space.id}"
    await serialise_on(session, f"space-slug:{slug}")
    holder = await session.scalar(
        select(Space.id)
        .where(Space.slug == slug, Space.id != space.id, visible_spaces(viewer))
        .order_by(Space.id)
    )
    if holder is not None:
        raise Conflict(
            _("A space with this name already exists."), code="name_taken", space_id=holder
        )
    space.slug = slug


@dataclass(frozen=True)
class SpaceView:
    """A space as one viewer sees it: with their role and what they may do."""

    space: Space
    role: SpaceRole | None
    member_count: int
    can_read_content: bool

    @property
    def can_manage(self) -> bool:
        return self.role is not None and self.role.manages


async def role_in(session: AsyncSession, *, space_id: int, user_id: int) -> SpaceRole | None:
    return await session.scalar(
        select(Membership.role).where(
            Membership.space_id == space_id, Membership.user_id == user_id
        )
    )


async def access_space(session: AsyncSession, *, viewer: User, space_id: int) -> Space:
    """The space if it exists for the viewer; NotFound otherwise, whichever it is."""
    space = await session.scalar(select(Space).where(Space.id == space_id, visible_spaces(viewer)))
    if space is None:
        raise NotFound()
    return space


async def view_space(session: AsyncSession, *, viewer: User, space_id: int) -> SpaceView:
    space = await access_space(session, viewer=viewer, space_id=space_id)
    reader = await load_reader(session, viewer)
    return await _view(session, reader, space)


async def _view(session: AsyncSession, reader: Reader, space: Space) -> SpaceView:
    role = await role_in(session, space_id=space.id, user_id=reader.user_id)
    count = await session.scalar(
        select(func.count()).select_from(Membership).where(Membership.space_id == space.id)
    )
    return SpaceView(
        space=space,
        role=role,
        member_count=count or 0,
        can_read_content=can_read_container(reader, space.id, space.visibility),
    )


async def readable_space_visibilities(
    session: AsyncSession, *, viewer: User, space_ids: set[int]
) -> dict[int, Visibility]:
    """Those of ``space_ids`` whose content the viewer may read, with their
    visibility (what the live feed re-checks them with)."""
    if not space_ids:
        return {}
    return dict(
        (
            await session.execute(
                select(Space.id, Space.visibility).where(
                    Space.id.in_(space_ids), readable_spaces(viewer)
                )
            )
        ).all()
    )


async def access_managed_space(
    session: AsyncSession, *, viewer: User, space_id: int
) -> tuple[Space, SpaceRole]:
    """For actions of owners and moderators: 404 when the space is invisible,
    403 when it is visible but the viewer does not manage it."""
    space = await access_space(session, viewer=viewer, space_id=space_id)
    role = await role_in(session, space_id=space.id, user_id=viewer.id)
    # An external made a manager before externals could not be (see
    # access.check_may_hold_role) manages nothing.
    if role is None or not role.manages or viewer.is_external:
        raise Forbidden(_("Only the space's owners and moderators may do this."))
    return space, role


def may_create_space(viewer: User) -> bool:
    """Any employee may create a space; externals (alumni, contractors) belong
    to the spaces they are invited to and create none."""
    return not viewer.is_external


async def create_space(
    session: AsyncSession,
    *,
    viewer: User,
    name: str,
    objective: str,
    kind: SpaceKind,
    visibility: Visibility,
    description: str = "",
    allows_externals: bool = False,
    default_level: Level = Level.INTERNAL,
    address: str | None = None,
) -> Space:
    """Any employee may create a space and becomes its owner."""
    if not may_create_space(viewer):
        raise Forbidden(_("External accounts cannot create spaces."), code="external")
    check_no_write_up(viewer, default_level)
    space = Space(
        slug="",
        name=non_blank(name, _("The name cannot be blank.")),
        objective=non_blank(objective, _("State the space's objective.")),
        description=description.strip(),
        kind=kind,
        visibility=visibility,
        allows_externals=allows_externals,
        default_level=default_level,
        created_by_id=viewer.id,
    )
    session.add(space)
    await session.flush()
    await claim_space_slug(session, viewer=viewer, space=space)
    session.add(Membership(space_id=space.id, user_id=viewer.id, role=SpaceRole.OWNER))
    record_audit(
        session,
        action="space.created",
        actor=viewer,
        target_type="space",
        target_id=space.id,
        address=address,
        visibility=visibility.value,
    )
    await session.flush()
    return space


async def list_spaces(
    session: AsyncSession,
    *,
    viewer: User,
    limit: int,
    after: tuple[str, int] | None,
    kind: SpaceKind | None = None,
    query: str | None = None,
    mine: bool = False,
    include_archived: bool = True,
) -> list[Space]:
    """The directory, by name: employees see open and private spaces and the
    secret ones they belong to; externals only their own."""
    statement = select(Space).where(visible_spaces(viewer)).order_by(Space.name, Space.id)
    if kind is not None:
        statement = statement.where(Space.kind == kind)
    if query:
        query = query.strip().lower()
        statement = statement.where(
            or_(
                func.lower(Space.name).contains(query, autoescape=True),
                func.lower(Space.objective).contains(query, autoescape=True),
            )
        )
    if mine:
        statement = statement.where(
            Space.id.in_(select(Membership.space_id).where(Membership.user_id == viewer.id))
        )
    if not include_archived:
        statement = statement.where(Space.is_archived.is_(False))
    if after is not None:
        name, space_id = after
        statement = statement.where(
            or_(Space.name > name, and_(Space.name == name, Space.id > space_id))
        )
    return list((await session.scalars(statement.limit(limit))).all())


async def roles_of(session: AsyncSession, *, viewer: User, space_ids: list[int]):
    rows = await session.execute(
        select(Membership.space_id, Membership.role).where(
            Membership.user_id == viewer.id, Membership.space_id.in_(space_ids)
        )
    )
    return dict(rows.all())


async def update_space(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    changes: dict,
    address: str | None = None,
) -> Space:
    space, _role = await access_managed_space(session, viewer=viewer, space_id=space_id)
    archived = changes.pop("is_archived", space.is_archived)
    was_archived = space.is_archived
    if space.is_archived and archived and changes:
        raise Conflict(_("This space is archived: it is read-only."), code="space_archived")
    if "default_level" in changes:
        check_no_write_up(viewer, changes["default_level"])
    if changes.get("allows_externals") is False and await _has_external_members(session, space):
        raise Conflict(
            _("Remove the external members before closing the space to externals."),
            code="externals_present",
        )
    before = {field: getattr(space, field) for field in changes}
    for field in ("name", "objective"):
        if field in changes:
            changes[field] = non_blank(changes[field], _("This field cannot be blank."))
    for field, value in changes.items():
        # Only the texts are trimmed: levels and kinds are str enums too, and a
        # stripped one is a plain str that breaks the `is` comparison below.
        setattr(space, field, value.strip() if field in SPACE_TEXTS else value)
    if "name" in changes and space.name != before["name"]:
        await claim_space_slug(session, viewer=viewer, space=space)
    if "visibility" in changes and before["visibility"] is not space.visibility:
        record_audit(
            session,
            action="space.visibility_changed",
            actor=viewer,
            target_type="space",
            target_id=space.id,
            address=address,
            before=before["visibility"].value,
            after=space.visibility.value,
        )
    if archived != space.is_archived:
        # Archiving makes a finished project read-only; it stays readable and searchable.
        space.is_archived = archived
        record_audit(
            session,
            action="space.archived" if archived else "space.unarchived",
            actor=viewer,
            target_type="space",
            target_id=space.id,
            address=address,
        )
    await session.flush()
    if changes or archived != was_archived:
        await record_event(session, kind="space.changed", space_id=space.id, fields=sorted(changes))
    return space


async def _has_external_members(session: AsyncSession, space: Space) -> bool:
    return bool(
        await session.scalar(
            select(func.count())
            .select_from(Membership)
            .join(User, User.id == Membership.user_id)
            .where(Membership.space_id == space.id, User.kind != AccountKind.EMPLOYEE)
        )
    )
