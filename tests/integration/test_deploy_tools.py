"""The deployment files, checked by the tools that read them: `docker compose config` where
the compose plugin is installed, `systemd-analyze verify` where systemd's tools are.

They run those programs, so they live here rather than with the file checks in
tests/unit/test_deploy_files.py.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
VENV_BIN = "/srv/sapling/.venv/bin/"


def test_docker_compose_accepts_the_file() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client here (CI has no Docker engine or compose plugin)")
    probe = subprocess.run(  # noqa: S603
        [docker, "compose", "version"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("the docker client has no compose plugin (CI has no Docker engine)")
    made = []
    for name in ("sapling.env", "postgres.env"):
        env_file = ROOT / "deploy" / "docker" / name
        if not env_file.exists():  # compose needs the operator's file; the template stands in
            shutil.copy(ROOT / "deploy" / "docker" / f"{name}.example", env_file)
            made.append(env_file)
    try:
        result = subprocess.run(  # noqa: S603
            [docker, "compose", "-f", "docker-compose.yml", "config", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        for env_file in made:
            env_file.unlink()
    assert result.returncode == 0, result.stderr


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for path in SYSTEMD.iterdir():
        shutil.copy(path, tmp_path / path.name)
    units = sorted(str(path) for path in tmp_path.iterdir())
    result = subprocess.run(  # noqa: S603
        [analyze, "verify", *units], capture_output=True, text=True, check=False
    )
    # The executables live on the server, not here; anything else is a mistake in a unit.
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and f"Command {VENV_BIN}" not in line
    ]
    assert not problems
