"""The email outbox: messages are rows written in the request's transaction.

They are delivered right after the request commits (when
MAIL_DELIVER_AFTER_COMMIT is on, the default) and by `flask worker` (or
`flask outbox send`), which retries failures with exponential backoff. If the
SMTP server is down nothing is lost: the row waits. Without MAIL_SERVER
(development), messages are logged and saved as .eml files under instance/mail/
so their links can be clicked.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app, g, has_request_context, render_template
from sqlalchemy import select

from app.core.database import after_commit
from app.extensions import db
from app.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
BATCH_SIZE = 50


def queue(to: str, template: str, subject: str, **context: Any) -> OutboxMessage:
    """Render ``email/<template>.txt`` and ``.html`` into an outbox row (flushed, not committed)."""
    context.update(subject=subject, base_url=current_app.config["BASE_URL"])
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        text_body=render_template(f"email/{template}.txt", **context),
        html_body=render_template(f"email/{template}.html", **context),
    )
    db.session.add(message)
    db.session.flush()
    g.setdefault("outbox_ids", []).append(message.id)
    if has_request_context() and current_app.config["MAIL_DELIVER_AFTER_COMMIT"]:
        after_commit(deliver_queued)
    return message


def deliver_queued() -> None:
    """Send what this request or command queued, once its transaction has committed."""
    ids = g.pop("outbox_ids", [])
    if ids:
        deliver(ids)
        db.session.commit()


def link(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, from BASE_URL and never from the request's Host header.

    Built from the URL map directly, so it works in CLI commands and workers too.
    """
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return str(current_app.config["BASE_URL"]) + path


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Message-ID"] = make_msgid(domain="sapling.local")
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


def _send(email: EmailMessage) -> None:
    config = current_app.config
    server = config["MAIL_SERVER"]
    if not server:
        folder = Path(config["MAIL_OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{email['Message-ID'].strip('<>')}.eml"
        path.write_bytes(bytes(email))
        log.info("No MAIL_SERVER: saved %r for %s to %s", email["Subject"], email["To"], path)
        if config["ENV_NAME"] == "development":
            # Only on a developer's machine: the text, links included, so they can be clicked.
            body = email.get_body(preferencelist=("plain",))
            log.info("Message text:\n%s", body.get_content() if body else "")
        return
    with smtplib.SMTP(server, config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def _due(ids: list[int] | None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= utcnow()
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    query = query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(BATCH_SIZE)
    # Two workers never take the same message (PostgreSQL); SQLite has one writer anyway.
    # Each is locked until the caller commits, so a message is sent once, not once per
    # worker. The rows are read afresh: an object this session loaded before may be stale.
    query = query.with_for_update(skip_locked=True).execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def deliver(ids: list[int] | None = None) -> tuple[int, int]:
    """Send what is due (only ``ids`` if given); returns (sent, failed). The caller commits."""
    sent = failed = 0
    for message in _due(ids):
        try:
            _send(_build(message))
        except (OSError, smtplib.SMTPException) as error:
            message.attempts += 1
            backoff = min(timedelta(minutes=2 ** (message.attempts - 1)), MAX_BACKOFF)
            message.next_attempt_at = utcnow() + backoff
            message.last_error = f"{type(error).__name__}: {error}"[:300]
            log.warning("Delivery of message %s failed (attempt %s)", message.id, message.attempts)
            failed += 1
        else:
            message.sent_at = utcnow()
            sent += 1
    db.session.flush()
    return sent, failed
