"""Invitations into a space: for an existing account, or for an e-mail address
with no account yet, whose acceptance creates an external account (alumni or
contractor) belonging to that one space. They expire, can be revoked, and are
used once."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_clearance_allowed, knowable_people
from app.config import Settings
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import _
from app.levels import AccountKind, Language, Level
from app.models import Invitation, InvitationStatus, Space, User
from app.models.base import utcnow
from app.models.mail import EMAIL_INVITATION_MAIL
from app.models.user import normalise_email
from app.security import hash_secret, new_secret
from app.services.accounts import create_account
from app.services.audit import record_audit
from app.services.mail.outbox import queue_mail
from app.services.memberships import (
    add_member,
    check_may_belong,
    check_writable,
    find_account_for_space,
)
from app.services.notifications import notify
from app.services.people import access_person
from app.services.ratelimit import check_rate_limit, count_hit
from app.services.spaces import access_managed_space, role_in

INVITATION_DAYS = 14
MAX_CONTRACT_DAYS = 3 * 365
INVITATIONS_PER_HOUR = 50


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    # The acceptance link of an e-mail invitation, shown to the inviter once.
    accept_url: str | None


async def invite(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    settings: Settings,
    user_id: int | None = None,
    email: str | None = None,
    external_kind: AccountKind | None = None,
    access_ends_at: datetime | None = None,
    language: Language | None = None,
    address: str | None = None,
    limited: bool = True,
) -> IssuedInvitation:
    """An invitation by ``viewer``, counted against their hourly limit — which
    stops a person sending invitations by the hundred — unless ``limited`` is
    False: an invitation that one decision sends with others (accepting an idea
    invites its supporters, app.services.ideas.projects). No route passes it.
    ``language``: that of the mail of an e-mail invitation (the inviter's by
    default), the one thing Ruche cannot know of someone with no account; an
    account's invitation is shown in its own."""
    space, _role = await access_managed_space(session, viewer=viewer, space_id=space_id)
    check_writable(space)
    if limited:
        await check_rate_limit(
            session,
            bucket="invitation",
            key=str(viewer.id),
            limit=INVITATIONS_PER_HOUR,
            window_seconds=3600,
        )
        count_hit(session, bucket="invitation", key=str(viewer.id))
    if (user_id is None) == (email is None):
        raise Invalid(_("Invite either an account or an e-mail address."), code="invalid")
    if language is not None and email is None:
        raise Invalid(
            _("An account reads its invitation in its own language."), code="language_for_account"
        )
    invitee = None
    if user_id is not None:
        invitee = await access_person(session, viewer=viewer, user_id=user_id)
        if not invitee.is_active:
            raise NotFound()
    else:
        # The address of someone the inviter may not know of is taken as a new one.
        invitee = await session.scalar(
            select(User).where(User.email == normalise_email(email), knowable_people(viewer))
        )
    await _check_not_invited_yet(session, space, invitee, email)
    secret = new_secret()
    invitation = Invitation(
        space_id=space.id,
        inviter_id=viewer.id,
        token_hash=hash_secret(secret),
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    if invitee is not None:
        if not invitee.is_active:
            raise Conflict(_("This account is deactivated."), code="account_inactive")
        check_may_belong(space, invitee)
        if await role_in(session, space_id=space.id, user_id=invitee.id) is not None:
            raise Conflict(_("Already a member of this space."), code="already_member")
        invitation.invitee_id = invitee.id
    else:
        _check_new_external(viewer, space, external_kind, access_ends_at)
        invitation.email = normalise_email(email)
        invitation.external_kind = external_kind
        invitation.access_ends_at = access_ends_at
        if external_kind is AccountKind.CONTRACTOR:
            # The invitation never outlives the access it grants: accepted after
            # that date, it would open an account until the next jobs run.
            invitation.expires_at = min(invitation.expires_at, access_ends_at)
    session.add(invitation)
    await session.flush()
    if invitee is not None:
        await notify(
            session,
            user_id=invitee.id,
            kind="invitation",
            actor_id=viewer.id,
            space_id=space.id,
            invitation_id=invitation.id,
        )
    record_audit(
        session,
        action="invitation.created",
        actor=viewer,
        target=invitee,
        address=address,
        space_id=space.id,
        invitation_id=invitation.id,
        email=invitation.email,
        external_kind=external_kind.value if external_kind else None,
    )
    accept_url = None
    if invitee is None:
        accept_url = f"{settings.public_url.rstrip('/')}/invitations/{secret}"
        # Mailed once committed (the secret kept in the outbox until then), and
        # shown to the inviter too, to hand over another way.
        queue_mail(
            session,
            kind=EMAIL_INVITATION_MAIL,
            address=invitation.email,
            invitation_id=invitation.id,
            secret=secret,
            language=(language or viewer.language).value,
        )
    return IssuedInvitation(invitation=invitation, accept_url=accept_url)


async def _check_not_invited_yet(
    session: AsyncSession, space: Space, invitee: User | None, email: str | None
) -> None:
    addressee = (
        Invitation.invitee_id == invitee.id
        if invitee is not None
        else Invitation.email == normalise_email(email)
    )
    pending = await session.scalar(
        select(Invitation.id).where(
            Invitation.space_id == space.id,
            addressee,
            Invitation.status == InvitationStatus.PENDING,
            Invitation.expires_at > utcnow(),
        )
    )
    if pending is not None:
        raise Conflict(
            _("An invitation to this space is already pending; revoke it to send another."),
            code="already_invited",
        )


def _check_new_external(
    viewer: User, space: Space, kind: AccountKind | None, access_ends_at: datetime | None
) -> None:
    if viewer.is_external:
        raise Forbidden(_("Only employees may invite new external accounts."))
    if kind is None or not kind.is_external:
        raise Invalid(
            _("An e-mail invitation creates an alumni or contractor account: choose which."),
            code="external_kind_required",
        )
    if not space.allows_externals:
        raise Invalid(
            _("This space does not accept external accounts (alumni, contractors)."),
            code="externals_not_allowed",
        )
    now = utcnow()
    if kind is AccountKind.CONTRACTOR and (access_ends_at is None or access_ends_at <= now):
        raise Invalid(
            _("A contractor's access needs an end date in the future."),
            code="access_end_required",
        )
    if access_ends_at is not None and access_ends_at <= now:
        raise Invalid(_("The end of access must be in the future."), code="access_end_required")
    if access_ends_at is not None and access_ends_at > now + timedelta(days=MAX_CONTRACT_DAYS):
        raise Invalid(
            _("A contractor's access may last three years at most."), code="access_end_too_far"
        )


async def list_space_invitations(
    session: AsyncSession, *, viewer: User, space_id: int
) -> list[Invitation]:
    await access_managed_space(session, viewer=viewer, space_id=space_id)
    return list(
        await session.scalars(
            select(Invitation)
            .where(Invitation.space_id == space_id, Invitation.status == InvitationStatus.PENDING)
            .order_by(Invitation.id.desc())
        )
    )


async def my_invitations(session: AsyncSession, *, viewer: User) -> list[tuple[Invitation, Space]]:
    rows = await session.execute(
        select(Invitation, Space)
        .join(Space, Space.id == Invitation.space_id)
        .where(
            Invitation.invitee_id == viewer.id,
            Invitation.status == InvitationStatus.PENDING,
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.id.desc())
    )
    return list(rows.all())


async def revoke_invitation(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    invitation_id: int,
    address: str | None = None,
) -> None:
    await access_managed_space(session, viewer=viewer, space_id=space_id)
    invitation = await session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id,
            Invitation.space_id == space_id,
            Invitation.status == InvitationStatus.PENDING,
        )
    )
    if invitation is None:
        raise NotFound()
    invitation.status = InvitationStatus.REVOKED
    record_audit(
        session,
        action="invitation.revoked",
        actor=viewer,
        address=address,
        target_type="invitation",
        target_id=invitation.id,
        space_id=space_id,
    )


