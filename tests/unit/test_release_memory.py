"""After a session the kiosk hands freed heap memory back to the system instead of keeping its peak."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from screens.boot import _malloc_trim, release_free_memory


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(_malloc_trim() is None, reason="not glibc")
def test_freed_heap_memory_leaves_resident_memory() -> None:
    gc.collect()
    before = resident_mb()
    # blocks too big for Python's own allocator and too small for mmap: glibc's heap, as a session's are
    chunks = [bytearray(2000) for _ in range(30_000)]  # ~60 MB
    pin = bytearray(2000)  # allocated last: the heap's top cannot shrink by itself past it
    for chunk in chunks:
        chunk[0] = 1  # touched, so resident
    peak = resident_mb()
    assert peak - before > 40
    chunks.clear()
    gc.collect()
    kept = resident_mb()
    release_free_memory()
    after = resident_mb()
    assert after - before < (kept - before) / 2, f"freed memory stayed resident ({before:.0f} -> {after:.0f} MB)"
    assert pin
