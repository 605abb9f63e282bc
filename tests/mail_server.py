"""A real SMTP server for the tests (aiosmtpd), on a port the OS chose, that
keeps what it receives; it can be stopped and started again on the same port."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    def __init__(self):
        self.port = free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.controller = None

    async def handle_DATA(self, _server, _session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def take(self) -> list[tuple[list[str], EmailMessage]]:
        """What arrived since the last take."""
        taken, self.received = self.received, []
        return taken

    def settings_for(self, settings):
        return settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": self.port,
                "smtp_security": "none",
                "smtp_sender": "Ruche <ruche@example.test>",
            }
        )


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()
