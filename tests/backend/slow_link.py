"""A loopback TCP relay in front of a real server that can hold requests back: a slow link or a busy server,
as the kiosk's HTTP client sees it."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time


class SlowLink:
    """Relays 127.0.0.1:<port> to `upstream`. `hold_next(count, seconds)` delays the next `count` chunks that
    clients send by `seconds` before they reach the server (a small request such as a GET is one chunk).
    `drop_next_reused(count, reset)` closes the next `count` kept-alive connections as their next request
    arrives, without an answer: a server whose keep-alive timeout ran out just as the client reused the
    connection (with `reset`, the close is an RST, as when unread data is left behind)."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._holds: list[float] = []
        self._drops: list[bool] = []
        self.dropped = 0
        self._closed = False
        threading.Thread(target=self._accept, name="slow-link", daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hold_next(self, count: int, seconds: float) -> None:
        with self._lock:
            self._holds.extend([seconds] * count)

    def drop_next_reused(self, count: int = 1, reset: bool = False) -> None:
        with self._lock:
            self._drops.extend([reset] * count)

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _drop(self, client: socket.socket, reset: bool) -> None:
        self.dropped += 1
        if reset:  # linger 0: close() sends an RST instead of a FIN
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self._upstream)
            except OSError:  # the server is gone: the client sees its connection dropped, as without the relay
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, requests: bool) -> None:
        relayed = 0
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                if requests:
                    with self._lock:
                        hold = self._holds.pop(0) if self._holds else 0.0
                        drop = self._drops.pop(0) if relayed and self._drops else None
                    if drop is not None:
                        self._drop(source, reset=drop)
                        break
                    time.sleep(hold)
                sink.sendall(chunk)
                relayed += 1
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
