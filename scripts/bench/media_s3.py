"""`python -m scripts.bench.media_s3`: two ways to hand a private photo over from S3.

    python -m scripts.bench.media_s3 [--requests N]   (BENCH_DATABASE_URL: a PostgreSQL server)

The production stack on loopback (gunicorn behind the nginx of deploy/, as the nginx
tests run it) with media in a bucket on a real S3 server (SeaweedFS). A follower asks
for a private photo N times each way:

- **stream**: what Sapling does. nginx asks the app, which checks the viewer and answers
  X-Accel-Redirect to a presigned path; nginx fetches it from the bucket and streams it.
- **redirect**: the alternative. The app answers 302 to a presigned URL, then the
  browser fetches that URL from the bucket itself (timed here as the app's answer to
  the same check, asked of gunicorn directly, then the presigned GET from the bucket).

Prints the median and 95th percentile of each, end to end as the client sees it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import requests

from app.extensions import alembic, db
from app.models import Visibility
from app.services.media.s3_storage import S3MediaStorage
from tests.factories import PASSWORD, create_post, create_user, follow
from tests.support.apps import build_app
from tests.support.databases import create_throwaway_database, drop_database, sqlalchemy_url
from tests.support.nginx_site import production_environment
from tests.support.nginx_stack import SERVER_NAME, Stack, find_nginx
from tests.support.pages import csrf_token_in
from tests.support.s3_server import S3Server

SERVER = sqlalchemy_url(
    os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)


def timed(call: object, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return times


def check(condition: bool) -> None:
    if not condition:
        raise SystemExit("an answer was not the one expected")


def summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{name:9} median {statistics.median(ordered):6.2f} ms   p95 {p95:6.2f} ms"


def main() -> None:  # noqa: PLR0915 (one scenario, start to end)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    count = parser.parse_args().requests
    nginx = find_nginx()
    if nginx is None:
        raise SystemExit("needs nginx (apt-get install nginx)")
    s3 = S3Server()
    url = create_throwaway_database(SERVER)
    try:
        with tempfile.TemporaryDirectory() as work:
            workdir = Path(work)
            bucket = {key: str(value) for key, value in s3.settings().items()}
            app = build_app(url, workdir / "media", dict(bucket))
            with app.app_context():
                alembic.upgrade()
            author, follower = create_user(app, "bench.author"), create_user(app, "bench.reader")
            follow(app, follower, author)
            private = create_post(app, author, "Private", visibility=Visibility.FOLLOWERS)
            environment = production_environment(url, workdir, workdir / "media", **bucket)
            with Stack(nginx, workdir, environment) as stack:
                client = stack.session()
                page = client.get(f"{stack.https}/login", timeout=30)
                client.post(
                    f"{stack.https}/login",
                    data={
                        "csrf_token": csrf_token_in(page.text),
                        "identifier": "bench.reader",
                        "password": PASSWORD,
                    },
                    headers={"Referer": page.url},
                    timeout=30,
                )
                hidden = private.photos[0].storage_key
                with app.app_context():
                    storage = S3MediaStorage.from_config(app.config)
                    object_key = storage.object_key(hidden, "display", public=False)

                cookies = "; ".join(f"{c.name}={c.value}" for c in client.cookies)
                app_host = f"http://127.0.0.1:{stack.ports.app}"
                as_nginx = {  # what nginx adds (deploy/nginx/sapling_proxy.conf)
                    "Host": f"{SERVER_NAME}:{stack.ports.https}",
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": "127.0.0.1",
                    "Cookie": cookies,
                }
                direct = requests.Session()
                direct.trust_env = False

                def stream() -> None:
                    answer = client.get(f"{stack.https}/media/{hidden}/display.webp", timeout=30)
                    check(answer.status_code == 200 and bool(answer.content))

                def redirect() -> None:
                    # The app's check, as it would answer a redirect (same work, same queries).
                    checked = direct.get(
                        f"{app_host}/media/{hidden}/display.webp", headers=as_nginx, timeout=30
                    )
                    check(checked.status_code == 200 and "X-Accel-Redirect" in checked.headers)
                    signed = storage._presigned(object_key, "display", "private, max-age=600")
                    fetched = direct.get(signed, timeout=30)
                    check(fetched.status_code == 200 and bool(fetched.content))

                for warm in (stream, redirect):
                    timed(warm, 10)
                size = len(client.get(f"{stack.https}/media/{hidden}/display.webp").content)
                print(f"A private display-size photo ({size} bytes), {count} requests each way:")
                print(summary("stream", timed(stream, count)))
                print(summary("redirect", timed(redirect, count)))
            with app.app_context():
                db.engine.dispose()
    finally:
        drop_database(SERVER, url)
        s3.stop()


if __name__ == "__main__":
    main()
