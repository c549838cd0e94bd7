"""Identification's transitions (kiosk/core/session/identification.py) that the journey tests left open: a card
that cannot be used must leave the reader before the next read, a card laid down while nothing is being read
changes nothing, and a number typed by hand is never said to be a card read."""

from __future__ import annotations

from kiosk.core.health import Reason
from kiosk.core.session import IdentifyStatus, Phase
from kiosk.core.session import events as ev
from kiosk.core.session.commands import ReadCard
from kiosk.core.session.model import Rules
from kiosk.core.value import replace
from tests.unit import session_helpers as h
from tests.unit.session_helpers import EXPIRED, SID, TODAY, ZHANG, commands_of, phase, run


def test_a_card_refused_as_expired_or_miscoded_must_leave_before_the_next_read(rules: Rules) -> None:
    """Reading the same card again gives the same answer: the retry waits for another card."""
    miscoded = replace(ZHANG, id_number="220102195603120021")
    for card, reason in ((EXPIRED, Reason.CARD_EXPIRED), (miscoded, Reason.CARD_CHECKSUM)):
        state, _ = run(h.at_identify(rules), ev.CardRead(SID, card, TODAY))
        assert state.session.identification.error == reason
        _, commands = run(state, ev.CardReadRetried())
        assert [c.fresh for c in commands_of(commands, ReadCard)] == [True], reason


def test_a_card_that_failed_to_read_may_be_read_again_where_it_lies(rules: Rules) -> None:
    state, _ = run(h.at_identify(rules), ev.CardReadFailed(SID, Reason.CARD_UNREADABLE))
    _, commands = run(state, ev.CardReadRetried())
    assert [c.fresh for c in commands_of(commands, ReadCard)] == [False]


def test_a_card_laid_down_while_nothing_is_read_changes_nothing(rules: Rules) -> None:
    """While the citizen types the number by hand, or looks at a failed read, a card laid on the reader is not a
    read under way: the screen must not switch to "do not move the card"."""
    typing, _ = run(h.at_identify(rules), ev.ManualEntryChosen(), ev.ManualIdentityEntered("", "1"))
    failed, _ = run(h.at_identify(rules), ev.CardReadFailed(SID, Reason.NO_CARD))
    for state in (typing, failed):
        after, _ = run(state, ev.CardPlaced(SID))
        assert after.session.identification == state.session.identification
        assert not after.session.identification.placed
    assert typing.session.identification.status == IdentifyStatus.MANUAL


def test_a_number_typed_by_hand_is_not_said_to_be_a_card_read(rules: Rules) -> None:
    state, _ = run(h.at_identify(rules), ev.ManualEntryChosen(), ev.ManualIdentityEntered("张三", "11010519491231002x"))
    assert phase(state) == Phase.FORM and state.session.notice is None
    read, _ = run(h.at_identify(rules), ev.CardRead(SID, ZHANG, TODAY))
    assert read.session.notice == "card_read"  # "take your card back" is for a card
