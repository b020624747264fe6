"""Start Debian's Chromium under Playwright: used by the tests, `make icons` and `make screenshots`.

Playwright's own browser downloads are never used; the browser comes from the
system package (`apt-get install chromium`), so nothing is fetched at run time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")

# Quiet, offline, and able to run as root in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def find_chromium() -> str | None:
    """The Chromium binary named by CHROMIUM_PATH, or Debian's, or None."""
    configured = os.environ.get("CHROMIUM_PATH")
    candidates = [configured] if configured else list(CHROMIUM_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium")
    return found if not configured else None


def launch_chromium(playwright: Playwright) -> Browser:
    executable = find_chromium()
    if executable is None:
        raise RuntimeError("No Chromium found: install it with `apt-get install chromium`.")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
