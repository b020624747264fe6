"""`python -m scripts.bench.weight`: the feed's page weight alone, as `make bench` measures it.

One gunicorn worker on the seeded 1M dataset (it must exist: `make bench` seeds
it), the feed seen as ``demo``, then the HTML and every stylesheet and script it
links, each file's bytes and gzipped bytes. It takes seconds, so it is the one
to run while trimming markup or CSS; the budget itself is judged by `make bench`.
"""

from __future__ import annotations

import argparse
import secrets

from app.demo.demo_seed import DEMO_PASSWORD
from scripts.bench import datasets, pages, settings, stats
from scripts.bench.client import Browser
from scripts.bench.servers import SAPLING_APP, Server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.weight", description=__doc__)
    parser.add_argument("--path", default="/home", help="the page to weigh (default /home)")
    args = parser.parse_args()
    chosen = settings.from_environment(quick=True, duration=None, runs=None)
    settings.check_services(chosen)
    dataset = datasets.LARGE
    env = settings.app_environment(
        chosen,
        database=dataset.database,
        media_root=dataset.media_root,
        secret_key=secrets.token_urlsafe(48),
        run_id="weight",
    )
    with Server("weight", SAPLING_APP, {**env, "GUNICORN_WORKERS": "1"}) as server:
        browser = Browser(server.url)
        browser.log_in("demo", DEMO_PASSWORD)
        weight = pages.page_weight(browser, args.path)
    for name, part in weight["files"].items():
        print(f"{part['bytes']:>8,} {part['gzip_bytes']:>8,} gz  {name}")
    verdict = "met" if weight["bytes"] <= stats.FEED_WEIGHT_BYTES else "MISSED"
    print(
        f"{weight['bytes']:>8,} {weight['gzip_bytes']:>8,} gz  total "
        f"(budget {stats.FEED_WEIGHT_BYTES:,}: {verdict})"
    )


if __name__ == "__main__":
    main()
