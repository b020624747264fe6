"""User-written text: cleaning it on the way in, and finding #hashtags and @mentions."""

from __future__ import annotations

import re
import unicodedata

from app.models.post import HASHTAG
from app.models.user import MENTION, mention_key

# Bidirectional overrides and isolates can make text display as something it is not
# ("gnp.exe" shown as "exe.png"); zero-width and other format characters hide words.
_INVISIBLE = {
    "\u200b",  # zero width space
    "\u200e",
    "\u200f",  # left-to-right and right-to-left marks
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",  # embeddings and overrides
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",  # isolates
    "\ufeff",  # byte order mark
}

MAX_TAG = 100  # Hashtag.name is VARCHAR(100)


def clean(text: str, *, multiline: bool = True) -> str:
    """NFC-normalised, without control or invisible formatting characters, trimmed.

    Line breaks are kept in multi-line text (captions, comments, bios) with
    Windows line endings made plain; tabs become spaces.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\t", " ")
    kept = []
    for char in text:
        if char == "\n":
            kept.append("\n" if multiline else " ")
        elif char in _INVISIBLE or unicodedata.category(char) in {"Cc", "Cs", "Co"}:
            continue
        else:
            kept.append(char)
    cleaned = "".join(kept).strip()
    # No more than one empty line in a row.
    return re.sub(r"\n{3,}", "\n\n", cleaned)


def excerpt(text: str, limit: int) -> str:
    """The start of ``text`` on one line, cut at a word with "…" when longer than ``limit``."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def tag_key(tag: str) -> str:
    """The stored form of a hashtag: #Sapling and #SAPLING are one tag."""
    return unicodedata.normalize("NFKC", tag).casefold()


def hashtags(text: str) -> set[str]:
    """The tags of a text; NFKC and case folding can lengthen a tag ("ß" is "ss"), and
    tags that end up longer than a stored tag may be are left out."""
    keys = {tag_key(match) for match in HASHTAG.findall(text)}
    return {key for key in keys if len(key) <= MAX_TAG}


def mentions(text: str) -> set[str]:
    return {key for key in map(mention_key, MENTION.findall(text)) if key}
