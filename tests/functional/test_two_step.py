"""Two-step login: authenticator app, recovery codes, trusted browsers, re-authentication."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.extensions import db
from app.models import RecoveryCode, SecurityEvent, TotpFactor, User
from app.services.security import totp
from tests.factories import PASSWORD, create_user
from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for
from tests.support.smtp import Mailbox
from tests.support.two_step import code_at, codes_from, enable_totp, make_stale, secret_from


@pytest.fixture
def secured(app: Flask, auth: AuthActions, user: User) -> tuple[str, list[str]]:
    """juniper with an authenticator app and recovery codes; logged out again."""
    auth.login("juniper")
    secret, codes = enable_totp(auth)
    auth.logout()
    # The enrolment used the current step; later logins must not collide with it.
    with app.app_context():
        db.session.execute(sa.update(TotpFactor).values(last_used_step=0))
        db.session.commit()
    return secret, codes


def logged_in(client: FlaskClient) -> bool:
    return client.get("/settings/").status_code == 200


def kinds(app: Flask) -> list[str]:
    with app.app_context():
        return [str(k) for k in db.session.scalars(sa.select(SecurityEvent.kind))]


# --- Enrolment ------------------------------------------------------------------------------


def test_enrolment_shows_a_server_drawn_qr_and_the_key(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    page = auth.client.get("/settings/two-factor/totp").get_data(as_text=True)
    assert '<svg width="220" height="220" class="qr" role="img"' in page
    assert "<script" not in page.split("<main")[1]
    assert len(secret_from(page)) == 32


def test_a_wrong_code_does_not_turn_it_on(app: Flask, auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    auth.client.get("/settings/two-factor/totp")
    response = auth.post("/settings/two-factor/totp", {"code": "000000"})
    assert response.status_code == 422
    assert "That code didn" in response.get_data(as_text=True)
    with app.app_context():
        assert not totp.is_enabled(db.session.get(User, user.id))  # type: ignore[arg-type]


def test_enrolment_turns_on_records_and_tells_the_owner(
    app: Flask, auth: AuthActions, user: User, mailbox: Mailbox
) -> None:
    auth.login("juniper")
    enable_totp(auth)
    assert {"totp_enabled", "recovery_codes_generated"} <= set(kinds(app))
    subjects = [m["Subject"] for m in mailbox.to("juniper@example.org")]
    assert "Your Sapling sign-in settings changed" in subjects


def test_the_secret_is_encrypted_at_rest(app: Flask, auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    secret, _ = enable_totp(auth)
    with app.app_context():
        stored = db.session.scalar(sa.select(TotpFactor.secret_encrypted))
        assert stored and secret not in stored
        assert totp.decrypt(stored) == secret
        app.config["SECRET_KEY"] = "a database dump without the application's secret key"
        assert totp.decrypt(stored) is None


# --- Logging in with a second step ----------------------------------------------------------


def test_password_alone_reaches_nothing(
    client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    response = auth.login("juniper")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/verify"
    assert client.get_cookie("sapling_auth") is None
    assert not logged_in(client)


def test_totp_completes_the_login_and_a_code_cannot_be_replayed(
    app: Flask, client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    wrong = auth.post("/login/verify", {"code": "123456"})
    assert wrong.status_code == 401
    code = code_at(secret)
    assert auth.post("/login/verify", {"code": code}).status_code == 303
    assert logged_in(client)
    auth.logout()

    auth.login("juniper")
    replay = auth.post("/login/verify", {"code": code})
    assert replay.status_code == 401  # the step was used already
    assert not logged_in(client)
    assert "second_factor_failed" in kinds(app)


def test_codes_from_the_neighbouring_steps_are_accepted(
    client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    assert auth.post("/login/verify", {"code": code_at(secret, -1)}).status_code == 303
    auth.logout()
    auth.login("juniper")
    assert (
        auth.post("/login/verify", {"code": code_at(secret, 2)}).status_code == 401
    )  # too far ahead


def test_an_expired_pending_login_must_start_again(
    app: Flask, client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    app.config["MFA_PENDING_TTL"] = timedelta(seconds=0)
    response = auth.post("/login/verify", {"code": code_at(secret)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not logged_in(client)
    assert client.get("/login/verify").status_code == 303


def test_recovery_codes_work_once_and_report_what_is_left(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    secured: tuple[str, list[str]],
    mailbox: Mailbox,
) -> None:
    _, codes = secured
    auth.login("juniper")
    response = auth.post("/login/verify/recovery", {"recovery_code": codes[0].lower()})
    assert response.status_code == 303
    assert "9 remain" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert any(
        "9 of 10 remain" in m.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        for m in mailbox.to("juniper@example.org")
    )
    auth.logout()
    auth.login("juniper")
    reuse = auth.post("/login/verify/recovery", {"recovery_code": codes[0]})
    assert reuse.status_code == 401
    assert "wrong or was already used" in reuse.get_data(as_text=True)


# --- Trusted browsers -----------------------------------------------------------------------


def test_a_trusted_browser_skips_the_second_step(
    app: Flask, client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret), "trust": "y"})
    assert client.get_cookie("sapling_trusted") is not None
    assert "Browser trusted for 30 days" in client.get("/settings/security").get_data(as_text=True)
    auth.logout()
    response = auth.login("juniper")
    assert response.headers["Location"] == "/home"
    assert logged_in(client)


def test_a_tampered_trust_token_is_ignored(
    client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret), "trust": "y"})
    cookie = client.get_cookie("sapling_trusted")
    assert cookie is not None
    auth.logout()
    client.set_cookie(
        "sapling_trusted", cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB")
    )
    assert auth.login("juniper").headers["Location"] == "/login/verify"


def test_a_password_change_ends_every_trust(
    app: Flask, client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret), "trust": "y"})
    auth.post(
        "/settings/password",
        {"current_password": PASSWORD, "new_password": "lichen on a north wall"},
    )
    auth.logout()
    assert auth.login("juniper", "lichen on a north wall").headers["Location"] == "/login/verify"


def test_trusted_browsers_are_listed_and_can_be_revoked(
    client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret), "trust": "y"})
    page = client.get("/settings/devices").get_data(as_text=True)
    trust_id = re.search(r"/settings/devices/trusted/(\d+)/revoke", page)
    assert trust_id
    assert auth.post(f"/settings/devices/trusted/{trust_id.group(1)}/revoke").status_code == 303
    auth.logout()
    assert auth.login("juniper").headers["Location"] == "/login/verify"


# --- Re-authentication ("sudo mode") ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (
            "/settings/password",
            {"current_password": PASSWORD, "new_password": "lichen on a north wall"},
        ),
        ("/settings/email", {"email": "new@example.org", "password": PASSWORD}),
        ("/settings/two-factor/recovery-codes", {}),
        ("/settings/two-factor/totp/disable", {}),
        ("/settings/two-factor/passkeys/options", {}),
    ],
)
def test_sensitive_actions_need_a_fresh_login(
    app: Flask, auth: AuthActions, user: User, path: str, data: dict[str, str]
) -> None:
    auth.login("juniper")
    make_stale(app)
    token = csrf_token_for(auth.client)
    form_page = "/settings/two-factor/"
    response = auth.client.post(
        path,
        data={"csrf_token": token, **data},
        headers={"Referer": f"http://localhost{form_page}"},
    )
    assert response.status_code == 303
    # Back to the page the form was on, once the user has confirmed it's them.
    assert response.headers["Location"] == f"/reauth?next={form_page}"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
        assert db.session.scalar(sa.select(User.email)) == "juniper@example.org"


def test_a_stale_passkey_script_gets_a_json_answer(
    app: Flask, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    make_stale(app)
    token = csrf_token_for(auth.client)
    response = auth.client.post(
        "/settings/two-factor/passkeys/options", json={}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 403
    assert response.get_json()["reauth"] == "/reauth"


def test_reauthenticating_opens_a_five_minute_window(
    app: Flask, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    make_stale(app)
    assert auth.client.get("/settings/password").status_code == 303
    wrong = auth.post("/reauth", {"password": "not my password", "next": "/settings/password"})
    assert wrong.status_code == 401
    right = auth.post("/reauth", {"password": PASSWORD, "next": "/settings/password"})
    assert right.status_code == 303 and right.headers["Location"] == "/settings/password"
    assert auth.client.get("/settings/password").status_code == 200
    assert "Identity confirmed for a sensitive change" in auth.client.get(
        "/settings/security"
    ).get_data(as_text=True)


def test_reauthenticating_with_a_code(
    app: Flask, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret, -1)})
    make_stale(app)
    response = auth.post("/reauth/code", {"code": code_at(secret), "next": "/settings/email"})
    assert response.status_code == 303 and response.headers["Location"] == "/settings/email"


def test_reauth_next_stays_on_this_site(app: Flask, auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    response = auth.post("/reauth", {"password": PASSWORD, "next": "//evil.example"})
    assert response.headers["Location"] == "/settings/"


# --- Managing factors -----------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(
    app: Flask, client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, old_codes = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret)})
    page = auth.post("/settings/two-factor/recovery-codes").get_data(as_text=True)
    new_codes = codes_from(page)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)

    download = auth.post(
        "/settings/two-factor/recovery-codes/download",
        {"codes": " ".join(new_codes + old_codes)},
    )
    assert download.status_code == 200
    assert (
        download.headers["Content-Disposition"]
        == 'attachment; filename="sapling-recovery-codes.txt"'
    )
    text = download.get_data(as_text=True)
    assert all(c in text for c in new_codes) and not any(c in text for c in old_codes)
    bogus = auth.post(
        "/settings/two-factor/recovery-codes/download",
        {"codes": "AAAA-BBBB-CCCC-DDDD"},
    )
    assert bogus.status_code == 400


def test_turning_the_app_off(
    app: Flask, client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret)})
    assert auth.post("/settings/two-factor/totp/disable").status_code == 303
    assert "totp_disabled" in kinds(app)
    auth.logout()
    assert auth.login("juniper").headers["Location"] == "/home"


def test_operator_can_reset_two_step_login(
    app: Flask,
    runner: FlaskCliRunner,
    auth: AuthActions,
    secured: tuple[str, list[str]],
    mailbox: Mailbox,
) -> None:
    with app.app_context():
        result = runner.invoke(args=["users", "reset-mfa", "juniper"])
    assert result.exit_code == 0, result.output
    assert "mfa_reset_by_operator" in kinds(app)
    assert auth.login("juniper").headers["Location"] == "/home"
    assert any(
        "administrator removed" in m.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        for m in mailbox.to("juniper@example.org")
    )


# --- Passkey endpoints refuse bad input ------------------------------------------------------


@pytest.mark.parametrize(
    "body", ["not json", "[]", '{"credential": "x"}', '{"credential": {"id": "nope"}}']
)
def test_passkey_endpoints_answer_bad_input_with_4xx(
    app: Flask, auth: AuthActions, user: User, body: str
) -> None:
    token = csrf_token_for(auth.client)
    response = auth.client.post(
        "/login/passkey",
        data=body,
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500


def test_passkey_answer_without_a_challenge_is_refused(app: Flask, auth: AuthActions) -> None:
    create_user(app, "rowan")
    token = csrf_token_for(auth.client)
    response = auth.client.post(
        "/login/passkey",
        json={"credential": {"id": "eA", "rawId": "eA", "response": {}}},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 409


def test_second_step_refuses_empty_and_malformed_input(
    client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    auth.login("juniper")
    assert auth.post("/login/verify", {"code": ""}).status_code == 422
    assert auth.post("/login/verify", {"code": "1" * 50}).status_code == 422
    assert auth.post("/login/verify", {"code": "abcdef"}).status_code == 401
    assert auth.post("/login/verify/recovery", {"recovery_code": ""}).status_code == 422
    assert auth.post("/login/verify/recovery", {"recovery_code": "short"}).status_code == 401
    assert not logged_in(client)


def test_passkey_step_without_a_pending_login_is_refused(auth: AuthActions, user: User) -> None:
    token = csrf_token_for(auth.client)
    response = auth.client.post("/login/verify/passkey/options", headers={"X-CSRFToken": token})
    assert response.status_code == 409


def test_reauth_refuses_wrong_and_empty_codes(
    app: Flask, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret)})
    assert auth.post("/reauth/code", {"code": "000000"}).status_code == 401
    assert auth.post("/reauth/code", {"code": ""}).status_code == 422
    assert auth.post("/reauth", {"password": ""}).status_code == 422


def test_settings_actions_refuse_missing_csrf_and_other_peoples_things(
    app: Flask, client: FlaskClient, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    auth.login("juniper")
    auth.post("/login/verify", {"code": code_at(secret), "trust": "y"})
    assert client.get("/settings/two-factor/totp").status_code == 303  # already on
    assert client.post("/settings/two-factor/totp/disable").status_code == 400
    assert client.post("/settings/two-factor/recovery-codes").status_code == 400
    assert auth.post("/settings/two-factor/recovery-codes/download", {}).status_code == 400
    assert client.post("/settings/devices/trusted/1/revoke").status_code == 400

    create_user(app, "rowan")
    other = AuthActions(app.test_client())
    other.login("rowan")
    page = client.get("/settings/devices").get_data(as_text=True)
    trust_id = re.search(r"/settings/devices/trusted/(\d+)/revoke", page)
    assert trust_id
    assert other.post(f"/settings/devices/trusted/{trust_id.group(1)}/revoke").status_code == 404


def test_enrolment_keeps_its_key_until_confirmed(auth: AuthActions, user: User) -> None:
    auth.login("juniper")
    first = secret_from(auth.client.get("/settings/two-factor/totp").get_data(as_text=True))
    second = secret_from(auth.client.get("/settings/two-factor/totp").get_data(as_text=True))
    assert first == second  # reloading the page doesn't invalidate what was scanned


def test_confirming_before_any_key_was_shown_starts_over(
    app: Flask, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    response = auth.post("/settings/two-factor/totp", {"code": "123456"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/settings/two-factor/totp"


def test_codes_stop_working_if_the_secret_key_changes(
    app: Flask, auth: AuthActions, secured: tuple[str, list[str]]
) -> None:
    secret, _ = secured
    app.config["SECRET_KEY"] = "a different secret key for this deployment, rotated"
    auth.login("juniper")
    assert auth.post("/login/verify", {"code": code_at(secret)}).status_code == 401


def test_turning_off_an_app_that_is_not_on_changes_nothing(
    app: Flask, auth: AuthActions, user: User
) -> None:
    auth.login("juniper")
    assert auth.post("/settings/two-factor/totp/disable").status_code == 303
    assert "totp_disabled" not in kinds(app)


@pytest.mark.config(
    RATELIMIT_SECOND_FACTOR_ACCOUNT="2 per hour", RATELIMIT_SECOND_FACTOR="100 per minute"
)
def test_wrong_second_steps_are_limited_per_account(
    app: Flask, secured: tuple[str, list[str]]
) -> None:
    statuses = []
    for n in range(3):
        browser = AuthActions(app.test_client())
        browser.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 20}"
        browser.login("juniper")
        statuses.append(browser.post("/login/verify", {"code": "000000"}).status_code)
    assert statuses == [401, 401, 429]
