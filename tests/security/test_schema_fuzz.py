"""Schemathesis against the app's own OpenAPI schema: for every operation, generated requests (valid
and invalid parameters, bodies, headers) never get a 5xx answer, on either database.

A few dozen examples per operation keep the run bounded and, in that CI setting, reproducible
(derandomized); `CONFLEDGER_FUZZ_EXAMPLES=500` by hand explores more, at random. Requests carry
the bootstrap admin token, so they get past authentication and reach the handlers; it is not
stored, so no generated request can revoke it.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings

from projections.catalogue import reports
from tests.conftest import BOOTSTRAP_TOKEN
from tests.security.conftest import FIGURES

BY_HAND = "CONFLEDGER_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("CONFLEDGER_FUZZ_EXAMPLES", "25"))
NAMES = sorted(reports())


@pytest.fixture
def api_schema(app: FastAPI, conferences: None) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def aim(case: schemathesis.Case) -> None:
    """Point half the generated paths at the configured conference and a real report, so the
    generated filters and bodies reach the handlers instead of stopping at a 404."""
    path = case.path_parameters or {}
    if len(str(path.get("slug", "x"))) % 2 == 0:
        path["slug"] = "pycon"
        if "name" in path:
            path["name"] = NAMES[len(str(path["name"])) % len(NAMES)]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          derandomize=not BY_HAND, suppress_health_check=list(HealthCheck))
def test_no_generated_request_makes_the_api_fail(case: schemathesis.Case) -> None:
    aim(case)
    response = case.call(headers={"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"})
    FIGURES[f"schemathesis {schemathesis.__version__} generated requests, no 5xx"] += 1
    assert response.status_code < 500, (case.method, case.formatted_path, case.query,
                                        response.status_code, response.text[:500])
