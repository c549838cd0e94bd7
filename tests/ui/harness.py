"""The UI tests' harness: one kiosk app per test session on a virtual display (Kivy can open one window per
process), driven by touch through screens.pilot. Every screenshot is saved and checked: each label's text
must have glyphs in the Simplified Chinese font it renders with, and every touch target must be 60x60 dp.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SURFACE_PX = 1920
PORTRAIT = (1080, 1920)
SHOTS = Path(os.environ.get("KIOSK_UI_SHOTS", ROOT / "var" / "ui-screenshots"))
_MARKUP = re.compile(r"\[/?(?:b|i|u|s|sub|sup|color|size|font|font_context|font_family|font_features"
                     r"|anchor|ref|text_language)(?:=[^\]]*)?\]")


def make_config(folder: Path) -> Path:
    """A copy of the shipped kiosk.toml and profiles whose data, keys and slips go to `folder`."""
    config_dir = ROOT / "config"
    text = (config_dir / "kiosk.toml").read_text(encoding="utf-8")
    text = text.replace('"../var/data"', f'"{folder / "data"}"')
    text = text.replace('"../var/keys"', f'"{folder / "keys"}"')
    (folder / "kiosk.toml").write_text(text, encoding="utf-8")
    devices = folder / "devices"
    devices.mkdir(exist_ok=True)
    for profile in (config_dir / "devices").glob("*.toml"):
        body = profile.read_text(encoding="utf-8").replace('"../var/slips"', f'"{folder / "slips"}"')
        if profile.name == "simulated.toml":
            # SDL's offscreen surface keeps the size the window was created with, so it is made square and
            # large enough for both orientations; the harness then sizes the window as a portrait 1080x1920.
            body += f"width_px = {SURFACE_PX}\nheight_px = {SURFACE_PX}\n"
        (devices / profile.name).write_text(body, encoding="utf-8")
    return folder / "kiosk.toml"


class Harness:
    """A started kiosk plus the checks every UI test shares."""

    def __init__(self, folder: Path) -> None:
        os.environ["KIOSK_CONFIG"] = str(make_config(folder))
        os.environ.setdefault("KIOSK_FONT_CACHE", str(folder / "fonts"))
        from screens.pilot import Pilot

        self.pilot = Pilot.start(Path(os.environ["KIOSK_CONFIG"]), ROOT / "config" / "catalog")
        self.pilot.window.size = PORTRAIT
        self.pilot.frames(3)
        self.test_name = "session"
        self.count = 0
        self.shots: list[Path] = []

    # ---- devices ----

    @property
    def app(self) -> Any:
        return self.pilot.app

    @property
    def reader(self) -> Any:
        return self.app.kiosk.ports.reader

    @property
    def printer(self) -> Any:
        return self.app.kiosk.ports.printer

    @property
    def backend(self) -> Any:
        return self.app.kiosk.ports.backend

    def report_health(self) -> None:
        """What the health poller would post: the devices' state now, through the app's one hop."""
        from kiosk.session import events as ev

        for port in (self.reader, self.printer, self.backend):
            self.app.post(ev.HealthReported(port.health()))
        self.pilot.frames(3)

    def reset(self, test_name: str) -> None:
        """Back to an idle kiosk on the home screen with healthy devices, between tests."""
        from kiosk.session import events as ev

        self.test_name, self.count = test_name, 0
        for overlay in list(self.app.overlays):
            overlay.dismiss()
        self.reader.remove()
        self.reader.unplug(False)
        self.reader.auto_insert = None
        self.reader._faults.clear()
        self.printer.inject(None)
        self.backend.offline = False
        self.report_health()
        if self.app.state.session is not None:
            self.app.send(ev.HomePressed())
        self.pilot.wait_until(lambda: self.app.state.session is None, what="no session")
        self.pilot.wait_for_screen("home")

    # ---- screenshots and their checks ----

    def shot(self, name: str) -> Path:
        self.count += 1
        path = self.pilot.screenshot(SHOTS / f"{self.test_name}-{self.count:02d}-{name}.png")
        self.shots.append(path)
        problems = self.glyph_problems() + self.small_targets()
        assert not problems, f"{path.name}: " + "; ".join(problems)
        return path

    def labels(self) -> Iterator[Any]:
        from kivy.uix.label import Label

        for widget in self.pilot.visible_widgets():
            if isinstance(widget, Label) and widget.text and widget.opacity > 0:
                yield widget

    def glyph_problems(self) -> list[str]:
        from kivy.core.text import LabelBase

        from screens.fonts import family_name, missing_glyphs

        problems = []
        for label in self.labels():
            files = LabelBase._fonts.get(label.font_name)
            path = Path(files[2 if label.bold else 0]) if files else Path(label.font_name)
            family = family_name(path)
            if not ("SC" in family.split() or "WenQuanYi" in family):
                problems.append(f"{label.text[:20]!r} renders with {family!r}, not a Simplified Chinese face")
            text = _MARKUP.sub("", label.text) if label.markup else label.text
            missing = missing_glyphs(text, path)
            if missing:
                problems.append(f"{text[:20]!r} has no glyph for {''.join(missing)!r} in {path.name}")
        return problems

    def small_targets(self) -> list[str]:
        from kivy.metrics import dp
        from kivy.uix.behaviors import ButtonBehavior

        from screens.theme import MIN_TARGET_DP

        return [f"{getattr(w, 'tag', '') or w.text!r} is {w.width:.0f}x{w.height:.0f} px"
                for w in self.pilot.visible_widgets()
                if isinstance(w, ButtonBehavior) and not w.disabled and w.opacity > 0
                and (w.width < dp(MIN_TARGET_DP) or w.height < dp(MIN_TARGET_DP))]

    # ---- privacy ----

    def widget_strings(self) -> set[str]:
        """Every string any widget of the app holds: all screens (shown or not), overlays, detached parts."""
        from screens.widgets import _DETACHED

        found: set[str] = set()
        detached = (w for w, _p, _i in _DETACHED.values())
        roots = [*self.pilot.window.children, *self.app.screens.values(), *detached]
        seen: set[int] = set()
        stack = list(roots)
        while stack:
            widget = stack.pop()
            if id(widget) in seen:
                continue
            seen.add(id(widget))
            for name in widget.properties():
                if name in ("padding_x", "padding_y"):
                    continue  # deprecated aliases that only warn
                value = getattr(widget, name, None)
                if isinstance(value, str):
                    found.add(value)
                elif isinstance(value, (list, tuple)):
                    found.update(str(v) for v in value)
            for attribute in vars(widget).values():
                if isinstance(attribute, str):
                    found.add(attribute)
            stack.extend(widget.children)
            for panel in vars(widget).values():
                if hasattr(panel, "children") and hasattr(panel, "properties"):
                    stack.append(panel)
        return found


def reachable_strings(root: object, stop: tuple[type, ...] = ()) -> set[str]:
    """Strings reachable from `root` through Python references, not crossing into objects of the `stop`
    types (the app, the ports and the backend stand-in hold data that is not the screens' to forget)."""
    import gc
    import types

    opaque = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType,
              types.FrameType, *stop)
    seen: set[int] = set()
    found: set[str] = set()
    pending = [root]
    while pending:
        obj = pending.pop()
        if id(obj) in seen or isinstance(obj, opaque):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            found.add(obj)
            continue
        pending.extend(gc.get_referents(obj))
    return found
