"""`make run` as a newcomer runs it, with nothing else started: on the port it is given,
sign up, follow the emailed link, ask for an export, download what its worker built.

`make run` gets a process group of its own (as .ci/run starts it) and a temporary
database, media and mail folder, so the checkout's instance/ is never touched.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import zipfile
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import pytest
import requests

from scripts.loopback import free_port
from tests.support.pages import csrf_token_in
from tests.support.worker_process import PATIENCE, wait_until

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
USERNAME, ADDRESS = "fern.newcomer", "fern.newcomer@example.org"
PASSWORD = "quiet maple lantern harbour"
# What a shell on a developer's machine passes on; none of Sapling's settings or the suite's.
KEPT_VARIABLES = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR")


class MakeRun:
    """`make run PORT=port` in its own process group; stopped by a SIGTERM to that group."""

    def __init__(self, folder: Path, port: int) -> None:
        self.port = port
        self.mail = folder / "mail"
        self.log_path = folder / "make-run.log"
        self.env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
        self.env.update(
            DATABASE_URL=f"sqlite:///{folder / 'sapling.db'}",
            MEDIA_ROOT=str(folder / "media"),
            MAIL_OUTBOX_DIR=str(self.mail),
            SECRET_KEY=secrets.token_urlsafe(32),  # else one is kept in instance/
        )
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [MAKE or "make", "run", f"PORT={port}"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, pattern: str) -> re.Match[str]:
        found: list[re.Match[str]] = []

        def seen() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"make run exited ({self.process.returncode}):\n{self.log}")
            found[:] = [match] if (match := re.search(pattern, self.log)) else []
            return bool(found)

        wait_until(seen, PATIENCE, f"{pattern!r} in make run's output:\n{self.log}")
        return found[0]

    def wait_for_mail(self, subject: str) -> EmailMessage:
        """The first message with this subject in the outbox folder, once written whole."""
        found: list[EmailMessage] = []

        def arrived() -> bool:
            for path in sorted(self.mail.glob("*.eml")):
                data = path.read_bytes()
                if not data.rstrip().endswith(b"--"):  # the closing MIME boundary: all there
                    continue
                message = email.message_from_bytes(data, policy=email.policy.default)
                if isinstance(message, EmailMessage) and message["Subject"] == subject:
                    found.append(message)
                    return True
            return self.process.poll() is not None

        wait_until(arrived, PATIENCE, f"an email {subject!r}; make run's output:\n{self.log}")
        assert found, f"make run exited ({self.process.returncode}):\n{self.log}"
        return found[0]

    def stop(self) -> int:
        """SIGTERM to make's process group, as .ci/run does; make's exit status."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise

    def __enter__(self) -> MakeRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def link_in(message: EmailMessage, path_prefix: str) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    match = re.search(rf"https?://[^/\s]+{re.escape(path_prefix)}\S*", text)
    assert match, f"no {path_prefix} link in: {text}"
    return match.group(0)


def submit(client: requests.Session, url: str, **fields: str) -> requests.Response:
    """Fill in the form on ``url`` and send it, as a browser would."""
    page = client.get(url, timeout=30)
    assert page.status_code == 200, page.text[:2000]
    data = {"csrf_token": csrf_token_in(page.text), **fields}
    return client.post(
        url, data=data, headers={"Referer": page.url}, allow_redirects=False, timeout=30
    )


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_run_serves_links_and_exports_on_its_port(tmp_path: Path) -> None:
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    with MakeRun(tmp_path, port) as run, requests.Session() as client:
        run.wait_for_log(re.escape(f"Sapling is running at {site}/"))
        worker_pid = int(run.wait_for_log(r"Worker (\d+) started: mail every").group(1))
        client.trust_env = False

        signed_up = submit(
            client, f"{site}/signup", username=USERNAME, email=ADDRESS, password=PASSWORD
        )
        assert signed_up.status_code == 303, signed_up.text[:2000]
        confirm = link_in(run.wait_for_mail("Confirm your email address for Sapling"), "/verify/")
        assert (urlsplit(confirm).hostname, urlsplit(confirm).port) == ("127.0.0.1", port)
        assert submit(client, confirm).status_code == 303

        logged_in = submit(client, f"{site}/login", identifier=USERNAME, password=PASSWORD)
        assert logged_in.status_code == 303, logged_in.text[:2000]
        assert submit(client, f"{site}/settings/export").status_code == 303

        ready = run.wait_for_mail("Your Sapling data is ready to download")  # the worker's
        download = link_in(ready, "/settings/export/")
        assert (urlsplit(download).hostname, urlsplit(download).port) == ("127.0.0.1", port)
        archive = client.get(download, timeout=30)
        assert archive.status_code == 200
        assert archive.headers["Content-Type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(archive.content)) as exported:
            profile = json.loads(exported.read("profile.json"))
        assert (profile["username"], profile["email"]) == (USERNAME, ADDRESS)

        # The operator commands, as the README shows them for this checkout.
        listing = subprocess.run(  # noqa: S603
            [MAKE or "make", "--no-print-directory", "flask", "ARGS=users list"],
            cwd=ROOT,
            env=run.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert listing.returncode == 0, listing.stderr
        assert f"@{USERNAME}\t{ADDRESS}" in listing.stdout
        assert "Traceback" not in listing.stderr

    # Stopped as a whole: the worker finished its round, gunicorn shut down, nothing is left.
    assert re.search(rf"Worker {worker_pid} stopped \(SIGTERM received\)", run.log), run.log
    assert "Shutting down: Master" in run.log
    assert not process_exists(worker_pid)
    with pytest.raises(requests.ConnectionError):
        requests.get(site, timeout=5)
