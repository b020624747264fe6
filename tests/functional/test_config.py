"""Configuration comes from the environment, and production refuses to start without its secrets."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from app.config import ConfigError, DevelopmentConfig, ProductionConfig, config_from_env

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "SECRET_KEY": secrets.token_urlsafe(32),
    "DATABASE_URL": "postgresql://sapling@db/sapling",
    "BASE_URL": "https://sapling.example.org",
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_variable(missing: str) -> None:
    environ = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ConfigError, match=f"{missing} is not set"):
        ProductionConfig(environ)


def test_production_refuses_a_short_secret_key() -> None:
    with pytest.raises(ConfigError, match="at least 32 characters"):
        ProductionConfig({**GOOD, "SECRET_KEY": "short"})


def test_wsgi_exits_with_a_clear_message_in_production_without_secrets(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "SAPLING_ENV": "production", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY and DATABASE_URL are not set" in result.stderr


def test_flask_commands_refuse_production_without_secrets_in_one_message(tmp_path: Path) -> None:
    # What `flask users list` prints in a checkout without SAPLING_ENV: no traceback.
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "FLASK_SKIP_DOTENV": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "SECRET_KEY and DATABASE_URL are not set" in result.stderr
    assert 'make flask ARGS="users list"' in result.stderr


def test_environment_sets_every_documented_variable() -> None:
    config = ProductionConfig(
        {
            **GOOD,
            "REDIS_URL": "redis://cache:6379/0",
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_PORT": "2525",
            "MAIL_USE_TLS": "false",
            "MAIL_USERNAME": "mailer",
            "MAIL_PASSWORD": "mail-secret",
            "MAIL_DEFAULT_SENDER": "Sapling <hello@example.org>",
            "MEDIA_ROOT": "/srv/media",
            "TRUSTED_PROXY_COUNT": "1",
            "SUPPORT_EMAIL": "help@example.org",
        }
    )
    assert config.DATABASE_URL == "postgresql+psycopg://sapling@db/sapling"
    assert config.REDIS_URL == "redis://cache:6379/0"
    assert config.RATELIMIT_STORAGE_URI == "redis://cache:6379/0"
    assert (config.MAIL_SERVER, config.MAIL_PORT, config.MAIL_USE_TLS) == (
        "smtp.example.org",
        2525,
        False,
    )
    assert (config.MAIL_USERNAME, config.MAIL_PASSWORD) == ("mailer", "mail-secret")
    assert config.MAIL_DEFAULT_SENDER == "Sapling <hello@example.org>"
    assert config.MEDIA_ROOT == "/srv/media"
    assert config.TRUSTED_PROXY_COUNT == 1
    assert config.SUPPORT_EMAIL == "help@example.org"


def test_support_email_is_optional_and_must_be_an_address() -> None:
    assert ProductionConfig(GOOD).SUPPORT_EMAIL is None
    assert ProductionConfig({**GOOD, "SUPPORT_EMAIL": " "}).SUPPORT_EMAIL is None
    for value in ("help", "Help <help@example.org>", "help@example.org\r\nBcc: x@example.org"):
        with pytest.raises(ConfigError, match="SUPPORT_EMAIL"):
            ProductionConfig({**GOOD, "SUPPORT_EMAIL": value})


@pytest.mark.parametrize(
    ("name", "value"),
    [("TRUSTED_PROXY_COUNT", "two"), ("TRUSTED_PROXY_COUNT", "-1"), ("MAIL_PORT", "x")],
)
def test_malformed_numbers_are_refused_clearly(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        ProductionConfig({**GOOD, name: value})


def test_sapling_env_picks_the_configuration() -> None:
    assert isinstance(config_from_env({**GOOD, "SAPLING_ENV": "production"}), ProductionConfig)
    assert isinstance(
        config_from_env({"SAPLING_ENV": "development", "SECRET_KEY": "dev"}), DevelopmentConfig
    )
    with pytest.raises(ConfigError, match="SAPLING_ENV must be one of"):
        config_from_env({"SAPLING_ENV": "staging"})


def test_production_is_the_default() -> None:
    with pytest.raises(ConfigError, match="SAPLING_ENV=production"):
        config_from_env({})


def test_development_defaults_to_sqlite_under_instance() -> None:
    config = DevelopmentConfig({"SECRET_KEY": "dev"})
    assert config.DATABASE_URL.startswith("sqlite:///")
    assert config.DATABASE_URL.endswith("instance/sapling.db")
    assert config.SESSION_COOKIE_SECURE is False


def test_production_leaves_mail_to_the_worker() -> None:
    # Sending during the request would time-leak which addresses have accounts.
    assert ProductionConfig(GOOD).MAIL_DELIVER_AFTER_COMMIT is False
    assert ProductionConfig({**GOOD, "MAIL_DELIVER_AFTER_COMMIT": "true"}).MAIL_DELIVER_AFTER_COMMIT


def test_internal_api_keys_are_a_comma_separated_list() -> None:
    first, second = secrets.token_urlsafe(24), secrets.token_hex(20)
    config = ProductionConfig({**GOOD, "INTERNAL_API_KEYS": f" {first} ,, {second},  "})
    assert [first, second] == config.INTERNAL_API_KEYS
    assert ProductionConfig(GOOD).INTERNAL_API_KEYS == []
    # Only production insists on long keys.
    development = DevelopmentConfig({"SECRET_KEY": "dev", "INTERNAL_API_KEYS": "local"})
    assert development.INTERNAL_API_KEYS == ["local"]


def test_production_refuses_a_short_internal_api_key() -> None:
    # One short key among long ones is enough to refuse: it would be the weakest way in.
    keys = f"{secrets.token_urlsafe(32)},{'b' * 31}"
    with pytest.raises(ConfigError, match="INTERNAL_API_KEYS must be at least 32") as refused:
        ProductionConfig({**GOOD, "INTERNAL_API_KEYS": keys})
    assert "b" * 31 not in str(refused.value)


# --- Production refuses unsafe settings (issue #15, item 13) ---------------------------------


def refusal(**settings: str) -> str:
    """The message production refuses ``settings`` with (on top of GOOD)."""
    with pytest.raises(ConfigError) as refused:
        ProductionConfig({**GOOD, **settings})
    return str(refused.value)


def test_production_refuses_a_secret_key_of_one_repeated_character() -> None:
    message = refusal(SECRET_KEY="s" * 40)
    assert "SECRET_KEY" in message
    assert "one character repeated" in message
    assert "secrets.token_urlsafe" in message  # says what to do
    assert "s" * 8 not in message  # never the secret itself


# The families a tired operator pastes: the templates' marker, our own test key, "replace me".
PLACEHOLDERS = [
    "CHANGE-ME",
    "CHANGE-ME-to-a-long-random-string-of-48-characters",
    "change_me_please_this_is_not_a_real_production_key",
    pytest.param("ChangeMe" + secrets.token_hex(16), id="ChangeMe-random"),  # an id xdist can match
    "replace-me-with-the-output-of-secrets.token_urlsafe",
    "testing-secret-key-not-for-production",
    "your-secret-key-goes-here-make-it-long-and-random",
]


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_production_refuses_a_placeholder_secret_key(value: str) -> None:
    message = refusal(SECRET_KEY=value)
    assert "SECRET_KEY" in message
    assert "placeholder" in message or "at least 32" in message
    assert value not in message


def example_secret_values() -> set[str]:
    """Every value the templates and docs show for a secret (``NAME=value`` or ``NAME: value``),
    and the password inside an example DATABASE_URL: what someone may copy into SECRET_KEY."""
    files = [ROOT / ".env.example", ROOT / "docker-compose.yml", ROOT / "README.md"]
    files += sorted((ROOT / "deploy").rglob("*.example")) + sorted((ROOT / "docs").glob("*.md"))
    names = r"SECRET_KEY|INTERNAL_API_KEYS|POSTGRES_PASSWORD|MAIL_PASSWORD"
    found: set[str] = set()
    for path in files:
        text = path.read_text()
        for match in re.finditer(rf"\b(?:{names})[ \t]*[=:][ \t]*\"?([^\s\"`#,]+)", text):
            found.add(match.group(1))
        found |= set(re.findall(r"postgres(?:ql)?://[^:/\s]+:([^@\s]+)@", text))
    return {value for value in found if not value.startswith(("$", "<", "old", "new"))}


def test_every_example_secret_in_the_templates_and_docs_is_refused() -> None:
    values = example_secret_values()
    assert "CHANGE-ME" in values  # deploy/docker/sapling.env.example's database password
    for value in values:
        message = refusal(SECRET_KEY=value)
        assert "SECRET_KEY" in message
        keys = f"{secrets.token_urlsafe(32)},{value}"
        assert "INTERNAL_API_KEYS" in refusal(INTERNAL_API_KEYS=keys)


LOW_ENTROPY = [
    "ab" * 20,
    "mysecretkey" * 3,
    "abcdefghij" * 4,
    "internal-" + "k" * 40,
    # A random half, repeated: half the key is predictable. (The id is fixed for pytest-xdist.)
    pytest.param(uuid.uuid4().hex * 2, id="random-half-repeated"),
    "0123456789" * 4,
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
]


@pytest.mark.parametrize("value", LOW_ENTROPY)
def test_production_refuses_a_secret_key_with_too_little_entropy(value: str) -> None:
    message = refusal(SECRET_KEY=value)
    assert "SECRET_KEY" in message
    assert value not in message
    assert "secrets.token_urlsafe" in message


@pytest.mark.parametrize("value", LOW_ENTROPY[:3])
def test_production_refuses_an_internal_api_key_with_too_little_entropy(value: str) -> None:
    message = refusal(INTERNAL_API_KEYS=f"{secrets.token_urlsafe(32)},{value}")
    assert "INTERNAL_API_KEYS" in message
    assert value not in message


@pytest.mark.parametrize(
    "generate",
    [
        lambda: secrets.token_urlsafe(32),  # what the docs suggest
        lambda: secrets.token_urlsafe(48),
        lambda: secrets.token_hex(32),  # openssl rand -hex 32
        lambda: base64.b64encode(secrets.token_bytes(32)).decode(),  # openssl rand -base64 32
        lambda: secrets.token_hex(16),  # 32 hex digits: the shortest key allowed
    ],
    ids=["token_urlsafe-32", "token_urlsafe-48", "hex-32", "base64-32", "hex-16"],
)
def test_real_random_keys_always_pass(generate: Callable[[], str]) -> None:
    for _ in range(1000):
        key, api_key = generate(), generate()
        config = ProductionConfig({**GOOD, "SECRET_KEY": key, "INTERNAL_API_KEYS": api_key})
        assert (key, [api_key]) == (config.SECRET_KEY, config.INTERNAL_API_KEYS)


@pytest.mark.parametrize(
    "value",
    [
        "http://sapling.example.org",
        "http://127.0.0.1:8000",
        "sapling.example.org",
        "https://",
        "https://sapling.example.org:port",
        "https://admin:hunter2@sapling.example.org",
    ],
)
def test_production_refuses_a_base_url_that_is_not_https(value: str) -> None:
    message = refusal(BASE_URL=value)
    assert "BASE_URL" in message
    assert "https://" in message
    assert "hunter2" not in message


def test_production_refuses_to_run_on_the_default_base_url() -> None:
    environ = {k: v for k, v in GOOD.items() if k != "BASE_URL"}
    with pytest.raises(ConfigError, match="BASE_URL"):
        ProductionConfig(environ)


def test_passkey_settings_follow_base_url_unless_set() -> None:
    config = ProductionConfig({**GOOD, "BASE_URL": "https://photos.example.net:8443/"})
    assert config.WEBAUTHN_RP_ID == "photos.example.net"
    assert config.WEBAUTHN_ORIGINS == ["https://photos.example.net:8443"]
    development = DevelopmentConfig({"SECRET_KEY": "dev", "BASE_URL": "http://localhost:5000"})
    assert development.WEBAUTHN_RP_ID == "localhost"
    assert development.WEBAUTHN_ORIGINS == ["http://localhost:5000"]


@pytest.mark.parametrize(
    ("base_url", "origin"),
    [
        (None, "http://localhost:8000"),  # the default BASE_URL, http://127.0.0.1:8000
        ("http://127.0.0.1:18000", "http://localhost:18000"),  # `make run PORT=18000`
        ("http://127.0.0.2:18000/", "http://localhost:18000"),
        ("http://[::1]:9000", "http://localhost:9000"),
    ],
)
def test_passkeys_on_a_loopback_address_are_on_localhost_at_its_port(
    base_url: str | None, origin: str
) -> None:
    # Browsers refuse an IP address as the passkeys' domain; localhost is the same machine.
    environ = {"SECRET_KEY": "dev"} | ({"BASE_URL": base_url} if base_url else {})
    development = DevelopmentConfig(environ)
    assert development.WEBAUTHN_RP_ID == "localhost"
    assert [origin] == development.WEBAUTHN_ORIGINS


def test_passkey_settings_may_widen_to_the_parent_domain() -> None:
    config = ProductionConfig(
        {
            **GOOD,
            "BASE_URL": "https://photos.example.net",
            "WEBAUTHN_RP_ID": "example.net",
            "WEBAUTHN_ORIGINS": "https://photos.example.net,https://example.net",
        }
    )
    assert config.WEBAUTHN_RP_ID == "example.net"
    assert config.WEBAUTHN_ORIGINS == ["https://photos.example.net", "https://example.net"]


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"WEBAUTHN_RP_ID": "other.example"}, "WEBAUTHN_RP_ID"),
        ({"WEBAUTHN_RP_ID": "ample.org"}, "WEBAUTHN_RP_ID"),  # a suffix, not a parent domain
        ({"WEBAUTHN_ORIGINS": "https://other.example"}, "WEBAUTHN_ORIGINS"),
        ({"WEBAUTHN_ORIGINS": "http://sapling.example.org"}, "WEBAUTHN_ORIGINS"),
        (
            {"WEBAUTHN_ORIGINS": "https://sapling.example.org,https://evil.example"},
            "WEBAUTHN_ORIGINS",
        ),
    ],
)
def test_production_refuses_passkey_settings_that_contradict_base_url(
    settings: dict[str, str], named: str
) -> None:
    message = refusal(**settings)
    assert named in message
    assert "BASE_URL" in message


def run_app_factory(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """Two production apps built in one fresh process, as a gunicorn worker would."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SAPLING_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sapling.db'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BASE_URL": "https://sapling.example.org",
        "LOG_FORMAT": "text",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app(); create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_redis_warns_once_per_process(tmp_path: Path) -> None:
    result = run_app_factory(tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "REDIS_URL is not set" in line]
    assert len(warnings) == 1, result.stderr
    assert "WARNING" in warnings[0] or "ERROR" in warnings[0]
    for fallback in ("rate limits", "failed-login", "CAPTCHA", "per process"):
        assert fallback in warnings[0]


def test_production_with_redis_does_not_warn(tmp_path: Path) -> None:
    result = run_app_factory(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
    assert "REDIS_URL" not in result.stderr
