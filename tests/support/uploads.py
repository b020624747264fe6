"""Uploading photos through the form, and counting what reached the database and the storage."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Photo, Post
from tests.support.pages import csrf_token_for
from tests.support.stored_media import stored_files

__all__ = ["rows", "stored_files", "upload"]


def upload(client: FlaskClient, *files: tuple[bytes, str, str]) -> tuple[int, str]:
    data = {
        "csrf_token": csrf_token_for(client),
        "visibility": "public",
        "caption": "hello",
        "photos": [(io.BytesIO(content), name, mimetype) for content, name, mimetype in files],
    }
    response = client.post("/p/new", data=data, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def rows(app: Flask) -> tuple[int, int]:
    with app.app_context():
        posts = db.session.scalar(select(func.count()).select_from(Post)) or 0
        photos = db.session.scalar(select(func.count()).select_from(Photo)) or 0
    return posts, photos
