"""Structured logs with a request id on every line, and secrets scrubbed out.

JSON in production, one readable line per record elsewhere. Redaction runs on
the final formatted text, so it also covers tracebacks and third-party loggers
(Werkzeug's request line, SQLAlchemy errors) that pass through our handler.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import TextIO

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from app.core.client_ip import anonymize_ip, client_ip

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

# Any key that contains one of these words: new_password, csrf_token, session_id ...
_SENSITIVE_WORDS = "password|passwd|pwd|secret|token|csrf|session|api[_-]?key|otp|code|signature"
_SENSITIVE = rf"[\w.-]*(?:{_SENSITIVE_WORDS})[\w.-]*"
_REDACTIONS = [
    # key=value in query strings, form bodies and log text
    (re.compile(rf"(?i)({_SENSITIVE})=([^&\s;,\"']+)"), r"\1=[redacted]"),
    # "key": "value" in JSON and dict reprs
    (re.compile(rf"(?i)([\"']{_SENSITIVE}[\"']\s*:\s*)([\"'])(?:(?!\2).)*\2"), r"\1\2[redacted]\2"),
    # Cookie and Authorization headers, whole value
    (re.compile(r"(?i)\b((?:set-)?cookie|authorization)(\s*[:=]\s*)[^\r\n]+"), r"\1\2[redacted]"),
]
_HANDLER_MARK = "_sapling_handler"
# Sign-in, reset and confirmation links carry their token as a path segment.
_SECRET_SEGMENT = re.compile(r"/[A-Za-z0-9_-]{32,}")


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def redact_path(path: str) -> str:
    """A URL path fit for a log: long random segments (link tokens) blanked out."""
    return _SECRET_SEGMENT.sub("/[redacted]", path)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class _RedactingFormatter(logging.Formatter):
    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is now, so captured output is seen in tests."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(app: Flask) -> None:
    """Install one handler on the root logger; calling it again replaces it."""
    if app.config["LOG_FORMAT"] == "json":
        inner: logging.Formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    else:
        inner = logging.Formatter(
            "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"
        )

    handler = _StderrHandler()
    handler.setFormatter(_RedactingFormatter(inner))
    handler.addFilter(_RequestIdFilter())
    setattr(handler, _HANDLER_MARK, True)

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    # Flask-Alembic gives these loggers console handlers of their own; with ours at
    # the root every line would print twice, the second copy unredacted.
    for name in ("alembic", "sqlalchemy"):
        logging.getLogger(name).handlers.clear()
    app.logger.handlers.clear()


def install_request_logging(app: Flask) -> None:
    access_log = logging.getLogger("sapling.request")

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        # The path only: query strings can carry tokens and are not needed here.
        access_log.info(
            "%s %s %s %.1fms client=%s",
            request.method,
            redact_path(request.path),
            response.status_code,
            elapsed_ms,
            anonymize_ip(client_ip()),
        )
        return response
