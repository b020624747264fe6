"""The OpenAPI document (issue #21) names every /api route, and nothing that is not one."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


def test_the_document_lists_exactly_the_api_routes(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", "{id}", rule.rule)
        served |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


def test_every_answer_is_described_with_its_refusals(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "200" in operation["responses"], (path, method)
            if operation.get("security"):
                assert {"401", "403"} <= set(operation["responses"]), (path, method)
