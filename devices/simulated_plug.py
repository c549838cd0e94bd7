"""What the simulated scanner and call light share: a cable a test, the demo or staff training can pull
(`unplug()`) and put back (`plug()`), and the health and refusal that follow from it."""

from __future__ import annotations

from kiosk.core.health import Component, DeviceError, Health, Reason


class SimulatedPlug:
    def __init__(self, component: Component, missing: Reason) -> None:
        self.plugged = True
        self._component = component
        self._missing = missing

    def unplug(self) -> None:
        self.plugged = False

    def plug(self) -> None:
        self.plugged = True

    def health(self) -> Health:
        if not self.plugged:
            return Health.problem(self._component, self._missing, "simulated: unplugged")
        return Health.ok(self._component, "simulated")

    def _refuse_unplugged(self) -> None:
        if not self.plugged:
            raise DeviceError(self._missing, "simulated: unplugged")
