"""The base of every screen: render the state, send intents up, forget personal data when told.

Screens never touch devices or the network; everything they do is an intent given to the app.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.uix.screenmanager import Screen

from kiosk.core.catalog import Item
from kiosk.core.session import events as ev
from kiosk.core.session.model import KioskState, Session
from screens.i18n import t
from screens.widgets import Scroller


class KioskScreen(Screen):
    def render(self, state: KioskState) -> None:
        """Show `state`; called on the UI thread whenever it changes while this screen is current."""

    def clear(self) -> None:
        """Forget anything personal this screen shows or holds; called when a session ends."""

    def scroll_to_top(self) -> None:
        """Show every scrolling part from its top: the next citizen does not start where the last one had read
        to (a screen keeps its texts and rows from one session to the next, and with them their scrolling)."""
        for widget in self.walk(restrict=True):
            if isinstance(widget, Scroller):
                widget.jump_to(1)

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def send(self, event: ev.Event) -> None:
        self.app.send(event)

    def tr(self, key: str, **values: Any) -> str:
        return t(key, self.app.lang, **values)

    @staticmethod
    def session_of(state: KioskState) -> Session | None:
        return state.session

    @staticmethod
    def item_of(state: KioskState) -> Item | None:
        return state.item
