"""An app's access token for a person, got the whole real way: the app registers, the person
logs in and allows it on the consent page (PKCE), the app exchanges the code."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask

from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_in

REDIRECT = "https://app.example/callback"


def token_for(app: Flask, username: str, scopes: str = "read write follow") -> str:
    client = app.test_client()
    registered = client.post(
        "/api/v1/apps",
        data={"client_name": "Tester", "redirect_uris": REDIRECT, "scopes": scopes},
    ).get_json()
    AuthActions(client).login(username)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    url = "/oauth/authorize?" + urlencode(
        {"response_type": "code", "client_id": registered["client_id"], "redirect_uri": REDIRECT,
         "scope": scopes, "code_challenge": challenge.rstrip(b"=").decode(),
         "code_challenge_method": "S256"}
    )  # fmt: skip
    page = client.get(url).get_data(as_text=True)
    answer = client.post(url, data={"csrf_token": csrf_token_in(page), "allow": "Allow"})
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    token = client.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "client_id": registered["client_id"], "client_secret": registered["client_secret"],
              "code_verifier": verifier},
    ).get_json()  # fmt: skip
    return str(token["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
