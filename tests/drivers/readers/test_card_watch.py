"""`kiosk card watch` in a subprocess, one reader object for its whole run, across a real pcscd restart: the
card laid down after the restart is read, not refused with reader_service_down."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.pcsc_stack import ROOT, PcscStack
from tests.support.vpcd_cards import SocialSecurityCard, VpcdSlot

Event = dict[str, Any]


class Watch:
    def __init__(self, config: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli.main", "card", "watch", "--config", str(config)], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        self.lines: queue.Queue[Event] = queue.Queue()
        self.seen: list[Event] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def wait_for(self, wanted: Callable[[Event], bool], what: str, timeout_s: float = 15.0) -> Event:
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(event)
            if wanted(event):
                return event
        raise AssertionError(f"no {what} within {timeout_s} s; seen: {self.seen}")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        try:
            _out, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, err = self.process.communicate()
        return self.process.returncode, err


@pytest.fixture
def pcsc_config(kiosk_config: Path, pcsc_stack: PcscStack) -> Path:
    (kiosk_config.parent / "devices" / "pcsc-test.toml").write_text(
        f'inherits = "base"\n[reader]\ndriver = "pcsc"\nreader_name_contains = "{pcsc_stack.reader_name(0)}"\n',
        encoding="utf-8")
    text = kiosk_config.read_text(encoding="utf-8").replace('device_profile = "simulated"',
                                                             'device_profile = "pcsc-test"')
    kiosk_config.write_text(text, encoding="utf-8")
    return kiosk_config


@pytest.fixture
def watch(pcsc_config: Path, pcsc_stack: PcscStack) -> Iterator[Watch]:
    running = Watch(pcsc_config)
    yield running
    if running.process.poll() is None:
        running.stop()
    pcsc_stack.start()


def is_(kind: str, **fields: object) -> Callable[[Event], bool]:
    return lambda e: e["event"] == kind and all(e.get(k) == v for k, v in fields.items())


def test_card_watch_reads_across_a_pcscd_restart(watch: Watch, slot0: VpcdSlot, pcsc_stack: PcscStack) -> None:
    name = pcsc_stack.reader_name(0)
    watch.wait_for(is_("reader_attached", reader=name), "the reader")
    watch.wait_for(is_("health", status="ok"), "health ok")
    slot0.insert(SocialSecurityCard())
    read = watch.wait_for(is_("card_read"), "the first read")
    assert read["result"] == "ok" and read["card"]["card_type"] == "social_security"
    assert read["card"]["id_number"] == "220***********0026"  # masked: no --reveal
    slot0.remove()
    watch.wait_for(is_("card_removed", reader=name), "the card leaving")

    pcsc_stack.stop()
    watch.wait_for(is_("service_down"), "pcscd going")
    watch.wait_for(is_("health", reason="reader_service_down"), "health telling the outage")
    pcsc_stack.start()
    watch.wait_for(is_("reader_attached", reader=name), "the reader again")
    watch.wait_for(is_("health", status="ok"), "health ok again")
    slot0.insert(SocialSecurityCard())
    read = watch.wait_for(is_("card_read"), "the read after the restart")
    assert read["result"] == "ok", read
    assert read["card"]["name"] == "王*珍"

    code, err = watch.stop()
    assert code == 0, err
    everything = json.dumps(watch.seen, ensure_ascii=False)
    assert "220104196208190026" not in everything and "王淑珍" not in everything
