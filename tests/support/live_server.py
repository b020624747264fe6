"""The app served over real HTTP on a loopback port, for the browser tests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.support.smtp import Mailbox


def buffered(app: Flask) -> Any:
    """Read each response fully and close it before the server writes it.

    Werkzeug's development server skips closing the response when the browser
    has already hung up (a page navigated away while an image was loading), and
    the open file then surfaces later as a ResourceWarning in some other test.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


class LiveServer:
    def __init__(self, app: Flask) -> None:
        # Sapling logs each request itself; Werkzeug's own line would only repeat it.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, buffered(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@dataclass(frozen=True)
class LiveSite:
    """The app on a real port, its own database, and the SMTP server it sends through."""

    server: LiveServer
    mailbox: Mailbox
    app: Flask
    ids: dict[str, int]  # what tests/support/demo.py made, for page paths

    @property
    def url(self) -> str:
        return self.server.url
