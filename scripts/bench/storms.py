"""The login storm, four ways side by side (issue #18): where logins go, and whether
hashing has a bounded queue.

    python -m scripts.bench.storms [--quick] [--duration S] [--runs N]
    python -m scripts.bench.storms bench/results/<file>.json [--markdown]

The first form measures only this (about 4 minutes) and saves
bench/results/storms-<time>.json; `make bench` runs the same measurement through
``measure`` and keeps it under ``storm_variants``. The second prints a saved one.

- **one pool**: one gunicorn pool serves pages and logins; a hash waits for its turn
  however long the line (PASSWORD_HASHING_WAIT_MS of an hour stands for 0.9.0's
  unbounded wait).
- **sign-in pool**: logins go to a second gunicorn pool (deploy/gunicorn-signin.conf.py),
  pages to the first. There is no nginx in the bench: wrk posts the logins to the
  sign-in pool's port directly, which is what nginx's sign-in ``location`` does.
- **queue**: one pool, with the production hashing queue (PASSWORD_HASHING_SLOTS,
  PASSWORD_HASHING_WAIT_MS): a login that waits too long for a slot is answered 503.
- **both**: the sign-in pool, with the queue.

Each round runs every variant in turn (the order rotates), so slow drifts in the
machine's load hit them alike: 8 logins in flight for the whole time while the feed
and a post page are measured at c=16. Alone, without pages, logins/s at two per core
is measured against the argon2 bound on the one pool and on the sign-in pool, with
the CPU time each part of the machine spent per login (scripts.bench.cpu).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.demo.demo_seed import DEMO_PASSWORD
from scripts.bench import cpu, datasets, logins, pages, stats, wrk
from scripts.bench.client import FORWARDED, Browser
from scripts.bench.servers import SAPLING_APP, Server
from scripts.bench.settings import (
    PROJECT,
    RESULTS,
    WORKDIR,
    Settings,
    app_environment,
    check_services,
    database_url,
    from_environment,
)

SIGNIN_CONFIG = "deploy/gunicorn-signin.conf.py"
UNBOUNDED = {"PASSWORD_HASHING_WAIT_MS": str(3_600_000)}  # 0.9.0: wait however long it takes
STORM_PAGES = ("feed", "post")


@dataclass(frozen=True)
class Pool:
    name: str
    signin: bool  # deploy/gunicorn-signin.conf.py rather than deploy/gunicorn.conf.py
    queue: bool  # the production hashing queue rather than an unbounded wait


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    storm: str  # the pool the logins go to
    pages: str  # the pool the pages go to


POOLS = (
    Pool("pages", signin=False, queue=False),
    Pool("pages-queue", signin=False, queue=True),
    Pool("signin", signin=True, queue=False),
    Pool("signin-queue", signin=True, queue=True),
)
VARIANTS = (
    Variant("one_pool", "one pool (0.9.0)", storm="pages", pages="pages"),
    Variant("signin_pool", "sign-in pool", storm="signin", pages="pages"),
    Variant("queue", "hashing queue", storm="pages-queue", pages="pages-queue"),
    Variant("both", "sign-in pool + queue", storm="signin-queue", pages="pages"),
)
ALONE = ("pages", "signin-queue")  # logins without pages: 0.9.0's pool, and the new one


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def start_pool(pool: Pool, env: Mapping[str, str]) -> Server:
    """A server running ``pool``'s gunicorn configuration; entered by the caller."""
    server = Server(f"storm-{pool.name}", SAPLING_APP, {**env, **({} if pool.queue else UNBOUNDED)})
    if pool.signin:
        server.command = [SIGNIN_CONFIG if part == "deploy/gunicorn.conf.py" else part
                          for part in server.command]  # fmt: skip
        server.env["GUNICORN_SIGNIN_BIND"] = server.env["GUNICORN_BIND"]
    return server


