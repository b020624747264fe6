"""The app on ProductionConfig (HTTPS, HSTS, secure cookies) without a server around it."""

from __future__ import annotations

import secrets

from flask import Flask

from app import create_app
from app.config import ProductionConfig


def production_app() -> Flask:
    config = ProductionConfig(
        {
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": "sqlite://",
            "BASE_URL": "https://sapling.example",
            "MEDIA_ROOT": "/tmp/sapling-test-media",  # noqa: S108
        }
    )
    return create_app(config, {"COMPONENT_GALLERY": False})
