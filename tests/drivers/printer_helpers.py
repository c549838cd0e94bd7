"""Helpers shared by the printer tests: profiles, fixed-time slips, and reading QR codes back from bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import zxingcpp
from PIL import Image, ImageOps

from devices.printers.preview import Document, Raster
from kiosk.core.catalog import Catalog
from kiosk.core.session.commands import SlipRequest
from kiosk.core.settings import KioskSettings, PrinterProfile
from kiosk.core.slip_layouts import SlipComposer
from kiosk.core.slips import Slip, SlipKind
from kiosk.storage.working_days import library_calendar

FIXED = datetime(2024, 5, 20, 10, 32)
NUMBER = "JL2201022024052000123"


def profile(**settings: Any) -> PrinterProfile:
    data: dict[str, Any] = {"connection": {"kind": "simulated"}}
    data.update(settings)
    return PrinterProfile.model_validate(data)


def receipt(settings: KioskSettings, catalog: Catalog, language: str = "zh", **request: Any) -> Slip:
    fields: dict[str, Any] = {"application_number": NUMBER, "masked_names": ("李*䶮",),
                              "masked_id_numbers": ("222***********2136",)}
    fields.update(request)
    return SlipComposer(settings, catalog, lambda: FIXED, library_calendar())(
        SlipRequest(SlipKind.RECEIPT, "disability-subsidies", language, **fields))


def flat(text: str) -> str:
    """Decoded text without the line breaks and indents wrapping added."""
    return "".join(text.split())


def read_qr(raster: Raster) -> list[str]:
    """Decode the QR codes in a raster image (1 = printed dot) with zxing-cpp."""
    picture = ImageOps.invert(raster.image.convert("L"))
    framed = ImageOps.expand(picture, border=40, fill=255)
    return [result.text for result in zxingcpp.read_barcodes(framed)]


def qr_payloads(doc: Document) -> list[str]:
    found = list(doc.qr_payloads)
    for raster in doc.rasters:
        if raster.image.height > 90:  # text lines are 30 or 60 dots high; a QR code is taller
            found += read_qr(raster)
    return found


def as_picture(image: Image.Image) -> Image.Image:
    return ImageOps.invert(image.convert("L"))
