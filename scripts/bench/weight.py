"""`python -m scripts.bench.weight`: the feed's page weight alone, as `make bench` measures it.

The feed of the seeded 1M dataset (it must exist: `make bench` seeds it), seen as ``demo``
with the production configuration, then every stylesheet and script it links: each file's
bytes and gzipped bytes. It runs in this process with Flask's test client, as the bench's
query counts do, so it takes seconds and starts no server; it is the one to run while
trimming markup or CSS. The budget itself is judged by `make bench`.
"""

from __future__ import annotations

import argparse
import gzip
import secrets
from typing import Any

from app import create_app
from app.config import ProductionConfig
from app.demo.demo_seed import DEMO_PASSWORD
from scripts.bench import datasets, settings, stats
from scripts.bench.client import CSRF_FIELD, FORWARDED, login_body
from scripts.bench.pages import SCRIPT, STYLESHEET

BASE = "https://localhost"


def weigh(path: str) -> dict[str, dict[str, int]]:
    chosen = settings.from_environment(quick=True, duration=None, runs=None)
    settings.check_services(chosen)
    env = settings.app_environment(
        chosen,
        database=datasets.LARGE.database,
        media_root=datasets.LARGE.media_root,
        secret_key=secrets.token_urlsafe(48),
        run_id="weight",
    )
    app = create_app(ProductionConfig({**env, "LOG_LEVEL": "WARNING"}))
    client = app.test_client()

    def get(url: str) -> Any:
        response = client.get(url, headers=FORWARDED, base_url=BASE)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    token = CSRF_FIELD.search(get("/login").get_data(as_text=True))
    assert token is not None  # noqa: S101 (the login page always has its form)
    client.post(
        "/login",
        data=login_body(token.group(1), "demo", DEMO_PASSWORD),
        headers={**FORWARDED, "Referer": f"{BASE}/login"},
        base_url=BASE,
    )
    html = get(path).get_data()
    files = {path: html}
    for asset in STYLESHEET.findall(html.decode()) + SCRIPT.findall(html.decode()):
        files[asset.split("?")[0]] = get(asset.replace("&amp;", "&")).get_data()
    with app.app_context():
        from app.extensions import db  # noqa: PLC0415 (bound to this app only now)

        for engine in db.engines.values():
            engine.dispose()
    return {
        name: {"bytes": len(body), "gzip_bytes": len(gzip.compress(body, 6))}
        for name, body in files.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.weight", description=__doc__)
    parser.add_argument("--path", default="/home", help="the page to weigh (default /home)")
    args = parser.parse_args()
    files = weigh(args.path)
    for name, part in files.items():
        print(f"{part['bytes']:>8,} {part['gzip_bytes']:>8,} gz  {name}")
    total = sum(part["bytes"] for part in files.values())
    verdict = "met" if total <= stats.FEED_WEIGHT_BYTES else "MISSED"
    print(
        f"{total:>8,} {sum(part['gzip_bytes'] for part in files.values()):>8,} gz  total "
        f"(budget {stats.FEED_WEIGHT_BYTES:,}: {verdict})"
    )


if __name__ == "__main__":
    main()
