"""What every HTML page shares: templates, the status strip, security headers, error pages.

Every page names the event position its figures reflect and how far the projectors are behind
the head of the log, so a person knows how fresh what they see is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.auth import Principal
from api.presenting import text
from api.reporting import Answer
from api.services import Services

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
# Everything a page loads comes from the app itself: no CDN, no inline script or style.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Provenance:
    """What a page's figures reflect: a position of the log (and its chain hash there), the
    currency of its amounts, and the as-of / known-at moment of a replay."""

    position: int
    currency: str | None = None
    chain_head: str | None = None
    replay: str | None = None

    @property
    def chain_short(self) -> str:
        return (self.chain_head or "")[:12]


def provenance(answer: Answer) -> Provenance:
    meta = answer.meta()
    return Provenance(answer.position, answer.context.currency, meta.get("chain_head"),
                      meta["as_of"] or meta["known_at"])


@dataclass(frozen=True)
class Freshness:
    """The position a page reflects against the head, and the projectors' lag."""

    position: str
    head: str
    lag: str
    behind: bool
    errors: list[str]
    shown: Provenance | None


def freshness(services: Services, shown: Provenance | None) -> Freshness:
    """How fresh a page is; `shown` None for pages that show no report."""
    position = shown.position if shown else None
    head = services.head()
    status = services.projector_status()
    lag_events = max((p["lag_events"] for p in status), default=0)
    lag_seconds = max((p["lag_seconds"] for p in status), default=0.0)
    errors = [f"{p['name']}: {p['last_error']}" for p in status if p.get("last_error")]
    if not status:
        lag = "no projector status in this process"
    elif lag_events:
        lag = f"projectors {text(lag_events)} events ({lag_seconds:.1f} s) behind"
    else:
        lag = "projectors up to date"
    return Freshness(text(position) if position is not None else "—", text(head), lag,
                     bool(position is not None and position < head), errors, shown)


def render(request: Request, template: str, *, services: Services,
           principal: Principal | None = None, slug: str | None = None,
           provenance: Provenance | None = None, status_code: int = 200,
           **values: Any) -> HTMLResponse:
    """A page from `template` with the layout's shared values and the security headers."""
    context = {"principal": principal, "slug": slug,
               "may_finance": bool(principal and principal.may("finance")),
               # Only signed-in people learn how many events the ledger holds.
               "freshness": freshness(services, provenance) if principal else None, **values}
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def error_page(request: Request, services: Services, status_code: int, title: str,
               detail: str, *, principal: Principal | None = None,
               slug: str | None = None) -> HTMLResponse:
    return render(request, "error.html", services=services, principal=principal, slug=slug,
                  status_code=status_code, title=title, detail=detail)
