"""The deployment files, checked without a container engine: the Dockerfile, .dockerignore,
docker-compose.yml and the systemd units refer to files, images and `flask` commands that exist.

`docker compose config` and `systemd-analyze verify` run in
tests/integration/test_deploy_tools.py: they start programs, so they are no unit tests.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from app import config, create_app

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
SERVICES = (
    "sapling.service",
    "sapling-signin.service",
    "sapling-worker.service",
    "sapling-maintenance.service",
)
SAPLING_SERVICES = ("migrate", "app", "signin", "worker")
VENV_BIN = "/srv/sapling/.venv/bin/"

# Pieces of the operations release written on other branches. Until they are merged the checks
# that need them are skipped; afterwards they run, and these entries can go.
PENDING_FILES = {
    "deploy/gunicorn.conf.py": "the gunicorn settings, written on another branch",
    "deploy/nginx/sapling.conf": "the nginx site, written on another branch",
    "deploy/nginx/sapling_proxy.conf": "the nginx site's proxy settings, written on another branch",
}
PENDING_COMMANDS = {"worker": "`flask worker`, written on another branch,"}


def read(relative: str) -> str:
    return (ROOT / relative).read_text()


def interpolate(value: str) -> str:
    """Compose's ``${NAME:-default}`` as it reads with nothing set."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(read("docker-compose.yml"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> click.Group:
    """The `flask` command line the deployment files call, from the app factory."""
    folder = tmp_path_factory.mktemp("deploy-cli")
    app = create_app(
        config.TestingConfig({}),
        {"DATABASE_URL": f"sqlite:///{folder / 'cli.db'}", "MEDIA_ROOT": str(folder / "media")},
    )
    return app.cli


def check_exists(relative: str) -> None:
    if relative in PENDING_FILES and not (ROOT / relative).exists():
        return  # test_files_from_other_branches_exist reports it
    assert (ROOT / relative).exists(), f"{relative} is referred to but missing"


@pytest.mark.parametrize("relative", sorted(PENDING_FILES))
def test_files_from_other_branches_exist(relative: str) -> None:
    if not (ROOT / relative).exists():
        pytest.skip(f"{relative} is not merged yet: {PENDING_FILES[relative]}")
    assert (ROOT / relative).is_file()


# --- Dockerfile and .dockerignore ------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", read("Dockerfile"))
    instructions = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def dockerfile(keyword: str) -> list[str]:
    """The arguments of every ``keyword`` instruction, in order."""
    return [arguments for found, arguments in dockerfile_instructions() if found == keyword]


def test_dockerfile_runs_as_a_fixed_unprivileged_user() -> None:
    users = dockerfile("USER")
    assert users, "the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert "--uid 10001" in read("Dockerfile")


def test_dockerfile_has_a_liveness_healthcheck_without_curl() -> None:
    checks = dockerfile("HEALTHCHECK")
    assert len(checks) == 1
    assert "urllib.request" in checks[0]
    assert "http://127.0.0.1:8000/healthz" in checks[0]


def test_dockerfile_is_multi_stage_on_slim_bookworm() -> None:
    froms = dockerfile("FROM")
    assert len(froms) >= 2
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in read("Dockerfile")
    env = " ".join(dockerfile("ENV"))
    for setting in ("SAPLING_ENV=production", "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"):
        assert setting in env


def test_dockerfile_license_label_matches_the_project() -> None:
    pyproject = read("pyproject.toml")
    license_name = re.search(r'^license = "([^"]+)"', pyproject, re.MULTILINE)
    assert license_name is not None
    assert f'org.opencontainers.image.licenses="{license_name.group(1)}"' in read("Dockerfile")
    assert read("LICENSE").startswith("GNU AFFERO GENERAL PUBLIC LICENSE")


def dockerignored(path: str) -> bool:
    """Docker's rule, enough for this file: the last matching pattern wins, '!' re-includes,
    and a pattern that matches a folder matches everything in it."""
    ignored = False
    candidates = [str(Path(*Path(path).parts[:n])) for n in range(1, len(Path(path).parts) + 1)]
    for line in read(".dockerignore").splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        include = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/")
        patterns = {pattern, pattern.removeprefix("**/")}
        if any(fnmatch.fnmatchcase(c, p) for c in candidates for p in patterns):
            ignored = not include
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".git/config",
        ".venv/bin/python",
        "instance/secret_key",
        "instance/media/public/ab/x.webp",
        "node_modules/axe-core/axe.js",
        "tests/conftest.py",
        "test-results/report.xml",
        "deploy/docker/sapling.env",
        "deploy/docker/postgres.env",
        "deploy/docker/certs/privkey.pem",
        "app/__pycache__/config.cpython-311.pyc",
    ],
)
def test_dockerignore_keeps_secrets_and_local_state_out(path: str) -> None:
    assert dockerignored(path)


