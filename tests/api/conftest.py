"""Fixtures for HTTP tests: post events as a given token, read the head, serve over TCP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
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


@pytest.fixture
def server_url(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread, for this test.

    Uvicorn leaves logging alone (its loggers propagate, so `caplog` sees them), quiet below
    warnings unless a test lowers the level.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()
