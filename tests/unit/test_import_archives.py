"""Uploaded archives for an import (issue #19 item 2): every hostile ZIP is refused whole
with a clear message before anything is read out of it, and Instagram's archive (built
here from its documented layout) yields its posts, photos, captions and dates, with what
cannot be kept reported and why."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services.privacy.archives import ArchiveRefused, Limits, SafeArchive, clean_name
from app.services.privacy.instagram_archive import read_posts, repaired
from tests.support import images
from tests.support.instagram import POSTS, ROOT, TIMES, instagram_text, with_member, write_archive

SMALL = Limits(members=50, member_bytes=2 * 2**20, total_bytes=8 * 2**20, ratio=50)


def refusal(path: Path, limits: Limits = SMALL) -> str:
    with pytest.raises(ArchiveRefused) as refused:
        SafeArchive(path, limits)
    assert refused.value.field == "archive"
    return refused.value.message


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("media/posts/202101/1.jpg", "media/posts/202101/1.jpg"),
        ("./media/./1.jpg", "media/1.jpg"),
        ("../../etc/passwd", None),
        ("media/../../x.jpg", None),
        ("/etc/passwd", None),
        ("C:/Windows/x.jpg", None),
        ("media\\..\\x.jpg", None),
        ("media/\u202egpj.exe", None),  # a right-to-left override hides the real suffix
        ("media/a\x00.jpg", None),
        ("", None),
    ],
)
def test_member_names_that_could_point_outside_are_refused(name: str, clean: str | None) -> None:
    assert clean_name(name) == clean


def test_a_realistic_instagram_archive_passes_every_check(tmp_path: Path) -> None:
    with SafeArchive(write_archive(tmp_path / "ig.zip"), SMALL) as archive:
        assert POSTS in archive.members


@pytest.mark.parametrize(
    "name", ["../evil.jpg", "/srv/evil.jpg", "media/../../evil.jpg", "C:\\evil.jpg"]
)
def test_path_traversal_is_refused(tmp_path: Path, name: str) -> None:
    path = with_member(tmp_path / "ig.zip", name, images.jpeg())
    assert "named to be written outside the archive" in refusal(path)


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo(ROOT + "media/posts/202101/link.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = with_member(tmp_path / "ig.zip", link, b"/etc/passwd")
    assert "symbolic link" in refusal(path)


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    path = with_member(tmp_path / "ig.zip", ROOT + "media/zeros.jpg", bytes(1_500_000))
    assert "zip bomb" in refusal(path)


def test_an_oversized_member_and_an_oversized_total_are_refused(tmp_path: Path) -> None:
    big = with_member(tmp_path / "big.zip", ROOT + "media/big.jpg", images.random_bytes(3 * 2**20))
    assert "larger than 2 MB" in refusal(big)
    many = write_archive(
        tmp_path / "many.zip",
        extra=[(f"{ROOT}media/{n}.jpg", images.random_bytes(2**20)) for n in range(9)],
    )
    assert "expands to more than" in refusal(many)


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    path = write_archive(tmp_path / "ig.zip", extra=[(f"{ROOT}x/{n}", b"") for n in range(60)])
    assert "more than 50 files" in refusal(path)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "ig.zip"
    write_archive(path)
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr(POSTS, "[]")
    assert "same name" in refusal(path)


def test_encrypted_members_and_other_compression_are_refused(tmp_path: Path) -> None:
    path = write_archive(tmp_path / "ig.zip")
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag on every entry of the central directory.
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        data[at + 8] |= 0x1
        at += 4
    path.write_bytes(bytes(data))
    assert "encrypted" in refusal(path)
    bz = tmp_path / "bz.zip"
    with zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr(POSTS, "[]")
    assert "kind of compression" in refusal(bz)


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    """Two directory entries pointing at the same data: the "better zip bomb" shape."""
    path = tmp_path / "overlap.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.jpg", images.random_bytes(4096))
        archive.writestr("b.jpg", images.random_bytes(4096))
    data = bytearray(path.read_bytes())
    first = data.find(b"PK\x01\x02")
    second = data.find(b"PK\x01\x02", first + 4)
    data[second + 42 : second + 46] = data[first + 42 : first + 46]  # b's offset := a's
    path.write_bytes(bytes(data))
    assert "overlap" in refusal(path)


@pytest.mark.parametrize(
    "content", [b"", b"not a zip at all", images.jpeg(), b"PK\x03\x04" + bytes(40)]
)
def test_what_is_not_a_zip_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(content)
    assert "not a ZIP file" in refusal(path)


def test_a_lying_size_cannot_make_a_member_expand_further(tmp_path: Path) -> None:
    path = write_archive(tmp_path / "ig.zip")
    data = bytearray(path.read_bytes())
    # The posts file's declared size, in its central directory entry, made smaller.
    at = data.find(b"PK\x01\x02")
    data[at + 24 : at + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with SafeArchive(path, SMALL) as archive, pytest.raises(ArchiveRefused, match="damaged"):
        archive.read(POSTS, 2**20)


# ---------- Instagram's posts ----------


def test_the_posts_come_out_oldest_first_with_captions_dates_and_photos(tmp_path: Path) -> None:
    with SafeArchive(write_archive(tmp_path / "ig.zip"), SMALL) as archive:
        posts = list(read_posts(archive))
        for post in posts:
            for name in post.photos:
                assert name in archive.members and name.startswith(ROOT)
    assert [post.caption for post in posts] == [
        "Ferns unrolling 🌿 in the rain",
        "Three views of the ridge ⛰️ #hills",
        "Summer, with a clip",
    ]
    assert [post.created_at for post in posts] == [
        datetime.fromtimestamp(when, UTC) for when in TIMES
    ]
    assert [len(post.photos) for post in posts] == [1, 3, 2]
    assert posts[1].photos == sorted(posts[1].photos)  # the album in Instagram's order
    assert posts[2].photos[1].endswith("/1789.mp4"), "the video, probed on its turn"
    assert posts[2].skipped == []


@pytest.mark.parametrize(
    "posts_name",
    [
        ROOT + "content/posts_1.json",  # until 2023
        ROOT + "your_instagram_activity/content/posts_1.json",  # 2024
        "your_instagram_activity/media/posts_1.json",  # no top folder
    ],
)
def test_every_layout_instagram_has_shipped_is_read(tmp_path: Path, posts_name: str) -> None:
    root = ROOT if posts_name.startswith(ROOT) else ""
    path = write_archive(tmp_path / "ig.zip", root=root, posts_name=posts_name)
    with SafeArchive(path, SMALL) as archive:
        assert [len(post.photos) for post in read_posts(archive)] == [1, 3, 2]


def test_entries_that_cannot_be_kept_are_reported_with_the_reason(tmp_path: Path) -> None:
    when = TIMES[0]
    posts = [
        {
            "media": [
                {"uri": "../../etc/passwd.jpg", "creation_timestamp": when},
                {"uri": "https://evil.example/x.jpg", "creation_timestamp": when},
                {"uri": "media/posts/202105/missing.jpg", "creation_timestamp": when},
                {"uri": "media/posts/202105/notes.txt", "creation_timestamp": when},
                {"uri": 42},
                "not even an object",
            ]
            + [{"uri": f"media/posts/202105/{n}.jpg"} for n in range(12)],
            "title": instagram_text("Too many"),
            "creation_timestamp": when,
        },
        {"media": [], "creation_timestamp": "yesterday"},
        "a string, not a post",
    ]
    files = {f"media/posts/202105/{n}.jpg": images.jpeg() for n in range(12)}
    files["media/posts/202105/notes.txt"] = b"hello"
    with SafeArchive(write_archive(tmp_path / "ig.zip", posts, files), SMALL) as archive:
        broken, empty, crowded = list(read_posts(archive))
    assert broken.photos == [] and len(broken.skipped) == 1
    assert empty.photos == [] and empty.skipped[0].reason == "it has no photos or videos listed"
    assert len(crowded.photos) == 10
    reasons = [(item.what, item.reason) for item in crowded.skipped]
    assert reasons[:6] == [
        ("passwd.jpg", "its name points outside the archive"),
        ("x.jpg", "it is a link, not a file in the archive"),
        ("missing.jpg", "the file is not in the archive"),
        ("notes.txt", "it is not a photo or a video"),
        ("post of 12 May 2021", "it names no file"),
        ("post of 12 May 2021", "it names no file"),
    ]
    assert reasons[6:] == [(f"{n}.jpg", "a Sapling post holds 10 photos") for n in (10, 11)]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (json.dumps({"posts": []}).encode(), "not a list of posts"),
    ],
)
def test_a_malformed_posts_file_refuses_the_archive(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "ig.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(POSTS, content)
    with SafeArchive(path, SMALL) as opened, pytest.raises(ArchiveRefused, match=words):
        list(read_posts(opened))


def test_an_archive_without_posts_says_what_to_ask_instagram_for(tmp_path: Path) -> None:
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday/1.jpg", images.jpeg())
    with SafeArchive(path, SMALL) as opened, pytest.raises(ArchiveRefused) as refused:
        list(read_posts(opened))
    assert "Download your information" in refused.value.message


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (instagram_text("Ferns 🌿 and café"), "Ferns 🌿 and café"),
        ("Plain ASCII", "Plain ASCII"),
        ("Already fine: café 🌿", "Already fine: café 🌿"),  # not Latin-1: left alone
    ],
)
def test_instagram_text_is_repaired(raw: str, shown: str) -> None:
    assert repaired(raw) == shown


def test_reading_a_member_is_bounded(tmp_path: Path) -> None:
    with SafeArchive(write_archive(tmp_path / "ig.zip"), SMALL) as archive:
        with pytest.raises(ArchiveRefused, match="larger than"):
            archive.read(POSTS, 10)
        assert io.BytesIO(archive.read(POSTS, 2**20)).read(1) == b"["