def test_every_file_the_dockerfile_copies_exists_and_reaches_the_builder() -> None:
    sources = []
    for arguments in dockerfile("COPY"):
        if "--from=" not in arguments:
            sources += [word for word in shlex.split(arguments)[:-1] if not word.startswith("--")]
    assert {"requirements.txt", "app", "migrations", "wsgi.py"} <= set(sources)
    for source in sources:
        check_exists(source)
        assert not dockerignored(source), f"{source} is excluded by .dockerignore"
    assert not dockerignored("app/static/css/base.css")
    assert not dockerignored("migrations/env.py")


# --- docker-compose.yml ----------------------------------------------------------------------


def test_compose_has_every_service(compose: dict[str, Any]) -> None:
    expected = {"postgres", "redis", "migrate", "app", "signin", "worker", "nginx"}
    assert set(compose["services"]) == expected


def test_every_image_is_pinned_to_a_tag(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = interpolate(service["image"])
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image} is not pinned"


def test_app_worker_and_migration_run_one_image(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert len({services[name]["image"] for name in SAPLING_SERVICES}) == 1
    assert {str(services[name].get("build")) for name in SAPLING_SERVICES} == {"."}
    assert (ROOT / "Dockerfile").is_file()


def test_files_and_volumes_the_services_use_exist(compose: dict[str, Any]) -> None:
    named = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = interpolate(volume).split(":")[0]
            if source.startswith((".", "/")):
                check_exists(str(Path(source)))
            else:
                assert source in named, f"{name}: volume {source} is not declared"
        env_files = service.get("env_file", [])
        for env_file in [env_files] if isinstance(env_files, str) else env_files:
            template = ROOT / f"{env_file}.example"
            assert (ROOT / env_file).exists() or template.exists(), f"{name}: {env_file}"


def test_compose_holds_no_secret(compose: dict[str, Any]) -> None:
    secret = re.compile(r"SECRET|PASSWORD|KEYS?$|DATABASE_URL")
    for name, service in compose["services"].items():
        for key in service.get("environment") or {}:
            assert not secret.search(key), f"{name} sets {key} in docker-compose.yml"


def env_file_names(relative: str) -> set[str]:
    """The variables an env file template sets (``NAME=``, commented-out ones too)."""
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", read(relative), re.MULTILINE))


def test_postgres_gets_only_its_own_variables(compose: dict[str, Any]) -> None:
    # The database container needs its password, not the app's SECRET_KEY, mail password
    # or API keys: every variable an image is given shows up in `docker inspect`.
    postgres = compose["services"]["postgres"]
    env_files = postgres.get("env_file") or []
    env_files = [env_files] if isinstance(env_files, str) else env_files
    assert "deploy/docker/sapling.env" not in env_files
    names = set(postgres.get("environment") or {})
    for env_file in env_files:
        names |= env_file_names(f"{env_file}.example")
    assert "POSTGRES_PASSWORD" in names or "POSTGRES_PASSWORD_FILE" in names
    assert all(name.startswith("POSTGRES_") for name in names), sorted(names)
    # ... and the app's settings do not carry the database's.
    assert not {n for n in env_file_names("deploy/docker/sapling.env.example") if "POSTGRES" in n}


def test_only_nginx_is_reachable_from_outside(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {name for name, service in services.items() if service.get("ports")} == {"nginx"}
    assert services["app"]["network_mode"] == "service:nginx"
    assert services["app"]["environment"]["GUNICORN_BIND"] == "127.0.0.1:8000"
    assert services["signin"]["network_mode"] == "service:nginx"
    assert services["signin"]["environment"]["GUNICORN_SIGNIN_BIND"] == "127.0.0.1:8001"


def test_services_without_gunicorn_turn_the_image_healthcheck_off(compose: dict[str, Any]) -> None:
    for name in ("migrate", "worker"):
        assert compose["services"][name]["healthcheck"] == {"disable": True}
    assert "healthcheck" not in compose["services"]["app"]


def test_migrations_run_before_app_and_worker(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["flask", "db", "upgrade"]
    for name in ("app", "signin", "worker"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


# --- nginx (behaviour: tests/integration/test_nginx.py; these run where nginx is absent) -----


def nginx_server_blocks() -> list[str]:
    """The text of each top-level ``server { ... }`` in the site file, comments dropped."""
    text = re.sub(r"#[^\n]*", "", read("deploy/nginx/sapling.conf"))
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"\bserver\s*\{|\{|\}", text):
        if match.group().startswith("server") and depth == 0:
            start = match.start()
        if match.group().endswith("{"):
            depth += 1
        else:
            depth -= 1
            if depth == 0 and start is not None:
                blocks.append(text[start : match.end()])
                start = None
    return blocks


def test_no_nginx_server_block_names_the_version() -> None:
    blocks = nginx_server_blocks()
    assert len(blocks) >= 6  # two default servers, port 80, the site, media, internal
    for block in blocks:
        assert re.search(r"^\s*server_tokens off;", block, re.MULTILINE), block[:200]


def test_nginx_passes_the_host_with_its_port_and_refuses_other_names() -> None:
    proxy = read("deploy/nginx/sapling_proxy.conf")
    assert re.search(r"^proxy_set_header Host \$http_host;", proxy, re.MULTILINE)
    defaults = [block for block in nginx_server_blocks() if "default_server" in block]
    assert any("listen 80 default_server;" in b and "return 444;" in b for b in defaults)
    assert any("ssl_reject_handshake on;" in b and "return 421;" in b for b in defaults)
    assert all("proxy_pass" not in block for block in defaults)


# --- systemd units ---------------------------------------------------------------------------


def unit(name: str) -> dict[str, list[str]]:
    """``Section.Key`` -> every value it is given, in order (ExecStart= may repeat)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in (SYSTEMD / name).read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if stripped.startswith("["):
            section = stripped.strip("[]")
            continue
        key, _, value = stripped.partition("=")
        settings.setdefault(f"{section}.{key}", []).append(value)
    return settings


# What each unit does; every other [Service] setting is hardening, and must be the same in all.
OWN_SETTINGS = {
    "Type", "NotifyAccess", "User", "Group", "WorkingDirectory", "EnvironmentFile", "Environment",
    "RuntimeDirectory", "RuntimeDirectoryMode", "ExecStartPre", "ExecStart", "ExecReload",
    "KillMode", "TimeoutStopSec", "Restart", "RestartSec",
}  # fmt: skip


def hardening(name: str) -> dict[str, list[str]]:
    return {
        key: values
        for key, values in unit(name).items()
        if key.startswith("Service.") and key.removeprefix("Service.") not in OWN_SETTINGS
    }


@pytest.mark.parametrize("name", SERVICES)
def test_units_run_as_sapling_from_the_checkout(name: str) -> None:
    settings = unit(name)
    assert settings["Service.User"] == ["sapling"]
    assert settings["Service.Group"] == ["sapling"]
    assert settings["Service.WorkingDirectory"] == ["/srv/sapling"]
    assert settings["Service.EnvironmentFile"] == ["/etc/sapling/sapling.env"]
    assert settings["Service.ProtectSystem"] == ["strict"]
    assert settings["Service.ReadWritePaths"] == ["/var/lib/sapling"]
    assert settings["Service.NoNewPrivileges"] == ["true"]


def test_units_share_one_hardening_block() -> None:
    blocks = [hardening(name) for name in SERVICES]
    assert len(blocks[0]) >= 20
    assert all(block == blocks[0] for block in blocks)


def test_web_unit_reloads_gracefully_and_owns_the_metrics_folder() -> None:
    settings = unit("sapling.service")
    assert settings["Service.Type"] == ["notify"]
    assert settings["Service.ExecReload"] == ["/bin/kill -s HUP $MAINPID"]
    assert settings["Service.KillMode"] == ["mixed"]
    assert settings["Service.Restart"] == ["on-failure"]
    assert settings["Service.Environment"] == ["PROMETHEUS_MULTIPROC_DIR=/run/sapling/metrics"]
    assert "sapling/metrics" in settings["Service.RuntimeDirectory"][0].split()
    assert "/run/sapling/metrics" in settings["Service.ExecStartPre"][0]
    # Only the web unit may own /run/sapling: systemd removes it when its owner stops.
    for name in ("sapling-worker.service", "sapling-maintenance.service"):
        assert "Service.RuntimeDirectory" not in unit(name)
        assert "PROMETHEUS_MULTIPROC_DIR" not in (SYSTEMD / name).read_text()


def test_sign_in_unit_runs_the_sign_in_pool_with_metrics_of_its_own() -> None:
    settings, web = unit("sapling-signin.service"), unit("sapling.service")
    start = settings["Service.ExecStart"][0]
    assert start == f"{VENV_BIN}gunicorn -c deploy/gunicorn-signin.conf.py wsgi:app"
    check_exists("deploy/gunicorn-signin.conf.py")
    for key in ("Type", "ExecReload", "KillMode", "TimeoutStopSec", "Restart"):
        assert settings[f"Service.{key}"] == web[f"Service.{key}"], key
    # Not /run/sapling: systemd removes a runtime folder when the unit that owns it stops.
    assert settings["Service.Environment"] == [
        "PROMETHEUS_MULTIPROC_DIR=/run/sapling-signin/metrics"
    ]
    assert settings["Service.RuntimeDirectory"] == ["sapling-signin sapling-signin/metrics"]
    assert "/run/sapling-signin/metrics" in settings["Service.ExecStartPre"][0]


def test_nginx_sends_every_route_that_hashes_to_the_sign_in_pool() -> None:
    """The routes whose code runs argon2, found in the app, each match a location that
    proxies to the sign-in pool (tests/integration/test_nginx.py checks it through nginx)."""
    site = read("deploy/nginx/sapling.conf")
    patterns = re.findall(r"location ~ (\^\S+) \{[^}]*proxy_pass http://sapling_signin;", site)
    assert len(patterns) == 2, patterns
    for path in ("/login", "/login/verify", "/signup", "/password/reset/t", "/reauth",
                 "/settings/password", "/settings/email"):  # fmt: skip
        assert any(re.match(pattern, path) for pattern in patterns), path
    for path in ("/", "/home", "/settings/", "/settings/username", "/loginx"):
        assert not any(re.match(pattern, path) for pattern in patterns), path


def test_web_unit_and_image_start_gunicorn_alike() -> None:
    start = unit("sapling.service")["Service.ExecStart"][0]
    assert start == f"{VENV_BIN}gunicorn -c deploy/gunicorn.conf.py wsgi:app"
    cmd = dockerfile("CMD")
    assert cmd == ['["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]']
    check_exists("deploy/gunicorn.conf.py")
    assert re.search(r"^app = ", read("wsgi.py"), re.MULTILINE)


# --- The flask commands they run -------------------------------------------------------------


def flask_commands() -> list[tuple[str, list[str]]]:
    """Every `flask ...` command line in the units (drop-in examples too) and in compose."""
    found = []
    pattern = re.compile(rf"ExecStart=\s*{re.escape(VENV_BIN)}flask (.+)")
    for path in sorted(SYSTEMD.glob("*.service")):
        for match in pattern.finditer(path.read_text()):
            found.append((path.name, shlex.split(match.group(1))))
    services = yaml.safe_load(read("docker-compose.yml"))["services"]
    for name, service in services.items():
        command = service.get("command")
        if isinstance(command, list) and command[0] == "flask":
            found.append((f"compose:{name}", command[1:]))
    return found


@pytest.mark.parametrize(("where", "arguments"), flask_commands())
def test_flask_commands_exist_with_their_options(
    cli: click.Group, where: str, arguments: list[str]
) -> None:
    command: click.Command = cli
    words = list(arguments)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        name = words.pop(0)
        if name not in command.commands and name in PENDING_COMMANDS:
            pytest.skip(f"{where}: {PENDING_COMMANDS[name]} is not merged yet")
        assert name in command.commands, f"{where}: no command `{name}` in flask {arguments}"
        command = command.commands[name]
    assert not isinstance(command, click.Group), f"{where}: `flask {arguments}` is a group"
    command.make_context(arguments[-1], words)  # unknown options or arguments raise here


def test_the_commands_found_include_every_unit_and_service() -> None:
    places = {where for where, _ in flask_commands()}
    assert {"sapling-worker.service", "sapling-maintenance.service"} <= places
    assert {"compose:migrate", "compose:worker"} <= places


# --- docs/operations.md ----------------------------------------------------------------------


def settings_read_by(relative: str) -> set[str]:
    """Names of the environment variables a module reads."""
    pattern = r"""(?:env\.get|environ\.get|_int)\((?:env, )?"([A-Z][A-Z0-9_]+)\""""
    return set(re.findall(pattern, read(relative)))


def documented_settings() -> set[str]:
    """The names in the first column of the tables under "Environment variables"."""
    section = read("docs/operations.md").split("## Environment variables", 1)[1]
    section = section.split("\n## ", 1)[0]
    first_cells = re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE)
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_every_setting_the_code_reads_is_documented() -> None:
    names = settings_read_by("app/config.py")
    assert len(names) > 50
    if (ROOT / "deploy" / "gunicorn.conf.py").exists():
        names |= settings_read_by("deploy/gunicorn.conf.py")
        names |= settings_read_by("deploy/gunicorn-signin.conf.py")
    names |= {"INTERNAL_API_KEYS", "PROMETHEUS_MULTIPROC_DIR", "GUNICORN_BIND", "GUNICORN_WORKERS"}
    missing = names - documented_settings()
    assert not missing, f"docs/operations.md, Environment variables, lacks {sorted(missing)}"


def test_deploy_readme_maps_every_file_in_the_folder() -> None:
    readme = read("deploy/README.md")
    for path in sorted((ROOT / "deploy").rglob("*")):
        relative = path.relative_to(ROOT / "deploy")
        if path.is_dir() or path.name == "README.md" or relative.parts[:2] == ("docker", "certs"):
            continue
        name = str(relative)
        braced = re.sub(r"\.(service|timer)$", "", name)
        assert name in readme or f"{braced}.{{service,timer}}" in readme, f"deploy/{name}"
