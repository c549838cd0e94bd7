"""The rest of issue #15's point 9, measured on the running app: the separate consent is a check box whose
state is seen and said; the keypad is larger in elder mode; a day button holds its date on one line, in an
order nobody misreads; every home tile lies inside the window in landscape. Each screenshot also goes through
the harness's own checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from screens import i18n
from screens.text_breaks import drawn_lines
from tests.ui.harness import PORTRAIT, Harness
from tests.ui.test_accessibility import wait_for_speech
from tests.ui.test_every_screen import set_mode
from tests.ui.test_journeys import open_item, to_slots

pytestmark = pytest.mark.slow

LANDSCAPE = (PORTRAIT[1], PORTRAIT[0])


@contextmanager
def back_to_normal(kiosk: Harness) -> Iterator[None]:
    try:
        yield
    finally:
        set_mode(kiosk, "zh", False, False)


def pixel_inside(kiosk: Harness, box: object) -> tuple[int, int, int]:
    """The colour in the box's lower left quarter (clear of its outline and of the tick) in the last screenshot."""
    image = kiosk.pilot.last_image
    x, y = box.to_window(box.x + box.width * 0.25, box.y + box.height * 0.25)  # type: ignore[attr-defined]
    return image.getpixel((int(x), int(image.height - y)))  # type: ignore[no-any-return]


def test_the_separate_consent_is_a_check_box_whose_state_is_seen_and_said(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "disability", "disability-subsidies")
    p.tap("guide:start")
    p.wait_for_screen("consent")
    check = p.find("consent:sensitive")
    box = check.ids.box
    kiosk.shot("unticked")
    assert not check.checked and abs(box.width - box.height) < 1  # a square box beside the sentence
    assert pixel_inside(kiosk, box) == (255, 255, 255)  # empty
    assert "未勾选，点击方框勾选" in p.texts()
    p.tap("consent:agree")
    assert p.state.session.consent_error
    kiosk.shot("refused")
    kiosk.app.kiosk.ports.speech.clear()
    p.tap("consent:sensitive")
    assert check.checked
    wait_for_speech(kiosk, i18n.t("consent.ticked", "zh"))
    kiosk.shot("ticked")
    assert pixel_inside(kiosk, box) == tuple(round(c * 255) for c in kiosk.app.palette.primary[:3])  # filled
    assert "已勾选" in p.texts() and not p.state.session.consent_error  # "please tick" is answered
    with back_to_normal(kiosk):
        for language in ("ko", "en"):
            set_mode(kiosk, language, True, False)
            kiosk.shot(f"ticked-{language}-elder")
            assert i18n.t("consent.state_on", language) in p.texts()
    p.tap("consent:sensitive")
    wait_for_speech(kiosk, i18n.t("consent.unticked", "zh"))
    assert not check.checked and "未勾选，点击方框勾选" in p.texts()


def keypad_sizes(kiosk: Harness) -> dict[str, tuple[float, float, float]]:
    """key tag -> (width, height, font size) of the progress query's keypad."""
    p = kiosk.pilot
    p.tap("progress:number")
    keys = {tag: p.find(tag) for tag in ("key:1", "key:0", "key:X", "key:back")}
    sizes = {tag: (key.width, key.height, key.font_size) for tag, key in keys.items()}
    return sizes


def test_the_keypad_is_larger_in_elder_mode(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.tap("home:progress")
    p.wait_for_screen("progress")
    normal = keypad_sizes(kiosk)
    kiosk.shot("keypad")
    p.tap("editor:cancel")
    with back_to_normal(kiosk):
        set_mode(kiosk, "zh", True, False)
        elder = keypad_sizes(kiosk)
        kiosk.shot("keypad-elder")
        p.tap("editor:cancel")
        for sizes in (normal, elder):
            assert len({round(height) for _w, height, _f in sizes.values()}) == 1, sizes  # even rows
        assert elder["key:1"][1] >= 1.3 * normal["key:1"][1], (normal, elder)
        assert elder["key:1"][2] >= 1.15 * normal["key:1"][2], (normal, elder)
        set_mode(kiosk, "en", True, True)  # landscape: the larger keypad and its editor still fit the screen
        landscape = keypad_sizes(kiosk)
        kiosk.shot("keypad-elder-landscape")
        assert len({round(height) for _w, height, _f in landscape.values()}) == 1, landscape
        body = p.find("editor:ok").parent
        while not hasattr(body, "minimum_height") or body.parent.__class__.__name__ != "ReceiptEditor":
            body = body.parent
        bottom, top = body.to_window(body.x, body.y)[1], body.to_window(body.x, body.top)[1]
        assert bottom >= 0 and top <= LANDSCAPE[1], (bottom, top)
        p.tap("editor:cancel")
    p.tap("progress:finish")
    p.wait_for_screen("home")


ENGLISH_DAY = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$")


def test_each_day_button_shows_its_date_on_one_line(kiosk: Harness) -> None:
    p = kiosk.pilot
    to_slots(kiosk)
    with back_to_normal(kiosk):
        for language in ("zh", "ko", "en"):
            for elder in (False, True):
                for landscape in (False, True):
                    set_mode(kiosk, language, elder, landscape)
                    p.frames(2)
                    days = [w for w in p.visible_widgets() if getattr(w, "tag", "").startswith("day:")]
                    assert days
                    name = f"days-{language}{'-elder' if elder else ''}{'-landscape' if landscape else ''}"
                    if language == "ko" or (language == "en" and not landscape):
                        kiosk.shot(name)
                    for day in days:
                        assert "\n" not in day.text and len(drawn_lines(day)) == 1, (name, day.text, drawn_lines(day))
                        if language == "en":
                            assert ENGLISH_DAY.match(day.text), day.text
    kiosk.reader.remove()
    p.tap("bar:home")
    p.wait_for_screen("home")


def test_every_home_tile_is_inside_the_window_in_landscape(kiosk: Harness) -> None:
    p = kiosk.pilot
    with back_to_normal(kiosk):
        for language in ("zh", "ko", "en"):
            for elder in (False, True):
                set_mode(kiosk, language, elder, False)  # drawn in portrait, then the screen is turned
                p.window.size = LANDSCAPE
                p.frames(4)
                name = f"home-{language}{'-elder' if elder else ''}-landscape"
                kiosk.shot(name)
                tiles = [w for w in p.visible_widgets() if getattr(w, "tag", "").startswith("category:")]
                assert len(tiles) == len(kiosk.app.state.rules.catalog.categories)
                view = next(w for w in p.visible_widgets() if w.__class__.__name__ == "Scroller"
                            and tiles[0] in list(w.walk()))
                view_bottom, view_top = view.to_window(view.x, view.y)[1], view.to_window(view.x, view.top)[1]
                for tile in tiles:
                    bottom, top = tile.to_window(tile.x, tile.y)[1], tile.to_window(tile.x, tile.top)[1]
                    assert view_bottom <= bottom and top <= view_top, (name, tile.tag, bottom, top, view_bottom)
                p.window.size = PORTRAIT
                p.frames(4)
