"""`kiosk-backend`: run the reference server and do its operator chores.

    kiosk-backend serve [--host H] [--port P] [--database URL] [--workers N]
    kiosk-backend enroll KIOSK_ID [--out FILE]      register a kiosk and write its key file
    kiosk-backend revoke KIOSK_ID
    kiosk-backend staff-token NAME                  print a bearer token for the staff API (shown once)
    kiosk-backend migrate                           bring the database schema up to date
    kiosk-backend openapi [--out FILE]              write the OpenAPI document
    kiosk-backend kiosks [--json]                   the fleet: each kiosk's last heartbeat
    kiosk-backend report --month YYYY-MM --out F    the monthly 跨省通办 report (.xlsx or .csv)
    kiosk-backend backup --out FILE                 the database and the server's keys, checksummed (mode 0600)
    kiosk-backend restore FILE [--force]            into an empty database and key folder

With no options the server keeps an SQLite file and its keys under $KIOSK_BACKEND_HOME (default
~/.local/share/kiosk-backend), outside any repository. Bad input exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import ArgumentError, OperationalError

from backend.contract import crypto
from backend.contract.keys import KIOSK_CREDENTIAL_FILE
from backend.contract.protocol import KIOSK_ID_PATTERN
from backend.server.state import CHINA, ServerSettings, ServerState, build_state
from kiosk import __version__
from kiosk.core.catalog import Catalog
from kiosk.core.problems import ConfigError
from kiosk.storage.catalog import default_catalog_dir, load_catalog

ENV_SETTINGS = "KIOSK_BACKEND_SETTINGS"  # how `serve --workers N` hands its settings to the worker processes


def default_home() -> Path:
    if "KIOSK_BACKEND_HOME" in os.environ:
        return Path(os.environ["KIOSK_BACKEND_HOME"])
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "kiosk-backend"


def settings_from(args: argparse.Namespace) -> ServerSettings:
    home = Path(args.home) if args.home else default_home()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    url = args.database or os.environ.get("KIOSK_BACKEND_DATABASE") or f"sqlite:///{home / 'backend.sqlite3'}"
    return ServerSettings(database_url=url, key_dir=Path(args.key_dir) if args.key_dir else home / "keys",
                          profile=args.crypto_profile, division_code=args.division_code)


def load_server_catalog(directory: Path | None) -> Catalog | None:
    """The catalog to check items against and to publish; None (with a warning) when it does not validate."""
    try:
        return load_catalog(directory or default_catalog_dir())
    except ConfigError as exc:
        print(f"warning: the catalog is invalid ({len(exc.problems)} problems); serving without one "
              f"(items unchecked, GET /v1/catalog answers 503). `kiosk catalog check` lists them.", file=sys.stderr)
        return None


def _state(args: argparse.Namespace, with_catalog: bool = False) -> ServerState:
    catalog = load_server_catalog(Path(args.catalog) if args.catalog else None) if with_catalog else None
    return build_state(settings_from(args), catalog)


def app_from_env() -> object:
    """The app factory uvicorn's worker processes call (serve --workers N)."""
    from backend.server.app import create_app

    saved = json.loads(os.environ[ENV_SETTINGS])
    settings = ServerSettings(database_url=saved["database_url"], key_dir=Path(saved["key_dir"]),
                              profile=saved["profile"], division_code=saved["division_code"])
    catalog = load_server_catalog(Path(saved["catalog"]) if saved["catalog"] else None)
    return create_app(build_state(settings, catalog, migrate=False))


