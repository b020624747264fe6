"""A deleted or blocked account's files, asked for through nginx as shipped (issue #15).

nginx sends the public area's files without asking the app, so these tests ask
nginx itself for a photo's display and thumb sizes and for the avatar: straight
from disk before, 404 to everyone (on the media host too) while the account is
deleted or blocked, and straight from disk again once it is restored or the
block is lifted, whichever way it lifts.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from app.extensions import db
from app.models import User, utcnow
from app.services.accounts import profiles
from app.worker import maintenance
from tests.factories import create_post, create_user, jpeg_bytes
from tests.support.nginx_site import Site
from tests.support.nginx_stack import SERVER_NAME
from tests.support.pages import csrf_token_in

pytestmark = pytest.mark.nginx

YEARS = "max-age=315360000"  # nginx's `expires max`: the file came from the public folder
REASON = "Posting other people's photos"
_sources = (f"127.0.15.{n}" for n in itertools.count(1))  # one per login: nginx limits each


@dataclass(frozen=True)
class Owner:
    username: str
    paths: tuple[str, ...]  # display, thumb, avatar


def owner_with_files(site: Site, username: str) -> Owner:
    user = create_user(site.app, username)
    key = create_post(site.app, user, "Fern fronds").photos[0].storage_key
    with site.app.test_request_context():
        account = db.session.get(User, user.id)
        assert account is not None
        profiles.set_avatar(account, io.BytesIO(jpeg_bytes(96, 96)))
        db.session.commit()
        avatar = account.avatar_key
    paths = (f"/media/{key}/display.webp", f"/media/{key}/thumb.webp")
    return Owner(username, (*paths, f"/media/{avatar}/avatar.webp"))


def login(site: Site, username: str) -> requests.Session:
    return site.login(username, source=next(_sources))


def get(client: requests.Session, site: Site, path: str, host: str | None = None) -> str:
    headers = {"Host": host} if host else {}
    response = client.get(site.stack.https + path, headers=headers, timeout=10)
    return f"{response.status_code} {response.headers.get('Cache-Control', '')}".strip()


def assert_straight_from_disk(site: Site, owner: Owner) -> None:
    for path in owner.paths:
        assert get(site.client(), site, path) == f"200 {YEARS}", path
        assert get(site.client(), site, path, f"media.{SERVER_NAME}") == f"200 {YEARS}", path


def assert_gone(site: Site, owner: Owner) -> None:
    follower = login(site, site.follower)  # a signed-in member sees no more than anyone
    for path in owner.paths:
        for client in (site.client(), follower):
            assert get(client, site, path).startswith("404"), path
        assert get(site.client(), site, path, f"media.{SERVER_NAME}").startswith("404"), path


def post_form(client: requests.Session, site: Site, page: str, path: str, **data: str) -> int:
    form = client.get(site.stack.https + page, timeout=10)
    response = client.post(
        site.stack.https + path,
        data={"csrf_token": csrf_token_in(form.text), **data},
        headers={"Referer": form.url},  # what a browser sends with a form from that page
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


@pytest.fixture(scope="module")
def moderator(site: Site) -> requests.Session:
    create_user(site.app, "warden.edge", admin=True)
    return login(site, "warden.edge")


def block(site: Site, moderator: requests.Session, owner: Owner) -> None:
    page = f"/admin/users/{owner.username}"
    data = {"block_days": "3", "block_reason": REASON}
    assert post_form(moderator, site, page, f"{page}/block", **data) == 303


def expire_block(site: Site, username: str) -> None:
    with site.app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.username == username)
            .values(blocked_till=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def test_a_deleted_accounts_photos_and_avatar_are_gone_until_it_is_restored(site: Site) -> None:
    owner = owner_with_files(site, "ivy.edge")
    assert_straight_from_disk(site, owner)

    client = login(site, owner.username)
    data = {"username": owner.username}
    assert post_form(client, site, "/settings/delete", "/settings/delete", **data) == 303
    assert_gone(site, owner)

    login(site, owner.username)  # within the grace period: the account comes back
    assert_straight_from_disk(site, owner)


def test_a_blocked_accounts_files_are_gone_until_a_moderator_lifts_the_block(
    site: Site, moderator: requests.Session
) -> None:
    owner = owner_with_files(site, "moss.edge")
    block(site, moderator, owner)
    assert_gone(site, owner)

    page = f"/admin/users/{owner.username}"
    data = {"unblock_reason": "Appeal upheld"}
    assert post_form(moderator, site, page, f"{page}/unblock", **data) == 303
    assert_straight_from_disk(site, owner)


def test_files_come_back_when_a_block_whose_time_is_up_lifts_at_login(
    site: Site, moderator: requests.Session
) -> None:
    owner = owner_with_files(site, "reed.edge")
    block(site, moderator, owner)
    assert_gone(site, owner)
    expire_block(site, owner.username)

    login(site, owner.username)
    assert_straight_from_disk(site, owner)


def test_files_come_back_when_the_maintenance_run_lifts_a_block(
    site: Site, moderator: requests.Session
) -> None:
    owner = owner_with_files(site, "sedge.edge")
    block(site, moderator, owner)
    assert_gone(site, owner)
    expire_block(site, owner.username)

    with site.app.app_context():
        assert maintenance.run(utcnow()).lifted_blocks >= 1
        lifted = db.session.scalar(sa.select(User).where(User.username == owner.username))
        assert lifted is not None and lifted.blocked_till is None
    assert_straight_from_disk(site, owner)
