"""The enrolment QR code is markup we trust (``Markup``), so it must never carry input:
whatever the account name or issuer, the SVG is the same fixed elements and numbers."""

from __future__ import annotations

import re

import pyotp
import pytest
import qrcode

from app.views.qr import qr_svg

SECRET = pyotp.random_base32()
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "']]><script>alert(1)</script><![CDATA[",
    "&lt;b&gt; &amp; <!-- -->",
    'x" onload="alert(1)',
    "\u202eevil\u0000</svg>",
]
# The whole document: one <svg> with fixed attributes, one <path> of moves and line lengths.
SVG = re.compile(
    r'<svg width="220" height="220" class="qr" role="img" aria-label="(?P<label>[^"<>]*)" '
    r'viewBox="0 0 (?P<n>\d+) (?P=n)" shape-rendering="crispEdges" '
    r'xmlns="http://www\.w3\.org/2000/svg">'
    r'<path fill="#000" d="(?P<d>(?:M\d+,\d+h\d+v1h-\d+z)+)"/></svg>'
)


def uri(name: str, issuer: str) -> str:
    return pyotp.TOTP(SECRET).provisioning_uri(name=name, issuer_name=issuer)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_account_names_and_issuers_never_reach_the_svg(hostile: str) -> None:
    for data in (uri(hostile, "Sapling"), uri("juniper", hostile), hostile):
        svg = str(qr_svg(data, label="QR code for your authenticator app"))

        assert SVG.fullmatch(svg), svg[:300]
        for piece in ("<script", "]]>", "onerror", "onload", "<img", "CDATA", "\u202e"):
            assert piece not in svg


def test_the_label_is_escaped() -> None:
    svg = str(qr_svg(uri("juniper", "Sapling"), label=HOSTILE[1]))

    match = SVG.fullmatch(svg)
    assert match, svg[:300]
    assert match["label"] == "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"


def dark_cells(path: str) -> set[tuple[int, int]]:
    cells = set()
    for x, y, length in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\3z", path):
        cells |= {(int(x) + i, int(y)) for i in range(int(length))}
    return cells


# Fixed ids: the URIs hold a random secret, and pytest-xdist's workers must collect alike.
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(uri("juniper", "Sapling"), id="juniper"),
        pytest.param(uri(HOSTILE[2], HOSTILE[0]), id="hostile"),
    ],
)
def test_the_drawing_is_the_qr_code_of_the_data(data: str) -> None:
    code = qrcode.QRCode(border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    expected = {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}

    match = SVG.fullmatch(str(qr_svg(data, label="QR")))

    assert match
    assert int(match["n"]) == len(matrix)
    assert dark_cells(match["d"]) == expected
