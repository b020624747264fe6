"""Sapling under gunicorn behind nginx, with the files in deploy/ (issue #9).

Each test reads like a check an operator would make with curl after a deploy.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.models import SecurityEvent, SecurityEventKind, User
from tests.factories import PASSWORD
from tests.support.nginx_site import INTERNAL_KEY, Site
from tests.support.nginx_stack import MEDIA_NAME, PROJECT, SERVER_NAME
from tests.support.pages import csrf_token_in

pytestmark = pytest.mark.nginx

HSTS = "max-age=63072000; includeSubDomains"
YEARS = "max-age=315360000"  # nginx's `expires max`


def app_log_after(site: Site, client: requests.Session) -> str:
    """Both pools' logs, once a marker request to each, made after everything before it,
    has been logged."""
    marker = f"log-marker-{uuid.uuid4().hex[:12]}"
    markers = [f"/{marker}", f"/login/{marker}"]  # the page pool, the sign-in pool
    for path in markers:
        assert client.get(site.stack.https + path, timeout=10).status_code == 404
    deadline = time.monotonic() + 10
    while not all(f'"{path}"' in (text := site.stack.app_log_text()) for path in markers):
        assert time.monotonic() < deadline, "a marker request never reached the app's log"
        time.sleep(0.1)
    return text


def pool_that_served(site: Site, response: requests.Response) -> str:
    """ "signin" or "pages": the gunicorn pool whose access log has the request's id."""
    request_id = response.headers["X-Request-ID"]
    deadline = time.monotonic() + 10
    while True:
        found = [
            name
            for name, text in (
                ("pages", site.stack.page_log_text()),
                ("signin", site.stack.signin_log_text()),
            )
            if request_id in text
        ]
        if found:
            assert len(found) == 1, found
            return found[0]
        assert time.monotonic() < deadline, f"{response.url} never reached either pool's log"
        time.sleep(0.1)


# Every route that runs argon2 goes to the sign-in pool; so does the rest of signing in.
SIGNIN_PATHS = [
    "/login", "/login/verify", "/signup", "/password/forgot", "/password/reset/not-a-token",
    "/reauth", "/settings/password", "/settings/email",
    "/%6Cogin",  # nginx matches the decoded path, as the app routes it
]  # fmt: skip
PAGE_PATHS = [
    "/", "/explore", "/settings/", "/settings/username", "/settings/passwords", "/loginx",
    "/reauth/code", "/signup/../explore",
]  # fmt: skip


@pytest.mark.parametrize("path", SIGNIN_PATHS)
def test_the_sign_in_routes_go_to_the_sign_in_pool(site: Site, path: str) -> None:
    response = site.client().get(site.stack.https + path, allow_redirects=False, timeout=10)

    assert response.status_code < 500, response.status_code
    assert pool_that_served(site, response) == "signin"


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_pages_go_to_the_page_pool(site: Site, path: str) -> None:
    response = site.client().get(site.stack.https + path, allow_redirects=False, timeout=10)

    assert response.status_code < 500, response.status_code
    assert pool_that_served(site, response) == "pages"


def test_a_login_posted_through_nginx_is_hashed_by_the_sign_in_pool(site: Site) -> None:
    client = site.login(site.stranger, source="127.0.0.11")
    feed = client.get(f"{site.stack.https}/home", timeout=10)

    assert feed.status_code == 200
    assert pool_that_served(site, feed) == "pages"  # the session works across both pools
    log = app_log_after(site, client)
    signin = site.stack.signin_log_text()
    assert '"/login" 303' in signin
    assert '"/login" 303' not in site.stack.page_log_text()
    assert '"/home" 200' in log


def test_plain_http_redirects_to_https(site: Site) -> None:
    response = requests.get(
        f"{site.stack.http}/login?next=/home", allow_redirects=False, timeout=10
    )

    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{SERVER_NAME}/login?next=/home"


