"""Shared touch widgets: buttons with a stable `tag` for tests, wrapping labels, keypads and editors.

Editors are overlays that hold what the citizen types only until OK or Cancel; then they are wiped and the
value goes up as a FieldChanged intent.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kivy.animation import Animation
from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.logs import log_event
from screens.pinyin import Candidate, candidates
from screens.text_breaks import drawn_lines, rebroken

log = logging.getLogger("kiosk.screens")


def app() -> App:
    return App.get_running_app()


# ---- widgets dropped for good ----
#
# Kivy unbinds a widget's kv rules only from its destructor, when the garbage collector frees it. A widget that is
# dropped keeps its rules bound until then: `color: app.palette.text` still runs on it when the palette changes.
# If a collection happens while such a rule is being evaluated (any allocation may start one), the widget dies
# under the rule and Kivy's ReferenceError escapes from the property change into the touch that made it: tapping
# elder mode crashed the app so. Widgets made and dropped while the app runs are therefore discarded (their
# rules unbound) when they are dropped, or kept and re-used.


def discard(widgets: Any | Iterable[Any]) -> None:
    """Unbind the kv rules of a widget (or of each of several) and of everything inside it, and stop their
    animations (a scroll bar's fade holds its view for half a second): for widgets that are dropped for good.
    They stay usable as plain widgets, but no rule updates them any more."""
    roots = [widgets] if hasattr(widgets, "walk") else list(widgets)
    for root in roots:
        for widget in list(root.walk(restrict=True)):
            Builder.unbind_widget(widget.uid)
            Animation.cancel_all(widget)


def collect_dropped_widgets(collect: Callable[[], object] = gc.collect) -> int:
    """Collect garbage (with `collect`) and count the widgets freed with kv rules still bound: each comes from a
    place that drops widgets without `discard`, so each is logged (the count only)."""
    from kivy.lang import builder

    bound = len(builder._handlers)  # widgets with kv rules bound; Kivy's destructor removes a freed widget's entry
    collect()
    dropped = bound - len(builder._handlers)
    if dropped > 0:
        log_event(log, "dropped_widgets_still_bound", logging.WARNING, count=dropped)
    return dropped


class Scroller(ScrollView):
    """Kivy's ScrollView, without its binding leak: each scroll update binds `bar_color` again, and the
    half-second fade that follows unbinds it once, so a burst of updates leaves callbacks behind for good
    (over a thousand sessions, tens of thousands: found by the soak benchmark)."""

    def clip_origin(self, pos: tuple[float, float], _parent: object) -> tuple[int, int]:
        """The view's lower left corner in window pixels, for its scissor box (kv rule in widgets.kv)."""
        x, y = self.to_window(*pos)
        return round(x), round(y)

    def update_from_scroll(self, *largs: object) -> None:
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*largs)

    # While a fling still glides, the scroll effect writes its own position back into scroll_y every frame,
    # so a position set directly (new content shown at its top, a widget scrolled into view) is undone a frame
    # later. Moving the view stops the glide and puts the effect where the view now is.

    def jump_to(self, scroll_y: float) -> None:
        """Show the content at `scroll_y` (1 = its top) at once."""
        self._stop_gliding()
        self.scroll_y = scroll_y
        self._update_effect_bounds()

    def scroll_to(self, widget: object, padding: float = 10, animate: object = True) -> None:
        self._stop_gliding()
        super().scroll_to(widget, padding, animate)
        if not animate:
            self._update_effect_bounds()

    def _stop_gliding(self) -> None:
        for effect in (self.effect_x, self.effect_y):
            if effect is not None:
                effect.velocity = 0


MAX_ROUNDS_WAITED = 4
MAX_REBREAKS = 3


class LaidOutLabel(Label):
    """A label that draws its text once its layout has given it a width. Kivy renders a new label's text at
    once, at whatever width the layout has reached (often a few pixels: one glyph a line), and again at the
    real width; the first renderings were the largest part of drawing the first frame. While its width keeps
    changing, or is too narrow for two glyphs (not laid out yet), it waits a round of the frame's layout, a
    few rounds at most: all within the same frame, so nothing shows late.

    Kivy breaks a run of Chinese wherever the width runs out, so a line could begin with "。" or "）"; such a
    wrap is moved a character earlier (screens.text_breaks) by a line break in what is drawn, never in
    `text`."""

    _seen_width = -1.0
    _rounds_waited = 0

    def texture_update(self, *largs: object) -> None:
        wrap_width = self.text_size[0]
        unsettled = self.width != self._seen_width or (wrap_width is not None and wrap_width < 2 * self.font_size)
        if unsettled and self._rounds_waited < MAX_ROUNDS_WAITED:
            self._seen_width = self.width
            self._rounds_waited += 1
            self._trigger_texture()  # still before this frame is drawn, after the layouts queued with it
            return
        self._rounds_waited = 0
        if not self.markup:
            self._label.text = self.text  # without the breaks made for another width (markup is made anew)
        super().texture_update(*largs)
        for _ in range(MAX_REBREAKS):  # a wrap the rules of Chinese text forbid: break a character earlier
            source = rebroken(self._label.text, self.markup, drawn_lines(self))
            if source is None:
                break
            self._draw(source)

    def _draw(self, source: str) -> None:
        """Draw `source` instead of the text, as Label.texture_update draws the text."""
        label = self._label
        label.text = source
        label.refresh()
        if self.markup:
            if label.texture:
                label.texture.bind()  # makes the renderer report the references
            self.refs, self.anchors = label.refs, label.anchors
        if label.texture is not None:
            self.texture = label.texture
            self.texture_size = list(label.texture.size)
        self.is_shortened = label.is_shortened


