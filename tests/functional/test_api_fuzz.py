"""The API fuzzed with schemathesis (issue #21): every operation of /api/openapi.json is
called with generated input, valid and not, by a person with a token on a seeded
database. No answer may be a 500, and every answer must be one the document describes,
in the shape it describes."""

from __future__ import annotations

import traceback

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.factories import create_post, create_user, follow
from tests.support.api import bearer, token_for


@pytest.fixture
def seeded(app: Flask) -> dict[str, str]:
    """Two people who follow each other, with posts; the token is the first one's."""
    fern, moss = create_user(app, "fern"), create_user(app, "rowan")
    follow(app, fern, moss)
    follow(app, moss, fern)
    for number in range(3):
        create_post(app, moss, f"Moss {number} #moss")
    return bearer(token_for(app, "fern"))


CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


# Room for every generated request to reach the code rather than the limiter's 429.
@pytest.mark.config(
    RATELIMIT_API_READ="100000 per minute",
    RATELIMIT_INTERACTIONS="100000 per minute",
    RATELIMIT_POSTING="100000 per minute",
)
def test_no_500_and_every_answer_matches_the_document(app: Flask, seeded: dict[str, str]) -> None:
    """Driven by hand rather than by schemathesis' pytest plugin, which does not run on
    pytest 9 (it reads ``Function._nodeid``): each operation's strategy, through hypothesis."""
    document = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in document.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=seeded, checks=CHECKS)

        try:
            call()
        except Exception as failure:  # noqa: BLE001  (each operation's report is gathered)
            where = "".join(traceback.format_exception(failure))
            failures.append(f"{operation.label}: {failure}\n{where}")
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