def test_hsts_and_the_apps_security_headers_arrive(site: Site) -> None:
    response = site.client().get(f"{site.stack.https}/login", timeout=10)

    assert response.status_code == 200
    # Exactly once each: requests would join repeated headers with ", ".
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in response.headers or "nginx/" not in response.headers["Server"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-sapling_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie
    # nginx's request id reaches the app, which logs it and sends it back.
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert f'{request_id} GET "/login" 200' in app_log_after(site, site.client())


def test_nginx_answers_carry_hsts_too(site: Site) -> None:
    response = site.client().get(f"{site.stack.https}/_private_media/ab/none.webp", timeout=10)

    assert response.status_code == 404
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_static_files_are_served_by_nginx_alone(site: Site) -> None:
    client = site.client()
    styles = client.get(
        f"{site.stack.https}/static/css/base.css?v=0123456789",
        headers={"Accept-Encoding": "gzip"},
        timeout=10,
    )
    script = client.get(f"{site.stack.https}/static/js/app.js", timeout=10)

    assert styles.status_code == 200
    assert styles.headers["Content-Type"].startswith("text/css")
    assert styles.headers["Content-Encoding"] == "gzip"
    assert styles.headers["Cache-Control"] == YEARS  # fingerprinted: cached for good
    assert styles.content == (PROJECT / "app/static/css/base.css").read_bytes()
    assert styles.headers["Strict-Transport-Security"] == HSTS
    assert script.status_code == 200
    assert script.headers["Cache-Control"] == "max-age=3600"  # a bare name: an hour
    log = app_log_after(site, client)
    assert "/static/" not in log


def test_public_photos_come_straight_from_disk(site: Site) -> None:
    client = site.client()
    key = site.public_photo
    response = client.get(f"{site.stack.https}/media/{key}/thumb.webp", timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["Cache-Control"] == YEARS
    on_disk = site.stack.media_root / "public" / key[:2] / key / "thumb.webp"
    assert response.content == on_disk.read_bytes()
    assert "/media/" not in app_log_after(site, client)


def test_a_private_photo_goes_only_to_an_allowed_viewer_by_x_accel_redirect(site: Site) -> None:
    key = site.private_photo
    path = f"/media/{key}/display.webp"
    on_disk = site.stack.media_root / "private" / key[:2] / key / "display.webp"

    follower = site.login(site.follower)
    allowed = follower.get(site.stack.https + path, timeout=10)
    assert allowed.status_code == 200
    assert allowed.headers["Content-Type"] == "image/webp"
    # The app sent no body (MEDIA_X_ACCEL): these bytes came from nginx reading the file.
    assert allowed.content == on_disk.read_bytes()
    assert allowed.headers["Cache-Control"] == "private, max-age=600"
    assert "X-Accel-Redirect" not in allowed.headers

    stranger = site.login(site.stranger)
    assert stranger.get(site.stack.https + path, timeout=10).status_code == 404
    assert site.client().get(site.stack.https + path, timeout=10).status_code == 404
    # The internal location cannot be asked for directly, even by the follower.
    internal = f"/_private_media/{key[:2]}/{key}/display.webp"
    assert follower.get(site.stack.https + internal, timeout=10).status_code == 404


def test_the_app_sees_the_real_client_address_and_ignores_a_spoofed_one(site: Site) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}
    site.login(site.stranger, source="127.0.0.7", headers=spoofed)

    with site.app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.username == site.stranger))
        ip = db.session.scalar(
            sa.select(SecurityEvent.ip)
            .where(
                SecurityEvent.user_id == user_id,
                SecurityEvent.kind == SecurityEventKind.LOGIN_SUCCEEDED,
            )
            .order_by(SecurityEvent.id.desc())
            .limit(1)
        )
    assert ip == "127.0.0.7"


