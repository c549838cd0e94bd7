"""A newer signed catalog from the backend (CatalogReceived): used at once between citizens, after the session
when a citizen is in one, never an older one."""

from __future__ import annotations

from kiosk.core.session import events as ev
from kiosk.core.session.model import Rules
from tests.backend.samples import renamed
from tests.unit.session_helpers import APPLY_ITEM, at_guide, at_home, run


def test_between_citizens_a_newer_catalog_is_used_at_once(rules: Rules) -> None:
    state, _ = run(at_home(rules), ev.HomePressed())  # the session ended: nobody at the kiosk
    newer = renamed(rules.catalog, APPLY_ITEM, "两项补贴（新）")
    state, commands = run(state, ev.CatalogReceived(3, newer))
    assert state.rules.catalog.item(APPLY_ITEM).names.zh == "两项补贴（新）"
    assert (state.catalog_version, state.pending_catalog, commands) == (3, None, [])


def test_a_citizen_in_a_session_keeps_the_catalog_they_began_with(rules: Rules) -> None:
    state = at_guide(rules)
    shown = state.item
    newer = renamed(rules.catalog, APPLY_ITEM, "两项补贴（新）")
    state, _ = run(state, ev.CatalogReceived(3, newer))
    assert state.item == shown and state.catalog_version is None
    assert state.pending_catalog == (3, newer)
    state, _ = run(state, ev.HomePressed())  # the session ends
    assert state.session is None
    assert state.rules.catalog == newer and state.catalog_version == 3 and state.pending_catalog is None


def test_an_older_or_the_same_version_changes_nothing(rules: Rules) -> None:
    state, _ = run(at_home(rules), ev.HomePressed())
    newer = renamed(rules.catalog, APPLY_ITEM, "第五版")
    state, _ = run(state, ev.CatalogReceived(5, newer))
    for version in (5, 4):
        after, _ = run(state, ev.CatalogReceived(version, renamed(rules.catalog, APPLY_ITEM, f"第{version}版?")))
        assert after == state
    in_session, _ = run(state, ev.SessionStarted("s2"))
    in_session, _ = run(in_session, ev.CatalogReceived(7, renamed(rules.catalog, APPLY_ITEM, "第七版")))
    after, _ = run(in_session, ev.CatalogReceived(6, renamed(rules.catalog, APPLY_ITEM, "第六版")))
    assert after.pending_catalog is not None and after.pending_catalog[0] == 7  # the newest waits
