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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.label import Label

from kiosk.core.health import Component, DeviceError, Health, Reason, Status
from kiosk.core.session.model import KioskState
from kiosk.core.session.states import Lifecycle
from kiosk.shell.maintenance_desk import Entry, MaintenanceDesk, OutboxView, Outcome
from kiosk.shell.system_actions import SystemActions
from screens.base import KioskScreen
from screens.i18n import t
from screens.maintenance_texts import OOS_PRESETS, PRESET_PREFIX
from screens.widgets import ChoiceEditor, Overlay, PinyinEditor

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

GESTURE_TAPS = 5
GESTURE_WINDOW_S = 4.0
CORNER_DP = (260, 80)  # width, height of the top-right corner that counts the taps
IDLE_EXIT_S = 600.0
PIN_MAX = 12
COMPONENTS = (Component.READER, Component.PRINTER, Component.BACKEND, Component.DISK, Component.SPEECH,
              Component.SCANNER)
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


def outcome_text(outcome: Outcome, language: str) -> str:
    key = f"maint.done.{outcome.code}"
    detail = outcome.detail
    reason = detail
    if outcome.code in ("print_failed", "printer_not_ready"):
        reason = f"{t(f'error.{detail}', language)} ({detail.upper()})"
    verdict = t(f"maint.verdict.{detail}", language) if outcome.code == "readiness_printed" else ""
    if outcome.code in ("flushed", "flush_partial"):  # delivered/pending/rejected[/why]
        delivered, pending, rejected, *why = [*detail.split("/"), "", "", ""][:4]
        reason = t(f"error.{why[0]}", language) if why and why[0] else ""
        text = t(key, language, delivered=delivered, pending=pending, reason=reason)
        return text + (t("maint.done.rejected", language, rejected=rejected) if rejected not in ("", "0") else "")
    return t(key, language, detail=detail, reason=reason, verdict=verdict)


def entry_text(entry: Entry, language: str) -> str:
    return t(f"maint.entry.{entry.code}", language, tries=entry.tries_left, seconds=entry.locked_s,
             detail=entry.detail)


def health_line(health: Health, language: str) -> str:
    name = t(f"component.{health.component.value}", language)
    status = t(f"status.{health.status.value}", language)
    line = f"[b]{name}[/b]：[color={STATUS_COLOUR[health.status]}]{status}[/color]"
    if health.status != Status.OK and health.reason != Reason.OK:
        line += f" — {t(f'error.{health.reason.value}', language)} ({health.reason.value.upper()})"
        if action := t(f"action.{health.action.value}", language):
            line += f"，{action}"
    if health.detail:
        line += f"\n[size={int(dp(20))}][color=555555]{_markup_safe(health.detail)}[/color][/size]"
    return line


def staff_message_text(message: str, language: str) -> str:
    """A staff out-of-service message: a preset shown in the kiosk's language, or the staff's own words."""
    if message.startswith(PRESET_PREFIX):
        return t(f"oos_message.{message[len(PRESET_PREFIX):]}", language)
    return message


def _window() -> Any:
    """Imported late: importing kivy.core.window creates the window, which must wait for the profile's size."""
    from kivy.core.window import Window

    return Window


