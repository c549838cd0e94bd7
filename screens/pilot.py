"""Drive the real kiosk app in this process with touches, as a citizen would: used by the headless demo
walkthrough, the UI tests and the benchmark.

The app runs embedded (Kivy's loop is stepped frame by frame here, not by App.run()), so a script can tap a
widget, wait for the screen it leads to, and take a screenshot. Taps are real touch events dispatched through
the window, so a covered, hidden or disabled widget does not react, just as on the glass.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kiosk.core.ports import Ports
from kiosk.core.session.model import KioskState
from kiosk.shell.patience import patient

_touch_ids = itertools.count(1000)


class PilotError(AssertionError):
    pass


class Pilot:
    def __init__(self, app: Any) -> None:
        from kivy.base import EventLoop
        from kivy.core.window import Window

        self.app = app
        self.window = Window
        self.loop = EventLoop
        self.last_image: Any = None
        self.taps = 0  # every tap, keypad keys included: what a citizen's finger does for a journey

    # ---- starting ----

    @classmethod
    def start(cls, config_path: Path | None = None, catalog_dir: Path | None = None,
              ports: Ports | None = None, quiet: bool = True, health_poll_s: float = 0,
              settle_frames: int = 3) -> Pilot:
        """Start the kiosk app on a virtual display (SDL offscreen with Mesa when there is no display), and draw
        `settle_frames` frames."""
        from screens.app import KioskApp, prepare

        prepare(config_path, headless=True, quiet=quiet)
        from kivy.base import runTouchApp

        app = KioskApp(config_path=config_path, catalog_dir=catalog_dir, ports=ports,
                       health_poll_s=health_poll_s)
        app._run_prepare()
        runTouchApp(embedded=True)
        pilot = cls(app)
        pilot.frames(settle_frames)
        return pilot

    def stop(self) -> None:
        from kivy.base import stopTouchApp

        self.app.stop()
        stopTouchApp()

    # ---- time ----

    def frames(self, count: int = 1) -> None:
        from kivy.graphics.opengl import glFinish

        for _ in range(count):
            self.loop.idle()
            glFinish()  # keep Mesa's queue short: a long one stalls a later texture upload for seconds

    def wait_until(self, predicate: Callable[[], bool], timeout_s: float = 10.0, what: str = "") -> None:
        """Wait up to `timeout_s`, stretched while the machine is loaded (kiosk.shell.patience)."""
        deadline = time.monotonic() + patient(timeout_s)
        while not predicate():
            if time.monotonic() > deadline:
                raise PilotError(f"timed out waiting for {what or predicate}; on screen {self.screen!r}, "
                                 f"state {self.describe()}")
            self.loop.idle()
        self.frames(2)  # let layouts settle before anyone looks

    def wait_for_screen(self, name: str, timeout_s: float = 10.0) -> None:
        self.wait_until(lambda: self.screen == name, timeout_s, f"screen {name}")

    def skip(self, seconds: float) -> None:
        """Move the idle timers forward, as if the citizen had not touched anything for `seconds`."""
        self.app.scheduler.skip(seconds)
        self.frames(3)

    # ---- looking ----

    @property
    def state(self) -> KioskState:
        return self.app.state  # type: ignore[no-any-return]

    @property
    def screen(self) -> str:
        return str(self.app.manager.current)

    def describe(self) -> str:
        s = self.state.session
        return f"{self.state.lifecycle.value}/{s.phase.value if s else '-'}"

    def layers(self) -> list[Any]:
        """What is on the glass, topmost first: open overlays, then the root (top bar and current screen)."""
        return list(self.window.children)

    def visible_widgets(self) -> Iterator[Any]:
        for layer in self.layers():
            yield from _walk(layer)

    def top_layer_widgets(self) -> Iterator[Any]:
        """What the citizen can see undimmed and touch: the topmost overlay, or the root when none is open."""
        layers = self.layers()
        if layers:
            yield from _walk(layers[0])

    def find(self, tag: str) -> Any:
        for layer in self.layers():
            for widget in _walk(layer):
                if getattr(widget, "tag", None) == tag:
                    return widget
            if layer is not self.app.root:
                break  # an overlay covers everything below it
        raise PilotError(f"no widget tagged {tag!r} on screen {self.screen!r}; tags: {sorted(self.tags())}")

    def tags(self) -> set[str]:
        found: set[str] = set()
        for layer in self.layers():
            found.update(getattr(w, "tag", "") for w in _walk(layer))
            if layer is not self.app.root:
                break
        return found - {""}

    def has(self, tag: str) -> bool:
        return tag in self.tags()

    def visible_texts(self) -> list[str]:
        """The strings a citizen sees on the glass now, in reading order (top to bottom, then left to right):
        labels shown, inside every scrolling parent's view, as drawn (without markup)."""
        from kivy.uix.label import Label

        from screens.text_breaks import plain_of_markup

        found: list[tuple[float, float, str]] = []
        for widget in self.visible_widgets():
            if not isinstance(widget, Label) or not widget.text.strip() or not _opaque(widget):
                continue
            left, bottom, right, top = _visible_box(widget)
            if right - left < 2 or top - bottom < 2:
                continue
            text = plain_of_markup(widget.text)[0] if widget.markup else widget.text
            found.append((-round(top / 8), left, text))
        return [text for _top, _left, text in sorted(found)]

    def texts(self) -> list[str]:
        return [w.text for w in self.visible_widgets()
                if isinstance(getattr(w, "text", None), str) and w.text]

    # ---- touching ----

    def tap(self, target: str | Any, frames: int = 2) -> None:
        self.taps += 1
        self.release(self.press(target), frames)

    def press(self, target: str | Any) -> Any:
        """A finger down on the widget (scrolled into view first), and the frame that shows it pressed."""
        widget = self.find(target) if isinstance(target, str) else target
        self._scroll_into_view(widget)
        x, y = widget.to_window(*widget.center)
        if not (0 <= x < self.window.width and 0 <= y < self.window.height):
            raise PilotError(f"{getattr(widget, 'tag', widget)} is off the screen at {x:.0f},{y:.0f}"
                             f"{_scroll_report(widget)}")
        return self.press_at(x, y)

    def press_at(self, x: float, y: float) -> Any:
        touch = _Touch(x, y, self.window)
        self.loop.post_dispatch_input("begin", touch)
        self.frames(1)
        return touch

    def release(self, touch: Any, frames: int = 2) -> None:
        touch.update_time_end()
        self.loop.post_dispatch_input("end", touch)
        self.frames(frames)

    def swipe(self, target: str | Any, dy: float, steps: int = 6) -> None:
        """A finger down on the widget, moved `dy` pixels up (negative: down) over `steps` frames, and lifted
        while still moving: a fling, which a scroll view carries on as a glide after the finger has gone."""
        widget = self.find(target) if isinstance(target, str) else target
        x, y = widget.to_window(*widget.center)
        touch = self.press_at(x, y)
        for step in range(1, steps + 1):
            touch.move({"sx": touch.sx, "sy": (y + dy * step / steps) / max(self.window.height - 1, 1)})
            self.loop.post_dispatch_input("update", touch)
            self.frames(1)
        self.release(touch, frames=1)

    def tap_at(self, x: float, y: float, frames: int = 2) -> None:
        """A finger at window pixel (x, y), bottom-left origin: for places that are not a widget of their own."""
        self.release(self.press_at(x, y), frames)

    def type_keys(self, keys: str) -> None:
        """Tap keypad keys: digits, 'X', and '<' for backspace."""
        for key in keys:
            self.tap({"<": "key:back"}.get(key, f"key:{key}"), frames=0)
        self.frames(1)

    def type_pinyin(self, syllable: str, character: str) -> None:
        """Type a syllable on the pinyin keypad and pick `character` among the candidates (paging)."""
        for letter in syllable:
            self.tap(f"letter:{letter}", frames=0)
        self.frames(1)
        for _page in range(20):
            for widget in self.visible_widgets():
                if getattr(widget, "tag", "").startswith("candidate:") and widget.text == character:
                    self.tap(widget, frames=1)
                    return
            self.tap("candidate:more", frames=1)
        raise PilotError(f"{character} is not offered for {syllable}")

    def _scroll_into_view(self, widget: Any) -> None:
        from kivy.uix.scrollview import ScrollView

        view = widget.parent
        while view is not None and not isinstance(view, ScrollView):
            view = view.parent if view is not self.window else None
        for _attempt in range(3):
            if view is None or _inside(widget, view):
                return
            self.frames(1)  # a list that was just filled may still be laying out: look at the settled one
            if _inside(widget, view):
                return
            view.scroll_to(widget, padding=40, animate=False)  # the citizen scrolls it into view
            self.frames(2)

    # ---- pictures ----

    def pixels(self) -> bytes:
        """What the current frame shows, drawn again without running the clock (nothing changes meanwhile)."""
        from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels

        self.window.dispatch("on_draw")
        width, height = self.window.size
        return bytes(glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE))

    def screenshot(self, path: Path) -> Path:
        """Render the current frame and save what is on the glass as a PNG."""
        from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
        from PIL import Image

        self.frames(1)
        self.window.dispatch("on_draw")  # the frame is in the back buffer now; read it before any flip
        width, height = self.window.size
        pixels = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
        image = Image.frombytes("RGBA", (width, height), pixels).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.last_image = image.convert("RGB")  # what was on the glass, for checks that measure pixels
        self.last_image.save(path, compress_level=1)
        return path


