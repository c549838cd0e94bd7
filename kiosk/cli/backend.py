"""`kiosk outbox status|flush` for hall staff and engineers, and `kiosk report monthly` (the 汇总表) for the office.

The outbox commands print counts, ages and error codes only; the outbox holds personal data, and none of it
is shown. The report holds counts only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.core.problems import ConfigError
from kiosk.core.settings import LoadedConfig
from kiosk.storage.config import load_config


def _config(args: argparse.Namespace) -> LoadedConfig:
    return load_config(Path(args.config) if args.config else None)


def _fail(exc: ConfigError) -> int:
    print(f"configuration is invalid ({len(exc.problems)} problems):", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    return 2


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)} s"
    if seconds < 7200:
        return f"{int(seconds // 60)} min"
    return f"{seconds / 3600:.1f} h"


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.remote.client import open_outbox

    try:
        config = _config(args)
        outbox = open_outbox(config)
    except ConfigError as exc:
        return _fail(exc)
    try:
        stats = outbox.stats()
        next_due = outbox.next_due_at()
    finally:
        outbox.close()
    print(f"outbox {outbox.path}")
    print(f"  pending    {stats.pending}"
          + (f" (oldest {_age(time.time() - stats.oldest_pending_at)} ago)" if stats.oldest_pending_at else ""))
    if next_due is not None:
        print(f"  next try   in {_age(max(0.0, next_due - time.time()))}")
    warning = "  <- refused by the backend: call the engineer" if stats.rejected else ""
    print(f"  rejected   {stats.rejected}{warning}")
    print(f"  delivered  {stats.delivered} (kept without content, for the progress query)")
    for code, count in stats.last_errors:
        print(f"  last error {code}: {count}")
    return 0


def cmd_flush(args: argparse.Namespace) -> int:
    from kiosk.composition.drivers import load_factory
    from kiosk.remote.client import build, load_credential

    try:
        config = _config(args)
        if config.settings.backend.url == "local":
            backend: Any = load_factory("backend", "local")(config)
        else:
            backend = build(config, config.settings.backend.url, load_credential(config), start_sender=False)
    except ConfigError as exc:
        return _fail(exc)
    try:
        result = backend.flush(timeout_s=args.timeout, include_rejected=args.include_rejected)
    finally:
        backend.close()
    print(f"delivered {result.delivered}; still pending {result.pending}; rejected {result.rejected}")
    return 0 if result.pending == 0 else 1


STAFF_TOKEN_ENV = "KIOSK_STAFF_TOKEN"


class ReportFailure(Exception):
    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _inputs_from_local(config: LoadedConfig, month: str) -> Any:
    """The embedded reference backend's own database (backend.url = "local"): no token needed on the kiosk."""
    from backend.server.monthly_entries import monthly_inputs
    from backend.server.state import ServerSettings, build_state
    from kiosk.composition.embedded_backend import LOCAL_DIR

    database = config.data_dir / LOCAL_DIR / "backend.sqlite3"
    if not database.exists():
        raise ReportFailure(f"the local backend has no data yet ({database} does not exist)")
    settings = ServerSettings(database_url=f"sqlite:///{database}", key_dir=config.key_dir / LOCAL_DIR,
                              profile=config.settings.backend.crypto_profile)
    state = build_state(settings, None)
    try:
        return monthly_inputs(state, month)
    finally:
        state.engine.dispose()
        state.nonce_engine.dispose()


def _inputs_from_api(url: str, month: str, token: str) -> Any:
    import requests
    from pydantic import ValidationError

    from backend.contract.schemas import MonthlyInputs

    try:
        answer = requests.get(f"{url.rstrip('/')}/v1/staff/reports/monthly", params={"month": month},
                              headers={"Authorization": f"Bearer {token}"}, timeout=30)
    except requests.RequestException as exc:
        raise ReportFailure(f"cannot reach the backend at {url}: {type(exc).__name__}") from None
    if answer.status_code == 401:
        raise ReportFailure("the backend refused the staff token (`kiosk-backend staff-token NAME` makes one)", 2)
    if answer.status_code != 200:
        raise ReportFailure(f"the backend answered {answer.status_code}: {answer.text[:200]}")
    try:
        return MonthlyInputs.model_validate(answer.json())
    except (ValueError, ValidationError) as exc:
        raise ReportFailure(f"the backend's answer is not the monthly report's data: {str(exc)[:200]}") from None


