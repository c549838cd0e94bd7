"""Property-based tests of the server against its own OpenAPI document: no 5xx, and every response (status,
content type, headers, body) matches what the document says. Requests are signed like a kiosk's; staff
routes carry a staff token."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from backend.contract import protocol as p
from backend.contract.keys import KioskCredential
from backend.server.admin import enroll, new_staff_token
from tests.backend.conftest import make_catalog, serve

EXAMPLES = 30  # per operation; schemathesis adds its own boundary and negative cases
# Not checked: that every schema-valid request is accepted. Some rules depend on data, not on the schema
# (the item must be in the catalog and be an apply item, a marriage needs two parties, a rejection needs a
# reason); the server answers those 422 with a documented problem code, which this check would flag.


class SignedAuth(requests.auth.AuthBase):
    """Signs each prepared request exactly as the kiosk does (or adds the staff token on staff routes)."""

    def __init__(self, credential: KioskCredential, staff_token: str) -> None:
        self.credential = credential
        self.staff_token = staff_token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        path = request.path_url
        if path.startswith("/v1/staff/"):
            request.headers["Authorization"] = f"Bearer {self.staff_token}"
            return request
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        request.headers.update(p.sign_headers(self.credential.profile, self.credential.kiosk_id,
                                              self.credential.mac_key, request.method or "GET", path, body,
                                              time.time(), request.headers.get(p.HEADER_IDEMPOTENCY, "")))
        return request


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SignedAuth]]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    server = serve(f"sqlite:///{folder / 'server.sqlite3'}", folder / "keys", make_catalog())
    auth = SignedAuth(enroll(server.state, "JL-TEST-001"), new_staff_token(server.state, "fuzz"))
    yield server.url, auth
    server.stop()


def test_the_server_keeps_its_contract(live: tuple[str, SignedAuth]) -> None:
    url, auth = live
    schema = schemathesis.openapi.from_url(f"{url}/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def keeps_contract(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=url, auth=auth, excluded_checks=[positive_data_acceptance])

        keeps_contract()
