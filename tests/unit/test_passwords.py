from __future__ import annotations

import os
import threading

import pytest
from flask import Flask

from app.services.accounts import hashing, passwords
from app.services.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)


def test_hashes_are_argon2id_and_verify_after_unicode_normalisation(app: Flask) -> None:
    with app.app_context():
        stored = hash_password("ｆｕｌｌｗｉｄｔｈ passphrase")  # fullwidth letters
        assert stored.startswith("$argon2id$")
        assert verify_password(stored, "fullwidth passphrase")
        assert not verify_password(stored, "fullwidth passphrasE")


def test_unreadable_hashes_never_verify_and_ask_for_a_rehash(app: Flask) -> None:
    with app.app_context():
        assert not verify_password("not-a-hash", "anything at all")
        assert needs_rehash("not-a-hash")


def test_policy_has_no_composition_rules(app: Flask) -> None:
    with app.app_context():
        assert password_problems("all lower case words here") == []
        assert password_problems("1234567890123456789") == []  # long enough, and not on the list


def test_email_local_part_is_refused_in_the_password(app: Flask) -> None:
    with app.app_context():
        problems = password_problems(
            "hello-rowan.tree-2024", username="someone", email="rowan.tree@example.org"
        )
        assert problems == ["Your password must not contain your email address."]


def _own_niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_hashing_runs_at_a_lower_priority_than_pages(app: Flask) -> None:
    with app.app_context():
        page_thread = _own_niceness()
        hashing_thread = hashing.run(_own_niceness)
        assert hashing_thread == min(page_thread + app.config["PASSWORD_HASHING_NICENESS"], 19)
        # Linux's idle class: only CPU time that page threads leave over.
        assert hashing.run(lambda: os.sched_getscheduler(0)) == os.SCHED_IDLE
        assert os.sched_getscheduler(0) != os.SCHED_IDLE
        assert page_thread == _own_niceness(), "the request's own thread keeps its priority"
        stored = passwords.hash_password("a long passphrase")
        assert passwords.verify_password(stored, "a long passphrase")
        assert not passwords.verify_password(stored, "another passphrase")


@pytest.mark.config(PASSWORD_HASHING_NICENESS=0)
def test_hashing_can_run_in_the_requests_own_thread(app: Flask) -> None:
    with app.app_context():
        assert hashing.run(threading.get_native_id) == threading.get_native_id()


def test_the_common_password_list_is_the_shipped_data(app: Flask) -> None:
    common = passwords._common_passwords()  # the list itself is the subject
    assert len(common) == 30_000
    assert {"123456", "password", "qwerty", "iloveyou"} <= common
    with app.app_context():
        assert password_problems("qwertyuiop123") == [
            "This password is on a list of commonly used passwords. Choose another."
        ]
