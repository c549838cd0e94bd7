"""The progress screen's text of one application, without Kivy (so the words are testable like the slips'): its
status, what that means and what to do next, and for a 补正 what to bring, where, and by when."""

from __future__ import annotations

from kiosk.core.catalog import Item
from kiosk.core.grouping import group_number
from kiosk.core.localtime import local_text
from kiosk.core.records import Correction, ProgressRecord
from screens.guide_text import escape_markup as esc
from screens.i18n import t


def correction_text(correction: Correction, item: Item | None, language: str) -> str:
    """The materials in the citizen's language where the catalog names them (staff's own words stay Chinese)."""
    names = {m.id: m.name.get(language) for m in item.materials} if item is not None else {}
    # the marker is glued to its text, so "•" never stands alone on a line (kiosk.core.linebreak.lone_markers)
    bring = "\n".join(f"•\u00a0{esc(names.get(material_id) or name)}" for material_id, name in correction.materials)
    due = correction.due
    when = (f"{t('date.full', language, year=due.year, month=due.month, day=due.day)} "
            f"{t(f'weekday.{due.weekday()}', language)}")
    return (f"[b]{esc(t('progress.correction_bring', language))}[/b]\n{bring}"
            f"\n{esc(t('progress.correction_where', language, place=correction.place))}"
            f"\n[b]{esc(t('progress.correction_due', language, date=when))}[/b]")


def _shown_number(number: str) -> str:
    """A 办件编号 grouped for reading as on the done screen; a local reference (letters and hyphens) as printed."""
    return group_number(number) if number.isascii() and number.isalnum() else number


def record_text(record: ProgressRecord, item: Item | None, language: str, colour: str) -> str:
    """One application as Kivy markup; the time as the kiosk's clock shows it."""
    name = item.short_names.get(language) if item is not None else record.item_id
    status = record.status.value
    text = (f"[b]{esc(name)}[/b]\n{t('progress.number', language)} {esc(_shown_number(record.application_number))}"
            f"\n[color={colour}][b]{t(f'status.{status}', language)}[/b][/color]  "
            f"{t('progress.updated', language, time=local_text(record.updated_at))}"
            f"\n{esc(t(f'status_meaning.{status}', language))}"
            f"\n[b]{esc(t('progress.next', language))}[/b]{esc(t(f'status_next.{status}', language))}")
    if record.correction is not None:
        text += "\n" + correction_text(record.correction, item, language)
    return text
