"""OAuth 2 for apps (issue #21, first part): register, consent with PKCE, tokens, revoke.

Through the real routes and Authlib, on the test database: an app registers as Mastodon
apps do, a person allows it on the consent page (a fresh login, CSRF), the code becomes a
token only with its PKCE verifier and only once, and the token reaches the API while a
cookie alone does not. Refresh tokens come only with "keep me signed in"; a password
change ends every token.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import OAuthApp, OAuthCode, OAuthToken, TotpFactor, User
from tests.factories import PASSWORD
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for, csrf_token_in
from tests.support.passkeys import ORIGIN, Browser, passwordless
from tests.support.passkeys import register as register_passkey
from tests.support.soft_authenticator import SoftAuthenticator
from tests.support.two_step import code_at, enable_totp, make_stale

REDIRECT = "https://app.example/callback"


@dataclass
class App:
    client_id: str
    client_secret: str


def register(client: FlaskClient, redirect: str = REDIRECT, scopes: str = "read write") -> App:
    response = client.post(
        "/api/v1/apps",
        data={"client_name": "Fernbook", "redirect_uris": redirect, "scopes": scopes,
              "website": "https://fernbook.example"},
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["name"] == "Fernbook" and body["scopes"] == ["read", "write"]
    return App(body["client_id"], body["client_secret"])


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorize_url(app: App, challenge: str | None, **extra: str) -> str:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "read write",
        "state": "xyz",
        **({"code_challenge": challenge, "code_challenge_method": "S256"} if challenge else {}),
        **extra,
    }
    return "/oauth/authorize?" + urlencode(query)


def consent(client: FlaskClient, url: str, *, allow: bool = True, keep: bool = False) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    data = {"csrf_token": csrf_token_in(page.get_data(as_text=True))}
    data["allow" if allow else "deny"] = "Allow" if allow else "Deny"
    if keep:
        data["keep"] = "y"
    answer = client.post(url, data=data)
    assert answer.status_code == 302
    return answer.headers["Location"]


def code_from(location: str) -> str:
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    query = parse_qs(parts.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def exchange(client: FlaskClient, app: App, code: str, verifier: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "client_id": app.client_id, "client_secret": app.client_secret,
              "code_verifier": verifier},
    )  # fmt: skip
    return response.status_code, response.get_json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def signed_in(client: FlaskClient, auth: AuthActions, user: User) -> FlaskClient:
    auth.login("juniper")
    return client


def test_an_app_is_allowed_with_pkce_and_its_token_reads_the_account(
    app: Flask, signed_in: FlaskClient
) -> None:
    registered = register(signed_in)
    verifier, challenge = pkce()
    page = signed_in.get(authorize_url(registered, challenge)).get_data(as_text=True)
    assert "Allow Fernbook?" in page and "fernbook.example" in page
    assert REDIRECT in page and "Post, comment, like and save for you" in page
    code = code_from(consent(signed_in, authorize_url(registered, challenge)))
    status, token = exchange(signed_in, registered, code, verifier)
    assert status == 200, token
    assert token["token_type"] == "Bearer" and token["scope"] == "read write"
    assert "refresh_token" not in token, "no refresh without keep me signed in"

    api = app.test_client()  # no cookie at all
    me = api.get("/api/v1/accounts/verify_credentials", headers=bearer(token["access_token"]))
    assert me.status_code == 200
    body = me.get_json()
    assert body["username"] == "juniper" and body["acct"] == "juniper"
    assert body["source"]["privacy"] == "public"
    with app.app_context():
        stored = db.session.scalars(sa.select(OAuthToken)).one()
        assert stored.access_digest == hashlib.sha256(token["access_token"].encode()).hexdigest()
        assert token["access_token"] not in str(
            db.session.execute(sa.select(OAuthToken.__table__)).all()
        )
        secret_digest = db.session.scalars(sa.select(OAuthApp.client_secret_digest)).one()
        assert secret_digest == hashlib.sha256(registered.client_secret.encode()).hexdigest()


def test_a_code_works_once_and_only_with_its_verifier(signed_in: FlaskClient) -> None:
    registered = register(signed_in)
    verifier, challenge = pkce()
    code = code_from(consent(signed_in, authorize_url(registered, challenge)))
    status, body = exchange(signed_in, registered, code, "a-wrong-verifier-" + "x" * 40)
    assert status == 400 and body["error"] == "invalid_grant"
    status, body = exchange(signed_in, registered, code, verifier)
    assert status == 400 and body["error"] == "invalid_grant", "spent by the first try"

    code = code_from(consent(signed_in, authorize_url(registered, challenge)))
    assert exchange(signed_in, registered, code, verifier)[0] == 200
    status, body = exchange(signed_in, registered, code, verifier)
    assert status == 400 and body["error"] == "invalid_grant", "a replayed code"


@pytest.mark.parametrize(
    "extra",
    [{}, {"code_challenge": "abc" * 20, "code_challenge_method": "plain"}],
    ids=["no challenge", "plain"],
)
def test_pkce_with_s256_is_required(signed_in: FlaskClient, extra: dict[str, str]) -> None:
    registered = register(signed_in)
    page = signed_in.get(authorize_url(registered, None, **extra))
    assert page.status_code == 400
    assert "be answered" in page.get_data(as_text=True)


def test_an_unregistered_redirect_is_never_followed(signed_in: FlaskClient) -> None:
    registered = register(signed_in)
    _, challenge = pkce()
    url = authorize_url(registered, challenge, redirect_uri="https://evil.example/steal")
    page = signed_in.get(url)
    assert page.status_code == 400 and "Location" not in page.headers
    posted = signed_in.post(url, data={"csrf_token": csrf_token_for(signed_in), "allow": "Allow"})
    assert posted.status_code == 400 and "Location" not in posted.headers


def test_denying_tells_the_app_and_gives_it_nothing(app: Flask, signed_in: FlaskClient) -> None:
    registered = register(signed_in)
    _, challenge = pkce()
    location = consent(signed_in, authorize_url(registered, challenge), allow=False)
    assert parse_qs(urlsplit(location).query)["error"] == ["access_denied"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OAuthCode)) == 0


def test_the_consent_form_needs_its_csrf_token_and_a_login(
    client: FlaskClient, auth: AuthActions, user: User
) -> None:
    registered = register(client)
    _, challenge = pkce()
    url = authorize_url(registered, challenge)
    assert client.get(url).status_code == 302, "to the login first"
    auth.login("juniper")
    assert client.post(url, data={"allow": "Allow"}).status_code == 400


# --- The second step on consent ------------------------------------------------------------


@pytest.fixture
def with_totp(app: Flask, auth: AuthActions, user: User) -> str:
    """juniper turns on an authenticator app and stays signed in, by password alone (the
    app was not on at login). Returns the app's secret."""
    auth.login("juniper")
    secret, _ = enable_totp(auth)
    with app.app_context():  # the enrolment used this step; later codes must not collide
        db.session.execute(sa.update(TotpFactor).values(last_used_step=0))
        db.session.commit()
    return secret


