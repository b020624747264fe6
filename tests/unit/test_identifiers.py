"""The one key of an email address, and what may be given to an account."""

from __future__ import annotations

import pytest

from app.services.accounts.identifiers import (
    IdentifierError,
    canonical_email,
    canonical_login,
    check_email,
)
from tests.support.email_spellings import INVISIBLE, spellings

VISIBLE_SPELLINGS = {k: v for k, v in spellings("victor").items() if k not in INVISIBLE}


@pytest.mark.parametrize("spelling", sorted(spellings("victor").values()))
def test_every_spelling_has_the_one_key(spelling: str) -> None:
    assert canonical_email(spelling) == "victor@example.org"
    assert canonical_login(spelling) == "victor@example.org"


@pytest.mark.parametrize("spelling", sorted(VISIBLE_SPELLINGS.values()))
def test_what_is_stored_has_the_key_its_spellings_have(spelling: str) -> None:
    email, key = check_email(spelling)
    assert key == canonical_email(spelling) == canonical_email(email)
    assert check_email(email) == (email, key)  # stable: checking again changes nothing


@pytest.mark.parametrize(
    ("raw", "email", "key"),
    [
        ("Fern@Example.org", "Fern@example.org", "fern@example.org"),  # a local part's case kept
        ("x@Bücher.example", "x@bücher.example", "x@bücher.example"),
        ("x@xn--bcher-kva.example", "x@bücher.example", "x@bücher.example"),  # IDNA both ways
        ("ｖｉｃｔｏｒ@example.org", "victor@example.org", "victor@example.org"),
        ("  victor@example.org\u3000", "victor@example.org", "victor@example.org"),
    ],
)
def test_the_stored_form_and_its_key(raw: str, email: str, key: str) -> None:
    assert check_email(raw) == (email, key)


@pytest.mark.parametrize(
    ("spelling", "named"),
    [
        ("vic\u200dtor@example.org", "zero width joiner, U+200D"),
        ("victor@exa\u034fmple.org", "combining grapheme joiner, U+034F"),
        ("victor\ufe0f@example.org", "variation selector-16, U+FE0F"),
        ("victor@example.org\U000e0041", "tag latin capital letter a, U+E0041"),
        ("vic\u0600tor@example.org", "arabic number sign, U+0600"),  # format, not ignorable
    ],
)
def test_invisible_characters_are_refused_by_name(spelling: str, named: str) -> None:
    with pytest.raises(IdentifierError, match="invisible character") as refused:
        check_email(spelling)
    assert named in str(refused.value)


@pytest.mark.parametrize("raw", ["", "not-an-address", "@", "a@b@c", "\u200b" * 2000, "x" * 10**6])
def test_no_input_makes_the_key_fail_and_keys_stay_short(raw: str) -> None:
    assert len(canonical_email(raw)) <= 254


def test_usernames_keep_their_own_key() -> None:
    assert canonical_login("  ＪＵＮＩＰＥＲ ") == "juniper"
    assert canonical_login("juniper＠example.org") == "juniper@example.org"
