"""Sign-in, sign-out and the server-side sessions and tokens that follow.

A session or token is a random secret handed out once; the database keeps its
hash. Ending a session is deleting its row, so sign-out, deactivation and
offboarding take effect on the very next request.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import defer_write
from app.errors import Forbidden, Invalid, NotFound, SignInFailed
from app.i18n import _
from app.models import AccessToken, User, UserSession
from app.models.base import utcnow
from app.models.user import normalise_email
from app.realtime.events import record_event
from app.security import hash_secret, new_secret, verify_password
from app.services.audit import record_audit
from app.services.ratelimit import check_rate_limit, count_hit, forget_hits

TOKEN_PREFIX = "ruche_"  # noqa: S105 (a public marker)
SCOPES = ("read", "write", "admin")
# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: UserSession
    secret: str


async def sign_in(
    session: AsyncSession,
    *,
    settings: Settings,
    email: str,
    password: str,
    address: str | None,
    user_agent: str | None,
) -> SignedIn:
    """Checks the password under the limits: per account from one address, per
    account from all, per address. With local passwords off (single sign-on),
    only the break-glass administrators' addresses get that far.

    Every failure answers the same, whether the e-mail is unknown, the password
    wrong or the account deactivated.
    """
    email_key = normalise_email(email)[:254]
    if not settings.may_use_password(email_key):
        raise Forbidden(
            _(
                "Passwords are turned off: sign in with your company account "
                "(the buttons of the sign-in page)."
            ),
            code="local_passwords_off",
        )
    address_key = address or "unknown"
    from_here = ("sign_in_account_address", f"{email_key} {address_key}"[:300])
    account = ("sign_in_account", email_key)
    limits = {
        from_here: settings.sign_in_max_failures_per_account_and_address,
        account: settings.sign_in_max_failures_per_account,
        ("sign_in_address", address_key): settings.sign_in_max_failures_per_address,
    }
    for (bucket, key), limit in limits.items():
        await check_rate_limit(
            session,
            bucket=bucket,
            key=key,
            limit=limit,
            window_seconds=settings.sign_in_window_seconds,
        )
    user = await session.scalar(select(User).where(User.email == email_key))
    password_ok = verify_password(password, user.password_hash if user else None)
    if user is None or not password_ok or not user.is_active:
        for bucket, key in limits:
            count_hit(session, bucket=bucket, key=key)
        record_audit(
            session,
            action="auth.sign_in_failed",
            actor=None,
            target=user,
            address=address,
            email=email_key,
        )
        raise SignInFailed()
    for bucket, key in (from_here, account):  # the address's failures stay counted
        await forget_hits(session, bucket=bucket, key=key)
    return await open_session(
        session, user=user, settings=settings, address=address, user_agent=user_agent
    )


async def open_session(
    session: AsyncSession,
    *,
    user: User,
    settings: Settings,
    address: str | None,
    user_agent: str | None,
) -> SignedIn:
    """A new server-side session for an account whose identity is established."""
    secret = new_secret()
    now = utcnow()
    user_session = UserSession(
        token_hash=hash_secret(secret),
        user_id=user.id,
        csrf_token=new_secret(),
        last_seen_at=now,
        expires_at=now + timedelta(days=settings.session_days),
        address=address,
        user_agent=(user_agent or "")[:255],
    )
    session.add(user_session)
    user.last_seen_at = now
    record_audit(session, action="auth.sign_in", actor=user, target=user, address=address)
    await session.flush()
    return SignedIn(user=user, session=user_session, secret=secret)


async def sign_out(session: AsyncSession, *, user_session: UserSession) -> None:
    await session.execute(delete(UserSession).where(UserSession.id == user_session.id))
    # Open websockets of this session close at once.
    await record_event(
        session, kind="session.ended", user_id=user_session.user_id, session_id=user_session.id
    )


async def end_sessions(
    session: AsyncSession, *, user: User, except_session_id: int | None = None
) -> None:
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if except_session_id is not None:
        statement = statement.where(UserSession.id != except_session_id)
    await session.execute(statement)
    await record_event(
        session, kind="sessions.ended", user_id=user.id, except_session_id=except_session_id
    )


async def revoke_all_tokens(session: AsyncSession, *, user: User) -> None:
    await session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _touch(session: AsyncSession, record, user: User, now: datetime, field: str) -> None:
    """Notes the use after the request, at most every few minutes."""
    last = getattr(record, field)
    if last is None or now - last > TOUCH_INTERVAL:
        model = type(record)
        defer_write(session, update(model).where(model.id == record.id).values({field: now}))
        defer_write(session, update(User).where(User.id == user.id).values(last_seen_at=now))


async def session_for_secret(session: AsyncSession, secret: str) -> tuple[User, UserSession] | None:
    """The active account behind a session cookie, or None."""
    now = utcnow()
    row = (
        await session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == hash_secret(secret), UserSession.expires_at > now)
        )
    ).first()
    if row is None or not row.User.is_active:
        return None
    _touch(session, row.UserSession, row.User, now, "last_seen_at")
    return row.User, row.UserSession


async def token_for_secret(session: AsyncSession, secret: str) -> tuple[User, AccessToken] | None:
    """The active account behind a bearer token that is neither revoked nor expired."""
    now = utcnow()
    row = (
        await session.execute(
            select(AccessToken, User)
            .join(User, User.id == AccessToken.user_id)
            .where(AccessToken.token_hash == hash_secret(secret), AccessToken.revoked_at.is_(None))
        )
    ).first()
    if row is None or not row.User.is_active:
        return None
    token = row.AccessToken
    if token.expires_at is not None and token.expires_at <= now:
        return None
    _touch(session, token, row.User, now, "last_used_at")
    return row.User, token


async def create_token(
    session: AsyncSession,
    *,
    viewer: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    settings: Settings,
    address: str | None = None,
    within_scopes: set[str] | None = None,
) -> tuple[AccessToken, str]:
    """Returns the token and its secret, which is shown this once and never again.

    ``within_scopes``: the scopes of the token making the request, if one does; a
    token only makes tokens with fewer rights, or a read-write token of an admin
    would mint itself an admin one.
    """
    await check_rate_limit(
        session, bucket="token_create", key=str(viewer.id), limit=20, window_seconds=3600
    )
    beyond = sorted(set(scopes) - within_scopes) if within_scopes is not None else []
    if beyond:
        raise Forbidden(
            _("This token lacks the %(scope)s scope.") % {"scope": beyond[0]}, code="token_scope"
        )
    if expires_at is not None and expires_at.tzinfo is None:
        # A time without an offset is read as UTC, the zone of every time the API returns.
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid(_("The expiry date must be in the future."), code="expired")
    if "admin" in scopes and not viewer.is_admin:
        raise Invalid(
            _("Only administrators may create tokens with the admin scope."),
            code="scope_not_allowed",
        )
    secret = new_secret(TOKEN_PREFIX)
    token = AccessToken(
        user_id=viewer.id,
        name=name.strip(),
        token_hash=hash_secret(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        scopes=" ".join(sorted(set(scopes))),
        expires_at=expires_at,
    )
    session.add(token)
    count_hit(session, bucket="token_create", key=str(viewer.id))
    await session.flush()
    record_audit(
        session,
        action="token.created",
        actor=viewer,
        target_type="token",
        target_id=token.id,
        address=address,
        name=token.name,
        scopes=token.scopes,
    )
    return token, secret


async def list_tokens(session: AsyncSession, *, viewer: User) -> list[AccessToken]:
    return list(
        (
            await session.scalars(
                select(AccessToken)
                .where(AccessToken.user_id == viewer.id, AccessToken.revoked_at.is_(None))
                .order_by(AccessToken.id.desc())
            )
        ).all()
    )


async def revoke_token(
    session: AsyncSession, *, viewer: User, token_id: int, address: str | None = None
) -> None:
    token = await session.scalar(
        select(AccessToken).where(
            AccessToken.id == token_id,
            AccessToken.user_id == viewer.id,
            AccessToken.revoked_at.is_(None),
        )
    )
    if token is None:
        raise NotFound()
    token.revoked_at = utcnow()
    record_audit(
        session,
        action="token.revoked",
        actor=viewer,
        target_type="token",
        target_id=token.id,
        address=address,
    )
