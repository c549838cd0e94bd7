"""Home: categories of items, search, progress query. Language, elder mode, staff call and the kiosk id are in
the app's top bar, on every screen."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from screens.availability_text import category_note
from screens.base import KioskScreen
from screens.widgets import ButtonPool, PinyinEditor, TypedEditor

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class HomeScreen(KioskScreen):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._tiles = ButtonPool()
        self._categories: list[str] = []

    def render(self, state: KioskState) -> None:
        self._categories = state.rules.catalog.categories
        specs = []
        for category in self._categories:
            text = (f"[b]{self.tr(f'category.{category}')}[/b]\n"
                    f"[size={int(self.app.fs_small)}]{self.tr(f'category_hint.{category}')}[/size]"
                    + category_note(state, category, self.app.lang, int(self.app.fs_small)))
            specs.append((f"category:{category}", text, "tile",
                          lambda c=category: self.send(ev.CategoryChosen(c))))
        self._tiles.show(self.ids.categories, specs)

    def open_search(self) -> None:
        title = self.tr("search.title")
        if self.app.lang == "ko":
            from screens.hangul import HangulEditor  # hangul-jamo is loaded when a Korean search is first typed

            editor: TypedEditor = HangulEditor(title=title)
        else:
            editor = PinyinEditor(title=title, chinese=self.app.lang == "zh", hint="search.hint", keep_letters=True)
        editor.on_done = lambda text: self.send(ev.SearchChanged(text)) if text.strip() else None
        editor.open()

    def progress(self) -> None:
        self.send(ev.ProgressQueryStarted())
