"""Demo data for `flask dev seed` and the benchmarks: generated people, posts, photos, likes.

Not part of the running app: nothing under app/ imports this package at start (a test checks
that building the production app leaves it unimported); `flask dev seed` imports it when run.
"""
