"""`kiosk-backend backup` and `restore`: the database and the server's keys in one checksummed archive.

The keys belong in it: the personal data in the database is sealed with the server's data key, and the kiosks'
MAC keys and the catalog signing key are in `server.key`; a database restored without them is unreadable and
every kiosk would have to be enrolled again. So the archive is as secret as the key file: mode 0600, kept
offline (docs/deploy.md).

The rows are written table by table as JSON lines (bytes in base64, times in ISO 8601), with the Alembic
revision they belong to, so a backup of PostgreSQL restores into SQLite and back, and into a newer release (the
schema is brought to the backup's revision, the rows go in, then it is migrated to the newest).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Engine, LargeBinary, MetaData, Table, func, insert, select, text

from backend.contract.keys import SERVER_KEY_FILE
from backend.server import db
from backend.server.models import Base

FORMAT = 1
SKIPPED_TABLES = {"nonces"}  # replay protection of the last minutes: nothing to keep


class BackupError(Exception):
    pass


def _encode(table: Table, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        value = getattr(row, column.name)
        if value is None:
            out[column.name] = None
        elif isinstance(column.type, LargeBinary):
            out[column.name] = base64.b64encode(value).decode()
        elif isinstance(value, (datetime, date)):
            out[column.name] = value.isoformat()
        else:
            out[column.name] = value
    return out


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is not None and isinstance(column.type, LargeBinary):
            value = base64.b64decode(value)
        elif value is not None and isinstance(column.type, DateTime):
            value = db.as_utc(datetime.fromisoformat(value))
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        out[column.name] = value
    return out


def _revision(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _add(tar: tarfile.TarFile, name: str, data: bytes, sums: list[str]) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))
    sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}")


def backup(database_url: str, key_dir: Path, out: Path) -> dict[str, Any]:
    """Write the archive; returns its manifest."""
    key_files = sorted(p for p in key_dir.iterdir() if p.is_file() and not p.name.startswith(".")) \
        if key_dir.is_dir() else []
    if not any(p.name == SERVER_KEY_FILE for p in key_files):
        raise BackupError(f"no {SERVER_KEY_FILE} in {key_dir}: a backup without the server's keys cannot be read")
    engine = db.make_engine(database_url)
    try:
        manifest: dict[str, Any] = {"format": FORMAT, "created": db.now().isoformat(), "revision": _revision(engine),
                                    "dialect": engine.dialect.name, "tables": {},
                                    "keys": [p.name for p in key_files]}
        sums: list[str] = []
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            for path in key_files:
                _add(tar, f"keys/{path.name}", path.read_bytes(), sums)
            with engine.connect() as connection:  # one snapshot where the database gives one (PostgreSQL)
                for table in Base.metadata.sorted_tables:
                    if table.name in SKIPPED_TABLES:
                        continue
                    rows = [_encode(table, row) for row in connection.execute(select(table))]
                    manifest["tables"][table.name] = len(rows)
                    lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
                    _add(tar, f"tables/{table.name}.jsonl", lines.encode(), sums)
            _add(tar, "manifest.json", json.dumps(manifest, indent=2).encode(), sums)
            _add(tar, "SHA256SUMS", ("\n".join(sums) + "\n").encode(), [])
    finally:
        engine.dispose()
    return manifest


def _read(archive: Path) -> dict[str, bytes]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            files = {}
            for member in tar.getmembers():
                if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
                    raise BackupError(f"{archive.name}: unexpected entry {member.name!r}")
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[member.name] = extracted.read()
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"{archive.name} is not a kiosk-backend backup: {exc}") from None
    if "SHA256SUMS" not in files or "manifest.json" not in files:
        raise BackupError(f"{archive.name} is not a kiosk-backend backup")
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ", 1)
        if name not in files or hashlib.sha256(files[name]).hexdigest() != digest:
            raise BackupError(f"{archive.name}: {name} does not match its checksum (damaged)")
    return files


# Audit tables whose rows no one may change or delete, not even a restore (migration 0005's triggers).
APPEND_ONLY_TABLES = frozenset({"record_openings", "lookup_audit"})  # migrations 0005, 0012


def restore(archive: Path, database_url: str, key_dir: Path, force: bool = False) -> dict[str, Any]:
    """Restore into an empty database and a key folder without keys (or over them with `force`)."""
    files = _read(archive)
    manifest: dict[str, Any] = json.loads(files["manifest.json"])
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    if (key_dir / SERVER_KEY_FILE).exists() and not force:
        raise BackupError(f"{key_dir / SERVER_KEY_FILE} exists: restore into a fresh key folder, or --force")
    engine = db.make_engine(database_url)
    try:
        existing = MetaData()
        existing.reflect(engine)
        if "kiosks" in existing.tables and not force:
            with engine.connect() as connection:
                if connection.execute(select(func.count()).select_from(existing.tables["kiosks"])).scalar_one():
                    raise BackupError("the database holds kiosks already: restore into an empty one, or --force")
        _upgrade(engine, manifest["revision"])
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name in APPEND_ONLY_TABLES:  # its trigger refuses any DELETE, even of nothing
                    if connection.execute(select(func.count()).select_from(table)).scalar_one():
                        raise BackupError(f"{table.name} is append-only (an audit): restore into an empty database")
                    continue
                connection.execute(table.delete())
            for table in Base.metadata.sorted_tables:
                data = files.get(f"tables/{table.name}.jsonl", b"").decode()
                rows = [_decode(table, json.loads(line)) for line in data.splitlines() if line]
                if rows:
                    connection.execute(insert(table), rows)
            if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
                for table in Base.metadata.sorted_tables:
                    for column in table.primary_key.columns:
                        if column.autoincrement is True or (column.autoincrement == "auto"
                                                            and column.type.python_type is int
                                                            and len(table.primary_key.columns) == 1):
                            connection.execute(text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                                f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false) "
                                f"WHERE pg_get_serial_sequence('{table.name}', '{column.name}') IS NOT NULL"))
        db.upgrade(engine)
    finally:
        engine.dispose()
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_dir.chmod(0o700)
    for name in manifest["keys"]:
        path = key_dir / name
        partial = key_dir / f".{name}.restoring"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(files[f"keys/{name}"])
        os.replace(partial, path)
    return manifest


def _upgrade(engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
