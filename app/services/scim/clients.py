"""SCIM clients: the identity providers an administrator lets provision accounts.

Each has one bearer token, shown once and stored as its SHA-256 like a personal
token, but in a table of its own: it belongs to no person (offboarding the
administrator who made it stops nothing), it carries the client's name (the
IdentityLink provider ``scim:<name>``) and the kind of the accounts it
creates, and it opens /scim/v2 only, where a personal token opens nothing.
"""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin
from app.db import defer_write
from app.errors import Conflict, Invalid, NotFound, non_blank
from app.i18n import _
from app.levels import AccountKind
from app.models import ScimClient, User
from app.models.base import utcnow
from app.security import hash_secret, new_secret
from app.services.accounts import longest_standing_admin
from app.services.audit import record_audit

TOKEN_PREFIX = "ruche_scim_"  # noqa: S105 (a public marker)
# Provisioning never makes alumni: an alumnus is someone who left.
PROVISIONED_KINDS = (AccountKind.EMPLOYEE, AccountKind.CONTRACTOR)
# last_used_at is written at most this often.
TOUCH_INTERVAL = timedelta(minutes=5)


def provider_name(client: ScimClient) -> str:
    """The IdentityLink provider under which this client's externalIds are kept."""
    return f"scim:{client.name}"


async def create_client(
    session: AsyncSession,
    *,
    viewer: User,
    name: str,
    default_kind: AccountKind,
    address: str | None = None,
) -> tuple[ScimClient, str]:
    """Returns the client and its token, which is shown this once."""
    check_admin(viewer)
    name = non_blank(name, _("The name cannot be blank."))
    if default_kind not in PROVISIONED_KINDS:
        raise Invalid(_("Provisioned accounts are employees or contractors."), code="invalid_kind")
    if await session.scalar(select(ScimClient.id).where(ScimClient.name == name)):
        raise Conflict(_("A SCIM client already has this name."), code="scim_client_taken")
    secret = new_secret(TOKEN_PREFIX)
    client = ScimClient(
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        default_kind=default_kind,
        created_by_id=viewer.id,
    )
    session.add(client)
    await session.flush()
    record_audit(
        session,
        action="scim.client_created",
        actor=viewer,
        target_type="scim_client",
        target_id=client.id,
        address=address,
        name=name,
        default_kind=default_kind.value,
    )
    return client, secret


async def list_clients(session: AsyncSession, *, viewer: User) -> list[ScimClient]:
    check_admin(viewer)
    return list(
        (
            await session.scalars(
                select(ScimClient).where(ScimClient.revoked_at.is_(None)).order_by(ScimClient.name)
            )
        ).all()
    )


async def revoke_client(
    session: AsyncSession, *, viewer: User, client_id: int, address: str | None = None
) -> None:
    """The token stops at once. The accounts it provisioned, their links and its
    groups stay as they are (nothing is offboarded); its name stays taken, so
    that no other client inherits its links. To change a token, rotate it."""
    client = await _active_client(session, viewer=viewer, client_id=client_id)
    client.revoked_at = utcnow()
    record_audit(
        session,
        action="scim.client_revoked",
        actor=viewer,
        target_type="scim_client",
        target_id=client.id,
        address=address,
        name=client.name,
    )


async def rotate_token(
    session: AsyncSession, *, viewer: User, client_id: int, address: str | None = None
) -> tuple[ScimClient, str]:
    """A new token for the same client; the old one stops at once."""
    client = await _active_client(session, viewer=viewer, client_id=client_id)
    secret = new_secret(TOKEN_PREFIX)
    client.token_hash = hash_secret(secret)
    client.prefix = secret[: len(TOKEN_PREFIX) + 4]
    record_audit(
        session,
        action="scim.token_rotated",
        actor=viewer,
        target_type="scim_client",
        target_id=client.id,
        address=address,
        name=client.name,
    )
    await session.flush()
    return client, secret


async def _active_client(session: AsyncSession, *, viewer: User, client_id: int) -> ScimClient:
    check_admin(viewer)
    client = await session.scalar(
        select(ScimClient).where(ScimClient.id == client_id, ScimClient.revoked_at.is_(None))
    )
    if client is None:
        raise NotFound()
    return client


async def client_for_secret(session: AsyncSession, secret: str) -> ScimClient | None:
    """The client behind a bearer token, unless revoked."""
    client = await session.scalar(
        select(ScimClient).where(
            ScimClient.token_hash == hash_secret(secret), ScimClient.revoked_at.is_(None)
        )
    )
    if client is None:
        return None
    now = utcnow()
    if client.last_used_at is None or now - client.last_used_at > TOUCH_INTERVAL:
        defer_write(
            session, update(ScimClient).where(ScimClient.id == client.id).values(last_used_at=now)
        )
    return client


async def steward(session: AsyncSession, client: ScimClient) -> User:
    """Who inherits a space an offboarded person was the last owner of: the
    administrator who created the client, else the longest-standing one."""
    creator = await session.get(User, client.created_by_id) if client.created_by_id else None
    if creator is not None and creator.is_active and creator.is_admin:
        return creator
    admin = await longest_standing_admin(session)
    if admin is None:
        raise Conflict(_("No administrator is left to take over."), code="no_administrator")
    return admin
