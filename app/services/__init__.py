"""Business actions, grouped by the part of the product they serve.

Services flush, never commit; commits happen at the request edge (core/database.py),
the worker's edge (app/worker/) and in CLI commands (tests/unit/test_services_never_commit.py).

    accounts/    signing up, credentials, profiles, emailed links
    security/    login protection, the second factor, sessions, the security log
    content/     posts, interactions, the social graph, timelines, notifications, visibility
    media/       photo processing and storage
    moderation/  reports and moderators' decisions
    privacy/     data exports, account deletion and purge, retention
    operations/  the email outbox, readiness, queue depths
    errors.py, sql.py  shared by all of them

No request objects here: controllers pass what a service needs (``security.clients.Client``).
"""
