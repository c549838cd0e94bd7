"""Structured logging with an allow-list: only named, non-personal fields ever reach a log line.

Log calls pass fields as keyword arguments through `log_event`; any field not in ALLOWED_FIELDS is written
as '<redacted>', and free-text messages are limited to the event name. Identity data therefore cannot
reach a log by accident, and a test runs whole sessions to prove it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

ALLOWED_FIELDS = frozenset({
    "event", "command", "phase", "lifecycle", "item_id", "reason", "code", "kiosk_id", "job_id", "kind",
    "component", "status", "action", "language", "count", "duration_ms", "attempt", "driver", "port_kind",
    "session", "outbox_depth", "http_status", "version", "profile", "elder_mode", "detail_code", "previous",
})
REDACTED = "<redacted>"


def local_time(created: float) -> str:
    """The machine's local time with its offset (+08:00 on a kiosk), as slips and the audit show times."""
    return datetime.fromtimestamp(created).astimezone().isoformat(timespec="milliseconds")


# journald reads a "<N>" in front of a line on a service's stdout or stderr as its syslog priority, so
# `journalctl -p warning` on a kiosk shows the warnings and errors and not every info line.
JOURNAL_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}


def journal_priority(level: int) -> int:
    return next((p for lvl, p in sorted(JOURNAL_PRIORITY.items(), reverse=True) if level >= lvl), 7)


class JsonLineFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, event and the allow-listed fields; with `journal`, the
    line starts with its journald priority."""

    def __init__(self, journal: bool = False) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        text = self._json(record)
        return f"<{journal_priority(record.levelno)}>{text}" if self.journal else text

    def _json(self, record: logging.LogRecord) -> str:
        fields: Mapping[str, Any] = getattr(record, "kiosk_fields", {})
        line = {"t": local_time(record.created), "level": record.levelname,
                "logger": record.name, "event": getattr(record, "kiosk_event", "message")}
        line.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__  # the type only: messages may hold data
        return json.dumps(line, ensure_ascii=False, default=str)


def redact(fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in ALLOWED_FIELDS:
            out[key] = REDACTED
        elif isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value if not isinstance(value, str) else value[:80]
        else:
            out[key] = REDACTED
    return out


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    logger.log(level, event, extra={"kiosk_event": event, "kiosk_fields": redact(fields)})


def under_journald() -> bool:
    """systemd sets JOURNAL_STREAM when a service's stdout or stderr is connected to the journal."""
    return bool(os.environ.get("JOURNAL_STREAM"))


def configure(level: int = logging.INFO, stream: Any = None, journal: bool | None = None) -> logging.Handler:
    """Send the kiosk's loggers to `stream` as JSON lines (with journald priorities under systemd). Returns the
    handler so tests can remove it."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter(journal=under_journald() if journal is None else journal))
    root = logging.getLogger("kiosk")
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False  # Kivy's handler on the root logger would write each event a second time
    return handler


LOG_FILE = "kiosk.jsonl"


def add_file_log(folder: Path, max_bytes: int = 5 * 1024 * 1024, keep: int = 4,
                 level: int = logging.INFO) -> logging.Handler:
    """Also keep the JSON lines in `folder` (rotated), so maintenance can export them without the journal."""
    from logging.handlers import RotatingFileHandler

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=max_bytes, backupCount=keep, encoding="utf-8")
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger("kiosk")
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return handler
