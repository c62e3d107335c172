"""Liveness for load balancers and the ledger's head and projector lag for operators."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, Viewer

router = APIRouter(tags=["status"])


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"] = "ok"


class Status(BaseModel):
    """The head of the event log and, per projector, how far behind it is."""

    head: int
    projectors: list[dict[str, Any]]


@router.get("/healthz")
def read_health() -> Health:
    """Answer while the process is alive; needs no token."""
    return Health()


@router.get("/api/v1/status")
async def read_status(_caller: Viewer, services: ServicesDep) -> Status:
    """The head position and every projector's position, lag and last error (viewer and up:
    an ingest token may post events and nothing else)."""
    head = await run_in_threadpool(services.head)
    projectors = await run_in_threadpool(services.projector_status)
    return Status(head=head, projectors=projectors)
