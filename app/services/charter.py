"""The network's charter: the rules an external account accepts before its first use."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_admin
from app.i18n import _
from app.models import SiteSetting, User
from app.models.base import utcnow
from app.services.audit import record_audit

CHARTER_KEY = "charter"


def default_charter() -> str:
    return _(
        "By using this network you agree to respect the confidentiality of what you "
        "read, to share nothing outside it, and to behave courteously."
    )


async def read_charter(session: AsyncSession) -> str:
    setting = await session.get(SiteSetting, CHARTER_KEY)
    return setting.value if setting else default_charter()


async def set_charter(
    session: AsyncSession, *, viewer: User, text: str, address: str | None = None
) -> str:
    check_admin(viewer)
    setting = await session.get(SiteSetting, CHARTER_KEY)
    if setting is None:
        session.add(SiteSetting(key=CHARTER_KEY, value=text, updated_by_id=viewer.id))
    else:
        setting.value = text
        setting.updated_by_id = viewer.id
    record_audit(session, action="charter.updated", actor=viewer, address=address)
    await session.flush()
    return text


def needs_charter(user: User) -> bool:
    return user.is_external and user.charter_accepted_at is None


def accept_charter(user: User) -> None:
    if user.charter_accepted_at is None:
        user.charter_accepted_at = utcnow()
