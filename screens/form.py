"""The application form: card fields pre-filled (shown masked), a short choice as buttons on the form (one tap),
longer ones from lists, 户籍所在地 down province → city → county lists, numbers on a keypad, and fields the window
staff complete. No free Chinese typing is needed for the apply items. A field the form does not ask of this
applicant (户籍所在地 of a Hong Kong, Macao, Taiwan or foreign card holder) is not shown.

In elder mode the form asks one thing per page: first what came from the card (to look at), then each field
the citizen fills in, on its own page; Next goes to the next page and sends the form from the last one."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from kiosk.core.catalog import FormField, Item
from kiosk.core.session import events as ev
from kiosk.core.session.forms import asked, hint
from kiosk.core.session.model import KioskState
from screens.base import KioskScreen
from screens.form_rows import ChoiceRow, DivisionPicker
from screens.values import display_value, keypad_shape, shown_inline
from screens.widgets import ChoiceEditor, FieldRow, KeypadEditor, PinyinEditor

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class FormScreen(KioskScreen):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._rows: dict[str, list[FieldRow | ChoiceRow]] = {}  # per item, built once
        self._item: Item | None = None
        self._values: dict[str, str] = {}
        self._page = 0  # elder mode: which page of the form is shown (a UI position, not personal)
        self._submitted = False
        self._asked: set[str] = set()  # the ids of the fields this applicant is asked for (not personal)

    def _rows_for(self, item: Item) -> list[FieldRow | ChoiceRow]:
        if item.id not in self._rows:
            rows: list[FieldRow | ChoiceRow] = []
            for spec in item.form_fields:
                row: FieldRow | ChoiceRow
                if shown_inline(spec):
                    row = ChoiceRow(tag=f"field:{spec.id}")
                    row.on_pick = lambda value, field_id=spec.id: self.send(ev.FieldChanged(field_id, value))
                else:
                    row = FieldRow(tag=f"field:{spec.id}", editable=spec.source == "manual")
                    row.bind(on_release=lambda _r, s=spec: self.edit(s))
                rows.append(row)
            self._rows[item.id] = rows
        return self._rows[item.id]

    def render(self, state: KioskState) -> None:
        session, item = state.session, state.item
        if session is None or item is None:
            return
        self._item = item
        self._values = dict(session.form)
        errors = dict(session.field_errors)
        language = self.app.lang
        card_type = session.parties[0].card_type if session.parties else None
        self._asked = {spec.id for spec in item.form_fields if asked(spec, card_type)}
        rows = self._rows_for(item)
        pages = self._pages(item, rows)
        if self._submitted and errors:
            self._page = next((n for n, page in enumerate(pages) if any(r.tag[6:] in errors for r in page)),
                              self._page)
        self._submitted = False
        self._page = min(self._page, len(pages) - 1)
        shown = pages[self._page]
        container = self.ids.fields
        if list(reversed(container.children)) != shown:
            container.clear_widgets()
            for row in shown:
                container.add_widget(row)
            self.ids.scroll.jump_to(1)
        self.ids.step.text = (self.tr("form.step", n=self._page + 1, total=len(pages))
                              if len(pages) > 1 else "")
        for spec, row in zip(item.form_fields, rows, strict=True):
            optional = "" if spec.required else self.tr("form.optional")
            row.label = spec.label.get(language) + optional
            if isinstance(row, ChoiceRow):
                row.selected = self._values.get(spec.id, "")
                row.choices = [(c.value, c.label.get(language)) for c in spec.choices]
            else:
                row.value = display_value(spec, self._values.get(spec.id, ""), language)
                row.hint = {"card": self.tr("form.from_card"), "staff": self.tr("form.staff")}.get(
                    spec.source, self.tr("form.tap_to_fill"))
            error = errors.get(spec.id)
            row.error = self.tr(f"field_error.{error}") if error else ""
        self.ids.item_name.text = item.names.get(language)
        # a page with one field (elder mode) says what it is for and where to find it, instead of leaving it
        # alone on an empty page
        alone = next((spec for spec, row in zip(item.form_fields, rows, strict=True) if [row] == shown), None)
        self.ids.help.text = alone.help.get(language) if alone is not None and alone.help is not None else ""

    def _pages(self, item: Item, rows: list[FieldRow | ChoiceRow]) -> list[list[FieldRow | ChoiceRow]]:
        shown = [(spec, row) for spec, row in zip(item.form_fields, rows, strict=True) if spec.id in self._asked]
        if not self.app.elder:
            return [[row for _spec, row in shown]]
        given = [row for spec, row in shown if spec.source != "manual"]
        filled = [[row] for spec, row in shown if spec.source == "manual"]
        return ([given] if given else []) + filled or [[row for _spec, row in shown]]

    def edit(self, spec: FormField) -> None:
        if spec.source != "manual":
            return
        title = spec.label.get(self.app.lang)
        current = self._values.get(spec.id, "")
        if spec.input == "division_lists":
            field_id = spec.id
            DivisionPicker(title, self.app.lang, current,
                           lambda value: self.send(ev.FieldChanged(field_id, value)),
                           hint=hint(spec, self._values)).open()
            return
        if spec.input == "choice":
            editor = ChoiceEditor(title=title, selected=current)
            editor.choices = [(c.value, c.label.get(self.app.lang)) for c in spec.choices]
        elif spec.input == "numeric_keypad":
            length, allow_x = keypad_shape(spec)
            editor = KeypadEditor(title=title, value=current, max_length=length, allow_x=allow_x)
        else:
            editor = PinyinEditor(title=title, value=current, chinese=True)
        editor.on_done = lambda value, field_id=spec.id: self.send(ev.FieldChanged(field_id, value))
        editor.open()

    def next(self) -> None:
        if self._item is not None and self._page < len(self._pages(self._item, self._rows_for(self._item))) - 1:
            self._page += 1
            self.render(self.app.state)
            return
        self._submitted = True
        self.send(ev.FormSubmitted())

    def back(self) -> None:
        if self._page > 0 and self.app.elder:
            self._page -= 1
            self.render(self.app.state)
            return
        self.send(ev.BackPressed())

    def on_leave(self, *_args: object) -> None:
        self.clear()  # the values are rendered again on the way back; meanwhile nothing stays on the rows

    def clear(self) -> None:
        self._values = {}
        self._page = 0
        self._submitted = False
        for rows in self._rows.values():
            for row in rows:
                if isinstance(row, ChoiceRow):
                    row.selected = ""
                else:
                    row.value = ""
                row.error = ""
