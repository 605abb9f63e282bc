"""What the single sign-on administration page shows (docs/sso.md): each
configured provider with the redirect URI to register for it, how many
accounts are linked to it, and its latest sign-in still known."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin
from app.config import OidcProvider, Settings
from app.models import User, UserSession
from app.models.identity import IdentityLink
from app.services.oidc.protocol import callback_url


@dataclass(frozen=True)
class ProviderStatus:
    provider: OidcProvider
    redirect_uri: str
    linked: int
    # The newest session opened through it that is still open: sessions end at
    # sign-out, so an older sign-in is in the audit log only (not by provider).
    last_sign_in: datetime | None


async def sso_overview(
    session: AsyncSession, *, viewer: User, settings: Settings
) -> list[ProviderStatus]:
    """One grouped count over identity links and one over sessions, whatever
    the number of providers."""
    check_admin(viewer)
    providers = settings.oidc_providers
    if not providers:
        return []
    linked = dict(
        (
            await session.execute(
                select(IdentityLink.provider, func.count())
                .where(IdentityLink.provider.in_([p.identity_provider for p in providers]))
                .group_by(IdentityLink.provider)
            )
        ).all()
    )
    latest = dict(
        (
            await session.execute(
                select(UserSession.oidc_provider, func.max(UserSession.created_at))
                .where(UserSession.oidc_provider.in_([p.name for p in providers]))
                .group_by(UserSession.oidc_provider)
            )
        ).all()
    )
    return [
        ProviderStatus(
            provider=provider,
            redirect_uri=callback_url(settings, provider),
            linked=linked.get(provider.identity_provider, 0),
            last_sign_in=latest.get(provider.name),
        )
        for provider in providers
    ]
