"""Kiosk authentication: tampered body, bad signature, replayed nonce, stale timestamp, unknown or revoked kiosk."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
import requests

from backend.contract import crypto
from backend.contract import protocol as p
from backend.contract.keys import KioskCredential
from backend.server.admin import enroll, revoke
from kiosk.core.catalog import Catalog
from tests.backend.conftest import Served, serve

PATH = "/v1/progress-queries"
BODY = json.dumps({"id_number": "220102198001010011"}).encode()


def signed(credential: KioskCredential, body: bytes = BODY, path: str = PATH, now: float | None = None,
           method: str = "POST") -> dict[str, str]:
    headers = p.sign_headers(credential.profile, credential.kiosk_id, credential.mac_key, method, path, body,
                             time.time() if now is None else now)
    return {**headers, "Content-Type": "application/json"}


def post(served: Served, headers: dict[str, str], body: bytes = BODY, path: str = PATH) -> requests.Response:
    return requests.post(served.url + path, data=body, headers=headers, timeout=5)


def assert_refused(answer: requests.Response, code: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == p.PROBLEM_MEDIA_TYPE
    assert answer.json()["code"] == code


def test_a_correctly_signed_request_passes(served: Served) -> None:
    answer = post(served, signed(served.credential))
    assert answer.status_code == 200 and answer.json() == {"records": []}


def test_tampered_body_is_refused(served: Served) -> None:
    headers = signed(served.credential)
    assert_refused(post(served, headers, BODY.replace(b"0011", b"0022")), "auth_bad_signature")


def test_tampered_path_or_query_is_refused(served: Served) -> None:
    headers = signed(served.credential, b"", "/v1/appointment-slots?item_id=marriage-registration", method="GET")
    answer = requests.get(served.url + "/v1/appointment-slots?item_id=divorce-registration", headers=headers,
                          timeout=5)
    assert_refused(answer, "auth_bad_signature")


def test_bad_signature_is_refused(served: Served) -> None:
    headers = signed(served.credential)
    headers[p.HEADER_SIGNATURE] = "00" * 32
    assert_refused(post(served, headers), "auth_bad_signature")
    headers[p.HEADER_SIGNATURE] = "not hex"
    assert_refused(post(served, headers), "auth_bad_signature")


def test_another_kiosks_key_is_refused(served: Served) -> None:
    other = enroll(served.state, "JL-TEST-002")
    impostor = KioskCredential(served.credential.kiosk_id, other.profile, other.mac_key)
    assert_refused(post(served, signed(impostor)), "auth_bad_signature")


def test_replayed_nonce_is_refused(served: Served) -> None:
    headers = signed(served.credential)
    assert post(served, headers).status_code == 200
    assert_refused(post(served, headers), "auth_replayed_nonce")


def test_stale_and_future_timestamps_are_refused(served: Served) -> None:
    for skew in (-301, 301, -3600):
        assert_refused(post(served, signed(served.credential, now=time.time() + skew)), "auth_stale_timestamp")
    headers = signed(served.credential)
    headers[p.HEADER_TIMESTAMP] = "yesterday"
    assert_refused(post(served, headers), "auth_stale_timestamp")


def test_unknown_and_revoked_kiosks_are_refused(served: Served) -> None:
    stranger = KioskCredential("JL-NOBODY-9", "national", crypto.new_mac_key())
    assert_refused(post(served, signed(stranger)), "auth_unknown_kiosk")
    revoke(served.state, served.credential.kiosk_id)
    assert_refused(post(served, signed(served.credential)), "auth_unknown_kiosk")
    fresh = enroll(served.state, served.credential.kiosk_id)  # enrolled again: a new key, the old one stays dead
    assert post(served, signed(fresh)).status_code == 200
    assert_refused(post(served, signed(served.credential)), "auth_bad_signature")


def test_missing_headers_are_refused_before_the_body_is_looked_at(served: Served) -> None:
    headers = signed(served.credential)
    for name in (p.HEADER_KIOSK, p.HEADER_TIMESTAMP, p.HEADER_NONCE, p.HEADER_SIGNATURE):
        assert_refused(post(served, {k: v for k, v in headers.items() if k != name}, b"{not json"), "auth_missing")
    headers[p.HEADER_NONCE] = "short"
    assert_refused(post(served, headers), "auth_missing")


def test_rejections_are_logged_with_their_code_and_nothing_else(served: Served,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="kiosk.backend.auth")
    headers = signed(served.credential)
    post(served, headers, BODY.replace(b"0011", b"0022"))
    post(served, headers)
    post(served, headers)
    codes = [getattr(r, "kiosk_fields", {}).get("code") for r in caplog.records if r.name == "kiosk.backend.auth"]
    assert codes == ["auth_bad_signature", "auth_replayed_nonce"]
    assert "220102198001010011" not in caplog.text


def test_the_international_profile_signs_with_hmac_sha256(tmp_path: Path, test_catalog: Catalog) -> None:
    server = serve(f"sqlite:///{tmp_path / 'intl.sqlite3'}", tmp_path / "keys", test_catalog, "international")
    try:
        credential = enroll(server.state, "JL-INTL-001")
        assert credential.profile == "international" and len(credential.server_public_key) == 32
        answer = requests.post(server.url + PATH, data=BODY, headers=signed(credential), timeout=5)
        assert answer.status_code == 200
        national = KioskCredential(credential.kiosk_id, "national", credential.mac_key)
        answer = requests.post(server.url + PATH, data=BODY, headers=signed(national), timeout=5)
        assert answer.json()["code"] == "auth_bad_signature"
        assert server.state.bundle is not None and server.state.bundle.algorithm == "Ed25519"
    finally:
        server.stop()
