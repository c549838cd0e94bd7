"""The UI tests' harness: one kiosk app per test session on a virtual display (Kivy can open one window per
process), driven by touch through screens.pilot. Every screenshot is saved and checked:
- each label's text has glyphs in the Simplified Chinese font it renders with;
- every touch target is at least 60x60 dp;
- every text's colour against the background measured under it in the picture is at least 4.5:1 (7:1 in
  elder mode), WCAG 2.x;
- no text runs into another text, and no English or Korean word is broken across lines;
- no line begins with closing punctuation or ends with opening punctuation, and no list marker or step
  number stands alone on its line (kiosk.core.linebreak);
- in elder mode every text is at least 18 pt on the physical screen of the default profile (32", 1080x1920).
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
        self.pilot.wait_until(lambda: self.app.settled, what="the screens and maintenance desk made after start")
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

    def submit_application(self, key: str, reference: str) -> Any:
        """An 孤儿 application submitted straight to the backend, as another visit to this kiosk would have."""
        from tests.support.applications import orphan_application

        kiosk = self.app.kiosk
        return self.backend.submit(orphan_application(kiosk.catalog, kiosk.config.settings.kiosk_id, key, reference))

    def take_card_back(self) -> None:
        """The citizen takes the card off the reader, as a person does: for longer than the reader's polling, so a
        read that waits for the card to leave (the next party's) sees it gone before another is laid down."""
        import time

        from kiosk.shell.patience import patient

        self.reader.remove()
        time.sleep(patient(0.5))
        self.pilot.frames(2)

    def report_health(self) -> None:
        """What the health poller would post: the devices' state now, through the app's one hop."""
        from kiosk.core.session import events as ev

        for port in (self.reader, self.printer, self.backend):
            self.app.post(ev.HealthReported(port.health()))
        self.pilot.frames(3)

    def reset(self, test_name: str) -> None:
        """Back to an idle kiosk on the home screen with healthy devices, between tests."""
        from kiosk.core.session import events as ev

        self.test_name, self.count = test_name, 0
        for overlay in list(self.app.overlays):
            overlay.dismiss()
        self.reader.remove()
        self.reader.unplug(False)
        self.reader.auto_insert = None
        self.reader._faults.clear()
        self.printer.inject(None)
        self.report_health()
        if (call := self.app.state.help_call) is not None:  # a call of an earlier test: staff came, it is over
            self.app.runner.help_desk.close()
            self.app.send(ev.HelpCallExpired(call.serial))
        if self.app.state.session is not None:
            self.app.send(ev.HomePressed())
        self.pilot.wait_until(lambda: self.app.state.session is None, what="no session")
        self.pilot.wait_for_screen("home")

    # ---- screenshots and their checks ----

    def shot(self, name: str) -> Path:
        self.count += 1
        path = self.pilot.screenshot(SHOTS / f"{self.test_name}-{self.count:02d}-{name}.png")
        self.shots.append(path)
        problems = (self.glyph_problems() + self.small_targets() + self.contrast_problems()
                    + self.overlapping_texts() + self.broken_words() + self.small_elder_texts()
                    + self.forbidden_wraps() + self.lone_markers())
        assert not problems, f"{path.name}: " + "; ".join(problems)
        return path

    # ---- what a person would notice ----

    def top_labels(self) -> list[Any]:
        from kivy.uix.label import Label

        return [w for w in self.pilot.top_layer_widgets()
                if isinstance(w, Label) and w.text.strip() and _shown(w) and w.width > 1 and w.height > 1]

    def contrast_problems(self) -> list[str]:
        """Each text's colour against the most common colour under its box in the screenshot."""
        from screens.theme import MIN_CONTRAST, MIN_CONTRAST_ELDER, contrast_ratio

        image = self.pilot.last_image
        least = MIN_CONTRAST_ELDER if self.app.elder else MIN_CONTRAST
        problems = []
        for label in self.top_labels():
            if label.disabled:
                continue  # WCAG exempts inactive controls
            box = self._image_box(label, image.height)
            if box is None:
                continue
            colours = image.crop(box).getcolors(maxcolors=(box[2] - box[0]) * (box[3] - box[1]))
            colours.sort(reverse=True)
            foreground = tuple(label.color)
            for markup in _MARKUP_COLOUR.findall(label.text) if label.markup else ():
                foreground = (*tuple(int(markup[i:i + 2], 16) / 255 for i in (0, 2, 4)), 1.0)
            background = (*tuple(c / 255 for c in colours[0][1]), 1.0)
            ratio = contrast_ratio(foreground, background)
            if ratio < least:
                problems.append(f"{_plain(label)[:20]!r} has contrast {ratio:.2f} < {least}")
        return problems

    def _image_box(self, widget: Any, image_height: int) -> tuple[int, int, int, int] | None:
        left, bottom, right, top = _visible_rect(widget)
        if right - left < 8 or top - bottom < 8:
            return None
        return int(left), int(image_height - top), int(right), int(image_height - bottom)

    def overlapping_texts(self) -> list[str]:
        """Texts whose drawn boxes (the label's texture, centred on it, clipped by scrolling) intersect."""
        boxes = []
        for label in self.top_labels():
            cx, cy = label.to_window(*label.center)
            w, h = label.texture_size
            rect = _clip((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), _clip_rect(label))
            if rect[2] - rect[0] > 1 and rect[3] - rect[1] > 1:
                boxes.append((label, rect))
        problems = []
        for n, (a, ra) in enumerate(boxes):
            for b, rb in boxes[n + 1:]:
                overlap_x = min(ra[2], rb[2]) - max(ra[0], rb[0])
                overlap_y = min(ra[3], rb[3]) - max(ra[1], rb[1])
                if overlap_x > 2 and overlap_y > 2:
                    problems.append(f"{_plain(a)[:16]!r} runs into {_plain(b)[:16]!r}")
        return problems

    def broken_words(self) -> list[str]:
        """An English or Korean word wider than its label is split in the middle ("Englis/h")."""
        from kivy.core.text import Label as CoreLabel

        problems = []
        for label in self.top_labels():
            width = label.text_size[0]
            if not width or label.shorten:
                continue
            for word in set(_plain(label).split()):
                if any(_is_han(ch) for ch in word):
                    continue  # Chinese wraps between any two characters
                core = CoreLabel(text=word, font_size=label.font_size, font_name=label.font_name, bold=label.bold)
                if core.get_extents(word)[0] > width + 1:
                    problems.append(f"{word!r} is split across lines in a {width:.0f} px label")
        return problems

    def forbidden_wraps(self) -> list[str]:
        """A line that begins with closing punctuation ("。", "）") or ends with opening punctuation, as drawn
        (Chinese text layout forbids both), a line that ends on the separator " ·", or a paragraph whose last line
        is a single character: kiosk.core.linebreak."""
        from kiosk.core.linebreak import breaks_to_move
        from screens.text_breaks import drawn_lines, plain_of_markup

        problems = []
        for label in self.top_labels():
            drawn = label._label.text
            plain = plain_of_markup(drawn)[0] if label.markup else drawn
            for move in breaks_to_move(plain, drawn_lines(label)):
                problems.append(f"{plain[max(0, move - 6):move + 3]!r} wraps where the rules forbid "
                                f"(it should break before {plain[move]!r})")
        return problems

    def lone_markers(self) -> list[str]:
        """A line that is only a list marker or step number ("2." / "•"), its text starting on the next line."""
        from kiosk.core.linebreak import lone_markers
        from screens.text_breaks import drawn_lines

        problems = []
        for label in self.top_labels():
            lines = drawn_lines(label)
            for n in lone_markers(lines):
                problems.append(f"{lines[n].strip()!r} stands alone before {lines[n + 1][:8]!r}")
        return problems

    def small_elder_texts(self) -> list[str]:
        from kiosk.core.settings import ScreenProfile
        from screens.theme import MIN_ELDER_TEXT_PT, pixels_per_inch, points

        if not self.app.elder:
            return []
        screen = ScreenProfile()  # the default 32" 1080x1920 profile the docs do the arithmetic for
        ppi = pixels_per_inch(screen.width_px, screen.height_px, screen.diagonal_inch)
        return [f"{_plain(label)[:20]!r} is {points(label.font_size, ppi):.1f} pt"
                for label in self.top_labels()
                if points(min([label.font_size, *_markup_sizes(label)]), ppi) < MIN_ELDER_TEXT_PT]

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


_MARKUP_COLOUR = re.compile(r"\[color=#?([0-9A-Fa-f]{6})\]")
_MARKUP_SIZE = re.compile(r"\[size=(\d+)\]")


def _markup_sizes(label: Any) -> list[float]:
    return [float(size) for size in _MARKUP_SIZE.findall(label.text)] if label.markup else []


def _plain(label: Any) -> str:
    return _MARKUP.sub("", label.text) if label.markup else label.text


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _shown(widget: Any) -> bool:
    node = widget
    while node is not None and node is not getattr(node, "parent", None):
        if getattr(node, "opacity", 1) <= 0:
            return False
        node = node.parent
    return True


def _clip(rect: tuple[float, float, float, float], by: tuple[float, float, float, float]) -> tuple[float, ...]:
    return max(rect[0], by[0]), max(rect[1], by[1]), min(rect[2], by[2]), min(rect[3], by[3])


def _clip_rect(widget: Any) -> tuple[float, float, float, float]:
    """The part of the window where the widget can be seen: inside every scrolling parent."""
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView

    rect: tuple[float, ...] = (0, 0, Window.width, Window.height)
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            left, bottom = parent.to_window(parent.x, parent.y)
            right, top = parent.to_window(parent.right, parent.top)
            rect = _clip(rect, (left, bottom, right, top))
        parent = parent.parent
    return rect  # type: ignore[return-value]


def _visible_rect(widget: Any) -> tuple[float, ...]:
    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    return _clip((left, bottom, right, top), _clip_rect(widget))


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
