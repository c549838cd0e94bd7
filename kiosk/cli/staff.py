"""`kiosk maintenance set-pin | add-staff | hash-card`: the hashes that open the maintenance desk, printed for the
operator to put into kiosk.toml (the kiosk never rewrites its own configuration)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.core.problems import problems_from_validation
from kiosk.core.settings import StaffMember
from kiosk.storage.config import default_config_path
from kiosk.storage.toml_cache import read_toml


def read_new_pin(from_stdin: bool) -> str | None:
    """The new PIN, typed twice unless it comes from standard input; None when the two differ."""
    if from_stdin:
        return sys.stdin.readline().strip()
    pin = getpass.getpass("新的PIN（6-12位数字） / new PIN (6-12 digits): ")
    if getpass.getpass("再输一次 / again: ") != pin:
        print("两次输入的PIN不同，未作改动 | the two PINs differ; nothing changed", file=sys.stderr)
        return None
    return pin


def read_new_pin_hashed(from_stdin: bool) -> tuple[str, str] | None:
    """A new PIN typed twice and its scrypt hash; None (said on stderr) when the two differ or the PIN is weak."""
    from kiosk.shell.maintenance import PinFormatError, hash_pin

    pin = read_new_pin(from_stdin)
    if pin is None:
        return None
    try:
        return pin, hash_pin(pin)
    except PinFormatError as exc:
        print(str(exc), file=sys.stderr)
        return None


def cmd_set_pin(args: argparse.Namespace) -> int:
    typed = read_new_pin_hashed(args.stdin)
    if typed is None:
        return 2
    _pin, hashed = typed
    print("把这一行写进 kiosk.toml（替换原有的一行） / put this line into kiosk.toml (it replaces any earlier one):")
    print(f'maintenance_pin_scrypt = "{hashed}"')
    return 0


def card_uid(typed: str) -> str:
    """A card UID as typed or pasted (04:A1:B2 …, 04 A1 B2 …) in the form it is hashed in."""
    return typed.replace(":", "").replace(" ", "")


def uid_problem(uid: str) -> str | None:
    if not uid or len(uid) % 2 or len(uid) > 20 or any(c not in "0123456789abcdefABCDEF" for c in uid):
        return "不是十六进制的卡号（例如 04A1B2C3D4E5F6，kiosk card uid 会显示） | is not a card UID in hex " \
               "(e.g. 04A1B2C3D4E5F6, as `kiosk card uid` shows)"
    return None


def cmd_hash_card(args: argparse.Namespace) -> int:
    from kiosk.shell.maintenance_desk import card_hash

    uid = card_uid(args.uid)
    if (why := uid_problem(uid)) is not None:
        print(f"{args.uid!r}: {why}", file=sys.stderr)
        return 2
    print("把这一项加进 kiosk.toml 的 staff_card_sha256 / add this to staff_card_sha256 in kiosk.toml:")
    print(f'"{card_hash(uid)}"')
    return 0


def cmd_add_staff(args: argparse.Namespace) -> int:
    """An attendant's own `[[staff]]` block: their PIN (refused when weak or someone else's) and cards."""
    from kiosk.shell.maintenance import pin_taken
    from kiosk.shell.maintenance_desk import card_hash

    config = Path(args.config) if args.config else default_config_path()
    data, problems = read_toml(config, str(config))
    if data is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    staff: list[Any] = [m for m in data.get("staff", []) if isinstance(m, dict)]
    if any(m.get("name") == args.name for m in staff):
        print(f"{config} 中已有 {args.name}：要更换请先删掉其 [[staff]] 一节 | {args.name} is already in {config}: "
              "remove their [[staff]] block first to replace it", file=sys.stderr)
        return 2
    cards = [card_uid(c) for c in args.card]
    for uid in cards:
        if (why := uid_problem(uid)) is not None:
            print(f"--card {uid!r}: {why}", file=sys.stderr)
            return 2
    if args.no_pin and not cards:
        print("没有PIN就须有 --card | without a PIN, give --card", file=sys.stderr)
        return 2
    hashed = ""
    if not args.no_pin:
        typed = read_new_pin_hashed(args.stdin)
        if typed is None:
            return 2
        pin, hashed = typed
        others = [str(m.get("pin_scrypt", "")) for m in staff] + [str(data.get("maintenance_pin_scrypt", ""))]
        if pin_taken(pin, others):
            print("这个PIN已有人在用，审计会分不清是谁：请另选一个 | someone already has that PIN and the audit could "
                  "not tell you apart: choose another", file=sys.stderr)
            return 2
    try:
        member = StaffMember(name=args.name, pin_scrypt=hashed, card_sha256=[card_hash(u) for u in cards])
    except ValidationError as exc:
        for problem in problems_from_validation("add-staff", exc):
            print(problem, file=sys.stderr)
        return 2
    print(f"把这一节加到 {config} 的末尾 / append this to the end of {config}:")
    print("[[staff]]")
    print(f"name = {json.dumps(member.name, ensure_ascii=False)}")
    if member.pin_scrypt:
        print(f'pin_scrypt = "{member.pin_scrypt}"')
    if member.card_sha256:
        print(f"card_sha256 = {json.dumps(member.card_sha256)}")
    return 0


def add_commands(maintenance: Any) -> None:
    """The staff-access commands under `kiosk maintenance`."""
    set_pin = maintenance.add_parser("set-pin", help="hash a new shared maintenance PIN for kiosk.toml")
    set_pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    set_pin.set_defaults(func=cmd_set_pin)
    add_staff = maintenance.add_parser("add-staff", help="an attendant's own PIN and cards, so the audit names them")
    add_staff.add_argument("name", help="as the audit will name them, e.g. 王丽")
    add_staff.add_argument("--card", action="append", default=[], metavar="UID",
                           help="a staff card's UID in hex (`kiosk card uid` shows it); may be repeated")
    add_staff.add_argument("--no-pin", action="store_true", help="cards only, no PIN")
    add_staff.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    add_staff.add_argument("--config", help="the kiosk.toml to add them to (checked for a PIN in use)")
    add_staff.set_defaults(func=cmd_add_staff)
    hash_card = maintenance.add_parser("hash-card", help="the allow-list entry of a staff card, from its UID")
    hash_card.add_argument("uid", help="the card's UID in hex")
    hash_card.set_defaults(func=cmd_hash_card)
