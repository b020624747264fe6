"""How long IP addresses are kept: whole for 30 days, truncated until 90, then gone.

An address tells where someone was. The security timeline and the device list
need it while a sign-in is recent enough to be questioned; after
``IP_TRUNCATE_AFTER`` only the network is kept (IPv4 /24, IPv6 /48), and after
``IP_DROP_AFTER`` nothing. ``flask maintenance run`` applies it; running it again
changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update

from app.core.client_ip import anonymize_ip
from app.extensions import db
from app.models import OutboxMessage, SecurityEvent, TrustedBrowser, UserSession


def purge_sent_mail(now: datetime) -> int:
    """Delivered messages are kept a week (to answer "did you send it?"), then deleted."""
    cutoff = now - current_app.config["SENT_MAIL_KEPT"]
    result = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


# Every table that stores a client IP, with the column that dates the address.
IP_TABLES: tuple[Any, ...] = (SecurityEvent, UserSession, TrustedBrowser)
BATCH = 1000


def age_ips(now: datetime) -> tuple[int, int]:
    """Truncate and drop addresses by age; returns (truncated, dropped) row counts."""
    config = current_app.config
    truncate_before = now - config["IP_TRUNCATE_AFTER"]
    drop_before = now - config["IP_DROP_AFTER"]
    dropped = truncated = 0
    for model in IP_TABLES:
        result = db.session.execute(
            update(model)
            .where(model.created_at < drop_before, model.ip.is_not(None))
            .values(ip=None)
        )
        dropped += int(getattr(result, "rowcount", 0) or 0)
        truncated += _truncate(model, truncate_before)
    return truncated, dropped


def _truncate(model: Any, before: datetime) -> int:
    """Replace each whole address dated before ``before`` by its network, a batch at a time."""
    changed, last_id = 0, 0
    while True:
        rows = db.session.execute(
            select(model.id, model.ip)
            .where(model.created_at < before, model.ip.is_not(None), model.id > last_id)
            .order_by(model.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return changed
        for row_id, ip in rows:
            network = anonymize_ip(ip)
            if network != ip:
                db.session.execute(update(model).where(model.id == row_id).values(ip=network))
                changed += 1
        last_id = rows[-1][0]
