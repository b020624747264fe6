"""Sapling: a privacy- and security-first photo-sharing web app."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from flask import Flask

from app.cli import register_commands
from app.config import Config, config_from_env
from app.controllers import register_blueprints
from app.controllers.support.authentication import install_authentication
from app.core import rate_limit_storage
from app.core.client_ip import install_proxy_fix
from app.core.database import configure_sqlite, install_unit_of_work
from app.core.deferred_work import DeferredUnits, install_deferred_work
from app.core.input_guard import install_input_guard
from app.core.logging import configure_logging, install_request_logging
from app.core.metrics import install_metrics
from app.core.requests import SaplingRequest
from app.core.security_headers import install_security_headers
from app.core.startup_checks import warn_at_start
from app.extensions import alembic, csrf, db, limiter, redis_client
from app.models import Base
from app.models.base import render_item
from app.services.api.oauth import init_oauth
from app.services.media.media_storage import install_media_storage
from app.services.operations.queues import queues
from app.views import register_views
from app.worker import after_commit as worker_units

__version__ = "0.9.0"


class Sapling(Flask):
    """Flask for an app with no async code: no event loop per request.

    Flask-SQLAlchemy-Lite registers a coroutine teardown for async sessions,
    which Sapling never opens. Flask would run it through asgiref at the end of
    every request; ``ensure_sync`` is Flask's documented hook for how coroutine
    functions run, so a coroutine that finishes without waiting on anything
    simply runs here. One that does wait is a bug: there is no loop to wait in.

    Requests are ``SaplingRequest``: the body limit follows the endpoint.
    """

    request_class = SaplingRequest

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if not inspect.iscoroutinefunction(func):
            return func
        coroutine_function: Callable[..., Coroutine[Any, Any, Any]] = func

        def run(*args: Any, **kwargs: Any) -> Any:
            coroutine = coroutine_function(*args, **kwargs)
            try:
                coroutine.send(None)
            except StopIteration as finished:
                return finished.value
            coroutine.close()
            raise RuntimeError(f"{func.__qualname__} awaited something; Sapling has no event loop")

        return run


def create_app(config: Config | None = None, overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build an app from ``config`` (default: the one ``SAPLING_ENV`` names).

    ``overrides`` replaces single settings after the config is loaded; tests use
    it through the ``config`` marker.
    """
    app = Sapling(__name__, instance_relative_config=True)
    app.config.from_object(config or config_from_env())
    if overrides:
        app.config.update(overrides)
        if "DATABASE_URL" in overrides:
            app.config["SQLALCHEMY_ENGINES"] = {"default": overrides["DATABASE_URL"]}

    register_logging(app)
    register_extensions(app)
    register_deferred_work(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_views(app, __version__)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    configure_logging(app)
    install_request_logging(app)
    warn_at_start(app)


def register_extensions(app: Flask) -> None:
    app.config["SQLALCHEMY_ENGINES"] = {
        name: engine_options(options) for name, options in app.config["SQLALCHEMY_ENGINES"].items()
    }
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_sqlite(engine)
    # Flask-Alembic's ``metadatas`` attribute, as its constructor would set it (the
    # metadata is the models' and the same for every app): extensions.py stays below models.
    alembic.metadatas = {"default": Base.metadata}
    alembic.init_app(app)
    app.config["ALEMBIC_CONTEXT"].setdefault("render_item", render_item)
    csrf.init_app(app)
    redis_client.init_app(app)
    install_media_storage(app)  # before the headers: the CSP names the media host
    rate_limit_storage.configure(app)  # the limiter shares Redis's pool and breaker
    limiter.init_app(app)
    init_oauth(app)


def register_deferred_work(app: Flask) -> None:
    """The worker's after-commit units, for services to ask for through core.deferred_work."""
    install_deferred_work(
        app,
        DeferredUnits(
            deliver_queued=worker_units.deliver_queued,
            handle_queued=worker_units.handle_queued,
            publish_and_commit=worker_units.publish_and_commit,
        ),
    )


def engine_options(options: str | Mapping[str, Any]) -> dict[str, Any]:
    """Engine defaults: never put bound parameters (which may be secrets) into error text."""
    merged: dict[str, Any] = {"hide_parameters": True}
    merged.update({"url": options} if isinstance(options, str) else options)
    if str(merged["url"]).startswith("postgresql"):
        merged.setdefault("pool_pre_ping", True)
        merged.setdefault("connect_args", {"connect_timeout": 5})
    return merged


def register_request_hooks(app: Flask) -> None:
    install_proxy_fix(app)
    install_input_guard(app)
    install_authentication(app)
    install_unit_of_work(app)
    install_security_headers(app)
    install_metrics(app, __version__, queue_sizes=queues)