def test_a_burst_of_logins_meets_nginx_limit_req(site: Site) -> None:
    client = site.client(source="127.0.0.9")
    statuses = [
        client.post(f"{site.stack.https}/login", data={}, timeout=10).status_code for _ in range(20)
    ]

    assert statuses[0] != 429
    assert statuses.count(429) >= 10, statuses
    first = statuses.index(429)
    assert all(status == 429 for status in statuses[first:]), statuses
    # Only the posts are counted: the page itself still loads.
    assert client.get(f"{site.stack.https}/login", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("path", "megabytes"),
    [("/p/new", 211), ("/profile/edit", 101)],
    ids=["a post, past a video's 210 MB", "any other form, past 100 MB"],
)
def test_an_upload_over_the_limit_is_refused_by_nginx(
    site: Site, path: str, megabytes: int
) -> None:
    context = ssl.create_default_context(cafile=str(site.stack.certificate))
    connection = http.client.HTTPSConnection(
        SERVER_NAME, site.stack.ports.https, context=context, timeout=10
    )
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "multipart/form-data; boundary=sapling")
    connection.putheader("Content-Length", str(megabytes * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    connection.close()

    assert response.status == 413
    assert response.getheader("Strict-Transport-Security") == HSTS
    assert f'"{path}"' not in app_log_after(site, site.client())


@pytest.mark.parametrize("path", ["/metrics", "/internal/readyz"])
def test_internal_views_are_not_reachable_from_outside(site: Site, path: str) -> None:
    outside = site.client()
    keyed = {"Authorization": f"Bearer {INTERNAL_KEY}"}

    assert outside.get(site.stack.https + path, timeout=10).status_code == 404
    assert outside.get(site.stack.https + path, headers=keyed, timeout=10).status_code == 404
    assert requests.get(site.stack.internal + path, timeout=10).status_code == 404
    assert (
        requests.get(site.stack.internal + "/login", headers=keyed, timeout=10).status_code == 404
    )


def test_the_optional_media_host_serves_public_photos_only(site: Site) -> None:
    client = site.client()
    media = site.stack.media

    public = client.get(f"{media}/media/{site.public_photo}/display.webp", timeout=10)
    private = client.get(f"{media}/media/{site.private_photo}/display.webp", timeout=10)
    page = client.get(f"{media}/login", timeout=10)

    assert public.status_code == 200
    assert public.headers["Content-Type"] == "image/webp"
    assert "Set-Cookie" not in public.headers
    assert private.status_code == 404
    assert page.status_code == 404


def test_metrics_work_with_the_key_on_the_internal_listener(site: Site) -> None:
    site.client().get(f"{site.stack.https}/login", timeout=10)
    site.client().get(f"{site.stack.https}/explore", timeout=10)
    keyed = {"Authorization": f"Bearer {INTERNAL_KEY}"}

    metrics = requests.get(site.stack.internal + "/metrics", headers=keyed, timeout=10)
    signin = requests.get(site.stack.internal + "/metrics/signin", headers=keyed, timeout=10)
    ready = requests.get(site.stack.internal + "/internal/readyz", headers=keyed, timeout=10)

    assert metrics.status_code == 200
    assert metrics.headers["Content-Type"].startswith("text/plain")
    login = 'sapling_http_request_duration_seconds_bucket{endpoint="auth.login"'
    explore = 'sapling_http_request_duration_seconds_bucket{endpoint="discover.explore"'
    assert explore in metrics.text and login not in metrics.text
    assert "sapling_outbox_backlog" in metrics.text
    # Each pool counts its own requests.
    assert signin.status_code == 200
    assert login in signin.text and explore not in signin.text
    assert requests.get(site.stack.internal + "/metrics/signin", timeout=10).status_code == 404
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


# --- Host, Referer and version (issue #15, item 14) ------------------------------------------


def test_a_browser_login_works_on_a_port_other_than_443(site: Site) -> None:
    # The stack listens on a random port, as a site published on :8443 would. The client
    # sends only what a browser sends: Host with the port, and the page as Referer.
    client = site.client(source="127.0.0.10")
    page = client.get(f"{site.stack.https}/login", timeout=10)
    assert page.url.startswith(f"https://{SERVER_NAME}:{site.stack.ports.https}/")
    assert "Referer" not in client.headers

    form = {
        "csrf_token": csrf_token_in(page.text),
        "identifier": site.stranger,
        "password": PASSWORD,
    }
    response = client.post(
        f"{site.stack.https}/login",
        data=form,
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 303, response.text[:500]
    home = client.get(site.stack.https + response.headers["Location"], timeout=10)
    assert home.status_code == 200
    assert site.stranger in home.text


def test_a_sign_up_form_works_on_a_port_other_than_443(site: Site) -> None:
    client = site.client(source="127.0.0.11")
    page = client.get(f"{site.stack.https}/signup", timeout=10)
    username = f"moss{uuid.uuid4().hex[:8]}"
    form = {
        "csrf_token": csrf_token_in(page.text),
        "username": username,
        "email": f"{username}@example.org",
        "password": "a long and unusual passphrase 7",
    }
    response = client.post(
        f"{site.stack.https}/signup",
        data=form,
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 303, response.text[:500]
    with site.app.app_context():
        assert db.session.scalar(sa.select(User.id).where(User.username == username))


@pytest.mark.parametrize(
    "referer",
    [
        f"https://{SERVER_NAME}/login",  # the right name on another port: not this site
        f"https://{MEDIA_NAME}:{{port}}/login",
        "https://evil.example/login",
    ],
)
def test_a_form_post_from_another_origin_is_still_refused(site: Site, referer: str) -> None:
    client = site.client(source="127.0.0.12")
    page = client.get(f"{site.stack.https}/login", timeout=10)
    # An unknown name: were the post let through, no real account would count a failure.
    form = {"csrf_token": csrf_token_in(page.text), "identifier": "nobody.here", "password": "x"}
    response = client.post(
        f"{site.stack.https}/login",
        data=form,
        headers={"Referer": referer.format(port=site.stack.ports.https)},
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 400


def raw_request(port: int, host: str, *, tls: bool, sni: str = SERVER_NAME) -> tuple[int, str]:
    """A hand-made request with a forged Host, as an attacker or a scanner sends it."""
    connection: http.client.HTTPConnection
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = _ForgedHostTLS(sni, port, context=context, timeout=10)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", "/login", skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


class _ForgedHostTLS(http.client.HTTPSConnection):
    """Connects to loopback and sends ``host`` as SNI, whatever Host header follows."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def requests_logged(site: Site, client: requests.Session) -> int:
    return app_log_after(site, client).count('GET "/login"')


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1:{port}",
        f"{SERVER_NAME}.evil",
        # nginx matches server_name on what precedes the first colon; the rest must be a port.
        f"{SERVER_NAME}:1@evil.example",
        f"{SERVER_NAME}:{{port}}:1",
        f"{SERVER_NAME}:abc",
    ],
)
def test_an_unknown_host_never_reaches_the_app(site: Site, host: str) -> None:
    forged = host.format(port=site.stack.ports.https)
    client = site.client()
    before = requests_logged(site, client)

    status, body = raw_request(site.stack.ports.https, forged, tls=True)

    assert status == 421
    assert "nginx/" not in body
    assert requests_logged(site, client) == before


def test_an_unknown_name_is_refused_at_the_tls_handshake(site: Site) -> None:
    client = site.client()
    with pytest.raises(requests.exceptions.SSLError):
        client.get(f"https://evil.{SERVER_NAME}:{site.stack.ports.https}/login", verify=False)


def test_plain_http_with_an_unknown_host_gets_no_answer(site: Site) -> None:
    with pytest.raises(http.client.RemoteDisconnected):
        raw_request(site.stack.ports.http, "evil.example", tls=False)
    # The site's own name still gets its redirect.
    status, _ = raw_request(
        site.stack.ports.http, f"{SERVER_NAME}:{site.stack.ports.http}", tls=False
    )
    assert status == 301


def nginx_pages(site: Site) -> dict[str, requests.Response]:
    """One answer nginx writes itself (headers and an error page) from every listener."""
    client = site.client()
    return {
        "http": client.get(f"{site.stack.http}/login", allow_redirects=False, timeout=10),
        "https": client.get(f"{site.stack.https}/_private_media/ab/none.webp", timeout=10),
        "media": client.get(f"{site.stack.media}/nothing-here", timeout=10),
        "internal": requests.get(f"{site.stack.internal}/nothing-here", timeout=10),
    }


def test_no_listener_names_the_nginx_version(site: Site) -> None:
    for listener, response in nginx_pages(site).items():
        assert response.status_code in {301, 404}, listener
        assert response.headers["Server"] == "nginx", listener
        assert "<center>nginx</center>" in response.text, listener  # nginx's page, no version
        assert not re.search(r"nginx/\d", response.text), listener
    status, body = raw_request(site.stack.ports.https, "evil.example", tls=True)
    assert status == 421
    assert not re.search(r"nginx/\d", body)
