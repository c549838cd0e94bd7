"""好差评 at the kiosk (issue #15), by touch, with the kiosk's own backend: after a printed guide the five levels
are offered in one tap, skippable; a low rating asks why from a short list and offers to call staff; the backend
keeps the rating with its service and reason and nothing personal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from backend.server.models import Rating
from kiosk.core.help_calls import HelpStatus
from kiosk.core.session import events as ev
from tests.ui.harness import Harness
from tests.ui.test_journeys import open_item

pytestmark = pytest.mark.slow


def print_guide(kiosk: Harness) -> None:
    p = kiosk.pilot
    open_item(kiosk, "data_sharing", "spouse-hukou-transfer")
    p.tap("guide:print")
    p.wait_for_screen("guide_printing")
    p.wait_until(lambda: p.has("rate:1"), what="the rating offered once the guide is printed")


def ratings(kiosk: Harness) -> list[tuple[Any, ...]]:
    local: Any = kiosk.backend.started()
    with local.server.state.sessions() as session:
        rows = session.execute(select(Rating.service, Rating.satisfaction, Rating.reason, Rating.application_number,
                                      Rating.comment_sealed).order_by(Rating.id)).all()
    return [tuple(row) for row in rows]


def rated(kiosk: Harness, before: int, count: int = 1) -> list[tuple[Any, ...]]:
    kiosk.pilot.wait_until(lambda: len(ratings(kiosk)) >= before + count, timeout_s=15, what="the rating delivered")
    return ratings(kiosk)[before:]


def test_a_guide_is_rated_in_one_tap(kiosk: Harness) -> None:
    p = kiosk.pilot
    before = len(ratings(kiosk))
    print_guide(kiosk)
    assert "您对本次服务满意吗？点一下即可评价" in p.texts()
    kiosk.shot("offered")
    p.tap("rate:2")
    assert "感谢您的评价" in p.texts() and not p.has("rate:1")
    kiosk.shot("thanks")
    assert rated(kiosk, before) == [("guide", 2, None, None, None)]


def test_a_low_rating_asks_why_and_offers_staff_in_elder_mode(kiosk: Harness) -> None:
    p = kiosk.pilot
    before = len(ratings(kiosk))
    p.tap("bar:elder")
    print_guide(kiosk)
    kiosk.shot("offered-elder")
    p.tap("rate:5")
    assert p.has("rate_reason:waiting") and p.has("rate_reason:staff")
    kiosk.shot("why")
    p.tap("rate_reason:staff")
    p.wait_until(lambda: p.state.help_call is not None and p.state.help_call.status != HelpStatus.NOTIFYING,
                 what="the call for staff")
    p.tap("rate_reason:device")
    assert not p.has("rate_reason:waiting") and "感谢您的评价" in p.texts()
    assert rated(kiosk, before) == [("guide", 5, "device", None, None)]


def test_a_low_rating_may_skip_the_reason_in_korean(kiosk: Harness) -> None:
    p = kiosk.pilot
    before = len(ratings(kiosk))
    p.tap("bar:lang:ko")
    print_guide(kiosk)
    kiosk.shot("offered-ko")
    p.tap("rate:4")
    kiosk.shot("why-ko")
    p.tap("rate_reason:skip")
    assert "평가해 주셔서 감사합니다" in p.texts()
    assert rated(kiosk, before) == [("guide", 4, None, None, None)]


def test_not_rating_is_fine_and_a_reason_left_open_is_sent_when_the_session_ends(kiosk: Harness) -> None:
    p = kiosk.pilot
    before = len(ratings(kiosk))
    print_guide(kiosk)
    p.tap("guide_printing:finish")  # no rating: nothing sent
    p.wait_for_screen("home")
    print_guide(kiosk)
    p.tap("rate:4")
    kiosk.app.send(ev.HomePressed())  # walks away: the session ends with the reason still asked
    p.wait_for_screen("home")
    assert rated(kiosk, before) == [("guide", 4, None, None, None)]
