"""The parsed-TOML cache: the same catalog from the cache as from a fresh parse, and never a stale one."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from pathlib import Path

import pytest

from kiosk.core.problems import ConfigError
from kiosk.storage.catalog import default_catalog_dir, load_catalog
from kiosk.storage.toml_cache import ParsedTomlCache


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(default_catalog_dir(), tmp_path / "catalog"))


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("parsed TOML although the cache holds the file")

    monkeypatch.setattr(tomllib, "loads", refuse)
    monkeypatch.setattr(tomllib, "load", refuse)


def test_second_load_comes_from_the_cache_and_is_the_same(catalog_dir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cache_file = tmp_path / "cache" / "catalog.json"
    uncached = load_catalog(catalog_dir)
    fresh = load_catalog(catalog_dir, ParsedTomlCache(cache_file))
    assert cache_file.is_file()
    no_parsing(monkeypatch)
    cached = load_catalog(catalog_dir, ParsedTomlCache(cache_file))
    assert cached == fresh == uncached


def test_an_edited_file_is_parsed_again_even_with_the_same_size_and_time(catalog_dir: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "catalog.json"
    load_catalog(catalog_dir, ParsedTomlCache(cache_file))
    path = catalog_dir / "items" / "marriage-registration.toml"
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    edited = text.replace('id = "marriage-registration"', 'id = "marriage-registratiom"', 1)
    assert edited != text and len(edited.encode()) == len(text.encode())
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(ConfigError) as caught:
        load_catalog(catalog_dir, ParsedTomlCache(cache_file))
    assert "file name must be the id" in str(caught.value)


def test_a_broken_cache_is_ignored(catalog_dir: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "catalog.json"
    fresh = load_catalog(catalog_dir, ParsedTomlCache(cache_file))
    cache_file.write_text('{"format": 1, "entries": [', encoding="utf-8")
    assert load_catalog(catalog_dir, ParsedTomlCache(cache_file)) == fresh
    cache_file.write_bytes(b"\xff\xfe garbage")
    assert load_catalog(catalog_dir, ParsedTomlCache(cache_file)) == fresh


def test_a_syntax_error_is_the_same_problem_with_or_without_the_cache(catalog_dir: Path, tmp_path: Path) -> None:
    (catalog_dir / "tasks.toml").write_text("[[task]\nid = ", encoding="utf-8")
    messages = []
    for cache in (None, ParsedTomlCache(tmp_path / "catalog.json")):
        with pytest.raises(ConfigError) as caught:
            load_catalog(catalog_dir, cache)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "tasks.toml" in messages[0]
    assert not (tmp_path / "catalog.json").exists(), "a catalog with problems is not cached"


def test_dates_are_not_cached_but_still_read(tmp_path: Path) -> None:
    path = tmp_path / "dated.toml"
    path.write_text("since = 2025-05-10\nname = 'x'\n", encoding="utf-8")
    cache = ParsedTomlCache(tmp_path / "cache.json")
    data, problems = cache.read(path, "dated.toml")
    assert problems == [] and data is not None and str(data["since"]) == "2025-05-10"
    cache.save()
    assert not (tmp_path / "cache.json").exists()


def test_old_versions_of_a_file_are_dropped(tmp_path: Path) -> None:
    path, cache_file = tmp_path / "a.toml", tmp_path / "cache.json"
    for n in range(3):
        path.write_text(f"n = {n}\n", encoding="utf-8")
        cache = ParsedTomlCache(cache_file)
        assert cache.read(path, "a.toml") == ({"n": n}, [])
        cache.save()
    assert len(json.loads(cache_file.read_text(encoding="utf-8"))["entries"]) == 1
