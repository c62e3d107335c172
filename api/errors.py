"""Every error the API answers with, as RFC 9457 problem details, mapped in one place.

Handlers raise `Problem` subclasses or let the ledger's `BatchRefused` through; `install` turns
them, request validation errors and unexpected failures into `application/problem+json`. No
problem body ever echoes request input, so a token sent by mistake cannot come back in an answer.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any, ClassVar

from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ledger.application import BatchRefused, EventError, LedgerBusy

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://confledger.dev/problems/"
RETRY_AFTER_SECONDS = "2"

logger = logging.getLogger(__name__)


def field_error(code: str, message: str, *, field: str = "", index: int | None = None,
                id: str | None = None) -> dict[str, Any]:
    """One entry of a problem's `errors` list."""
    return {"index": index, "id": id, "field": field, "code": code, "message": message}


class Problem(Exception):
    """Raised to answer with a problem document; subclasses name the kind of problem."""

    status: ClassVar[int] = 400
    kind: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return problem(self.status, self.kind, self.title, self.detail, errors=self.errors,
                       headers=self.headers)


class NotAuthenticated(Problem):
    """Raised when a request carries no token, or one that is unknown or revoked."""

    status, kind, title = 401, "not-authenticated", "Not authenticated"

    def __init__(self) -> None:
        super().__init__("send a valid token as 'Authorization: Bearer <token>'",
                         headers={"WWW-Authenticate": "Bearer"})


class Forbidden(Problem):
    """Raised when a token's role or conference does not cover the request."""

    status, kind, title = 403, "forbidden", "Forbidden"

    def __init__(self) -> None:
        super().__init__("this token's role or conference does not allow this request")


class NotFound(Problem):
    """Raised when the thing a request names does not exist (or is not the caller's to see)."""

    status, kind, title = 404, "not-found", "Not found"


class PayloadTooLarge(Problem):
    """Raised when a body or a batch is larger than the documented limit."""

    status, kind, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(Problem):
    """Raised when a body comes with a content type the endpoint does not read."""

    status, kind, title = 415, "unsupported-media-type", "Unsupported media type"


class DatabaseUnavailable(Problem):
    """Raised when the database cannot be reached (down, restarting, connection dropped)."""

    status, kind, title = 503, "database-unavailable", "Database unavailable"

    def __init__(self) -> None:
        super().__init__("the database cannot be reached for now; retry after Retry-After "
                         "seconds (a batch sent again is recorded once)",
                         headers={"Retry-After": RETRY_AFTER_SECONDS})


class Contended(Problem):
    """Raised when a batch kept losing races to concurrent writers on the same entities."""

    status, kind, title = 503, "contended", "Too many concurrent writers"

    def __init__(self) -> None:
        super().__init__("other batches kept changing the same entities; nothing of this batch "
                         "was recorded; retry after Retry-After seconds",
                         headers={"Retry-After": "1"})


class MalformedBody(Problem):
    """Raised when a body is not JSON, or not JSON of the expected shape."""

    status, kind, title = 422, "malformed-body", "Malformed body"


class ProblemResponse(JSONResponse):
    """A problem document written as ASCII JSON: the ids and field names it names come from the
    request, and one holding a lone surrogate (valid in JSON, not in UTF-8) must still render."""

    media_type = PROBLEM_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def problem(status: int, kind: str, title: str, detail: str, *,
            errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    """An `application/problem+json` response."""
    body = {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail,
            "errors": errors or []}
    return ProblemResponse(body, status_code=status, headers=headers)


def refused(batch: BatchRefused) -> JSONResponse:
    """422 when some event is wrong on its own, else 409: the books refuse the batch."""
    errors = [_event_error(e) for e in batch.errors]
    detail = f"{len(errors)} error(s) in the batch; nothing of it was recorded"
    if batch.invalid:
        return problem(422, "invalid-events", "Invalid events", detail, errors=errors)
    return problem(409, "events-refused", "Events refused by the books", detail, errors=errors)


def _event_error(error: EventError) -> dict[str, Any]:
    return field_error(error.error.code, error.error.message, field=error.error.field or "",
                       index=error.index, id=error.id)


def _validation_error(exc: RequestValidationError) -> JSONResponse:
    errors = [field_error(str(e["type"]).replace("_", "-"), str(e["msg"]),
                          field=".".join(str(part) for part in e["loc"][1:]))
              for e in exc.errors()]
    return problem(422, "invalid-request", "Invalid request",
                   "the request's parameters or body are invalid", errors=errors)


def _http_error(exc: HTTPException) -> JSONResponse:
    phrase = HTTPStatus(exc.status_code).phrase
    return problem(exc.status_code, phrase.lower().replace(" ", "-"), phrase,
                   exc.detail if isinstance(exc.detail, str) else phrase,
                   headers=getattr(exc, "headers", None))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unexpected error answering %s %s", request.method, request.url.path,
                 exc_info=exc)
    return problem(500, "internal-error", "Internal server error",
                   "the server failed to answer; nothing of a failed batch was recorded")


def answer(request: Request, exc: Exception) -> Response:
    """The problem document for any exception a request raised."""
    if isinstance(exc, Problem):
        return exc.response()
    if isinstance(exc, BatchRefused):
        return refused(exc)
    if isinstance(exc, LedgerBusy):
        return Contended().response()
    if isinstance(exc, RequestValidationError):
        return _validation_error(exc)
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("database unavailable answering %s %s: %s", request.method,
                       request.url.path, exc)
        return DatabaseUnavailable().response()
    return _unexpected(request, exc)


def install(app: FastAPI) -> None:
    """Answer every exception a request may raise with a problem document.

    Database errors get their own handler rather than the catch-all: Starlette re-raises what
    the `Exception` handler answered, and the server then drops the connection, so a client
    could see a reset instead of the 503.
    """
    for exc_class in (Problem, BatchRefused, LedgerBusy, RequestValidationError, HTTPException,
                      OperationalError, InterfaceError, Exception):
        app.add_exception_handler(exc_class, answer)
