"""Who belongs to a space: joining, leaving, join requests, roles."""

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import can_read_container, check_may_hold_role, knowable_people, load_reader
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import _
from app.models import (
    Follow,
    FollowKind,
    JoinRequest,
    Membership,
    RequestStatus,
    Space,
    SpaceRole,
    User,
    Visibility,
)
from app.models.base import utcnow
from app.realtime.events import record_event
from app.services.audit import record_audit
from app.services.notifications import notify
from app.services.people import access_person
from app.services.spaces import access_managed_space, access_space, role_in
from app.services.webhooks.leaving import stop_hooks_of


async def membership_changed(
    session: AsyncSession, *, user_id: int, space_id: int, role: str | None, joined: bool = False
) -> None:
    """What this person may read changed: their open websockets reload it at once.
    ``joined``: they just joined (what a space's webhooks send as member.joined)."""
    await record_event(
        session,
        kind="membership.changed",
        user_id=user_id,
        space_id=space_id,
        role=role,
        joined=joined,
    )


def check_may_belong(space: Space, user: User) -> None:
    """Inviting an external into a space closed to externals is refused."""
    if user.is_external and not space.allows_externals:
        raise Invalid(
            _("This space does not accept external accounts (alumni, contractors)."),
            code="externals_not_allowed",
        )


def check_writable(space: Space) -> None:
    if space.is_archived:
        raise Conflict(_("This space is archived: it is read-only."), code="space_archived")


async def add_member(
    session: AsyncSession,
    *,
    space: Space,
    user: User,
    role: SpaceRole = SpaceRole.MEMBER,
    actor: User | None,
    address: str | None = None,
) -> Membership:
    check_may_belong(space, user)
    check_may_hold_role(user, role)
    if await role_in(session, space_id=space.id, user_id=user.id) is not None:
        raise Conflict(_("Already a member of this space."), code="already_member")
    membership = Membership(space_id=space.id, user_id=user.id, role=role)
    session.add(membership)
    # Joining follows: the space's posts reach the member's home feed.
    if await session.get(Follow, (user.id, FollowKind.SPACE, space.id)) is None:
        session.add(Follow(user_id=user.id, kind=FollowKind.SPACE, target_id=space.id))
    await membership_changed(
        session, user_id=user.id, space_id=space.id, role=role.value, joined=True
    )
    record_audit(
        session,
        action="membership.added",
        actor=actor,
        target=user,
        address=address,
        space_id=space.id,
        role=role.value,
    )
    await session.flush()
    return membership


async def add_member_by_manager(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    user_id: int,
    role: SpaceRole,
    address: str | None = None,
) -> tuple[Membership, User]:
    """Owners and moderators add an existing account directly; only owners name
    owners and moderators."""
    space, viewer_role = await access_managed_space(session, viewer=viewer, space_id=space_id)
    check_writable(space)
    if role is not SpaceRole.MEMBER and viewer_role is not SpaceRole.OWNER:
        raise Forbidden(_("Only an owner may change the role of owners and moderators."))
    user = await access_person(session, viewer=viewer, user_id=user_id)
    if not user.is_active:
        raise NotFound()
    membership = await add_member(
        session, space=space, user=user, role=role, actor=viewer, address=address
    )
    return membership, user


async def join_space(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    message: str = "",
    address: str | None = None,
) -> Membership | JoinRequest:
    """Employees join open spaces at once; a private space takes a request that a
    moderator decides; a secret space is by invitation only."""
    space = await access_space(session, viewer=viewer, space_id=space_id)
    check_writable(space)
    if await role_in(session, space_id=space.id, user_id=viewer.id) is not None:
        raise Conflict(_("Already a member of this space."), code="already_member")
    if viewer.is_external or space.visibility is Visibility.SECRET:
        raise Forbidden(_("This space is open by invitation only."), code="invitation_only")
    if space.visibility is Visibility.OPEN:
        return await add_member(session, space=space, user=viewer, actor=viewer, address=address)
    pending = await session.scalar(
        select(JoinRequest).where(
            JoinRequest.space_id == space.id,
            JoinRequest.user_id == viewer.id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )
    if pending is not None:
        return pending
    request = JoinRequest(space_id=space.id, user_id=viewer.id, message=message.strip())
    session.add(request)
    await session.flush()
    for manager_id in await _manager_ids(session, space.id):
        await notify(
            session,
            user_id=manager_id,
            kind="join_request",
            actor_id=viewer.id,
            space_id=space.id,
            request_id=request.id,
        )
    return request


async def _manager_ids(session: AsyncSession, space_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(Membership.user_id).where(
                Membership.space_id == space_id,
                Membership.role.in_([SpaceRole.OWNER, SpaceRole.MODERATOR]),
            )
        )
    )


