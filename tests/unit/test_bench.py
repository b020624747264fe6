"""The pure parts of `make bench`: reading wrk, medians, ratios and budgets, settings, cookies."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from urllib3 import HTTPHeaderDict

from scripts.bench import datasets, report, settings, stats, wrk
from scripts.bench.client import Browser

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/home
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.12ms   10.01ms 120.50ms   70.00%
  2000 requests in 5.00s, 40.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    400.00
Transfer/sec:      8.00MB
WRK_JSON {"requests": 2000, "duration_us": 5000000, "bytes": 41943040, \
"errors": {"connect": 0, "read": 0, "write": 0, "status": 3, "timeout": 0}, \
"latency_us": {"p50": 38000, "p90": 52000, "p99": 97500, "max": 120500, "mean": 40120.0}}
"""


def test_wrk_results_are_read_from_the_json_line() -> None:
    run = wrk.parse_output(WRK_OUTPUT)
    assert run.requests == 2000
    assert run.rps == 400.0
    assert (run.p50_ms, run.p90_ms, run.p99_ms, run.max_ms) == (38.0, 52.0, 97.5, 120.5)
    assert run.error_count == 3
    assert run.as_dict()["rps"] == 400.0


def test_wrk_output_without_results_is_an_error() -> None:
    with pytest.raises(ValueError, match="no results"):
        wrk.parse_output("unable to connect to 127.0.0.1:8000 Connection refused\n")


def test_wrk_command_caps_threads_at_connections_and_passes_script_arguments() -> None:
    command = wrk.command(
        "http://127.0.0.1:1/login",
        concurrency=1,
        seconds=5,
        headers={"X-Forwarded-Proto": "https"},
        threads=2,
        script_args=["pairs.txt"],
    )
    assert command[1:4] == ["-t1", "-c1", "-d5s"]
    assert command[command.index("-H") + 1] == "X-Forwarded-Proto: https"
    assert command[-3:] == ["http://127.0.0.1:1/login", "--", "pairs.txt"]


def _run(rps: float, p50: float, p99: float, errors: int = 0) -> dict[str, Any]:
    return {
        "requests": int(rps * 5),
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": {"status": errors, "timeout": 0},
    }


def test_summary_takes_each_median_and_errors_invalidate() -> None:
    runs = [_run(100, 10, 40), _run(300, 30, 20), _run(200, 20, 90)]
    summary = stats.summarise(runs)
    assert (summary["rps"], summary["p50_ms"], summary["p99_ms"]) == (200, 20, 40)
    assert summary["valid"]
    assert not stats.summarise([*runs, _run(200, 20, 40, errors=1)])["valid"]


def test_budgets_compare_in_the_right_direction_and_skip_invalid_ones() -> None:
    assert stats.budget("x", 50.0, 50.0, at_most=True)["met"] is True
    assert stats.budget("x", 50.1, 50.0, at_most=True)["met"] is False
    assert stats.budget("x", 0.14, 0.15, at_most=False)["met"] is False
    assert stats.budget("x", 0.2, 0.15, at_most=False, valid=False)["met"] is None
    assert stats.ratio(1.0, 0.0) is None


def _measured(rps: float, p50: float, p99: float) -> dict[str, Any]:
    return {stats.C: _runs(_run(rps, p50, p99))}


def _runs(*runs: dict[str, Any]) -> dict[str, Any]:
    return {"runs": list(runs), "median": stats.summarise(runs)}


def _result() -> dict[str, Any]:
    return {
        "throughput": {
            "ceiling": {"hello": _measured(1000, 5, 10)},
            "1m": {
                "feed": _measured(160, 20, 45),
                "profile": _measured(150, 31, 60),
                "hashtag": _measured(150, 10, 60),
            },
            "10k": {
                "feed": _measured(170, 18, 40),
                "profile": _measured(170, 20, 40),
                "hashtag": _measured(170, 10, 40),
            },
        },
        "pages": {"feed": {"queries": 5}, "post": {"queries": 7}},
        "images": {
            "sapling": {"median_ms": 170.0, "rss_over_baseline_mb": 26.0},
            "naive": {"median_ms": 460.0, "rss_over_baseline_mb": 69.0},
        },
        "login": {
            "bound": {"bound_per_second": 12.0},
            "throughput": _runs(_run(11.5, 900, 1500)),
        },
        "storm": {"pages": {"feed": _runs(_run(50, 60, 240))}},
        "writes": {
            "like": _runs(_run(100, 20, 80)),
            "comment": _runs(_run(100, 30, 120)),
            "post_ordinary": _runs(_run(20, 100, 200)),
            "post_big": {**_runs(_run(20, 110, 260)), "followers": 12_345},
        },
        "feed_weight": {"bytes": 61_000},
    }


