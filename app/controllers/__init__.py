"""Blueprints, one per domain. Thin: read the request, call a service, render or redirect."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from app.controllers.admin import bp as admin_bp
from app.controllers.api import bp as api_bp
from app.controllers.appearance import bp as appearance_bp
from app.controllers.auth import bp as auth_bp
from app.controllers.captcha import bp as captcha_bp
from app.controllers.discover import bp as discover_bp
from app.controllers.errors import register_error_handlers
from app.controllers.exports import bp as exports_bp
from app.controllers.feed import bp as feed_bp
from app.controllers.gallery import bp as gallery_bp
from app.controllers.health import bp as health_bp
from app.controllers.imports import bp as imports_bp
from app.controllers.internal import bp as internal_bp
from app.controllers.joining import bp as joining_bp
from app.controllers.main import bp as main_bp
from app.controllers.media import bp as media_bp
from app.controllers.notifications import bp as notifications_bp
from app.controllers.oauth import bp as oauth_bp
from app.controllers.posts import bp as posts_bp
from app.controllers.profiles import bp as profiles_bp
from app.controllers.reports import bp as reports_bp
from app.controllers.settings import bp as settings_bp
from app.controllers.social import bp as social_bp
from app.controllers.support.appearance import register_appearance
from app.controllers.support.navigation import register_navigation
from app.controllers.two_step import bp as two_step_bp
from app.controllers.two_step_settings import bp as two_step_settings_bp


class IdConverter(IntegerConverter):
    """``<id:post_id>``: a positive database id; anything past a 64-bit integer is a 404."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=2**63 - 1)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.register_blueprint(main_bp)
    app.register_blueprint(appearance_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(internal_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(captcha_bp)
    app.register_blueprint(two_step_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(two_step_settings_bp)
    app.register_blueprint(feed_bp)
    app.register_blueprint(posts_bp)
    app.register_blueprint(profiles_bp)
    app.register_blueprint(social_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(discover_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(joining_bp)
    app.register_blueprint(oauth_bp)
    app.register_blueprint(api_bp)
    if app.config["COMPONENT_GALLERY"]:
        app.register_blueprint(gallery_bp)
    register_error_handlers(app)
    register_navigation(app)
    register_appearance(app)
