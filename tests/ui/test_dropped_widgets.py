"""Widgets the app makes and drops while it runs (editors, panels, keypads, candidate keys) must leave no kv rule
bound to the app, and must be freed.

Kivy unbinds a widget's kv rules (`color: app.palette.text`, `font_size: app.fs_body`, ...) only when the garbage
collector frees the widget. Until then a dropped widget's rules run again whenever the palette, the sizes or the
language change; and if the collector runs while one of them is being evaluated, the widget dies under the rule
and Kivy's ReferenceError escapes from the property change into the touch that caused it: the app crashed when a
citizen tapped elder mode (seen in a full run on a loaded machine, test_identify_errors_and_manual_entry). These
tests make the collector run at that moment, or not at all, instead of waiting for it to happen by chance."""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from kiosk.core.session.states import IdentifyStatus
from tests.ui.harness import Harness
from tests.ui.test_journeys import reach_form, reader_missing_at_identify
from tests.ui.test_maintenance import corner_taps

pytestmark = pytest.mark.slow


@contextmanager
def collector_off() -> Iterator[None]:
    """No automatic collection: what is dropped stays in memory, still bound, until `gc.collect()` is called."""
    was_on = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def dropped_while_bound(action: Callable[[], None]) -> list[str]:
    """The classes of the widgets that `action` dropped with kv rules still bound: those whose rules a collection
    unbinds (Kivy unbinds a widget's rules from its destructor)."""
    from kivy.lang.builder import _handlers
    from kivy.uix.widget import _widget_destructors

    with collector_off():
        action()
        bound = set(_handlers)
        names = {uid: type(proxy.__self__).__name__ for uid, (_f, proxy) in _widget_destructors.items()
                 if uid in bound}
        gc.collect()
        return sorted(names.get(uid, "?") for uid in bound - set(_handlers))


def to_manual_entry(kiosk: Harness) -> None:
    p = kiosk.pilot
    reader_missing_at_identify(kiosk)
    p.tap("identify:manual")
    p.wait_until(lambda: p.state.session.identification.status == IdentifyStatus.MANUAL, what="manual entry")


def top_overlay(kiosk: Harness) -> Any:
    from screens.widgets import Overlay

    layer = kiosk.pilot.layers()[0]
    assert isinstance(layer, Overlay), f"no overlay open, on top: {layer!r}"
    return layer


class CollectingKind(str):
    """A button `kind` that runs the garbage collector when the palette looks its colours up, once armed: the
    collector running in the middle of a rule, as it does when allocations cross its threshold there."""

    armed = False

    def __hash__(self) -> int:
        if CollectingKind.armed:
            gc.collect()
        return str.__hash__(self)


def test_a_collection_while_elder_mode_restyles_a_closed_keypad_does_not_crash(kiosk: Harness) -> None:
    from screens import theme

    p = kiosk.pilot
    to_manual_entry(kiosk)
    p.tap("manual:id_number")
    key = p.find("key:1")
    key.kind = CollectingKind("choice")  # drawn as a key; its colour rule reads app.palette.button_text(self.kind)
    del key
    with collector_off():
        p.tap("editor:cancel")
        p.frames(2)
        CollectingKind.armed = True
        try:
            p.tap("bar:elder")  # the palette changes: was ReferenceError from the closed keypad's key
        finally:
            CollectingKind.armed = False
    assert kiosk.app.elder and kiosk.app.palette is theme.ELDER_PALETTE
    p.tap("bar:elder")
    assert not kiosk.app.elder and kiosk.app.palette is theme.NORMAL_PALETTE


def test_the_safety_net_behind_discard(kiosk: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Should some code drop a widget without discarding it: no automatic collection runs while a language or
    elder-mode change runs the rules again, and the collection after a session logs how many there were."""
    from screens.widgets import KButton

    p = kiosk.pilot
    app = kiosk.app
    collector_on: list[tuple[str, bool]] = []
    bound = [(name, app.fbind(name, lambda *_a, n=name: collector_on.append((n, gc.isenabled()))))
             for name in ("lang", "palette")]
    try:
        p.tap("bar:lang:en")  # the first touch starts a session, in English
        p.tap("bar:elder")
    finally:
        for name, uid in bound:
            app.unbind_uid(name, uid)
    assert collector_on == [("lang", False), ("palette", False)] and gc.isenabled()
    p.tap("bar:home")
    p.wait_until(lambda: p.state.session is None, what="the session ended")
    with collector_off(), caplog.at_level(logging.WARNING, logger="kiosk.screens"):
        KButton(text="dropped")  # made and dropped without discard: its rules stay bound until it is freed
        app._release_if_idle(0)  # what the app does a few seconds after a session
    records = [r for r in caplog.records if r.getMessage() == "dropped_widgets_still_bound"]
    assert [r.kiosk_fields for r in records] == [{"count": 1}]  # type: ignore[attr-defined]


def test_closed_identify_editors_leave_nothing_bound_and_are_freed(kiosk: Harness) -> None:
    p = kiosk.pilot
    to_manual_entry(kiosk)
    editors: list[weakref.ref[Any]] = []

    def keypad() -> None:
        p.tap("manual:id_number")
        editors.append(weakref.ref(top_overlay(kiosk)))
        p.type_keys("220")
        p.tap("editor:cancel")
        p.frames(2)

    def pinyin() -> None:
        p.tap("manual:name")
        editors.append(weakref.ref(top_overlay(kiosk)))
        for letter in "zhang":  # each letter shows new candidates
            p.tap(f"letter:{letter}", frames=1)
        p.tap("candidate:0")
        p.tap("letter:s")
        p.tap("editor:cancel")
        p.frames(2)

    assert dropped_while_bound(keypad) == []
    assert dropped_while_bound(pinyin) == []
    gc.collect()
    assert [ref() for ref in editors] == [None, None], "a closed editor is still in memory"


def test_closed_panels_and_choices_leave_nothing_bound_and_are_freed(kiosk: Harness) -> None:
    p = kiosk.pilot
    overlays: list[weakref.ref[Any]] = []

    def voice() -> None:
        p.tap("bar:voice")
        overlays.append(weakref.ref(top_overlay(kiosk)))
        p.tap("voice:louder")
        p.tap("voice:close")
        p.frames(2)

    def search() -> None:
        p.tap("home:search")
        overlays.append(weakref.ref(top_overlay(kiosk)))
        p.tap("letter:m", frames=1)
        p.tap("editor:cancel")
        p.frames(2)

    def choice() -> None:
        p.tap("field:hukou_division")
        overlays.append(weakref.ref(top_overlay(kiosk)))
        p.tap("editor:cancel")
        p.frames(2)

    def pin_pad() -> None:
        corner_taps(kiosk)
        p.wait_until(lambda: p.has("pin:cancel"), what="the PIN pad")
        overlays.append(weakref.ref(top_overlay(kiosk)))
        p.tap("pin:cancel")
        p.frames(2)

    p.tap("bar:lang:zh")  # the first touch starts a session
    assert dropped_while_bound(voice) == []
    assert dropped_while_bound(search) == []
    p.tap("bar:home")
    p.wait_until(lambda: p.state.session is None, what="no session")
    assert dropped_while_bound(pin_pad) == []
    reach_form(kiosk)
    assert dropped_while_bound(choice) == []
    p.frames(30)  # a scroll view's glide holds its widget until it ends (half a second): not a leak
    gc.collect()
    assert [ref() for ref in overlays] == [None] * 4, "a closed overlay is still in memory"
