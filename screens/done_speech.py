"""The done screen read out whole, for a citizen who cannot read it: what happened and what is still to do, the
materials, where they go (address, hours), the time limit and whom to call, in the session's language. The
words are the screen's own (screens.done_text), said for the ear: no check boxes, one sentence a line, and
long numbers digit by digit, as a hotline number is read out. Without Kivy, so it is testable like the slips.
"""

from __future__ import annotations

import re

from kiosk.core.catalog import Catalog
from kiosk.core.settings import KioskSettings
from screens.done_text import application_sections, booking_sections
from screens.i18n import t

DIGIT_RUN = re.compile(r"\d{5,}|\d{3,4}(?=-)")  # a hotline or an area code, digit by digit
TRAILING = "。；;，,.： :"


def _sentences(text: str, language: str) -> str:
    stop = "。" if language == "zh" else ". "
    lines = (line.replace("□\u00a0", "").replace("\u00a0", " ").strip().rstrip(TRAILING) for line in text.splitlines())
    return stop.join(line for line in lines if line) + stop.strip()


def for_the_ear(text: str, language: str) -> str:
    return DIGIT_RUN.sub(lambda m: " ".join(m.group(0)), _sentences(text, language))


def done_speech(catalog: Catalog, settings: KioskSettings, subject: str, language: str) -> str:
    """The done screen for `subject` ("application:<item id>" or "booking:<item id>"), or "" when it names no
    item of the catalog."""
    kind, _, item_id = subject.partition(":")
    item = next((i for i in catalog.items if i.id == item_id), None)
    if item is None or kind not in ("application", "booking"):
        return ""
    if kind == "booking":
        intro = [t("done.booking_title", language), t("done.booking_next", language)]
        sections = booking_sections(item, settings, language)
    else:
        intro = [t("done.title", language), t("done.not_finished", language)]
        sections = application_sections(item, settings, language)
    colon = "：" if language == "zh" else ": "
    headed = [f"{t('done.materials', language)}{colon}{sections['materials']}",
              f"{t('done.where', language)}{colon}{sections['where']}",
              f"{t('done.time_limit', language)}{colon}{sections['time_limit']}",
              f"{t('done.phone', language)}{colon}{sections['phone']}"]
    return for_the_ear("\n".join([*intro, *headed]), language)
