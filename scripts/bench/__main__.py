"""`python -m scripts.bench`: see scripts/bench/__init__.py."""

from __future__ import annotations

import argparse

from scripts.bench import report, runner, settings


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.bench",
        description="Sapling under load in production configuration, against a ceiling.",
    )
    parser.add_argument("--quick", action="store_true", help="2 s runs, once: for development")
    parser.add_argument("--duration", type=int, help="seconds per run (BENCH_DURATION; 5)")
    parser.add_argument("--runs", type=int, help="runs per measurement (BENCH_RUNS; 5)")
    args = parser.parse_args()
    chosen = settings.from_environment(quick=args.quick, duration=args.duration, runs=args.runs)
    settings.check_services(chosen)
    result = runner.run(chosen)
    path = report.save(result)
    print(report.render(result), end="")
    print(f"\nSaved {path.relative_to(settings.PROJECT)}")


if __name__ == "__main__":
    main()
