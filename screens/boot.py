"""Kivy's environment and configuration, set before any other Kivy module is imported.

Kivy reads KIVY_HOME and the command line when `kivy` is first imported and creates the window when
`kivy.core.window` is first imported, so `early_environment()` runs at the top of screens/app.py and
`configure_window()` runs before the window module is imported.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.core.problems import ConfigError
from kiosk.core.settings import LoadedConfig, ScreenProfile
from kiosk.storage.config import default_config_path, load_config


def kivy_home_for(config: LoadedConfig | None) -> Path:
    if config is not None:
        return config.data_dir / "kivy"
    return Path(os.environ.get("TMPDIR", "/tmp")) / "kiosk-kivy"


START_UP_GC_PAUSE_S = 20.0


def collect_from_now_on() -> None:
    """After start-up: collect once, keep what start-up made out of every later collection (so a collection
    while a citizen taps scans only the objects made since), and collect as usual from now on."""
    gc.collect()
    gc.freeze()
    gc.enable()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside the block: one started by the block's own allocations would run in
    the middle of it. What the block drops is collected after it, as usual."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def release_free_memory() -> None:
    """After a session, while the kiosk is idle: collect, and hand the heap memory that is free again back
    to the system (glibc keeps it otherwise, so resident memory would stay at the peak of the busiest
    session for good)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc: nothing to hand back this way
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def early_environment() -> None:
    """Before `import kivy`: no argument parsing, Kivy's own files under the kiosk's data dir; no cyclic
    garbage collection until the app has drawn its first frame (`collect_from_now_on`)."""
    # Start-up makes hundreds of thousands of objects that live as long as the kiosk; collecting among them
    # while they are being made costs a tenth of the start-up time and frees nothing.
    if gc.isenabled():
        gc.disable()
        resume = threading.Timer(START_UP_GC_PAUSE_S, gc.enable)  # whatever happens, not off for good
        resume.daemon = True
        resume.start()
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")  # Kivy keeps its own log; the kiosk's logging stays ours
    if "KIVY_HOME" not in os.environ:
        try:
            config: LoadedConfig | None = load_config(default_config_path())
        except ConfigError:
            config = None  # `kiosk run` reports the problem itself; Kivy only needs somewhere to write
        home = kivy_home_for(config)
        home.mkdir(parents=True, exist_ok=True)
        os.environ["KIVY_HOME"] = str(home)


def wants_virtual_display() -> bool:
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def configure_window(screen: ScreenProfile, headless: bool = False, quiet: bool = False) -> None:
    """Window size, fullscreen and the kiosk lock-down from the device profile; before the window exists."""
    if headless and wants_virtual_display():
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")  # Mesa llvmpipe renders without a display
    from kivy.config import Config

    fullscreen = screen.fullscreen and not headless
    Config.set("graphics", "width", str(screen.width_px))
    Config.set("graphics", "height", str(screen.height_px))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "maxfps", "60")
    Config.set("graphics", "multisamples", str(screen.multisamples))
    Config.set("kivy", "exit_on_escape", "0")  # a citizen has no way out of the kiosk
    Config.set("kivy", "keyboard_mode", "")  # our own keypads; no system keyboard
    Config.set("kivy", "log_level", "warning" if quiet else "info")
    import logging

    from kivy.logger import LOG_LEVELS, Logger

    Logger.setLevel(LOG_LEVELS["warning" if quiet else "info"])
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    if headless:
        for option in Config.options("input"):
            Config.remove_option("input", option)  # no probing of the host's touch devices in a walkthrough
    Config.set("input", "mouse", "mouse,disable_on_activity,disable_multitouch")
