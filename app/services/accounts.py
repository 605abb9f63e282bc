"""Accounts: creation, the admin's changes and each person's own settings."""

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin, check_clearance_allowed, default_clearance
from app.errors import Conflict, Invalid, NotFound, non_blank
from app.i18n import _
from app.levels import AccountKind, Language, Level, Role
from app.models import Membership, Space, SpaceRole, User
from app.models.user import normalise_email
from app.realtime.events import record_event
from app.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hash_password, verify_password
from app.services.audit import record_audit
from app.services.mail.choices import stop_mail
from app.services.sessions import end_sessions, revoke_all_tokens
from app.services.webhooks.leaving import stop_hooks_of

HANDLE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")
# The same, as the API takes it before lower-casing it (JSON Schema has no flags).
HANDLE_INPUT = r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$"


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _("The password must have at least %(n)d characters.") % {"n": MIN_PASSWORD_LENGTH},
            code="weak_password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(_("The password is too long."), code="invalid_password")


def clean_display_name(display_name: str) -> str:
    return non_blank(display_name, _("The name cannot be blank."))


async def handle_for(session: AsyncSession, email: str) -> str:
    """A free @handle derived from the e-mail's local part."""
    base = re.sub(r"[^a-z0-9_.-]", "", email.split("@", 1)[0].lower())[:32] or "user"
    if len(base) < 2:
        base = f"{base}{base}"
    taken = set(
        (await session.scalars(select(User.handle).where(User.handle.like(f"{base}%")))).all()
    )
    candidate, suffix = base, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


async def create_account(
    session: AsyncSession,
    *,
    email: str,
    display_name: str,
    password: str | None,
    kind: AccountKind = AccountKind.EMPLOYEE,
    role: Role = Role.MEMBER,
    clearance: Level | None = None,
    language: Language = Language.FR,
    handle: str | None = None,
    actor: User | None = None,
    address: str | None = None,
) -> User:
    email = normalise_email(email)
    clearance = clearance or default_clearance(kind)
    check_clearance_allowed(kind, clearance)
    if password is not None:
        check_password_strength(password)
    if await session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(_("An account with this e-mail already exists."), code="email_taken")
    if handle is None:
        handle = await handle_for(session, email)
    else:
        handle = handle.strip().lower()
        if not HANDLE_PATTERN.match(handle):
            raise Invalid(_("A handle has 2 to 40 letters, digits, dots, dashes or underscores."))
        if await session.scalar(select(User.id).where(User.handle == handle)):
            raise Conflict(_("This handle is taken."), code="handle_taken")
    user = User(
        email=email,
        handle=handle,
        display_name=clean_display_name(display_name),
        password_hash=hash_password(password) if password is not None else None,
        kind=kind,
        role=role,
        clearance=clearance,
        language=language,
        is_active=True,
    )
    session.add(user)
    await session.flush()
    record_audit(
        session,
        action="account.created",
        actor=actor,
        target=user,
        address=address,
        kind=kind.value,
        role=role.value,
        clearance=clearance.value,
    )
    return user


async def access_account(session: AsyncSession, *, viewer: User, user_id: int) -> User:
    """Admin view of one account."""
    check_admin(viewer)
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


# When a contractor's sponsor is warned (app.services.lifecycle), the page says so too.
ENDING_SOON = timedelta(days=7)


def access_end_state(user: User, *, now: datetime) -> str | None:
    """One of ended, ending_soon (within the sponsor's warning delay) or planned:
    what an administrator reads beside a contractor's end of access."""
    if user.access_ends_at is None:
        return None
    if user.access_ends_at <= now:
        return "ended"
    return "ending_soon" if user.access_ends_at <= now + ENDING_SOON else "planned"


async def list_accounts(
    session: AsyncSession, *, viewer: User, limit: int, after_id: int | None, query: str | None
) -> Sequence[User]:
    check_admin(viewer)
    statement = select(User).order_by(User.id).limit(limit)
    if after_id is not None:
        statement = statement.where(User.id > after_id)
    if query:
        query = query.lower()
        statement = statement.where(
            User.email.contains(query, autoescape=True)
            | func.lower(User.display_name).contains(query, autoescape=True)
        )
    return (await session.scalars(statement)).all()


