"""Form parts that save taps or show what must be checked: a short choice as buttons on the form itself (one tap
instead of opening a list), 户籍所在地 chosen down the lists province → city → county, and the privacy shield
the citizen lifts to check a value in full."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.core import divisions
from screens.i18n import t
from screens.widgets import ChoiceEditor, KButton, app, discard

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

OTHER = "other"  # the hint's second answer: not this county, go down the lists

SHIELD_SECONDS = 10  # long enough to read a 20-digit number against the certificate, short enough for the next person


class ChoiceRow(BoxLayout):
    """One choice field with its few choices as buttons under the label; the chosen one is marked."""

    tag = StringProperty("")
    label = StringProperty("")
    error = StringProperty("")
    choices = ListProperty([])  # (value, label)
    selected = StringProperty("")
    on_pick: Callable[[str], None] | None = None

    def on_choices(self, _row: object, choices: list[tuple[str, str]]) -> None:
        grid = self.ids.grid
        discard(grid.children)
        grid.clear_widgets()
        short = all(len(label) <= 8 for _value, label in choices)
        grid.cols = len(choices) if short and len(choices) <= 4 else 2
        field = self.tag.removeprefix("field:")
        for value, label in choices:
            button = KButton(text=label, tag=f"pick:{field}:{value}",
                             kind="selected" if value == self.selected else "choice")
            button.bind(on_release=lambda _b, v=value: self.pick(v))
            grid.add_widget(button)

    def on_selected(self, _row: object, selected: str) -> None:
        for button in self.ids.grid.children:
            button.kind = "selected" if button.tag.rsplit(":", 1)[1] == selected else "choice"

    def pick(self, value: str) -> None:
        if self.on_pick is not None:
            self.on_pick(value)


class DivisionPicker:
    """户籍所在地 down three lists: the province, its cities, the city's counties. A level with only one entry
    (a municipality's one city, a city without counties) is taken without asking. Cancel keeps what was there.
    A hint (the county a typed ID number was issued in) is asked about first, to take with one tap or to go
    down the lists from. In Korean and English each place shows its translated name over the Chinese one."""

    def __init__(self, title: str, language: str, current: str, on_done: Callable[[str], None],
                 hint: str = "") -> None:
        self.title = title
        self.language = language
        self.on_done = on_done
        self.hint = "" if current else hint
        found = divisions.path(current or self.hint)
        self.current = tuple(d.code for d in found) if found else ("", "", "")

    def open(self) -> None:
        if self.hint:
            self._ask(t("division.hint", self.language), [], "", self._hint_answered,
                      [(self.hint, divisions.shown_name(self.hint, self.language)),
                       (OTHER, t("division.other", self.language))])
            return
        self._provinces()

    def _hint_answered(self, answer: str) -> None:
        if answer == OTHER:
            self._provinces()
        else:
            self.on_done(answer)

    def _provinces(self) -> None:
        self._ask(t("division.province", self.language), divisions.provinces(), self.current[0],
                  self._province_chosen)

    def _label(self, division: divisions.Division) -> str:
        local = divisions.local_name(division, self.language)
        return division.name if local == division.name else f"{local}\n{division.name}"

    def _ask(self, step: str, options: list[divisions.Division], selected: str,
             then: Callable[[str], None], choices: list[tuple[str, str]] | None = None) -> None:
        colon = "：" if self.language == "zh" else ": "
        editor = ChoiceEditor(title=f"{self.title}{colon}{step}", selected=selected)
        editor.choices = choices if choices is not None else [(d.code, self._label(d)) for d in options]
        editor.on_done = then
        editor.open()

    def _province_chosen(self, province: str) -> None:
        cities = divisions.cities(province)
        if len(cities) == 1:
            self._city_chosen(cities[0].code)
            return
        self._ask(t("division.city", self.language), cities, self.current[1], self._city_chosen)

    def _city_chosen(self, city: str) -> None:
        counties = divisions.counties(city)
        if len(counties) == 1:
            self.on_done(counties[0].code)
            return
        self._ask(t("division.county", self.language), counties, self.current[2], self.on_done)


class PrivacyShield(KButton):
    """Lifts with one tap to show the values the citizen is asked to check in full, and drops by itself after
    SHIELD_SECONDS (or at a second tap, or when the screen is left). `changed` is told each time."""

    lifted = BooleanProperty(False)
    seconds = NumericProperty(SHIELD_SECONDS)
    changed: Callable[[bool], None] | None = None
    _timer: Any = None

    def on_release(self) -> None:
        if self.lifted:
            self.drop()
        else:
            self.lift()

    def lift(self) -> None:
        self._cancel()
        self._timer = app().scheduler.call_later(self.seconds, self.drop)
        self.lifted = True

    def drop(self) -> None:
        self._cancel()
        self.lifted = False

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def on_lifted(self, _shield: object, lifted: bool) -> None:
        if self.changed is not None:
            self.changed(lifted)
