"""Configuration, read from the environment when the app is created.

Each class is instantiated by ``create_app`` with a mapping of environment
variables, so tests can build apps with different settings without touching
``os.environ`` or mutating shared class attributes.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.config_checks import https_origin, passkey_problem, secret_problem, secret_refusal

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = PROJECT_ROOT / "instance"
# One address, nothing around it: it is written into emails and mailto: links as it is.
_PLAIN_ADDRESS = re.compile(r"[^@\s<>\"',;:]+@[^@\s<>\"',;:]+")


# The values of models.RegistrationMode (config imports nothing of the app).
REGISTRATION_MODES = ("open", "approval", "invite", "closed")


class ConfigError(RuntimeError):
    """The environment is missing something the chosen configuration needs."""


def _bucket_prefix(value: str | None) -> str:
    """``MEDIA_S3_PREFIX`` as the bucket keys start with it: "" or "a/b/"."""
    parts = [part for part in (value or "").strip().split("/") if part]
    if any(not re.fullmatch(r"[A-Za-z0-9._-]+", part) or part in {".", ".."} for part in parts):
        raise ConfigError("MEDIA_S3_PREFIX may hold letters, digits, '.', '_', '-' and '/'.")
    return "".join(f"{part}/" for part in parts)


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from exc


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name} must be a positive number of seconds, not {raw!r}.")
    return value


def _list(value: str | None) -> list[str]:
    """A comma-separated setting: items stripped, empty ones dropped."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _passkey_site(base_url: str) -> tuple[str, str]:
    """The RP ID and origin passkeys default to: BASE_URL's host and origin.

    Passkeys need a domain name, never an IP address: on a loopback address (`make run`
    serves http://127.0.0.1:PORT) they are on localhost at the same port, the address
    to open to try them.
    """
    base = urlsplit(base_url)
    if not base.hostname:
        return "localhost", "http://localhost:8000"
    origin = f"{base.scheme}://{base.netloc.lower()}"
    try:
        loopback = ipaddress.ip_address(base.hostname).is_loopback
        port = base.port
    except ValueError:  # a domain name, or a malformed port (production refuses that)
        return base.hostname, origin
    if not loopback:
        return base.hostname, origin
    return "localhost", f"{base.scheme}://localhost" + (f":{port}" if port else "")


def sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _support_email(environ: Mapping[str, str]) -> str | None:
    """Where people can write to a person (emails name it); None: nowhere, and then nothing
    tells them to write or reply, since no one may read MAIL_DEFAULT_SENDER's mailbox."""
    address = environ.get("SUPPORT_EMAIL", "").strip()
    if address and not _PLAIN_ADDRESS.fullmatch(address):
        raise ConfigError("SUPPORT_EMAIL must be a plain address, such as help@example.org.")
    return address or None


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.SECRET_KEY: str | None = env.get("SECRET_KEY") or None
        database_url = env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_PATH / 'sapling.db'}"
        self.DATABASE_URL = sqlalchemy_url(database_url)
        self.REDIS_URL: str | None = env.get("REDIS_URL") or None
        self.MEDIA_ROOT = env.get("MEDIA_ROOT") or str(INSTANCE_PATH / "media")
        self.TRUSTED_PROXY_COUNT = _int(env, "TRUSTED_PROXY_COUNT", 0)
        if self.TRUSTED_PROXY_COUNT < 0:
            raise ConfigError("TRUSTED_PROXY_COUNT cannot be negative.")

        self._load_mail_settings(env)

        # Request size limits: uploads are the largest legitimate bodies. A post of ten
        # photos may be large; each photo is held to MAX_PHOTO_BYTES on its own.
        self.MAX_CONTENT_LENGTH = _int(env, "MAX_CONTENT_LENGTH", 100 * 1024 * 1024)
        self.MAX_PHOTO_BYTES = _int(env, "MAX_PHOTO_BYTES", 20 * 1024 * 1024)
        # An archive to import (Instagram's, or a Sapling export) is the one larger body:
        # only its own page takes it (controllers/imports.py), streamed to disk.
        self.IMPORT_MAX_BYTES = _int(env, "IMPORT_MAX_BYTES", 4 * 1024 * 1024 * 1024)
        self.MAX_FORM_MEMORY_SIZE = 512 * 1024
        self.MAX_FORM_PARTS = 200

        self.SESSION_COOKIE_NAME = "sapling_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = False
        self.PREFERRED_URL_SCHEME = "http"

        self.WTF_CSRF_TIME_LIMIT = 4 * 3600
        self.WTF_CSRF_SSL_STRICT = True

        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_STRATEGY = "moving-window"
        # Several Sapling sites (or test runs) can share one Redis under different prefixes.
        self.RATELIMIT_KEY_PREFIX = env.get("RATELIMIT_KEY_PREFIX") or "sapling-limits"
        # If Redis goes away, keep serving with per-process limits rather than failing:
        # app/core/rate_limit_storage.py does it through the Redis breaker; these two are
        # Flask-Limiter's own last net, for errors that are not an outage.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        # A hung Redis costs one request this long, then the breaker stops asking it for
        # REDIS_BREAKER_SECONDS (docs/operations.md, "When Redis goes away").
        self.REDIS_SOCKET_TIMEOUT = _float(env, "REDIS_SOCKET_TIMEOUT", 0.25)
        self.REDIS_BREAKER_SECONDS = _float(env, "REDIS_BREAKER_SECONDS", 30.0)

        # Links in emails are built from this, never from the request's Host header.
        self.BASE_URL = (env.get("BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
        self.MAIL_OUTBOX_DIR = env.get("MAIL_OUTBOX_DIR") or str(INSTANCE_PATH / "mail")
        self.MAIL_DELIVER_AFTER_COMMIT = _flag(env.get("MAIL_DELIVER_AFTER_COMMIT"), default=True)

        self._load_account_settings(env)
        self._load_hashing_settings(env)
        self._load_joining_settings(env)
        self._load_photo_and_page_settings(env)
        self._load_retention_settings(env)
        self.HSTS_SECONDS = 0
        self.LOG_FORMAT = env.get("LOG_FORMAT") or "text"
        self.LOG_LEVEL = env.get("LOG_LEVEL") or "INFO"
        self.COMPONENT_GALLERY = False
        # The AGPL asks whoever runs Sapling for others to offer its source: every page's
        # footer links here when it is set (the address of the version you run).
        self.SOURCE_URL = (env.get("SOURCE_URL") or "").strip()
        if self.SOURCE_URL and not self.SOURCE_URL.startswith(("https://", "http://")):
            raise ConfigError(
                "SOURCE_URL must be an http(s) URL, such as https://example.org/sapling."
            )
        # Bearer keys for /metrics and /internal/readyz (docs/metrics.md). A list, so a key
        # can be rotated: the old and the new one both work until the scrapers have moved.
        # None set: those endpoints answer 404 to everyone.
        self.INTERNAL_API_KEYS = _list(env.get("INTERNAL_API_KEYS"))

        self.SQLALCHEMY_ENGINES: dict[str, Any] = {"default": self.DATABASE_URL}
        self.ALEMBIC: dict[str, Any] = {
            "script_location": str(PROJECT_ROOT / "migrations"),
            "file_template": "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s",
        }

    def _load_media_storage_settings(self, env: Mapping[str, str]) -> None:
        """Where photos and videos are kept: this host's disk (MEDIA_ROOT), or an S3-compatible
        bucket every app host shares (docs/operations.md, "Media on object storage")."""
        self.MEDIA_STORAGE = (env.get("MEDIA_STORAGE") or "local").strip().lower()
        if self.MEDIA_STORAGE not in {"local", "s3"}:
            raise ConfigError("MEDIA_STORAGE must be local or s3.")
        self.MEDIA_S3_BUCKET = (env.get("MEDIA_S3_BUCKET") or "").strip()
        # Empty: AWS itself. Otherwise the S3 API's address, such as http://10.0.0.5:8333.
        self.MEDIA_S3_ENDPOINT = (env.get("MEDIA_S3_ENDPOINT") or "").strip().rstrip("/")
        self.MEDIA_S3_REGION = (env.get("MEDIA_S3_REGION") or "us-east-1").strip()
        # Empty: boto3's own chain (AWS_* variables, an instance role) supplies them.
        self.MEDIA_S3_ACCESS_KEY_ID = env.get("MEDIA_S3_ACCESS_KEY_ID") or ""
        self.MEDIA_S3_SECRET_ACCESS_KEY = env.get("MEDIA_S3_SECRET_ACCESS_KEY") or ""
        # Path-style addresses (endpoint/bucket/key), which most servers but AWS expect.
        self.MEDIA_S3_PATH_STYLE = _flag(
            env.get("MEDIA_S3_PATH_STYLE"), default=bool(self.MEDIA_S3_ENDPOINT)
        )
        # A folder of the bucket for this instance's files ("" or like "sapling/"), so one
        # bucket can hold several instances or environments.
        self.MEDIA_S3_PREFIX = _bucket_prefix(env.get("MEDIA_S3_PREFIX"))
        # How long the presigned URL nginx fetches a private file with stays good.
        self.MEDIA_S3_URL_SECONDS = _int(env, "MEDIA_S3_URL_SECONDS", 300)
        if self.MEDIA_STORAGE == "s3" and not self.MEDIA_S3_BUCKET:
            raise ConfigError("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET, the bucket's name.")
        if self.MEDIA_S3_ENDPOINT and not self.MEDIA_S3_ENDPOINT.startswith(
            ("https://", "http://")
        ):
            raise ConfigError(
                "MEDIA_S3_ENDPOINT must be an http(s) URL, such as https://s3.example.org."
            )
        if not 1 <= self.MEDIA_S3_URL_SECONDS <= 3600:
            raise ConfigError("MEDIA_S3_URL_SECONDS must be between 1 and 3600.")

    def _load_mail_settings(self, env: Mapping[str, str]) -> None:
        """Outgoing mail, and the address people can write to instead of replying."""
        self.MAIL_SERVER: str | None = env.get("MAIL_SERVER") or None
        self.MAIL_PORT = _int(env, "MAIL_PORT", 587)
        self.MAIL_USE_TLS = _flag(env.get("MAIL_USE_TLS"), default=True)
        self.MAIL_USERNAME: str | None = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD: str | None = env.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER") or "Sapling <no-reply@localhost>"
        self.SUPPORT_EMAIL = _support_email(env)

    def _load_photo_and_page_settings(self, env: Mapping[str, str]) -> None:
        """Photos and videos (their limits, how media reach nginx), page sizes, the theme."""
        # Videos (services/media/videos.py): each upload's size and length. The post form
        # takes the larger of MAX_CONTENT_LENGTH and VIDEO_MAX_BYTES as its whole body
        # (core/requests.py), so one video of the largest size fits, or several shorter.
        # Apps (services/api/oauth.py): an access token's life, and a refresh token's (given
        # only when the person ticks "keep me signed in on this app").
        self.OAUTH_ACCESS_TOKEN_SECONDS = _int(env, "OAUTH_ACCESS_TOKEN_SECONDS", 24 * 3600)
        self.OAUTH_REFRESH_TOKEN_DAYS = _int(env, "OAUTH_REFRESH_TOKEN_DAYS", 60)
        self.VIDEO_MAX_BYTES = _int(env, "VIDEO_MAX_BYTES", 200 * 1024 * 1024)
        self.VIDEO_MAX_SECONDS = _int(env, "VIDEO_MAX_SECONDS", 90)
        if self.VIDEO_MAX_BYTES < 1 or self.VIDEO_MAX_SECONDS < 1:
            raise ConfigError("VIDEO_MAX_BYTES and VIDEO_MAX_SECONDS must be positive.")
        # Declared width times height above this is refused before any pixel is decoded.
        self.IMAGE_MAX_PIXELS = _int(env, "IMAGE_MAX_PIXELS", 50_000_000)
        # Behind nginx, private media are sent with X-Accel-Redirect to an internal location
        # (deploy/nginx/sapling.conf); without it Flask sends the file itself.
        self.MEDIA_X_ACCEL = _flag(env.get("MEDIA_X_ACCEL"), default=False)
        # Optional media host (https://media.example.org) that nginx serves public photos and
        # avatars from, without cookies; empty: everything comes from this host.
        self.MEDIA_PUBLIC_URL = (env.get("MEDIA_PUBLIC_URL") or "").strip().rstrip("/")
        if self.MEDIA_PUBLIC_URL and not self.MEDIA_PUBLIC_URL.startswith(("https://", "http://")):
            raise ConfigError(
                "MEDIA_PUBLIC_URL must be an http(s) URL, such as https://media.example.org."
            )
        self._load_media_storage_settings(env)
        self.FEED_PAGE_SIZE = _int(env, "FEED_PAGE_SIZE", 12)
        # Home timelines in Redis (services/content/home_timelines.py): post ids kept per
        # reader, and how long one lives after it was built from SQL.
        self.FEED_TIMELINE_SIZE = _int(env, "FEED_TIMELINE_SIZE", 800)
        self.FEED_TIMELINE_SECONDS = _int(env, "FEED_TIMELINE_SECONDS", 3600)
        # A new post goes onto its followers' timelines right after the request commits;
        # production leaves that to `flask worker`, so posting costs the same at any size.
        self.FEED_FANOUT_AFTER_COMMIT = _flag(env.get("FEED_FANOUT_AFTER_COMMIT"), default=True)
        # Rendered post cards in Redis (views/cards.py), by the hash of what they show.
        self.CARD_CACHE_SECONDS = _int(env, "CARD_CACHE_SECONDS", 3600)
        self.GRID_PAGE_SIZE = _int(env, "GRID_PAGE_SIZE", 24)
        # The theme switch (app/controllers/appearance.py): Light or Dark pinned for this
        # browser, as long as browsers keep a cookie; System is no cookie at all.
        self.THEME_COOKIE_NAME = "sapling_theme"
        self.THEME_COOKIE_DAYS = 400

    def _load_retention_settings(self, env: Mapping[str, str]) -> None:
        """How long the data lifecycle keeps things (docs/privacy.md)."""
        self.ACCOUNT_DELETION_GRACE = timedelta(days=_int(env, "ACCOUNT_DELETION_GRACE_DAYS", 30))
        self.EXPORT_LIFETIME = timedelta(days=_int(env, "EXPORT_LIFETIME_DAYS", 7))
        self.IP_TRUNCATE_AFTER = timedelta(days=_int(env, "IP_TRUNCATE_AFTER_DAYS", 30))
        self.IP_DROP_AFTER = timedelta(days=_int(env, "IP_DROP_AFTER_DAYS", 90))
        self.SENT_MAIL_KEPT = timedelta(days=_int(env, "SENT_MAIL_KEPT_DAYS", 7))

    def _load_joining_settings(self, env: Mapping[str, str]) -> None:
        """Who may join (docs/operations.md, "Who can join"): the defaults until an operator
        sets them with `flask instance registrations` / `member-invites`, which win."""
        self.REGISTRATION_MODE = (env.get("REGISTRATION_MODE") or "open").strip().lower()
        if self.REGISTRATION_MODE not in REGISTRATION_MODES:
            raise ConfigError(
                "REGISTRATION_MODE must be one of " + ", ".join(REGISTRATION_MODES) + "."
            )
        self.MEMBER_INVITES = _flag(env.get("MEMBER_INVITES"), default=False)

    def _load_hashing_settings(self, env: Mapping[str, str]) -> None:
        """argon2's parameters, and where it runs (app/services/accounts/hashing.py)."""
        self.ARGON2_TIME_COST = _int(env, "ARGON2_TIME_COST", 3)
        self.ARGON2_MEMORY_COST = _int(env, "ARGON2_MEMORY_COST", 64 * 1024)  # KiB
        self.ARGON2_PARALLELISM = _int(env, "ARGON2_PARALLELISM", 4)
        # Hashing threads run in Linux's idle scheduling class, this much "nicer" than pages
        # (0: in the request's own thread, at the same priority).
        self.PASSWORD_HASHING_NICENESS = _int(env, "PASSWORD_HASHING_NICENESS", 10)
        # At most this many hashes at once per process; a request waits this long for a
        # slot, then gets a 503 with Retry-After (app/services/accounts/hashing.py).
        self.PASSWORD_HASHING_SLOTS = _int(env, "PASSWORD_HASHING_SLOTS", os.cpu_count() or 1)
        self.PASSWORD_HASHING_WAIT_MS = _int(env, "PASSWORD_HASHING_WAIT_MS", 1000)

    def _load_account_settings(self, env: Mapping[str, str]) -> None:
        """Accounts: every limit and lifetime is documented in docs/security.md."""
        self.PASSWORD_MIN_LENGTH = _int(env, "PASSWORD_MIN_LENGTH", 12)
        self.PASSWORD_MAX_LENGTH = 1024
        self.SESSION_IDLE_TIMEOUT = timedelta(hours=_int(env, "SESSION_IDLE_HOURS", 12))
        self.SESSION_REMEMBER_LIFETIME = timedelta(days=_int(env, "SESSION_REMEMBER_DAYS", 30))
        self.SESSION_TOUCH_INTERVAL = timedelta(minutes=5)
        self.AUTH_COOKIE_NAME = "sapling_auth"
        self.DEVICE_COOKIE_NAME = "sapling_device"
        self.EMAIL_VERIFY_TTL = timedelta(hours=24)
        self.PASSWORD_RESET_TTL = timedelta(hours=1)
        self.EMAIL_CHANGE_TTL = timedelta(hours=24)
        self.USERNAME_HOLD = timedelta(days=_int(env, "USERNAME_HOLD_DAYS", 14))
        self.RATELIMIT_LOGIN = env.get("RATELIMIT_LOGIN") or "10 per minute;50 per hour"
        self.RATELIMIT_SIGNUP = env.get("RATELIMIT_SIGNUP") or "5 per hour"
        self.RATELIMIT_EMAIL = env.get("RATELIMIT_EMAIL") or "5 per hour"
        self.RATELIMIT_USERNAME_CHANGE = env.get("RATELIMIT_USERNAME_CHANGE") or "3 per day"
        self.RATELIMIT_SECOND_FACTOR = env.get("RATELIMIT_SECOND_FACTOR") or "10 per minute"
        # Per target account, counting only failures.
        self.RATELIMIT_SECOND_FACTOR_ACCOUNT = (
            env.get("RATELIMIT_SECOND_FACTOR_ACCOUNT") or "10 per hour"
        )
        self.RATELIMIT_REAUTH_ACCOUNT = env.get("RATELIMIT_REAUTH_ACCOUNT") or "10 per hour"
        # Brute-force protection (app/services/security/login_guard.py).
        self.CAPTCHA_AFTER_ACCOUNT_FAILURES = _int(env, "CAPTCHA_AFTER_ACCOUNT_FAILURES", 3)
        self.CAPTCHA_AFTER_CLIENT_FAILURES = _int(env, "CAPTCHA_AFTER_CLIENT_FAILURES", 10)
        self.LOCK_AFTER_FAILURES = _int(env, "LOCK_AFTER_FAILURES", 6)
        self.LOCK_EVERY_FAILURES = _int(env, "LOCK_EVERY_FAILURES", 3)
        self.LOCK_MAX_MINUTES = _int(env, "LOCK_MAX_MINUTES", 60)
        self.UNDER_ATTACK_THRESHOLD = _int(env, "UNDER_ATTACK_THRESHOLD", 100)  # failures/minute
        self.UNDER_ATTACK_QUIET_SECONDS = _int(env, "UNDER_ATTACK_QUIET_SECONDS", 600)
        # Device cookies (app/services/security/known_browsers.py): a browser the owner has
        # logged in from is never locked out by failures elsewhere. Browsers keep a cookie 400
        # days at most.
        self.KNOWN_BROWSER_COOKIE_NAME = "sapling_known_browser"
        self.KNOWN_BROWSER_DAYS = min(_int(env, "KNOWN_BROWSER_DAYS", 365), 400)
        # The proof-of-work in front of the CAPTCHA (app/services/security/proof_of_work.py): PBKDF2
        # iterations per try, and the most tries it can take (half that on average).
        self.POW_COST = _int(env, "POW_COST", 1000)
        self.POW_MAX_NUMBER = _int(env, "POW_MAX_NUMBER", 2000)
        self.POW_TTL_SECONDS = _int(env, "POW_TTL_SECONDS", 600)
        # For the photo-sharing actions, per client and per account
        # (app/controllers/support/limits.py).
        self.RATELIMIT_POSTING = env.get("RATELIMIT_POSTING") or "30 per hour"
        self.RATELIMIT_INTERACTIONS = env.get("RATELIMIT_INTERACTIONS") or "120 per minute"
        # Asking for a copy of your data: each one is a full read of the account.
        self.RATELIMIT_EXPORT = env.get("RATELIMIT_EXPORT") or "3 per day"
        # Uploading an archive to import: each one is a large write and a long job.
        self.RATELIMIT_IMPORT = env.get("RATELIMIT_IMPORT") or "5 per day"
        # Apps: registering one (per address), and the token endpoint (per address).
        self.RATELIMIT_APP_REGISTRATION = env.get("RATELIMIT_APP_REGISTRATION") or "10 per hour"
        self.RATELIMIT_OAUTH_TOKEN = env.get("RATELIMIT_OAUTH_TOKEN") or "30 per minute"
        # Reads through the API, per account (all its apps together): Mastodon's own default.
        self.RATELIMIT_API_READ = env.get("RATELIMIT_API_READ") or "300 per 5 minutes"
        # Per target address: how many links one inbox can be sent.
        self.RATELIMIT_EMAIL_ADDRESS = env.get("RATELIMIT_EMAIL_ADDRESS") or "3 per hour"
        self.RATELIMIT_REAUTH = env.get("RATELIMIT_REAUTH") or "10 per minute"
        self.MFA_PENDING_TTL = timedelta(minutes=5)
        self.REAUTH_WINDOW = timedelta(minutes=5)
        self.TRUSTED_BROWSER_DAYS = _int(env, "TRUSTED_BROWSER_DAYS", 30)
        self.TRUSTED_BROWSER_COOKIE_NAME = "sapling_trusted"
        # Passkeys: the site's domain, and the origins the browser may report. Both follow
        # BASE_URL (its host; its scheme://host[:port]) unless set themselves.
        rp_id, base_origin = _passkey_site(self.BASE_URL)
        self.WEBAUTHN_RP_ID = env.get("WEBAUTHN_RP_ID") or rp_id
        self.WEBAUTHN_RP_NAME = env.get("WEBAUTHN_RP_NAME") or "Sapling"
        origins = env.get("WEBAUTHN_ORIGINS") or base_origin
        self.WEBAUTHN_ORIGINS = [o.strip().rstrip("/") for o in origins.split(",") if o.strip()]


class DevelopmentConfig(Config):
    """Local use over plain HTTP on loopback, with a generated secret key."""

    ENV_NAME = "development"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        if not self.SECRET_KEY:
            self.SECRET_KEY = _local_secret_key()
        self.COMPONENT_GALLERY = True


class TestingConfig(Config):
    """The test suite: fast hashing, real CSRF, no secrets from the environment."""

    ENV_NAME = "testing"
    TESTING = True

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        self.SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
        # Cheap hashing: the suite hashes hundreds of passwords.
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 8
        self.ARGON2_PARALLELISM = 1
        self.MAIL_DELIVER_AFTER_COMMIT = True
        self.COMPONENT_GALLERY = True
        self.RATELIMIT_STORAGE_URI = "memory://"
        # A cheap proof-of-work: the suite's scripted attacker solves hundreds of them.
        self.POW_COST = 10
        self.POW_MAX_NUMBER = 200


class ProductionConfig(Config):
    """Behind nginx over HTTPS; refuses to start without its secrets."""

    ENV_NAME = "production"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not env.get(name)]
        if missing:
            raise ConfigError(
                "Sapling is running with SAPLING_ENV=production but "
                + " and ".join(missing)
                + (" is" if len(missing) == 1 else " are")
                + " not set. Set them in the environment (see .env.example), "
                "or use SAPLING_ENV=development on your own machine."
            )
        super().__init__(env)
        self._refuse_unsafe_settings()
        self.SESSION_COOKIE_SECURE = True
        # The __Host- prefix pins the cookie to this exact host, over HTTPS, on path /.
        self.SESSION_COOKIE_NAME = "__Host-sapling_session"
        self.AUTH_COOKIE_NAME = "__Host-sapling_auth"
        self.DEVICE_COOKIE_NAME = "__Host-sapling_device"
        self.TRUSTED_BROWSER_COOKIE_NAME = "__Host-sapling_trusted"
        self.KNOWN_BROWSER_COOKIE_NAME = "__Host-sapling_known_browser"
        self.THEME_COOKIE_NAME = "__Host-sapling_theme"
        self.PREFERRED_URL_SCHEME = "https"
        self.HSTS_SECONDS = _int(env, "HSTS_SECONDS", 63072000)
        # The worker (`flask worker`) delivers mail. Sending inside the request
        # would make "forgot password" measurably slower for addresses that have an account.
        self.MAIL_DELIVER_AFTER_COMMIT = _flag(env.get("MAIL_DELIVER_AFTER_COMMIT"), default=False)
        self.FEED_FANOUT_AFTER_COMMIT = _flag(env.get("FEED_FANOUT_AFTER_COMMIT"), default=False)
        self.LOG_FORMAT = env.get("LOG_FORMAT") or "json"

    def _refuse_unsafe_settings(self) -> None:
        """Weak secrets, plain HTTP and passkey settings that cannot work (app/config_checks.py).

        A missing REDIS_URL is not refused (one process can run without it); the app
        warns about it at start instead (app/core/startup_checks.py).
        """
        problem = secret_problem(self.SECRET_KEY or "")
        if problem:
            raise ConfigError(secret_refusal("SECRET_KEY", problem))
        # Length first, for every key: the message then does not depend on the order.
        if any(len(key) < 32 for key in self.INTERNAL_API_KEYS):
            raise ConfigError("Each of INTERNAL_API_KEYS must be at least 32 characters long.")
        for position, key in enumerate(self.INTERNAL_API_KEYS, start=1):
            problem = secret_problem(key)
            if problem:
                name = f"INTERNAL_API_KEYS (key number {position})"
                raise ConfigError(secret_refusal(name, problem))
        base = https_origin(self.BASE_URL)
        if base is None:
            # Credentials in a URL are a secret too: then the value is not repeated.
            shown = "a URL with credentials" if "@" in self.BASE_URL else repr(self.BASE_URL)
            raise ConfigError(
                "BASE_URL must be the site's public https:// address, with no user name or "
                f"password, such as https://sapling.example.org (it is {shown}; "
                "http://127.0.0.1:8000 is the default if unset). Links in emails, passkeys "
                "and secure cookies depend on it."
            )
        problem = passkey_problem(base, self.WEBAUTHN_RP_ID, self.WEBAUTHN_ORIGINS)
        if problem:
            raise ConfigError(problem)


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env(environ: Mapping[str, str] | None = None) -> Config:
    """Pick the configuration named by ``SAPLING_ENV`` (production unless told otherwise)."""
    env = os.environ if environ is None else environ
    name = (env.get("SAPLING_ENV") or "production").strip().lower()
    try:
        config_class = CONFIGS[name]
    except KeyError:
        choices = ", ".join(sorted(CONFIGS))
        raise ConfigError(f"SAPLING_ENV must be one of {choices}, not {name!r}.") from None
    return config_class(env)


def _local_secret_key() -> str:
    """A per-checkout key kept under instance/, so local sessions survive restarts."""
    path = INSTANCE_PATH / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_PATH.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
