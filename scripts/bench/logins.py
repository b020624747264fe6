"""Login throughput against the argon2 bound, and the other pages during a login storm."""

from __future__ import annotations

import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher

from app.config import sqlalchemy_url
from app.demo.demo_seed import DEMO_PASSWORD
from scripts.bench import wrk
from scripts.bench.client import Browser, encoded, login_body

ACCOUNTS = 16  # the storm logs these in over and over, in turn


def argon2_bound(
    database_url: str, cores: int, samples: int = 10, seconds: float = 3.0
) -> dict[str, object]:
    """How many logins per second the machine could do if it did nothing but verify.

    One verify of the seeded accounts' hash (the production parameters: time 3,
    64 MiB, 4 lanes), timed in this process. argon2-cffi runs the lanes on threads,
    so one verify's wall time can be shorter than the CPU time it uses; the bound
    is cores divided by the CPU time, which is also what other processes'
    load disturbs least. On a shared machine the cores are not all ours, so the
    verifies per second that ``cores`` threads actually manage, just before the
    logins are measured, are recorded next to it, as the ceiling is for pages.
    """
    engine = sa.create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                sa.text("SELECT password_hash FROM users WHERE username = 'demo'")
            ).scalar_one()
    finally:
        engine.dispose()
    hasher = PasswordHasher()  # the parameters come from the stored hash
    walls, cpus = [], []
    for _ in range(samples):
        wall, cpu = time.perf_counter(), time.process_time()
        hasher.verify(stored, DEMO_PASSWORD)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    cpu_seconds = statistics.median(cpus)
    return {
        "measured_per_second": round(_verifies_per_second(hasher, stored, cores, seconds), 2),
        "hash_parameters": stored.split("$")[3],
        "verify_wall_ms": round(statistics.median(walls) * 1000, 1),
        "verify_cpu_ms": round(cpu_seconds * 1000, 1),
        "cores": cores,
        "bound_per_second": round(cores / cpu_seconds, 2),
    }


def _verifies_per_second(
    hasher: PasswordHasher, stored: str, threads: int, seconds: float
) -> float:
    """argon2 releases the GIL, so threads verify in parallel as the workers would."""
    deadline = time.perf_counter() + seconds

    def verify_until_deadline() -> int:
        done = 0
        while time.perf_counter() < deadline:
            hasher.verify(stored, DEMO_PASSWORD)
            done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        done = sum(pool.map(lambda _: verify_until_deadline(), range(threads)))
    return done / (time.perf_counter() - started)


def login_pairs(base_url: str, database_url: str, folder: Path) -> Path:
    """A file of ready login requests for login.lua, one account per line.

    Each account logs in once first, so its later logins come from a device it
    has used before (no new-device email): returning people logging in again.
    """
    engine = sa.create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            names = connection.scalars(
                sa.text(
                    "SELECT username FROM users WHERE username <> 'demo' "
                    "ORDER BY id LIMIT :n OFFSET 100"
                ),
                {"n": ACCOUNTS},
            ).all()
    finally:
        engine.dispose()
    lines = []
    for name in names:
        first = Browser(base_url)
        first.log_in(name, DEMO_PASSWORD)
        device = {k: v for k, v in first.cookies.items() if "device" in k}
        again = Browser(base_url, cookies=device)
        token = again.login_form()
        lines.append(f"{again.cookie_header}\t{encoded(login_body(token, name, DEMO_PASSWORD))}")
    path = folder / "login-pairs.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_logins(
    base_url: str, *, pairs: Path, script: Path, concurrency: int, seconds: int, threads: int
) -> subprocess.Popen[str]:
    """wrk posting the login form for ``seconds``, in the background (the storm) or waited for."""
    command = wrk.command(
        base_url + "/login",
        concurrency=concurrency,
        seconds=seconds,
        headers={"X-Forwarded-Proto": "https", "Referer": "https://" + base_url.split("//")[1]},
        threads=threads,
        script=script,
        script_args=[str(pairs)],
    )
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603


def finish_logins(process: subprocess.Popen[str]) -> wrk.WrkRun:
    stdout, stderr = process.communicate(timeout=600)
    if process.returncode:
        raise RuntimeError(f"wrk logging in failed: {stderr}")
    return wrk.parse_output(stdout)


def succeeded_per_second(run: wrk.WrkRun) -> float:
    """Logins that went through: wrk counts every answer of 400 or more (a 503) as an error."""
    done = run.requests - run.errors.get("status", 0)
    return round(done / run.seconds, 2) if run.seconds else 0.0
