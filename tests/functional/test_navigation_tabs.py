"""The Profile tab is current on your own profile and its lists, never on someone else's."""

from __future__ import annotations

import re

from flask import Flask

from tests.factories import create_user
from tests.support.members import login

CURRENT = re.compile(r'<a class="nav__link" href="([^"]+)" aria-current="page">')


def test_the_profile_tab_marks_only_your_own_profile(app: Flask) -> None:
    create_user(app, "alice")
    create_user(app, "bob")
    alice = login(app, "alice")
    for path in ("/@alice", "/@ALICE", "/@alice/followers", "/@alice/following"):
        page = alice.get(path).get_data(as_text=True)
        assert CURRENT.findall(page) == ["/@alice"], path
    for path in ("/@bob", "/@bob/followers", "/@bob/following"):
        page = alice.get(path).get_data(as_text=True)
        assert CURRENT.findall(page) == [], path