def _staff_token(args: argparse.Namespace) -> str:
    import os

    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ReportFailure(f"cannot read {args.token_file}: {exc.strerror}", 2) from None
    else:
        token = os.environ.get(STAFF_TOKEN_ENV, "").strip()
    if not token:
        raise ReportFailure(f"a staff token is needed: --token-file FILE or ${STAFF_TOKEN_ENV} "
                            "(`kiosk-backend staff-token NAME` on the server makes one)", 2)
    return token


def cmd_report_monthly(args: argparse.Namespace) -> int:
    from backend.server.monthly import checked_request, report_settings, write_and_report
    from kiosk.storage.catalog import load_catalog

    command = "kiosk report monthly"
    out = Path(args.out)
    if not checked_request(command, args.month, out):
        return 2
    try:
        config = _config(args)
        catalog_dir = Path(args.catalog) if args.catalog else None
        catalog = load_catalog(catalog_dir)
    except ConfigError as exc:
        return _fail(exc)
    settings = report_settings(command, catalog, catalog_dir)
    if settings is None:
        return 2
    url = args.backend or config.settings.backend.url
    try:
        inputs = _inputs_from_local(config, args.month) if url == "local" else (
            _inputs_from_api(url, args.month, _staff_token(args)))
    except ReportFailure as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return exc.status
    return write_and_report(command, catalog, settings, inputs, out, args.preparer)


def add_commands(subparsers: Any) -> None:
    outbox = subparsers.add_parser("outbox", help="applications waiting to reach the backend")
    commands = outbox.add_subparsers(dest="outbox_command", required=True)
    status = commands.add_parser("status", help="how many wait, since when, and why")
    status.add_argument("--config", help="kiosk.toml (default: config/kiosk.toml or $KIOSK_CONFIG)")
    status.set_defaults(func=cmd_status)
    flush = commands.add_parser("flush", help="deliver everything pending now")
    flush.add_argument("--config", help="kiosk.toml (default: config/kiosk.toml or $KIOSK_CONFIG)")
    flush.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds")
    flush.add_argument("--include-rejected", action="store_true",
                       help="try entries the backend refused before once more (after a fix on the server)")
    flush.set_defaults(func=cmd_flush)

    report = subparsers.add_parser("report", help="reports for the civil-affairs office")
    reports = report.add_subparsers(dest="report_command", required=True)
    monthly = reports.add_parser(
        "monthly", help="the monthly 跨省通办实施计划及进度情况汇总表 (the plan's tasks, counts by channel)",
        description="The data comes from the backend (GET /v1/staff/reports/monthly with a staff token, or the "
                    "local backend's own database when backend.url is \"local\"); `kiosk-backend report` on the "
                    "server writes the same table.")
    monthly.add_argument("--month", required=True,
                         help="YYYY-MM: the month the report is filed in; its period is the one an administrator "
                              "set, by default the 21st of the month before to the 20th")
    monthly.add_argument("--out", required=True, help="the report file: .xlsx, .html (print view) or .csv")
    monthly.add_argument("--preparer", help="制表人 (default: the staff account of the token)")
    monthly.add_argument("--config", help="kiosk.toml (default: config/kiosk.toml or $KIOSK_CONFIG)")
    monthly.add_argument("--catalog", help="catalog folder (default: config/catalog)")
    monthly.add_argument("--backend", help="backend base URL (default: backend.url of kiosk.toml)")
    monthly.add_argument("--token-file", help=f"file holding a staff token (default: ${STAFF_TOKEN_ENV})")
    monthly.set_defaults(func=cmd_report_monthly)
