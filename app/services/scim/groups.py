"""SCIM Groups, and the spaces they lead to.

A client's groups are stored with their members (accounts it provisions). An
administrator may link a group to a space with a role (member or moderator):
its members then join the space, and leave it when they leave the group, the
group is unlinked or deleted. Provisioning removes only the memberships it
granted (ScimSpaceGrant): someone who was in the space before keeps their
place, whatever the group does.
"""

from typing import Any

from scim2_models import (
    Context,
    GroupMember,
    InvalidValueException,
    NotFoundException,
)
from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin, visible_spaces
from app.errors import AppError, Invalid, NotFound
from app.i18n import _
from app.models import (
    Membership,
    ScimAccount,
    ScimClient,
    ScimGroup,
    ScimGroupMember,
    ScimSpaceGrant,
    Space,
    SpaceRole,
    User,
)
from app.models.base import utcnow
from app.services import memberships
from app.services.audit import record_audit
from app.services.scim.common import (
    Listing,
    bounded,
    check_if_match,
    list_page,
    stamped,
    validated,
    wanted_after,
)
from app.services.scim.filters import Searchable
from app.services.scim.schema import GroupResource
from app.services.spaces import access_space

# A group leads to a space as plain members or as moderators, never as owners:
# ownership is handed over by people.
LINKABLE_ROLES = (SpaceRole.MEMBER, SpaceRole.MODERATOR)


def _member_clause(op, value):
    """``members eq "12"`` / ``members.value eq "12"``: the groups that hold user 12."""
    holds = exists().where(ScimGroupMember.group_id == ScimGroup.id)
    if value is None:
        return holds
    if op.value != "eq":
        raise InvalidValueException(detail="members compares with eq.")
    number = int(value) if isinstance(value, str) and value.isdigit() else -1
    return exists().where(
        ScimGroupMember.group_id == ScimGroup.id, ScimGroupMember.user_id == number
    )


def _statement(client: ScimClient):
    statement = select(ScimGroup).where(ScimGroup.client_id == client.id)
    attributes = {
        "id": Searchable(ScimGroup.id, "id"),
        "displayname": Searchable(ScimGroup.display_name),
        "externalid": Searchable(ScimGroup.external_id, "exact"),
        "members": Searchable(None, custom=_member_clause),
        "members.value": Searchable(None, custom=_member_clause),
        "meta.created": Searchable(ScimGroup.created_at, "moment"),
        "meta.lastmodified": Searchable(ScimGroup.updated_at, "moment"),
    }
    return statement, attributes


