"""A real Confledger server for browser tests: uvicorn on 127.0.0.1 in a thread, a seeded demo
conference, every read model caught up, and projector threads running beside the API.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from api import demo
from api.app import create_app
from api.projectors import ProjectorService
from api.services import Services
from api.settings import Settings

SLUG = "browser-demo"
BATCH = 500


@dataclass(frozen=True)
class RunningServer:
    """Where the server listens and the tokens it knows (role → clear token)."""

    base_url: str
    slug: str
    tokens: dict[str, str]
    services: Services

    def url(self, path: str) -> str:
        return self.base_url + path


def seed(services: Services, *, attendees: int, now: datetime, slug: str = SLUG) -> int:
    """Record a demo conference in batches and project it; return its last position."""
    for batch in demo.batches(demo.generate_conference(slug=slug, attendees=attendees, now=now),
                              BATCH):
        services.record(slug, batch, now=now)
    projector = ProjectorService(services.ledger).projector
    projector.open()
    projector.catch_up()
    return projector.position


@contextmanager
def serving(services: Services) -> Iterator[str]:
    """Serve the app (with its projector threads) on a free local port; yield its base URL."""
    app = create_app(services.settings, services=services, projectors=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, name="browser-test-server", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test server did not start")
        thread.join(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def demo_server(database: Path, *, attendees: int = 150, slug: str = SLUG) -> Iterator[
        RunningServer]:
    """A seeded demo conference served on SQLite at `database`, with one token per role."""
    settings = Settings(database_url=f"sqlite:///{database}", secret_key="browser-tests")
    services = Services.build(settings)
    try:
        seed(services, attendees=attendees, now=datetime.now(UTC), slug=slug)
        tokens = {"admin": services.tokens.issue("admin").token,
                  **{role: services.tokens.issue(role, slug).token
                     for role in ("viewer", "finance", "auditor")},
                  "other-conference": services.tokens.issue("finance", "elsewhere").token}
        with serving(services) as base_url:
            yield RunningServer(base_url, slug, tokens, services)
    finally:
        services.close()
