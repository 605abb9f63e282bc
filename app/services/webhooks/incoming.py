"""Incoming webhooks: a secret URL through which another system (a build
server, a monitoring tool) posts into a space.

Each posts as a bot account of its own, named by the owner who made it: an
account without a password (it never signs in), flagged ``is_bot`` (shown as
a bot, left out of the directory and of mention suggestions), cleared for
exactly the hook's level and a member of its one space. Its posts go through
``publish_post`` like anyone's, so Markdown is sanitised, mentions notify
only who may read, the search index and the live stream follow, and the
policy holds (no write-up, an archived space refuses).
"""

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import check_no_write_up
from app.config import Settings
from app.errors import Conflict, NotFound
from app.i18n import _
from app.levels import AccountKind, Level
from app.models import IncomingHook, Post, User
from app.models.base import utcnow
from app.security import hash_secret, new_secret
from app.services.memberships import add_member
from app.services.posts import publish_post
from app.services.ratelimit import check_rate_limit, count_hit
from app.services.webhooks.outgoing import access_owned_space

RATE_BUCKET = "incoming_hook"
BOT_DOMAIN = "bots.invalid"


def hook_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/api/v1/hooks/{token}"


async def access_incoming(session: AsyncSession, *, viewer: User, hook_id: int) -> IncomingHook:
    hook = await session.get(IncomingHook, hook_id)
    if hook is None:
        raise NotFound()
    await access_owned_space(session, viewer=viewer, space_id=hook.space_id)
    return hook


async def list_incoming(
    session: AsyncSession, *, viewer: User, space_id: int
) -> list[tuple[IncomingHook, User]]:
    space = await access_owned_space(session, viewer=viewer, space_id=space_id)
    rows = await session.execute(
        select(IncomingHook, User)
        .join(User, User.id == IncomingHook.bot_id)
        .where(IncomingHook.space_id == space.id)
        .order_by(IncomingHook.id)
    )
    return [(hook, bot) for hook, bot in rows.all()]


async def create_incoming(
    session: AsyncSession, *, viewer: User, space_id: int, name: str, level: Level
) -> tuple[IncomingHook, str]:
    """The hook, and the secret of its URL (shown once, stored hashed)."""
    space = await access_owned_space(session, viewer=viewer, space_id=space_id)
    if space.is_archived:
        raise Conflict(_("This space is archived: it is read-only."), code="space_archived")
    check_no_write_up(viewer, level)
    serial = secrets.token_hex(6)
    now = utcnow()
    bot = User(
        email=f"bot-{serial}@{BOT_DOMAIN}",
        handle=f"bot-{serial}",
        display_name=name.strip(),
        password_hash=None,
        kind=AccountKind.EMPLOYEE,
        clearance=level,
        is_bot=True,
        charter_accepted_at=now,
        tour_seen_at=now,
    )
    session.add(bot)
    await session.flush()
    await add_member(session, space=space, user=bot, actor=viewer)
    token = new_secret()
    hook = IncomingHook(
        space_id=space.id,
        bot_id=bot.id,
        name=name.strip(),
        level=level,
        token_hash=hash_secret(token),
        created_by_id=viewer.id,
    )
    session.add(hook)
    await session.flush()
    return hook, token


async def rotate_token(
    session: AsyncSession, *, viewer: User, hook_id: int
) -> tuple[IncomingHook, str]:
    """A new URL; the old one answers 404 from now on. Whoever asks for it
    holds the secret, so answers for the hook from then on (its level must be
    one they may give), and a hook stopped when its creator left
    (``leaving.stop_hooks_of``) posts again."""
    hook = await access_incoming(session, viewer=viewer, hook_id=hook_id)
    check_no_write_up(viewer, hook.level)
    token = new_secret()
    hook.token_hash = hash_secret(token)
    hook.created_by_id = viewer.id
    bot = await session.get(User, hook.bot_id)
    bot.is_active = True
    return hook, token


async def delete_incoming(session: AsyncSession, *, viewer: User, hook_id: int) -> None:
    """Its bot stays, deactivated, as the author of what it posted."""
    hook = await access_incoming(session, viewer=viewer, hook_id=hook_id)
    bot = await session.get(User, hook.bot_id)
    bot.is_active = False
    await session.delete(hook)


async def post_through(session: AsyncSession, *, token: str, text: str, settings: Settings) -> Post:
    """Posts ``text`` (Markdown) into the hook's space as its bot, at its level.
    A token that names no hook answers as a missing page."""
    hook = await session.scalar(
        select(IncomingHook).where(IncomingHook.token_hash == hash_secret(token))
    )
    bot = await session.get(User, hook.bot_id) if hook is not None else None
    if hook is None or bot is None or not bot.is_active:
        raise NotFound()
    key = str(hook.id)
    await check_rate_limit(
        session,
        bucket=RATE_BUCKET,
        key=key,
        limit=settings.incoming_hook_posts_per_minute,
        window_seconds=60,
    )
    count_hit(session, bucket=RATE_BUCKET, key=key)
    published = await publish_post(
        session, viewer=bot, body=text, space_id=hook.space_id, level=hook.level
    )
    return published.post