class WrapLabel(LaidOutLabel):
    """A label that wraps to its width and is as tall as its text."""


class KButton(ButtonBehavior, LaidOutLabel):
    """A big rounded button. `tag` names it for tests and the demo script (e.g. "item:orphan-support")."""

    tag = StringProperty("")
    kind = StringProperty("primary")  # primary, secondary, tile, key, danger, choice, selected, bar
    # The text size by role (small, body, button, title, huge, bar), looked up in app.fs; never a fixed
    # font_size in a kv rule, because the class rule would override it whenever the sizes change.
    font_role = StringProperty("button")
    height_role = StringProperty("button")  # button, key, bar, tall, huge: the least height, from app.hs


class Card(BoxLayout):
    """A white panel with rounded corners."""


class ErrorPanel(Card):
    """What happened, what to do, the error code and the kiosk id, and a button that calls staff (`call`: False
    where the screen has its own next to the panel)."""

    title = StringProperty("")
    todo = StringProperty("")
    code = StringProperty("")
    call = BooleanProperty(True)

    def on_kv_post(self, base_widget: object) -> None:
        self._call_button = self.ids.call.__self__
        show(self._call_button, self.call)

    def on_call(self, _panel: object, call: bool) -> None:
        if hasattr(self, "_call_button"):
            show(self._call_button, call)


_more_rules_loaded = False


def load_more_rules() -> None:
    """The kv rules in widgets_more.kv, once: before the first keypad, editor, panel or animation is made."""
    global _more_rules_loaded
    if not _more_rules_loaded:
        _more_rules_loaded = True
        Builder.load_file(str(Path(__file__).with_name("widgets_more.kv")))


class MoreRules:
    """Base of the widgets whose kv rules are in widgets_more.kv: the rules are loaded when one is made."""

    def __init__(self, **kwargs: Any) -> None:
        load_more_rules()
        super().__init__(**kwargs)


class NumericKeypad(MoreRules, GridLayout):
    """Digits, optionally X (the ID number check letter), and backspace. Calls `on_key(key)`."""

    allow_x = BooleanProperty(False)
    on_key: Callable[[str], None] | None = None

    def press(self, key: str) -> None:
        if self.on_key is not None:
            self.on_key(key)


class Overlay(ModalView):
    """A full-width modal panel; the app closes every overlay when a session ends. An overlay is made for one
    showing: once closed and off the window it is discarded (its kv rules unbound) and dropped."""

    _closed = False

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("auto_dismiss", False)
        super().__init__(**kwargs)
        self._anim_duration = 0  # overlays appear at once: no animation to wait for

    def on_open(self) -> None:
        app().overlays.add(self)
        body = self.ids.get("body")
        if body is not None and not getattr(self, "_fitted", False):
            # The kv height rule cannot see a subclass's `body` when it is first evaluated and leaves the
            # panel 0 high (centred on its middle, a tall one ran off the glass): follow the body from here.
            self._fitted = True
            body.bind(minimum_height=lambda _body, height: setattr(self, "height", height))
        if body is not None:
            self.height = body.minimum_height

    def on_dismiss(self) -> None:
        app().overlays.discard(self)
        self.wipe()
        self._closed = True

    def on_parent(self, _overlay: object, parent: object) -> None:
        if parent is None and self._closed:  # off the window (the frame after dismiss): gone for good
            discard([self, *self.held_aside()])

    def held_aside(self) -> list[Widget]:
        """Widgets the overlay keeps for re-use outside its tree, discarded with it."""
        return []

    def wipe(self) -> None:
        """Forget anything typed."""


class TypedEditor(MoreRules, Overlay):
    """An editor the citizen types a value into; OK hands it on, and it is forgotten when the editor is wiped."""

    title = StringProperty("")
    value = StringProperty("")
    max_length = NumericProperty(20)
    on_done: Callable[[str], None] | None = None

    def ok(self) -> None:
        value, done = self.value, self.on_done
        self.dismiss()
        if done is not None:
            done(value)

    def wipe(self) -> None:
        self.value = ""
        self.on_done = None


