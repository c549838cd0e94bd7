"""Every error leaves the server as RFC 9457 problem+json with a stable `code`; nothing else, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.contract.protocol import PROBLEM_MEDIA_TYPE, ProblemCode
from backend.server.auth import AuthFailure, problem_body, refusal, rejection
from backend.server.db import STORAGE_RETRY_AFTER_S, storage_fault
from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend")

TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
          408: "Request timeout", 409: "Conflict", 413: "Payload too large", 422: "Unprocessable content",
          429: "Too many requests", 500: "Internal server error", 503: "Service unavailable"}


class ApiProblem(Exception):
    def __init__(self, status: int, code: ProblemCode, detail: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or code.value)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers


def problem_response(status: int, code: str, detail: str = "", headers: dict[str, str] | None = None,
                     **extra: Any) -> Response:
    return Response(problem_body(status, code, TITLES.get(status, "Error"), detail, **extra), status_code=status,
                    media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _problem(_request: Request, exc: ApiProblem) -> Response:
        return problem_response(exc.status, exc.code.value, exc.detail, headers=exc.headers)

    @app.exception_handler(AuthFailure)
    async def _unauthenticated(_request: Request, exc: AuthFailure) -> Response:
        # A look-up route records its nonce itself (backend.server.auth.LOOKUP_PATHS): used before, or the kiosk
        # revoked meanwhile, it is refused as the middleware refuses.
        headers, body = rejection(refusal(exc))
        return Response(body, status_code=exc.status, headers={k.decode(): v.decode() for k, v in headers})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> Response:
        # Location and message only: the offending input may be a name or an ID number.
        errors = [{"field": ".".join(str(part) for part in e.get("loc", ())), "problem": str(e.get("msg", ""))}
                  for e in exc.errors()]
        return problem_response(422, ProblemCode.VALIDATION_FAILED.value, "the request does not match the API",
                                errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: ProblemCode.NOT_FOUND, 405: ProblemCode.METHOD_NOT_ALLOWED}.get(
            exc.status_code, ProblemCode.VALIDATION_FAILED)
        return problem_response(exc.status_code, code.value, str(exc.detail),
                                headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(DBAPIError)
    async def _storage(_request: Request, exc: DBAPIError) -> Response:
        fault = storage_fault(exc)
        if fault is None:
            log_event(log, "internal_error", logging.ERROR, code=type(exc).__name__)
            return problem_response(500, ProblemCode.INTERNAL_ERROR.value, "the server failed; try again later")
        return storage_unavailable(fault, type(exc.orig or exc).__name__)

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> Response:
        log_event(log, "internal_error", logging.ERROR, code=type(exc).__name__)
        return problem_response(500, ProblemCode.INTERNAL_ERROR.value, "the server failed; try again later")


def storage_unavailable(fault: str, error: str) -> Response:
    """503 with Retry-After and one log line (the kind of fault and the driver's error class, nothing else)."""
    log_event(log, "storage_unavailable", logging.ERROR, reason=fault, code=error)
    return problem_response(503, ProblemCode.STORAGE_UNAVAILABLE.value,
                            f"the server's database is {fault.replace('_', '-')}; nothing was kept, retry later",
                            headers={"Retry-After": str(STORAGE_RETRY_AFTER_S)})


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route: each listed error status as problem+json."""
    return {status: {"description": TITLES.get(status, "Error"),
                     "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}}
            for status in statuses}
