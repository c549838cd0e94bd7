"""The kiosk's touchscreen app: one ScreenManager whose screens are built once and re-used, driven by the
session runner's state. This module holds the app's single hop onto the Kivy thread (`post`).

Import order matters: `early_environment()` runs before Kivy is imported, and `main()` configures the
window from the device profile before the window module is imported.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import signal
from pathlib import Path
from typing import Any

from screens.boot import (
    collect_from_now_on,
    collector_paused,
    configure_window,
    early_environment,
    release_free_memory,
)

early_environment()

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.lang import Builder  # noqa: E402
from kivy.metrics import dp, sp  # noqa: E402
from kivy.properties import (  # noqa: E402
    BooleanProperty,
    DictProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout  # noqa: E402
from kivy.uix.screenmanager import NoTransition, ScreenManager  # noqa: E402

from kiosk.composition.root import Kiosk, build_kiosk  # noqa: E402
from kiosk.core.ports import Ports  # noqa: E402
from kiosk.core.session import events as ev  # noqa: E402
from kiosk.core.session.model import KioskState  # noqa: E402
from kiosk.core.session.states import Lifecycle, Phase  # noqa: E402
from kiosk.logs import log_event  # noqa: E402
from kiosk.shell import release_switch  # noqa: E402
from kiosk.shell.health_monitor import HealthMonitor  # noqa: E402
from kiosk.shell.maintenance import MESSAGE_MAX, saved_out_of_service  # noqa: E402
from kiosk.storage.config import load_config  # noqa: E402
from screens import i18n, theme  # noqa: E402
from screens.base import KioskScreen  # noqa: E402
from screens.fonts import KioskFont, default_cache_dir, prepare_font, register_default_font  # noqa: E402
from screens.scheduler import ClockScheduler  # noqa: E402
from screens.watchdog_feeder import install_watchdog  # noqa: E402
from screens.widgets import IdleOverlay, Overlay, VoicePanel, collect_dropped_widgets  # noqa: E402

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

log = logging.getLogger("kiosk.app")

# Module and class of each screen. A screen's module (and its kv rules) is imported when the screen is first
# built, so start-up reads only the home screen's; the others are built one per frame after the first frame.
SCREENS: dict[str, str] = {
    "home": "screens.home:HomeScreen",
    "browse": "screens.browse:BrowseScreen",
    "guide": "screens.guide:GuideScreen",
    "consent": "screens.consent:ConsentScreen",
    "identify": "screens.identify:IdentifyScreen",
    "form": "screens.form:FormScreen",
    "review": "screens.review:ReviewScreen",
    "submitting": "screens.submitting:SubmittingScreen",
    "done": "screens.done:DoneScreen",
    "progress": "screens.progress:ProgressScreen",
    "appointment": "screens.appointment:AppointmentScreen",
    "guide_printing": "screens.guide_printing:GuidePrintingScreen",
    "out_of_service": "screens.out_of_service:OutOfServiceScreen",
    "maintenance": "screens.maintenance:MaintenanceScreen",
}


def after_first_frame(callback: Any, delay_s: float) -> None:
    """Run `callback` `delay_s` after the first frame, however long building the app took (a plain timeout
    counted from build() may already have passed when the first frame is drawn)."""
    Clock.schedule_once(lambda _dt: Clock.schedule_once(callback, delay_s), 0)


def screen_class(name: str) -> type[KioskScreen]:
    module, _, class_name = SCREENS[name].partition(":")
    cls: type[KioskScreen] = getattr(importlib.import_module(module), class_name)
    return cls

SCREEN_FOR_PHASE: dict[Phase, str] = {
    Phase.HOME: "home",
    Phase.BROWSING: "browse",
    Phase.ITEM_GUIDE: "guide",
    Phase.CONSENT: "consent",
    Phase.IDENTIFY: "identify",
    Phase.FORM: "form",
    Phase.REVIEW: "review",
    Phase.SUBMITTING: "submitting",
    Phase.DONE: "done",
    Phase.PROGRESS_QUERY: "progress",
    Phase.APPOINTMENT: "appointment",
    Phase.GUIDE_PRINTING: "guide_printing",
}

HEALTH_POLL_S = 5.0
LOG = logging.getLogger("kiosk.app")
RELEASE_AFTER_S = 3.0  # after a session ends: collect and hand freed memory back (screens.boot)


def screen_for(state: KioskState) -> str:
    if state.session is not None:
        return SCREEN_FOR_PHASE[state.session.phase]
    if state.lifecycle == Lifecycle.MAINTENANCE:
        return "maintenance"
    return "home" if state.lifecycle == Lifecycle.READY else "out_of_service"


class KioskRoot(BoxLayout):
    """Top bar, notice line and the screens."""


class KioskApp(App):
    lang = StringProperty("zh")
    elder = BooleanProperty(False)
    voice = BooleanProperty(True)
    volume = NumericProperty(80)
    palette = ObjectProperty(theme.NORMAL_PALETTE, rebind=True)  # rebind: kv rules read app.palette.<role>
    fs = DictProperty()  # text size by role (small, body, button, title, huge, bar, bar_title), in px
    hs = DictProperty()  # least button height by role (button, key, bar, tall, huge, tile), in px
    kiosk_id = StringProperty("")
    in_service = BooleanProperty(False)
    in_session = BooleanProperty(False)
    notice = StringProperty("")
    landscape = BooleanProperty(False)
    window_height = NumericProperty(1920)
    fs_small = NumericProperty(24)
    fs_body = NumericProperty(30)
    fs_button = NumericProperty(32)
    fs_title = NumericProperty(42)
    fs_huge = NumericProperty(60)
    bh = NumericProperty(96)
    kh = NumericProperty(100)

    def __init__(self, config_path: Path | None = None, catalog_dir: Path | None = None,
                 ports: Ports | None = None, health_poll_s: float = HEALTH_POLL_S, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config_path = config_path
        self.catalog_dir = catalog_dir
        self.ports = ports
        self.health_poll_s = health_poll_s
        self.scheduler = ClockScheduler()
        self.overlays: set[Overlay] = set()
        self.kiosk: Kiosk | None = None
        self.screens: dict[str, KioskScreen] = {}
        self._session_id: str | None = None
        self._idle: IdleOverlay | None = None
        self._idle_tick: Any = None
        self._idle_ends_at = 0.0
        self.title = "kiosk"
        self.ppi = theme.pixels_per_inch(1080, 1920, 32.0)  # until the device profile is read in build()
        self._apply_sizes(False)

    # ---- building ----

    def build(self) -> KioskRoot:
        from kivy.core.window import Window

        self.kiosk = build_kiosk(self.config_path, self.catalog_dir, self.ports, scheduler=self.scheduler,
                                 post=self.post, prompt_text=self.prompt_text)
        self.kiosk_id = self.kiosk.config.settings.kiosk_id
        screen = self.kiosk.config.profile.screen
        self.ppi = theme.pixels_per_inch(screen.width_px, screen.height_px, screen.diagonal_inch)
        self._apply_sizes(self.elder)
        root = KioskRoot()
        manager: ScreenManager = root.ids.manager
        manager.transition = NoTransition()  # a switch is one frame: no animation to wait for
        self.manager = manager
        # Only the first screen is built before the first frame; the others are built one per idle frame
        # right after, so start-up does not wait for them and each is still built only once.
        self._to_build = [name for name in SCREENS if name not in ("home", "out_of_service")]
        after_first_frame(self._build_next_screen, 0.3)
        Window.bind(size=self._on_window_size, on_request_close=self._refuse_close,
                    on_keyboard=self._keyboard)
        self._on_window_size(Window, Window.size)
        self.bind(palette=self._paint_background)
        self._paint_background()
        saved_message = saved_out_of_service(self.kiosk.config.data_dir)
        if saved_message is not None:  # staff's switch survives a restart: never show home before it
            self.runner.dispatch(ev.OutOfServiceSet(saved_message[:MESSAGE_MAX]))
        self.kiosk.runner.subscribe(self._on_state)
        self._on_state(self.kiosk.runner.state)
        ports = self.kiosk.ports
        self.monitor = HealthMonitor(self.post, ports.reader, ports.printer, ports.backend, ports.speech,
                                     self.kiosk.config.data_dir, interval_s=self.health_poll_s or 5.0,
                                     scanner=ports.scanner, signal=ports.signal)
        if self.health_poll_s > 0:
            self.monitor.start()  # a device unplugged or refilled is noticed without a restart
        after_first_frame(lambda _dt: self._install_maintenance(), 0.2)
        after_first_frame(lambda _dt: collect_from_now_on(), 1.0)  # the screens are built by then
        if os.environ.get("INVOCATION_ID"):  # started by systemd, which starts it again on the new release
            Clock.schedule_interval(self._take_waiting_release, release_switch.CHECK_EVERY_S)
        return root

    def _take_waiting_release(self, _dt: float) -> None:
        """A release installed beside this one takes over between citizens: the app quits when nobody is at the
        kiosk, and systemd's ExecStartPre (`kiosk-release start`) switches before starting it again."""
        state = self.state
        if not release_switch.may_switch_now(state.lifecycle, state.session is not None):
            return
        waiting = release_switch.waiting_release()
        if waiting:
            log_event(LOG, "release_switch", logging.WARNING, version=waiting, lifecycle=state.lifecycle)
            self.stop()

    def _install_maintenance(self) -> None:
        from screens.maintenance import install_maintenance

        install_maintenance(self)

    def screen(self, name: str) -> KioskScreen:
        """The screen called `name`, built on first use."""
        if name not in self.screens:
            screen = screen_class(name)(name=name)
            self.screens[name] = screen
            self.manager.add_widget(screen)
        return self.screens[name]

    def _build_next_screen(self, _dt: float) -> None:
        while self._to_build and self._to_build[0] in self.screens:
            self._to_build.pop(0)
        if self._to_build:
            self.screen(self._to_build.pop(0))
            Clock.schedule_once(self._build_next_screen, 0)

    @property
    def settled(self) -> bool:
        """Every screen built, the maintenance desk installed and garbage collection back on: the work done in
        the frames after start."""
        return not self._to_build and hasattr(self, "desk") and gc.isenabled()

    @property
    def runner(self) -> Any:
        assert self.kiosk is not None
        return self.kiosk.runner

    @property
    def state(self) -> KioskState:
        return self.runner.state  # type: ignore[no-any-return]

    def prompt_text(self, prompt_id: str, language: str, subject: str = "") -> str:
        """What the speech port says: the done screen read out whole when a prompt is about an item, otherwise
        the prompt's own words."""
        if subject and self.kiosk is not None:
            from screens.done_speech import done_speech

            said = done_speech(self.state.rules.catalog, self.kiosk.config.settings, subject, language)
            if said:
                return said
        return i18n.prompt_text(prompt_id, language)

    # ---- the one hop onto the UI thread ----

    def post(self, event: ev.Event) -> None:
        """Called by the runner's workers and timers on any thread."""
        Clock.schedule_once(lambda _dt: self._deliver(event), 0)

    def _deliver(self, event: ev.Event) -> None:
        health = event.health if isinstance(event, ev.HealthReported) else None
        if health is not None and self.state.health_of(health.component) == health:
            return  # unchanged: no need to re-render
        self.runner.dispatch(event)

    def send(self, event: ev.Event) -> None:
        """An intent from a screen, on the UI thread."""
        self.runner.dispatch(event)

    def call_staff(self) -> None:
        """呼叫工作人员 from any screen: within a visit, or on a screen with none (out of service)."""
        self.send(ev.StaffCalled() if self.state.session is not None or self.in_service else ev.KioskStaffCalled())

    # ---- rendering ----

    def _on_state(self, state: KioskState) -> None:
        session = state.session
        changed = (session.session_id if session else None) != self._session_id
        # Without a session only a kiosk that stops serving closes what is open: a health report or a call's end
        # must not close the search keypad under the fingers of someone typing before their session began.
        if changed or (session is None and state.lifecycle != Lifecycle.READY):
            self.wipe()
        if changed:
            for screen in self.screens.values():  # not while staff scroll the maintenance screen: only between visits
                screen.scroll_to_top()
            if self._session_id is not None:  # a session ended: tidy up while the kiosk stands idle
                Clock.schedule_once(self._release_if_idle, RELEASE_AFTER_S)
            self._session_id = session.session_id if session else None
        language = session.language if session else state.rules.default_language
        if session is None and state.lifecycle == Lifecycle.OUT_OF_SERVICE and state.notice_language:
            language = state.notice_language  # out of service speaks the last citizen's language (or the chosen one)
        # The notice about how a session ended stays in that session's language; the next touch resets it.
        notice_language = state.notice_language if session is None and state.home_notice else language
        elder = bool(session and session.elder_mode)
        if language != self.lang or elder != self.elder:
            # Every kv rule bound to the app runs again. Widgets are discarded when they are dropped
            # (screens.widgets.discard); should one have been missed, it must not be freed in the middle of its rule.
            with collector_paused():
                if language != self.lang:
                    self.lang = language
                if elder != self.elder:
                    self._apply_sizes(elder)
                    self.elder = elder
        self.voice = session.voice if session else True
        self.volume = session.volume if session else state.rules.speech_volume
        self.in_service = state.lifecycle in (Lifecycle.READY, Lifecycle.IN_SESSION)
        self.in_session = session is not None
        self.notice = self._notice_text(state, notice_language or language)
        name = screen_for(state)
        screen = self.screen(name)
        screen.render(state)
        if self.manager.current != name:
            self.manager.current = name
        self._show_idle_warning(bool(session and session.idle_warning), state)

    def _release_if_idle(self, _dt: float) -> None:
        if self.state.session is None:  # not while the next citizen has already begun
            collect_dropped_widgets(release_free_memory)  # and log any widget dropped with its kv rules bound

    def _notice_text(self, state: KioskState, language: str) -> str:
        notice = self._session_notice_text(state, language)
        if state.help_call is None or not self.in_service:
            return notice  # out of service, the screen shows the call beside its own button
        return "\n".join(line for line in (i18n.t(f"help.{state.help_call.status.value}", language), notice) if line)

    def _session_notice_text(self, state: KioskState, language: str) -> str:
        session = state.session
        notice = session.notice if session else state.home_notice
        reminder = i18n.t(state.take_reminder, language) if session is None and state.take_reminder else ""
        if not notice or (session and notice in ("next_party", "same_person")):
            return reminder  # the identify screen shows these itself, next to the card
        if notice.startswith("print_unavailable."):
            reason = notice.split(".", 1)[1]
            return i18n.t("notice.print_unavailable", language, reason=i18n.t(f"error.{reason}", language))
        if notice.startswith("item_unavailable."):
            reason = notice.split(".", 1)[1]
            return i18n.t("notice.item_unavailable", language, reason=i18n.t(f"error.{reason}", language))
        key = f"notice.{notice}" if i18n.has(f"notice.{notice}") else f"home.notice.{notice}"
        text = i18n.t(key, language) if i18n.has(key) else ""
        return "\n".join(line for line in (text, reminder) if line)

    def _apply_sizes(self, elder: bool) -> None:
        """Text sizes, button heights and colours of normal or elder mode. Elder sizes grow on a small or dense
        screen so that the smallest text is 18 pt on the glass (theme.elder_sizes)."""
        sizes = theme.elder_sizes(self.ppi) if elder else theme.NORMAL
        self.palette = theme.ELDER_PALETTE if elder else theme.NORMAL_PALETTE
        # The class rules' sizes first (WrapLabel's body, Title's title): a label whose own rule sets another size
        # is given both on a change (Kivy keeps both rules' bindings), and the last one given is what it shows.
        self.fs_body, self.fs_title = sp(sizes.body), sp(sizes.title)
        self.fs_small, self.fs_button, self.fs_huge = sp(sizes.small), sp(sizes.button), sp(sizes.huge)
        self.bh, self._mode_key_height = dp(sizes.button_height), dp(sizes.key_height)
        self.fs = {"small": self.fs_small, "body": self.fs_body, "button": self.fs_button, "title": self.fs_title,
                   "huge": self.fs_huge, "bar": sp(sizes.bar), "bar_title": sp(round(sizes.bar * 1.5))}
        self.hs = {"button": self.bh, "bar": self.bh * 0.8, "tall": self.bh * 1.2, "huge": self.bh * 1.4,
                   "tile": self.bh * 2}
        self._fit_keys()

    def _fit_keys(self) -> None:
        """Keys as tall as the mode asks (elder mode's are larger), but no taller than a keypad of four rows with
        its editor can be on a landscape screen."""
        self.kh = min(self._mode_key_height, self.window_height * theme.MAX_KEY_SHARE_OF_HEIGHT)
        self.hs = {**self.hs, "key": self.kh}

    def _paint_background(self, *_args: Any) -> None:
        from kivy.core.window import Window

        Window.clearcolor = self.palette.background

    def tr(self, key: str, _language: str = "", **values: Any) -> str:
        """For kv rules: passing app.lang makes the rule re-run when the language changes."""
        return i18n.t(key, self.lang, **values)

    def open_voice_panel(self) -> None:
        VoicePanel().open()

    def _on_window_size(self, _window: Any, size: tuple[int, int]) -> None:
        self.landscape = size[0] > size[1]
        self.window_height = size[1]
        if hasattr(self, "_mode_key_height"):
            self._fit_keys()

    # ---- idle warning ----

    def _show_idle_warning(self, warn: bool, state: KioskState) -> None:
        if warn and self._idle is None:
            self._idle = IdleOverlay()
            self._idle.on_extend = lambda: self.send(ev.IdleExtended())
            self._idle_ends_at = self.scheduler.now() + state.rules.idle_warning_s
            self._idle.seconds = state.rules.idle_warning_s
            self._idle_tick = Clock.schedule_interval(self._tick_idle, 0.5)
            self._idle.open()
        elif not warn and self._idle is not None:
            self._close_idle()

    def _tick_idle(self, _dt: float) -> None:
        if self._idle is not None:
            self._idle.seconds = max(0, round(self._idle_ends_at - self.scheduler.now()))

    def _close_idle(self) -> None:
        if self._idle_tick is not None:
            self._idle_tick.cancel()
            self._idle_tick = None
        if self._idle is not None:
            idle, self._idle = self._idle, None
            idle.dismiss()

    # ---- privacy ----

    def wipe(self) -> None:
        """The session ended: close every overlay and let every screen forget what it showed."""
        self._close_idle()
        for overlay in list(self.overlays):
            overlay.dismiss()
        for screen in self.screens.values():
            screen.clear()

    # ---- lock-down: a citizen has no way out ----

    def _refuse_close(self, *_args: Any) -> bool:
        return not getattr(self, "_closing", False)

    def _keyboard(self, _window: Any, key: int, *_args: Any) -> bool:
        return key in (27, 282)  # Escape/back and F1 (settings) do nothing

    def open_settings(self, *_args: Any) -> bool:
        return False

    def on_start(self) -> None:
        self.watchdog = install_watchdog(self)  # READY=1 on the first frame, WATCHDOG=1 from this clock
        for signum in (signal.SIGTERM, signal.SIGINT):
            # SDL turns these into a window close, which the kiosk refuses to citizens: handle them ourselves.
            signal.signal(signum, self._on_stop_signal)

    def _on_stop_signal(self, signum: int, _frame: Any) -> None:
        log_event(log, "stop_requested", reason=signal.Signals(signum).name)
        Clock.schedule_once(lambda _dt: self.stop_by_request(), 0)

    def stop_by_request(self) -> None:
        """End cleanly: the session wiped, the outbox and journals closed, the watchdog told we are stopping."""
        if self.kiosk is not None:
            self.runner.dispatch(ev.StopRequested())
        self._closing = True
        self.stop()

    def on_stop(self) -> None:
        self._closing = True
        if getattr(self, "watchdog", None) is not None:
            self.watchdog.stop()
        if getattr(self, "monitor", None) is not None:
            self.monitor.stop()
        if self.kiosk is not None:
            self.kiosk.close()


