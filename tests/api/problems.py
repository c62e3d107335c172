"""Assertions on RFC 9457 problem answers."""

from __future__ import annotations

from typing import Any

import httpx

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}
ERROR_KEYS = {"index", "id", "field", "code", "message"}


def assert_problem(response: httpx.Response, status: int,
                   *errors: tuple[int | None, str, str]) -> dict[str, Any]:
    """The answer is a problem of `status` listing exactly `errors` as (index, field, code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) == PROBLEM_KEYS and body["status"] == status
    assert all(set(error) == ERROR_KEYS for error in body["errors"])
    assert [(e["index"], e["field"], e["code"]) for e in body["errors"]] == list(errors)
    return body
