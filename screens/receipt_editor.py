"""The receipt typed by hand: its 办件编号 and the 查询码 printed beside it, on one keypad, for a citizen with
only the paper (or a photo of it) at a kiosk whose scanner cannot read it.

One keypad serves both fields: the number is typed first and, once it has all its 25 characters, the code
follows without a tap; a tap on either field goes back to it. Both are shown grouped as the done screen and
the slip group them. What is typed is wiped when the editor closes; the machine checks both before anything is
sent (kiosk.core.receipt_numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import OptionProperty, StringProperty

from kiosk.core.grouping import group_application_number, group_number
from kiosk.core.receipt_numbers import NUMBER_LENGTH, QUERY_CODE_LENGTH
from screens.widgets import MoreRules, Overlay

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

LIMITS = {"number": NUMBER_LENGTH, "code": QUERY_CODE_LENGTH}


class ReceiptEditor(MoreRules, Overlay):
    number = StringProperty("")
    code = StringProperty("")
    field = OptionProperty("number", options=list(LIMITS))
    on_done: Callable[[str, str], None] | None = None

    def on_kv_post(self, base_widget: object) -> None:
        self.ids.keypad.on_key = self.key

    def shown(self, value: str, field: str) -> str:
        """The field's value grouped for reading; the number's groups stay put while it is typed."""
        if not value:
            return " "
        return group_application_number(value) if field == "number" else group_number(value)

    def key(self, key: str) -> None:
        value = getattr(self, self.field)
        if key == "back" and not value and self.field == "code":
            self.field = "number"  # deleting past the start of the code goes on into the number
            self.number = self.number[:-1]
            return
        if key == "back":
            value = value[:-1]
        elif key == "clear":
            value = ""
        elif len(value) < LIMITS[self.field] and (key != "X" or len(value) == NUMBER_LENGTH - 1):
            value += key  # X is only ever the number's last character (its check character)
        setattr(self, self.field, value)
        if self.field == "number" and len(value) == NUMBER_LENGTH:
            self.field = "code"

    def ok(self) -> None:
        number, code, done = self.number, self.code, self.on_done
        self.dismiss()
        if done is not None and (number or code):
            done(number, code)

    def wipe(self) -> None:
        self.number = self.code = ""
        self.field = "number"
        self.on_done = None