def measure(settings: Settings, env: Mapping[str, str]) -> dict[str, Any]:
    """Every variant's storm, and logins alone; the servers are this function's own."""
    large_db = database_url(settings, datasets.LARGE.database)
    with ExitStack() as stack:
        servers = {pool.name: stack.enter_context(start_pool(pool, env)) for pool in POOLS}
        first = servers["pages"]
        member = Browser(first.url)
        member.log_in("demo", DEMO_PASSWORD)
        paths = {page.name: page.path for page in pages.find_pages(member, large_db)}
        log("argon2: timing one verify ...")
        bound = logins.argon2_bound(large_db, settings.cores)
        pairs = logins.login_pairs(first.url, large_db, WORKDIR)
        script = wrk.login_script(WORKDIR)
        headers = {**FORWARDED, "Cookie": member.cookie_header}
        for server in servers.values():  # every worker logs in once and renders the pages
            _warm(settings, server, [server.url + paths[n] for n in STORM_PAGES], headers)
            logins.finish_logins(logins.start_logins(
                server.url, pairs=pairs, script=script, concurrency=settings.logins_in_flight,
                seconds=max(2, settings.warmup), threads=settings.cores,
            ))  # fmt: skip
        alone = {name: _alone(settings, servers[name], pairs, script, bound) for name in ALONE}
        storms: dict[str, list[dict[str, Any]]] = {variant.key: [] for variant in VARIANTS}
        for number, variant in _rounds(settings):
            measured = _storm(
                settings,
                variant,
                servers=servers,
                paths=paths,
                headers=headers,
                pairs=pairs,
                script=script,
            )
            storms[variant.key].append(measured)
            pages_said = "  ".join(
                f"{name} p99 {measured['pages'][name]['p99_ms']:7.1f} ms" for name in STORM_PAGES
            )
            log(
                f"  storm {variant.label:<22} run {number}: "
                f"logins {measured['logins_per_second']:5.1f}/s (503: {measured['busy']}), "
                + pages_said
            )
        boots = {name: server.worker_boots() for name, server in servers.items()}
    return {
        "bound": bound,
        "alone": alone,
        "variants": {
            variant.key: _summary(variant, storms[variant.key], bound) for variant in VARIANTS
        },
        "worker_boots": boots,
    }


def _warm(settings: Settings, server: Server, urls: list[str], headers: Mapping[str, str]) -> None:
    for url in urls:
        wrk.run(url, concurrency=int(stats.C), seconds=max(1, settings.warmup),
                headers=headers, threads=settings.cores)  # fmt: skip


def _rounds(settings: Settings) -> Iterator[tuple[int, Variant]]:
    for number in range(1, settings.runs + 1):
        shift = (number - 1) % len(VARIANTS)
        for variant in VARIANTS[shift:] + VARIANTS[:shift]:
            yield number, variant


def _alone(
    settings: Settings, server: Server, pairs: Path, script: Path, bound: Mapping[str, Any]
) -> dict[str, Any]:
    """Logins/s at two per core with nothing else measured, and where the CPU went."""
    concurrency = settings.logins_in_flight
    runs = []
    for number in range(1, settings.runs + 1):
        before = cpu.snapshot(server.pid)
        process = logins.start_logins(
            server.url, pairs=pairs, script=script, concurrency=concurrency,
            seconds=settings.duration, threads=settings.cores,
        )  # fmt: skip
        measured = logins.finish_logins(process)
        spent = cpu.snapshot(server.pid).minus(before)
        per_login = spent.per_login(measured.requests - measured.errors["status"])
        row: dict[str, Any] = {
            **measured.as_dict(),
            "succeeded_per_second": logins.succeeded_per_second(measured),
            "cpu": {**per_login, "argon2": bound["verify_cpu_ms"]},
        }
        runs.append(row)
        log(
            f"  logins alone on {server.name} c={concurrency} run {number}: "
            f"{row['succeeded_per_second']:.1f}/s, CPU per login {row['cpu']}"
        )
    per_second = stats.summarise(runs)["rps"]
    return {
        "concurrency": concurrency,
        "runs": runs,
        "succeeded_per_second": _median(run["succeeded_per_second"] for run in runs),
        "rps": per_second,
        "of_bound": stats.ratio(
            _median(run["succeeded_per_second"] for run in runs), bound["bound_per_second"]
        ),
    }


def _storm(
    settings: Settings,
    variant: Variant,
    *,
    servers: Mapping[str, Server],
    paths: Mapping[str, str],
    headers: Mapping[str, str],
    pairs: Path,
    script: Path,
) -> dict[str, Any]:
    storm_server, page_server = servers[variant.storm], servers[variant.pages]
    seconds = settings.warmup + len(STORM_PAGES) * settings.duration + 1
    storm = logins.start_logins(
        storm_server.url, pairs=pairs, script=script, concurrency=settings.storm_concurrency,
        seconds=seconds, threads=1,
    )  # fmt: skip
    time.sleep(settings.warmup)
    measured_pages = {
        name: wrk.run(
            page_server.url + paths[name],
            concurrency=int(stats.C),
            seconds=settings.duration,
            headers=headers,
            threads=settings.cores,
        ).as_dict()
        for name in STORM_PAGES
    }
    run = logins.finish_logins(storm)
    return {
        "logins": run.as_dict(),
        "logins_per_second": logins.succeeded_per_second(run),
        "busy": run.errors["status"],
        "pages": measured_pages,
    }


