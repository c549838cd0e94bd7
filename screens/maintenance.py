"""Maintenance mode on the glass: the hidden way in and the staff screen.

The way in: five taps within four seconds in the top-right corner (over the kiosk id), then the PIN on a
keypad or a staff card on the reader. Nothing on the glass hints at it, and without the PIN or an allowed
card it leads nowhere. Everything staff do goes through kiosk.shell.maintenance_desk, which audits it; slow
actions run on a worker thread and their outcome comes back through Kivy's clock. Staff who walk away are
signed out after ten minutes without a touch.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.label import Label

from kiosk.core.health import Component, DeviceError, Health, Reason, Status
from kiosk.core.readiness import Verdict
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import Lifecycle
from kiosk.shell.maintenance_desk import Entry, MaintenanceDesk, OutboxView, Outcome, Today
from kiosk.shell.system_actions import SystemActions
from kiosk.storage.print_journal import JobRecord
from screens.base import KioskScreen
from screens.i18n import t
from screens.maintenance_texts import (
    OOS_PRESETS,
    PRESET_PREFIX,
    entry_text,
    health_line,
    outcome_text,
    service_text,
    tech_line,
    today_text,
)
from screens.widgets import ChoiceEditor, KeypadEditor, Overlay, PinyinEditor

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

GESTURE_TAPS = 5
GESTURE_WINDOW_S = 4.0
CORNER_DP = (260, 80)  # width, height of the top-right corner that counts the taps
IDLE_EXIT_S = 600.0
PIN_MAX = 12
SECTIONS = ("devices", "printing", "outbox", "service", "system")  # each has its outcome line: result_<section>
COMPONENTS = (Component.READER, Component.PRINTER, Component.BACKEND, Component.DISK, Component.SPEECH,
              Component.SCANNER, Component.SIGNAL)
STATUS_COLOUR = {Status.OK: "2e7d32", Status.DEGRADED: "b26a00", Status.UNAVAILABLE: "c62828",
                 Status.UNKNOWN: "555555"}


def install_maintenance(app: Any) -> MaintenanceDesk:
    """Give the app its maintenance desk and the hidden way in (the app restores staff's out-of-service switch)."""
    kiosk = app.kiosk
    try:
        reader = kiosk.staff_card_reader()
    except Exception:  # a staff reader that cannot be made must never stop the kiosk starting: PIN only
        reader = None
    desk = MaintenanceDesk(kiosk.config, lambda: kiosk.state, kiosk.ports, app.post, app.monitor.check_now,
                           SystemActions(exit_app=app.stop), card_reader=reader)
    desk.calendar = kiosk.calendar  # the divorce dates on reprinted appointment slips follow holidays.toml
    app.desk = kiosk.use_desk(desk)  # staff's console commands go through it too
    app.staff_gesture = StaffGesture(app, lambda: open_pin(app))
    return desk


def open_pin(app: Any) -> PinOverlay:
    overlay = PinOverlay(app.desk)
    overlay.open()
    return overlay


def run_in_background(work: Callable[[], Any], done: Callable[[Any], None]) -> None:
    """`work` on a worker thread; `done(result)` back on the UI thread. An exception becomes the result."""
    def worker() -> None:
        try:
            result: Any = work()
        except Exception as exc:  # shown as a failure; the desk already audited what it could
            result = Outcome(False, "failed", type(exc).__name__)
        Clock.schedule_once(lambda _dt: done(result), 0)
    threading.Thread(target=worker, name="kiosk-maintenance", daemon=True).start()


def _window() -> Any:
    """Imported late: importing kivy.core.window creates the window, which must wait for the profile's size."""
    from kivy.core.window import Window

    return Window


class StaffGesture:
    """Counts taps in the top-right corner; the fifth within the window opens the PIN pad. Never eats a touch."""

    def __init__(self, app: Any, on_gesture: Callable[[], object]) -> None:
        self.app = app
        self.on_gesture = on_gesture
        self.taps: deque[float] = deque(maxlen=GESTURE_TAPS)
        _window().bind(on_touch_down=self._touch)

    def _touch(self, window: Any, touch: Any) -> bool:
        if self.app.state.lifecycle == Lifecycle.MAINTENANCE or any(
                isinstance(o, PinOverlay) for o in self.app.overlays):
            return False
        x, y = touch.pos
        width, height = CORNER_DP
        if x < window.width - dp(width) or y < window.height - dp(height):
            self.taps.clear()
            return False
        now = self.app.scheduler.now()
        while self.taps and now - self.taps[0] > GESTURE_WINDOW_S:
            self.taps.popleft()
        self.taps.append(now)
        if len(self.taps) >= GESTURE_TAPS:
            self.taps.clear()
            Clock.schedule_once(lambda _dt: self.on_gesture(), 0)  # after this touch has been handled
        return False

    def unbind(self) -> None:
        _window().unbind(on_touch_down=self._touch)


class PinOverlay(Overlay):
    """The PIN pad (digits shown as dots) and the staff card button; holds the digits only until OK."""

    dots = StringProperty("")
    message = StringProperty("")
    can_card = BooleanProperty(False)
    locked = BooleanProperty(False)
    reading = BooleanProperty(False)

    def __init__(self, desk: MaintenanceDesk, **kwargs: Any) -> None:
        self.desk = desk
        self._pin = ""
        self._token = 0
        self._tick: Any = None
        super().__init__(**kwargs)
        self.can_card = desk.card_reader is not None

    def on_kv_post(self, base_widget: object) -> None:
        self.ids.keypad.on_key = self.key

    def on_open(self) -> None:
        super().on_open()
        if not self.desk.pin_configured:
            self.message = t("maint.entry.no_pin", self._lang)
        self._show_lock(self.desk.locked_s())

    @property
    def _lang(self) -> str:
        from kivy.app import App

        return str(App.get_running_app().lang)

    def key(self, key: str) -> None:
        if self.locked:
            return
        if key == "back":
            self._pin = self._pin[:-1]
        elif key == "clear":
            self._pin = ""
        elif key.isdigit() and len(self._pin) < PIN_MAX:
            self._pin += key
        self.dots = "●" * len(self._pin)

    def ok(self) -> None:
        pin, self._pin, self.dots = self._pin, "", ""
        if self.locked or not pin:
            return
        self._answer(self.desk.try_pin(pin))

    def card(self) -> None:
        reader = self.desk.card_reader
        if reader is None or self.reading:
            return
        self._token += 1
        token = self._token
        self.reading = True
        self.message = t("maint.card_waiting", self._lang)

        def read() -> Any:
            try:
                return reader.read_card_uid(15.0)
            except DeviceError as exc:
                return Entry(False, "card_error", detail=exc.reason.value)

        def done(result: Any) -> None:
            if token != self._token:
                return  # the pad was closed or a new read started: this badge no longer counts
            self.reading = False
            self._answer(result if isinstance(result, Entry) else self.desk.try_card(str(result)))

        run_in_background(read, done)

    def _answer(self, entry: Entry) -> None:
        if entry.ok:
            self.dismiss()
            return
        self.message = entry_text(entry, self._lang)
        self._show_lock(entry.locked_s)

    def _show_lock(self, seconds: int) -> None:
        self.locked = seconds > 0
        if self.locked:
            self.message = t("maint.entry.locked", self._lang, seconds=seconds)
            if self._tick is None:
                self._tick = Clock.schedule_interval(lambda _dt: self._show_lock(self.desk.locked_s()), 1.0)
        elif self._tick is not None:
            self._tick.cancel()
            self._tick = None
            self.message = ""

    def wipe(self) -> None:
        self._pin, self.dots, self.message = "", "", ""
        self._token += 1
        self.reading = False
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None


class MaintenanceScreen(KioskScreen):
    """The staff screen. The summary at the top stays in view (the service as citizens get it, each device,
    today's printing, the outbox); each action's outcome appears in the line under its own buttons and is
    spoken, so staff see what their tap did where their finger is."""

    busy = BooleanProperty(False)
    result = StringProperty("")  # the last outcome, also shown in its section's line
    result_ok = BooleanProperty(True)
    actor = StringProperty("")
    service = StringProperty("")
    service_ok = BooleanProperty(True)
    out_of_service = BooleanProperty(False)
    outbox_text = StringProperty("")
    today = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: dict[Component, Label] = {}
        self._idle_check: Any = None
        self._last_touch = 0.0
        self._verdict: Verdict | None = None
        self._last_line: Any = None  # the outcome line last written, kept in view while the summary changes

    @property
    def desk(self) -> MaintenanceDesk:
        return self.app.desk  # type: ignore[no-any-return]

    # ---- showing ----

    def render(self, state: KioskState) -> None:
        lang = self.app.lang
        actor = self.desk.actor or "-"
        self.actor = t("maint.who", lang, actor=t("maint.actor_pin", lang) if actor == "pin" else actor)
        self.out_of_service = state.out_of_service_reason == Reason.STAFF_OUT_OF_SERVICE
        self.service, self.service_ok = service_text(state, self._verdict, lang)
        box = self.ids.devices
        tech = []
        for component in COMPONENTS:
            if ((component == Component.SCANNER and self.app.kiosk.ports.scanner is None)
                    or (component == Component.SIGNAL and self.app.kiosk.ports.signal is None)):
                continue  # a kiosk without a scanner or a call light: no row saying "unknown"
            health = state.health_of(component) or Health.unknown(component)
            row = self._rows.get(component)
            if row is None:
                row = self._rows[component] = Label(markup=True, font_size=self.app.fs_body,
                                                    color=self.app.palette.text, size_hint_y=None, halign="left",
                                                    valign="top")
                row.bind(width=lambda w, width: setattr(w, "text_size", (width, None)),
                         texture_size=lambda w, size: setattr(w, "height", size[1]))
                box.add_widget(row)
            row.text = health_line(health, lang)
            tech.append(tech_line(health))
        about = [f"{t(f'maint.about.{key}', lang)}: {value}" for key, value in self.desk.summary()]
        self.ids.tech.text = "\n".join([*tech, "", *about])

    def _show_summary(self) -> None:
        """The verdict, the outbox and today's printing, read on a worker thread (the backend may be starting)."""
        def read() -> tuple[Any, Any, Any]:
            return self.desk.verdict(self.app.state.health), self.desk.outbox(), self.desk.today()
        run_in_background(read, self._summary_shown)

    def _summary_shown(self, found: Any) -> None:
        if not isinstance(found, tuple):
            return
        verdict, view, today = found
        lang = self.app.lang
        self._verdict = verdict if isinstance(verdict, Verdict) else None
        self.service, self.service_ok = service_text(self.app.state, self._verdict, lang)
        self.today = today_text(today if isinstance(today, Today) else None, lang)
        if not isinstance(view, OutboxView):
            self.outbox_text = t("maint.outbox_none", lang)
            return
        oldest = (t("maint.outbox_oldest", lang, minutes=int(view.oldest_age_s // 60))
                  if view.oldest_age_s is not None else "")
        self.outbox_text = t("maint.outbox_line", lang, pending=view.pending, rejected=view.rejected,
                             delivered=view.delivered, oldest=oldest)
        self._keep_in_view()

    def show_outcome(self, section: str, outcome: Any) -> None:
        """The outcome in the line under the tapped button (scrolled into view) and said aloud."""
        self.busy = False
        line = self.ids[f"result_{section}"]
        if isinstance(outcome, Outcome):
            self.result_ok = line.ok = outcome.ok
            self.result = line.text = outcome_text(outcome, self.app.lang)
            self._say(self.result)
            self._last_line = line
            self._keep_in_view()
        else:
            line.text = ""
        self._show_summary()

    def _keep_in_view(self) -> None:
        """Two frames on, when the line has its new height and the summary above (which may have grown since)
        has settled, the last outcome is scrolled wholly into view."""
        line = self._last_line
        if line is not None:
            Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt2: self._into_view(line), 0), 0)

    def _into_view(self, line: Any) -> None:
        scroller: Any = self.ids.scroller
        ancestors = []
        node = line.parent
        while node is not None and node not in ancestors:  # the window is its own parent
            ancestors.append(node)
            node = node.parent
        # ids hold weak proxies, so the scroller is told by its proxy; the summary's line needs no scrolling
        if any(getattr(a, "proxy_ref", None) is scroller for a in ancestors):
            scroller.scroll_to(line, padding=dp(24), animate=False)

    def _say(self, text: str) -> None:
        speech, lang = self.app.kiosk.ports.speech, self.app.lang
        threading.Thread(target=lambda: speech.say(text, lang, None), name="kiosk-maintenance-speech",
                         daemon=True).start()

    # ---- acting ----

    def _run(self, section: str, work: Callable[[], Any]) -> None:
        if self.busy:
            return
        self.busy = True
        line = self.ids[f"result_{section}"]
        line.text, line.ok = t("maint.busy", self.app.lang), True
        run_in_background(work, lambda outcome: self.show_outcome(section, outcome))

    def refresh(self) -> None:
        def check() -> Outcome:
            self.desk.device_status()
            return Outcome(True, "checked", f"{self.app.kiosk.ports.clock.now():%H:%M:%S}")
        self._run("devices", check)

    def engineer(self) -> None:
        contact = self.desk.engineer_contact()
        lang = self.app.lang
        if contact.phone:
            name = contact.name or t("maint.engineer_unnamed", lang)
            text, ok = t("maint.done.engineer", lang, name=name, phone=contact.phone), True
        else:
            text, ok = t("maint.done.no_engineer", lang), False
        line = self.ids.result_devices
        self.result, self.result_ok, line.text, line.ok = text, ok, text, ok
        self._say(text)

    def test_print(self) -> None:
        self._run("printing", self.desk.test_print)

    def readiness(self) -> None:
        self._run("printing", self.desk.print_readiness)

    def paper(self) -> None:
        self._run("printing", self.desk.paper_replaced)

    def flush(self) -> None:
        self._run("outbox", self.desk.flush_outbox)

    def export(self) -> None:
        self._run("system", self.desk.export_logs)

    def reprint(self) -> None:
        lang = self.app.lang
        self._choose_receipt(self.desk.recent_receipts(), t("maint.reprint_title", lang), search=True)

    def _choose_receipt(self, receipts: Sequence[JobRecord], title: str, search: bool) -> None:
        lang = self.app.lang
        catalog = self.app.kiosk.catalog
        choices = [("search", t("maint.reprint_search", lang))] if search else []
        for record in receipts:
            origin = record.origin
            if origin is None:
                continue
            item = catalog.get(origin.item_id)
            name = item.names.get(lang) if item else origin.item_id
            choices.append((record.job_id, f"{record.updated_at:%m-%d %H:%M}  "
                                           f"{origin.application_number or origin.local_reference}\n{name}"))
        editor = ChoiceEditor(title=title)
        editor.choices = choices
        editor.on_done = self._receipt_chosen
        editor.open()

    def _receipt_chosen(self, job_id: str) -> None:
        if job_id != "search":
            self._run("printing", lambda: self.desk.reprint(job_id))
            return
        editor = KeypadEditor(title=t("maint.reprint_number", self.app.lang))
        editor.max_length = 20
        editor.on_done = self._search
        editor.open()

    def _search(self, number: str) -> None:
        lang = self.app.lang
        found = self.desk.find_receipts(number)
        if not found:
            self.show_outcome("printing", Outcome(False, "no_match", number=number.strip()))
            return
        self._choose_receipt(found, t("maint.reprint_found", lang), search=False)

    def set_out_of_service(self) -> None:
        lang = self.app.lang
        editor = ChoiceEditor(title=t("maint.oos_title", lang))
        editor.choices = [*((p, t(f"oos_message.{p}", lang)) for p in OOS_PRESETS),
                          ("custom", t("maint.oos_custom", lang))]
        editor.on_done = self._oos_choice
        editor.open()

    def _oos_choice(self, choice: str) -> None:
        if choice != "custom":
            self.show_outcome("service", self.desk.set_out_of_service(PRESET_PREFIX + choice))
            return
        editor = PinyinEditor(title=t("maint.oos_title", self.app.lang), chinese=True)
        editor.max_length = 30
        editor.on_done = lambda text: (self.show_outcome("service", self.desk.set_out_of_service(text))
                                       if text.strip() else None)
        editor.open()

    def clear_out_of_service(self) -> None:
        self.show_outcome("service", self.desk.clear_out_of_service())

    def restart(self) -> None:
        self._confirm("maint.confirm_restart", lambda: self._run("system", self.desk.restart_app))

    def reboot(self) -> None:
        self._confirm("maint.confirm_reboot", lambda: self._run("system", self.desk.reboot))

    def _confirm(self, title_key: str, then: Callable[[], None]) -> None:
        lang = self.app.lang
        editor = ChoiceEditor(title=t(title_key, lang))
        editor.choices = [("confirm", t("maint.confirm", lang))]
        editor.on_done = lambda _value: then()
        editor.open()

    def leave(self) -> None:
        self.desk.leave()

    # ---- staff who walk away ----

    def on_enter(self, *_args: Any) -> None:
        self._last_touch = self.app.scheduler.now()
        self._clear_results()
        self.busy = True
        self._verdict = None
        run_in_background(self.desk.check_health, lambda _healths: self._entered())  # fresh, unaudited
        _window().bind(on_touch_down=self._touched)
        if self._idle_check is None:
            self._idle_check = Clock.schedule_interval(self._check_idle, 1.0)

    def _entered(self) -> None:
        self.busy = False
        self._show_summary()

    def on_leave(self, *_args: Any) -> None:
        _window().unbind(on_touch_down=self._touched)
        if self._idle_check is not None:
            self._idle_check.cancel()
            self._idle_check = None
        self._clear_results()

    def _clear_results(self) -> None:
        self.result, self._last_line = "", None
        for section in SECTIONS:
            self.ids[f"result_{section}"].text = ""

    def _touched(self, *_args: Any) -> bool:
        self._last_touch = self.app.scheduler.now()
        return False

    def _check_idle(self, _dt: float) -> None:
        if not self.busy and self.app.scheduler.now() - self._last_touch > IDLE_EXIT_S:
            self.desk.leave("timeout")
