"""Reference images of screens, compared with a small tolerance, so a screen that changes how it looks fails a
test (issue #15: a step number or bullet alone on its line went unnoticed until a person looked).

A reference is the screenshot at half its size each way, in 16 shades of grey: still readable by a reviewer,
and about 25 KB a screen. A screenshot matches its reference when no more than MAX_DIFFERING of its pixels
differ by more than PIXEL_THRESHOLD grey levels. Drawing is deterministic here (Mesa llvmpipe in software,
Debian 12's fonts-noto-cjk): two runs of the same tree give the same picture, pixel for pixel. The tolerance
is for what another build of the same stack may do to the edges of glyphs (a shade lighter or darker); a
character changed, or a line of text moved or wrapped anew, is more than it.

References are written, never silently: only with KIOSK_UPDATE_SNAPSHOTS=1 (scripts/update-snapshots.sh).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageOps

SNAPSHOTS = Path(__file__).with_name("snapshots")
UPDATE = "KIOSK_UPDATE_SNAPSHOTS"
SCALE = 2  # each way
SHADES = 16
PIXEL_THRESHOLD = 2 * 256 // SHADES + 1  # more than two shades apart: not the rounding of one shade to the next
# Of the pixels: 26 at half size. Two runs of the same tree differ in none; one Chinese character of body text
# changed differs in 40 to 100, a line broken anew in tens of thousands.
MAX_DIFFERING = 0.00005


def updating() -> bool:
    return os.environ.get(UPDATE, "") not in ("", "0")


def reduced(screenshot: Image.Image) -> Image.Image:
    """What a reference keeps of a screenshot: half size (each pixel the mean of four), 16 shades of grey."""
    width, height = screenshot.size
    grey = screenshot.convert("L").resize((width // SCALE, height // SCALE), Image.Resampling.BOX)
    return ImageOps.posterize(grey, SHADES.bit_length() - 1)


def save_reference(image: Image.Image, path: Path) -> None:
    """A reduced image as a 4-bit grey PNG (a quarter of the bytes of an 8-bit one)."""
    shades = image.point(lambda level: level * SHADES // 256)
    indexed = Image.frombytes("P", shades.size, shades.tobytes())
    indexed.putpalette([level * 255 // (SHADES - 1) for level in range(SHADES) for _rgb in range(3)])
    path.parent.mkdir(parents=True, exist_ok=True)
    indexed.save(path, optimize=True, bits=4)


def load_reference(path: Path) -> Image.Image:
    """A reference in the shades reduced() gives, whatever palette it was saved with."""
    return ImageOps.posterize(Image.open(path).convert("L"), SHADES.bit_length() - 1)


@dataclass(frozen=True)
class Difference:
    differing: float  # share of the pixels that differ by more than PIXEL_THRESHOLD
    box: tuple[int, int, int, int] | None  # where they are, in full-size screen pixels (left, top, right, bottom)
    mask: Image.Image  # 255 where a pixel differs

    @property
    def too_large(self) -> bool:
        return self.differing > MAX_DIFFERING


def compare(actual: Image.Image, reference: Image.Image) -> Difference:
    """How far a reduced screenshot is from its reference. Pictures of different sizes differ everywhere."""
    if actual.size != reference.size:
        return Difference(1.0, (0, 0, actual.width * SCALE, actual.height * SCALE), Image.new("L", actual.size, 255))
    mask = ImageChops.difference(actual, reference).point(lambda d: 255 if d > PIXEL_THRESHOLD else 0)
    count = mask.histogram()[255]
    box = mask.getbbox()
    full_box = tuple(v * SCALE for v in box) if box else None
    return Difference(count / (mask.width * mask.height), full_box, mask)  # type: ignore[arg-type]


def difference_picture(reference: Image.Image, actual: Image.Image, difference: Difference) -> Image.Image:
    """Reference, actual and the differences side by side: what differs in red over the faded reference."""
    width, height = actual.size
    sheet = Image.new("RGB", (width * 3, height), "white")
    if reference.size == actual.size:
        sheet.paste(reference.convert("RGB"), (0, 0))
        faded = ImageOps.colorize(reference, black="#9a9a9a", white="white")
        red = Image.new("RGB", actual.size, "#e00000")
        sheet.paste(Image.composite(red, faded, difference.mask), (2 * width, 0))
    sheet.paste(actual.convert("RGB"), (width, 0))
    return sheet


def check(name: str, screenshot: Image.Image, failures: Path) -> str | None:
    """None when the screenshot matches the reference `name` (or the reference was just written because
    KIOSK_UPDATE_SNAPSHOTS is set); otherwise what is wrong, naming the pictures written into `failures`."""
    reference_path = SNAPSHOTS / f"{name}.png"
    actual = reduced(screenshot)
    if updating():
        save_reference(actual, reference_path)
        return None
    if not reference_path.exists():
        screenshot.save(failures / f"{name}-actual.png")
        return (f"{name}: no reference {reference_path.relative_to(SNAPSHOTS.parents[2])}; look at "
                f"{failures / f'{name}-actual.png'} and, if it is right, run scripts/update-snapshots.sh")
    reference = load_reference(reference_path)
    difference = compare(actual, reference)
    if not difference.too_large:
        return None
    actual_path, diff_path = failures / f"{name}-actual.png", failures / f"{name}-diff.png"
    screenshot.save(actual_path)
    difference_picture(reference, actual, difference).save(diff_path)
    return (f"{name}: {difference.differing:.3%} of the pixels differ (at most {MAX_DIFFERING:.3%} may), within "
            f"{difference.box} of the screen; see {actual_path} and {diff_path} (reference | actual | red where "
            f"they differ)")
