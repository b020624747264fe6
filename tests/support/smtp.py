"""A real SMTP server on a loopback port, keeping what it receives.

Tests wait for mail with ``Mailbox.wait_for_mail`` (a condition, not a sleep; it fails
the test when nothing comes), and can make the server take one message and never answer
it (``hold_reply``): a client killed while it waits is exactly a client killed between
the server's acceptance and its own record of the send.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from scripts.loopback import free_port


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    # The client's (host, port) for each message: one per SMTP connection it opened.
    peers: list[tuple[str, int]] = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)
    _hold_at: int | None = None
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, _server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append(message)
            self.peers.append(tuple(session.peer))
            hold = self._hold_at == len(self.messages)
            if hold:
                self._hold_at = None
            self._arrived.notify_all()
        if hold:
            self.holding.set()
            # Kept, never answered: the client's connection ends first (aiosmtpd then
            # cancels this coroutine), as when the client is killed waiting for the reply.
            await asyncio.Event().wait()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def wait_for(self, count: int, timeout: float = 15) -> bool:
        """True once at least ``count`` messages have arrived; False after ``timeout`` s."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)

    def wait_for_mail(
        self, address: str, count: int = 1, timeout: float = 15
    ) -> list[EmailMessage]:
        """The messages to ``address`` once ``count`` have come; fails the test if they do not."""
        with self._arrived:
            if self._arrived.wait_for(lambda: len(self.to(address)) >= count, timeout):
                return self.to(address)
            arrived = [str(m["To"]) for m in self.messages]
        raise AssertionError(
            f"no {count} message(s) to {address} within {timeout} s; arrived: {arrived}"
        )

    def hold_reply(self, number: int) -> None:
        """Keep message ``number`` (1-based) and never send the reply; ``holding`` is set then."""
        self._hold_at = number


logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd is chatty


class SMTPServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()
