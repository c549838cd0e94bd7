"""`kiosk slip ...` and `kiosk print-test`: render slips to the exact printer bytes and a PNG, print a test
page, list and reprint receipts.

`kiosk slip render KIND --data FILE.json|--sample [--profile NAME] --out slip.bin [--png slip.png]` writes
the bytes the profile's printer would get and a picture decoded from those bytes, so an operator can check
a layout without paper. Bad input exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from devices.clock import china_now
from devices.printers.escpos_encoder import SlipEncoder
from devices.printers.fonts import FontMissing, find_cjk_font
from devices.printers.preview import preview_png
from devices.printers.slip_data import SAMPLES, SlipData, build_slip, check_for_kind
from kiosk.core.catalog import Catalog
from kiosk.core.health import DeviceError
from kiosk.core.problems import ConfigError, problems_from_validation
from kiosk.core.settings import DeviceProfile, LoadedConfig
from kiosk.core.slip_layouts import SlipComposer, printer_test_slip
from kiosk.core.slips import Slip, SlipKind
from kiosk.storage.catalog import load_catalog
from kiosk.storage.config import load_config, load_profile, profile_dirs
from kiosk.storage.print_journal import PrintJournal
from kiosk.storage.working_days import configured_calendar

KINDS = ", ".join(k.value for k in SlipKind)


class BadInput(Exception):
    """One line for stderr; the command exits 2."""


def add_commands(subparsers: Any) -> None:
    slip = subparsers.add_parser("slip", help="render, list and reprint slips")
    slip_sub = slip.add_subparsers(dest="slip_command", required=True)

    render = slip_sub.add_parser("render", help="write the printer bytes and a PNG preview of a slip")
    render.add_argument("kind", help=f"one of: {KINDS}")
    source = render.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="JSON file with the slip's data")
    source.add_argument("--sample", action="store_true", help="built-in sample data for the kind")
    render.add_argument("--profile", help="device profile name in config/devices (default: the kiosk's)")
    render.add_argument("--language", choices=("zh", "ko", "en"), help="override the data's language")
    render.add_argument("--out", required=True, help="file for the ESC/POS bytes")
    render.add_argument("--png", help="file for the PNG preview decoded from the bytes")
    _common(render)
    render.set_defaults(func=_guarded(cmd_slip_render))

    send = slip_sub.add_parser(
        "print", help="print a slip on the configured printer, through the print journal",
        description="Exit status: 0 printed (or printed before under this job id), 1 failed (nothing or not all "
                    "of it printed; printing it again is safe), 3 uncertain (every byte went out but the "
                    "printer did not confirm: look before printing it again).")
    send.add_argument("kind", help=f"one of: {KINDS}")
    send_source = send.add_mutually_exclusive_group(required=True)
    send_source.add_argument("--data", help="JSON file with the slip's data")
    send_source.add_argument("--sample", action="store_true", help="built-in sample data for the kind")
    send.add_argument("--language", choices=("zh", "ko", "en"), help="override the data's language")
    send.add_argument("--job-id", help="the job's id in the print journal (the same id never prints twice); "
                                       "default: a new one")
    _common(send)
    send.set_defaults(func=_guarded(cmd_slip_print))

    receipts = slip_sub.add_parser("receipts", help="list receipts printed on this kiosk (newest first)")
    receipts.add_argument("--limit", type=int, default=20)
    _common(receipts)
    receipts.set_defaults(func=_guarded(cmd_slip_receipts))

    reprint = slip_sub.add_parser("reprint", help="print a receipt again (marked 补打, without the applicant)")
    reprint.add_argument("reference", help="application number or the kiosk's local reference")
    _common(reprint)
    reprint.set_defaults(func=_guarded(cmd_slip_reprint))

    test = subparsers.add_parser("print-test", help="print a test page on the configured printer")
    _common(test)
    test.set_defaults(func=_guarded(cmd_print_test))


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="kiosk.toml (default: config/kiosk.toml or $KIOSK_CONFIG)")
    parser.add_argument("--catalog", help="catalog folder (default: config/catalog)")


def _guarded(command: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        name = " ".join(filter(None, (args.command, getattr(args, "slip_command", None))))
        try:
            return int(command(args))
        except BadInput as exc:
            print(f"kiosk {name}: {exc}", file=sys.stderr)
            return 2
        except ConfigError as exc:
            print(f"kiosk {name}: configuration is invalid: "
                  + "; ".join(str(p) for p in exc.problems), file=sys.stderr)
            return 2
        except FontMissing as exc:
            print(f"kiosk {name}: {exc}", file=sys.stderr)
            return 2
    return run


def _config(args: argparse.Namespace) -> LoadedConfig:
    return load_config(Path(args.config) if args.config else None)


def _catalog(args: argparse.Namespace) -> Catalog:
    return load_catalog(Path(args.catalog) if args.catalog else None)


def _profile(config: LoadedConfig, name: str | None) -> tuple[str, DeviceProfile]:
    if not name:
        return config.profile_chain[0], config.profile
    folders = profile_dirs(config.path)
    if not any((f / f"{name}.toml").is_file() for f in folders):
        known = ", ".join(sorted({p.stem for f in folders for p in f.glob("*.toml")}))
        raise BadInput(f"no device profile {name!r} in {', '.join(map(str, folders))} (known: {known})")
    profile, _, problems = load_profile(folders, name)
    if profile is None:
        raise ConfigError(problems)
    return name, profile


def _kind(text: str) -> SlipKind:
    try:
        return SlipKind(text)
    except ValueError:
        raise BadInput(f"unknown slip kind {text!r} (choose from {KINDS})") from None


def _load_data(path: str) -> SlipData:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise BadInput(f"{path}: the slip data must be a JSON object")
    try:
        return SlipData.model_validate(raw)
    except ValidationError as exc:
        problems = problems_from_validation(path, exc)
        raise BadInput(f"{path} is invalid: " + "; ".join(f"{p.field}: {p.why}" for p in problems)) from None


def _slip_from_args(args: argparse.Namespace) -> tuple[SlipKind, LoadedConfig, Slip]:
    """The slip KIND --sample|--data FILE [--language] asks for, checked against the catalog."""
    kind = _kind(args.kind)
    data = SAMPLES[kind] if args.sample else _load_data(args.data)
    if args.language:
        data = data.model_copy(update={"language": args.language})
    config = _config(args)
    catalog = _catalog(args)
    problems = check_for_kind(data, kind, catalog)
    if problems:
        raise BadInput(f"{'sample' if args.sample else args.data} cannot make a {kind.value} slip: "
                       + "; ".join(problems))
    return kind, config, build_slip(kind, data, config.settings, catalog, configured_calendar())


def cmd_slip_render(args: argparse.Namespace) -> int:
    kind, config, slip = _slip_from_args(args)
    name, profile = _profile(config, args.profile)
    printer = profile.printer
    job = SlipEncoder(printer).encode(slip)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(job.data)
    print(f"{kind.value} slip for profile {name} ({printer.paper_width_mm} mm, {printer.chars_per_line} columns, "
          f"{printer.encoding}{', FS & text mode' if printer.chinese_text_mode else ''}): {len(job.data)} bytes, "
          f"{job.text_lines} text lines, {job.raster_lines} image lines -> {out}")
    if args.png:
        doc = preview_png(job.data, Path(args.png), printer.paper_width_mm,
                          boot_chinese=not printer.chinese_text_mode, encoding=printer.encoding)
        print(f"preview -> {args.png}")
        for problem in doc.problems:
            print(f"  decoder: {problem}", file=sys.stderr)
    return 0


EXIT_UNCERTAIN = 3


def cmd_slip_print(args: argparse.Namespace) -> int:
    from kiosk.core.ports import PrintOutcome

    kind, config, slip = _slip_from_args(args)
    job_id = args.job_id or f"cli-{kind.value}-{datetime.now():%Y%m%d-%H%M%S-%f}"
    printer = _printer(config)
    try:
        outcome = printer.print_slip(job_id, slip)
    except DeviceError as exc:
        print(f"failed: {exc.reason.value} ({exc.detail}); job {job_id}", file=sys.stderr)
        return 1
    finally:
        printer.close()
    if outcome == PrintOutcome.UNCERTAIN:
        print(f"uncertain: every byte went out but the printer did not confirm; job {job_id} "
              "(look at the printer before printing it again)")
        return EXIT_UNCERTAIN
    print(f"done: job {job_id}")
    return 0


def cmd_slip_receipts(args: argparse.Namespace) -> int:
    config = _config(args)
    journal = PrintJournal.in_dir(config.data_dir)
    records = journal.receipts(args.limit)
    for record in records:
        origin = record.origin
        number = (origin.application_number or origin.local_reference) if origin else ""
        print(f"{record.updated_at:%Y-%m-%d %H:%M}  {number:<28} {origin.item_id if origin else '':<32} "
              f"{record.job_id}")
    print(f"{len(records)} receipt{'s' if len(records) != 1 else ''}")
    return 0


def _printer(config: LoadedConfig) -> Any:
    from kiosk.composition.drivers import printer_factory

    return printer_factory(config.profile.printer.connection)(config)


def cmd_slip_reprint(args: argparse.Namespace) -> int:
    config = _config(args)
    journal = PrintJournal.in_dir(config.data_dir)
    record = journal.find_receipt(args.reference)
    if record is None or record.origin is None:
        raise BadInput(f"no printed receipt with number {args.reference!r} on this kiosk "
                       "(`kiosk slip receipts` lists them)")
    slip = SlipComposer(config.settings, _catalog(args), datetime.now, configured_calendar()).reprint(record.origin)
    job_id = journal.next_reprint_id(record.job_id)
    printer = _printer(config)
    try:
        printer.print_slip(job_id, slip)
    except DeviceError as exc:
        print(f"reprint failed: {exc.reason.value} ({exc.detail})", file=sys.stderr)
        return 1
    finally:
        printer.close()
    print(f"reprinted {record.origin.application_number or record.origin.local_reference} as job {job_id}")
    return 0


def cmd_print_test(args: argparse.Namespace) -> int:
    config = _config(args)
    profile = config.profile.printer
    where = profile.connection.where
    font = find_cjk_font()
    details = (("设备配置", config.profile_chain[0]), ("连接", where),
               ("纸宽", f"{profile.paper_width_mm} mm, {profile.chars_per_line} 字符/行"),
               ("编码", f"{profile.encoding}, 字库 {profile.font_charset}, "
                        f"{'FS & 汉字模式' if profile.chinese_text_mode else '开机汉字模式'}"),
               ("二维码", "打印机生成" if profile.qr == "native" else "图像"),
               ("切刀", "有" if profile.cutter else "无"), ("图像字体", Path(font.path).name))
    printer = _printer(config)
    try:
        before = printer.health()
        print(f"printer before: {before.status.value} ({before.reason.value}) {before.detail}")
        job_id = f"test-{datetime.now():%Y%m%d-%H%M%S-%f}"
        try:
            printer.print_slip(job_id, printer_test_slip(config.settings, china_now(), details))
        except DeviceError as exc:
            print(f"test page not printed: {exc.reason.value} ({exc.detail})", file=sys.stderr)
            return 1
        after = printer.health()
        print(f"printed test page {job_id}; printer after: {after.status.value} ({after.reason.value})")
        return 0
    finally:
        printer.close()