def asks_for_the_second_step(client: FlaskClient, url: str) -> str:
    """The consent page sends this browser to confirm with its second step; that page."""
    response = client.get(url)
    assert response.status_code == 303, "no consent page before the second step"
    location = response.headers["Location"]
    assert location.startswith("/reauth?") and "second=1" in location
    return client.get(location).get_data(as_text=True)


def test_consent_needs_the_second_step_not_only_a_fresh_password(
    auth: AuthActions, with_totp: str
) -> None:
    client = auth.client
    _, challenge = pkce()
    url = authorize_url(register(client), challenge)
    page = asks_for_the_second_step(client, url)
    assert "This needs your second step: a code from your authenticator app." in page
    assert 'name="password"' not in page, "the password is not offered where it cannot do"
    fresh_password = auth.post("/reauth", {"password": PASSWORD, "next": url})
    assert fresh_password.status_code == 303
    asks_for_the_second_step(client, url)
    wrong = auth.post("/reauth/code?second=1", {"code": "000000", "next": url})
    assert wrong.status_code == 401 and 'name="password"' not in wrong.get_data(as_text=True)
    right = auth.post("/reauth/code?second=1", {"code": code_at(with_totp, -1), "next": url})
    assert right.status_code == 303 and right.headers["Location"] == url, "back to the app"
    assert client.get(url).status_code == 200


def test_a_login_through_the_second_step_goes_straight_to_consent(
    auth: AuthActions, with_totp: str
) -> None:
    client = auth.client
    auth.logout()
    _, challenge = pkce()
    url = authorize_url(register(client), challenge)
    assert client.get(url).headers["Location"].startswith("/login?next="), "log in first"
    assert auth.login("juniper", next_url=url).headers["Location"] == "/login/verify"
    done = auth.post("/login/verify", {"code": code_at(with_totp, -1)})
    assert done.headers["Location"] == url
    assert client.get(url).status_code == 200
    make_stale(client.application)
    asks_for_the_second_step(client, url)  # the second step ages like any other proof


def test_a_trusted_browser_still_gives_the_second_step_for_an_app(
    auth: AuthActions, with_totp: str
) -> None:
    client = auth.client
    auth.logout()
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(with_totp, -1), "trust": "y"})
    auth.logout()
    assert auth.login("juniper").headers["Location"] == "/home", "the browser is trusted"
    _, challenge = pkce()
    asks_for_the_second_step(client, authorize_url(register(client), challenge))


