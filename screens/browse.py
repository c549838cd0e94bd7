"""The item list: the items of a category, or those matching a search."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from kiosk.core.search import find_items
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState
from screens.availability_text import item_note
from screens.base import KioskScreen
from screens.i18n import t
from screens.pinyin import readings
from screens.widgets import ButtonPool

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class BrowseScreen(KioskScreen):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._buttons = ButtonPool()
        self._shown: tuple[str | None, str] | None = None  # the list on screen: category, or search text

    def render(self, state: KioskState) -> None:
        session = state.session
        if session is None:
            return
        catalog = state.rules.catalog
        language = self.app.lang
        if session.category:
            items = catalog.by_category(session.category)
            self.ids.title.text = self.tr(f"category.{session.category}")
        else:
            shown_as = {category: [t(f"{key}.{category}", lang) for key in ("category", "category_hint")
                                   for lang in dict.fromkeys((language, "zh"))]
                        for category in catalog.categories}
            items = find_items(catalog, session.search, language, shown_as, readings)
            self.ids.title.text = self.tr("browse.search", query=session.search)
        self.ids.empty.text = "" if items else self.tr("browse.empty")
        specs = []
        for item in items:
            text = (f"[b]{item.names.get(language)}[/b]\n"
                    f"[size={int(self.app.fs_small)}]{self.tr(f'kiosk_action.{item.kiosk_action}')}[/size]"
                    + item_note(state, item, language, int(self.app.fs_small)))
            specs.append((f"item:{item.id}", text, "tile", lambda i=item.id: self.send(ev.ItemChosen(i))))
        self._buttons.show(self.ids.item_list, specs)
        if (session.category, session.search) != self._shown:  # another list: from its top
            self.ids.scroll.jump_to(1)
            self._shown = (session.category, session.search)

    def back(self) -> None:
        self.send(ev.BackPressed())

    def clear(self) -> None:
        self.ids.title.text = ""  # a search text is the citizen's own typing
        self._shown = None
