"""Who may join: each registration mode through the real sign-up form, invite links (used
up, withdrawn, expired, forged), sign-ups waiting for a moderator and the emails either way."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import config as app_config
from app.config import ConfigError
from app.extensions import db
from app.models import Invite, ModerationAction, ModerationKind, RegistrationMode, User, utcnow
from app.services.accounts import invites, registrations
from tests.factories import PASSWORD, create_user
from tests.support.auth import AuthActions
from tests.support.moderation import signed_in
from tests.support.pages import csrf_token_for
from tests.support.smtp import Mailbox


def set_mode(app: Flask, mode: RegistrationMode, *, member_invites: bool | None = None) -> None:
    with app.app_context():
        registrations.set_mode(mode)
        if member_invites is not None:
            registrations.set_member_invites(member_invites)
        db.session.commit()


def make_invite(app: Flask, creator: User | None = None, uses: int = 1, days: int = 7) -> str:
    with app.app_context():
        maker = db.session.get(User, creator.id) if creator is not None else None
        _, raw = invites.create(maker, uses, days)
        db.session.commit()
    return raw


def sign_up(
    client: FlaskClient, username: str = "fern", email: str = "fern@example.org", invite: str = ""
):  # type: ignore[no-untyped-def]
    path = f"/signup?invite={invite}" if invite else "/signup"
    data = {"username": username, "email": email, "password": PASSWORD}
    return client.post(path, data={"csrf_token": csrf_token_for(client), **data})


def account(app: Flask, username: str) -> User | None:
    with app.app_context():
        found = db.session.scalar(sa.select(User).where(User.username == username))
        if found is not None:
            db.session.expunge(found)
        return found


def invite_uses(app: Flask, raw: str) -> int:
    with app.app_context():
        found, _ = invites.check(raw)
        if found is not None:
            return found.uses
        from app.services.security.digests import digest

        return int(
            db.session.scalar(sa.select(Invite.uses).where(Invite.token_hash == digest(raw)))
        )


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


# --- Open -------------------------------------------------------------------------------------


def test_open_is_the_default_and_anyone_signs_up(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        assert registrations.mode() == RegistrationMode.OPEN
    page = client.get("/signup")
    assert page.status_code == 200 and 'aria-label="Sign up"' in text_of(page)
    assert sign_up(client).headers["Location"] == "/signup/check-inbox"
    created = account(app, "fern")
    assert created is not None and not created.awaiting_approval


def test_an_invite_link_changes_nothing_on_an_open_instance(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/signup?invite=not-a-real-invite")
    assert page.status_code == 200 and 'aria-label="Sign up"' in text_of(page)


@pytest.mark.config(REGISTRATION_MODE="invite")
def test_the_config_sets_the_default_and_the_setting_wins(app: Flask, client: FlaskClient) -> None:
    assert client.get("/signup").status_code == 403
    set_mode(app, RegistrationMode.OPEN)
    assert client.get("/signup").status_code == 200


def test_a_registration_mode_the_config_does_not_know_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="REGISTRATION_MODE"):
        app_config.TestingConfig({"REGISTRATION_MODE": "sometimes"})


# --- Approval ---------------------------------------------------------------------------------


@pytest.fixture
def approval(app: Flask) -> Flask:
    set_mode(app, RegistrationMode.APPROVAL)
    create_user(app, "warden", admin=True)
    return app


def test_in_approval_mode_the_page_says_a_moderator_reviews(
    approval: Flask, client: FlaskClient
) -> None:
    page = client.get("/signup")
    assert page.status_code == 200
    assert "A moderator reviews every new account" in text_of(page)
    response = sign_up(client)
    assert response.headers["Location"] == "/signup/check-inbox?review=1"
    assert "A moderator reviews every new account" in text_of(
        client.get(response.headers["Location"])
    )
    created = account(approval, "fern")
    assert created is not None and created.awaiting_approval


def test_an_existing_address_gets_the_same_page_in_approval_mode(
    approval: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    create_user(approval, "juniper", "juniper@example.org")
    response = sign_up(client, "newname", "juniper@example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/signup/check-inbox?review=1"
    assert account(approval, "newname") is None
    [message] = mailbox.wait_for_mail("juniper@example.org")
    assert "tried to sign up" in message["Subject"]


def test_a_waiting_account_is_told_only_with_the_right_password(
    approval: Flask, client: FlaskClient
) -> None:
    sign_up(client)
    auth = AuthActions(approval.test_client())
    wrong = auth.login("fern", "not the password at all")
    assert wrong.status_code == 401
    assert "waiting" not in text_of(wrong)
    right = auth.login("fern")
    assert right.status_code == 403
    assert "waiting for a moderator's approval" in text_of(right)
    assert "sapling_auth" not in right.headers.get("Set-Cookie", "")


def test_a_moderator_approves_and_the_person_is_emailed_and_can_log_in(
    approval: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    sign_up(client)
    warden = signed_in(approval, "warden")
    listing = warden.get("/admin/signups")
    assert listing.status_code == 200 and "@fern" in text_of(listing)
    done = warden.post("/admin/signups/fern/approve", data={"csrf_token": csrf_token_for(warden)})
    assert done.status_code == 303
    created = account(approval, "fern")
    assert created is not None and not created.awaiting_approval
    approved = [m for m in mailbox.wait_for_mail("fern@example.org", 2) if "ready" in m["Subject"]]
    assert approved and "/login" in approved[0].get_body(preferencelist=("plain",)).get_content()
    assert AuthActions(approval.test_client()).login("fern").status_code == 303
    with approval.app_context():
        [action] = db.session.scalars(
            sa.select(ModerationAction).where(
                ModerationAction.kind == ModerationKind.APPROVE_SIGNUP
            )
        )
        assert action.target_user_id == created.id
    again = warden.post("/admin/signups/fern/approve", data={"csrf_token": csrf_token_for(warden)})
    assert again.status_code == 404  # nobody named fern is waiting any more


def test_a_rejected_sign_up_is_emailed_the_reason_and_its_name_and_address_are_free(
    approval: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    sign_up(client)
    user_id = account(approval, "fern").id  # type: ignore[union-attr]
    warden = signed_in(approval, "warden")
    field = f"signup-{user_id}-reject_reason"
    empty = warden.post(
        "/admin/signups/fern/reject", data={"csrf_token": csrf_token_for(warden), field: "  "}
    )
    assert empty.status_code == 422 and "Give a reason" in text_of(empty)
    done = warden.post(
        "/admin/signups/fern/reject",
        data={"csrf_token": csrf_token_for(warden), field: "We only take people from the club."},
    )
    assert done.status_code == 303
    assert account(approval, "fern") is None
    [rejected] = [
        m for m in mailbox.wait_for_mail("fern@example.org") if "not approved" in m["Subject"]
    ]
    assert "We only take people from the club." in rejected.get_body(("plain",)).get_content()
    with approval.app_context():
        [action] = db.session.scalars(
            sa.select(ModerationAction).where(ModerationAction.kind == ModerationKind.REJECT_SIGNUP)
        )
        assert action.reason == "We only take people from the club."
    # The same username and address can sign up again.
    assert sign_up(approval.test_client()).status_code == 303
    assert account(approval, "fern") is not None


def test_the_signups_queue_is_a_404_to_members(approval: Flask, client: FlaskClient) -> None:
    sign_up(client)
    create_user(approval, "juniper")
    member = signed_in(approval, "juniper")
    assert member.get("/admin/signups").status_code == 404
    token = csrf_token_for(member)
    assert member.post("/admin/signups/fern/approve", data={"csrf_token": token}).status_code == 404
    assert member.post("/admin/signups/fern/approve").status_code == 404  # no CSRF: still 404


def test_approving_needs_the_csrf_token(approval: Flask, client: FlaskClient) -> None:
    sign_up(client)
    warden = signed_in(approval, "warden")
    assert warden.post("/admin/signups/fern/approve").status_code == 400
    assert account(approval, "fern").awaiting_approval  # type: ignore[union-attr]


def test_an_invite_skips_the_review_in_approval_mode(approval: Flask, client: FlaskClient) -> None:
    raw = make_invite(approval)
    response = sign_up(client, invite=raw)
    assert response.headers["Location"] == "/signup/check-inbox"
    assert not account(approval, "fern").awaiting_approval  # type: ignore[union-attr]


def test_users_list_shows_who_waits(approval: Flask, client: FlaskClient) -> None:
    sign_up(client)
    listing = approval.test_cli_runner().invoke(args=["users", "list"])
    [line] = [line for line in listing.output.splitlines() if "@fern" in line]
    assert "awaiting approval" in line


# --- Invite only ------------------------------------------------------------------------------


@pytest.fixture
def invite_only(app: Flask) -> Flask:
    set_mode(app, RegistrationMode.INVITE)
    return app


def test_without_an_invite_the_page_says_it_is_by_invitation_and_takes_nothing(
    invite_only: Flask, client: FlaskClient
) -> None:
    page = client.get("/signup")
    assert page.status_code == 403
    assert "by invitation" in text_of(page) and 'aria-label="Sign up"' not in text_of(page)
    assert sign_up(client).status_code == 403
    assert account(invite_only, "fern") is None


def test_an_invite_opens_the_form_as_many_times_as_it_allows(
    invite_only: Flask, client: FlaskClient
) -> None:
    raw = make_invite(invite_only, uses=2)
    page = client.get(f"/signup?invite={raw}")
    assert page.status_code == 200 and f"invite={raw}" in text_of(page)
    assert sign_up(client, invite=raw).status_code == 303
    assert sign_up(invite_only.test_client(), "hazel", "hazel@example.org", raw).status_code == 303
    assert invite_uses(invite_only, raw) == 2
    third = sign_up(invite_only.test_client(), "rowan", "rowan@example.org", raw)
    assert third.status_code == 410
    assert "used as many times as it allows" in text_of(third)
    assert account(invite_only, "rowan") is None


def test_a_used_invite_cannot_be_reused(invite_only: Flask, client: FlaskClient) -> None:
    raw = make_invite(invite_only)
    assert sign_up(client, invite=raw).status_code == 303
    replay = invite_only.test_client().get(f"/signup?invite={raw}")
    assert replay.status_code == 410 and "used as many times" in text_of(replay)


def test_a_refused_sign_up_gives_the_use_back(invite_only: Flask, client: FlaskClient) -> None:
    raw = make_invite(invite_only)
    weak = client.post(
        f"/signup?invite={raw}",
        data={
            "csrf_token": csrf_token_for(client),
            "username": "fern",
            "email": "fern@example.org",
            "password": "short",
        },
    )
    assert weak.status_code == 422
    assert invite_uses(invite_only, raw) == 0
    assert sign_up(client, invite=raw).status_code == 303


def test_an_existing_address_uses_the_invite_like_a_new_one(
    invite_only: Flask, client: FlaskClient
) -> None:
    create_user(invite_only, "juniper", "juniper@example.org")
    raw = make_invite(invite_only)
    response = sign_up(client, "newname", "juniper@example.org", raw)
    assert response.headers["Location"] == "/signup/check-inbox"
    assert invite_uses(invite_only, raw) == 1


def test_an_expired_invite_is_refused(invite_only: Flask, client: FlaskClient) -> None:
    raw = make_invite(invite_only)
    with invite_only.app_context():
        db.session.execute(sa.update(Invite).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    page = client.get(f"/signup?invite={raw}")
    assert page.status_code == 410 and "expired" in text_of(page)
    assert sign_up(client, invite=raw).status_code == 410
    assert account(invite_only, "fern") is None


def test_a_withdrawn_invite_is_refused(invite_only: Flask, client: FlaskClient) -> None:
    warden = create_user(invite_only, "warden", admin=True)
    raw = make_invite(invite_only, warden)
    moderator = signed_in(invite_only, "warden")
    listing = moderator.get("/admin/invites")
    with invite_only.app_context():
        invite_id = db.session.scalar(sa.select(Invite.id))
    assert f"Invite {invite_id}" in text_of(listing)
    revoked = moderator.post(
        f"/admin/invites/{invite_id}/revoke", data={"csrf_token": csrf_token_for(moderator)}
    )
    assert revoked.status_code == 303
    page = client.get(f"/signup?invite={raw}")
    assert page.status_code == 410 and "withdrawn" in text_of(page)


@pytest.mark.parametrize(
    "token",
    ["garbage", "x" * 5000, "ﬁnvite\u202e", "%00", "a%20b", ""],
)
def test_forged_invites_get_a_clear_4xx(
    invite_only: Flask, client: FlaskClient, token: str
) -> None:
    page = client.get(f"/signup?invite={token}")
    assert page.status_code in (400, 403, 404)
    assert sign_up(client, invite=token).status_code in (400, 403, 404)
    assert account(invite_only, "fern") is None


def test_two_invite_parameters_use_the_first(invite_only: Flask, client: FlaskClient) -> None:
    raw = make_invite(invite_only)
    assert client.get(f"/signup?invite={raw}&invite=garbage").status_code == 200


# --- Closed -----------------------------------------------------------------------------------


def test_a_closed_instance_says_so_and_shows_no_form(app: Flask, client: FlaskClient) -> None:
    set_mode(app, RegistrationMode.CLOSED)
    page = client.get("/signup")
    assert page.status_code == 403
    assert "Sign-ups are closed" in text_of(page) and 'aria-label="Sign up"' not in text_of(page)
    assert sign_up(client).status_code == 403
    assert account(app, "fern") is None


def test_on_a_closed_instance_only_staff_invites_work(app: Flask, client: FlaskClient) -> None:
    member = create_user(app, "juniper")
    set_mode(app, RegistrationMode.INVITE, member_invites=True)
    members_invite = make_invite(app, member)
    set_mode(app, RegistrationMode.CLOSED)
    refused = client.get(f"/signup?invite={members_invite}")
    assert refused.status_code == 403 and "closed" in text_of(refused)
    operators = make_invite(app)
    assert sign_up(client, invite=operators).status_code == 303


# --- Who makes invites ------------------------------------------------------------------------


def test_members_make_invites_when_allowed(app: Flask) -> None:
    create_user(app, "juniper")
    set_mode(app, RegistrationMode.INVITE, member_invites=True)
    member = signed_in(app, "juniper")
    assert "Invite people" in text_of(member.get("/settings/"))
    made = member.post(
        "/settings/invites", data={"csrf_token": csrf_token_for(member), "uses": "3", "days": "5"}
    )
    assert made.status_code == 200
    page = text_of(made)
    link = page.split('id="invite-link" type="url" value="')[1].split('"')[0]
    assert "/signup?invite=" in link
    assert "0 of 3 used" in page
    guest = app.test_client()
    assert guest.get(link.split("127.0.0.1:8000", 1)[-1]).status_code == 200


def test_members_are_refused_when_not_allowed(app: Flask) -> None:
    create_user(app, "juniper")
    set_mode(app, RegistrationMode.INVITE, member_invites=False)
    member = signed_in(app, "juniper")
    assert "Invite people" not in text_of(member.get("/settings/"))
    refused = member.post(
        "/settings/invites", data={"csrf_token": csrf_token_for(member), "uses": "3", "days": "5"}
    )
    assert refused.status_code == 403
    assert "Only moderators make invite links" in text_of(refused)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0
    assert member.get("/admin/invites").status_code == 404


@pytest.mark.parametrize(
    ("uses", "days"),
    [
        ("0", "5"),
        ("101", "5"),
        ("3", "0"),
        ("3", "31"),
        ("abc", "5"),
        ("1e3", "5"),
        ("9" * 40, "5"),
        ("3", "-1"),
        ("", ""),
        ("1\u200b", "5"),  # a zero-width space after the digit
    ],
)
def test_hostile_invite_numbers_get_a_422(app: Flask, uses: str, days: str) -> None:
    create_user(app, "juniper")
    set_mode(app, RegistrationMode.INVITE, member_invites=True)
    member = signed_in(app, "juniper")
    response = member.post(
        "/settings/invites", data={"csrf_token": csrf_token_for(member), "uses": uses, "days": days}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invite)) == 0


def test_invite_forms_need_the_csrf_token(app: Flask) -> None:
    create_user(app, "juniper")
    set_mode(app, RegistrationMode.INVITE, member_invites=True)
    member = signed_in(app, "juniper")
    assert member.post("/settings/invites", data={"uses": "1", "days": "1"}).status_code == 400


def test_a_member_cannot_withdraw_someone_elses_invite(app: Flask) -> None:
    fern = create_user(app, "fern")
    create_user(app, "juniper")
    set_mode(app, RegistrationMode.INVITE, member_invites=True)
    raw = make_invite(app, fern)
    with app.app_context():
        invite_id = db.session.scalar(sa.select(Invite.id))
    member = signed_in(app, "juniper")
    response = member.post(
        f"/settings/invites/{invite_id}/revoke", data={"csrf_token": csrf_token_for(member)}
    )
    assert response.status_code == 404
    assert app.test_client().get(f"/signup?invite={raw}").status_code == 200


def test_a_member_has_at_most_twenty_live_invites(app: Flask) -> None:
    fern = create_user(app, "fern")
    set_mode(app, RegistrationMode.INVITE, member_invites=True)
    for _ in range(invites.MAX_LIVE_PER_MEMBER):
        make_invite(app, fern)
    member = signed_in(app, "fern")
    response = member.post(
        "/settings/invites", data={"csrf_token": csrf_token_for(member), "uses": "1", "days": "1"}
    )
    assert response.status_code == 422 and "withdraw one first" in text_of(response)


def test_moderators_make_invites_in_any_mode(app: Flask) -> None:
    create_user(app, "warden", admin=True)
    set_mode(app, RegistrationMode.CLOSED)
    moderator = signed_in(app, "warden")
    made = moderator.post(
        "/admin/invites",
        data={"csrf_token": csrf_token_for(moderator), "uses": "100", "days": "30"},
    )
    assert made.status_code == 200 and "/signup?invite=" in text_of(made)
    assert "Made by @warden" in text_of(moderator.get("/admin/invites"))


# --- The CLI ----------------------------------------------------------------------------------


def test_flask_instance_registrations_shows_and_sets_the_mode(app: Flask) -> None:
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["instance", "registrations"])
    assert shown.exit_code == 0 and "Registrations: open" in shown.output
    changed = runner.invoke(args=["instance", "registrations", "closed"])
    assert changed.exit_code == 0 and "Registrations: closed" in changed.output
    assert app.test_client().get("/signup").status_code == 403
    bad = runner.invoke(args=["instance", "registrations", "sometimes"])
    assert bad.exit_code == 2


def test_flask_instance_member_invites(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert "Member invites: off" in runner.invoke(args=["instance", "member-invites"]).output
    assert "Member invites: on" in runner.invoke(args=["instance", "member-invites", "on"]).output
    with app.app_context():
        assert registrations.member_invites()


def test_flask_instance_invite_prints_a_working_link(app: Flask) -> None:
    set_mode(app, RegistrationMode.CLOSED)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["instance", "invite", "--uses", "2", "--days", "3"])
    assert result.exit_code == 0, result.output
    link = result.output.splitlines()[0]
    assert link.startswith(app.config["BASE_URL"] + "/signup?invite=")
    path = link.removeprefix(app.config["BASE_URL"])
    assert app.test_client().get(path).status_code == 200
    with app.app_context():
        [invite] = db.session.scalars(sa.select(Invite))
        assert (invite.max_uses, invite.creator_id, invite.by_staff) == (2, None, True)
    assert runner.invoke(args=["instance", "invite", "--uses", "0"]).exit_code == 1
    assert runner.invoke(args=["instance", "invite", "--days", "31"]).exit_code == 1


def test_visitors_are_sent_to_log_in_and_never_see_the_admin_pages(app: Flask) -> None:
    visitor = app.test_client()
    for path in ("/settings/invites",):
        response = visitor.get(path)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
        assert visitor.post(path, data={"uses": "1", "days": "1"}).status_code in (302, 303, 400)
    for path in ("/admin/signups", "/admin/invites", "/admin/invites/1/revoke"):
        assert visitor.get(path).status_code == 404
        assert visitor.post(path).status_code == 404
