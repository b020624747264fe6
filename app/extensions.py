"""Flask extensions, created unbound and attached to an app in ``create_app``.

Only core and libraries are imported here, so any layer may import an extension:
the models' metadata is given to ``alembic`` by ``create_app``, not here.
"""

from __future__ import annotations

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.core.client_ip import client_bucket
from app.core.migrations import Migrations
from app.core.redis import RedisClient

db = SQLAlchemy(session_options={"expire_on_commit": False})
alembic = Migrations(run_mkdir=False)  # Flask-Alembic, safe on SQLite
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=client_bucket)
redis_client = RedisClient()