def _markup_safe(text: str) -> str:
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


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
    busy = BooleanProperty(False)
    result = StringProperty("")
    result_ok = BooleanProperty(True)
    actor = StringProperty("")
    service = StringProperty("")
    out_of_service = BooleanProperty(False)
    outbox_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: dict[Component, Label] = {}
        self._idle_check: Any = None
        self._last_touch = 0.0

    @property
    def desk(self) -> MaintenanceDesk:
        return self.app.desk  # type: ignore[no-any-return]

    # ---- showing ----

    def render(self, state: KioskState) -> None:
        lang = self.app.lang
        actor = self.desk.actor or "-"
        self.actor = t("maint.who", lang, actor=t("maint.actor_pin", lang) if actor == "pin" else actor)
        self.out_of_service = state.out_of_service_reason == Reason.STAFF_OUT_OF_SERVICE
        self.service = (t("maint.service_off", lang, message=staff_message_text(state.staff_message, lang) or "-")
                        if self.out_of_service else t("maint.service_on", lang))
        box = self.ids.devices
        for component in COMPONENTS:
            if component == Component.SCANNER and self.app.kiosk.ports.scanner is None:
                continue  # a kiosk without a scanner: no row saying "unknown"
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
        if not self.ids.about.text:
            self.ids.about.text = "\n".join(f"{key}: {value}" for key, value in self.desk.summary())

    def _show_outbox(self) -> None:
        """The outbox's counts, read on a worker thread (the backend may still be starting)."""
        run_in_background(self.desk.outbox, self._outbox_shown)

    def _outbox_shown(self, view: Any) -> None:
        lang = self.app.lang
        if not isinstance(view, OutboxView):
            self.outbox_text = t("maint.outbox_none", lang)
            return
        oldest = (t("maint.outbox_oldest", lang, minutes=int(view.oldest_age_s // 60))
                  if view.oldest_age_s is not None else "")
        self.outbox_text = t("maint.outbox_line", lang, pending=view.pending, rejected=view.rejected,
                             delivered=view.delivered, oldest=oldest)

    def show_outcome(self, outcome: Any) -> None:
        self.busy = False
        if isinstance(outcome, Outcome):
            self.result_ok = outcome.ok
            self.result = outcome_text(outcome, self.app.lang)
        else:
            self.result = ""
        self._show_outbox()

    # ---- acting ----

    def _run(self, work: Callable[[], Any]) -> None:
        if self.busy:
            return
        self.busy = True
        self.result = t("maint.busy", self.app.lang)
        self.result_ok = True
        run_in_background(work, self.show_outcome)

    def refresh(self) -> None:
        self._run(lambda: self.desk.device_status() and None)

    def test_print(self) -> None:
        self._run(self.desk.test_print)

    def readiness(self) -> None:
        self._run(self.desk.print_readiness)

    def paper(self) -> None:
        self._run(self.desk.paper_replaced)

    def flush(self) -> None:
        self._run(self.desk.flush_outbox)

    def export(self) -> None:
        self._run(self.desk.export_logs)

    def reprint(self) -> None:
        lang = self.app.lang
        receipts = self.desk.recent_receipts()
        if not receipts:
            self.result, self.result_ok = t("maint.no_receipts", lang), False
            return
        catalog = self.app.kiosk.catalog
        choices = []
        for record in receipts:
            origin = record.origin
            if origin is None:
                continue
            item = catalog.get(origin.item_id)
            name = item.names.get(lang) if item else origin.item_id
            choices.append((record.job_id, f"{record.updated_at:%m-%d %H:%M}  "
                                           f"{origin.application_number or origin.local_reference}\n{name}"))
        editor = ChoiceEditor(title=t("maint.reprint_title", lang))
        editor.choices = choices
        editor.on_done = lambda job_id: self._run(lambda: self.desk.reprint(job_id))
        editor.open()

    def set_out_of_service(self) -> None:
        lang = self.app.lang
        editor = ChoiceEditor(title=t("maint.oos_title", lang))
        editor.choices = [*((p, t(f"oos_message.{p}", lang)) for p in OOS_PRESETS),
                          ("custom", t("maint.oos_custom", lang))]
        editor.on_done = self._oos_choice
        editor.open()

    def _oos_choice(self, choice: str) -> None:
        if choice != "custom":
            self.show_outcome(self.desk.set_out_of_service(PRESET_PREFIX + choice))
            return
        editor = PinyinEditor(title=t("maint.oos_title", self.app.lang), chinese=True)
        editor.max_length = 30
        editor.on_done = lambda text: self.show_outcome(self.desk.set_out_of_service(text)) if text.strip() else None
        editor.open()

    def clear_out_of_service(self) -> None:
        self.show_outcome(self.desk.clear_out_of_service())

    def restart(self) -> None:
        self._confirm("maint.confirm_restart", lambda: self._run(self.desk.restart_app))

    def reboot(self) -> None:
        self._confirm("maint.confirm_reboot", lambda: self._run(self.desk.reboot))

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
        self.result = ""
        self.busy = True
        run_in_background(self.desk.check_health, lambda _healths: self.show_outcome(None))  # fresh, unaudited
        _window().bind(on_touch_down=self._touched)
        if self._idle_check is None:
            self._idle_check = Clock.schedule_interval(self._check_idle, 1.0)

    def on_leave(self, *_args: Any) -> None:
        _window().unbind(on_touch_down=self._touched)
        if self._idle_check is not None:
            self._idle_check.cancel()
            self._idle_check = None
        self.result = ""
        self.ids.about.text = ""

    def _touched(self, *_args: Any) -> bool:
        self._last_touch = self.app.scheduler.now()
        return False

    def _check_idle(self, _dt: float) -> None:
        if not self.busy and self.app.scheduler.now() - self._last_touch > IDLE_EXIT_S:
            self.desk.leave("timeout")
