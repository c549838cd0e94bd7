"""The committed contract is the server's: backend/openapi.json equals what the app serves, and the Alembic
migrations create exactly the tables the models describe."""

from __future__ import annotations

import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend.server import db
from backend.server.cli import openapi_text
from backend.server.models import Base

COMMITTED = Path(__file__).resolve().parent.parent.parent / "backend" / "openapi.json"


def test_the_committed_openapi_document_is_the_servers() -> None:
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == json.loads(openapi_text()), (
        "the API changed: run `kiosk-backend openapi --out backend/openapi.json` and commit it")


def test_the_contract_is_versioned_and_documents_problems() -> None:
    doc = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.")
    assert all(path.startswith("/v1/") for path in doc["paths"])
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (path, method, status)
            if path == "/v1/staff/sessions":  # the log-in: no token yet, a wrong password is 401
                assert "401" in operation["responses"] and operation["security"] == [], (path, method)
            elif path != "/v1/health":
                assert "401" in operation["responses"] and operation["security"], (path, method)


def test_migrations_match_the_models(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       Base.metadata)
    engine.dispose()
    assert differences == []
