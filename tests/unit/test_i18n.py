"""The message catalogs: every key the screens use exists in zh, ko and en with the same placeholders, plural
forms work, the catalogs compile with Babel, and the kiosk font has a glyph for every character of every text
(Hangul included)."""

from __future__ import annotations

import gettext
import io
import os
import subprocess
from pathlib import Path

import pytest

from kiosk.core.catalog import Catalog
from kiosk.storage.catalog import load_catalog
from screens import i18n
from screens.i18n_keys import family_keys, literal_keys, used_literal_keys

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_the_three_catalogs_have_the_same_keys() -> None:
    zh = i18n.keys("zh")
    assert len(zh) > 250
    for language in ("ko", "en"):
        keys = i18n.keys(language)
        assert keys == zh, f"{language}: missing {sorted(zh - keys)}, extra {sorted(keys - zh)}"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_key_the_screens_use_is_translated(language: str, catalog: Catalog) -> None:
    keys = i18n.keys(language)
    literal = used_literal_keys()
    missing = {key: where for key, where in literal.items() if key not in keys}
    assert not missing, f"{language}: {missing}"
    families = sorted(family_keys(catalog) - keys)
    assert not families, f"{language}: {families}"


def test_the_key_finder_finds_keys_in_python_and_kv() -> None:
    lines = ["self.tr('done.title')", "text: app.tr('button.home', app.lang)", 't("a.b", language, n=2)',
             "tr(f'category.{c}')", "print('x.y')"]
    assert [key for _n, key in literal_keys(lines)] == ["done.title", "button.home", "a.b"]
    assert "button.home" in used_literal_keys() and "idle.extend" in used_literal_keys()


def test_a_missing_key_is_caught(tmp_path: Path) -> None:
    (tmp_path / "new.kv").write_text("text: app.tr('brand.new_text', app.lang)\n", encoding="utf-8")
    found = used_literal_keys(tmp_path)
    assert found == {"brand.new_text": "new.kv:1"} and "brand.new_text" not in i18n.keys("zh")
    assert i18n.t("brand.new_text", "ko") == "brand.new_text"  # shown as its id, never silently blank


@pytest.mark.parametrize("language", ("ko", "en"))
def test_placeholders_match_the_chinese_text(language: str) -> None:
    for key in sorted(i18n.keys("zh")):
        zh = i18n.translations("zh").gettext(key)
        other = i18n.translations(language).gettext(key)
        assert other.strip(), f"{language} {key} is empty"
        assert i18n.placeholders(other) == i18n.placeholders(zh), f"{language} {key}: {other!r} vs {zh!r}"


def test_plural_forms() -> None:
    assert i18n.t("unit.working_days", "en", n=1) == "1 working day"
    assert i18n.t("unit.working_days", "en", n=20) == "20 working days"
    assert i18n.t("unit.working_days", "zh", n=20) == "20个工作日"
    assert i18n.t("unit.months", "ko", n=1) == "1개월"


def test_errors_are_said_with_what_to_do() -> None:
    assert i18n.prompt_text("error.paper_out", "zh") == "打印纸已用完。请呼叫工作人员更换打印纸"
    assert i18n.prompt_text("error.paper_out", "en") == ("The printer is out of paper. "
                                                         "Please call staff to refill the paper")
    assert i18n.prompt_text("screen.home", "ko") == i18n.t("screen.home", "ko")
    assert i18n.prompt_text("no.such.prompt", "zh") == ""


def test_catalogs_compile_with_babel_and_mo_files_are_not_committed(tmp_path: Path) -> None:
    for language in i18n.LANGUAGES:
        compiled = gettext.GNUTranslations(io.BytesIO(i18n.compile_catalog(language, write=False)))
        assert compiled.gettext("button.home") == i18n.t("button.home", language)
    tracked = subprocess.run(["git", "ls-files", "config/locales"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "kiosk.po" in tracked and ".mo" not in tracked


def test_a_stale_mo_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locales = tmp_path / "locales"
    for language in i18n.LANGUAGES:
        (locales / language / "LC_MESSAGES").mkdir(parents=True)
        po = i18n.po_path(language)
        text = po.read_text(encoding="utf-8")
        if language == "en":
            text = text.replace('msgstr "Home"', 'msgstr "Start"')
        (locales / language / "LC_MESSAGES" / "kiosk.po").write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", locales)
    i18n.translations.cache_clear()
    try:
        assert i18n.t("button.home", "en") == "Start"
        mo = locales / "en" / "LC_MESSAGES" / "kiosk.mo"
        assert mo.exists()  # written for the next start
        po = mo.with_suffix(".po")
        po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Start"', 'msgstr "Begin"'), encoding="utf-8")
        os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
        i18n.translations.cache_clear()
        assert i18n.t("button.home", "en") == "Begin"
    finally:
        monkeypatch.undo()
        i18n.translations.cache_clear()


def test_the_kiosk_font_has_every_character_of_every_text(tmp_path_factory: pytest.TempPathFactory,
                                                          catalog: Catalog) -> None:
    from screens.fonts import missing_glyphs, prepare_font

    cached = os.environ.get("KIOSK_FONT_CACHE")
    cache = Path(cached) if cached else tmp_path_factory.mktemp("fonts")
    font = prepare_font(cache)
    texts = [i18n.translations(language).gettext(key) for language in i18n.LANGUAGES for key in i18n.keys(language)]
    texts += list(i18n.LANGUAGE_NAMES.values())
    texts += [text for item in catalog.items for text in (item.names.ko, item.names.en, item.summary.ko)]
    missing = sorted({ch for text in texts for ch in missing_glyphs(text, font.regular)})
    assert not missing, f"{font.family} lacks {''.join(missing)}"
    assert not missing_glyphs("신분증과 영수증을 꼭 챙기세요 조선어", font.regular)