async def update_account(
    session: AsyncSession,
    *,
    viewer: User,
    user_id: int,
    changes: dict,
    address: str | None = None,
) -> User:
    """An admin changes kind, role, clearance or active state, under the policy's
    rules. Not a webhook's bot: its hook answers for it (a bot switched on again
    here would bring back the URL of a hook stopped when its creator left)."""
    user = await access_account(session, viewer=viewer, user_id=user_id)
    if user.is_bot:
        raise Invalid(
            _("This account is an incoming webhook's bot: manage the webhook instead."),
            code="bot_account",
        )
    if user.id == viewer.id:
        _check_own_account_change(user, changes)
    kind = changes.get("kind", user.kind)
    if "kind" in changes and kind.is_external and "clearance" not in changes:
        changes["clearance"] = default_clearance(kind)
    check_clearance_allowed(kind, changes.get("clearance", user.clearance))
    before = {field: _audit_value(getattr(user, field)) for field in changes}
    for field, value in changes.items():
        setattr(user, field, value)
    after = {field: _audit_value(value) for field, value in changes.items()}
    if before != after:
        record_audit(
            session,
            action="account.updated",
            actor=viewer,
            target=user,
            address=address,
            before=before,
            after=after,
        )
    if before != after:
        # Kind, role or clearance: open websockets re-read what this person may see.
        await record_event(session, kind="account.changed", user_id=user.id)
    if "access_ends_at" in changes:
        # A new end date deserves a new warning to the sponsor.
        user.sponsor_warned_at = None
    if changes.get("is_active") is False:
        await deactivate_account(session, user=user)
    if before.get("kind") == AccountKind.EMPLOYEE.value and kind.is_external:
        await step_down_from_spaces(session, user=user, successor=viewer)
    await session.flush()
    return user


def _check_own_account_change(admin: User, changes: dict) -> None:
    """An administrator neither removes their own rights nor changes their own
    kind or clearance: another administrator does (four eyes), and nobody locks
    themself out of the screen that would undo it."""
    if changes.get("role", Role.ADMIN) is not Role.ADMIN or changes.get("is_active") is False:
        raise Conflict(_("You cannot remove your own administrator rights."), code="self_demotion")
    if changes.get("kind", admin.kind) is not admin.kind or (
        changes.get("clearance", admin.clearance) is not admin.clearance
    ):
        raise Conflict(
            _("Another administrator must change your own kind or clearance."),
            code="self_demotion",
        )


def _audit_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return getattr(value, "value", value)


async def change_password(
    session: AsyncSession,
    *,
    viewer: User,
    current_password: str,
    new_password: str,
    keep_session_id: int | None,
    address: str | None = None,
) -> None:
    """Other sessions end: a changed password is often a suspected theft."""
    if not verify_password(current_password, viewer.password_hash):
        raise Invalid(_("The current password is wrong."), code="wrong_password")
    check_password_strength(new_password)
    viewer.password_hash = hash_password(new_password)
    await end_sessions(session, user=viewer, except_session_id=keep_session_id)
    record_audit(
        session, action="account.password_changed", actor=viewer, target=viewer, address=address
    )


def change_preferences(viewer: User, *, language: Language | None, display_name: str | None):
    if language is not None:
        viewer.language = language
    if display_name is not None:
        viewer.display_name = clean_display_name(display_name)


async def deactivate_account(session: AsyncSession, *, user: User) -> None:
    user.is_active = False
    await end_access(session, user=user)


async def end_access(session: AsyncSession, *, user: User) -> None:
    """Ends every way in at once: sessions deleted, tokens revoked, open
    websockets closed; no more mail, and the webhooks they made stopped, outgoing and incoming."""
    await stop_mail(session, user=user)
    await stop_hooks_of(session, user_id=user.id)
    await end_sessions(session, user=user)
    await revoke_all_tokens(session, user=user)
    await record_event(session, kind="access.ended", user_id=user.id)


