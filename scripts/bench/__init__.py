"""`make bench`: Sapling in production configuration under load, against a ceiling.

    python -m scripts.bench [--quick] [--duration S] [--runs N] [--output FILE]

Every page is measured next to a minimal Flask app served by the same gunicorn
configuration in the same run, so the ratios mean something on any machine,
including a noisy one. The modules, in the order a run uses them:

- ``settings``: durations, concurrencies, where PostgreSQL and Redis are.
- ``datasets``: the cached, seeded databases (1M posts, and 10k to check scaling).
- ``servers``: gunicorn with deploy/gunicorn.conf.py, for Sapling and ``ceiling``.
- ``client``: logging in through the real form; cookies handled by hand.
- ``pages``: the pages measured, their SQL query counts and their weight.
- ``wrk``: running wrk and reading its results.
- ``logins``: login throughput against the argon2 bound, and the login storm.
- ``storms``: the login storm four ways (one pool, sign-in pool, hashing queue, both),
  with ``cpu``: where a login's CPU time goes.
- ``images``: the image pipeline (scripts/bench_images.py) against naive Pillow.
- ``stats``: medians, ratios and the budgets of issue #10.
- ``report``: the table, the JSON file under bench/results/, and docs' Markdown.
- ``profile``: `make profile`, a py-spy flame graph of the feed under load.
- ``outage``: `make bench-outage`, what a frozen Redis costs a page (in-process, no load).
"""
