"""Identify: place the card (with an animation), reading, errors with what to do, and the manual fallback
that takes the ID number on a keypad and the name on the pinyin keypad. The checksum is validated by the
session core (kiosk.core.identity) and its problems are shown here."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.core.grouping import group_id_number
from kiosk.core.identity import mask_id_number, mask_name
from kiosk.core.session import events as ev
from kiosk.core.session.identification import NEEDS_ANOTHER_CARD
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import IdentifyStatus
from screens.base import KioskScreen
from screens.form_rows import PrivacyShield  # noqa: F401  (its kv rule, used in ManualPanel)
from screens.i18n import reason_text
from screens.widgets import KeypadEditor, PinyinEditor, show


class ReadingPanel(BoxLayout):
    placed = BooleanProperty(False)


class FailedPanel(BoxLayout):
    title = StringProperty("")
    todo = StringProperty("")
    code = StringProperty("")
    other_card = BooleanProperty(False)


class ManualPanel(BoxLayout):
    id_display = StringProperty("")
    name_display = StringProperty("")
    problems = StringProperty("")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class IdentifyScreen(KioskScreen):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.reading = ReadingPanel()
        self.failed = FailedPanel()
        self.manual = ManualPanel()
        self._shield = self.manual.ids.shield.__self__
        self._shield.changed = lambda _lifted: self._show_typed()
        self._id_number = ""  # typed on the keypad: personal, forgotten with the session
        self._name = ""
        self._status: IdentifyStatus | None = None

    def render(self, state: KioskState) -> None:
        session, item = state.session, state.item
        if session is None or item is None:
            return
        total = item.parties
        self.ids.party.text = (self.tr("identify.party", n=min(len(session.parties) + 1, total), total=total)
                               if total > 1 else "")
        notice = session.notice if session.notice in ("next_party", "same_person") else None
        self.ids.notice.text = self.tr(f"notice.{notice}") if notice else ""
        status = session.identification.status
        if status != IdentifyStatus.MANUAL and self._status == IdentifyStatus.MANUAL:
            self._forget_typed()
        self._status = status
        if status == IdentifyStatus.MANUAL:
            panel = self.manual
            self.manual.problems = "\n".join(self.tr(f"manual.{p}") for p in session.identification.manual_problems)
            self._show_typed()
        elif status == IdentifyStatus.FAILED:
            panel = self.failed
            reason = session.identification.error.value if session.identification.error else "card_unreadable"
            self.failed.title, self.failed.todo = reason_text(reason, self.app.lang)
            self.failed.code = reason.upper()
            self.failed.other_card = session.identification.error in NEEDS_ANOTHER_CARD
        else:
            panel = self.reading
            self.reading.placed = session.identification.placed
        body = self.ids.body
        if panel.parent is not body:
            body.clear_widgets()
            body.add_widget(panel)
        if panel is self.reading:
            self.reading.ids.card.start()
        else:
            self.reading.ids.card.stop()
        manual_mode = status == IdentifyStatus.MANUAL
        self.ids.switch.text = self.tr("identify.use_card" if manual_mode else "identify.manual")
        self.ids.switch.tag = "identify:use_card" if manual_mode else "identify:manual"

    def on_leave(self, *_args: object) -> None:
        self.reading.ids.card.stop()
        self._shield.drop()

    # ---- intents ----

    def back(self) -> None:
        self.send(ev.BackPressed())

    def retry(self) -> None:
        self.send(ev.CardReadRetried())

    def switch(self) -> None:
        if self._status == IdentifyStatus.MANUAL:
            self.send(ev.CardReadRetried())
        else:
            self.send(ev.ManualEntryChosen())

    def edit_id_number(self) -> None:
        editor = KeypadEditor(title=self.tr("identify.id_number"), allow_x=True, max_length=18,
                              value=self._id_number)
        editor.on_done = self._set_id_number
        editor.open()

    def edit_name(self) -> None:
        editor = PinyinEditor(title=self.tr("identify.name"), chinese=True, max_length=20, value=self._name)
        editor.on_done = self._set_name
        editor.open()

    def confirm(self) -> None:
        self.send(ev.ManualIdentityEntered(name=self._name, id_number=self._id_number))

    # ---- what was typed ----

    def _set_id_number(self, value: str) -> None:
        self._id_number = value
        self._show_typed()

    def _set_name(self, value: str) -> None:
        self._name = value
        self._show_typed()

    def _show_typed(self) -> None:
        """Masked, unless the citizen lifted the shield to check what was typed against the card or booklet (a
        check digit said to be wrong cannot be checked on a masked number)."""
        full = self._shield.lifted
        if self._id_number:
            self.manual.id_display = group_id_number(self._id_number) if full else mask_id_number(self._id_number)
        else:
            self.manual.id_display = ""
        self.manual.name_display = (self._name if full else mask_name(self._name)) if self._name else ""
        show(self._shield, bool(self._id_number or self._name))

    def _forget_typed(self) -> None:
        self._shield.drop()
        self._id_number = ""
        self._name = ""
        self._show_typed()
        self.manual.problems = ""

    def clear(self) -> None:
        self._forget_typed()
        self._status = None
        self.ids.notice.text = ""
        self.reading.ids.card.stop()
