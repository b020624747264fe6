"""Configuration comes from the environment, and production refuses to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, DevelopmentConfig, ProductionConfig, config_from_env

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://sapling@db/sapling"}


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
    first, second = "a" * 32, "b" * 40
    config = ProductionConfig({**GOOD, "INTERNAL_API_KEYS": f" {first} ,, {second},  "})
    assert [first, second] == config.INTERNAL_API_KEYS
    assert ProductionConfig(GOOD).INTERNAL_API_KEYS == []
    # Only production insists on long keys.
    development = DevelopmentConfig({"SECRET_KEY": "dev", "INTERNAL_API_KEYS": "local"})
    assert development.INTERNAL_API_KEYS == ["local"]


def test_production_refuses_a_short_internal_api_key() -> None:
    # One short key among long ones is enough to refuse: it would be the weakest way in.
    keys = f"{'a' * 32},{'b' * 31}"
    with pytest.raises(ConfigError, match="INTERNAL_API_KEYS must be at least 32") as refused:
        ProductionConfig({**GOOD, "INTERNAL_API_KEYS": keys})
    assert "b" * 31 not in str(refused.value)
