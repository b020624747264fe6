"""The results as a table on stdout, as JSON under bench/results/, and as Markdown for docs.

    python -m scripts.bench.report bench/results/<file>.json [--markdown]

prints the table again, or the Markdown that docs/performance.md quotes, from
a saved result (budgets are recomputed from the measurements).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from scripts.bench import stats
from scripts.bench.settings import RESULTS


def save(result: Mapping[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = str(result["started_at"]).replace(":", "").replace("-", "").split("+")[0]
    path = RESULTS / f"bench-{stamp}{'-quick' if result['settings']['quick'] else ''}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    return path


def _number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "invalid"}[met]


def _throughput_rows(result: Mapping[str, Any]) -> Iterator[list[str]]:
    throughput, ratios, pages = result["throughput"], result["ratios"], result["pages"]
    for c in (str(c) for c in result["settings"]["concurrencies"]):
        hello = throughput["ceiling"]["hello"][c]["median"]["rps"]
        for name in ("hello", "template"):
            summary = throughput["ceiling"][name][c]["median"]
            share = _number(stats.ratio(summary["rps"], hello), 3)
            yield [f"ceiling: {name}", c, *_timings(summary), share, "", "", ""]
        for name, page in pages.items():
            summary = throughput["1m"][name][c]["median"]
            ratio = ratios[name][c]
            yield [
                name,
                c,
                *_timings(summary),
                _number(ratio["hello"], 3),
                _number(ratio["template"], 3),
                str(page["queries"]),
                f"{page['bytes']:,}",
            ]


def _timings(summary: Mapping[str, Any]) -> list[str]:
    flag = "" if summary["valid"] else f" ({summary['errors']} errors)"
    return [_number(summary["rps"]) + flag, _number(summary["p50_ms"]), _number(summary["p99_ms"])]


THROUGHPUT_HEADER = [
    "page",
    "c",
    "req/s",
    "p50 ms",
    "p99 ms",
    "÷ hello",
    "÷ template",
    "SQL",
    "bytes",
]


def _scaling_rows(result: Mapping[str, Any]) -> Iterator[list[str]]:
    throughput = result["throughput"]
    for name in stats.SCALING_PAGES:
        small, large = throughput["10k"][name][stats.C], throughput["1m"][name][stats.C]
        per_run = stats.paired(large, small, "p50_ms")
        yield [
            name,
            _number(small["median"]["p50_ms"]),
            _number(large["median"]["p50_ms"]),
            _number(stats.ratio(large["median"]["p50_ms"], small["median"]["p50_ms"]), 2),
            " ".join("n/a" if value is None else _number(value, 2) for value in per_run),
        ]


def _other_rows(result: Mapping[str, Any]) -> Iterator[list[str]]:
    weight = result["feed_weight"]
    yield [
        "Feed page weight (HTML+CSS+JS)",
        f"{weight['bytes']:,} bytes, {weight['gzip_bytes']:,} gzipped",
    ]
    for name, part in weight["files"].items():
        yield [f"  {name}", f"{part['bytes']:,} bytes, {part['gzip_bytes']:,} gzipped"]
    images = result["images"]
    for name in ("sapling", "naive"):
        row = images[name]
        yield [
            f"Image 12 MP: {name}",
            f"{row['median_ms']} ms median, peak RSS {row['peak_rss_mb']} MB "
            f"({row['rss_over_baseline_mb']} MB above the process baseline)",
        ]
    login = result["login"]
    bound, measured = login["bound"], login["throughput"]["median"]
    yield [
        "argon2 verify",
        f"{bound['verify_cpu_ms']} ms CPU ({bound['verify_wall_ms']} ms wall), "
        f"bound {bound['bound_per_second']}/s on {bound['cores']} cores; "
        f"{bound.get('measured_per_second', '?')}/s measured in {bound['cores']} threads",
    ]
    yield [
        f"Logins (c={login['concurrency']})",
        f"{measured['rps']}/s, p50 {measured['p50_ms']} ms, p99 {measured['p99_ms']} ms, "
        f"{_number(stats.ratio(measured['rps'], bound['bound_per_second']), 3)} of the bound, "
        f"{_number(stats.ratio(measured['rps'], bound.get('measured_per_second', 0)), 3)} "
        "of the measured",
    ]
    storm = result["storm"]
    yield [
        f"Storm logins (c={storm['login_concurrency']})",
        f"{storm['logins']['rps']}/s, errors {sum(storm['logins']['errors'].values())}",
    ]
    for name, page in storm["pages"].items():
        summary = page["median"]
        yield [
            f"  {name} during the storm (c={stats.C})",
            f"{summary['rps']} req/s, p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms",
        ]
    yield from _write_rows(result.get("writes"))


def _write_rows(writes: Mapping[str, Any] | None) -> Iterator[list[str]]:
    for name, measured in (writes or {}).items():
        if not isinstance(measured, Mapping) or "median" not in measured:
            continue
        summary, p99 = measured["median"], measured["median"]["spread"]["p99_ms"]
        who = f", {measured['followers']:,} followers" if "followers" in measured else ""
        yield [
            f"Write: {name} (c={measured.get('concurrency', stats.C)}{who})",
            f"{summary['rps']}/s, p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms "
            f"(p99 {p99['min']}–{p99['max']} over {summary['runs']} runs)"
            + ("" if summary["valid"] else f", {summary['errors']} errors"),
        ]


def _budget_rows(result: Mapping[str, Any]) -> Iterator[list[str]]:
    for line in stats.budgets(result):
        sign = "≤" if line["at_most"] else "≥"
        spread = line.get("spread")
        span = f"{_number(spread['min'], 3)} – {_number(spread['max'], 3)}" if spread else ""
        runs = f"{line['runs_met']}/{len(line['runs'])}" if "runs" in line else ""
        rule = "each run" if line.get("rule") == stats.EVERY_RUN else "median"
        yield [line["budget"], _number(line["measured"], 3), span, f"{sign} {line['limit']}",
               runs, rule, _verdict(line["met"])]  # fmt: skip


BUDGET_HEADER = ["budget", "median", "min – max", "limit", "runs met", "judged on", "verdict"]


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    aligned = ["---"] + ["---:"] * (len(header) - 1)
    lines = [header, aligned, *rows]
    return "\n".join("| " + " | ".join(row) + " |" for row in lines)


def _heading(result: Mapping[str, Any]) -> list[str]:
    m, rows = result["machine"], result["datasets"]["1m"]["rows"]
    load, server, run = result.get("load_average", {}), result["gunicorn"], result["settings"]
    return [
        f"Sapling bench, {result['started_at']}, commit {m['git_commit'][:10]}"
        + (" (with uncommitted changes)" if m["git_dirty"] else ""),
        f"{m['cpu_count']} × {m['cpu_model']}, Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}, Redis {m['redis']}, {m['wrk']}",
        f"gunicorn {server['worker_class']}, {server['workers']} workers × "
        f"{server['threads']} threads, max_requests {server['max_requests']}; "
        f"{run['runs']} runs of {run['duration']} s each, medians and spreads",
        "1M dataset: " + ", ".join(f"{count:,} {table}" for table, count in rows.items()),
        f"Load average before {_load(load.get('before'))}, after {_load(load.get('after'))}; "
        "worker boots "
        + ", ".join(f"{name} {count}" for name, count in result.get("worker_boots", {}).items()),
    ]


def _load(values: list[float] | None) -> str:
    return "?" if not values else " ".join(f"{v:.2f}" for v in values)


def render(result: Mapping[str, Any], *, markdown: bool = False) -> str:
    table = _markdown_table if markdown else _text_table
    sections = [
        ("Pages at 1M posts, and the ceiling", THROUGHPUT_HEADER, list(_throughput_rows(result))),
        ("p50 at 10k and at 1M posts (c=16)",
         ["page", "10k ms", "1M ms", "ratio of medians", "ratio in each run"],
         list(_scaling_rows(result))),
        ("Other measurements", ["what", "result"], list(_other_rows(result))),
        ("Budgets (issues #10 and #18)", BUDGET_HEADER, list(_budget_rows(result))),
    ]  # fmt: skip
    out = ["\n".join(("- " if markdown else "") + line for line in _heading(result))]
    for title, header, rows in sections:
        out.append(("### " if markdown else "== ") + title + ("" if markdown else " =="))
        out.append(table(header, rows))
    return "\n\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--markdown", action="store_true", help="Markdown for docs/")
    args = parser.parse_args()
    print(render(json.loads(args.path.read_text()), markdown=args.markdown), end="")


if __name__ == "__main__":
    main()