def test_a_passkey_is_the_second_step_on_consent(
    app: Flask, client: FlaskClient, user: User
) -> None:
    authenticator = SoftAuthenticator(origin=ORIGIN)
    browser = Browser(client)
    browser.auth.login("juniper")
    assert register_passkey(browser, authenticator).status_code == 200
    _, challenge = pkce()
    url = authorize_url(register(client), challenge)
    page = asks_for_the_second_step(client, url)  # signed in before the passkey existed
    assert "This needs your second step: your passkey." in page
    options = browser.post_json("/reauth/passkey/options").get_json()
    confirmed = browser.post_json(
        "/reauth/passkey", {"credential": authenticator.get(options), "next": url}
    )
    assert confirmed.get_json() == {"redirect": url}
    assert client.get(url).status_code == 200
    browser.auth.logout()
    assert passwordless(browser, authenticator).status_code == 200
    assert client.get(url).status_code == 200, "a passkey sign-in is a second factor"


def test_without_a_second_step_a_fresh_password_gives_consent(
    app: Flask, signed_in: FlaskClient
) -> None:
    _, challenge = pkce()
    url = authorize_url(register(signed_in), challenge)
    make_stale(app)
    asked = signed_in.get(url)
    assert asked.status_code == 303 and "second=1" not in asked.headers["Location"]
    answer = signed_in.post(
        "/reauth",
        data={"csrf_token": csrf_token_for(signed_in), "password": PASSWORD, "next": url},
    )
    assert answer.headers["Location"] == url, "the whole request, query and all, comes back"
    assert signed_in.get(url).status_code == 200


def test_out_of_band_shows_the_code_to_copy(signed_in: FlaskClient) -> None:
    oob = "urn:ietf:wg:oauth:2.0:oob"
    registered = register(signed_in, redirect=oob)
    verifier, challenge = pkce()
    url = authorize_url(registered, challenge, redirect_uri=oob)
    page = signed_in.get(url).get_data(as_text=True)
    assert "a code to paste into the app" in page
    answer = signed_in.post(url, data={"csrf_token": csrf_token_in(page), "allow": "Allow"})
    assert answer.status_code == 200
    code = answer.get_data(as_text=True).split('<code id="oauth-code">')[1].split("<")[0]
    response = signed_in.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": oob,
              "client_id": registered.client_id, "client_secret": registered.client_secret,
              "code_verifier": verifier},
    )  # fmt: skip
    assert response.status_code == 200 and response.get_json()["access_token"]


def test_keep_me_signed_in_gives_a_refresh_token_that_is_replaced_at_each_use(
    signed_in: FlaskClient,
) -> None:
    registered = register(signed_in)
    verifier, challenge = pkce()
    code = code_from(consent(signed_in, authorize_url(registered, challenge), keep=True))
    token = exchange(signed_in, registered, code, verifier)[1]
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": token["refresh_token"],
        "client_id": registered.client_id,
        "client_secret": registered.client_secret,
    }
    renewed = signed_in.post("/oauth/token", data=refresh)
    assert renewed.status_code == 200
    fresh = renewed.get_json()
    assert fresh["refresh_token"] != token["refresh_token"]
    assert signed_in.post("/oauth/token", data=refresh).status_code == 400, "the old one ended"
    me = signed_in.get("/api/v1/accounts/verify_credentials", headers=bearer(fresh["access_token"]))
    assert me.status_code == 200


def test_a_cookie_alone_never_authorises_an_api_call(signed_in: FlaskClient) -> None:
    response = signed_in.get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 401 and response.get_json() == {
        "error": "The access token is invalid"
    }


def test_a_password_change_ends_every_token(app: Flask, signed_in: FlaskClient) -> None:
    registered = register(signed_in)
    verifier, challenge = pkce()
    code = code_from(consent(signed_in, authorize_url(registered, challenge)))
    access = exchange(signed_in, registered, code, verifier)[1]["access_token"]
    new = "a brand new passphrase of moss"
    data = {
        "csrf_token": csrf_token_for(signed_in),
        "current_password": PASSWORD,
        "new_password": new,
        "confirm": new,
    }
    signed_in.post("/settings/password", data=data)
    with app.app_context():
        assert db.session.scalars(sa.select(OAuthToken.revoked_at)).one() is not None
    me = app.test_client().get("/api/v1/accounts/verify_credentials", headers=bearer(access))
    assert me.status_code == 401