class KeypadEditor(TypedEditor):
    """Enter digits (phone, ID numbers, certificate numbers) on a big keypad."""

    allow_x = BooleanProperty(False)
    mask_display = BooleanProperty(False)

    def on_kv_post(self, base_widget: object) -> None:
        self.ids.keypad.on_key = self.key

    def key(self, key: str) -> None:
        if key == "back":
            self.value = self.value[:-1]
        elif key == "clear":
            self.value = ""
        elif len(self.value) < self.max_length:
            self.value += key

class ChoiceEditor(MoreRules, Overlay):
    """Pick one of a list; long lists (31 provinces) are shown as a grid."""

    title = StringProperty("")
    choices = ListProperty([])  # (value, label)
    selected = StringProperty("")
    on_done: Callable[[str], None] | None = None

    def on_choices(self, _instance: object, choices: list[tuple[str, str]]) -> None:
        grid = self.ids.grid
        discard(grid.children)
        grid.clear_widgets()
        grid.cols = 3 if len(choices) > 12 else (2 if len(choices) > 4 else 1)
        for value, label in choices:
            button = KButton(text=label, tag=f"choice:{value}",
                             kind="selected" if value == self.selected else "choice")
            button.bind(on_release=lambda _b, v=value: self.pick(v))
            grid.add_widget(button)

    def pick(self, value: str) -> None:
        done = self.on_done
        self.dismiss()
        if done is not None:
            done(value)

    def wipe(self) -> None:
        self.on_done = None
        self.selected = ""


