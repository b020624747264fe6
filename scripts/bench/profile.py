"""`make profile`: a py-spy flame graph of one page under load (default: the feed).

    python -m scripts.bench.profile [--page feed] [--seconds 20] [--concurrency 16]

Sapling runs as in `make bench` (production configuration, the cached 1M-post
dataset, the same gunicorn settings), wrk keeps the page busy as `demo`, and
py-spy samples the gunicorn master and every worker (``--subprocesses``) into
bench/results/<page>-flame.svg. Idle threads are left out, so the graph shows
where request time is spent, not gthread's waiting; time a thread waits on
PostgreSQL still shows (psycopg's ``wait``). py-spy pauses each process for a
moment to read a consistent stack (``--nonblocking`` gave misattributed
frames), so keep the rate modest. It reads other processes' memory: it needs
root or ptrace permission.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from app.demo.demo_seed import DEMO_PASSWORD
from scripts.bench import datasets, pages, settings, wrk
from scripts.bench.client import FORWARDED, Browser
from scripts.bench.servers import SAPLING_APP, Server


def py_spy() -> str:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found is None:
        sys.exit("py-spy is not installed: `make profile` installs it (requirements-dev.txt).")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="feed", help="feed, profile, post, hashtag, ...")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=int, default=50, help="samples per second, per process")
    args = parser.parse_args()
    spy = py_spy()
    chosen = settings.from_environment(quick=False, duration=None, runs=None)
    settings.check_services(chosen)
    dataset = datasets.LARGE
    env = settings.app_environment(
        chosen,
        database=dataset.database,
        media_root=dataset.media_root,
        secret_key=secrets.token_urlsafe(48),
        run_id=f"profile-{int(time.time())}",
    )
    datasets.ensure(chosen, dataset, env)
    output = settings.RESULTS / f"{args.page}-flame.svg"
    output.parent.mkdir(parents=True, exist_ok=True)
    with Server("sapling-profile", SAPLING_APP, env, boot_seconds=chosen.boot_seconds) as server:
        member = Browser(server.url)
        member.log_in("demo", DEMO_PASSWORD)
        found = {p.name: p for p in pages.find_pages(member, env["DATABASE_URL"])}
        page = found[args.page]
        headers = {**FORWARDED, "Cookie": member.cookie_header} if page.logged_in else FORWARDED
        load = wrk.command(
            server.url + page.path,
            concurrency=args.concurrency,
            seconds=args.seconds + 4,
            headers=headers,
            threads=chosen.cores,
        )
        print(f"Loading {page.path} for {args.seconds + 4} s, sampling for {args.seconds} s ...")
        with subprocess.Popen(load, stdout=subprocess.PIPE, text=True) as wrk_process:  # noqa: S603
            time.sleep(2)  # warm up before sampling
            record = [spy, "record", "--pid", str(server.pid), "--subprocesses"]
            record += ["--rate", str(args.rate), "--duration", str(args.seconds)]
            record += ["--format", "flamegraph", "--output", str(output)]
            subprocess.run(record, check=True)  # noqa: S603 (py-spy on our own server)
            stdout, _ = wrk_process.communicate()
        measured = wrk.parse_output(stdout)
        print(
            f"{page.name}: {measured.rps:.1f} req/s, p50 {measured.p50_ms:.1f} ms, "
            f"p99 {measured.p99_ms:.1f} ms under py-spy (sampling slows it down)"
        )
    print(f"Flame graph: {output.relative_to(settings.PROJECT)}")


if __name__ == "__main__":
    main()
