"""Scrolling by touch: a fling glides on after the finger has gone; new content still starts at its top, and a
widget scrolled into view stays in view."""

from __future__ import annotations

from typing import Any

from tests.ui.harness import Harness
from tests.ui.test_journeys import ZHANG, open_item


def scroller(kiosk: Harness, screen: str) -> Any:
    return kiosk.app.screens[screen].ids.scroll


def taller_than_view(view: Any) -> bool:
    return bool(view.children[0].height > view.height + 100)


def test_a_new_guide_starts_at_its_top_while_the_last_one_still_glides(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "children", "orphan-support")
    guide = scroller(kiosk, "guide")
    assert taller_than_view(guide)
    p.swipe(guide, 400)  # read on: the page glides down the text after the finger lifts
    p.tap("nav:back")
    p.wait_for_screen("browse")
    assert abs(guide.effect_y.velocity) > 1, "the scenario under test: the last guide still glides"
    p.tap("item:de-facto-unsupported-child")
    p.wait_for_screen("guide")
    kiosk.shot("guide-after-a-glide")
    for _ in range(20):  # and stays there: the glide of the page before does not carry it away
        assert guide.scroll_y > 0.999, f"the new guide is shown from {guide.scroll_y:.3f}, not from its top"
        p.frames(1)


def test_an_item_at_the_bottom_of_a_gliding_list_is_reached(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.tap("category:data_sharing")
    p.wait_for_screen("browse")
    listing = scroller(kiosk, "browse")
    assert taller_than_view(listing)
    p.swipe(listing, -300)  # a fling back towards the top of the list
    assert abs(listing.effect_y.velocity) > 1
    p.tap("item:spouse-hukou-transfer")  # the last item: scrolled into view first, then touched
    p.wait_for_screen("guide")
    assert p.state.session.item_id == "spouse-hukou-transfer"


def test_another_list_starts_at_its_top(kiosk: Harness) -> None:
    p = kiosk.pilot
    p.tap("bar:elder")  # larger tiles: the search results below fill more than a screen
    p.tap("category:data_sharing")
    p.wait_for_screen("browse")
    listing = scroller(kiosk, "browse")
    listing.jump_to(0)  # the citizen has read to the end of the list
    p.frames(2)
    p.tap("nav:back")
    p.wait_for_screen("home")
    p.tap("home:search")
    p.type_pinyin("deng", "登")  # 登记: six items
    p.tap("editor:ok")
    p.wait_for_screen("browse")
    assert len([t for t in p.tags() if t.startswith("item:")]) == 6
    assert taller_than_view(listing)
    assert listing.scroll_y > 0.999
    p.tap("nav:back")
    p.wait_for_screen("home")
    p.tap("category:data_sharing")
    p.wait_for_screen("browse")
    listing.jump_to(0)
    p.frames(2)
    p.tap("item:spouse-hukou-transfer")
    p.wait_for_screen("guide")
    p.tap("nav:back")  # back from the guide: the same list, where the citizen left it
    p.wait_for_screen("browse")
    assert listing.scroll_y < 0.01


def test_the_next_citizen_starts_at_the_top_of_the_same_guide_and_form(kiosk: Harness) -> None:
    """The guide's texts and the form's rows are kept from one session to the next (drawing them again is slow),
    and so was how far the last citizen had scrolled them: the next one opened the form half way down."""
    p = kiosk.pilot
    guide, form = scroller(kiosk, "guide"), scroller(kiosk, "form")
    open_item(kiosk, "disability", "disability-subsidies")
    guide.jump_to(0)  # a citizen reads the guide to its end, and the form too, then leaves
    p.frames(2)
    p.tap("guide:start")
    p.tap("consent:sensitive")
    p.tap("consent:agree")
    p.wait_for_screen("identify")
    kiosk.reader.insert(ZHANG)
    p.wait_for_screen("form")
    assert taller_than_view(form)
    form.jump_to(0)
    p.frames(2)
    kiosk.reader.remove()
    p.tap("bar:home")
    p.wait_until(lambda: p.state.session is None, what="the end of the session")
    p.tap("bar:lang:zh")  # the next citizen, for the same item
    open_item(kiosk, "disability", "disability-subsidies")
    assert guide.scroll_y > 0.999, f"the guide is shown from {guide.scroll_y:.3f}, not from its top"
    p.tap("guide:start")
    p.tap("consent:sensitive")
    p.tap("consent:agree")
    p.wait_for_screen("identify")
    kiosk.reader.insert(ZHANG)
    p.wait_for_screen("form")
    assert form.scroll_y > 0.999, f"the form is shown from {form.scroll_y:.3f}, not from its top"
