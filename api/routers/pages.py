"""The HTML dashboard (contract §6): sign-in, the reports landing page, the financial dashboard,
a page per report with its CSV export, and drill-down to an order's history.

Pages check roles and conferences exactly as the API does (`Principal.may` / `covers`): a page
visit without a session goes to `/login?next=...`, a session without the role gets a 403 page that
says nothing about whether the conference exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api import sessions
from api.auth import Principal
from api.dashboards import financial_view, landing_view
from api.deps import ServicesDep, Slug
from api.errors import Problem
from api.historypage import history_steps
from api.pagekit import STATIC, Provenance, error_page, provenance, render
from api.presenting import label
from api.reporting import Answer, prepare
from api.reportpage import PAGE_ONLY, build_page
from api.routers import reports
from api.services import Services
from api.settings import Settings
from projections import audit

router = APIRouter(tags=["pages"], include_in_schema=False)
# The dashboards are reports too; their report pages are the dashboards themselves.
DASHBOARD_PAGES = {"dashboard": "reports/", "financial": "financial/"}
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class PageRefused(Exception):
    """Raised by a page guard: answer with `response` (a redirect to sign in, or a 403 page)."""

    def __init__(self, response: Response):
        super().__init__("page refused")
        self.response = response


def page_guard(role: str) -> Callable[[Request, Services], Principal]:
    """A dependency admitting signed-in sessions whose token has `role` for the `{slug}`."""

    def check(request: Request, services: ServicesDep) -> Principal:
        principal = sessions.signed_in(request, services)
        if principal is None:
            wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise PageRefused(RedirectResponse("/login?" + urlencode({"next": wanted}), 303))
        slug = request.path_params.get("slug")
        if not principal.may(role) or (slug is not None and not principal.covers(slug)):
            raise PageRefused(error_page(
                request, services, 403, "Forbidden",
                "Your token's role or conference does not allow this page.",
                principal=principal))
        return principal

    return check


PageViewer = Annotated[Principal, Depends(page_guard("viewer"))]
PageFinance = Annotated[Principal, Depends(page_guard("finance"))]
PageAuditor = Annotated[Principal, Depends(page_guard("auditor"))]


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the conference index (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/manage/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return "/manage/"
    return target


def _same_origin(request: Request) -> bool:
    """A form post from another site is refused (its Origin, when sent, must be ours)."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.url.netloc