def _opaque(widget: Any) -> bool:
    node = widget
    while node is not None and node is not getattr(node, "parent", None):
        if getattr(node, "opacity", 1) <= 0:
            return False
        node = node.parent
    return True


def _visible_box(widget: Any) -> tuple[float, float, float, float]:
    """The widget's box in window pixels, cut to what every scrolling parent shows."""
    from kivy.uix.scrollview import ScrollView

    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            view_left, view_bottom = parent.to_window(parent.x, parent.y)
            view_right, view_top = parent.to_window(parent.right, parent.top)
            left, bottom = max(left, view_left), max(bottom, view_bottom)
            right, top = min(right, view_right), min(top, view_top)
        parent = parent.parent
    return left, bottom, right, top


def _scroll_report(widget: Any) -> str:
    """The numbers behind a widget that scrolling did not bring into view."""
    from kivy.uix.scrollview import ScrollView

    view = widget.parent
    while view is not None and not isinstance(view, ScrollView):
        view = view.parent
    if view is None:
        return " (not in a scroll view)"
    content = view.children[0] if view.children else None
    return (f" (scroll view {view.width:.0f}x{view.height:.0f} at y {view.to_window(view.x, view.y)[1]:.0f},"
            f" scroll_y {view.scroll_y:.3f}, content height {getattr(content, 'height', 0):.0f}"
            f" of minimum {getattr(content, 'minimum_height', 0):.0f}, widget y {widget.y:.0f} h {widget.height:.0f},"
            f" effect {_effect_report(view.effect_y)})")


