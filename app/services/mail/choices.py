"""Each person's mail choices besides the channel of each notification kind
(app/services/notifications.py): their digest, the one-click unsubscribe
links a mail carries, and the end of all mail when their access ends."""

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import NotFound
from app.models import Digest, MailSettings, User
from app.models.mail import DIGEST_MAIL
from app.services.mail.outbox import drop_pending_mail
from app.services.notifications import KINDS, Channel, channels, set_channels, stop_mailing

UNSUBSCRIBE_SALT = "ruche.mail.unsubscribe"


async def digest_of(session: AsyncSession, *, user_id: int) -> Digest:
    row = await session.get(MailSettings, user_id)
    return Digest(row.digest) if row is not None else Digest.NONE


async def set_digest(session: AsyncSession, *, user_id: int, digest: Digest) -> Digest:
    row = await session.get(MailSettings, user_id)
    if row is None:
        session.add(MailSettings(user_id=user_id, digest=digest.value))
    else:
        row.digest = digest.value
    await session.flush()
    return digest


async def stop_mail(session: AsyncSession, *, user: User) -> None:
    """A person deactivated or offboarded is sent nothing more: what is queued
    is dropped, and every choice of mail is set to none (a reactivated
    account chooses again)."""
    await drop_pending_mail(session, user_id=user.id)
    await stop_mailing(session, user_id=user.id)
    await set_digest(session, user_id=user.id, digest=Digest.NONE)


# --- one-click unsubscribe (RFC 8058) ------------------------------------------------


def unsubscribe_token(settings: Settings, *, user_id: int, scope: str) -> str:
    """Signed, so that a link unsubscribes only its own person from its own
    kind (or digest); it needs no session, as a mail client posts it."""
    serializer = URLSafeSerializer(settings.resolved_secret_key, salt=UNSUBSCRIBE_SALT)
    return serializer.dumps([user_id, scope])


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[int, str] | None:
    serializer = URLSafeSerializer(settings.resolved_secret_key, salt=UNSUBSCRIBE_SALT)
    try:
        user_id, scope = serializer.loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or scope not in (*KINDS, DIGEST_MAIL):
        return None
    return user_id, scope


async def unsubscribe(session: AsyncSession, *, user: User, scope: str) -> None:
    """No more mail of this kind (the app keeps showing it) or no digest."""
    if scope == DIGEST_MAIL:
        await set_digest(session, user_id=user.id, digest=Digest.NONE)
        return
    current = (await channels(session, viewer=user))[scope]
    kept = Channel.APP if current.in_app else Channel.NONE
    await set_channels(session, viewer=user, changes={scope: kept})


async def access_unsubscribe(
    session: AsyncSession, *, settings: Settings, token: str
) -> tuple[User, str]:
    """The person and the kind (or digest) a link of theirs names; NotFound for
    a link not signed by Ruche, as for an account gone."""
    found = read_unsubscribe_token(settings, token)
    user = await session.get(User, found[0]) if found else None
    if user is None:
        raise NotFound()
    return user, found[1]
