"""A private pcscd with the vpcd virtual reader, driven through scripts/pcscd-test.sh.

`PCSCLITE_CSOCK_NAME` must name the private socket before the first PC/SC call of the process, because
libpcsclite reads it once; `socket_dir()` chooses the directory and sets it, so call it at import time.
When scripts/services.d/pcscd.sh has started the stack already (CI), `KIOSK_TEST_PCSCD_DIR` names it and
the tests adopt it rather than start another.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.vpcd_cards import VpcdSlot

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pcscd-test.sh"
READER_PREFIX = "Kiosk Test PCD"


def socket_dir() -> Path:
    """The stack's directory; sets PCSCLITE_CSOCK_NAME for this process (and its children)."""
    given = os.environ.get("KIOSK_TEST_PCSCD_DIR")
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="kiosk-pcscd-"))
    if not given:
        atexit.register(_remove, directory)
    os.environ["KIOSK_TEST_PCSCD_DIR"] = str(directory)
    os.environ["PCSCLITE_CSOCK_NAME"] = str(directory / "run" / "pcscd.comm")
    return directory


def _remove(directory: Path) -> None:
    """Stop the pcscd this process started, if any is left, and delete its directory."""
    subprocess.run(["bash", str(SCRIPT), str(directory), "stop"], capture_output=True, timeout=30)
    shutil.rmtree(directory, ignore_errors=True)


class PcscStack:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _script(self, action: str) -> None:
        done = subprocess.run(["bash", str(SCRIPT), str(self.directory), action], capture_output=True,
                              text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"pcscd-test.sh {action} failed: {done.stderr.strip()}")

    def start(self) -> None:
        self._script("start")
        self.wait_for_readers()

    def stop(self) -> None:
        self._script("stop")

    def restart(self) -> None:
        self._script("restart")
        self.wait_for_readers()

    @property
    def port(self) -> int:
        return int((self.directory / "port").read_text().strip())

    def reader_name(self, slot: int) -> str:
        return f"{READER_PREFIX} 00 {slot:02d}"

    def slot(self, number: int) -> VpcdSlot:
        return VpcdSlot(self.port + number)

    def wait_for_readers(self, timeout_s: float = 10.0) -> list[str]:
        from smartcard import scard

        deadline = time.monotonic() + timeout_s
        while True:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult == scard.SCARD_S_SUCCESS:
                hresult, readers = scard.SCardListReaders(context, [])
                scard.SCardReleaseContext(context)
                ours = [r for r in readers or [] if r.startswith(READER_PREFIX)]
                if hresult == scard.SCARD_S_SUCCESS and len(ours) == 2:
                    return ours
            if time.monotonic() > deadline:
                raise RuntimeError(f"the test pcscd shows no vpcd readers; see {self.directory}/pcscd.log")
            time.sleep(0.1)

    def wait_for_card(self, slot: int, present: bool, timeout_s: float = 5.0) -> None:
        from smartcard import scard

        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        try:
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                hresult, states = scard.SCardGetStatusChange(
                    context, 100, [(self.reader_name(slot), scard.SCARD_STATE_UNAWARE)])
                if hresult == scard.SCARD_S_SUCCESS and bool(states[0][1] & scard.SCARD_STATE_PRESENT) == present:
                    return
                time.sleep(0.05)
            raise RuntimeError(f"slot {slot} never became {'present' if present else 'empty'}")
        finally:
            scard.SCardReleaseContext(context)
