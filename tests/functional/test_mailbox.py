"""The test mailbox (tests/support/smtp.py): waiting for mail that never comes fails loudly."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from tests.support.smtp import SMTPServer


def send(port: int, to: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "app@example.org", to, "Hello"
    message.set_content("Hello")
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.send_message(message)


def test_wait_for_mail_returns_the_messages_to_the_address(smtp_server: SMTPServer) -> None:
    send(smtp_server.port, "other@example.org")
    send(smtp_server.port, "willow@example.org")
    [message] = smtp_server.mailbox.wait_for_mail("willow@example.org")
    assert str(message["To"]) == "willow@example.org"


def test_wait_for_mail_fails_when_no_mail_comes(smtp_server: SMTPServer) -> None:
    send(smtp_server.port, "other@example.org")
    # Nothing will ever come for this address, so even a short wait is no race.
    with pytest.raises(AssertionError, match=r"willow@example\.org.*other@example\.org"):
        smtp_server.mailbox.wait_for_mail("willow@example.org", timeout=0.2)
