"""The component gallery, and the form conventions every later page follows."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.support.pages import csrf_token


def test_gallery_shows_every_building_block(client: FlaskClient) -> None:
    text = client.get("/_gallery/").get_data(as_text=True)
    for heading in (
        "Navigation",
        "Buttons and links",
        "Flash messages",
        "Post card",
        "Profile header and photo grid",
        "Empty state",
        "Dialog",
        "Forms",
    ):
        assert heading in text
    assert "theme-light" in text and "theme-dark" in text


def test_invalid_form_is_422_with_errors_tied_to_fields(client: FlaskClient) -> None:
    token = csrf_token(client.get("/_gallery/"))
    response = client.post("/_gallery/", data={"csrf_token": token, "email": "not-an-email"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="display_name-error"' in text
    assert re.search(r'id="display_name"[^>]*aria-invalid="true"', text) or re.search(
        r'aria-invalid="true"[^>]*id="display_name"', text
    )
    assert re.search(r'aria-describedby="display_name-hint display_name-error"', text)
    assert 'id="email-error"' in text


def test_hostile_input_is_escaped_and_refused_cleanly(client: FlaskClient) -> None:
    token = csrf_token(client.get("/_gallery/"))
    response = client.post(
        "/_gallery/",
        data={
            "csrf_token": token,
            "display_name": "<script>alert(1)</script>" * 10,
            "email": "\u202eevil@example.org",
        },
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text
