"""Benchmark: a 社保卡 on a PC/SC reader, from card present to identity parsed, through pcscd and vpcd.

The driver (`PcscReader.read_identity`) is measured against the bare pyscard exchange of the very same
APDUs (connect, the APDUs the driver sent, disconnect) on an already established context, in the same
run and interleaved, so the ratio is the driver's own overhead: presence check, the hop to its card
thread, status-word handling, parsing. Goal: under 1.2x.

    .venv/bin/python bench/card_read.py [--rounds 300]

Needs pcscd and vsmartcard-vpcd (scripts/apt/test-readers.txt); starts its own private pcscd.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-pcscd-") as directory:
        os.environ["PCSCLITE_CSOCK_NAME"] = f"{directory}/run/pcscd.comm"  # before the first PC/SC call
        script = ROOT / "scripts" / "pcscd-test.sh"
        subprocess.run(["bash", str(script), directory, "start"], check=True)
        try:
            return run(Path(directory), args.rounds)
        finally:
            subprocess.run(["bash", str(script), directory, "stop"], check=True)


def run(directory: Path, rounds: int) -> int:
    from smartcard import scard

    from devices.readers.pcsc import PcscReader
    from tests.support.pcsc_stack import PcscStack
    from tests.support.vpcd_cards import SocialSecurityCard

    stack = PcscStack(directory)
    stack.wait_for_readers()
    card = SocialSecurityCard()
    slot = stack.slot(0)
    slot.insert(card)
    stack.wait_for_card(0, present=True)
    reader_name = stack.reader_name(0)
    driver = PcscReader(name_contains=reader_name)

    driver.read_identity(5.0)  # warm up, and learn the exact APDUs the driver sends
    apdus = list(card.apdus)
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hresult == scard.SCARD_S_SUCCESS

    def bare() -> None:
        hresult, handle, protocol = scard.SCardConnect(context, reader_name, scard.SCARD_SHARE_SHARED,
                                                        scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        assert hresult == scard.SCARD_S_SUCCESS
        for apdu in apdus:
            hresult, response = scard.SCardTransmit(handle, protocol, list(apdu))
            assert hresult == scard.SCARD_S_SUCCESS and len(response) >= 2
        scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)

    def through_driver() -> None:
        identity = driver.read_identity(5.0)
        assert identity.id_number

    for _ in range(20):
        bare()
    timings: dict[str, list[float]] = {"bare": [], "driver": []}
    for n in range(rounds):  # interleaved, alternating which goes first, so drift hits both alike
        order = (("bare", bare), ("driver", through_driver)) if n % 2 else (("driver", through_driver),
                                                                           ("bare", bare))
        for name, work in order:
            started = time.perf_counter()
            work()
            timings[name].append((time.perf_counter() - started) * 1000)

    driver.close()
    scard.SCardReleaseContext(context)
    slot.remove()

    def line(name: str) -> str:
        values = sorted(timings[name])
        p95 = values[int(len(values) * 0.95) - 1]
        return (f"{name:<7} median {statistics.median(values):7.3f} ms   p95 {p95:7.3f} ms   "
                f"min {values[0]:7.3f} ms")

    ratio = statistics.median(timings["driver"]) / statistics.median(timings["bare"])
    paired = statistics.median(d / b for d, b in zip(timings["driver"], timings["bare"], strict=True))
    print(f"card present -> identity parsed: 社保卡 via pcscd {_pcscd_version()} + vpcd, "
          f"{len(apdus)} APDUs, {rounds} rounds each")
    print(line("bare"))
    print(line("driver"))
    print(f"driver overhead: {ratio:.3f}x the bare pyscard exchange by medians, {paired:.3f}x paired round by "
          f"round (goal < 1.2x): {'met' if ratio < 1.2 else 'NOT met'}")
    return 0


def _pcscd_version() -> str:
    done = subprocess.run(["pcscd", "--version"], capture_output=True, text=True)
    words = (done.stdout or done.stderr).split()
    return next((w for w in words if w[:1].isdigit()), "?")


if __name__ == "__main__":
    raise SystemExit(main())