async def list_join_requests(
    session: AsyncSession, *, viewer: User, space_id: int
) -> list[tuple[JoinRequest, User]]:
    await access_managed_space(session, viewer=viewer, space_id=space_id)
    rows = await session.execute(
        select(JoinRequest, User)
        .join(User, User.id == JoinRequest.user_id)
        .where(JoinRequest.space_id == space_id, JoinRequest.status == RequestStatus.PENDING)
        .order_by(JoinRequest.id)
    )
    return list(rows.all())


async def decide_join_request(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    request_id: int,
    approve: bool,
    address: str | None = None,
) -> JoinRequest:
    space, _role = await access_managed_space(session, viewer=viewer, space_id=space_id)
    request = await session.scalar(
        select(JoinRequest).where(
            JoinRequest.id == request_id,
            JoinRequest.space_id == space.id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )
    if request is None:
        raise NotFound()
    requester = await session.get(User, request.user_id)
    if approve:
        check_writable(space)
        if await role_in(session, space_id=space.id, user_id=requester.id) is None:
            await add_member(session, space=space, user=requester, actor=viewer, address=address)
    request.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    request.decided_by_id = viewer.id
    request.decided_at = utcnow()
    await notify(
        session,
        user_id=requester.id,
        kind="join_request_decided",
        space_id=space.id,
        approved=approve,
    )
    await session.flush()
    return request


async def list_members(
    session: AsyncSession, *, viewer: User, space_id: int, limit: int, after_id: int | None
) -> list[tuple[Membership, User]]:
    """Members are shown to those who may read the space's content."""
    space = await access_space(session, viewer=viewer, space_id=space_id)
    reader = await load_reader(session, viewer)
    if not can_read_container(reader, space.id, space.visibility):
        raise Forbidden(_("Only members see who belongs to this space."), code="not_member")
    statement = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.space_id == space.id)
        .order_by(User.id)
        .limit(limit)
    )
    if after_id is not None:
        statement = statement.where(User.id > after_id)
    return list((await session.execute(statement)).all())


async def _owner_count(session: AsyncSession, space_id: int) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.space_id == space_id, Membership.role == SpaceRole.OWNER)
    )


async def _check_not_last_owner(session: AsyncSession, membership: Membership) -> None:
    if membership.role is SpaceRole.OWNER and await _owner_count(session, membership.space_id) <= 1:
        raise Conflict(
            _("A space always keeps at least one owner: name another owner first."),
            code="last_owner",
        )


async def _membership(session: AsyncSession, space_id: int, user_id: int) -> Membership:
    membership = await session.get(Membership, (space_id, user_id))
    if membership is None:
        raise NotFound()
    return membership


async def leave_space(
    session: AsyncSession, *, viewer: User, space_id: int, address: str | None = None
) -> None:
    space = await access_space(session, viewer=viewer, space_id=space_id)
    membership = await _membership(session, space.id, viewer.id)
    await end_membership(
        session, membership, actor=viewer, target=viewer, action="membership.left", address=address
    )


async def remove_member(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    user_id: int,
    address: str | None = None,
) -> None:
    space, viewer_role = await access_managed_space(session, viewer=viewer, space_id=space_id)
    membership = await _membership(session, space.id, user_id)
    if membership.role is SpaceRole.OWNER and viewer_role is not SpaceRole.OWNER:
        raise Forbidden(_("Only an owner may remove another owner."))
    await end_membership(
        session,
        membership,
        actor=viewer,
        target=await session.get(User, user_id),
        action="membership.removed",
        address=address,
    )


