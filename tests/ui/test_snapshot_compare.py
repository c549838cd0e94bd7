"""The snapshot comparison itself, on drawn pictures (no kiosk): a shade's rounding passes, a line of text
moved or a word changed fails, and a failure leaves the pictures a reviewer needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.ui import snapshots

SIZE = (1080, 1920)


def page(lines: list[tuple[int, str]]) -> Image.Image:
    """A white screen with black bars standing for lines of text at the given heights."""
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    for top, text in lines:
        for n, ch in enumerate(text):
            if ch != " ":
                draw.rectangle((60 + n * 32, top, 60 + n * 32 + 26, top + 28), fill="black")
    return image


GUIDE = page([(300 + 48 * n, "xxxxxxxxxxxxxxxxxxxxxxxx") for n in range(20)])


def test_the_same_picture_and_a_shades_rounding_pass() -> None:
    reference = snapshots.reduced(GUIDE)
    assert snapshots.compare(snapshots.reduced(GUIDE), reference).differing == 0
    lighter = GUIDE.point(lambda v: min(255, v + 20))  # a little lighter everywhere: hinting, another GL
    assert not snapshots.compare(snapshots.reduced(lighter), reference).too_large


def test_a_line_broken_anew_fails() -> None:
    """Point 2 of issue #15: a step number alone on its line pushes every line after it down by one."""
    broken = page([(300, "xx"), *((348 + 48 * n, "xxxxxxxxxxxxxxxxxxxxxxxx") for n in range(20))])
    difference = snapshots.compare(snapshots.reduced(broken), snapshots.reduced(GUIDE))
    assert difference.too_large and difference.box is not None and difference.box[1] <= 300


def test_one_character_changed_fails() -> None:
    changed = page([(300 + 48 * n, "xxxxxxxxxxxxxxxxxxxxxxxx" if n != 7 else "xxxxxxxxxxxxxxxxxxxxxxx ")
                    for n in range(20)])
    assert snapshots.compare(snapshots.reduced(changed), snapshots.reduced(GUIDE)).too_large


def test_a_picture_of_another_size_fails() -> None:
    landscape = Image.new("RGB", (1920, 1080), "white")
    assert snapshots.compare(snapshots.reduced(landscape), snapshots.reduced(GUIDE)).too_large


def test_a_reference_keeps_its_shades_through_the_file(tmp_path: Path) -> None:
    reduced = snapshots.reduced(GUIDE.point(lambda v: v * 7 // 8))
    snapshots.save_reference(reduced, tmp_path / "r.png")
    assert snapshots.compare(reduced, snapshots.load_reference(tmp_path / "r.png")).differing == 0


@pytest.fixture
def references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "repo" / "tests" / "ui" / "snapshots"
    monkeypatch.setattr(snapshots, "SNAPSHOTS", folder)
    monkeypatch.delenv(snapshots.UPDATE, raising=False)
    return folder


def test_a_difference_names_the_actual_and_the_difference_pictures(references: Path, tmp_path: Path) -> None:
    snapshots.save_reference(snapshots.reduced(GUIDE), references / "guide-zh.png")
    problem = snapshots.check("guide-zh", page([(300, "xx")]), tmp_path)
    assert problem is not None and "guide-zh-actual.png" in problem and "guide-zh-diff.png" in problem
    assert Image.open(tmp_path / "guide-zh-actual.png").size == SIZE
    assert Image.open(tmp_path / "guide-zh-diff.png").size == (3 * SIZE[0] // 2, SIZE[1] // 2)


def test_a_missing_reference_fails_and_is_written_only_when_asked(references: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    problem = snapshots.check("home-ko", GUIDE, tmp_path)
    assert problem is not None and "scripts/update-snapshots.sh" in problem
    assert not (references / "home-ko.png").exists()
    monkeypatch.setenv(snapshots.UPDATE, "1")
    assert snapshots.check("home-ko", GUIDE, tmp_path) is None
    monkeypatch.delenv(snapshots.UPDATE)
    assert snapshots.check("home-ko", GUIDE, tmp_path) is None