def _effect_report(effect: Any) -> str:
    if effect is None:
        return "none"
    return (f"value {effect.value:.1f} in [{effect.max:.1f}, {effect.min:.1f}], velocity {effect.velocity:.2f},"
            f" overscroll {getattr(effect, 'overscroll', 0):.1f}, manual {effect.is_manual}")


def _inside(widget: Any, view: Any) -> bool:
    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    view_left, view_bottom = view.to_window(view.x, view.y)
    view_right, view_top = view.to_window(view.right, view.top)
    return bool(left >= view_left - 1 and bottom >= view_bottom - 1
            and right <= view_right + 1 and top <= view_top + 1)


def _walk(widget: Any) -> Iterator[Any]:
    """The widget and its shown descendants; of a ScreenManager only the current screen."""
    from kivy.uix.screenmanager import ScreenManager

    yield widget
    if isinstance(widget, ScreenManager):
        if widget.current_screen is not None:
            yield from _walk(widget.current_screen)
        return
    for child in reversed(widget.children):
        yield from _walk(child)


class _Touch:
    """A finger on the glass, as Kivy's input providers report it."""

    finger_class: Any = None  # made once: a class per touch would pile up in MotionEvent's registry

    def __new__(cls, x: float, y: float, window: Any) -> Any:
        if cls.finger_class is None:
            from kivy.input.motionevent import MotionEvent

            class Finger(MotionEvent):
                def depack(self, args: dict[str, float]) -> None:
                    self.sx, self.sy = args["sx"], args["sy"]
                    self.profile = ["pos"]
                    super().depack(args)

            cls.finger_class = Finger
        args = {"sx": x / max(window.width - 1, 1), "sy": y / max(window.height - 1, 1)}
        return cls.finger_class("pilot", next(_touch_ids), args, is_touch=True, type_id="touch")
