"""Which message ids the screens need: the literal keys in the code and kv rules, and the families built from
stable ids (`error.<reason>`, `screen.<phase>`, `category.<id>`, ...). The test that fails on a missing key
and `pybabel extract -F babel.cfg` (for a `.pot` template) both use this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kiosk.core.catalog import Catalog
from kiosk.core.health import Reason
from kiosk.core.help_calls import HelpStatus
from kiosk.core.identity import IdProblem
from kiosk.core.records import ApplicationStatus
from kiosk.core.session.states import Phase

SCREENS_DIR = Path(__file__).resolve().parent
# tr('key'...), t("key"...), app.tr('key'...), self.tr(...); the key is a dotted lower-case id
LITERAL_KEY = re.compile(r"""\b(?:tr|t|prompt_text)\(\s*['"]([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)['"]""")

# Notices the session machine sets (`Session.notice`, `KioskState.home_notice`) and how the screens key them.
SESSION_NOTICES = ("card_read", "next_party", "same_person")
HOME_NOTICES = ("cancelled", "timed_out", "finished")
# Prompt ids the session machine speaks besides `screen.<phase>` and `error.<reason>`.
SPOKEN = ("idle_warning", "notice.card_read", "notice.next_party", "notice.same_person", "notice.take_slip",
          "notice.take_card_and_slip", "notice.take_card", "voice.on", "voice.volume", "error.form_incomplete",
          "notice.correction", "consent.ticked", "consent.unticked")
FORM_ERRORS = ("required", "not_a_choice", "id_number_invalid", "phone_invalid", "not_a_number", "date_invalid",
               "pattern")


def literal_keys(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(lines, 1):
        for match in LITERAL_KEY.finditer(line):
            yield number, match.group(1)


def used_literal_keys(folder: Path = SCREENS_DIR) -> dict[str, str]:
    """key -> where it is first used, for every literal key in screens/*.py and screens/*.kv."""
    found: dict[str, str] = {}
    for path in sorted([*folder.glob("*.py"), *folder.glob("*.kv")]):
        for number, key in literal_keys(path.read_text(encoding="utf-8").splitlines()):
            found.setdefault(key, f"{path.name}:{number}")
    return found


def family_keys(catalog: Catalog) -> set[str]:
    """Keys the screens build from stable ids at run time."""
    keys = {f"screen.{phase.value}" for phase in Phase}
    for reason in Reason:
        if reason != Reason.OK:
            keys |= {f"error.{reason.value}", f"todo.{reason.value}"}
    keys |= {f"manual.{problem.value}" for problem in IdProblem} | {"manual.name_required"}
    keys |= {f"status.{status.value}" for status in ApplicationStatus}
    keys |= {f"{kind}.{status.value}" for kind in ("status_meaning", "status_next") for status in ApplicationStatus}
    keys |= {f"field_error.{error}" for error in FORM_ERRORS}
    keys |= {f"help.{status.value}" for status in HelpStatus}
    keys |= {f"notice.{notice}" for notice in SESSION_NOTICES} | {f"home.notice.{n}" for n in HOME_NOTICES}
    keys |= {f"weekday.{day}" for day in range(7)} | {f"month.{month}" for month in range(1, 13)}
    keys |= set(SPOKEN)
    for category in catalog.categories:
        keys |= {f"category.{category}", f"category_hint.{category}"}
    for item in catalog.items:
        keys.add(f"kiosk_action.{item.kiosk_action}")
        keys |= {f"mode.{mode_key(mode)}" for mode in item.kuasheng_modes}
        keys |= {f"sensitive.{category}" for category in item.sensitive_categories}
        for material in item.materials:
            keys |= {f"material.{material.required}", f"material.{material.form}"}
        limits = [item.legal_time_limit, item.promised_time_limit]
        limits += [step.time_limit for step in item.steps if step.time_limit is not None]
        keys |= {f"unit.{limit.unit}" for limit in limits}
    return keys


# The catalog names 跨省通办 modes by their Chinese terms; the screens translate them by these ids.
MODE_KEYS = {"全程网办": "fully_online", "异地代收代办": "proxy", "多地联办": "joint", "全国通办(现场)": "nationwide",
             "数据共享": "data_sharing"}


def mode_key(mode: str) -> str:
    return MODE_KEYS[mode]


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[int, str, str,
                                                                                                     list[str]]]:
    """A Babel extraction method for .py and .kv files (see babel.cfg)."""
    text = fileobj.read().decode("utf-8")
    for number, key in literal_keys(text.splitlines()):
        yield number, "", key, []  # no funcname: Babel then takes the key as it is