def prepare(config_path: Path | None, headless: bool = False, quiet: bool = False) -> KioskFont:
    """Configure Kivy for the profile and register the font; after this the window may be created."""
    config = load_config(config_path)
    configure_window(config.profile.screen, headless=headless, quiet=quiet)
    font = prepare_font(default_cache_dir(config.data_dir))
    from kivy.core.window import Window  # noqa: F401  (creates the window with the settings above)

    register_default_font(font)
    return font


def main(config_path: Path | None = None, demo_card: str | None = None) -> int:
    """`kiosk run`: the fullscreen kiosk. `demo_card` makes the simulated reader offer that test card."""
    prepare(config_path)
    from kiosk.logs import add_file_log, configure
    from kiosk.shell.maintenance_desk import LOG_DIR

    configure()  # JSON lines on stderr: the journal under systemd
    add_file_log(load_config(config_path).data_dir / LOG_DIR)  # what maintenance exports to a USB stick
    app = KioskApp(config_path=config_path)
    if demo_card is not None:
        app.bind(on_start=lambda *_: _offer_card(app, demo_card))
    app.run()
    return 0


def _offer_card(app: KioskApp, card: str) -> None:
    reader = app.kiosk.ports.reader if app.kiosk else None
    if reader is not None and hasattr(reader, "auto_insert"):
        reader.auto_insert = card
