"""Reading TOML files, and parsed TOML kept as JSON, so the kiosk does not parse its catalog again at every start.

Parsing the catalog's TOML files is most of the time it takes to load it; JSON of the same data loads about
ten times faster. An entry is keyed by the SHA-256 of the file's bytes (reading the bytes is cheap, parsing
is not), so an edited file is always parsed again, whatever its timestamp says. The parsed data still goes
through the same validation as a fresh parse. A cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
import tomllib
from pathlib import Path
from typing import Any

from kiosk.core.problems import Problem


def read_toml(path: Path, shown_as: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse one TOML file; a missing or malformed file becomes a problem instead of an exception."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(shown_as, "(file)", "file not found", "找不到文件")]
    except OSError as exc:
        return None, [Problem(shown_as, "(file)", f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}")]
    if raw.startswith(b"\xef\xbb\xbf"):  # Notepad's "UTF-8" adds one; TOML refuses it
        return None, [Problem(shown_as, "(file)",
                              "the file starts with a byte-order mark (BOM): save it as UTF-8 without BOM",
                              "文件以BOM开头：请另存为不带BOM的UTF-8"
                              "（记事本：另存为，编码选“UTF-8”而不是“带有 BOM 的 UTF-8”）")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        hint = ""
        with contextlib.suppress(UnicodeDecodeError):
            raw.decode("gb18030")
            hint = " (it reads as GB18030/GBK, as Chinese Windows editors save it)"
        return None, [Problem(shown_as, "(file)", f"the file is not UTF-8{hint}: save it as UTF-8",
                              f"文件不是UTF-8编码{'（看来是GB18030/GBK，中文Windows编辑器常这样保存）' if hint else ''}"
                              "：请另存为UTF-8")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"（第 {at[1]} 行第 {at[2]} 列）" if at else ""
        return None, [Problem(shown_as, "(syntax)", str(exc), f"TOML 语法错误{where}：常见原因是文字缺少双引号、"
                              "引号不成对，或同一设置写了两次")]

FORMAT = 1
CATALOG_CACHE = "cache/catalog-toml.json"  # in the data folder


class ParsedTomlCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, Any] = {}
        self._used: set[str] = set()
        self._changed = False
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(saved, dict) and saved.get("format") == FORMAT and isinstance(saved.get("entries"), dict):
                self._entries = saved["entries"]
        except (OSError, ValueError):
            pass

    def read(self, path: Path, shown_as: str) -> tuple[dict[str, Any] | None, list[Problem]]:
        """Like problems.read_toml, from the cache when the file's bytes are the ones parsed before."""
        try:
            raw = path.read_bytes()
        except OSError:
            return read_toml(path, shown_as)  # the same problem a fresh parse reports
        digest = hashlib.sha256(raw).hexdigest()
        self._used.add(digest)
        hit = self._entries.get(digest)
        if isinstance(hit, dict):
            return hit, []
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return read_toml(path, shown_as)
        try:
            json.dumps(data)
        except (TypeError, ValueError):
            return data, []  # dates and times do not survive JSON: such a file is parsed each time
        self._entries[digest] = data
        self._changed = True
        return data, []

    def save(self) -> None:
        """Write the cache if it changed, keeping only the entries read in this run (old versions go)."""
        stale = set(self._entries) - self._used
        if not (self._changed or stale):
            return
        for digest in stale:
            del self._entries[digest]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # a name of its own: the kiosk and its local backend may write at the same moment
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
            temporary.write_text(json.dumps({"format": FORMAT, "entries": self._entries}, ensure_ascii=False),
                                 encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()
