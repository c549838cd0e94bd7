"""`kiosk outbox status` and `kiosk outbox flush`: the outbox for hall staff and engineers.

Both print counts, ages and error codes only; the outbox holds personal data, and none of it is shown.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.problems import ConfigError
from kiosk.settings import LoadedConfig, load_config


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
    from backend.client import open_outbox

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
    from backend.client import build, load_credential
    from kiosk.wiring import load_factory

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
