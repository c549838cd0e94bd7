"""`kiosk-backend report entries|period|site`: what the monthly 汇总表 is built from, set on the server before the
console's pages exist (and for scripts). Entries are made in a member of staff's name (`--as NAME`), whose role
is checked as the console checks it: a clerk enters a task's values, an administrator sets the period."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from backend.server.monthly_entries import (
    entries_of,
    entry_of,
    period_of,
    reset_period,
    set_entry,
    set_kiosk_site,
    set_period,
)
from backend.server.staff import StaffError, principal_named
from backend.server.state import ServerState
from kiosk.core.catalog import Catalog
from kiosk.core.problems import ConfigError
from kiosk.core.report import ReportError, TaskEntry
from kiosk.storage.report_settings import load_report_settings


def add_commands(report: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    sub = report.add_subparsers(dest="report_command")
    entries = sub.add_parser("entries", help="a division's values for one task and month")
    entry_sub = entries.add_subparsers(dest="entries_command", required=True)
    put = entry_sub.add_parser("set", parents=[common], help="set a task's values; what is not given is kept")
    put.add_argument("--month", required=True, help="YYYY-MM")
    put.add_argument("--task", required=True, help="the plan's task number (1-17) or online-channel")
    put.add_argument("--as", dest="staff", required=True, help="the staff account entering it (clerk or above)")
    put.add_argument("--window", type=_count, help="cases accepted at the window in the period ('' clears)")
    put.add_argument("--online", type=_count, help="cases accepted online in the period ('' clears)")
    put.add_argument("--progress", help="工作进展")
    put.add_argument("--problems", help="存在问题")
    put.add_argument("--next-steps", help="下步措施")
    put.add_argument("--catalog", help="catalog folder (default: config/catalog)")
    listing = entry_sub.add_parser("list", parents=[common], help="what was entered for a month")
    listing.add_argument("--month", required=True)
    listing.add_argument("--catalog", help=argparse.SUPPRESS)

    period = sub.add_parser("period", help="the reporting period of a month's 汇总表 (administrator)")
    period_sub = period.add_subparsers(dest="period_command", required=True)
    put_period = period_sub.add_parser("set", parents=[common], help="set the period's first and last day")
    put_period.add_argument("--month", required=True)
    put_period.add_argument("--start", required=True, type=_date, help="YYYY-MM-DD, included")
    put_period.add_argument("--end", required=True, type=_date, help="YYYY-MM-DD, included")
    put_period.add_argument("--as", dest="staff", required=True, help="an administrator's account")
    reset = period_sub.add_parser("reset", parents=[common], help="back to the 21st of the month before to the 20th")
    reset.add_argument("--month", required=True)
    reset.add_argument("--as", dest="staff", required=True)
    show = period_sub.add_parser("show", parents=[common], help="the month's period and who set it")
    show.add_argument("--month", required=True)
    for parser in (put_period, reset, show):
        parser.add_argument("--catalog", help=argparse.SUPPRESS)

    site = sub.add_parser("site", parents=[common], help="where a kiosk stands; whether it is a test kiosk")
    site.add_argument("kiosk_id")
    site.add_argument("--site", help="e.g. 长春市南关区政务服务中心")
    kind = site.add_mutually_exclusive_group()
    kind.add_argument("--test", dest="test", action="store_const", const=True,
                      help="a test or training kiosk: kept out of the report's totals")
    kind.add_argument("--production", dest="test", action="store_const", const=False, help="a kiosk serving citizens")
    site.add_argument("--catalog", help=argparse.SUPPRESS)


def run(args: argparse.Namespace, state: ServerState, catalog: Catalog | None) -> int:
    try:
        return _run(args, state, catalog)
    except (ReportError, StaffError) as exc:
        print(f"kiosk-backend report: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"kiosk-backend report: the report settings are invalid: {'; '.join(map(str, exc.problems))}",
              file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, state: ServerState, catalog: Catalog | None) -> int:
    if args.report_command == "site":
        if args.site is None and args.test is None:
            raise ReportError("give --site NAME, --test or --production")
        if not set_kiosk_site(state, args.kiosk_id, args.site, args.test):
            raise ReportError(f"no kiosk {args.kiosk_id} is enrolled")
        print(f"{args.kiosk_id}: recorded")
        return 0
    if args.report_command == "period":
        if args.period_command == "set":
            shown = set_period(state, principal_named(state, args.staff), args.month, args.start, args.end)
        elif args.period_command == "reset":
            shown = reset_period(state, principal_named(state, args.staff), args.month)
        else:
            shown = period_of(state, args.month)
        who = f"set by {shown.set_by}" if shown.set_by else "the default"
        print(f"{shown.month}: {shown.start} to {shown.end} ({who})")
        return 0
    if args.entries_command == "list":
        for e in entries_of(state, args.month):
            print(f"{e.task:>14}  window {_shown(e.window)}  online {_shown(e.online)}  by {e.updated_by}  "
                  f"progress: {e.progress[:40] or '-'}")
        return 0
    if catalog is None:
        return 2
    settings = load_report_settings(catalog, Path(args.catalog) if args.catalog else None)
    saved = set_entry(state, principal_named(state, args.staff), catalog, settings, args.month, args.task,
                      _merged(entry_of(state, args.month, args.task), args))
    print(f"task {saved.task}, {args.month}: saved by {saved.updated_by}")
    return 0


def _merged(old: TaskEntry, args: argparse.Namespace) -> TaskEntry:
    def given(value: Any, before: Any) -> Any:
        return before if value is None else value

    def count(value: int | str | None, before: int | None) -> int | None:
        return before if value is None else None if value == "" else int(value)

    return TaskEntry(window=count(args.window, old.window), online=count(args.online, old.online),
                     progress=given(args.progress, old.progress), problems=given(args.problems, old.problems),
                     next_steps=given(args.next_steps, old.next_steps))


def _count(value: str) -> int | str:
    if value == "":
        return ""  # clears the count
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is no count: a whole number, or '' to clear")
    return int(value)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is no date YYYY-MM-DD") from None


def _shown(count: int | None) -> str:
    return "-" if count is None else str(count)
