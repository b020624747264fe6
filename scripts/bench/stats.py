"""Medians, ratios to the ceiling, and the budgets of issue #10. Pure functions of the results."""

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


def summarise(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The median of each number over the runs; a run with any error invalidates them."""
    errors = sum(sum(run["errors"].values()) for run in runs)
    return {
        "rps": round(statistics.median(run["rps"] for run in runs), 1),
        "p50_ms": round(statistics.median(run["p50_ms"] for run in runs), 2),
        "p99_ms": round(statistics.median(run["p99_ms"] for run in runs), 2),
        "errors": errors,
        "valid": errors == 0 and all(run["requests"] > 0 for run in runs),
        "runs": len(runs),
    }


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None


def budget(
    label: str, measured: float | None, limit: float, *, at_most: bool, valid: bool = True
) -> dict[str, Any]:
    """One budget line. ``met`` is None when the measurement is missing or invalid."""
    met = None
    if measured is not None and valid:
        met = measured <= limit if at_most else measured >= limit
    return {
        "budget": label,
        "measured": None if measured is None else round(measured, 3),
        "limit": limit,
        "at_most": at_most,
        "met": met,
    }


def _summary(result: Mapping[str, Any], group: str, target: str) -> dict[str, Any] | None:
    summary: dict[str, Any] | None = (
        result.get("throughput", {}).get(group, {}).get(target, {}).get(C, {}).get("median")
    )
    return summary


def budgets(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every budget of the issue, met or not, from a result as report.py writes it."""
    lines = []
    feed, hello = _summary(result, "1m", "feed"), _summary(result, "ceiling", "hello")
    if feed and hello:
        valid = feed["valid"] and hello["valid"]
        share = ratio(feed["rps"], hello["rps"])
        lines.append(
            budget(
                "Feed req/s / hello-world req/s (c=16, 1M posts)",
                share,
                FEED_CEILING_SHARE,
                at_most=False,
                valid=valid,
            )
        )
        lines.append(
            budget("Feed p99 ms (c=16, 1M posts)", feed["p99_ms"], FEED_P99_MS, at_most=True,
                   valid=feed["valid"])
        )  # fmt: skip
    for page in SCALING_PAGES:
        large, small = _summary(result, "1m", page), _summary(result, "10k", page)
        if large and small:
            lines.append(
                budget(
                    f"{page.capitalize()} p50 at 1M posts / p50 at 10k posts (c=16)",
                    ratio(large["p50_ms"], small["p50_ms"]),
                    SCALING_FACTOR,
                    at_most=True,
                    valid=large["valid"] and small["valid"],
                )
            )
    for name, page in result.get("pages", {}).items():
        if page.get("queries") is not None:
            lines.append(
                budget(f"SQL queries: {name}", page["queries"], QUERIES_PER_PAGE, at_most=True)
            )
    lines += _image_budgets(result.get("images"))
    lines += _login_budgets(result.get("login"), result.get("storm"))
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
    return [
        budget("Image pipeline ms per 12 MP upload", ours["median_ms"], IMAGE_MS, at_most=True),
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
        ),
    ]


def _login_budgets(
    login: Mapping[str, Any] | None, storm: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    lines = []
    if login:
        measured = login["throughput"]["median"]
        lines.append(
            budget(
                "Logins/s / argon2 bound (cores / CPU time of one verify)",
                ratio(measured["rps"], login["bound"]["bound_per_second"]),
                LOGIN_SHARE,
                at_most=False,
                valid=measured["valid"],
            )
        )
    if storm:
        for name, page in storm["pages"].items():
            summary = page["median"]
            lines.append(
                budget(
                    f"{name.capitalize()} p99 ms during a login storm (c=16)",
                    summary["p99_ms"],
                    STORM_P99_MS,
                    at_most=True,
                    valid=summary["valid"],
                )
            )
    return lines
