"""Medians, spreads, ratios to the ceiling, and the budgets of issues #10 and #18.

Pure functions of the results. Every budget is evaluated over the runs: ratios
are paired run by run (run i of both sides was measured in the same round), the
median decides, and the spread (min, median, max) is shown beside it; the
scaling ratios must hold in every run (issue #18: "in each run, not only in the
median").
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

C = "16"  # the budgets' concurrency
FEED_CEILING_SHARE = 0.15
FEED_P99_MS = 50.0
SCALING_FACTOR = 1.5
SCALING_PAGES = ("feed", "profile", "hashtag")
QUERIES_PER_PAGE = 6
IMAGE_MS = 300.0
IMAGE_MB = 64.0
IMAGE_SPEEDUP = 2.0
LOGIN_SHARE = 0.9
STORM_P99_MS = 100.0
FEED_WEIGHT_BYTES = 60_000  # 60 KB, counted as 60,000 bytes
WRITE_P99_MS = 100.0  # a like, a comment
BIG_POST_FACTOR = 1.2  # a post by an account with 10,000 followers, against an ordinary one


EVERY_RUN = "every run"  # the budget must hold in each run (the issue says so for scaling)
MEDIAN = "median"  # the median over the runs decides; the spread is shown beside it


def spread(values: Sequence[float]) -> dict[str, float]:
    return {
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


def summarise(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The median of each number over the runs, and its spread; any error invalidates them."""
    errors = sum(sum(run["errors"].values()) for run in runs)
    return {
        "rps": round(statistics.median(run["rps"] for run in runs), 1),
        "p50_ms": round(statistics.median(run["p50_ms"] for run in runs), 2),
        "p99_ms": round(statistics.median(run["p99_ms"] for run in runs), 2),
        "spread": {key: spread([run[key] for run in runs]) for key in ("rps", "p50_ms", "p99_ms")},
        "errors": errors,
        "valid": errors == 0 and all(run["requests"] > 0 for run in runs),
        "runs": len(runs),
    }


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None


def budget(
    label: str,
    measured: float | None,
    limit: float,
    *,
    at_most: bool,
    valid: bool = True,
    runs: Sequence[float | None] = (),
    rule: str = MEDIAN,
) -> dict[str, Any]:
    """One budget line. ``met`` is None when the measurement is missing or invalid.

    ``runs`` are the per-run values, when there are several: ``measured`` is then
    their median unless given, and with ``rule=EVERY_RUN`` the budget is met only
    if each of them meets it.
    """
    values = [value for value in runs if value is not None]
    if values and len(values) < len(runs):
        valid = False  # a run without a value (a zero ceiling) cannot count as met
    if values and measured is None:
        measured = statistics.median(values)

    def meets(value: float) -> bool:
        return value <= limit if at_most else value >= limit

    met = None
    if measured is not None and valid:
        met = all(meets(v) for v in values) if rule == EVERY_RUN and values else meets(measured)
    line: dict[str, Any] = {
        "budget": label,
        "measured": None if measured is None else round(measured, 3),
        "limit": limit,
        "at_most": at_most,
        "rule": rule,
        "met": met,
    }
    if values:
        line |= {
            "runs": [round(v, 3) for v in values],
            "spread": spread(values),
            "runs_met": sum(meets(v) for v in values),
        }
    return line


