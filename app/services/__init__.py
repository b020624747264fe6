"""Business actions, grouped by the part of the product they serve. They flush; the caller commits.

    accounts/    signing up, credentials, profiles, emailed links
    security/    login protection, the second factor, sessions, the security log
    content/     posts, interactions, the social graph, timelines, notifications, visibility
    media/       photo processing and storage
    moderation/  reports and moderators' decisions
    privacy/     data exports, account deletion and purge, retention
    operations/  the email outbox, readiness, queue depths, maintenance and job scheduling
    errors.py, sql.py  shared by all of them

No request objects here: controllers pass what a service needs (``security.clients.Client``).

Still committing on their own, for the worker and after-commit callbacks (issue #16 moves
them to the worker's edge): ``privacy.exports.build_next``, ``operations.maintenance.run``,
``operations.mailer.deliver_queued``, ``operations.scheduled_jobs.claim``,
``accounts.password_resets.handle_queued`` and ``media.account_media.publish_and_commit``.
"""
