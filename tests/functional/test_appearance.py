"""The theme switch without JavaScript: a POST with CSRF sets a first-party cookie, and every
page after is drawn in that theme on <html> from its first byte (#17 item 8)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import create_user
from tests.support.members import login
from tests.support.pages import csrf_token, csrf_token_for
from tests.support.production import production_app


def choose(client: FlaskClient, theme: str, next: str = "/explore") -> tuple[int, str, list[str]]:
    response = client.post(
        "/appearance", data={"csrf_token": csrf_token_for(client), "theme": theme, "next": next}
    )
    cookies = [h for h in response.headers.getlist("Set-Cookie") if "sapling_theme=" in h]
    return response.status_code, response.headers.get("Location", ""), cookies


def html_tag(client: FlaskClient, path: str = "/explore") -> str:
    page = client.get(path).get_data(as_text=True)
    return page[page.index("<html") : page.index(">", page.index("<html")) + 1]


def test_a_visitor_pins_dark_and_every_page_is_drawn_dark(client: FlaskClient) -> None:
    assert html_tag(client) == '<html lang="en">'
    status, location, cookies = choose(client, "dark", "/explore?q=moss")
    assert status == 303 and location == "/explore?q=moss"
    (cookie,) = cookies
    assert cookie.startswith("sapling_theme=dark;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Max-Age=34560000" in cookie  # 400 days, as long as browsers keep one
    assert html_tag(client) == '<html lang="en" class="theme-dark">'
    page = client.get("/login").get_data(as_text=True)
    assert '<meta name="color-scheme" content="dark">' in page
    assert "Theme: <span data-theme-label>Dark</span>" in page


def test_system_forgets_the_choice(client: FlaskClient) -> None:
    choose(client, "light")
    assert 'class="theme-light"' in html_tag(client)
    status, _location, cookies = choose(client, "system")
    assert status == 303
    (cookie,) = cookies
    assert cookie.startswith("sapling_theme=;") and "Max-Age=0" in cookie
    assert html_tag(client) == '<html lang="en">'


def test_a_member_switches_from_the_settings_page(app: Flask) -> None:
    create_user(app, "alice")
    alice = login(app, "alice")
    page = alice.get("/settings/").get_data(as_text=True)
    assert 'name="theme" value="system" aria-pressed="true"' in page
    status, location, _cookies = choose(alice, "dark", "/settings/")
    assert status == 303 and location == "/settings/"
    page = alice.get("/settings/").get_data(as_text=True)
    assert 'name="theme" value="dark" aria-pressed="true"' in page
    assert 'class="theme-dark"' in page


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_it_only_goes_back_to_a_page_of_this_site(client: FlaskClient, target: str) -> None:
    status, location, _cookies = choose(client, "dark", target)
    assert status == 303 and location == "/appearance"


@pytest.mark.parametrize("theme", ["purple", "", "dark; Path=/evil", "x" * 5000])
def test_a_made_up_theme_is_a_clear_400_and_sets_nothing(client: FlaskClient, theme: str) -> None:
    response = client.post(
        "/appearance", data={"csrf_token": csrf_token_for(client), "theme": theme}
    )
    assert response.status_code == 400
    assert "Choose System, Light or Dark." in response.get_data(as_text=True)
    assert "sapling_theme" not in response.headers.get("Set-Cookie", "")


def test_a_forged_cookie_value_is_ignored(client: FlaskClient) -> None:
    client.set_cookie("sapling_theme", '"><script>')
    assert html_tag(client) == '<html lang="en">'


def test_without_the_csrf_token_it_is_refused(client: FlaskClient) -> None:
    response = client.post("/appearance", data={"theme": "dark"})
    assert response.status_code == 400
    assert "sapling_theme" not in response.headers.get("Set-Cookie", "")


def test_the_appearance_page_shows_the_switch_and_a_safe_way_back(client: FlaskClient) -> None:
    page = client.get("/appearance?next=//evil.example").get_data(as_text=True)
    assert 'href="/">Back</a>' in page
    assert 'name="next" value="/"' in page
    page = client.get("/appearance?next=/tags/moss").get_data(as_text=True)
    assert 'href="/tags/moss">Back</a>' in page


def test_production_pins_the_cookie_to_the_host_over_https() -> None:
    client = production_app().test_client()
    form = client.get("/appearance", base_url="https://sapling.example")
    response = client.post(
        "/appearance",
        data={"csrf_token": csrf_token(form), "theme": "dark", "next": "/"},
        base_url="https://sapling.example",
        headers={"Referer": "https://sapling.example/appearance"},  # HTTPS: Flask-WTF asks
    )
    assert response.status_code == 303
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("__Host-sapling_theme=")
    )
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Domain" not in cookie


def test_an_error_page_links_to_the_switch_without_echoing_its_path(client: FlaskClient) -> None:
    choose(client, "dark")
    response = client.get("/no-such-page-here")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and 'class="theme-dark"' in page
    assert '<a href="/appearance">Theme: <span data-theme-label>Dark</span></a>' in page
    assert "no-such-page-here" not in page