async def _pending(session: AsyncSession, *conditions) -> Invitation:
    """A pending, unexpired invitation; NotFound for every other case alike."""
    invitation = await session.scalar(
        select(Invitation)
        .where(
            *conditions,
            Invitation.status == InvitationStatus.PENDING,
            Invitation.expires_at > utcnow(),
        )
        .with_for_update()
    )
    if invitation is None:
        raise NotFound(_("This invitation is not valid any more."), code="invitation_invalid")
    return invitation


async def answer_invitation(
    session: AsyncSession,
    *,
    viewer: User,
    invitation_id: int,
    accept: bool,
    address: str | None = None,
) -> Invitation:
    """An existing account accepts or declines an invitation addressed to it."""
    invitation = await _pending(
        session, Invitation.id == invitation_id, Invitation.invitee_id == viewer.id
    )
    space = await session.get(Space, invitation.space_id)
    if accept:
        check_writable(space)
        await add_member(session, space=space, user=viewer, actor=viewer, address=address)
    await _answered(session, invitation, space, viewer, accepted=accept, address=address)
    return invitation


async def _answered(
    session: AsyncSession,
    invitation: Invitation,
    space: Space,
    invitee: User,
    *,
    accepted: bool,
    address: str | None,
) -> None:
    """Used up either way; the inviter is told, and the audit log keeps it."""
    if accepted:
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_at = utcnow()
        invitation.invitee_id = invitee.id
    else:
        invitation.status = InvitationStatus.REVOKED
    if invitation.inviter_id:
        await notify(
            session,
            user_id=invitation.inviter_id,
            kind="invitation_answered",
            actor_id=invitee.id,
            space_id=space.id,
            accepted=accepted,
        )
    record_audit(
        session,
        action="invitation.accepted" if accepted else "invitation.declined",
        actor=invitee,
        target=invitee,
        address=address,
        space_id=space.id,
        invitation_id=invitation.id,
    )
    await session.flush()