async def offboard_member(
    session: AsyncSession, *, viewer: User, user_id: int, address: str | None = None
) -> User:
    """An employee who leaves becomes alumni in one step. Nothing else needs
    cleaning: the policy is evaluated at read time, so access drops at once."""
    user = await access_account(session, viewer=viewer, user_id=user_id)
    if user.kind is not AccountKind.EMPLOYEE:
        raise Conflict(_("Only an employee can be offboarded."), code="not_employee")
    if user.id == viewer.id:
        raise Conflict(_("You cannot offboard yourself."), code="self_offboarding")
    await offboard(session, user=user, actor=viewer, successor=viewer, address=address)
    return user


async def offboard(
    session: AsyncSession,
    *,
    user: User,
    actor: User | None,
    successor: User | None,
    address: str | None = None,
    **detail,
) -> None:
    """The employee becomes alumni, whoever decides it: an administrator, or the
    identity provider through SCIM or the directory sync (``actor`` None,
    ``detail`` naming the client or the directory). ``successor`` owns the
    spaces they were the last owner of (None: nobody was found)."""
    before = {"kind": user.kind.value, "role": user.role.value, "clearance": user.clearance.value}
    user.kind = AccountKind.ALUMNI
    user.role = Role.MEMBER
    user.clearance = default_clearance(AccountKind.ALUMNI)
    user.charter_accepted_at = None
    ended = await step_down_from_spaces(session, user=user, successor=successor)
    await end_access(session, user=user)
    record_audit(
        session,
        action="account.offboarded",
        actor=actor,
        target=user,
        address=address,
        before=before,
        ended_space_ids=ended,
        **detail,
    )
    await session.flush()


async def longest_standing_admin(session: AsyncSession) -> User | None:
    """Who takes over what an offboarding decided by no one in Ruche (SCIM, the
    directory sync) leaves without an owner."""
    return await session.scalar(
        select(User).where(User.role == Role.ADMIN, User.is_active).order_by(User.id).limit(1)
    )


async def step_down_from_spaces(
    session: AsyncSession, *, user: User, successor: User | None
) -> list[int]:
    """For someone who becomes external: leaves every space that refuses
    externals, and stays a plain member of the others, never their manager.
    Where they were the last owner, the longest-standing moderator (else
    member, else ``successor``) becomes owner, so that no space is left without
    one (but for want of a successor: none was found). The hooks they made
    stop (``stop_hooks_of``): they answered for them as an owner, cleared
    above what they may now read. Returns the spaces left."""
    rows = (
        await session.execute(
            select(Membership, Space)
            .join(Space, Space.id == Membership.space_id)
            .where(Membership.user_id == user.id)
        )
    ).all()
    left = []
    for membership, space in rows:
        if membership.role is SpaceRole.OWNER:
            await _hand_over_ownership(session, space=space, leaving=user, successor=successor)
        if space.allows_externals:
            membership.role = SpaceRole.MEMBER
        else:
            await session.delete(membership)
            left.append(space.id)
    await stop_hooks_of(session, user_id=user.id)
    await session.flush()
    return left


async def _hand_over_ownership(
    session: AsyncSession, *, space: Space, leaving: User, successor: User | None
) -> None:
    # Only an active employee may manage a space: an external member stays a member.
    others = (
        await session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.space_id == space.id,
                Membership.user_id != leaving.id,
                User.is_active,
                User.kind == AccountKind.EMPLOYEE,
            )
            .order_by(Membership.created_at)
        )
    ).all()
    if any(other.role is SpaceRole.OWNER for other in others):
        return
    heir = next((m for m in others if m.role is SpaceRole.MODERATOR), None) or next(
        iter(others), None
    )
    if heir is not None:
        heir.role = SpaceRole.OWNER
        heir_id = heir.user_id
    elif successor is None:
        return
    else:
        session.add(Membership(space_id=space.id, user_id=successor.id, role=SpaceRole.OWNER))
        heir_id = successor.id
    record_audit(
        session,
        action="space.ownership_transferred",
        actor=successor,
        target_type="space",
        target_id=space.id,
        new_owner_id=heir_id,
        reason="offboarding",
    )
