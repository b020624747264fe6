"""Demo data stays out of the running app: building it imports nothing from app/demo/.

`flask dev seed` is registered everywhere (it refuses production on its own, unless told
``--allow-production``), but its generators load only when it runs. Checked in a fresh
interpreter, as a gunicorn worker starts, since this test process has imported them already.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Prints the demo modules loaded after building the app, and whether `flask dev seed` exists.
PROBE = """
import json, sys
from app import create_app
app = create_app()
demo = sorted(
    name for name in sys.modules
    if name.startswith("app.")
    and (name.startswith("app.demo") or name.rsplit(".", 1)[-1].startswith("demo_")
         or name.rsplit(".", 1)[-1] in {"bulk", "recount"})
)
dev = app.cli.commands["dev"]
print(json.dumps({"demo": demo, "dev": sorted(dev.commands)}))
"""


def build_app(tmp_path: Path, environment: str) -> dict[str, list[str]]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SAPLING_ENV": environment,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sapling.db'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BASE_URL": "https://sapling.example.org",
        "LOG_FORMAT": "text",
    }
    result = subprocess.run(  # noqa: S603 (this interpreter, our probe, the test's settings)
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_the_production_app_does_not_import_demo_data(tmp_path: Path) -> None:
    loaded = build_app(tmp_path, "production")
    assert loaded["demo"] == []
    assert loaded["dev"] == ["seed"]


def test_the_development_app_does_not_import_demo_data_either(tmp_path: Path) -> None:
    loaded = build_app(tmp_path, "development")
    assert loaded["demo"] == []
