"""One bench run, start to finish: datasets, servers, measurements; returns the result."""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from app.demo.demo_seed import DEMO_PASSWORD
from scripts.bench import datasets, images, logins, machine, pages, stats, storms, writes, wrk
from scripts.bench.client import FORWARDED, Browser
from scripts.bench.servers import CEILING_APP, SAPLING_APP, Server
from scripts.bench.settings import WORKDIR, Settings, app_environment, database_url

STORM_PAGES = ("feed", "post")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Target:
    group: str  # "1m", "10k" or "ceiling"
    name: str
    url: str
    headers: Mapping[str, str]
    concurrencies: tuple[int, ...]


def run(settings: Settings) -> dict[str, Any]:
    started, clock = datetime.now(UTC), time.perf_counter()
    load_before = os.getloadavg()
    run_id = started.strftime("%Y%m%dT%H%M%S")
    secret_key = secrets.token_urlsafe(48)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    sets = {dataset.name: dataset for dataset in (datasets.LARGE, datasets.SMALL)}
    envs = {
        name: app_environment(
            settings,
            database=dataset.database,
            media_root=dataset.media_root,
            secret_key=secret_key,
            run_id=run_id,
        )
        for name, dataset in sets.items()
    }
    result: dict[str, Any] = {
        "schema": 2,  # 2: budgets with runs and spreads; writes
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine.describe(settings),
        "settings": asdict(settings),
        "gunicorn": machine.gunicorn_settings(settings.cores),
        "datasets": {name: datasets.ensure(settings, d, envs[name]) for name, d in sets.items()},
    }
    measured_from = time.perf_counter()
    with ExitStack() as stack:
        boot = {"boot_seconds": settings.boot_seconds}
        large = stack.enter_context(Server("sapling-1m", SAPLING_APP, envs["1m"], **boot))
        small = stack.enter_context(Server("sapling-10k", SAPLING_APP, envs["10k"], **boot))
        ceiling = stack.enter_context(Server("ceiling", CEILING_APP, envs["1m"], **boot))
        result |= _measure_pages(settings, large, small, ceiling)
        result |= _measure_logins(settings, large, result["pages"])
        log(f"Writes: like, comment and post at c={settings.concurrencies[0]} ...")
        result["writes"] = writes.measure(
            large.url,
            dict(large.env),
            database_url(settings, datasets.LARGE.database),
            WORKDIR,
            large.log_path,
            runs=settings.runs,
            duration=settings.duration,
            warmup=settings.warmup,
            concurrency=settings.concurrencies[0],
        )
        result["worker_boots"] = {s.name: s.worker_boots() for s in (large, small, ceiling)}
    log("The login storm, four ways (scripts/bench/storms.py) ...")
    result["storm_variants"] = storms.measure(settings, envs["1m"])
    log("Image pipeline against naive Pillow ...")
    result["images"] = images.measure(settings.image_runs)
    result["load_average"] = {"before": load_before, "after": os.getloadavg()}
    result["wall_seconds"] = {
        "total": round(time.perf_counter() - clock, 1),
        "measuring": round(time.perf_counter() - measured_from, 1),
    }
    result["budgets"] = stats.budgets(result)
    return result


def _member(server: Server) -> Browser:
    browser = Browser(server.url)
    browser.log_in("demo", DEMO_PASSWORD)
    return browser


def _measure_pages(
    settings: Settings, large: Server, small: Server, ceiling: Server
) -> dict[str, Any]:
    large_db = database_url(settings, datasets.LARGE.database)
    member, member_small = _member(large), _member(small)
    found = pages.find_pages(member, large_db)
    found_small = pages.find_pages(member_small, database_url(settings, datasets.SMALL.database))
    sizes = pages.check_pages(found, Browser(large.url), member)
    pages.check_pages(found_small, Browser(small.url), member_small)
    log("Counting SQL queries per page ...")
    queries = pages.query_counts(dict(large.env), found, member.cookie_header)
    page_info = {
        page.name: {
            "path": page.path,
            "logged_in": page.logged_in,
            "queries": queries[page.name],
            "bytes": sizes[page.name],
        }
        for page in found
    }
    everywhere, budget_c = settings.concurrencies, (settings.concurrencies[0],)
    targets = [
        Target("ceiling", "hello", ceiling.url + "/", FORWARDED, everywhere),
        Target("ceiling", "template", ceiling.url + "/template", FORWARDED, everywhere),
    ]
    small_pages = {page.name: page for page in found_small}
    for page in found:
        targets.append(_target("1m", large.url, page, member, everywhere))
        if page.name in stats.SCALING_PAGES:  # right after: the pair's ratio is taken per run
            targets.append(
                _target("10k", small.url, small_pages[page.name], member_small, budget_c)
            )
    throughput = _interleaved(settings, targets)
    return {
        "pages": page_info,
        "feed_weight": pages.page_weight(member, "/home"),
        "throughput": throughput,
        "ratios": _ratios(throughput),
    }


