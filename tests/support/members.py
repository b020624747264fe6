"""Members acting through their own test clients: logged in, posting a form with its CSRF
token, reading the unread badge."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.support.auth import AuthActions
from tests.support.pages import csrf_token_for


def login(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    AuthActions(client).login(username)
    return client


def send(client: FlaskClient, path: str, **data: str) -> int:
    return client.post(path, data={"csrf_token": csrf_token_for(client), **data}).status_code


def badge(client: FlaskClient) -> int:
    page = client.get("/explore").get_data(as_text=True)
    match = re.search(r'class="nav__badge"><span class="visually-hidden">, </span>(\d+)', page)
    return int(match.group(1)) if match else 0
