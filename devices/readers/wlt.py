"""Hands a card's WLT photo to a vendor's decoder library, for a kiosk that has one.

The 1024-byte WLT image is a proprietary wavelet format with no open decoder; vendors ship one with
their SDK (`libwlt2bmp.so` and kin) exporting `int unpack(char *wlt, char *bmp, int save)`, which
returns 1 and writes a 102x126 24-bit BMP (38862 bytes). Nothing in the kiosk needs the picture: the
driver keeps the WLT bytes in `Identity.photo` and this module is the one place that may decode them.
"""

from __future__ import annotations

import ctypes

from kiosk.core.health import DeviceError, Reason

WLT_SIZE = 1024
BMP_SIZE = 38862  # 54-byte header + 102x126 pixels, 3 bytes each, rows padded to 4 bytes


class WltDecoder:
    def __init__(self, library: str, function: str = "unpack") -> None:
        try:
            self._unpack = getattr(ctypes.CDLL(library), function)
        except (OSError, AttributeError) as exc:
            raise DeviceError(Reason.CONFIG_INVALID, f"no WLT decoder {function} in {library}: {exc}") from None
        self._unpack.restype = ctypes.c_int

    def decode(self, wlt: bytes) -> bytes:
        """The BMP of a WLT photo; raises DeviceError(CARD_UNREADABLE) when the decoder refuses it."""
        if len(wlt) != WLT_SIZE:
            raise DeviceError(Reason.CARD_UNREADABLE, f"WLT photo is {len(wlt)} bytes, not {WLT_SIZE}")
        source = ctypes.create_string_buffer(wlt, WLT_SIZE)
        target = ctypes.create_string_buffer(BMP_SIZE)
        try:
            code = self._unpack(source, target, 0)
            if code != 1:
                raise DeviceError(Reason.CARD_UNREADABLE, f"WLT decoder returned {code}")
            bmp = target.raw
            if not bmp.startswith(b"BM"):
                raise DeviceError(Reason.CARD_UNREADABLE, "WLT decoder wrote no BMP")
            return bmp
        finally:
            ctypes.memset(source, 0, WLT_SIZE)  # a face is personal data too
            ctypes.memset(target, 0, BMP_SIZE)
