"""The server goes away for a while: applications queue in the outbox, the citizen gets a local reference at
once, and everything is delivered exactly once when the server is back."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from sqlalchemy import func, select

from backend.server.admin import enroll
from backend.server.models import Application as ApplicationRow
from kiosk.core.catalog import Catalog, Item
from kiosk.core.records import ApplicationStatus, ProgressQuery
from kiosk.remote.transport import Backoff
from tests.backend.conftest import application, make_client, serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_applications_queue_while_the_server_is_down_and_arrive_once(
        database_url: str, tmp_path: Path, test_catalog: Catalog, apply_item: Item) -> None:
    port = free_port()
    keys = tmp_path / "server-keys"
    server = serve(database_url, keys, test_catalog, port=port)
    credential = enroll(server.state, "JL-TEST-001")
    client = make_client(server.url, credential, tmp_path / "kiosk", start_sender=True, quick_s=1.0,
                         backoff=Backoff(first_s=0.2, max_s=1.0))
    try:
        online = [client.submit(application(apply_item, n)) for n in range(5)]
        assert all(r.application_number for r in online)

        server.stop()
        queued = []
        for n in range(5, 25):
            started = time.monotonic()
            result = client.submit(application(apply_item, n))
            assert time.monotonic() - started < 2.0  # the citizen is not kept waiting
            assert result.application_number is None and result.status == ApplicationStatus.QUEUED
            queued.append(result)
        waiting = client.progress(ProgressQuery(application_number=queued[0].local_reference))
        assert [(r.application_number, r.status) for r in waiting] == [(queued[0].local_reference,
                                                                        ApplicationStatus.QUEUED)]
        time.sleep(1.5)  # the sender keeps trying meanwhile
        assert client.outbox.depth() == 20

        server = serve(database_url, keys, test_catalog, port=port)
        deadline = time.monotonic() + 30
        while client.outbox.depth() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.outbox.depth() == 0

        with server.state.sessions() as session:
            rows = session.execute(select(ApplicationRow.idempotency_key, func.count())
                                   .group_by(ApplicationRow.idempotency_key)).all()
        assert sorted(key for key, _ in rows) == sorted(application(apply_item, n).idempotency_key
                                                        for n in range(25))
        assert {count for _, count in rows} == {1}
        # the slip said 待上传 with the local reference; the progress query now shows the server's number
        arrived = client.progress(ProgressQuery(application_number=queued[0].local_reference))
        assert arrived[0].status == ApplicationStatus.RECEIVED
        assert arrived[0].application_number.startswith("220102")
        replay = client.submit(application(apply_item, 5))
        assert replay.application_number == arrived[0].application_number
    finally:
        client.close()
        server.stop()
