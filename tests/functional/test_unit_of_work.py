"""One unit of work per request: committed once on success, rolled back on any error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, abort
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.extensions import db


class ScratchBase(DeclarativeBase):
    pass


class Note(ScratchBase):
    """A table that exists only inside this test's transaction."""

    __tablename__ = "scratch_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.String(50))


@pytest.fixture
def notes_app(app: Flask) -> Iterator[Flask]:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        ScratchBase.metadata.create_all(db.session.connection())
        db.session.commit()

    @app.post("/_test/notes/<outcome>")
    def add_note(outcome: str) -> tuple[str, int]:
        db.session.add(Note(text=outcome))
        db.session.flush()  # as a service would: flush, never commit
        if outcome == "crash":
            raise RuntimeError("failed after writing")
        if outcome == "invalid":
            abort(422)
        return "created", 201

    app.config["WTF_CSRF_ENABLED"] = False  # these routes are not forms; CSRF has its own tests
    yield app


def stored_notes(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Note.text)))


def test_successful_request_commits(notes_app: Flask) -> None:
    assert notes_app.test_client().post("/_test/notes/kept").status_code == 201
    assert stored_notes(notes_app) == ["kept"]


def test_crashing_request_leaves_nothing_behind(notes_app: Flask) -> None:
    assert notes_app.test_client().post("/_test/notes/crash").status_code == 500
    assert stored_notes(notes_app) == []


def test_client_error_leaves_nothing_behind(notes_app: Flask) -> None:
    assert notes_app.test_client().post("/_test/notes/invalid").status_code == 422
    assert stored_notes(notes_app) == []


def test_work_after_commit_runs_only_on_success_and_cannot_undo_it(notes_app: Flask) -> None:
    from app.core.database import after_commit

    ran: list[str] = []

    @notes_app.post("/_test/notes-then/<outcome>")
    def add_then(outcome: str) -> tuple[str, int]:
        db.session.add(Note(text=outcome))
        after_commit(lambda: ran.append(outcome))
        if outcome == "follow-up-fails":
            after_commit(lambda: (_ for _ in ()).throw(OSError("mail server gone")))
        if outcome == "invalid":
            abort(422)
        return "created", 201

    client = notes_app.test_client()
    assert client.post("/_test/notes-then/invalid").status_code == 422
    assert client.post("/_test/notes-then/follow-up-fails").status_code == 201
    assert ran == ["follow-up-fails"]  # nothing ran for the rolled-back request
    assert stored_notes(notes_app) == ["follow-up-fails"]  # the failure did not undo the commit


def test_clean_up_after_rollback_runs_only_when_the_request_fails(notes_app: Flask) -> None:
    """Files written for rows that never commit are removed this way (posts, avatars)."""
    from app.core.database import after_rollback

    undone: list[str] = []

    @notes_app.post("/_test/notes-undo/<outcome>")
    def add_undo(outcome: str) -> tuple[str, int]:
        db.session.add(Note(text=outcome))
        after_rollback(lambda: undone.append(outcome))
        if outcome == "broken-clean-up":
            after_rollback(lambda: (_ for _ in ()).throw(OSError("disk gone")))
        if outcome == "crash":
            raise RuntimeError("failed after writing")
        if outcome in ("invalid", "broken-clean-up"):
            abort(422)
        return "created", 201

    client = notes_app.test_client()
    assert client.post("/_test/notes-undo/kept").status_code == 201
    assert client.post("/_test/notes-undo/invalid").status_code == 422
    assert client.post("/_test/notes-undo/crash").status_code == 500
    assert client.post("/_test/notes-undo/broken-clean-up").status_code == 422
    assert undone == ["invalid", "crash", "broken-clean-up"]
    assert stored_notes(notes_app) == ["kept"]