def _summary(
    variant: Variant, runs: list[dict[str, Any]], bound: Mapping[str, Any]
) -> dict[str, Any]:
    logins_per_second = _median(run["logins_per_second"] for run in runs)
    return {
        "label": variant.label,
        "storm_pool": variant.storm,
        "page_pool": variant.pages,
        "runs": runs,
        "logins_per_second": logins_per_second,
        "logins_of_bound": stats.ratio(logins_per_second, bound["bound_per_second"]),
        "busy_per_run": _median(run["busy"] for run in runs),
        "pages": {
            name: stats.summarise([run["pages"][name] for run in runs]) for name in STORM_PAGES
        },
    }


def _median(values: Iterator[float] | Any) -> float:
    ordered = sorted(float(value) for value in values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return round((ordered[middle - 1] + ordered[middle]) / 2, 2)


def rows(measured: Mapping[str, Any]) -> Iterator[list[str]]:
    """One row per variant: logins/s and its share of the bound, the pages' p99 and p50."""
    for variant in measured["variants"].values():
        feed, post = variant["pages"]["feed"], variant["pages"]["post"]
        yield [
            variant["label"],
            f"{variant['logins_per_second']:.1f}",
            f"{variant['logins_of_bound']:.3f}",
            f"{variant['busy_per_run']:.0f}",
            f"{feed['p99_ms']:,.1f}",
            f"{post['p99_ms']:,.1f}",
            f"{feed['p50_ms']:,.1f}",
            f"{post['p50_ms']:,.1f}",
            f"{feed['rps']:,.1f}",
        ]


HEADER = ["variant", "logins/s", "÷ bound", "503s/run", "feed p99 ms", "post p99 ms",
          "feed p50 ms", "post p50 ms", "feed req/s"]  # fmt: skip


def render(measured: Mapping[str, Any], *, markdown: bool = False) -> str:
    bound = measured["bound"]
    lines = [
        f"argon2 bound {bound['bound_per_second']}/s ({bound['verify_cpu_ms']} ms CPU per verify, "
        f"{bound['cores']} cores; {bound['measured_per_second']}/s measured in "
        f"{bound['cores']} threads)",
    ]
    for name, alone in measured["alone"].items():
        last_cpu = alone["runs"][-1]["cpu"]
        lines.append(
            f"logins alone on {name} (c={alone['concurrency']}): "
            f"{alone['succeeded_per_second']}/s, {alone['of_bound']} of the bound; "
            f"CPU ms per login (last run) {last_cpu}"
        )
    table = [HEADER, *rows(measured)]
    if markdown:
        body = ["| " + " | ".join(HEADER) + " |", "| --- |" + " ---: |" * (len(HEADER) - 1)]
        body += ["| " + " | ".join(row) + " |" for row in table[1:]]
        return "\n".join(f"- {line}" for line in lines) + "\n\n" + "\n".join(body) + "\n"
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    text = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                      for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            for row in table]  # fmt: skip
    return "\n".join(lines) + "\n\n" + "\n".join(text) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("saved", nargs="?", type=Path, help="print a saved result instead")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--duration", type=int)
    parser.add_argument("--runs", type=int)
    args = parser.parse_args()
    if args.saved:
        saved = json.loads(args.saved.read_text())
        print(render(saved.get("storm_variants", saved), markdown=args.markdown), end="")
        return
    settings = from_environment(quick=args.quick, duration=args.duration, runs=args.runs)
    check_services(settings)
    started = datetime.now(UTC)
    run_id = started.strftime("%Y%m%dT%H%M%S")
    env = app_environment(
        settings,
        database=datasets.LARGE.database,
        media_root=datasets.LARGE.media_root,
        secret_key=secrets.token_urlsafe(48),
        run_id=run_id,
    )
    datasets.ensure(settings, datasets.LARGE, env)
    load_before = os.getloadavg()
    measured = measure(settings, env)
    measured |= {
        "started_at": started.isoformat(timespec="seconds"),
        "settings": {"duration": settings.duration, "runs": settings.runs,
                     "storm_concurrency": settings.storm_concurrency, "quick": settings.quick},
        "load_average": {"before": load_before, "after": os.getloadavg()},
    }  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"storms-{run_id}{'-quick' if settings.quick else ''}.json"
    path.write_text(json.dumps(measured, indent=1) + "\n")
    print(render(measured), end="")
    print(f"\nLoad average before {measured['load_average']['before']}, "
          f"after {measured['load_average']['after']}")  # fmt: skip
    print(f"Saved {path.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
