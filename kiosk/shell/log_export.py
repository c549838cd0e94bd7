"""Export the kiosk's logs to a staff USB stick, redacted once more on the way out.

Log lines are allow-listed when written (kiosk.logs), but other programs write into the same journal
(Kivy, SDL, pcscd, a driver library's own messages). So every exported line is redacted again: JSON lines
keep only allow-listed fields, and anything shaped like an ID number, a phone number or a long number
is replaced, whatever the line is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.logs import ALLOWED_FIELDS, LOG_FILE, REDACTED

JOURNAL_COMMAND = ("journalctl", "--unit=kiosk.service", "--since=-14d", "--output=cat", "--no-pager", "--quiet")
# Always kept in JSON lines: the formatter's own keys.
FRAME_FIELDS = frozenset({"t", "level", "logger", "event", "exception", "actor", "action"})
PATTERNS = (
    re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])"),
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mainland mobile numbers
    re.compile(r"(?<!\d)\d{12,}(?!\d)"),  # any other long number: certificate, account, card numbers
    # a name right before card data ("张三 男", "张三，身份证")
    re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]{2,4}(?=[,， ]*(?:男|女|身份证|公民身份号码))"),
)


class ExportError(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code  # no_usb, write_failed
        self.detail = detail


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: tuple[str, ...]
    lines: int
    redactions: int


def scrub(text: str) -> tuple[str, int]:
    count = 0
    for pattern in PATTERNS:
        text, n = pattern.subn(REDACTED, text)
        count += n
    return text, count


def redact_line(line: str, also_kept: frozenset[str] = frozenset()) -> tuple[str, int]:
    """The line as it may leave the kiosk, and how many things were taken out of it. `also_kept`: fields this
    file holds that are known not to be personal (the audit's results and counts), kept besides the allow-list."""
    line = line.rstrip("\n")
    try:
        data = json.loads(line)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return scrub(line)
    count = 0
    kept: dict[str, object] = {}
    for key, value in data.items():
        if key not in ALLOWED_FIELDS and key not in FRAME_FIELDS and key not in also_kept:
            kept[key] = REDACTED
            count += 1
        elif isinstance(value, str):
            kept[key], n = scrub(value)
            count += n
        elif isinstance(value, (int, float, bool)) or value is None:
            kept[key] = value
        else:
            kept[key] = REDACTED
            count += 1
    return json.dumps(kept, ensure_ascii=False), count


def file_lines(paths: Sequence[Path]) -> Iterator[str]:
    for path in paths:
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                yield from handle
        except OSError:
            continue


def local_log_files(folder: Path) -> list[Path]:
    """The rotated JSON-lines files, oldest first."""
    found = [p for p in folder.glob(f"{LOG_FILE}*") if p.is_file()]
    return sorted(found, key=lambda p: (-int(p.suffix[1:]) if p.suffix[1:].isdigit() else 0))


def journal_lines(command: Sequence[str] = JOURNAL_COMMAND) -> Iterator[str]:
    """The unit's journal; nothing (and one note line) where there is no journal to read."""
    try:
        proc = subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        yield f"(journal not available: {type(exc).__name__})"
        return
    if proc.returncode != 0:
        yield f"(journal not available: journalctl exited {proc.returncode})"
        return
    yield from proc.stdout.splitlines()


def export_logs(target_root: Path, kiosk_id: str, now: datetime, sources: Sequence[tuple[str, Iterable[str]]],
                kept: Mapping[str, frozenset[str]] | None = None) -> ExportResult:
    """Write each source, redacted, into a new folder on the stick; sync so the stick can be pulled out.
    `kept`: by file name, the fields of that file known not to be personal (see redact_line)."""
    if not target_root.is_dir() or not os.access(target_root, os.W_OK):
        raise ExportError("no_usb", f"{target_root} is not a writable folder (is the USB stick in?)")
    folder = target_root / f"kiosk-logs-{kiosk_id}-{now:%Y%m%d-%H%M%S}"
    lines = redactions = 0
    files = []
    try:
        folder.mkdir()
        for name, source in sources:
            with (folder / name).open("w", encoding="utf-8") as out:
                for line in source:
                    clean, n = redact_line(line, (kept or {}).get(name, frozenset()))
                    out.write(clean + "\n")
                    lines += 1
                    redactions += n
            files.append(name)
        (folder / "README.txt").write_text(
            f"kiosk {kiosk_id}, exported {now:%Y-%m-%d %H:%M:%S}\n{lines} lines, {redactions} values redacted.\n"
            "Personal data is never logged; anything shaped like an ID or phone number was replaced anyway.\n",
            encoding="utf-8")
        os.sync()
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ExportError("write_failed", f"{type(exc).__name__}: {exc.strerror}") from None
    return ExportResult(folder, tuple(files), lines, redactions)
