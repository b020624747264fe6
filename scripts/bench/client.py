"""Talking to the bench server the way a browser behind nginx would, cookies by hand.

Production cookies are ``Secure`` with the ``__Host-`` prefix, and the bench talks
plain HTTP to gunicorn on loopback (there is no nginx to end TLS). A cookie jar
would rightly refuse to send Secure cookies over HTTP, so the Set-Cookie headers
are read here and sent back in an explicit Cookie header; the server reads
cookies whatever the scheme. Every request also carries ``X-Forwarded-Proto:
https``, as nginx sends it: gunicorn believes it from loopback
(``forwarded_allow_ips``), so the app sees HTTPS and runs the code paths it runs
in production, Flask-WTF's strict Referer check on form posts included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import requests

FORWARDED = {"X-Forwarded-Proto": "https"}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    """One visitor's cookies for one server."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {**FORWARDED, **extra}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        return headers

    def get(self, path: str) -> requests.Response:
        response = requests.get(
            self.base_url + path, headers=self.headers(), allow_redirects=False, timeout=30
        )
        self.keep_cookies(response)
        return response

    def post_form(self, path: str, form: dict[str, str]) -> requests.Response:
        referer = f"https://{urlsplit(self.base_url).netloc}{path}"
        response = requests.post(
            self.base_url + path,
            data=form,
            headers=self.headers(Referer=referer),
            allow_redirects=False,
            timeout=30,
        )
        self.keep_cookies(response)
        return response

    def keep_cookies(self, response: requests.Response) -> None:
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def login_form(self) -> str:
        """Open the login page; returns its CSRF token (the session cookie is kept)."""
        response = self.get("/login")
        match = CSRF_FIELD.search(response.text)
        if response.status_code != 200 or match is None:
            raise RuntimeError(f"GET /login answered {response.status_code} without a form")
        return match.group(1)

    def log_in(self, username: str, password: str) -> None:
        form = login_body(self.login_form(), username, password)
        response = self.post_form("/login", form)
        if response.status_code != 303 or not any("auth" in name for name in self.cookies):
            raise RuntimeError(f"logging in as {username!r} answered {response.status_code}")


def login_body(csrf_token: str, username: str, password: str) -> dict[str, str]:
    return {"csrf_token": csrf_token, "identifier": username, "password": password, "next": ""}


def encoded(form: dict[str, str]) -> str:
    return urlencode(form)
