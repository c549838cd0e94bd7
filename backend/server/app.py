"""The FastAPI application and its OpenAPI document (served at /v1/openapi.json, kept in backend/openapi.json)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from backend.contract import protocol as p
from backend.contract import schemas as s
from backend.server import api_kiosk, api_staff, errors
from backend.server.auth import STAFF_LOG_IN, STAFF_PREFIX, AuthMiddleware
from backend.server.console import routes as console_routes
from backend.server.state import ServerState

API_VERSION = "1.0.0"
DESCRIPTION = """\
The contract between the 跨省通办 self-service kiosk and its backend. The province's platform is the real
counterpart in production; this project's reference server implements it for pilots, the demo and tests.

**Kiosk authentication.** Every kiosk request carries `X-Kiosk-Id`, `X-Kiosk-Timestamp` (Unix seconds,
within 300 s of the server's clock), `X-Kiosk-Nonce` (16-64 characters `[A-Za-z0-9_-]`, never reused) and
`X-Kiosk-Signature`: lowercase hex HMAC-SM3 (national profile) or HMAC-SHA-256 (international profile),
keyed with the kiosk's enrolled key, over the UTF-8 lines

    KIOSK-SIG-V2 / METHOD / path?query / timestamp / nonce / kiosk id / hex digest (SM3 or SHA-256) of the body
    / Idempotency-Key (empty when the request has none)

joined with `\\n`. Anything else is answered 401 with a problem code. A revoked kiosk is refused from its
next request on.

**Staff authentication.** `Authorization: Bearer <token>` from `POST /v1/staff/sessions` (name and password
of an account made with `kiosk-backend staff add`) or `kiosk-backend staff token NAME`. Tokens expire; roles
are viewer, clerk and administrator; every opening of an applicant's record is recorded.

**Errors.** Every error is `application/problem+json` (RFC 9457) with a stable `code`.

**Idempotency.** Writes a kiosk may retry take an `Idempotency-Key` header; a replay with the same key and
body returns the first response (with `Idempotent-Replayed: true`) and creates nothing; the same key with
another body is 409 `idempotency_conflict`.
"""

KIOSK_SECURITY: dict[str, list[str]] = {"kioskId": [], "kioskTimestamp": [], "kioskNonce": [], "kioskSignature": []}
SECURITY_SCHEMES = {
    "kioskId": {"type": "apiKey", "in": "header", "name": p.HEADER_KIOSK},
    "kioskTimestamp": {"type": "apiKey", "in": "header", "name": p.HEADER_TIMESTAMP},
    "kioskNonce": {"type": "apiKey", "in": "header", "name": p.HEADER_NONCE},
    "kioskSignature": {"type": "apiKey", "in": "header", "name": p.HEADER_SIGNATURE},
    "staffToken": {"type": "http", "scheme": "bearer"},
}


def create_app(state: ServerState) -> FastAPI:
    app = FastAPI(title="跨省通办 kiosk backend", version=API_VERSION, description=DESCRIPTION,
                  openapi_url=f"{p.API_PREFIX}/openapi.json", docs_url=f"{p.API_PREFIX}/docs", redoc_url=None)
    app.state.server = state
    errors.install(app)
    app.include_router(api_kiosk.router)
    app.include_router(api_staff.router)
    console_routes.install(app)

    @app.get(f"{p.API_PREFIX}/health", response_model=s.Health, tags=["public"], summary="Liveness and database")
    def health() -> s.Health:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return s.Health(status="ok", version=API_VERSION, database=state.engine.dialect.name)

    app.add_middleware(AuthMiddleware, state=state)
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app


def openapi_document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = doc.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    schemas = components.setdefault("schemas", {})
    schemas["ProblemDetail"] = s.ProblemDetail.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    problem = {p.PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}}
    for path, operations in doc.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:  # FastAPI's own validation response: ours is problem+json
                responses["422"] = {"description": errors.TITLES[422], "content": problem}
            if path == f"{p.API_PREFIX}/health":
                operation["security"] = []
                continue
            if path == STAFF_LOG_IN:
                operation["security"] = []
            elif path.startswith(STAFF_PREFIX):
                operation["security"] = [{"staffToken": []}]
                responses.setdefault("403", {"description": errors.TITLES[403], "content": problem})
            else:
                operation["security"] = [KIOSK_SECURITY]
            responses.setdefault("401", {"description": errors.TITLES[401], "content": problem})
            responses.setdefault("500", {"description": errors.TITLES[500], "content": problem})
            responses.setdefault("503", {"description": "The database is unavailable, full or read-only; retry "
                                                        "after Retry-After seconds", "content": problem})
    app.openapi_schema = doc
    return doc
