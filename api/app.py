"""The FastAPI application: its routers, its problem answers and the process's services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.projectors import ProjectorService
from api.routers import audit, events, pages, reports, status, tokens
from api.services import Services
from api.settings import Settings


def create_app(settings: Settings, *, services: Services | None = None,
               projectors: bool = False) -> FastAPI:
    """Build the app on `services`, or on services of its own (closed when the app stops).

    With `projectors`, every read model is kept up to date by a thread of this process, woken
    after each recorded batch (this is what `confledger serve` runs).
    """
    owned = services is None
    shared = services if services is not None else Services.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runner = _start_projectors(shared) if projectors else None
        yield
        if runner is not None:
            runner.stop()
        if owned:
            shared.close()

    app = FastAPI(title="Confledger", version="0.1.0", lifespan=lifespan,
                  summary="An event-sourced financial ledger for conference ticketing")
    app.state.services = shared
    errors.install(app)
    for router in (status.router, events.router, tokens.router, reports.router, audit.router):
        app.include_router(router)
    pages.install(app, settings)
    return app


def _start_projectors(services: Services) -> ProjectorService:
    runner = ProjectorService(services.ledger, poll_interval=services.settings.poll_interval,
                              page=services.settings.projector_page)
    services.on_recorded.append(runner.wake)
    services.projector_status = runner.status
    runner.start()
    return runner
