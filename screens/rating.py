"""好差评 on the screens that end a service (done, guide printing, progress): the five levels in one tap under
what was done, a thank-you once sent, and for a low rating a panel asking why with a call for staff. What it
shows follows the session (kiosk.core.session.feedback); it sends intents only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout

from kiosk.core.ratings import LEVELS, LowRatingReason
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from kiosk.core.session.rating import rated_service
from screens.widgets import KButton, Overlay, WrapLabel, app, discard, load_more_rules

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class RatingBar(BoxLayout):
    """Empty until there is something to rate; then the question and the levels; then the thanks."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[object, ...] | None = None
        self._panel: ReasonPanel | None = None

    def show(self, state: KioskState) -> None:
        session = state.session
        service = rated_service(session) if session is not None else None
        feedback = session.feedback if session is not None else None
        language = app().lang
        shown = (service, feedback, language, app().elder)
        if shown != self._shown:
            self._shown = shown
            self._rebuild(service is not None, feedback.sent if feedback else False,
                          feedback.satisfaction if feedback else 0)
        asking = bool(service is not None and feedback is not None and feedback.asks_reason)
        if asking and self._panel is None:
            self._panel = ReasonPanel()
            self._panel.bind(on_dismiss=lambda *_a: setattr(self, "_panel", None))
            self._panel.open()
        elif not asking and self._panel is not None:
            panel, self._panel = self._panel, None
            panel.dismiss()

    def _rebuild(self, offered: bool, sent: bool, chosen: int) -> None:
        discard(self.children)
        self.clear_widgets()
        if not offered:
            return
        tr = app().tr
        if sent:
            self.add_widget(WrapLabel(text=tr("rating.thanks", app().lang), halign="center", bold=True))
            return
        self.add_widget(WrapLabel(text=tr("rating.question", app().lang), halign="center", bold=True))
        levels = Factory.RatingLevels(cols=3 if app().elder else 5)
        for level in LEVELS:
            button = KButton(text=tr(f"rating.level.{level}", app().lang), tag=f"rate:{level}",
                             kind="selected" if level == chosen else "choice")
            button.bind(on_release=lambda _b, n=level: app().send(ev.RatingGiven(n)))
            levels.add_widget(button)
        self.add_widget(levels)
        self.add_widget(WrapLabel(text=tr("rating.optional", app().lang), halign="center",
                                  color=app().palette.muted, font_size=app().fs_small))

    def clear(self) -> None:
        self._shown = None
        discard(self.children)
        self.clear_widgets()


class ReasonPanel(Overlay):
    """Why a low rating, from a short list; or skip; or call staff to come over."""

    def __init__(self, **kwargs: Any) -> None:
        load_more_rules()
        super().__init__(**kwargs)
        tr, language = app().tr, app().lang
        for reason in LowRatingReason:
            button = KButton(text=tr(f"rating.reason.{reason.value}", language), tag=f"rate_reason:{reason.value}",
                             kind="choice")
            button.bind(on_release=lambda _b, r=reason.value: app().send(ev.RatingReasonGiven(r)))
            self.ids.reasons.add_widget(button)

    def skip(self) -> None:
        app().send(ev.RatingReasonSkipped())

    def call_staff(self) -> None:
        app().send(ev.StaffCalled())
        self.ids.staff.disabled = True
        self.ids.staff.text = app().tr("rating.staff_called", app().lang)
