"""The admin overview as figures in groups: accounts, content, storage, work waiting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask import url_for

from app.models import MaintenanceRun, RegistrationMode
from app.views.filters import datetime_label, filesize


# The shapes of services/operations/instance.Overview that the page reads (views do not
# import services: tests/unit/test_layers.py).
class Queue(Protocol):
    @property
    def waiting(self) -> int: ...
    @property
    def oldest_age_seconds(self) -> float: ...


class Queues(Protocol):
    @property
    def outbox(self) -> Queue: ...
    @property
    def exports(self) -> Queue: ...
    @property
    def videos(self) -> Queue: ...


class Accounts(Protocol):
    @property
    def total(self) -> int: ...
    @property
    def active(self) -> int: ...
    @property
    def awaiting_deletion(self) -> int: ...
    @property
    def blocked(self) -> int: ...
    @property
    def unverified(self) -> int: ...
    @property
    def awaiting_approval(self) -> int: ...


class Overview(Protocol):
    @property
    def accounts(self) -> Accounts: ...
    @property
    def posts(self) -> int: ...
    @property
    def photos(self) -> int: ...
    @property
    def open_reports(self) -> int: ...
    @property
    def queues(self) -> Queues: ...
    @property
    def last_run(self) -> MaintenanceRun | None: ...
    @property
    def registration_mode(self) -> RegistrationMode: ...
    @property
    def member_invites(self) -> bool: ...


MODE_LABELS = {
    RegistrationMode.OPEN: ("Open", "anyone may sign up"),
    RegistrationMode.APPROVAL: ("Approval", "each sign-up waits for a moderator"),
    RegistrationMode.INVITE: ("Invite only", "a sign-up needs an invite link"),
    RegistrationMode.CLOSED: ("Closed", "only moderators' invites open the form"),
}


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    href: str | None = None


@dataclass(frozen=True)
class FigureGroup:
    id: str
    title: str
    figures: list[Figure]
    lead: str = ""


def _number(value: int) -> str:
    return f"{value:,}"


def _waiting(queue: Queue) -> str:
    if not queue.waiting:
        return "nothing waiting"
    minutes = round(queue.oldest_age_seconds / 60)
    return f"the oldest for {minutes:,} min" if minutes else "the oldest for under a minute"


def overview_groups(overview: Overview) -> list[FigureGroup]:
    accounts, run = overview.accounts, overview.last_run
    if run is None:
        storage_lead = "Not measured yet: the next maintenance run measures it."
        storage: list[Figure] = []
    else:
        storage_lead = f"Measured by the maintenance run of {datetime_label(run.started_at)}."
        storage = [
            Figure("Photos and avatars", filesize(run.media_bytes), f"{run.media_files:,} files"),
            Figure("Data exports", filesize(run.export_bytes)),
        ]
    return [
        FigureGroup(
            "accounts",
            "Accounts",
            [
                Figure("Accounts", _number(accounts.total)),
                Figure("Active", _number(accounts.active)),
                Figure("Email not confirmed", _number(accounts.unverified)),
                Figure("Blocked by moderators", _number(accounts.blocked)),
                Figure("Waiting for deletion", _number(accounts.awaiting_deletion)),
            ],
        ),
        FigureGroup(
            "joining",
            "Who can join",
            [
                Figure("Sign-ups", *MODE_LABELS[overview.registration_mode]),
                Figure(
                    "Sign-ups waiting",
                    _number(accounts.awaiting_approval),
                    href=url_for("joining.pending_signups"),
                ),
                Figure("Member invites", "On" if overview.member_invites else "Off"),
            ],
            lead="Change them with flask instance registrations and flask instance member-invites.",
        ),
        FigureGroup(
            "content",
            "Content",
            [
                Figure("Posts", _number(overview.posts)),
                Figure("Photos", _number(overview.photos)),
                Figure(
                    "Reports waiting",
                    _number(overview.open_reports),
                    href=url_for("admin.reports"),
                ),
            ],
        ),
        FigureGroup("storage", "Storage", storage, lead=storage_lead),
        FigureGroup(
            "work",
            "Work waiting",
            [
                Figure(
                    "Emails to send",
                    _number(overview.queues.outbox.waiting),
                    _waiting(overview.queues.outbox),
                ),
                Figure(
                    "Data exports to build",
                    _number(overview.queues.exports.waiting),
                    _waiting(overview.queues.exports),
                ),
                Figure(
                    "Videos to prepare",
                    _number(overview.queues.videos.waiting),
                    _waiting(overview.queues.videos),
                ),
            ],
        ),
    ]