async def end_membership(
    session: AsyncSession,
    membership: Membership,
    *,
    actor: User | None,
    target: User,
    action: str,
    address: str | None,
    **detail,
) -> None:
    """Leaving also stops following (the space's posts leave the home feed)
    and the space's hooks the leaver made (``stop_hooks_of``). ``actor``
    None: provisioning ended it (``detail`` says which client)."""
    await _check_not_last_owner(session, membership)
    await session.delete(membership)
    stopped = await stop_hooks_of(session, user_id=membership.user_id, space_id=membership.space_id)
    await membership_changed(
        session, user_id=membership.user_id, space_id=membership.space_id, role=None
    )
    await session.execute(
        delete(Follow).where(
            Follow.user_id == membership.user_id,
            Follow.kind == FollowKind.SPACE,
            Follow.target_id == membership.space_id,
        )
    )
    record_audit(
        session,
        action=action,
        actor=actor,
        target=target,
        address=address,
        space_id=membership.space_id,
        **stopped,
        **detail,
    )
    await session.flush()


async def change_role(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    user_id: int,
    role: SpaceRole,
    address: str | None = None,
) -> tuple[Membership, User]:
    """Moderators manage members; only owners name or demote owners and moderators."""
    space, viewer_role = await access_managed_space(session, viewer=viewer, space_id=space_id)
    membership = await _membership(session, space.id, user_id)
    if viewer_role is not SpaceRole.OWNER and (
        role is not SpaceRole.MEMBER or membership.role is not SpaceRole.MEMBER
    ):
        raise Forbidden(_("Only an owner may change the role of owners and moderators."))
    target = await session.get(User, user_id)
    check_may_hold_role(target, role)
    if role is not SpaceRole.OWNER:
        await _check_not_last_owner(session, membership)
    before = membership.role
    membership.role = role
    await membership_changed(session, user_id=user_id, space_id=space.id, role=role.value)
    if before is not role:
        record_audit(
            session,
            action="membership.role_changed",
            actor=viewer,
            target=target,
            address=address,
            space_id=space.id,
            before=before.value,
            after=role.value,
        )
    await session.flush()
    return membership, target


async def transfer_ownership(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    user_id: int,
    address: str | None = None,
) -> None:
    """The new owner takes over; the previous one stays as a moderator."""
    space, viewer_role = await access_managed_space(session, viewer=viewer, space_id=space_id)
    if viewer_role is not SpaceRole.OWNER:
        raise Forbidden(_("Only an owner may transfer ownership."))
    new_owner = await _membership(session, space.id, user_id)
    target = await session.get(User, user_id)
    check_may_hold_role(target, SpaceRole.OWNER)
    new_owner.role = SpaceRole.OWNER
    if user_id != viewer.id:
        (await _membership(session, space.id, viewer.id)).role = SpaceRole.MODERATOR
    record_audit(
        session,
        action="space.ownership_transferred",
        actor=viewer,
        target=target,
        address=address,
        space_id=space.id,
    )
    await session.flush()


async def find_account_for_space(
    session: AsyncSession, *, viewer: User, space_id: int, identifier: str
) -> User:
    """The active account an owner or moderator names by e-mail or @handle, to add
    or invite it. The manager check comes first: others learn nothing of accounts."""
    await access_managed_space(session, viewer=viewer, space_id=space_id)
    wanted = identifier.strip().removeprefix("@").lower()
    column = User.email if "@" in wanted else User.handle
    user = await session.scalar(
        select(User).where(column == wanted, User.is_active.is_(True), knowable_people(viewer))
    )
    if not wanted or user is None:
        raise Invalid(
            _("No active account has this e-mail address or handle."), code="unknown_account"
        )
    return user


async def add_member_by_identifier(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    identifier: str,
    role: SpaceRole = SpaceRole.MEMBER,
    address: str | None = None,
) -> tuple[Membership, User]:
    """What the members page's "add a member" form does: by e-mail or @handle."""
    user = await find_account_for_space(
        session, viewer=viewer, space_id=space_id, identifier=identifier
    )
    return await add_member_by_manager(
        session, viewer=viewer, space_id=space_id, user_id=user.id, role=role, address=address
    )


async def requested_space_ids(session: AsyncSession, *, viewer: User) -> set[int]:
    """Spaces the viewer has asked to join and awaits an answer from."""
    return set(
        await session.scalars(
            select(JoinRequest.space_id).where(
                JoinRequest.user_id == viewer.id, JoinRequest.status == RequestStatus.PENDING
            )
        )
    )
