"""Under which names the company's identity systems know one person: the rows
of ``identity_links`` (app/models/identity.py) that OpenID Connect sign-in, the
directory sync and SCIM provisioning write, read for the account's
administration page (docs/identity.md)."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin
from app.models import User
from app.models.identity import IdentityLink


async def links_of(session: AsyncSession, *, viewer: User, user_id: int) -> Sequence[IdentityLink]:
    """The person's identity links, oldest first; administrators only (a
    subject is the key another system holds to the account)."""
    check_admin(viewer)
    return (
        await session.scalars(
            select(IdentityLink).where(IdentityLink.user_id == user_id).order_by(IdentityLink.id)
        )
    ).all()
