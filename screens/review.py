"""Review: everything the application will carry, masked, before it is submitted; the privacy shield shows it in
full for a few seconds, so the citizen can check a 20-digit certificate number or a child's ID number against
the paper in hand."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.utils import escape_markup

from kiosk.core.session import events as ev
from kiosk.core.session.forms import asked
from kiosk.core.session.model import KioskState
from screens.base import KioskScreen
from screens.form_rows import PrivacyShield
from screens.values import display_value

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ReviewScreen(KioskScreen):
    def on_kv_post(self, base_widget: object) -> None:
        shield: PrivacyShield = self.ids.shield
        shield.changed = lambda _lifted: self.render(self.app.state)

    def render(self, state: KioskState) -> None:
        session, item = state.session, state.item
        if session is None or item is None:
            return
        language = self.app.lang
        values = dict(session.form)
        full = self.ids.shield.lifted
        card_type = session.parties[0].card_type if session.parties else None
        lines = []
        for spec in item.form_fields:
            if not asked(spec, card_type):
                continue
            shown = (display_value(spec, values.get(spec.id, ""), language, full=full)
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
        self.ids.shield.drop()  # first: dropping it draws the values again, masked
        self.ids.values_label.text = ""