async def _members(session: AsyncSession, group_ids: list[int]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = {group_id: [] for group_id in group_ids}
    if group_ids:
        rows = await session.execute(
            select(ScimGroupMember.group_id, User)
            .join(User, User.id == ScimGroupMember.user_id)
            .where(ScimGroupMember.group_id.in_(group_ids))
            .order_by(User.id)
        )
        for group_id, user in rows:
            found[group_id].append(user)
    return found


def _resource(base_url: str, group: ScimGroup, members: list[User]) -> GroupResource:
    resource = GroupResource(
        id=str(group.id),
        external_id=group.external_id,
        display_name=group.display_name,
        members=[
            GroupMember(value=str(user.id), ref=f"{base_url}/Users/{user.id}", type="User")
            for user in members
        ]
        or None,
    )
    return stamped(
        resource,
        created=group.created_at,
        modified=group.updated_at,
        location=f"{base_url}/Groups/{group.id}",
    )


async def list_groups(
    session: AsyncSession, *, client: ScimClient, base_url: str, request
) -> tuple[Listing, list[GroupResource]]:
    statement, attributes = _statement(client)
    listing = await list_page(
        session, statement, request=request, attributes=attributes, key=ScimGroup.id
    )
    members = await _members(session, [row[0].id for row in listing.rows])
    return listing, [_resource(base_url, row[0], members[row[0].id]) for row in listing.rows]


async def _group(session: AsyncSession, client: ScimClient, group_id: str) -> ScimGroup:
    if not group_id.isdigit() or int(group_id) > 2**62:
        raise NotFoundException()
    group = await session.scalar(
        select(ScimGroup).where(ScimGroup.id == int(group_id), ScimGroup.client_id == client.id)
    )
    if group is None:
        raise NotFoundException()
    return group


async def read_group(
    session: AsyncSession, *, client: ScimClient, base_url: str, group_id: str
) -> GroupResource:
    group = await _group(session, client, group_id)
    return _resource(base_url, group, (await _members(session, [group.id]))[group.id])


async def create_group(
    session: AsyncSession, *, client: ScimClient, base_url: str, payload: Any, address: str | None
) -> GroupResource:
    wanted = validated(GroupResource, payload, Context.RESOURCE_CREATION_REQUEST)
    group = ScimGroup(client_id=client.id, display_name="", space_role=SpaceRole.MEMBER)
    session.add(group)
    await session.flush()
    before = _resource(base_url, group, [])
    changed = await _apply(session, client, group, before, wanted)
    _audit(session, "scim.group_created", group, client, address, changed=changed)
    await session.flush()
    return await read_group(session, client=client, base_url=base_url, group_id=str(group.id))


async def change_group(
    session: AsyncSession,
    *,
    client: ScimClient,
    base_url: str,
    group_id: str,
    payload: Any,
    if_match: str | None,
    address: str | None,
    patching: bool,
) -> GroupResource:
    """PUT or PATCH: what differs from the current representation is written."""
    current = await read_group(session, client=client, base_url=base_url, group_id=group_id)
    wanted = wanted_after(GroupResource, current, payload, if_match=if_match, patching=patching)
    group = await _group(session, client, current.id)
    changed = await _apply(session, client, group, current, wanted)
    if changed:
        _audit(session, "scim.group_updated", group, client, address, changed=changed)
    await session.flush()
    return await read_group(session, client=client, base_url=base_url, group_id=current.id)


async def delete_group(
    session: AsyncSession,
    *,
    client: ScimClient,
    base_url: str,
    group_id: str,
    if_match: str | None,
    address: str | None,
) -> None:
    """The spaces it granted are left; the people stay."""
    current = await read_group(session, client=client, base_url=base_url, group_id=group_id)
    check_if_match(if_match, current)
    group = await _group(session, client, group_id)
    await session.execute(delete(ScimGroupMember).where(ScimGroupMember.group_id == group.id))
    await sync_space(session, group=group, client=client)
    await session.delete(group)
    _audit(session, "scim.group_deleted", group, client, address)
    await session.flush()


async def _apply(session, client, group, before, after) -> list[str]:
    changed = []
    if after.display_name != before.display_name:
        if not (after.display_name or "").strip():
            raise InvalidValueException(detail="displayName is required.")
        group.display_name = bounded(after.display_name, 255, "displayName")
        changed.append("displayName")
    if after.external_id != before.external_id:
        group.external_id = bounded(after.external_id, 255, "externalId")
        changed.append("externalId")
    was = {member.value for member in before.members or []}
    now = {member.value for member in after.members or []}
    if was != now:
        await _set_members(session, client, group, now)
        changed.append("members")
    if changed:
        group.updated_at = utcnow()
    return changed


async def _set_members(session, client, group, values: set[str | None]) -> None:
    ids = {int(value) for value in values if value and value.isdigit() and int(value) < 2**62}
    known = set(
        (
            await session.scalars(
                select(ScimAccount.user_id).where(
                    ScimAccount.client_id == client.id, ScimAccount.user_id.in_(ids)
                )
            )
        ).all()
    )
    if len(known) != len(values):
        raise InvalidValueException(detail="A member is no user of this client.")
    held = set(
        (
            await session.scalars(
                select(ScimGroupMember.user_id).where(ScimGroupMember.group_id == group.id)
            )
        ).all()
    )
    if held - known:
        await session.execute(
            delete(ScimGroupMember).where(
                ScimGroupMember.group_id == group.id, ScimGroupMember.user_id.in_(held - known)
            )
        )
    session.add_all(ScimGroupMember(group_id=group.id, user_id=uid) for uid in known - held)
    await session.flush()
    await sync_space(session, group=group, client=client)


async def leave_groups(session: AsyncSession, *, client: ScimClient, user: User) -> None:
    """A user the client deletes leaves its groups, and the spaces they granted."""
    held = (
        await session.scalars(
            select(ScimGroup)
            .join(ScimGroupMember, ScimGroupMember.group_id == ScimGroup.id)
            .where(ScimGroup.client_id == client.id, ScimGroupMember.user_id == user.id)
        )
    ).all()
    for group in held:
        await session.execute(
            delete(ScimGroupMember).where(
                ScimGroupMember.group_id == group.id, ScimGroupMember.user_id == user.id
            )
        )
        await sync_space(session, group=group, client=client)


def _audit(session, action: str, group: ScimGroup, client: ScimClient, address, **detail):
    record_audit(
        session,
        action=action,
        actor=None,
        target_type="scim_group",
        target_id=group.id,
        address=address,
        client=client.name,
        name=group.display_name,
        **detail,
    )


async def sync_space(session: AsyncSession, *, group: ScimGroup, client: ScimClient) -> None:
    """Makes the space memberships of a group's members what its link says:
    grants it no longer justifies are withdrawn, missing ones are made."""
    members = set(
        (
            await session.scalars(
                select(ScimGroupMember.user_id).where(ScimGroupMember.group_id == group.id)
            )
        ).all()
    )
    grants = (
        await session.scalars(select(ScimSpaceGrant).where(ScimSpaceGrant.group_id == group.id))
    ).all()
    kept = set()
    for grant in grants:
        if grant.space_id == group.space_id and grant.user_id in members:
            kept.add(grant.user_id)
        else:
            await _withdraw(session, grant, client)
    if group.space_id is None:
        return
    space = await session.get(Space, group.space_id)
    for user_id in sorted(members - kept):
        await _grant(session, group, space, await session.get(User, user_id), client)


async def _grant(session, group: ScimGroup, space: Space, user: User, client: ScimClient) -> None:
    membership = await session.get(Membership, (space.id, user.id))
    if membership is not None:
        # Someone's own place is not ours to take back later; a place another
        # group granted is shared, so that leaving one group keeps it.
        shared = await session.scalar(
            select(ScimSpaceGrant.id).where(
                ScimSpaceGrant.space_id == space.id, ScimSpaceGrant.user_id == user.id
            )
        )
        if shared is None:
            return
    elif not user.is_active:
        return
    else:
        try:
            async with session.begin_nested():
                await memberships.add_member(
                    session, space=space, user=user, role=group.space_role, actor=None
                )
        except AppError as refusal:
            # A contractor in a space closed to externals, say: provisioning
            # does not force the space's rule; the log says why.
            record_audit(
                session,
                action="scim.space_refused",
                actor=None,
                target=user,
                client=client.name,
                space_id=space.id,
                group_id=group.id,
                reason=refusal.code,
            )
            return
    session.add(ScimSpaceGrant(group_id=group.id, space_id=space.id, user_id=user.id))
    record_audit(
        session,
        action="scim.space_granted",
        actor=None,
        target=user,
        client=client.name,
        space_id=space.id,
        group_id=group.id,
    )
    await session.flush()


async def _withdraw(session, grant: ScimSpaceGrant, client: ScimClient) -> None:
    await session.delete(grant)
    await session.flush()
    other = await session.scalar(
        select(ScimSpaceGrant.id).where(
            ScimSpaceGrant.space_id == grant.space_id, ScimSpaceGrant.user_id == grant.user_id
        )
    )
    membership = await session.get(Membership, (grant.space_id, grant.user_id))
    if other is not None or membership is None or membership.role is SpaceRole.OWNER:
        return
    await memberships.end_membership(
        session,
        membership,
        actor=None,
        target=await session.get(User, grant.user_id),
        action="membership.removed",
        address=None,
        client=client.name,
        group_id=grant.group_id,
    )


# Administration: which space a group leads to.


async def linkable_spaces(session: AsyncSession, *, viewer: User) -> list[Space]:
    """The spaces an administrator may link a group to: those that exist for them."""
    check_admin(viewer)
    return list(
        (
            await session.scalars(
                select(Space).where(visible_spaces(viewer), ~Space.is_archived).order_by(Space.name)
            )
        ).all()
    )


async def list_all_groups(
    session: AsyncSession, *, viewer: User, group_id: int | None = None
) -> list[tuple[ScimGroup, str, int]]:
    """Every client's groups (or one), with the client's name and the number
    of members."""
    check_admin(viewer)
    statement = (
        select(ScimGroup, ScimClient.name, func.count(ScimGroupMember.user_id))
        .join(ScimClient, ScimClient.id == ScimGroup.client_id)
        .outerjoin(ScimGroupMember, ScimGroupMember.group_id == ScimGroup.id)
        .group_by(ScimGroup.id, ScimClient.name)
        .order_by(ScimClient.name, ScimGroup.display_name, ScimGroup.id)
    )
    if group_id is not None:
        statement = statement.where(ScimGroup.id == group_id)
    return [tuple(row) for row in await session.execute(statement)]


async def link_space(
    session: AsyncSession,
    *,
    viewer: User,
    group_id: int,
    space_id: int | None,
    role: SpaceRole,
    address: str | None = None,
) -> ScimGroup:
    """An administrator links a group to a space (or unlinks it): its members
    join or leave at once."""
    check_admin(viewer)
    group = await session.get(ScimGroup, group_id)
    if group is None:
        raise NotFound()
    if role not in LINKABLE_ROLES:
        raise Invalid(_("A group leads to a space as members or moderators."), code="invalid_role")
    if space_id is not None:
        # A space the administrator may not know of answers as one that does not exist.
        await access_space(session, viewer=viewer, space_id=space_id)
    before = {"space_id": group.space_id, "role": group.space_role.value}
    group.space_id, group.space_role = space_id, role
    client = await session.get(ScimClient, group.client_id)
    await sync_space(session, group=group, client=client)
    record_audit(
        session,
        action="scim.group_linked",
        actor=viewer,
        target_type="scim_group",
        target_id=group.id,
        address=address,
        name=group.display_name,
        before=before,
        after={"space_id": space_id, "role": role.value},
    )
    await session.flush()
    return group
