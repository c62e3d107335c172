"""Fixtures for HTTP tests: post events as a given token, read the head position."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

Post = Callable[..., httpx.Response]


@pytest.fixture
def post(client: TestClient, admin_headers: dict[str, str]) -> Post:
    """POST events (one batch) to a conference, as admin unless `headers=` says otherwise."""

    def post_events(*events: Any, slug: str = "pycon",
                    headers: dict[str, str] | None = None) -> httpx.Response:
        return client.post(f"/api/v1/conferences/{slug}/events", json=list(events),
                           headers=admin_headers if headers is None else headers)

    return post_events


@pytest.fixture
def head(client: TestClient, admin_headers: dict[str, str]) -> Callable[[], int]:
    """The head position, read over HTTP from `/api/v1/status`."""

    def read_head() -> int:
        response = client.get("/api/v1/status", headers=admin_headers)
        assert response.status_code == 200
        return int(response.json()["head"])

    return read_head
