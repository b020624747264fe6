"""The component gallery, and the form conventions every later page follows."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.support.pages import csrf_token_for


def test_gallery_shows_every_building_block_in_both_themes(client: FlaskClient) -> None:
    text = client.get("/_gallery/").get_data(as_text=True)
    assert 'class="gallery-theme theme-light' in text
    assert 'class="gallery-theme theme-dark' in text
    for heading in (
        "Brand and palette",
        "Navigation",
        "Buttons and links",
        "Form fields",
        "Theme switch",
        "Flash messages",
        "Post card",
        "Profile header and photo grid",
        "Empty state",
        "Dialog",
    ):
        assert text.count(f">{heading}</h3>") == 2, heading
    assert 'class="form__actions"' in text  # the row of a form's buttons


def test_invalid_form_is_422_with_errors_tied_to_fields(client: FlaskClient) -> None:
    token = csrf_token_for(client)
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
    token = csrf_token_for(client)
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
