"""Chinese guide texts as drawn: a list marker or step number never stands alone on its line, and a material's
condition stays with the material (the harness checks every screenshot; these look at the guides that broke)."""

from __future__ import annotations

import pytest

from tests.ui.harness import Harness
from tests.ui.test_journeys import open_item

pytestmark = pytest.mark.slow

GUIDES = [("disability", "disability-subsidies"), ("children", "de-facto-unsupported-child"),
          ("marriage", "marriage-registration"), ("data_sharing", "property-advance-registration")]


@pytest.mark.parametrize(("category", "item_id"), GUIDES)
def test_guide_lists_keep_markers_and_conditions_with_their_text(kiosk: Harness, category: str,
                                                                 item_id: str) -> None:
    p = kiosk.pilot
    open_item(kiosk, category, item_id)
    kiosk.shot(f"guide-{item_id}")  # the harness fails a shot with a marker alone on a line
    guide = kiosk.app.screens["guide"]
    guide.ids.scroll.scroll_to(guide.ids.steps, animate=False)
    p.frames(3)
    kiosk.shot(f"guide-{item_id}-steps")
    p.tap("bar:elder")
    guide.ids.scroll.scroll_to(guide.ids.materials, animate=False)
    p.frames(3)
    kiosk.shot(f"guide-{item_id}-elder-materials")
    item = p.state.item
    body = kiosk.app.screens["guide"].ids.materials.body
    for material in item.materials:
        if material.condition is not None:
            name, condition = material.name.zh, material.condition.zh
            start = body.index(name)
            paragraph = body[start:body.find("\n", start)] if "\n" in body[start:] else body[start:]
            assert condition in paragraph, f"{condition!r} is not in the paragraph of {name!r}"
