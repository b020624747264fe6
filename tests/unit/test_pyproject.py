"""pyproject.toml is valid packaging metadata: what it leaves dynamic, its backend can fill in."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[2]


def test_the_dynamic_version_has_a_backend_and_is_the_apps_own() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["build-system"]["build-backend"] == "setuptools.build_meta"
    module, _, name = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"].rpartition(".")
    assert getattr(importlib.import_module(module), name) == app.__version__
    assert pyproject["tool"]["setuptools"]["packages"]["find"]["include"] == ["app", "app.*"]
