"""Slow headers: uvicorn closes an idle kept-alive connection, but once a byte has come it waits for the rest
of the request's headers for ever, so a client sending one header line a second holds a connection as long as
it likes (900 of them were held for 80 s and more, issue #13). Here a request's headers must be complete within
HEADER_TIMEOUT_S of the connection opening or of the previous response, or the connection is closed. The body
has its own limit (`body_timeout_s`, checked where it is read). nginx in front (deploy/backend) times headers
too; this holds where the server is reached without it.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.h11_impl import H11Protocol

from kiosk.logs import log_event

log = logging.getLogger("kiosk.backend.connections")

HEADER_TIMEOUT_S = 10.0


class HeaderTimedH11Protocol(H11Protocol):
    _header_timer: asyncio.TimerHandle | None = None
    _cycle_awaited: object = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        if self.transport.is_closing():
            return
        self._cycle_awaited = self.cycle  # the next request's headers make a new cycle
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT_S, self._headers_overdue)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_overdue(self) -> None:
        self._header_timer = None
        # a request whose headers did come (a pipelined one, started inside on_response_complete) is never cut
        answering = self.cycle is not None and not self.cycle.response_complete
        if self.cycle is self._cycle_awaited and not answering and not self.transport.is_closing():
            log_event(log, "slow_headers_closed", logging.WARNING, duration_ms=int(HEADER_TIMEOUT_S * 1000))
            self.transport.close()
