"""Each mail written when it is sent, in its reader's language, from what the
policy lets them read at that moment: a notification whose post they may no
longer read, a digest's posts above their clearance, an invitation revoked —
none of it is written. Plain text and HTML from the same templates' context."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import TEMPLATES_DIR, Settings
from app.dates import format_day, format_moment
from app.i18n import _, current_language, gettext, ngettext
from app.levels import Language, Level
from app.markdown import plain_text, with_site_links
from app.models import Comment, Invitation, InvitationStatus, OutboxMail, Post, Space, User
from app.models.base import utcnow
from app.models.mail import DIGEST_MAIL, EMAIL_INVITATION_MAIL
from app.services import notifications
from app.services.mail.choices import unsubscribe_token
from app.services.mail.digests import digest_contents

# The sentence and link of a notification are the notifications page's own
# (one wording in the app and in mail); that module renders, it queries nothing.
from app.services.notices import describe
from app.services.wiki.links import page_path

SUBJECT_LENGTH = 150


@cache
def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    return env


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    token = current_language.set(language)
    try:
        yield
    finally:
        current_language.reset(token)


@dataclass(frozen=True)
class Addressee:
    address: str
    name: str
    language: Language


class MailWriter:
    """Writes the messages of one delivery round."""

    def __init__(self, session: AsyncSession, settings: Settings):
        self.session = session
        self.settings = settings
        self.base = settings.public_url.rstrip("/")
        self.domain = urlsplit(self.base).hostname or "ruche.invalid"

    async def write(self, mail: OutboxMail) -> EmailMessage | None:
        """The message, or None when nothing may be sent any more."""
        if mail.kind == EMAIL_INVITATION_MAIL:
            return await self._invitation(mail)
        user = await self.session.get(User, mail.user_id) if mail.user_id else None
        if user is None or not user.is_active:
            return None
        if mail.kind == DIGEST_MAIL:
            return await self._digest(mail, user)
        return await self._notification(mail, user)

    # --- the kinds of mail ---------------------------------------------------------

    async def _notification(self, mail: OutboxMail, user: User) -> EmailMessage | None:
        if mail.notification_id is None:
            return None
        shown = await notifications.shown_notification(
            self.session, viewer=user, notification_id=mail.notification_id
        )
        if shown is None:
            return None
        with speaking(user.language):
            notice = describe(shown)
            content = await self._content(shown.post_id, shown.data.get("comment_id"))
            message = self._message(
                Addressee(user.email, user.display_name, user.language),
                subject=notice.text,
                template="mail/notification",
                context={
                    "sentence": notice.text,
                    "link": self.base + (notice.link or "/notifications"),
                    "content": content,
                },
                unsubscribe=(user.id, mail.kind),
            )
        if shown.post_id is not None:
            # Every mail about one post names the post as its thread's root.
            root = f"<post-{shown.post_id}@{self.domain}>"
            message["In-Reply-To"] = root
            message["References"] = root
        return message

    def _words(self, level: Level, source: Post | Comment) -> "Content | None":
        """The words of a post or comment, only when they may leave the
        company's servers: public, or RUCHE_MAIL_INCLUDES_CONTENT set."""
        if level is not Level.PUBLIC and not self.settings.mail_includes_content:
            return None
        return Content(
            body_html=with_site_links(source.body_html, self.base), text=plain_text(source.body)
        )

    async def _content(self, post_id: int | None, comment_id) -> "Content | None":
        """The words the notification is about (its comment's, if any). The
        notification was just found readable, so its post is; a comment
        has its post's level."""
        post = await self.session.get(Post, post_id) if post_id is not None else None
        if post is None or post.deleted_at is not None:
            return None
        if not isinstance(comment_id, int):
            return self._words(post.level, post)
        comment = await self.session.get(Comment, comment_id)
        if comment is None or comment.post_id != post.id or comment.deleted_at is not None:
            return None
        return self._words(post.level, comment)

    async def _digest(self, mail: OutboxMail, user: User) -> EmailMessage | None:
        contents = await digest_contents(
            self.session,
            viewer=user,
            since=datetime.fromisoformat(mail.data["since"]),
            until=datetime.fromisoformat(mail.data["until"]),
        )
        if not contents:
            return None
        entries = [
            {
                "author": entry.author_name,
                "space": entry.space_name,
                "link": f"{self.base}/posts/{entry.post.id}",
                "content": self._words(entry.post.level, entry.post),
            }
            for entry in contents.posts
        ]
        pages = [
            {
                "title": page.title,
                "space": space,
                "link": self.base + page_path(page.space_id, page.slug),
            }
            for page, space in contents.pages
        ]
        with speaking(user.language):
            events = [
                {
                    "title": event.title,
                    "space": space,
                    "link": f"{self.base}/calendar/events/{event.id}",
                    "starts": format_day(event.starts_at)
                    if event.all_day
                    else format_moment(event.starts_at),
                }
                for event, space in contents.events
            ]
            return self._message(
                Addressee(user.email, user.display_name, user.language),
                subject=_("What happened in your spaces"),
                template="mail/digest",
                context={
                    "entries": entries,
                    "more": contents.more,
                    "pages": pages,
                    "events": events,
                    "home": self.base + "/",
                },
                unsubscribe=(user.id, DIGEST_MAIL),
            )

    async def _invitation(self, mail: OutboxMail) -> EmailMessage | None:
        invitation = await self.session.get(Invitation, mail.invitation_id)
        secret = mail.data.get("secret")
        if (
            invitation is None
            or not secret
            or invitation.status is not InvitationStatus.PENDING
            or invitation.expires_at <= utcnow()
        ):
            return None
        space = await self.session.get(Space, invitation.space_id)
        inviter = await self.session.get(User, invitation.inviter_id)
        # Chosen by the inviter (older mails in the outbox: their language).
        chosen = mail.data.get("language")
        language = Language(chosen) if chosen else inviter.language if inviter else Language.FR
        with speaking(language):
            return self._message(
                Addressee(mail.address, "", language),
                subject=_("%(person)s invites you to join %(space)s on Ruche")
                % {"person": inviter.display_name if inviter else "Ruche", "space": space.name},
                template="mail/invitation",
                context={
                    "inviter": inviter.display_name if inviter else None,
                    "space": space.name,
                    "link": f"{self.base}/invitations/{secret}",
                    "expires_at": invitation.expires_at,
                },
                unsubscribe=None,
            )

    def test_message(self, user: User) -> EmailMessage:
        """What the admin page's button sends to the admin."""
        with speaking(user.language):
            return self._message(
                Addressee(user.email, user.display_name, user.language),
                subject=_("Ruche can send mail"),
                template="mail/test",
                context={"home": self.base + "/"},
                unsubscribe=None,
            )

    # --- one message -----------------------------------------------------------------

    def _message(
        self,
        to: Addressee,
        *,
        subject: str,
        template: str,
        context: dict,
        unsubscribe: tuple[int, str] | None,
    ) -> EmailMessage:
        unsubscribe_url = None
        if unsubscribe is not None:
            user_id, scope = unsubscribe
            token = unsubscribe_token(self.settings, user_id=user_id, scope=scope)
            unsubscribe_url = f"{self.base}/mail/unsubscribe/{token}"
        context = {
            **context,
            "unsubscribe_url": unsubscribe_url,
            # Not for an invitation: its reader has no account yet.
            "preferences_url": f"{self.base}/settings/mail"
            if template != "mail/invitation"
            else None,
            "lang": to.language.value,
        }
        env = _templates()
        message = EmailMessage()
        message["Subject"] = " ".join(subject.split())[:SUBJECT_LENGTH]
        message["From"] = self.settings.smtp_sender
        message["To"] = formataddr((to.name, to.address)) if to.name else to.address
        message["Message-ID"] = make_msgid("ruche", domain=self.domain)
        message["Auto-Submitted"] = "auto-generated"
        if unsubscribe_url is not None:
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(env.get_template(f"{template}.txt").render(context))
        message.add_alternative(
            env.get_template(f"{template}.html").render(context), subtype="html"
        )
        # After the parts: setting them replaces the message's Content-* headers.
        message["Content-Language"] = to.language.value
        return message


@dataclass(frozen=True)
class Content:
    """Words of a post or comment: its HTML, sanitised when it was written (the
    templates print it as the pages do), and its plain text."""

    body_html: str
    text: str
