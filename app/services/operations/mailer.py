"""The email outbox: messages are rows written in the request's transaction.

They are delivered right after the unit of work that queued them commits (a CLI
command or the worker always, a request when MAIL_DELIVER_AFTER_COMMIT is on: see
core/database.delivers_after_commit) and by `flask worker` (or
`flask outbox send`), which retries failures with exponential backoff. If the
SMTP server is down nothing is lost: the row waits. Each message is committed as
sent on its own (see Courier), so a crash re-sends at most the one in flight. Without MAIL_SERVER
(development), messages are logged and saved as .eml files under instance/mail/
so their links can be clicked.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from app.core import deferred_work
from app.core.database import delivers_after_commit
from app.extensions import db
from app.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


def queue(to: str, template: str, subject: str, **context: Any) -> OutboxMessage:
    """Render ``email/<template>.txt`` and ``.html`` into an outbox row (flushed, not committed)."""
    context.update(
        subject=subject,
        base_url=current_app.config["BASE_URL"],
        support_email=current_app.config.get("SUPPORT_EMAIL"),
    )
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        text_body=render_template(f"email/{template}.txt", **context),
        html_body=render_template(f"email/{template}.html", **context),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault("outbox_ids", []).append(message.id)
    if delivers_after_commit():
        deferred_work.send_queued_mail()
    return message


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
    # The same on every attempt: a copy sent again after a crash (see Courier) carries
    # the id of the first, and mail systems that de-duplicate by it show one.
    email["Message-ID"] = f"<{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@sapling.local>"
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


def _save(email: EmailMessage) -> None:
    """Without MAIL_SERVER (development): an .eml file, and the text in the log."""
    config = current_app.config
    folder = Path(config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{email['Message-ID'].strip('<>')}.eml"
    path.write_bytes(bytes(email))
    log.info("No MAIL_SERVER: saved %r for %s to %s", email["Subject"], email["To"], path)
    if config["ENV_NAME"] == "development":
        # Only on a developer's machine: the text, links included, so they can be clicked.
        body = email.get_body(preferencelist=("plain",))
        log.info("Message text:\n%s", body.get_content() if body else "")


def _next_due(ids: list[int] | None) -> OutboxMessage | None:
    query = select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= utcnow()
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    query = query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
    # Two workers never take the same message (PostgreSQL); SQLite has one writer anyway.
    # It stays locked until the caller commits, so it is sent once, not once per worker.
    # The row is read afresh: an object this session loaded before may be stale.
    query = query.with_for_update(skip_locked=True).execution_options(populate_existing=True)
    return db.session.scalar(query)


class Courier:
    """Sends due messages one at a time, over one SMTP connection opened when first needed.

    ``send_next()`` locks one due message, sends it, marks it sent (or failed, with
    backoff) and flushes; the caller commits before asking for the next. So a process
    killed mid-run has committed every message it sent but the one in hand: delivery
    is at least once, and the window is one message wide. Killed between the server's
    "250" and that commit, the worker leaves the message unsent in the outbox, and it
    goes out again (with the same Message-ID).
    """

    def __init__(self, ids: list[int] | None = None) -> None:
        self.ids = ids
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Courier:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send_next(self) -> bool | None:
        """True if a message went out, False if it failed; None when nothing is due."""
        message = _next_due(self.ids)
        if message is None:
            return None
        try:
            self._send(_build(message))
        except (OSError, smtplib.SMTPException) as error:
            self._drop_connection()  # in an unknown state now; the next message reconnects
            message.attempts += 1
            backoff = min(timedelta(minutes=2 ** (message.attempts - 1)), MAX_BACKOFF)
            message.next_attempt_at = utcnow() + backoff
            message.last_error = f"{type(error).__name__}: {error}"[:300]
            log.warning("Delivery of message %s failed (attempt %s)", message.id, message.attempts)
            sent = False
        else:
            message.sent_at = utcnow()
            sent = True
        db.session.flush()
        return sent

    def _send(self, email: EmailMessage) -> None:
        if not current_app.config["MAIL_SERVER"]:
            _save(email)
            return
        self._connection().send_message(email)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            config = current_app.config
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
            try:
                if config["MAIL_USE_TLS"]:
                    smtp.starttls(context=ssl.create_default_context())
                if config["MAIL_USERNAME"]:
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _drop_connection(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None
