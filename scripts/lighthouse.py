"""Lighthouse's performance audit of the landing page, offline (`make lighthouse`).

Serves the app on a loopback port with a throwaway SQLite database (the landing
page is seen logged out, so no data is needed), runs Lighthouse from
tools/lighthouse/node_modules against it with Debian's Chromium, and prints the score, the
metrics and what kept the main thread busy. The median run's full report is
saved as instance/lighthouse/<page>.json. Lighthouse throttles the CPU four times
and the network to a slow 4G link, so the numbers say how a mid-range phone
would see the page; on a loaded machine they are worse (the trace is wall time).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from app import create_app
from app.config import DevelopmentConfig
from app.extensions import alembic
from scripts.browser import CHROMIUM_ARGS, find_chromium
from tests.support.live_server import LiveServer

PROJECT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = PROJECT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
OUT = PROJECT / "instance" / "lighthouse"
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.lighthouse", description=__doc__)
    parser.add_argument("--path", default="/", help="the page to audit, logged out (default /)")
    parser.add_argument("--runs", type=int, default=3, help="audits; the median score is kept")
    args = parser.parse_args()
    lighthouse = Path(os.environ.get("LIGHTHOUSE", LIGHTHOUSE))
    chromium = find_chromium()
    if not lighthouse.is_file():
        sys.exit(
            f"No Lighthouse at {lighthouse}: run `make lighthouse` (it installs tools/lighthouse)."
        )
    if chromium is None:
        sys.exit("No Chromium found: install it with `apt-get install chromium`.")
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Load average {' '.join(f'{n:.2f}' for n in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="sapling-lighthouse-") as tmp:
        app = create_app(
            DevelopmentConfig(
                {
                    "SECRET_KEY": secrets.token_urlsafe(32),
                    "DATABASE_URL": f"sqlite:///{tmp}/site.db",
                    "MEDIA_ROOT": f"{tmp}/media",
                    "LOG_LEVEL": "WARNING",
                    "MAIL_OUTBOX_DIR": f"{tmp}/mail",
                }
            )
        )
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        with app.app_context():
            alembic.upgrade()
        with LiveServer(app) as server:
            reports = [
                _audit(lighthouse, chromium, server.url + args.path, Path(tmp) / f"run-{n}")
                for n in range(args.runs)
            ]
    reports.sort(key=_score)
    median = reports[len(reports) // 2]
    name = args.path.strip("/").replace("/", "-") or "landing"
    (OUT / f"{name}.json").write_text(json.dumps(median))
    print(f"Scores: {', '.join(str(_score(r)) for r in reports)} (median kept)")
    _print(median)
    print(f"Saved {(OUT / f'{name}.json').relative_to(PROJECT)}")


def _audit(lighthouse: Path, chromium: str, url: str, out: Path) -> dict[str, Any]:
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    subprocess.run(  # noqa: S603 (our own tools, fixed arguments)
        [
            str(lighthouse),
            url,
            "--only-categories=performance",
            "--output=json",
            f"--output-path={out}.json",
            f"--chrome-flags={flags}",
            "--quiet",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": chromium},
    )
    report: dict[str, Any] = json.loads(Path(f"{out}.json").read_text())
    return report


def _score(report: dict[str, Any]) -> int:
    return round((report["categories"]["performance"]["score"] or 0) * 100)


def _print(report: dict[str, Any]) -> None:
    audits = report["audits"]
    print(f"Performance {_score(report)}")
    for metric in METRICS:
        print(f"  {audits[metric]['title']:<28} {audits[metric]['displayValue']}")
    print("  Main thread, by kind of work:")
    for item in audits["mainthread-work-breakdown"]["details"]["items"][:6]:
        print(f"    {item['groupLabel']:<30} {item['duration']:8.0f} ms")
    print("  Long tasks:")
    for item in (audits.get("long-tasks", {}).get("details") or {}).get("items", [])[:6]:
        print(f"    {item['url'][:70]:<70} {item['duration']:6.0f} ms at {item['startTime']:.0f}")


if __name__ == "__main__":
    main()
