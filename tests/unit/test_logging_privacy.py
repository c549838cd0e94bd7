"""A whole simulated session, logged at DEBUG: no ID number, name, address or phone in any log output."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from devices.readers.test_identities import TEST_IDENTITIES
from kiosk import logs
from kiosk.composition.demo import run_walkthrough
from kiosk.composition.root import Kiosk

ZHANG = TEST_IDENTITIES["resident-zhang"]
SECRETS = [ZHANG.id_number, ZHANG.name, ZHANG.address, "13912345678", ZHANG.id_number[-6:]]


def test_redact_keeps_only_allowed_fields() -> None:
    assert logs.redact({"item_id": "x", "name": "张三", "reason": ZHANG}) == {
        "item_id": "x", "name": logs.REDACTED, "reason": logs.REDACTED}


def test_a_whole_session_logs_nothing_personal(headless_kiosk: Kiosk, caplog: pytest.LogCaptureFixture,
                                               tmp_path: Path) -> None:
    stream = io.StringIO()
    handler = logs.configure(logging.DEBUG, stream)
    caplog.set_level(logging.DEBUG)
    try:
        slips = run_walkthrough(headless_kiosk, lambda line: logging.getLogger("kiosk.demo").info(line))
    finally:
        logging.getLogger("kiosk").removeHandler(handler)
    output = stream.getvalue() + "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert '"event": "submitted"' in stream.getvalue()  # the log is really written
    assert slips, "the walkthrough printed a receipt"
    for secret in SECRETS:
        assert secret not in output
