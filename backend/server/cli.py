"""`kiosk-backend`: run the reference server and do its operator chores.

    kiosk-backend serve [--host H] [--port P] [--database URL] [--workers N]
    kiosk-backend enroll KIOSK_ID [--out FILE]      register a kiosk and write its key file
    kiosk-backend revoke KIOSK_ID
    kiosk-backend staff add NAME --role R           a staff account (viewer, clerk, administrator), password asked
    kiosk-backend staff list | revoke NAME          accounts and live tokens; end an account and its tokens
    kiosk-backend staff token NAME [--hours H]      print a token for an account (shown once, expires; staff-token)
    kiosk-backend migrate                           bring the database schema up to date
    kiosk-backend openapi [--out FILE]              write the OpenAPI document
    kiosk-backend kiosks [--json]                   the fleet: each kiosk's last heartbeat
    kiosk-backend report --month YYYY-MM --out F    the monthly 跨省通办 汇总表 (.xlsx, .html print view, .csv)
    kiosk-backend report entries set --month M --task N --as NAME [--window N --online N --progress T ...]
    kiosk-backend report period set --month M --start D --end D --as NAME   (administrator)
    kiosk-backend report site KIOSK_ID --site NAME [--test | --production]
    kiosk-backend alerts [--json]                   kiosks that broke the look-up limits, quarantines
    kiosk-backend release KIOSK_ID                  lift a kiosk's quarantine
    kiosk-backend backup --out FILE                 the database and the server's keys, checksummed (mode 0600)
    kiosk-backend restore FILE [--force]            into an empty database and key folder

With no options the server keeps an SQLite file and its keys under $KIOSK_BACKEND_HOME (default
~/.local/share/kiosk-backend), outside any repository. Bad input exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
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
from backend.server.rate_limits import (
    CARD_READS_PER_KIOSK,
    CODE_GUESSES_PER_NUMBER,
    LOOKUPS_PER_PERSON,
    REFUSALS_BEFORE_QUARANTINE,
    LimitPolicy,
)
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
                          profile=args.crypto_profile, division_code=args.division_code, limits=limit_policy(args),
                          silent_after_s=60 * (getattr(args, "silent_after_min", None) or SILENT_AFTER_S // 60),
                          help_webhook_url=getattr(args, "help_webhook", None) or "",
                          catalog_dir=Path(args.catalog) if getattr(args, "catalog", None) else None)


def limit_policy(args: argparse.Namespace) -> LimitPolicy:
    serving = getattr(args, "limit_per_kiosk", None) is not None
    if not serving:
        return LimitPolicy()
    return LimitPolicy(per_kiosk=args.limit_per_kiosk, per_person=args.limit_per_person,
                       per_number=args.limit_per_number, quarantine_after=args.quarantine_after or None)


def _limits(value: str) -> str:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is no limit like 10/minute;120/hour") from None
    return value


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
    """The app factory uvicorn's worker processes call (serve --workers N). A worker is a fresh process: its log
    lines are JSON with their fields only once it configures logging itself, as `serve` did in the parent."""
    from backend.server.app import create_app
    from kiosk.logs import configure

    configure()

    saved = json.loads(os.environ[ENV_SETTINGS])
    settings = ServerSettings(database_url=saved["database_url"], key_dir=Path(saved["key_dir"]),
                              profile=saved["profile"], division_code=saved["division_code"],
                              limits=LimitPolicy(**saved["limits"]), silent_after_s=saved["silent_after_s"],
                              help_webhook_url=saved["help_webhook_url"],
                              catalog_dir=Path(saved["catalog"]) if saved["catalog"] else None)
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
    # TLS, connection limits, and a stop (systemd's SIGTERM) that does not wait forever for kept-alive connections
    options = connection_limits(args) | {"timeout_graceful_shutdown": SHUTDOWN_GRACE_S}
    state = _state(args, with_catalog=True)
    scheme = "https" if args.tls_cert else "http"
    print(f"kiosk-backend: {state.engine.dialect.name} database, {state.keys.profile} crypto, "
          f"{scheme}://{args.host}:{args.port}/v1/docs", file=sys.stderr)
    if args.workers > 1:
        settings = state.settings
        os.environ[ENV_SETTINGS] = json.dumps({
            "database_url": settings.database_url, "key_dir": str(settings.key_dir), "profile": settings.profile,
            "division_code": settings.division_code, "catalog": args.catalog or "",
            "limits": dataclasses.asdict(settings.limits), "silent_after_s": settings.silent_after_s,
            "help_webhook_url": settings.help_webhook_url})
        state.engine.dispose()
        state.nonce_engine.dispose()
        uvicorn.run("backend.server.cli:app_from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, access_log=not args.quiet, log_level="warning" if args.quiet else "info",
                    **options)
        return 0
    uvicorn.run(create_app(state), host=args.host, port=args.port, access_log=not args.quiet,
                log_level="warning" if args.quiet else "info", **options)
    return 0


def connection_limits(args: argparse.Namespace) -> dict[str, Any]:
    """TLS when certificate paths are given, and what bounds a connection that never finishes: connections
    per worker beyond the cap are answered 503 at once, idle keep-alive ones closed after a few seconds, and
    headers that do not come whole within HEADER_TIMEOUT_S closed (backend/server/slow_clients.py)."""
    from backend.server.slow_clients import HeaderTimedH11Protocol

    options: dict[str, Any] = {"limit_concurrency": args.limit_concurrency, "timeout_keep_alive": 5,
                               "h11_max_incomplete_event_size": 16 * 1024, "http": HeaderTimedH11Protocol}
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            raise ValueError("--tls-cert and --tls-key go together")
        options |= {"ssl_certfile": args.tls_cert, "ssl_keyfile": args.tls_key}
    return options


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
    from backend.server.staff import StaffError, issue_token

    try:
        token, expires = issue_token(_state(args), args.name, args.hours)
    except StaffError as exc:
        print(f"kiosk-backend: {exc}", file=sys.stderr)
        return 2
    print(token)
    print(f"for {args.name}, valid until {expires:%Y-%m-%d %H:%M}Z; shown once", file=sys.stderr)
    return 0


def _password(args: argparse.Namespace) -> str | None:
    if args.no_password:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the passwords differ")
    return first


def cmd_staff(args: argparse.Namespace) -> int:
    from backend.server.staff import StaffError, accounts, add_account, revoke_account

    try:
        if args.staff_command == "add":
            add_account(_state(args), args.name, args.role, _password(args))
            print(f"added {args.name} ({args.role})")
        elif args.staff_command == "list":
            for a in accounts(_state(args)):
                state = "REVOKED" if a.revoked else f"{a.active_tokens} live token{'s' if a.active_tokens != 1 else ''}"
                print(f"{a.name:<20} {a.role:<14} since {a.created_at:%Y-%m-%d}  {state}")
        elif args.staff_command == "revoke":
            ended = revoke_account(_state(args), args.name)
            print(f"revoked {args.name}; {ended} token{'s' if ended != 1 else ''} ended")
        else:
            return cmd_staff_token(args)
    except (StaffError, ValueError) as exc:
        print(f"kiosk-backend: {exc}", file=sys.stderr)
        return 2
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


def cmd_kiosks(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from backend.server.api_staff import kiosk_list
    from backend.server.fleet import AGO_EN, ago

    state = _state(args)
    fleet = kiosk_list(state)
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
            silent = age > state.settings.silent_after_s
            status = f"SILENT {ago(age, AGO_EN)}" if silent else beat.status
            release = beat.release
            if release and release.rolled_back_from:
                problems.append(f"rolled back from v{release.rolled_back_from} ({release.rollback_reason})")
            if beat.catalog_refused is not None:
                problems.append(f"refused catalog version {beat.catalog_refused}")
            waiting = f" (v{release.pending} waiting)" if release and release.pending else ""
            line = (f"{status:<16} seen {ago(age, AGO_EN)} ago  outbox {beat.outbox_depth}  v{beat.version}{waiting}"
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
    from backend.server.monthly import checked_request, report_settings, write_and_report
    from backend.server.monthly_entries import monthly_inputs

    if getattr(args, "report_command", None):
        from backend.server.monthly_cli import run

        return run(args, _state(args), load_server_catalog(Path(args.catalog) if args.catalog else None))
    command = "kiosk-backend report"
    if not args.month or not args.out:
        print(f"{command}: --month and --out are needed (or: report entries|period ...)", file=sys.stderr)
        return 2
    out = Path(args.out)
    if not checked_request(command, args.month, out):
        return 2
    catalog_dir = Path(args.catalog) if args.catalog else None
    catalog = load_server_catalog(catalog_dir)
    if catalog is None:
        return 2
    settings = report_settings(command, catalog, catalog_dir)
    if settings is None:
        return 2
    inputs = monthly_inputs(_state(args), args.month)
    return write_and_report(command, catalog, settings, inputs, out, args.preparer or "")


def cmd_alerts(args: argparse.Namespace) -> int:
    from backend.server.admin import alerts

    found = alerts(_state(args))
    if args.json:
        print(json.dumps([{"kiosk_id": a.kiosk_id, "kind": a.kind, "detail": a.detail, "at": a.at.isoformat(),
                           "quarantined": a.quarantined} for a in found], ensure_ascii=False, indent=2))
        return 0
    for a in found:
        flag = "QUARANTINED" if a.quarantined else ""
        print(f"{a.at:%Y-%m-%d %H:%M:%S}Z  {a.kiosk_id:<16} {a.kind:<13} {a.detail}  {flag}".rstrip())
    quarantined = ", ".join(sorted({a.kiosk_id for a in found if a.quarantined})) or "none"
    print(f"{len(found)} alert{'s' if len(found) != 1 else ''}; quarantined: {quarantined}")
    return 0


def cmd_help_calls(args: argparse.Namespace) -> int:
    from backend.server import help_calls
    from backend.server.staff import accounts

    state = _state(args)
    if args.ack is not None:
        names = {a.name for a in accounts(state) if not a.revoked}
        if args.staff not in names:
            print("kiosk-backend help-calls: --ack needs --as NAME, an active staff account "
                  "(`kiosk-backend staff list`)", file=sys.stderr)
            return 2
        try:
            call = help_calls.acknowledge(state, args.ack, args.staff)
        except help_calls.HelpCallError as exc:
            print(f"kiosk-backend help-calls: {exc}", file=sys.stderr)
            return 2
        print(f"call {call.call_id} at {call.kiosk_id} acknowledged by {call.acknowledged_by}: the kiosk tells the "
              "citizen staff are coming")
        return 0
    found = help_calls.calls(state, open_only=not args.all)
    if args.json:
        print(json.dumps([c.model_dump(mode="json") for c in found], ensure_ascii=False, indent=2))
        return 0
    for c in found:
        done = f"acknowledged by {c.acknowledged_by}" if c.acknowledged_at else "OPEN"
        problem = f" ({c.problem})" if c.problem else ""
        webhook = f"  webhook {c.webhook}" if c.webhook else ""
        print(f"{c.call_id:>6}  {c.called_at.astimezone(CHINA):%m-%d %H:%M:%S}  {c.kiosk_id:<16} "
              f"{c.screen}{problem}  {done}{webhook}")
    print(f"{len(found)} {'call' if len(found) == 1 else 'calls'}{'' if args.all else ' open'}"
          + ("" if args.all or not found else "; acknowledge one with --ack ID --as NAME"))
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from backend.server.admin import release

    if not release(_state(args), args.kiosk_id):
        print(f"kiosk {args.kiosk_id} is not quarantined", file=sys.stderr)
        return 2
    print(f"released {args.kiosk_id}: it may look up progress again")
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
    serve.add_argument("--silent-after-min", type=int, default=SILENT_AFTER_S // 60, metavar="N",
                       help="a kiosk without a heartbeat for N minutes is an alert in the console (default 5)")
    serve.add_argument("--tls-cert", default=os.environ.get("KIOSK_BACKEND_TLS_CERT"),
                       help="PEM certificate (chain) for HTTPS ($KIOSK_BACKEND_TLS_CERT)")
    serve.add_argument("--tls-key", default=os.environ.get("KIOSK_BACKEND_TLS_KEY"),
                       help="PEM private key for HTTPS ($KIOSK_BACKEND_TLS_KEY)")
    serve.add_argument("--limit-concurrency", type=int, default=200,
                       help="connections per worker; beyond it 503 at once (default 200)")
    serve.add_argument("--limit-per-kiosk", type=_limits, default=CARD_READS_PER_KIOSK,
                       help=f"look-ups by ID card or query code per kiosk (default {CARD_READS_PER_KIOSK})")
    serve.add_argument("--limit-per-person", type=_limits, default=LOOKUPS_PER_PERSON,
                       help=f"look-ups of one ID number, all kiosks (default {LOOKUPS_PER_PERSON})")
    serve.add_argument("--limit-per-number", type=_limits, default=CODE_GUESSES_PER_NUMBER,
                       help=f"wrong query codes per application number (default {CODE_GUESSES_PER_NUMBER})")
    serve.add_argument("--quarantine-after", type=int, default=REFUSALS_BEFORE_QUARANTINE,
                       help="refused look-ups in an hour after which a kiosk is quarantined; 0: flag only "
                            f"(default {REFUSALS_BEFORE_QUARANTINE})")
    serve.add_argument("--help-webhook", default=os.environ.get("KIOSK_BACKEND_HELP_WEBHOOK"),
                       help="URL each citizen's call for staff is posted to, e.g. the hall's WeCom or DingTalk "
                            "group robot ($KIOSK_BACKEND_HELP_WEBHOOK)")
    serve.set_defaults(func=cmd_serve)

    enroll = sub.add_parser("enroll", parents=[common], help="register a kiosk and write its key file")
    enroll.add_argument("kiosk_id", type=_kiosk_id)
    enroll.add_argument("--out", help="where to write the key file (default: HOME/kiosks/KIOSK_ID.key)")
    enroll.set_defaults(func=cmd_enroll)

    revoke = sub.add_parser("revoke", parents=[common], help="refuse a kiosk's requests from now on")
    revoke.add_argument("kiosk_id", type=_kiosk_id)
    revoke.set_defaults(func=cmd_revoke)

    token = sub.add_parser("staff-token", parents=[common], help="print a token for a staff account (expires)")
    token.add_argument("name")
    token.add_argument("--hours", type=float, default=8.0, help="how long it lasts (default 8)")
    token.set_defaults(func=cmd_staff_token)

    staff = sub.add_parser("staff", help="staff accounts: add, list, revoke, token")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", parents=[common], help="a named account with a role")
    add.add_argument("name")
    add.add_argument("--role", choices=("viewer", "clerk", "administrator"), required=True)
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    how.add_argument("--no-password", action="store_true", help="no log-in; only tokens from `staff token`")
    staff_sub.add_parser("list", parents=[common], help="accounts, roles and live tokens")
    revoke_staff = staff_sub.add_parser("revoke", parents=[common], help="end an account and all its tokens")
    revoke_staff.add_argument("name")
    staff_token = staff_sub.add_parser("token", parents=[common], help="print a token for an account (expires)")
    staff_token.add_argument("name")
    staff_token.add_argument("--hours", type=float, default=8.0)
    staff.set_defaults(func=cmd_staff)

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
    kiosks.add_argument("--silent-after-min", type=int, default=SILENT_AFTER_S // 60, metavar="N",
                        help="a kiosk without a heartbeat for N minutes is SILENT (default 5, as serve's)")
    kiosks.set_defaults(func=cmd_kiosks)

    report = sub.add_parser("report", parents=[common], help="the monthly 跨省通办 汇总表 from this database",
                            description="Write the 汇总表 (--month, --out), or set what it is built from: "
                                        "`report entries set|list`, `report period set|reset|show`, `report site`.")
    report.add_argument("--month", help="YYYY-MM: the month the report is filed in")
    report.add_argument("--out", help="the report file: .xlsx, .html (print view) or .csv")
    report.add_argument("--catalog", help="catalog folder (default: config/catalog)")
    report.add_argument("--preparer", help="制表人 (default: left blank to be signed)")
    report.set_defaults(func=cmd_report)
    from backend.server.monthly_cli import add_commands as add_report_commands

    add_report_commands(report, common)

    alerts = sub.add_parser("alerts", parents=[common], help="kiosks that broke the look-up limits, quarantines")
    alerts.add_argument("--json", action="store_true")
    alerts.set_defaults(func=cmd_alerts)

    help_calls = sub.add_parser("help-calls", parents=[common], help="citizens' calls for staff: list, acknowledge")
    help_calls.add_argument("--all", action="store_true", help="acknowledged ones too (default: open only)")
    help_calls.add_argument("--ack", type=int, metavar="ID", help="acknowledge this call: the kiosk shows it")
    help_calls.add_argument("--as", dest="staff", metavar="NAME", help="the staff account acknowledging (recorded)")
    help_calls.add_argument("--json", action="store_true")
    help_calls.set_defaults(func=cmd_help_calls)

    release = sub.add_parser("release", parents=[common], help="lift a kiosk's quarantine")
    release.add_argument("kiosk_id", type=_kiosk_id)
    release.set_defaults(func=cmd_release)

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
    except (crypto.CryptoError, ValueError) as exc:
        print(f"kiosk-backend: {exc}", file=sys.stderr)
        return 2
    except (OperationalError, ArgumentError) as exc:  # no such database, wrong password, malformed URL
        print(f"kiosk-backend: cannot use the database: {str(exc).splitlines()[0][:200]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
