"""Keeping the service running: the email outbox, readiness, queues, the maintenance run."""
