"""After a session the kiosk hands freed heap memory back to the system instead of keeping its peak."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from screens.boot import _malloc_trim

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter: a long test process already holds free heap that new blocks would reuse.
PROBE = """
import gc, sys
from pathlib import Path
from screens.boot import release_free_memory

def resident_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

gc.collect()
before = resident_mb()
# blocks too big for Python's own allocator and too small for mmap: glibc's heap, as a session's are
chunks = [bytearray(2000) for _ in range(30_000)]
pin = bytearray(2000)  # allocated last: the heap's top cannot shrink by itself past it
for chunk in chunks:
    chunk[0] = 1
peak = resident_mb()
chunks.clear()
gc.collect()
if sys.argv[1] == "release":
    release_free_memory()
print(f"{before:.1f} {peak:.1f} {resident_mb():.1f}")
"""


def probe(mode: str) -> tuple[float, float, float]:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    before, peak, after = (float(x) for x in out)
    return before, peak, after


@pytest.mark.skipif(_malloc_trim() is None, reason="not glibc")
def test_freed_heap_memory_leaves_resident_memory() -> None:
    before, peak, after = probe("release")
    assert peak - before > 40, (before, peak)
    assert after - before < (peak - before) / 2, f"freed memory stayed resident ({before} -> {peak} -> {after} MB)"


@pytest.mark.skipif(_malloc_trim() is None, reason="not glibc")
def test_without_the_release_it_stays() -> None:
    """The probe can tell: without the release the freed blocks stay resident."""
    before, peak, after = probe("keep")
    assert after - before > (peak - before) / 2, (before, peak, after)
