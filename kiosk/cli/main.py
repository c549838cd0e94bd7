"""The `kiosk` command for operators, staff and developers. Drivers are reached by name, never imported here."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from kiosk import __version__
from kiosk.cli.staff import add_commands as staff_commands
from kiosk.core.catalog import Catalog, Item, language_gaps, unconfirmed_facts
from kiosk.core.config_advice import config_advice
from kiosk.core.problems import ConfigError
from kiosk.core.settings import KioskSettings
from kiosk.storage.catalog import load_catalog
from kiosk.storage.config import load_config
from kiosk.storage.working_days import configured_calendar, load_working_days

# Command groups that live with their drivers; each module exports add_commands(subparsers).
EXTENSIONS = ("kiosk.cli.readers", "kiosk.cli.printers", "kiosk.cli.backend")


WHAT_ZH = {"configuration": "配置", "catalog": "事项目录"}


def fail(problems: ConfigError, what: str) -> int:
    count = len(problems.problems)
    plural = "s" if count != 1 else ""
    print(f"{WHAT_ZH.get(what, what)}有误（{count} 处） / {what} is invalid ({count} problem{plural}):",
          file=sys.stderr)
    for problem in problems.problems:
        print(f"  {problem}", file=sys.stderr)
    return 2


def cmd_config_check(args: argparse.Namespace) -> int:
    from kiosk.cli.key_check import key_problems

    try:
        config = load_config(Path(args.path) if args.path else None)
    except ConfigError as exc:
        return fail(exc, "configuration")
    for advice in config_advice(config):  # valid, but looks wrong for a kiosk in a hall: said even when refused
        print(f"warning: {advice}", file=sys.stderr)
    problems = key_problems(config)
    try:
        calendar = load_working_days()
    except ConfigError as exc:
        problems.extend(exc.problems)
    if problems:
        return fail(ConfigError(problems), "configuration")
    s, p = config.settings, config.profile
    where = p.printer.connection.where
    print(f"configuration OK: {config.path}")
    print(f"  kiosk      {s.kiosk_id} at {s.site.name} ({s.site.division_code})")
    print(f"  consult    {s.site.consult_phone}")
    print(f"  backend    {s.backend.url} (crypto: {s.backend.crypto_profile})")
    print(f"  languages  {', '.join(s.languages)} (default {s.languages[0]})")
    print(f"  timeouts   idle warning {s.timeouts.idle_warning_s}s of {s.timeouts.session_s}s session; "
          f"card {s.timeouts.card_read_s}s; backend {s.timeouts.backend_s}s")
    print(f"  profile    {' <- '.join(config.profile_chain)}: {p.description}")
    print(f"  reader     {p.reader.driver}{' ' + p.reader.where if p.reader.where else ''}")
    print(f"  printer    {where}, {p.printer.paper_width_mm} mm, {p.printer.chars_per_line} chars/line, "
          f"{p.printer.encoding}{', FS& text mode' if p.printer.chinese_text_mode else ''}, QR {p.printer.qr}, "
          f"{'cutter' if p.printer.cutter else 'no cutter'}")
    if p.printer.status_risk:
        print(f"  RISK       printer {p.printer.status_risk}")
    print(f"  screen     {p.screen.width_px}x{p.screen.height_px} {p.screen.orientation}, "
          f"{p.screen.diagonal_inch}\"")
    print(f"  data       {config.data_dir}")
    print(f"  keys       {config.key_dir}")
    end = calendar.known_until()
    print(f"  calendar   working days known until {end.isoformat() if end else '-'} ({'; '.join(calendar.sources)})")
    warning = calendar.warning(date.today())
    if warning:
        print(f"warning: {warning}", file=sys.stderr)

    cards = len(s.staff_card_sha256) + sum(len(m.card_sha256) for m in s.staff)
    print(f"  staff      {len(s.staff)} attendant{'s' if len(s.staff) != 1 else ''} "
          f"({', '.join(m.name for m in s.staff) or 'none: `kiosk maintenance add-staff NAME`'}); shared PIN "
          f"{'set' if s.maintenance_pin_scrypt else 'not set'}; {cards} staff card{'s' if cards != 1 else ''} "
          f"(reader: {p.reader.staff_card_reader}); logs export to {config.usb_export_dir}")
    return 0


def _catalog(args: argparse.Namespace) -> Catalog:
    return load_catalog(Path(args.catalog) if args.catalog else None)


def item_summary(item: Item) -> dict[str, object]:
    return {"id": item.id, "code": item.code, "name": item.names.zh, "category": item.category,
            "task_role": item.task_role, "kiosk_action": item.kiosk_action, "divisions": item.divisions,
            "kuasheng_modes": item.kuasheng_modes}


def cmd_catalog_list(args: argparse.Namespace) -> int:
    try:
        catalog = _catalog(args)
    except ConfigError as exc:
        return fail(exc, "catalog")
    if args.json:
        print(json.dumps([item_summary(i) for i in catalog.items], ensure_ascii=False, indent=2))
        return 0
    for item in catalog.items:
        print(f"{item.code}  {item.id:<38} {item.kiosk_action:<11} {item.names.zh}")
    print(f"{len(catalog.items)} items, {len(catalog.tasks)} tasks")
    return 0


def cmd_catalog_show(args: argparse.Namespace) -> int:
    try:
        catalog = _catalog(args)
    except ConfigError as exc:
        return fail(exc, "catalog")
    item = catalog.get(args.item_id) or next((i for i in catalog.items if i.code == args.item_id), None)
    if item is None:
        print(f"no item {args.item_id!r}; `kiosk catalog list` shows the ids", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(item.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    try:
        settings = load_config(Path(args.config) if args.config else None).settings
    except ConfigError as exc:
        return fail(exc, "configuration")
    print(f"{item.code} {item.id}: role {item.task_role}; divisions {', '.join(item.divisions)}; partners "
          f"{', '.join(item.partner_departments) or '-'}; kiosk: {item.kiosk_action}")
    print(guide_text(item, settings, args.lang))
    return 0


def guide_text(item: Item, settings: KioskSettings, language: str) -> str:
    """The guide as the citizen reads it: the text of the guide slip the kiosk prints for the item."""
    from datetime import datetime

    from kiosk.core.session.commands import SlipRequest
    from kiosk.core.slip_layouts import SlipComposer
    from kiosk.core.slips import SlipKind, Text

    catalog = Catalog((item,), (), ())
    slip = SlipComposer(settings, catalog, datetime.now, configured_calendar()).compose(
        SlipRequest(SlipKind.GUIDE, item.id, language))
    return "\n".join(block.text for block in slip.blocks if isinstance(block, Text))


def cmd_catalog_check(args: argparse.Namespace) -> int:
    try:
        catalog = _catalog(args)
    except ConfigError as exc:
        return fail(exc, "catalog")
    gaps = language_gaps(catalog)
    if gaps:
        return fail(ConfigError(gaps), "catalog")
    if args.uncertain:
        sources = {s.id: s for s in catalog.sources}
        facts = unconfirmed_facts(catalog)
        for fact in facts:
            print(f"{fact.item_id}: {fact.path} [{fact.certainty}] {fact.text[:80]}")
            for ref in fact.sources or ("(no source: find one)",):
                source = sources.get(ref)
                print(f"    confirm with {ref}" + (f" {source.title} {source.url}".rstrip() if source else ""))
        print(f"{len(facts)} facts to confirm (never shown to citizens as such)")
    by_role = {r: sum(1 for i in catalog.items if i.task_role == r) for r in ("lead", "cooperate", "special")}
    print(f"catalog OK: {len(catalog.items)} items ({by_role['lead']} lead, {by_role['cooperate']} cooperate, "
          f"{by_role['special']} special), {len(catalog.tasks)} tasks, {len(catalog.sources)} sources; "
          f"every task maps to an item; zh, ko and en present")
    return 0


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_walkthrough(out: Path) -> int:
    """The Kivy walkthrough in its own process: Kivy opens one window per process and keeps it until exit."""
    if importlib.util.find_spec("screens.demo_walkthrough") is None:
        print("the touchscreen UI is not available in this build", file=sys.stderr)
        return 1
    proc = subprocess.run([sys.executable, "-m", "screens.demo_walkthrough", "--out", str(out)],
                          capture_output=True, text=True, timeout=600, check=False)
    print(proc.stdout, end="", flush=True)
    if proc.returncode != 0:
        print(proc.stderr[-4000:], file=sys.stderr)
    return proc.returncode


def cmd_demo(args: argparse.Namespace) -> int:
    """With a display: the kiosk window on the simulators. Without one (or --headless): the scripted walkthrough
    on a virtual display, saving a screenshot of every screen and the slip image into --out."""
    from kiosk.shell.demo_journey import DEMO_CARD

    try:
        if args.headless or not has_display():
            return run_walkthrough(Path(args.out))
        app = importlib.import_module("screens.app")
        return int(app.main(None, demo_card=DEMO_CARD))
    except ConfigError as exc:
        return fail(exc, "configuration")
    except ImportError as exc:
        print(f"the touchscreen UI is not available in this build: {exc}", file=sys.stderr)
        return 1


def cmd_run(args: argparse.Namespace) -> int:
    try:
        load_config(Path(args.config) if args.config else None)
        load_catalog()
    except ConfigError as exc:
        return fail(exc, "configuration")
    if args.config:
        os.environ["KIOSK_CONFIG"] = str(Path(args.config).resolve())  # read by screens.app before Kivy starts
    try:
        app = importlib.import_module("screens.app")
    except ImportError as exc:
        print(f"the touchscreen UI is not available in this build: {exc}", file=sys.stderr)
        return 1
    return int(app.main(Path(args.config) if args.config else None))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="吉林省民政厅 跨省通办 self-service kiosk")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    config = sub.add_parser("config", help="configuration").add_subparsers(dest="config_command", required=True)
    check = config.add_parser("check", help="validate kiosk.toml and its device profile")
    check.add_argument("path", nargs="?", help="kiosk.toml (default: config/kiosk.toml or $KIOSK_CONFIG)")
    check.set_defaults(func=cmd_config_check)

    catalog = sub.add_parser("catalog", help="the item catalog").add_subparsers(dest="catalog_command",
                                                                                  required=True)
    for name, func, help_text in (("list", cmd_catalog_list, "list the items"),
                                  ("show", cmd_catalog_show, "show one item"),
                                  ("check", cmd_catalog_check, "validate the catalog")):
        p = catalog.add_parser(name, help=help_text)
        p.add_argument("--catalog", help="catalog folder (default: config/catalog)")
        if name == "show":
            p.add_argument("item_id")
        if name in ("list", "show"):
            p.add_argument("--json", action="store_true")
        if name == "show":
            p.add_argument("--lang", choices=("zh", "ko", "en"), default="zh",
                           help="the language of the guide (default zh)")
            p.add_argument("--config", help="kiosk.toml whose site and offices the guide names")
        if name == "check":
            p.add_argument("--uncertain", action="store_true",
                           help="also list every fact marked likely or uncertain, with the source to confirm it")
        p.set_defaults(func=func)

    demo = sub.add_parser("demo", help="run the kiosk's main job on simulated devices")
    demo.add_argument("--headless", action="store_true", help="scripted walkthrough without a display")
    demo.add_argument("--out", default="demo-out", help="folder for screenshots and slip images")
    demo.set_defaults(func=cmd_demo)

    maintenance = sub.add_parser("maintenance", help="staff access").add_subparsers(dest="maintenance_command",
                                                                                   required=True)
    staff_commands(maintenance)

    run = sub.add_parser("run", help="start the touchscreen kiosk")
    run.add_argument("--config", help="kiosk.toml")
    run.set_defaults(func=cmd_run)

    for module_name in EXTENSIONS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that command group is not part of this build
            raise
        module.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