def test_every_budget_of_the_issue_is_reported_met_or_not() -> None:
    verdicts = {line["budget"]: line["met"] for line in stats.budgets(_result())}
    assert verdicts == {
        "Feed req/s / hello-world req/s (c=16, 1M posts)": True,
        "Feed p99 ms (c=16, 1M posts)": True,
        "Feed p50 at 1M posts / p50 at 10k posts (c=16)": True,
        "Profile p50 at 1M posts / p50 at 10k posts (c=16)": False,
        "Hashtag p50 at 1M posts / p50 at 10k posts (c=16)": True,
        "SQL queries: feed": True,
        "SQL queries: post": False,
        "Image pipeline ms per 12 MP upload": True,
        "Image pipeline peak RSS MB above the process baseline": True,
        "Image pipeline speed-up over naive Pillow": True,
        "Logins/s / argon2 bound (cores / CPU time of one verify)": True,
        "Feed p99 ms during a login storm (c=16)": False,
        "Like p99 ms (c=16, 1M posts)": True,
        "Comment p99 ms (c=16, 1M posts)": False,
        "Post p50: account with 12,345 followers / ordinary": True,
        "Post p99: account with 12,345 followers / ordinary": False,
        "Feed HTML+CSS+JS bytes (uncompressed)": False,
    }


def _line(result: dict[str, Any], label: str) -> dict[str, Any]:
    return next(line for line in stats.budgets(result) if line["budget"].startswith(label))


def test_the_scaling_ratio_must_hold_in_every_run_not_only_in_the_median() -> None:
    result = _result()
    # Run 2 of the 1M hashtag page was slow: the median ratio is fine, run 2's is not.
    result["throughput"]["1m"]["hashtag"] = {
        stats.C: _runs(_run(150, 10, 60), _run(150, 16, 60), _run(150, 10, 60))
    }
    result["throughput"]["10k"]["hashtag"] = {
        stats.C: _runs(_run(170, 10, 40), _run(170, 10, 40), _run(170, 10, 40))
    }
    line = _line(result, "Hashtag p50")
    assert line["rule"] == stats.EVERY_RUN
    assert line["runs"] == [1.0, 1.6, 1.0]
    assert line["measured"] == 1.0
    assert line["spread"] == {"min": 1.0, "median": 1.0, "max": 1.6}
    assert (line["runs_met"], line["met"]) == (2, False)


def test_ratios_pair_the_runs_of_the_same_round() -> None:
    result = _result()
    # Each round's load hit both alike: run by run the ratio is steady, the medians mislead.
    result["throughput"]["1m"]["feed"] = {stats.C: _runs(_run(100, 1, 1), _run(300, 1, 1))}
    result["throughput"]["ceiling"]["hello"] = {stats.C: _runs(_run(500, 1, 1), _run(1500, 1, 1))}
    line = _line(result, "Feed req/s")
    assert line["runs"] == [0.2, 0.2]
    assert line["met"] is True
    assert line["rule"] == stats.MEDIAN


def test_median_budgets_show_their_spread_and_how_many_runs_met_them() -> None:
    result = _result()
    result["writes"]["like"] = _runs(_run(100, 20, 80), _run(100, 20, 150), _run(100, 20, 90))
    line = _line(result, "Like p99")
    assert line["measured"] == 90.0
    assert line["spread"] == {"min": 80.0, "median": 90.0, "max": 150.0}
    assert (line["runs_met"], line["met"]) == (2, True)
    assert "spread" not in _line(result, "SQL queries: feed")  # one number, no runs


def test_a_run_that_answered_nothing_is_no_evidence_of_a_budget_met() -> None:
    result = _result()
    silent = {**_run(0, 0, 0), "requests": 0}
    result["storm"]["pages"]["feed"] = _runs(_run(50, 20, 90), silent)
    line = _line(result, "Feed p99 ms during a login storm")
    assert (line["met"], line["runs"]) == (None, [90.0])  # its p99 of 0 is not in the spread


