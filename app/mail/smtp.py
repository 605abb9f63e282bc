"""The SMTP connection. aiosmtplib: an async client, kept up to date, that
speaks STARTTLS and implicit TLS and parses the server's replies, so a round
of mail blocks no thread and no reply is parsed by hand."""

import logging
from email.message import EmailMessage

import aiosmtplib

from app.config import Settings

logger = logging.getLogger("ruche.mail")


class MailNotSent(Exception):
    """``permanent``: the server refused this mail for good (a 5xx reply), so
    trying again would only be refused again."""

    def __init__(self, reason: str, *, permanent: bool):
        super().__init__(reason)
        self.permanent = permanent


def describe_mail_setup(settings: Settings) -> str:
    """One line for the logs at start and for the admin page (no password)."""
    if not settings.mail_enabled:
        return "mail off: no RUCHE_SMTP_HOST, nothing is sent (docs/email.md)"
    return (
        f"mail on: {settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security}),"
        f" from {settings.smtp_sender}"
    )


def _client(settings: Settings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user or None,
        password=settings.smtp_password.get_secret_value() or None,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


def _failure(error: Exception) -> MailNotSent:
    code = getattr(error, "code", None)
    permanent = isinstance(code, int) and 500 <= code < 600
    # The class and the server's code only: a reply may quote the message.
    reason = f"{type(error).__name__} {code}" if code else type(error).__name__
    return MailNotSent(reason, permanent=permanent)


async def send_messages(
    settings: Settings, messages: dict[int, EmailMessage]
) -> dict[int, MailNotSent | None]:
    """Sends each message over one connection; for each key, None when the
    server took it, else why not. A server that cannot be reached fails all."""
    outcome: dict[int, MailNotSent | None] = {}
    if not messages:
        return outcome
    client = _client(settings)
    try:
        await client.connect()
    except (aiosmtplib.SMTPException, OSError) as error:
        failure = _failure(error)
        logger.warning("mail server unreachable: %s", failure)
        return dict.fromkeys(messages, failure)
    try:
        for key, message in messages.items():
            try:
                await client.send_message(message)
                outcome[key] = None
            except aiosmtplib.SMTPServerDisconnected as error:
                outcome[key] = _failure(error)
                break
            except aiosmtplib.SMTPException as error:
                outcome[key] = _failure(error)
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except aiosmtplib.SMTPException:
                client.close()
    lost = _failure(aiosmtplib.SMTPServerDisconnected("connection lost"))
    return {key: outcome.get(key, lost) for key in messages}
