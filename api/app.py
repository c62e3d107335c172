"""The FastAPI application: its routers, its problem answers and the process's services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.routers import events, status, tokens
from api.services import Services
from api.settings import Settings


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """Build the app on `services`, or on services of its own (closed when the app stops)."""
    owned = services is None
    shared = services if services is not None else Services.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            shared.close()

    app = FastAPI(title="Confledger", version="0.1.0", lifespan=lifespan,
                  summary="An event-sourced financial ledger for conference ticketing")
    app.state.services = shared
    errors.install(app)
    for router in (status.router, events.router, tokens.router):
        app.include_router(router)
    return app
