"""The kiosk follows the catalog the server signs: after a heartbeat that announces a newer version it downloads,
checks and keeps it and hands it to the kiosk; the kept one again at start. Heartbeats keep their interval."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backend.server.fleet import alerts, kiosk_rows
from backend.server.state import sign_catalog
from kiosk.core.catalog import CATALOG_SCHEMA, Catalog
from kiosk.remote.catalog_sync import CatalogStore, verify_bundle
from kiosk.remote.client import HttpBackend
from tests.backend.conftest import Served, make_client
from tests.backend.samples import renamed

ITEM = "marriage-registration"  # in the test catalog (tests/backend/samples.py)


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Kiosk:
    """What the kiosk's wiring gives the client: a status source and a catalog listener."""

    def __init__(self) -> None:
        self.beats = 0
        self.received: list[tuple[int, Catalog]] = []

    def status(self) -> tuple[str, tuple[()]]:
        self.beats += 1
        return "ready", ()

    def listen(self, version: int, catalog: Catalog) -> None:
        self.received.append((version, catalog))


@pytest.fixture
def follow(served: Served, tmp_path: Path) -> Iterator[Callable[..., tuple[HttpBackend, Kiosk]]]:
    started: list[HttpBackend] = []

    def start(heartbeats: bool = True, interval_s: float = 0.3) -> tuple[HttpBackend, Kiosk]:
        store = CatalogStore(tmp_path / "kiosk" / "catalog.json", served.credential)
        client = make_client(served.url, served.credential, tmp_path / "kiosk", catalog_store=store,
                             heartbeat_interval_s=interval_s)
        kiosk = Kiosk()
        client.status_source = kiosk.status if heartbeats else None
        client.catalog_listener = kiosk.listen
        client.start()
        started.append(client)
        return client, kiosk

    yield start
    for client in started:
        client.close()


def publish(served: Served, catalog: Catalog) -> int:
    served.state.catalog = catalog
    served.state.bundle = sign_catalog(served.state, catalog)
    return served.state.bundle.version


def test_a_newer_signed_catalog_reaches_the_kiosk(served: Served, follow: Callable[..., tuple[HttpBackend, Kiosk]],
                                                  test_catalog: Catalog) -> None:
    client, kiosk = follow()
    wait_for(lambda: len(kiosk.received) == 1, "the published catalog")
    first, catalog = kiosk.received[0]
    assert first == served.state.bundle.version and catalog == test_catalog  # type: ignore[union-attr]
    newer = publish(served, renamed(test_catalog, ITEM, "结婚登记（新版）"))
    assert newer > first
    wait_for(lambda: len(kiosk.received) == 2, "the newer catalog")
    version, catalog = kiosk.received[1]
    assert version == newer and catalog.item(ITEM).names.zh == "结婚登记（新版）"
    beats = kiosk.beats
    wait_for(lambda: kiosk.beats >= beats + 3, "more heartbeats")
    assert len(kiosk.received) == 2  # the same version is not handed on again

    client.close()  # the kiosk restarts: the kept catalog, checked again, before any heartbeat
    _, restarted = follow(heartbeats=False)
    wait_for(lambda: bool(restarted.received), "the kept catalog")
    assert restarted.received == [(newer, catalog)]


