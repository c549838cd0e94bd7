"""Review: everything the application will carry, masked, before it is submitted."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.utils import escape_markup

from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from screens.base import KioskScreen
from screens.values import display_value

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ReviewScreen(KioskScreen):
    def render(self, state: KioskState) -> None:
        session, item = state.session, state.item
        if session is None or item is None:
            return
        language = self.app.lang
        values = dict(session.form)
        lines = []
        for spec in item.form_fields:
            shown = (display_value(spec, values.get(spec.id, ""), language)
                     or (self.tr("form.staff") if spec.source == "staff" else "—"))
            lines.append(f"[size={int(self.app.fs_small)}][color=555555]{escape_markup(spec.label.get(language))}"
                         f"[/color][/size]\n[b]{escape_markup(shown)}[/b]")
        self.ids.item_name.text = item.names.get(language)
        self.ids.values_label.text = "\n\n".join(lines)

    def confirm(self) -> None:
        self.send(ev.ReviewConfirmed())

    def back(self) -> None:
        self.send(ev.BackPressed())

    def on_leave(self, *_args: object) -> None:
        self.clear()

    def clear(self) -> None:
        self.ids.values_label.text = ""
