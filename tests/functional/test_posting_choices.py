"""The new-post form's choices (issue #17 item 3): the shape, the photos' order with their
descriptions, and refusals shown beside the photo they are about."""

from __future__ import annotations

import html
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Photo, User
from app.services.media.media_storage import media_storage, read
from tests.support import images
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.uploads import rows, stored_files

pytestmark = pytest.mark.media

RED, GREEN, BLUE = (220, 20, 20), (20, 200, 20), (20, 20, 220)


@pytest.fixture
def member(client: FlaskClient, auth: AuthActions, user: User) -> FlaskClient:
    auth.login("juniper")
    return client


def publish(client: FlaskClient, photos: list[bytes], **fields: str) -> tuple[int, str]:
    data: dict[str, object] = {
        "csrf_token": csrf_token_for(client),
        "visibility": "public",
        "caption": "",
        **fields,
        "photos": [(io.BytesIO(data), f"{n}.jpg", "image/jpeg") for n, data in enumerate(photos)],
    }
    response = client.post("/p/new", data=data, content_type="multipart/form-data")
    return response.status_code, html.unescape(response.get_data(as_text=True))


def stored(app: Flask) -> list[tuple[int, int, str, Image.Image]]:
    """Each photo of the (one) post in order: its recorded size, description and display file."""
    with app.app_context():
        photos = db.session.scalars(select(Photo).order_by(Photo.position)).all()
        found: list[tuple[int, int, str, Image.Image]] = []
        for photo in photos:
            data = read(media_storage(), photo.storage_key, "display")
            assert data is not None
            image = Image.open(io.BytesIO(data))
            image.load()
            found.append((photo.width, photo.height, photo.alt_text, image))
        return found


def colour(image: Image.Image) -> tuple[int, ...]:
    value = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
    assert isinstance(value, tuple)
    return value


def near(actual: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - e) <= 16 for a, e in zip(actual, expected, strict=True))


def item(page: str, number: int) -> str:
    """The markup of photo ``number``'s place in the form (its description and errors)."""
    items = re.findall(r"<li class=\"alt-texts__item\">.*?</li>", page, flags=re.S)
    return str(items[number - 1])


def test_square_crops_every_photo_of_the_post_from_the_centre(
    app: Flask, member: FlaskClient
) -> None:
    status, _ = publish(
        member, [images.jpeg((1600, 1200), RED), images.jpeg((400, 200), BLUE)], shape="square"
    )
    assert status == 303
    found = stored(app)
    assert [(width, height) for width, height, _alt, _image in found] == [(1080, 1080), (200, 200)]
    assert [image.size for *_rest, image in found] == [(1080, 1080), (200, 200)]
    page = member.get("/home").get_data(as_text=True)
    assert 'viewBox="0 0 1080 1080"' in page  # the post's frame is square


def test_photos_keep_their_shape_unless_square_is_chosen(app: Flask, member: FlaskClient) -> None:
    status, _ = publish(member, [images.jpeg((1600, 1200), RED)])
    assert status == 303
    assert [(width, height) for width, height, *_ in stored(app)] == [(1080, 810)]


def test_the_form_offers_both_shapes_original_first(member: FlaskClient) -> None:
    page = member.get("/p/new").get_data(as_text=True)
    shapes = re.findall(r'name="shape"[^>]*value="(\w+)"|value="(\w+)"[^>]*name="shape"', page)
    assert ["".join(found) for found in shapes] == ["original", "square"]
    assert re.search(r'<input[^>]*checked[^>]*value="original"', page) or re.search(
        r'<input[^>]*value="original"[^>]*checked', page
    )


def test_an_unknown_shape_is_refused_beside_the_choice(app: Flask, member: FlaskClient) -> None:
    status, page = publish(member, [images.jpeg()], shape="hexagon")
    assert status == 422
    assert 'id="shape-error"' in page
    assert stored_files(app) == [] and rows(app) == (0, 0)


def test_descriptions_follow_the_photos_in_the_order_sent(app: Flask, member: FlaskClient) -> None:
    colours = [GREEN, BLUE, RED]
    status, _ = publish(
        member,
        [images.jpeg((300, 200), rgb) for rgb in colours],
        **{"alt_texts-0": "Green", "alt_texts-1": "Blue", "alt_texts-2": "Red"},
    )
    assert status == 303
    found = stored(app)
    assert [alt for _w, _h, alt, _image in found] == ["Green", "Blue", "Red"]
    drawn = [colour(image) for *_, image in found]
    assert all(near(got, want) for got, want in zip(drawn, colours, strict=True)), drawn


def test_a_description_sent_for_the_second_photo_only_stays_with_it(
    app: Flask, member: FlaskClient
) -> None:
    status, _ = publish(member, [images.jpeg(), images.jpeg()], **{"alt_texts-1": "Second"})
    assert status == 303
    assert [alt for _w, _h, alt, _image in stored(app)] == ["", "Second"]


def test_a_photo_that_cannot_be_used_is_named_beside_its_place(
    app: Flask, member: FlaskClient
) -> None:
    status, page = publish(
        member, [images.jpeg(), images.html_named_jpg(), images.jpeg(), images.truncated_jpeg()]
    )
    assert status == 422
    assert 'class="flash flash--error" role="alert"' in page
    assert "Photos 2 and 4 can't be used: see below." in page  # beside the file input
    assert "not a photo Sapling can read" in item(page, 2)
    assert "damaged or incomplete" in item(page, 4)
    assert "field__error" not in item(page, 1) + item(page, 3)
    assert stored_files(app) == [] and rows(app) == (0, 0)


def test_a_description_too_long_is_refused_beside_its_photo(
    app: Flask, member: FlaskClient
) -> None:
    status, page = publish(member, [images.jpeg(), images.jpeg()], **{"alt_texts-1": "x" * 1001})
    assert status == 422
    assert "under 1,000 characters" in item(page, 2)
    assert "field__error" not in item(page, 1)
    assert 'aria-invalid="true"' in item(page, 2)
    assert rows(app) == (0, 0)