def _measurement(result: Mapping[str, Any], group: str, target: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (
        result.get("throughput", {}).get(group, {}).get(target, {}).get(C)
    )
    return found


def paired(part: Mapping[str, Any], whole: Mapping[str, Any], key: str) -> list[float | None]:
    """``part``'s value over ``whole``'s in each run: run i of both was in the same round."""
    return [
        ratio(a[key], b[key]) if a["requests"] and b["requests"] else None
        for a, b in zip(part["runs"], whole["runs"], strict=False)
    ]


def budgets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every budget of the issue, met or not, from a result as report.py writes it."""
    lines = []
    feed, hello = _measurement(result, "1m", "feed"), _measurement(result, "ceiling", "hello")
    if feed and hello:
        valid = feed["median"]["valid"] and hello["median"]["valid"]
        lines.append(
            budget(
                "Feed req/s / hello-world req/s (c=16, 1M posts)",
                None,
                FEED_CEILING_SHARE,
                at_most=False,
                valid=valid,
                runs=paired(feed, hello, "rps"),
            )
        )
        lines.append(
            budget("Feed p99 ms (c=16, 1M posts)", None, FEED_P99_MS, at_most=True,
                   valid=feed["median"]["valid"], runs=_p99s(feed))
        )  # fmt: skip
    for page in SCALING_PAGES:
        large, small = _measurement(result, "1m", page), _measurement(result, "10k", page)
        if large and small:
            lines.append(
                budget(
                    f"{page.capitalize()} p50 at 1M posts / p50 at 10k posts (c=16)",
                    None,
                    SCALING_FACTOR,
                    at_most=True,
                    valid=large["median"]["valid"] and small["median"]["valid"],
                    runs=paired(large, small, "p50_ms"),
                    rule=EVERY_RUN,
                )
            )
    for name, page in result.get("pages", {}).items():
        if page.get("queries") is not None:
            lines.append(
                budget(f"SQL queries: {name}", page["queries"], QUERIES_PER_PAGE, at_most=True)
            )
    lines += _image_budgets(result.get("images"))
    lines += _login_budgets(result.get("login"), result.get("storm"))
    lines += _write_budgets(result.get("writes"))
    weight = result.get("feed_weight")
    if weight:
        lines.append(
            budget(
                "Feed HTML+CSS+JS bytes (uncompressed)",
                weight["bytes"],
                FEED_WEIGHT_BYTES,
                at_most=True,
            )
        )
    return lines


def _image_budgets(images: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if not images:
        return []
    ours, naive = images["sapling"], images["naive"]
    timings = ours.get("timings_ms", [])
    speedups = [ratio(n, o) for n, o in zip(naive.get("timings_ms", []), timings, strict=False)]
    return [
        budget(
            "Image pipeline ms per 12 MP upload",
            ours["median_ms"],
            IMAGE_MS,
            at_most=True,
            runs=timings,
        ),
        budget(
            "Image pipeline peak RSS MB above the process baseline",
            ours["rss_over_baseline_mb"],
            IMAGE_MB,
            at_most=True,
        ),
        budget(
            "Image pipeline speed-up over naive Pillow",
            ratio(naive["median_ms"], ours["median_ms"]),
            IMAGE_SPEEDUP,
            at_most=False,
            runs=speedups,
        ),
    ]


def _login_budgets(
    login: Mapping[str, Any] | None, storm: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    lines = []
    if login:
        measured, bound = login["throughput"], login["bound"]["bound_per_second"]
        lines.append(
            budget(
                "Logins/s / argon2 bound (cores / CPU time of one verify)",
                None,
                LOGIN_SHARE,
                at_most=False,
                valid=measured["median"]["valid"],
                runs=[
                    ratio(r["rps"], bound) if r["requests"] else None
                    for r in measured.get("runs", [])
                ]
                or [ratio(measured["median"]["rps"], bound)],
            )
        )
    if storm:
        for name, page in storm["pages"].items():
            lines.append(
                budget(
                    f"{name.capitalize()} p99 ms during a login storm (c=16)",
                    None,
                    STORM_P99_MS,
                    at_most=True,
                    valid=page["median"]["valid"],
                    runs=_p99s(page),
                )
            )
    return lines


def _p99s(measurement: Mapping[str, Any]) -> list[float | None]:
    """Each run's p99; None for a run that answered nothing (its p99 of 0 means nothing)."""
    runs = measurement.get("runs", [])
    return [run["p99_ms"] if run["requests"] else None for run in runs] or [
        measurement["median"]["p99_ms"]
    ]


def _write_budgets(writes: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """p99 of a like and of a comment; a big account's post against an ordinary one's."""
    if not writes:
        return []
    lines = []
    for name in ("like", "comment"):
        measured = writes.get(name)
        if measured:
            lines.append(
                budget(
                    f"{name.capitalize()} p99 ms (c={C}, 1M posts)",
                    None,
                    WRITE_P99_MS,
                    at_most=True,
                    valid=measured["median"]["valid"],
                    runs=_p99s(measured),
                )
            )
    ordinary, big = writes.get("post_ordinary"), writes.get("post_big")
    if ordinary and big:
        valid = ordinary["median"]["valid"] and big["median"]["valid"]
        for key, label in (("p50_ms", "p50"), ("p99_ms", "p99")):
            lines.append(
                budget(
                    f"Post {label}: account with {big['followers']:,} followers / ordinary",
                    None,
                    BIG_POST_FACTOR,
                    at_most=True,
                    valid=valid,
                    runs=paired(big, ordinary, key),
                )
            )
    return lines
