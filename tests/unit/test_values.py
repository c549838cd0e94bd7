"""The core's values (kiosk.core.value): events, commands, records, state; personal fields never show in a repr."""

from __future__ import annotations

import inspect
import logging
import typing

import msgspec
import pytest

from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.core import records
from kiosk.core.identity import Identity
from kiosk.core.records import Application, Booking, ProgressQuery
from kiosk.core.session import commands as cmd
from kiosk.core.session import events as ev
from kiosk.core.session import model
from kiosk.core.value import Value, replace

ZHANG = TEST_IDENTITIES["resident-zhang"]
PERSONAL = (ZHANG.name, ZHANG.id_number, "13912345678", "长春市朝阳区")
PERSONAL_TYPES = (Identity, Application, Booking, ProgressQuery)


def values_with_personal_data() -> list[Value]:
    application = Application("key", "L1", "JL-01", "disability-subsidies", ZHANG,
                              (("phone", "13912345678"), ("address", "长春市朝阳区")))
    booking = Booking("key", "marriage-registration", "slot-1", (ZHANG,), "13912345678")
    return [
        ev.ManualIdentityEntered(name=ZHANG.name, id_number=ZHANG.id_number),
        ev.FieldChanged("phone", "13912345678"),
        ev.FieldChanged("address", "长春市朝阳区"),
        ev.CardRead("s1", identity=ZHANG),
        cmd.Submit("s1", application),
        cmd.FetchProgress("s1", ProgressQuery(id_number=ZHANG.id_number)),
        cmd.Book("s1", booking),
        application,
        booking,
        ProgressQuery(id_number=ZHANG.id_number),
        ZHANG,
        model.Session("s1", "zh", parties=(ZHANG,), form=(("phone", "13912345678"),)),
    ]


@pytest.mark.parametrize("message", values_with_personal_data(), ids=lambda m: type(m).__name__)
def test_personal_fields_never_show_in_a_repr_or_a_log_line(message: Value, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").debug("handling %s / %r", message, [message])
    for shown in (repr(message), str(message), f"{message}", caplog.text):
        assert type(message).__name__ in shown
        for value in PERSONAL:
            assert value not in shown


def test_the_repr_check_can_fail() -> None:
    shown = repr(ev.SearchChanged(ZHANG.name))  # a search text is not hidden: it is what the citizen typed
    assert ZHANG.name in shown


def _value_classes() -> list[type[Value]]:
    return [cls for module in (ev, cmd, records, model) for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Value) and cls.__module__ == module.__name__]


def test_every_field_that_can_hold_personal_records_is_hidden() -> None:
    """A new value that carries an identity, an application, a booking or a progress query must hide that
    field."""
    checked = 0
    for cls in _value_classes():
        for field in msgspec.structs.fields(cls):
            carried = [t for t in PERSONAL_TYPES if t in (field.type, *typing.get_args(field.type))]
            if carried:
                checked += 1
                assert field.name in cls.hidden, f"{cls.__name__}.{field.name} is shown in reprs"
    assert checked >= 7  # CardRead.identity, Submit.application, FetchProgress.query, Book.booking,
    # Application.applicant, Booking.parties, Session.parties


def test_values_are_frozen_hashable_and_equal_only_to_their_own_type() -> None:
    back, home = ev.BackPressed(), ev.HomePressed()
    assert back == ev.BackPressed() and hash(back) == hash(ev.BackPressed())
    assert back != home  # same (no) fields, other meaning
    assert ev.CardRemoved("s1") != ev.IdleTimedOut("s1")
    speak = cmd.Speak("home.welcome", "zh")
    with pytest.raises(AttributeError):
        speak.volume = 10  # type: ignore[misc]
    louder = replace(speak, volume=100)
    assert (louder.volume, speak.volume, louder.prompt_id) == (100, 80, "home.welcome")
    assert len(_value_classes()) > 60
