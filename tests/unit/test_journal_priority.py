"""Log lines carry their journald priority under systemd, so `journalctl -p warning` shows what matters."""

from __future__ import annotations

import io
import logging

import pytest

from kiosk.logs import configure, log_event


def lines_logged(journal: bool | None) -> list[str]:
    stream = io.StringIO()
    handler = configure(stream=stream, journal=journal)
    try:
        logger = logging.getLogger("kiosk.test_journal")
        log_event(logger, "printer_lost", logging.ERROR, component="printer")
        log_event(logger, "backend_slow", logging.WARNING)
        log_event(logger, "session_started", logging.INFO)
    finally:
        logging.getLogger("kiosk").removeHandler(handler)
    return stream.getvalue().splitlines()


def test_errors_are_errors_in_the_journal() -> None:
    error, warning, info = lines_logged(journal=True)
    assert error.startswith('<3>{"t":') and '"event": "printer_lost"' in error
    assert warning.startswith("<4>{") and info.startswith("<6>{")


def test_only_under_systemd_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    assert all(line.startswith("{") for line in lines_logged(journal=None))
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    assert [line[:3] for line in lines_logged(journal=None)] == ["<3>", "<4>", "<6>"]