def test_revoking_ends_the_token(app: Flask, signed_in: FlaskClient) -> None:
    registered = register(signed_in)
    verifier, challenge = pkce()
    code = code_from(consent(signed_in, authorize_url(registered, challenge)))
    access = exchange(signed_in, registered, code, verifier)[1]["access_token"]
    api = app.test_client()
    revoked = api.post(
        "/oauth/revoke",
        data={"token": access, "client_id": registered.client_id,
              "client_secret": registered.client_secret},
    )  # fmt: skip
    assert revoked.status_code == 200
    assert api.get("/api/v1/accounts/verify_credentials", headers=bearer(access)).status_code == 401


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"redirect_uris": REDIRECT}, "name"),
        ({"client_name": "x", "redirect_uris": "javascript:alert(1)"}, "redirect URI"),
        ({"client_name": "x", "redirect_uris": REDIRECT, "scopes": "read admin:write"}, "scope"),
        ({"client_name": "x" * 500, "redirect_uris": REDIRECT}, "name"),
        ({"client_name": "x", "redirect_uris": REDIRECT, "website": "ftp://x"}, "website"),
    ],
    ids=["no name", "javascript redirect", "unknown scope", "long name", "odd website"],
)
def test_a_bad_registration_is_a_422_in_words(
    client: FlaskClient, body: dict[str, str], words: str
) -> None:
    response = client.post("/api/v1/apps", data=body)
    assert response.status_code == 422
    assert words in response.get_json()["error"]


def test_a_registration_of_the_wrong_types_is_a_422(client: FlaskClient) -> None:
    response = client.post("/api/v1/apps", json={"client_name": ["x"], "redirect_uris": 5})
    assert response.status_code == 422 and "error" in response.get_json()


def test_the_instance_describes_itself_as_mastodon_clients_read_it(client: FlaskClient) -> None:
    for path in ("/api/v1/instance", "/api/v1/instance/"):
        version = client.get(path).get_json()["version"]
        assert version.startswith("4.3.0 (compatible; Sapling ")
    assert client.get("/api/v2/instance/").get_json()["api_versions"] == {"mastodon": 2}


def test_the_devices_page_lists_each_app_and_ends_its_access(
    app: Flask, signed_in: FlaskClient
) -> None:
    registered = register(signed_in)
    verifier, challenge = pkce()
    code = code_from(consent(signed_in, authorize_url(registered, challenge), keep=True))
    access = exchange(signed_in, registered, code, verifier)[1]["access_token"]
    api = app.test_client()
    assert api.get("/api/v1/accounts/verify_credentials", headers=bearer(access)).status_code == 200
    page = signed_in.get("/settings/devices").get_data(as_text=True)
    assert "Fernbook" in page and "May: read, write" in page and "stays signed in" in page
    assert "last used" in page
    with app.app_context():
        token_id = db.session.scalars(sa.select(OAuthToken.id)).one()
    end = f"/settings/devices/apps/{token_id}/revoke"
    assert signed_in.post(end, data={}).status_code == 400, "CSRF"
    assert signed_in.post(end, data={"csrf_token": csrf_token_for(signed_in)}).status_code == 303
    assert "Fernbook" not in signed_in.get("/settings/devices").get_data(as_text=True)
    assert api.get("/api/v1/accounts/verify_credentials", headers=bearer(access)).status_code == 401
    again = signed_in.post(end, data={"csrf_token": csrf_token_for(signed_in)})
    assert again.status_code == 404


def test_someone_elses_app_access_cannot_be_ended(
    app: Flask, client: FlaskClient, auth: AuthActions, user: User
) -> None:
    from tests.factories import create_user

    auth.login("juniper")
    registered = register(client)
    verifier, challenge = pkce()
    code = code_from(consent(client, authorize_url(registered, challenge)))
    exchange(client, registered, code, verifier)
    with app.app_context():
        token_id = db.session.scalars(sa.select(OAuthToken.id)).one()
    create_user(app, "rowan")
    auth.logout()
    auth.login("rowan")
    end = f"/settings/devices/apps/{token_id}/revoke"
    assert client.post(end, data={"csrf_token": csrf_token_for(client)}).status_code == 404
    with app.app_context():
        assert db.session.scalars(sa.select(OAuthToken.revoked_at)).one() is None


def test_a_long_consent_request_survives_the_confirmation(
    app: Flask, signed_in: FlaskClient
) -> None:
    """Apps send long states; the whole request must come back after /reauth."""
    _, challenge = pkce()
    url = authorize_url(register(signed_in), challenge, state="s" * 700)
    make_stale(app)
    assert signed_in.get(url).status_code == 303
    answer = signed_in.post(
        "/reauth",
        data={"csrf_token": csrf_token_for(signed_in), "password": PASSWORD, "next": url},
    )
    assert answer.status_code == 303 and answer.headers["Location"] == url
