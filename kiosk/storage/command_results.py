"""The results of staff's console commands, kept until the backend has them. A result is written before the
kiosk acts on a restart, so the restarted kiosk reports it rather than restarting again when the command
comes back; and an id already here is never done twice."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from kiosk.core.fleet_commands import CommandResult

RESULTS_FILE = "fleet-commands.json"
KEEP = 50  # ids remembered: far more than staff queue between two heartbeats


class CommandResults:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._results: dict[int, tuple[CommandResult, bool]] = self._load()  # id -> (result, reported)

    @classmethod
    def in_dir(cls, data_dir: Path) -> CommandResults:
        return cls(data_dir / RESULTS_FILE)

    def _load(self) -> dict[int, tuple[CommandResult, bool]]:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            return {int(r["id"]): (CommandResult(int(r["id"]), str(r["outcome"]), str(r["code"]), str(r["detail"]),
                                                 datetime.fromisoformat(r["at"])), bool(r["reported"]))
                    for r in saved}
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # none yet, or unreadable: at worst a command is done again

    def _save(self) -> None:
        kept = sorted(self._results.items())[-KEEP:]
        self._results = dict(kept)
        rows = [{"id": r.id, "outcome": r.outcome, "code": r.code, "detail": r.detail, "at": r.at.isoformat(),
                 "reported": reported} for r, reported in self._results.values()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            with temporary.open("w", encoding="utf-8") as handle:
                json.dump(rows, handle)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self.path)
        except OSError:
            pass  # kept in memory: reported by this run still

    def knows(self, command_id: int) -> bool:
        with self._lock:
            return command_id in self._results

    def add(self, result: CommandResult) -> None:
        with self._lock:
            self._results[result.id] = (result, False)
            self._save()

    def unreported(self) -> list[CommandResult]:
        with self._lock:
            return [r for r, reported in self._results.values() if not reported]

    def reported(self, ids: Sequence[int]) -> None:
        with self._lock:
            for command_id in ids:
                if command_id in self._results:
                    self._results[command_id] = (self._results[command_id][0], True)
            self._save()
