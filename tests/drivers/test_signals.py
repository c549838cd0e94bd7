"""The buzzer or light of calls for staff: the serial relay driver through a pseudo-terminal (the bytes a
CH340 relay board takes, unplugged and plugged back with one driver object, off when the kiosk stops), and the
simulator with its fault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.signals.serial_relay import SerialRelay, relay_command
from devices.signals.simulated import SimulatedSignal
from kiosk.core.health import Component, DeviceError, Reason, Status
from tests.support.relay_pty import PtyRelay

ON_1 = bytes.fromhex("A00101A2")
OFF_1 = bytes.fromhex("A00100A1")


@pytest.fixture
def board(tmp_path: Path) -> Iterator[PtyRelay]:
    relay = PtyRelay(tmp_path / "kiosk-call-light")
    yield relay
    relay.close()


def test_the_commands_are_those_the_boards_take() -> None:
    assert relay_command(1, True) == ON_1 and relay_command(1, False) == OFF_1
    assert relay_command(2, True) == bytes.fromhex("A00201A3")
    assert relay_command(0x60, True) == bytes.fromhex("A0600101")  # the sum wraps at 256


def test_switching_relay_one_on_and_off(board: PtyRelay) -> None:
    relay = SerialRelay(str(board.link_path))
    assert relay.health().status == Status.OK and relay.health().component == Component.SIGNAL
    relay.switch(True)
    assert board.received(4) == ON_1
    relay.switch(False)
    assert board.received(4) == OFF_1
    relay.close()


def test_another_channel(board: PtyRelay) -> None:
    relay = SerialRelay(str(board.link_path), channel=3)
    relay.switch(True)
    assert board.received(4) == bytes.fromhex("A00301A4")
    relay.close()


def test_unplugged_and_plugged_back_with_one_driver_object(board: PtyRelay) -> None:
    relay = SerialRelay(str(board.link_path))
    relay.switch(True)
    assert board.received(4) == ON_1
    board.unplug()
    health = relay.health()
    assert (health.status, health.reason) == (Status.UNAVAILABLE, Reason.NO_SIGNAL)
    with pytest.raises(DeviceError) as gone:
        relay.switch(False)
    assert gone.value.reason == Reason.NO_SIGNAL
    board.plug()
    relay.switch(False)  # the driver opens the port again on its own
    assert board.received(4) == OFF_1
    relay.close()


def test_stopping_the_kiosk_switches_it_off(board: PtyRelay) -> None:
    relay = SerialRelay(str(board.link_path))
    relay.switch(True)
    assert board.received(4) == ON_1
    relay.close()
    assert board.received(4) == OFF_1


def test_a_port_that_is_not_there_is_no_signal(tmp_path: Path) -> None:
    relay = SerialRelay(str(tmp_path / "nothing"))
    assert relay.health().reason == Reason.NO_SIGNAL
    with pytest.raises(DeviceError) as missing:
        relay.switch(True)
    assert missing.value.reason == Reason.NO_SIGNAL
    relay.close()


def test_the_simulator_sounds_records_and_refuses_when_unplugged() -> None:
    signal = SimulatedSignal()
    signal.switch(True)
    assert signal.on and signal.wait_for(True, 0.1)
    signal.unplug()
    assert signal.health().reason == Reason.NO_SIGNAL
    with pytest.raises(DeviceError):
        signal.switch(False)
    assert signal.on  # the fault left it as it was
    signal.plug()
    signal.close()
    assert not signal.on and signal.switches == [True, False]
