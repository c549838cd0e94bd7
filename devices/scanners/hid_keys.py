"""Key events of a USB scanner in keyboard (HID) mode -> the codes it typed. Pure: each event carries its own time.

A scanner in keyboard mode "types" a code on a US layout, Shift held for capitals and symbols, and ends it
with Enter. It types the whole code in one burst, so a pause longer than the configured gap means the code
was cut off (a bad read, the cable pulled): what came before the pause is thrown away, never handed on as a
shorter code. A key that no code can hold (Ctrl, Alt, F1, an arrow...) refuses the whole code it is in: the
scanner is set up wrongly (a prefix, a non-US layout), and a guessed code could open the wrong case.

Key codes are Linux's (include/uapi/linux/input-event-codes.h, a stable kernel ABI), so this module needs no
evdev; tests/drivers/test_hid_scanner.py checks them against python-evdev's table.
"""

from __future__ import annotations

from dataclasses import dataclass

EV_KEY = 1
RELEASED, PRESSED, REPEATED = 0, 1, 2
KEY_ENTER, KEY_KPENTER = 28, 96
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
KEY_CAPSLOCK, KEY_NUMLOCK, KEY_SCROLLLOCK = 58, 69, 70
MAX_CODE = 4096  # characters of one code: a QR code holds at most about 3 KB, longer is a stuck key


def _layout() -> dict[int, tuple[str, str]]:
    """Key code -> (character, with Shift) on the US layout."""
    keys: dict[int, tuple[str, str]] = {}
    for first, plain, shifted in ((2, "1234567890-=", "!@#$%^&*()_+"),  # KEY_1 .. KEY_EQUAL
                                  (16, "qwertyuiop[]", "QWERTYUIOP{}"),  # KEY_Q .. KEY_RIGHTBRACE
                                  (30, "asdfghjkl;'`", 'ASDFGHJKL:"~'),  # KEY_A .. KEY_GRAVE
                                  (43, "\\zxcvbnm,./", "|ZXCVBNM<>?")):  # KEY_BACKSLASH .. KEY_SLASH
        for n, (ch, shifted_ch) in enumerate(zip(plain, shifted, strict=True)):
            keys[first + n] = (ch, shifted_ch)
    keys[57] = (" ", " ")  # KEY_SPACE
    # the keypad (some scanners type digits there); Shift does not change it
    for code, ch in ((71, "7"), (72, "8"), (73, "9"), (74, "-"), (75, "4"), (76, "5"), (77, "6"), (78, "+"),
                     (79, "1"), (80, "2"), (81, "3"), (82, "0"), (83, "."), (55, "*"), (98, "/")):
        keys[code] = (ch, ch)
    return keys


US_KEYS = _layout()
SHIFTS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
ENTERS = frozenset({KEY_ENTER, KEY_KPENTER})
IGNORED = frozenset({KEY_NUMLOCK, KEY_SCROLLLOCK})  # lock keys some scanners press before a code


@dataclass(frozen=True, slots=True)
class KeyEvent:
    code: int  # the Linux key code
    value: int  # PRESSED, RELEASED or REPEATED
    time: float  # seconds, as the kernel stamped the event


class KeyDecoder:
    """Feed it a scanner's key events in order; it returns each code when its Enter arrives."""

    def __init__(self, max_gap_s: float) -> None:
        self.max_gap_s = max_gap_s
        self.broken = 0  # codes thrown away because a pause cut them off
        self.refused = 0  # codes thrown away because they held a key no code can hold
        self.reset()

    def reset(self) -> None:
        """Forget the code being typed and the keys held: the device was opened afresh."""
        self._chars: list[str] = []
        self._refusing = False
        self._shift: set[int] = set()
        self._caps = False
        self._last: float | None = None

    def feed(self, event: KeyEvent) -> str | None:
        if event.code in SHIFTS:
            if event.value == RELEASED:
                self._shift.discard(event.code)
            else:
                self._shift.add(event.code)
            return None
        if event.value != PRESSED:
            return None  # releases, and auto-repeat: a scanner never holds a key down
        self._cut_off_after_a_pause(event.time)
        self._last = event.time
        if event.code in ENTERS:
            return self._end()
        if event.code == KEY_CAPSLOCK:
            self._caps = not self._caps
        elif event.code in IGNORED:
            pass
        elif event.code not in US_KEYS or len(self._chars) >= MAX_CODE:
            self._refusing = True
        else:
            plain, shifted = US_KEYS[event.code]
            upper = bool(self._shift) != (self._caps and plain.isalpha())
            self._chars.append(shifted if upper else plain)
        return None

    def _cut_off_after_a_pause(self, now: float) -> None:
        if (self._chars or self._refusing) and self._last is not None and now - self._last > self.max_gap_s:
            self.broken += 1
            self._chars.clear()
            self._refusing = False

    def _end(self) -> str | None:
        code, refusing = "".join(self._chars), self._refusing
        self._chars.clear()
        self._refusing = False
        if refusing:
            self.refused += 1
            return None
        return code or None  # Enter alone: nothing was scanned