def test_a_missing_ratio_in_one_run_makes_the_budget_invalid() -> None:
    line = stats.budget("x", None, 1.5, at_most=True, runs=[1.0, None], rule=stats.EVERY_RUN)
    assert line["met"] is None


def test_settings_come_from_the_environment_then_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BENCH_DURATION", "7")
    monkeypatch.setenv("BENCH_RUNS", "5")
    monkeypatch.setenv("BENCH_REDIS_URL", "redis://example.invalid:1/2")
    chosen = settings.from_environment(quick=False, duration=None, runs=None)
    assert (chosen.duration, chosen.runs, chosen.redis_url) == (7, 5, "redis://example.invalid:1/2")
    assert settings.from_environment(quick=True, duration=3, runs=None).duration == 3
    monkeypatch.delenv("BENCH_DURATION")
    assert settings.from_environment(quick=True, duration=None, runs=None).duration == 2


def test_secure_host_cookies_are_kept_by_hand_and_deleted_cookies_dropped() -> None:
    browser = Browser("http://127.0.0.1:1", cookies={"__Host-sapling_auth": "old"})
    headers = HTTPHeaderDict()
    headers.add("Set-Cookie", "__Host-sapling_session=abc.def; Secure; HttpOnly; Path=/")
    headers.add(
        "Set-Cookie",
        "__Host-sapling_auth=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; Path=/",
    )
    browser.keep_cookies(SimpleNamespace(raw=SimpleNamespace(headers=headers)))  # type: ignore[arg-type]
    assert browser.cookies == {"__Host-sapling_session": "abc.def"}
    assert browser.headers()["Cookie"] == "__Host-sapling_session=abc.def"
    assert browser.headers()["X-Forwarded-Proto"] == "https"


def _full_result() -> dict[str, Any]:
    """A result with every section report.render reads, as runner.run builds it."""
    result = _result()
    names = ["landing", "feed", "profile", "hashtag"]
    result["throughput"]["ceiling"]["template"] = _measured(400, 8, 20)
    result["pages"] = {name: {"queries": 4, "bytes": 1234} for name in names}
    result["throughput"]["1m"]["landing"] = _measured(500, 5, 30)
    result["ratios"] = {name: {stats.C: {"hello": 0.5, "template": 0.9}} for name in names}
    result["settings"] = {"concurrencies": [16], "runs": 3, "duration": 5}
    result["started_at"] = "2026-01-01T00:00:00+00:00"
    result["machine"] = {
        "git_commit": "0123456789abcdef",
        "git_dirty": False,
        "cpu_count": 2,
        "cpu_model": "Test CPU",
        "python": "3.11",
        "postgresql": "15",
        "redis": "7",
        "wrk": "wrk 4.1.0",
    }
    result["gunicorn"] = {"worker_class": "gthread", "workers": 4, "threads": 4, "max_requests": 0}
    result["datasets"] = {"1m": {"rows": {"users": 100_000, "posts": 1_000_000}}}
    result["feed_weight"] |= {
        "gzip_bytes": 9_000,
        "files": {"/home": {"bytes": 1, "gzip_bytes": 1}},
    }
    result["images"]["sapling"]["peak_rss_mb"] = 150.0
    result["images"]["naive"]["peak_rss_mb"] = 90.0
    result["login"]["bound"] |= {"verify_cpu_ms": 160.0, "verify_wall_ms": 120.0, "cores": 2}
    result["login"]["concurrency"] = 16
    result["storm"] |= {"login_concurrency": 8, "logins": {"rps": 10.0, "errors": {"status": 0}}}
    return result


def test_a_result_renders_as_a_text_table_and_as_markdown() -> None:
    result = _full_result()
    text = report.render(result)
    assert "== Budgets (issues #10 and #18) ==" in text
    assert "MISSED" in text
    assert "feed     " in text
    markdown = report.render(result, markdown=True)
    assert "| budget | median | min – max | limit | runs met | judged on | verdict |" in markdown
    assert "Write: post_big (c=16, 12,345 followers)" in markdown
    assert json.loads(json.dumps(result)) == result  # what report.save writes reads back


def test_the_bench_knows_every_migration_of_this_checkout() -> None:
    """What it compares a shared bench database's revision with (another branch's is skipped)."""
    files = list((settings.PROJECT / "migrations").glob("*_*.py"))
    known = datasets.known_revisions()
    assert len(known) == len(files)
    assert all(any(revision in path.name for path in files) for revision in known)