def test_a_kept_catalog_changed_on_disk_is_not_used(served: Served, follow: Callable[..., tuple[HttpBackend, Kiosk]],
                                                    test_catalog: Catalog, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    client, kiosk = follow()
    wait_for(lambda: bool(kiosk.received), "the published catalog")
    client.close()
    kept = tmp_path / "kiosk" / "catalog.json"
    bundle = json.loads(kept.read_text(encoding="utf-8"))
    bundle["payload"] = bundle["payload"].replace(ITEM, ITEM + "x")
    kept.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    _, restarted = follow(heartbeats=False)
    time.sleep(1.0)  # the sender's first rounds have run
    assert restarted.received == []  # refused: the shipped catalog stays in use
    refused = [r for r in caplog.records if r.getMessage() == "kept_catalog_refused"]
    assert refused and "bad signature" in str(refused[0].__dict__)  # staff can see why in the log


def test_a_badly_signed_catalog_from_the_server_is_refused_and_the_kiosk_carries_on(
        served: Served, follow: Callable[..., tuple[HttpBackend, Kiosk]], test_catalog: Catalog) -> None:
    client, kiosk = follow()
    wait_for(lambda: bool(kiosk.received), "the published catalog")
    good = served.state.bundle
    assert good is not None
    served.state.bundle = good.model_copy(update={"version": good.version + 1,
                                                  "payload": good.payload.replace(ITEM, ITEM + "x")})
    downloads: list[int] = []
    download = client._download_catalog

    def counted() -> tuple[int, Catalog] | None:
        downloads.append(kiosk.beats)
        return download()

    client._download_catalog = counted  # type: ignore[method-assign]
    beats = kiosk.beats
    wait_for(lambda: kiosk.beats >= beats + 3, "heartbeats after the bad catalog")
    assert len(kiosk.received) == 1 and client.catalog_store is not None
    kept = client.catalog_store.current()
    assert kept is not None and kept[0] == good.version
    assert len(downloads) == 1, downloads  # refused once, not downloaded and checked again every heartbeat
    kiosk_id = served.credential.kiosk_id
    row = kiosk_rows(served.state, kiosk_id=kiosk_id)[0]
    assert row.catalog_version == f"第 {good.version} 版（拒收第 {good.version + 1} 版）"
    [alert] = [a for a in alerts(served.state) if a.kind == "catalog_refused"]  # staff see it in the console
    assert alert.kiosk_id == kiosk_id and f"第 {good.version + 1} 版未通过终端核验" in alert.detail
    sign_catalog(served.state, renamed(test_catalog, ITEM, "婚姻登记预约（旧）"))  # numbered as the bad one was
    served.state.bundle = sign_catalog(served.state, renamed(test_catalog, ITEM, "婚姻登记预约（新）"))
    assert served.state.bundle.version == good.version + 2
    wait_for(lambda: len(kiosk.received) == 2, "a newer, good catalog: taken at once")
    assert len(downloads) == 2
    wait_for(lambda: kiosk_rows(served.state, kiosk_id=kiosk_id)[0].catalog_version == f"第 {good.version + 2} 版",
             "the next heartbeat: the new catalog, nothing refused")
    assert not [a for a in alerts(served.state) if a.kind == "catalog_refused"]


def readable_items(served: Served) -> tuple[object, ...]:
    """The served catalog's items as this release reads a schema-1 payload: without the later keys' values."""
    assert served.state.catalog is not None
    return tuple(i.model_copy(update={"former_fields": [], "form_fields": [
        f.model_copy(update={"hinted_by": ""}) for f in i.form_fields]}) for i in served.state.catalog.items)


def test_a_kiosk_of_an_earlier_release_gets_the_same_version_without_the_later_fields(
        served: Served, tmp_path: Path) -> None:
    client = make_client(served.url, served.credential, tmp_path / "kiosk", start_sender=False)
    try:
        earlier = client.transport.request("GET", "/v1/catalog").body  # as a release before the schema number
        current = client.transport.request("GET", f"/v1/catalog?schema={CATALOG_SCHEMA}").body
    finally:
        client.close()
    assert earlier["version"] == current["version"] == served.state.bundle.version  # type: ignore[union-attr]
    assert '"hinted_by"' in current["payload"] and '"former_fields"' in current["payload"]
    assert '"hinted_by"' not in earlier["payload"] and '"former_fields"' not in earlier["payload"]
    version, catalog = verify_bundle(earlier, served.credential)  # signed as it is sent
    assert version == earlier["version"] and catalog.items == readable_items(served)


def test_heartbeats_keep_their_interval_however_often_the_sender_wakes(
        follow: Callable[..., tuple[HttpBackend, Kiosk]]) -> None:
    client, kiosk = follow(interval_s=60.0)
    wait_for(lambda: kiosk.beats == 1, "the first heartbeat, at once")
    for _ in range(10):
        client._wake.set()  # as each new outbox entry wakes it
        time.sleep(0.1)
    assert kiosk.beats == 1


def test_a_running_kiosk_uses_the_catalog_its_backend_signed(kiosk_config: Path) -> None:
    """The composition wires it: the local backend's client hands the signed catalog to the session machine."""
    from kiosk.composition.root import build_kiosk
    from tests.conftest import CONFIG_DIR

    kiosk = build_kiosk(kiosk_config, CONFIG_DIR / "catalog")
    try:
        assert kiosk.state.catalog_version is None  # as shipped, until the backend's copy is checked
        server = kiosk.ports.backend.started().server.state  # type: ignore[attr-defined]
        state = kiosk.wait_for(lambda s: s.catalog_version is not None, timeout_s=30)
        assert state.catalog_version == server.bundle.version
        assert kiosk.catalog == server.catalog  # the local backend signs the shipped catalog
    finally:
        kiosk.close()
