"""Reports as JSON and as streamed CSV (contract §4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api import csvexport
from api.deps import Finance, ServicesDep, Slug, Viewer
from api.reporting import Answer, prepare

router = APIRouter(prefix="/api/v1/conferences/{slug}/reports", tags=["reports"])


@router.get("/{name}.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}}})
async def read_report_csv(slug: Slug, name: str, request: Request, services: ServicesDep,
                          principal: Finance) -> StreamingResponse:
    """A report as CSV, streamed; provenance in the Confledger-* headers."""
    answer = await run_in_threadpool(prepare, services, slug, name, dict(request.query_params),
                                     principal)
    rows = await run_in_threadpool(answer.csv_rows)
    return StreamingResponse(csvexport.stream(answer.report.columns, rows),
                             media_type="text/csv; charset=utf-8", headers=_headers(answer))


@router.get("/{name}")
async def read_report(slug: Slug, name: str, request: Request, services: ServicesDep,
                      principal: Viewer) -> dict[str, Any]:
    """A report as JSON: the contract's keys plus conference, position, as_of and known_at."""
    answer = await run_in_threadpool(prepare, services, slug, name, dict(request.query_params),
                                     principal)
    return await run_in_threadpool(answer.body)


def _headers(answer: Answer) -> dict[str, str]:
    meta = answer.meta()
    return {"Confledger-Position": str(meta["position"]),
            "Confledger-As-Of": meta["as_of"] or "",
            "Confledger-Known-At": meta["known_at"] or "",
            "Confledger-Chain-Head": meta["chain_head"] or "",
            "Content-Disposition": f'attachment; filename="{meta["conference"]}-'
                                   f'{meta["report"]}.csv"'}