async def preview_email_invitation(
    session: AsyncSession, *, secret: str
) -> tuple[Invitation, Space]:
    """What the acceptance page shows: the space's name and objective, nothing else."""
    invitation = await _pending(
        session, Invitation.token_hash == hash_secret(secret), Invitation.email.is_not(None)
    )
    return invitation, await session.get(Space, invitation.space_id)


async def accept_email_invitation(
    session: AsyncSession,
    *,
    secret: str,
    display_name: str,
    password: str,
    accept_charter: bool,
    address: str | None = None,
) -> User:
    """Creates the external account, in that one space, charter accepted."""
    invitation, space = await preview_email_invitation(session, secret=secret)
    if not accept_charter:
        raise Invalid(_("Accept the network's charter to join."), code="charter_not_accepted")
    check_writable(space)
    kind = invitation.external_kind
    check_clearance_allowed(kind, Level.PUBLIC)
    user = await create_account(
        session,
        email=invitation.email,
        display_name=display_name,
        password=password,
        kind=kind,
        clearance=Level.PUBLIC,
        address=address,
    )
    user.sponsor_id = invitation.inviter_id
    user.access_ends_at = invitation.access_ends_at
    user.charter_accepted_at = utcnow()
    await add_member(session, space=space, user=user, actor=user, address=address)
    await _answered(session, invitation, space, user, accepted=True, address=address)
    return user


async def invite_by_identifier(
    session: AsyncSession,
    *,
    viewer: User,
    space_id: int,
    settings: Settings,
    identifier: str,
    address: str | None = None,
) -> IssuedInvitation:
    """Invites an existing account named by e-mail or @handle."""
    user = await find_account_for_space(
        session, viewer=viewer, space_id=space_id, identifier=identifier
    )
    return await invite(
        session,
        viewer=viewer,
        space_id=space_id,
        settings=settings,
        user_id=user.id,
        address=address,
    )


async def list_pending_invitations(
    session: AsyncSession, *, viewer: User, space_id: int
) -> list[tuple[Invitation, User | None]]:
    """The space's pending invitations with the invited account, if any, for its managers."""
    await access_managed_space(session, viewer=viewer, space_id=space_id)
    rows = await session.execute(
        select(Invitation, User)
        .outerjoin(User, User.id == Invitation.invitee_id)
        .where(Invitation.space_id == space_id, Invitation.status == InvitationStatus.PENDING)
        .order_by(Invitation.id.desc())
    )
    return list(rows.all())