class PinyinEditor(TypedEditor):
    """Chinese text without an IME: type pinyin letters, pick the character from ranked candidates.

    In languages other than zh the letters are entered as they are (search by English names)."""

    letters = StringProperty("")
    chinese = BooleanProperty(True)
    hint = StringProperty("pinyin.hint")  # names: 生僻字 are for staff to enter; a search says what it finds
    keep_letters = BooleanProperty(False)  # a search: letters left unpicked are searched as pinyin ('jh')
    page = NumericProperty(0)
    PAGE = 6
    MAX_LETTERS = 24  # a few syllables: a whole word such as changchunshi is offered as one candidate

    ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")

    def __init__(self, **kwargs: Any) -> None:
        self._keys: list[KButton] = []  # the candidate keys, re-used as the letters change
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        for row in self.ROWS:
            line = Factory.LetterRow()  # as tall as app.kh, by a kv rule: unbound with the editor's other rules
            for letter in row:
                key = KButton(text=letter, kind="key", tag=f"letter:{letter}", font_role="title", height_role="key")
                key.bind(on_release=lambda _b, x=letter: self.letter(x))
                line.add_widget(key)
            self.ids.letters.add_widget(line)
        self.refresh()

    def on_letters(self, *_args: object) -> None:
        self.page = 0
        self.refresh()

    def on_page(self, *_args: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        bar = self.ids.get("candidates")
        if bar is None:
            return
        bar.clear_widgets()
        found = candidates(self.letters) if self.letters and self.chinese else []
        shown = found[self.page * self.PAGE:(self.page + 1) * self.PAGE]
        for n, candidate in enumerate(shown):
            button = self._key(n)
            button.text, button.tag, button.kind = candidate.text, f"candidate:{n}", "key"
            button.size_hint_x = max(1, len(candidate.text) * 0.8)
            button.candidate = candidate
            bar.add_widget(button)
        if len(found) > (self.page + 1) * self.PAGE:
            more = self._key(len(shown))
            more.text, more.tag, more.kind, more.size_hint_x = "→", "candidate:more", "secondary", 1
            more.candidate = None
            bar.add_widget(more)
        for button in self._keys:
            if button.parent is None:
                button.text, button.candidate = "", None  # nothing typed stays on a key that is not shown

    def held_aside(self) -> list[Widget]:
        return [key for key in self._keys if key.parent is None]

    def _key(self, n: int) -> KButton:
        """The `n`th candidate key (made the first time it is needed, then re-used)."""
        while len(self._keys) <= n:
            button = KButton(kind="key", font_role="title", height_role="key")
            button.candidate = None
            button.bind(on_release=self._key_released)
            self._keys.append(button)
        return self._keys[n]

    def _key_released(self, button: KButton) -> None:
        candidate: Candidate | None = button.candidate
        if candidate is None:
            self.page += 1  # the "→" key: the next page of candidates
        else:
            self.pick(candidate.text, candidate.letters_used)

    def letter(self, letter: str) -> None:
        if not self.chinese:
            if len(self.value) < self.max_length:
                self.value += letter
            return
        if len(self.letters) < self.MAX_LETTERS:
            self.letters += letter

    def backspace(self) -> None:
        if self.letters:
            self.letters = self.letters[:-1]
        else:
            self.value = self.value[:-1]

    def ok(self) -> None:
        if self.keep_letters and self.letters:
            self.value = (self.value + self.letters)[:self.max_length]
        super().ok()

    def pick(self, text: str, letters_used: int | None = None) -> None:
        """Take a character or word; the letters it spelled are used up and the rest stay for the next pick."""
        if len(self.value) + len(text) <= self.max_length:
            self.value += text
        self.letters = self.letters[letters_used:] if letters_used is not None else ""

    def wipe(self) -> None:
        super().wipe()
        self.letters = ""
        self.refresh()


class VoicePanel(MoreRules, Overlay):
    """Voice guidance on or off, and louder or quieter; each choice is an intent, so it lasts only as long as the
    session. The panel shows what the app reports back (app.voice, app.volume)."""

    def set_voice(self, on: bool) -> None:
        from kiosk.core.session import events as ev

        if on != app().voice:
            app().send(ev.VoiceToggled())

    def change_volume(self, louder: bool) -> None:
        from kiosk.core.session import events as ev

        app().send(ev.VolumeChanged(louder=louder))


class IdleOverlay(MoreRules, Overlay):
    """The warning before an idle session ends, with one big button to go on."""

    seconds = NumericProperty(0)
    on_extend: Callable[[], None] | None = None

    def extend(self) -> None:
        if self.on_extend is not None:
            self.on_extend()


class FieldRow(MoreRules, ButtonBehavior, BoxLayout):
    """One form field: label, value (masked where personal) and the error, if any. Tappable when editable."""

    tag = StringProperty("")
    label = StringProperty("")
    value = StringProperty("")
    hint = StringProperty("")
    error = StringProperty("")
    editable = BooleanProperty(True)
    source = ObjectProperty(None)



class LoopingAnimation(MoreRules, Widget):
    """A widget that animates in a loop between start() and stop()."""

    running = BooleanProperty(False)

    def animation(self) -> Animation:
        raise NotImplementedError

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        anim = self.animation()
        anim.repeat = True
        anim.start(self)

    def stop(self) -> None:
        Animation.cancel_all(self)
        self.running = False
        self.rest()

    def rest(self) -> None:
        """Back to the first picture."""


class CardAnimation(LoopingAnimation):
    """A card gliding down onto the reader, again and again, so it is clear where the card goes."""

    progress = NumericProperty(0)

    def animation(self) -> Animation:
        return (Animation(progress=1, duration=1.2, t="out_quad") + Animation(duration=0.8)
                + Animation(progress=0, duration=0))

    def rest(self) -> None:
        self.progress = 0


class BusySpinner(LoopingAnimation):
    """An arc that turns while the kiosk waits on the network or the printer."""

    angle = NumericProperty(0)

    def animation(self) -> Animation:
        self.angle = 0
        return Animation(angle=360, duration=1.2)


class ButtonPool:
    """Buttons for lists that change (items, days, slots): made once, then re-used with new texts and actions,
    because Kivy leaks memory when widgets are created over and over on a kiosk that runs for months."""

    def __init__(self) -> None:
        self._buttons: list[KButton] = []

    def show(self, container: object, specs: list[tuple[str, str, str, Callable[..., None]]]) -> list[KButton]:
        """specs: (tag, text, kind, action) in order."""
        container.clear_widgets()  # type: ignore[attr-defined]
        while len(self._buttons) < len(specs):
            button = KButton(markup=True)  # list texts are composed with markup; other buttons skip the parser
            button.bind(on_release=lambda b: b.action())
            self._buttons.append(button)
        shown = []
        for button, (tag, text, kind, action) in zip(self._buttons, specs, strict=False):
            button.tag, button.text, button.kind = tag, text, kind
            button.action = action
            container.add_widget(button)  # type: ignore[attr-defined]
            shown.append(button)
        return shown


# id(widget) -> (widget, parent, index); holding the widget keeps it alive while it is out of the layout
_DETACHED: dict[int, tuple[object, object, int]] = {}


def show(widget: object, visible: bool) -> None:
    """Put a widget back where it was, or take it out of the layout: hidden, it takes no room and no touch.
    Pass the widget itself, not the weak proxy that `ids` gives."""
    key = id(widget)
    if visible:
        if key in _DETACHED and getattr(widget, "parent", None) is None:
            _, parent, index = _DETACHED.pop(key)
            parent.add_widget(widget, index=min(index, len(parent.children)))  # type: ignore[attr-defined]
        return
    parent = getattr(widget, "parent", None)
    if parent is not None:
        _DETACHED[key] = (widget, parent, parent.children.index(widget))
        parent.remove_widget(widget)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
