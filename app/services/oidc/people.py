"""Who a checked ID token is in Ruche: the account linked to the provider's
``sub``; else an existing account with the same, provider-verified, e-mail
(then linked); else a new account from the mapped claims (just-in-time).

Kind and clearance come from the provider's settings (its groups claim or its
defaults), never from a claim the person could write themselves.
"""

import functools
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import default_clearance, higher_level
from app.config import OidcProvider, Settings
from app.i18n import _, current_language
from app.levels import AccountKind, Level
from app.models import User
from app.models.base import utcnow
from app.models.identity import IdentityLink
from app.models.user import normalise_email
from app.services import accounts, sessions
from app.services.audit import record_audit
from app.services.oidc.protocol import SignInRefused


async def sign_in_with_claims(
    session: AsyncSession,
    *,
    settings: Settings,
    provider: OidcProvider,
    claims: dict,
    id_token: str,
    address: str | None,
    user_agent: str | None,
) -> sessions.SignedIn:
    """Opens a session for the person the provider vouches for."""
    user = await account_for_claims(session, provider=provider, claims=claims, address=address)
    signed_in = await sessions.open_session(
        session, user=user, settings=settings, address=address, user_agent=user_agent
    )
    signed_in.session.oidc_provider = provider.name
    signed_in.session.oidc_id_token = id_token
    return signed_in


async def account_for_claims(
    session: AsyncSession, *, provider: OidcProvider, claims: dict, address: str | None
) -> User:
    subject = claims["sub"]
    user = await session.scalar(
        select(User)
        .join(IdentityLink, IdentityLink.user_id == User.id)
        .where(IdentityLink.provider == provider.identity_provider, IdentityLink.subject == subject)
    )
    if user is not None:
        _check_may_sign_in(user, now=utcnow())
        return user
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SignInRefused(
            _("Your company's sign-in service gave no e-mail address for you."),
            code="no_email",
        )
    if claims.get(provider.claims.email_verified) is not True:
        raise SignInRefused(
            _(
                "Your company's sign-in service has not verified your e-mail address, "
                "so Ruche cannot tell that this account is yours. Ask your IT "
                "department to verify the address."
            ),
            code="unverified_email",
        )
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is not None:
        _check_may_sign_in(user, now=utcnow())
        await _link(session, provider=provider, subject=subject, user=user, address=address)
        return user
    if not provider.create_accounts:
        raise SignInRefused(
            _("You have no account on Ruche yet. Ask an administrator to create it."),
            code="no_account",
        )
    return await _create_account(session, provider=provider, claims=claims, address=address)


def _check_may_sign_in(user: User, *, now: datetime) -> None:
    """A deactivated account, or one whose access has ended, stays closed
    whichever way one signs in."""
    if not user.is_active or (user.access_ends_at is not None and user.access_ends_at <= now):
        raise SignInRefused(
            _("This account is closed. Ask an administrator if you need it again."),
            code="account_closed",
        )


async def _link(
    session: AsyncSession,
    *,
    provider: OidcProvider,
    subject: str,
    user: User,
    address: str | None,
    created: bool = False,
) -> None:
    taken = await session.scalar(
        select(IdentityLink.id).where(
            IdentityLink.provider == provider.identity_provider, IdentityLink.user_id == user.id
        )
    )
    if taken is not None:
        # The account is someone else's at this provider: a second person
        # bearing the address (a reused mailbox) does not get it.
        raise SignInRefused(
            _(
                "This account is already linked to another person at your "
                "company's sign-in service."
            ),
            code="linked_elsewhere",
        )
    session.add(IdentityLink(provider=provider.identity_provider, subject=subject, user_id=user.id))
    record_audit(
        session,
        action="identity.linked",
        actor=user,
        target=user,
        address=address,
        name=provider.label,
        provider=provider.identity_provider,
        subject=subject,
        created=created,
    )


def _text(claims: dict, name: str, length: int) -> str:
    value = claims.get(name) if name else None
    return value.strip()[:length] if isinstance(value, str) else ""


def kind_and_clearance(provider: OidcProvider, claims: dict) -> tuple[AccountKind, Level]:
    """By the provider's groups: a contractor group makes a contractor whatever
    else the person belongs to; the highest clearance of their groups, which an
    external never gets above public."""
    groups = claims.get(provider.claims.groups) if provider.claims.groups else None
    groups = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []
    kinds = {provider.kind_by_group[g] for g in groups if g in provider.kind_by_group}
    if AccountKind.CONTRACTOR in kinds:
        kind = AccountKind.CONTRACTOR
    elif kinds:
        kind = AccountKind.EMPLOYEE
    else:
        kind = AccountKind(provider.default_kind)
    if kind.is_external:
        return kind, default_clearance(kind)
    levels = [provider.clearance_by_group[g] for g in groups if g in provider.clearance_by_group]
    if levels:
        return kind, functools.reduce(higher_level, levels)
    return kind, provider.default_clearance or default_clearance(kind)


async def _manager(session: AsyncSession, provider: OidcProvider, claims: dict) -> int | None:
    email = _text(claims, provider.claims.manager_email, 254)
    if email:
        found = await session.scalar(select(User.id).where(User.email == normalise_email(email)))
        if found is not None:
            return found
    subject = _text(claims, provider.claims.manager_subject, 255)
    if subject:
        return await session.scalar(
            select(IdentityLink.user_id).where(
                IdentityLink.provider == provider.identity_provider,
                IdentityLink.subject == subject,
            )
        )
    return None


async def _create_account(
    session: AsyncSession, *, provider: OidcProvider, claims: dict, address: str | None
) -> User:
    kind, clearance = kind_and_clearance(provider, claims)
    email = normalise_email(claims["email"])
    user = await accounts.create_account(
        session,
        email=email,
        display_name=_text(claims, provider.claims.display_name, 120) or email.split("@")[0],
        password=None,
        kind=kind,
        clearance=clearance,
        language=current_language.get(),
        address=address,
    )
    user.department = _text(claims, provider.claims.department, 120)
    user.job_title = _text(claims, provider.claims.job_title, 120)
    user.manager_id = await _manager(session, provider, claims)
    await _link(
        session,
        provider=provider,
        subject=claims["sub"],
        user=user,
        address=address,
        created=True,
    )
    return user
