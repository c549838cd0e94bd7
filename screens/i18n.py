"""Every user-visible string of the screens and every spoken prompt, from gettext catalogs, in zh (default),
ko and en.

The catalogs are `config/locales/<language>/LC_MESSAGES/kiosk.po`. Message ids are stable keys, never display
text: the Speak prompt ids of the session machine (`screen.<phase>`, `error.<reason>`, `notice.*`,
`idle_warning`), kiosk.core.health.Reason values and screen keys such as `button.home`. Catalog texts (item names,
materials, notes) are not here: the item catalog carries them in the three languages.

The compiled `.mo` files are build products (not in git): a `.mo` that is missing or older than its `.po` is
compiled here with Babel at first use, and written next to the `.po` when that folder is writable, so a fresh
clone works without a build step and an installed kiosk starts from the compiled files
(`python -m screens.i18n compile` or `pybabel compile -d config/locales -D kiosk` does it ahead of time).
An installed package ships the compiled `.mo` only (setup.py compiles them into kiosk/defaults/locales), and
those are read as they are.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import sys
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from kiosk.storage.config import shipped_config_dir

LANGUAGES = ("zh", "ko", "en")
LANGUAGE_NAMES = {"zh": "简体中文", "ko": "조선어/한국어", "en": "English"}
DOMAIN = "kiosk"
LOCALES_DIR = shipped_config_dir() / "locales"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(language: str, write: bool = True) -> bytes:
    """The `.mo` bytes of one language's `.po`, compiled with Babel; also written beside it if `write`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = po_path(language)
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    data = buffer.getvalue()
    if write:
        partial = po.with_suffix(f".{os.getpid()}.part")
        try:
            partial.write_bytes(data)
            partial.replace(po.with_suffix(".mo"))  # atomic: a second kiosk process never reads half a file
        except OSError:
            partial.unlink(missing_ok=True)  # a read-only install: use the compiled bytes from memory
    return data


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.GNUTranslations:
    """The language's messages: the compiled `.mo` when it is up to date, otherwise compiled from the `.po`."""
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    po = po_path(language)
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    return gettext.GNUTranslations(io.BytesIO(compile_catalog(language)))


def _messages(language: str) -> dict[Any, str]:
    return translations(language)._catalog  # type: ignore[attr-defined,no-any-return]


def keys(language: str) -> set[str]:
    """The message ids the language's catalog translates (plural messages by their singular id)."""
    found = set()
    for key in _messages(language):
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid:
            found.add(msgid)
    return found


def is_plural(key: str, language: str = "en") -> bool:
    return (key, 0) in _messages(language)


def t(key: str, language: str = "zh", **values: Any) -> str:
    """The text for `key` in `language`; an unknown key shows itself, so a gap is seen, never hidden.
    A plural message (e.g. `unit.days`) takes its form from the value `n`."""
    catalog = translations(language)
    if "n" in values and is_plural(key, language):
        text = catalog.ngettext(key, f"{key}.plural", int(values["n"]))
    else:
        text = catalog.gettext(key)
    return text.format(**values) if values else text


def day_text(day: date, language: str) -> str:
    """A day with its weekday on one line, in the reader's order: 12月7日 周一, 12월 7일 (월), Mon 7 Dec (never
    "12/7", which many English readers take for the 12th of July)."""
    return t("date.day", language, month=t(f"month.{day.month}", language), day=day.day,
             weekday=t(f"weekday.{day.weekday()}", language))


def has(key: str, language: str = "zh") -> bool:
    return key in keys(language)


def reason_text(reason: str, language: str) -> tuple[str, str]:
    """(what happened, what to do) for a kiosk.core.health.Reason value."""
    return t(f"error.{reason}", language), t(f"todo.{reason}", language)


def prompt_text(prompt_id: str, language: str, subject: str = "") -> str:
    """What the speech port says for a Speak prompt id (the runner's `prompt_text`). An error is said with
    what to do about it; a prompt id without a text says nothing. The subject (the done screen's item) is read
    out by the app's own hook (screens.done_speech); here the prompt alone is said."""
    if prompt_id.startswith("error.") and has(f"todo.{prompt_id[6:]}", language):
        happened, todo = reason_text(prompt_id[6:], language)
        return f"{happened}{'。' if language == 'zh' else '. '}{todo}"
    spoken = f"say.{prompt_id}"  # a wording made for the ear, where the screen's own text reads badly aloud
    if has(spoken, language):
        return t(spoken, language)
    return t(prompt_id, language) if has(prompt_id, language) else ""


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def main(argv: list[str]) -> int:
    """`python -m screens.i18n compile`: write every language's `.mo` (an install step; optional)."""
    if argv != ["compile"]:
        print("usage: python -m screens.i18n compile", file=sys.stderr)
        return 2
    for language in LANGUAGES:
        compile_catalog(language, write=True)
        print(po_path(language).with_suffix(".mo"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