@router.get("/login", response_class=HTMLResponse)
def read_login(request: Request, services: ServicesDep, next: str = "/manage/") -> Response:
    """The sign-in form."""
    return render(request, "login.html", services=services, next=safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def create_session(request: Request, services: ServicesDep, token: Annotated[str, Form()] = "",
                   next: Annotated[str, Form()] = "/manage/") -> Response:
    """Trade a token for a session cookie, then go to `next`; a bad token shows the form again."""
    target = safe_next(next)
    principal = services.tokens.authenticate(token.strip()) if token.strip() else None
    if principal is None or not _same_origin(request):
        return render(request, "login.html", services=services, next=target, status_code=401,
                      error="That token is not valid (or it was revoked).")
    sessions.sign_in(request, principal)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def delete_session(request: Request) -> Response:
    """End the session."""
    if _same_origin(request):
        sessions.sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/manage/", response_class=HTMLResponse)
def read_index(request: Request, services: ServicesDep, principal: PageViewer,
               conference: str | None = None) -> Response:
    """Where sign-in lands: a token's own conference, or a box to name one."""
    chosen = conference or principal.conference
    if chosen and SLUG.fullmatch(chosen):
        return RedirectResponse(f"/manage/{chosen}/reports/", 303)
    error = "That is not a conference slug." if chosen else None
    return render(request, "index.html", services=services, principal=principal, error=error,
                  status_code=422 if error else 200)


@router.get("/manage/{slug}/reports/", response_class=HTMLResponse)
def read_landing(slug: Slug, request: Request, services: ServicesDep,
                 principal: PageViewer) -> Response:
    """The reports landing page."""
    return _dashboard(request, services, principal, slug, "dashboard", "landing.html",
                      landing_view)


@router.get("/manage/{slug}/financial/", response_class=HTMLResponse)
def read_financial(slug: Slug, request: Request, services: ServicesDep,
                   principal: PageFinance) -> Response:
    """The financial dashboard."""
    return _dashboard(request, services, principal, slug, "financial", "financial.html",
                      financial_view)


@router.get("/manage/{slug}/reports/{name}.csv")
async def read_report_csv(slug: Slug, name: str, request: Request, services: ServicesDep,
                          principal: PageFinance) -> Response:
    """A report's CSV with the page's filters, for a signed-in finance session: exactly what
    the API's CSV export answers."""
    return await reports.read_report_csv(slug, name, request, services, principal)


@router.get("/manage/{slug}/reports/{name}/", response_class=HTMLResponse)
def read_report_page(slug: Slug, name: str, request: Request, services: ServicesDep,
                     principal: PageViewer) -> Response:
    """One report: filters, chart, a page of its table and its CSV link."""
    if name in DASHBOARD_PAGES:
        return RedirectResponse(f"/manage/{slug}/{DASHBOARD_PAGES[name]}", 303)
    found = _report(request, services, principal, slug, name)
    if isinstance(found, Response):
        return found
    answer, body = found
    page = request.query_params.get("page", "1")
    view = build_page(answer.report, body, slug=slug, params=_report_params(request),
                      page=int(page) if page.isdigit() else 1,
                      may_export=principal.may("finance"), auditor=principal.may("auditor"))
    return render(request, "report.html", services=services, principal=principal, slug=slug,
                  provenance=provenance(answer), view=view, charts=view.charts)


@router.get("/manage/{slug}/history/{kind}/{entity_id:path}/", response_class=HTMLResponse)
def read_history_page(slug: Slug, kind: str, entity_id: str, request: Request,
                      services: ServicesDep, principal: PageAuditor) -> Response:
    """An entity's history: every event and the state after it (as the audit API answers)."""
    head = Provenance(services.head())  # the history is read from the log itself
    history = audit.entity_history(services.ledger, slug, kind, entity_id)
    if history is None:
        return error_page(request, services, 404, "Not found",
                          f"There is no {kind} with that id in this conference.",
                          principal=principal, slug=slug)
    return render(request, "history.html", services=services, principal=principal, slug=slug,
                  provenance=head, kind=kind, kind_label=label(kind), entity_id=entity_id,
                  steps=history_steps(history))


def _dashboard(request: Request, services: Services, principal: Principal, slug: str,
               name: str, template: str, view: Callable[..., Any]) -> Response:
    found = _report(request, services, principal, slug, name)
    if isinstance(found, Response):
        return found
    answer, body = found
    shown = view(body, slug=slug, principal=principal)
    return render(request, template, services=services, principal=principal, slug=slug,
                  provenance=provenance(answer), view=shown, charts=shown.charts)


def _report_params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in PAGE_ONLY}


def _report(request: Request, services: Services, principal: Principal, slug: str,
            name: str) -> tuple[Answer, dict[str, Any]] | Response:
    """The report's answer and its own keys, exactly as the API would give them, or the error
    page the API's problem means (same status)."""
    try:
        answer = prepare(services, slug, name, _report_params(request), principal)
        body = answer.body()
    except Problem as problem:
        return error_page(request, services, problem.status, problem.title, problem.detail,
                          principal=principal, slug=slug)
    meta = answer.meta()
    return answer, {key: value for key, value in body.items() if key not in meta}


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the pages, their static files and their sessions from `app`."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(PageRefused, _refused)
    sessions.install(app, settings)


async def _refused(_request: Request, exc: Exception) -> Response:
    """The answer a page guard chose."""
    if not isinstance(exc, PageRefused):
        raise exc
    return exc.response