SHUTDOWN_GRACE_S = 10


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from backend.server.app import create_app
    from kiosk.logs import configure

    configure()
    if bool(args.tls_cert) != bool(args.tls_key):
        print("kiosk-backend serve: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    tls: dict[str, Any] = {"ssl_certfile": args.tls_cert, "ssl_keyfile": args.tls_key} if args.tls_cert else {}
    # A stop (systemd's SIGTERM) does not wait forever for kept-alive connections (TLS ones kept it waiting).
    tls["timeout_graceful_shutdown"] = SHUTDOWN_GRACE_S
    state = _state(args, with_catalog=True)
    print(f"kiosk-backend: {state.engine.dialect.name} database, {state.keys.profile} crypto, "
          f"{'https' if args.tls_cert else 'http'}://{args.host}:{args.port}/v1/docs", file=sys.stderr)
    if args.workers > 1:
        settings = state.settings
        os.environ[ENV_SETTINGS] = json.dumps({
            "database_url": settings.database_url, "key_dir": str(settings.key_dir), "profile": settings.profile,
            "division_code": settings.division_code, "catalog": args.catalog or ""})
        state.engine.dispose()
        state.nonce_engine.dispose()
        uvicorn.run("backend.server.cli:app_from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, access_log=not args.quiet, log_level="warning" if args.quiet else "info",
                    **tls)
        return 0
    uvicorn.run(create_app(state), host=args.host, port=args.port, access_log=not args.quiet,
                log_level="warning" if args.quiet else "info", **tls)
    return 0


def _kiosk_id(value: str) -> str:
    if not re.match(KIOSK_ID_PATTERN, value):
        raise argparse.ArgumentTypeError(f"{value!r} is no kiosk id (e.g. JL-220102-001: capitals, digits, -)")
    return value


def cmd_enroll(args: argparse.Namespace) -> int:
    from backend.server.admin import enroll

    state = _state(args)
    settings = state.settings
    out = Path(args.out) if args.out else settings.key_dir.parent / "kiosks" / f"{args.kiosk_id}.key"
    credential = enroll(state, args.kiosk_id)
    credential.save(out)
    print(f"enrolled {args.kiosk_id} ({credential.profile} crypto); key file {out} (mode 600)")
    print(f"copy it to the kiosk as <key_dir>/{KIOSK_CREDENTIAL_FILE}; enrolling again replaces the key")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from backend.server.admin import revoke

    if not revoke(_state(args), args.kiosk_id):
        print(f"no kiosk {args.kiosk_id} is enrolled", file=sys.stderr)
        return 2
    print(f"revoked {args.kiosk_id}: its requests are now refused")
    return 0


def cmd_staff_token(args: argparse.Namespace) -> int:
    from backend.server.admin import new_staff_token

    print(new_staff_token(_state(args), args.name))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from backend.server.backup import BackupError, backup

    settings = settings_from(args)
    try:
        manifest = backup(settings.database_url, settings.key_dir, Path(args.out))
    except BackupError as exc:
        print(f"kiosk-backend backup: {exc}", file=sys.stderr)
        return 2
    rows = sum(manifest["tables"].values())
    print(f"backup written: {args.out} ({rows} rows of {len(manifest['tables'])} tables, keys "
          f"{', '.join(manifest['keys'])}, schema {manifest['revision']}); it holds the server's keys: keep it "
          "offline, mode 0600")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from backend.server.backup import BackupError, restore

    settings = settings_from(args)
    try:
        manifest = restore(Path(args.archive), settings.database_url, settings.key_dir, force=args.force)
    except BackupError as exc:
        print(f"kiosk-backend restore: {exc}", file=sys.stderr)
        return 2
    print(f"restored the backup of {manifest['created']} ({sum(manifest['tables'].values())} rows) into "
          f"{settings.database_url.split('@')[-1]} and {settings.key_dir}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    state = _state(args)
    print(f"database schema up to date ({state.engine.dialect.name})")
    return 0


SILENT_AFTER_S = 300  # kiosks send a heartbeat every minute; five missed means it is off or cut off


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{int(seconds // 86400)} d"


def cmd_kiosks(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from backend.server.api_staff import kiosk_list

    fleet = kiosk_list(_state(args))
    if args.json:
        print(fleet.model_dump_json(indent=2))
        return 0
    now = datetime.now(UTC)
    attention = 0
    for kiosk in fleet.kiosks:
        beat = kiosk.heartbeat
        if kiosk.revoked:
            line, flagged = "revoked", False
        elif kiosk.last_seen_at is None or beat is None:
            line, flagged = "never seen", True
        else:
            age = (now - kiosk.last_seen_at).total_seconds()
            problems = [f"{d.component}: {d.reason}" for d in beat.devices if d.status not in ("ok", "unknown")]
            silent = age > SILENT_AFTER_S
            status = f"SILENT {_ago(age)}" if silent else beat.status
            release = beat.release
            if release and release.rolled_back_from:
                problems.append(f"rolled back from v{release.rolled_back_from} ({release.rollback_reason})")
            waiting = f" (v{release.pending} waiting)" if release and release.pending else ""
            line = (f"{status:<16} seen {_ago(age)} ago  outbox {beat.outbox_depth}  v{beat.version}{waiting}"
                    + (f"  {'; '.join(problems)}" if problems else ""))
            flagged = silent or bool(problems) or beat.status not in ("ready", "in_session")
        attention += flagged
        print(f"{'!' if flagged else ' '} {kiosk.kiosk_id:<16} {line}")
    print(f"{len(fleet.kiosks)} kiosk{'s' if len(fleet.kiosks) != 1 else ''}, {attention} need attention")
    from backend.server.slots import server_calendar

    warning = server_calendar().warning(now.astimezone(CHINA).date())
    if warning:
        print(f"! appointment calendar: {warning}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from backend.server.monthly import summary_line, write_monthly
    from backend.server.reports import usage_report
    from kiosk.core.report import ReportError, check_request

    out = Path(args.out)
    try:
        check_request(args.month, out)
    except ReportError as exc:
        print(f"kiosk-backend report: {exc}", file=sys.stderr)
        return 2
    catalog = load_server_catalog(Path(args.catalog) if args.catalog else None)
    if catalog is None:
        return 2
    usage = usage_report(_state(args), args.month)
    report, ignored = write_monthly(catalog, usage, out)
    if ignored:
        print(f"note: counts for items not in this catalog were left out: {', '.join(ignored)}", file=sys.stderr)
    print(f"monthly report {summary_line(usage)}; {len(report.usage)} items, {len(report.tasks)} tasks -> {out}")
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    text = openapi_text()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def openapi_text() -> str:
    """The OpenAPI document as committed in backend/openapi.json (independent of any database)."""
    import tempfile

    from backend.server.app import create_app

    with tempfile.TemporaryDirectory() as scratch:
        state = build_state(ServerSettings(f"sqlite:///{scratch}/openapi.sqlite3", Path(scratch) / "keys"), None)
        doc = create_app(state).openapi()
        state.engine.dispose()
        state.nonce_engine.dispose()
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-backend", description="reference backend of the 跨省通办 kiosk")
    parser.add_argument("--version", action="version", version=f"kiosk-backend {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help="folder for the default SQLite file and keys ($KIOSK_BACKEND_HOME)")
    common.add_argument("--database", help="database URL, e.g. postgresql://user:pw@host/db ($KIOSK_BACKEND_DATABASE)")
    common.add_argument("--key-dir", help="folder of the server's keys (default: HOME/keys)")
    common.add_argument("--crypto-profile", choices=crypto.PROFILES, default="national",
                        help="national (SM2/SM3/SM4) or international (Ed25519/HMAC-SHA-256/AES-256-GCM)")
    common.add_argument("--division-code", default="220000", type=_division,
                        help="GB/T 2260 code starting every application number")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", parents=[common], help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (PostgreSQL scales with them)")
    serve.add_argument("--catalog", help="catalog folder to publish (default: config/catalog)")
    serve.add_argument("--quiet", action="store_true", help="no access log")
    serve.add_argument("--tls-cert", help="PEM certificate (chain): serve HTTPS (deploy/systemd/kiosk-backend.service)")
    serve.add_argument("--tls-key", help="PEM private key of --tls-cert")
    serve.set_defaults(func=cmd_serve)

    enroll = sub.add_parser("enroll", parents=[common], help="register a kiosk and write its key file")
    enroll.add_argument("kiosk_id", type=_kiosk_id)
    enroll.add_argument("--out", help="where to write the key file (default: HOME/kiosks/KIOSK_ID.key)")
    enroll.set_defaults(func=cmd_enroll)

    revoke = sub.add_parser("revoke", parents=[common], help="refuse a kiosk's requests from now on")
    revoke.add_argument("kiosk_id", type=_kiosk_id)
    revoke.set_defaults(func=cmd_revoke)

    token = sub.add_parser("staff-token", parents=[common], help="print a new staff bearer token")
    token.add_argument("name")
    token.set_defaults(func=cmd_staff_token)

    sub.add_parser("migrate", parents=[common], help="upgrade the database schema").set_defaults(func=cmd_migrate)
    backup = sub.add_parser("backup", parents=[common], help="the database and the server's keys in one archive")
    backup.add_argument("--out", required=True, help="the archive to write (.tar.gz)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", parents=[common], help="restore a backup into an empty database")
    restore.add_argument("archive")
    restore.add_argument("--force", action="store_true", help="over existing keys and data")
    restore.set_defaults(func=cmd_restore)

    kiosks = sub.add_parser("kiosks", parents=[common], help="the fleet: each kiosk's last heartbeat")
    kiosks.add_argument("--json", action="store_true")
    kiosks.set_defaults(func=cmd_kiosks)

    report = sub.add_parser("report", parents=[common], help="the monthly 跨省通办 report from this database")
    report.add_argument("--month", required=True, help="YYYY-MM (a calendar month in Beijing time)")
    report.add_argument("--out", required=True, help="the report file: .xlsx or .csv")
    report.add_argument("--catalog", help="catalog folder (default: config/catalog)")
    report.set_defaults(func=cmd_report)

    openapi = sub.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--out", help="file (default: stdout)")
    openapi.set_defaults(func=cmd_openapi)
    return parser


def _division(value: str) -> str:
    if not re.fullmatch(r"\d{6}", value):
        raise argparse.ArgumentTypeError(f"{value!r} is no 6-digit division code")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except crypto.CryptoError as exc:
        print(f"kiosk-backend: {exc}", file=sys.stderr)
        return 2
    except (OperationalError, ArgumentError) as exc:  # no such database, wrong password, malformed URL
        print(f"kiosk-backend: cannot use the database: {str(exc).splitlines()[0][:200]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