def _target(
    group: str, base: str, page: pages.Page, member: Browser, cs: tuple[int, ...]
) -> Target:
    headers = {**FORWARDED, "Cookie": member.cookie_header} if page.logged_in else FORWARDED
    return Target(group, page.name, base + page.path, headers, cs)


def _wrk(settings: Settings, target: Target, concurrency: int, seconds: int) -> wrk.WrkRun:
    return wrk.run(
        target.url,
        concurrency=concurrency,
        seconds=seconds,
        headers=target.headers,
        threads=settings.cores,
    )


def _interleaved(settings: Settings, targets: list[Target]) -> dict[str, Any]:
    """Round after round over every target, so slow drifts in the machine's load hit all alike."""
    runs: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for round_number in range(1, settings.runs + 1):
        for concurrency, target in _schedule(settings, targets):
            key = (target.group, target.name, concurrency)
            if key not in runs and settings.warmup:
                _wrk(settings, target, concurrency, settings.warmup)
            measured = _wrk(settings, target, concurrency, settings.duration)
            runs.setdefault(key, []).append(measured.as_dict())
            log(
                f"  {target.group:>7} {target.name:<13} c={concurrency:<3} run {round_number}: "
                f"{measured.rps:8.1f} req/s  p50 {measured.p50_ms:7.1f} ms  "
                f"p99 {measured.p99_ms:7.1f} ms"
                + (f"  ERRORS {measured.errors}" if measured.error_count else "")
            )
    throughput: dict[str, Any] = {}
    for (group, name, concurrency), measured_runs in runs.items():
        throughput.setdefault(group, {}).setdefault(name, {})[str(concurrency)] = {
            "runs": measured_runs,
            "median": stats.summarise(measured_runs),
        }
    return throughput


def _schedule(settings: Settings, targets: list[Target]) -> Iterator[tuple[int, Target]]:
    for concurrency in settings.concurrencies:
        for target in targets:
            if concurrency in target.concurrencies:
                yield concurrency, target


def _ratios(throughput: Mapping[str, Any]) -> dict[str, Any]:
    ceiling = throughput["ceiling"]
    ratios: dict[str, Any] = {}
    for name, by_c in throughput["1m"].items():
        for c, measured in by_c.items():
            rps = measured["median"]["rps"]
            ratios.setdefault(name, {})[c] = {
                "hello": stats.ratio(rps, ceiling["hello"][c]["median"]["rps"]),
                "template": stats.ratio(rps, ceiling["template"][c]["median"]["rps"]),
            }
    return ratios


def _measure_logins(
    settings: Settings, large: Server, page_info: Mapping[str, Any]
) -> dict[str, Any]:
    large_db = database_url(settings, datasets.LARGE.database)
    log("argon2: timing one verify ...")
    bound = logins.argon2_bound(large_db, settings.cores)
    pairs = logins.login_pairs(large.url, large_db, WORKDIR)
    script = wrk.login_script(WORKDIR)
    concurrency, page_concurrency = settings.logins_in_flight, settings.concurrencies[0]
    runs = []
    for number in range(1, settings.runs + 1):
        process = logins.start_logins(
            large.url,
            pairs=pairs,
            script=script,
            concurrency=concurrency,
            seconds=settings.duration,
            threads=settings.cores,
        )
        measured = logins.finish_logins(process)
        runs.append(measured.as_dict())
        log(
            f"  logins c={concurrency} run {number}: {measured.rps:.1f}/s, errors {measured.errors}"
        )
    member = _member(large)
    storm_targets = [
        Target("storm", name, large.url + page_info[name]["path"],
               {**FORWARDED, "Cookie": member.cookie_header}, (page_concurrency,))
        for name in STORM_PAGES
    ]  # fmt: skip
    storm_seconds = settings.warmup + len(storm_targets) * settings.runs * settings.duration + 1
    log(f"Login storm (c={settings.storm_concurrency}) for {storm_seconds} s ...")
    storm = logins.start_logins(
        large.url,
        pairs=pairs,
        script=script,
        concurrency=settings.storm_concurrency,
        seconds=storm_seconds,
        threads=1,
    )
    time.sleep(settings.warmup)
    storm_pages = _interleaved(replace(settings, warmup=0), storm_targets)["storm"]
    storm_run = logins.finish_logins(storm)
    return {
        "login": {
            "bound": bound,
            "concurrency": concurrency,
            "throughput": {"runs": runs, "median": stats.summarise(runs)},
        },
        "storm": {
            "login_concurrency": settings.storm_concurrency,
            "logins": storm_run.as_dict(),
            "pages": {name: by_c[str(page_concurrency)] for name, by_c in storm_pages.items()},
        },
    }
