"""Screenshots of the main pages, light and dark, desktop and mobile (`make screenshots`).

Starts the app on a loopback port with a throwaway SQLite database seeded by
`flask dev seed` and tests/support/demo.py, walks the page list that the
accessibility tests use (tests/browser/pages.py), and saves PNGs under
docs/screenshots/. Names given on the command line (`make screenshots ONLY="post
appearance"`) shoot only those pages.
"""

from __future__ import annotations

import logging
import secrets
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from app import create_app
from app.config import DevelopmentConfig
from app.extensions import alembic
from scripts.browser import launch_chromium
from tests.browser.pages import (
    MEMBER,
    MODERATOR,
    PAGES,
    PRIVATE,
    THEMES,
    UNVERIFIED,
    VIEWPORTS,
    page_state,
)
from tests.factories import PASSWORD, create_user
from tests.support.browser import log_in
from tests.support.demo import populate
from tests.support.live_server import LiveServer
from tests.support.moderation import add_import_states, add_moderation_cast

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
LOGO_ANIMATION_MS = 2500  # let the logo finish growing


def main(only: list[str]) -> None:
    chosen = [p for p in PAGES if p.screenshot and (not only or p.name in only)]
    unknown = set(only) - {p.name for p in chosen}
    if unknown:
        raise SystemExit(f"no screenshot page named {', '.join(sorted(unknown))}")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sapling-screenshots-") as tmp:
        config = DevelopmentConfig(
            {
                "SECRET_KEY": secrets.token_urlsafe(32),
                "DATABASE_URL": f"sqlite:///{tmp}/demo.db",
                "MEDIA_ROOT": f"{tmp}/media",
                "LOG_LEVEL": "WARNING",
                "MAIL_OUTBOX_DIR": f"{tmp}/mail",
            }
        )
        app = create_app(config)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        with app.app_context():
            alembic.upgrade()
        # A small world of generated people and photos (the same `flask dev seed` as the
        # benchmarks), then the known cast that the page list names.
        runner = app.test_cli_runner()
        with app.app_context():
            result = runner.invoke(
                args=["dev", "seed", "--users", "60", "--posts", "400", "--images", "24"]
            )
        if result.exit_code != 0:
            raise SystemExit(result.output)
        for username, verified in ((MEMBER, True), (UNVERIFIED, False)):
            create_user(app, username, verified=verified)
        ids = populate(app, MEMBER)
        add_moderation_cast(app, ids, MODERATOR, MEMBER)
        add_import_states(app, MODERATOR, PRIVATE)
        with LiveServer(app) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            states = {}
            for username in (MEMBER, UNVERIFIED, MODERATOR, PRIVATE):
                context = browser.new_context(base_url=server.url)
                log_in(context.new_page(), username, PASSWORD)
                states[username] = context.storage_state()
                context.close()
            for spec in chosen:
                for theme in THEMES:
                    for name, viewport in VIEWPORTS.items():
                        context = browser.new_context(
                            base_url=server.url,
                            color_scheme=theme,
                            viewport=viewport,
                            storage_state=states[spec.login] if spec.login else None,
                        )
                        page = context.new_page()
                        with page_state(app, spec):
                            page.goto(spec.url(ids))
                            spec.prepare(page)  # photos chosen in the form, say
                        # Full-page shots: load the images lower down too.
                        page.evaluate(
                            "document.querySelectorAll('img[loading=lazy]')"
                            ".forEach((img) => { img.loading = 'eager'; })"
                        )
                        page.wait_for_load_state("networkidle")
                        # Loaded is not drawn: images decoded off screen ("async") came out
                        # blank below the first screen of a full-page shot.
                        page.evaluate(
                            "Promise.all([...document.images]"
                            ".map((img) => img.decode().catch(() => null)))"
                        )
                        page.wait_for_timeout(LOGO_ANIMATION_MS)
                        path = OUT / f"{spec.name}-{theme}-{name}.png"
                        # Mobile shots stay one screen tall: the fixed bottom bar stays in place.
                        page.screenshot(path=str(path), full_page=name == "desktop")
                        context.close()
                        print(f"wrote {path.relative_to(OUT.parent.parent)}")
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
