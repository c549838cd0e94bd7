"""Loading the item catalog (items/*.toml, tasks.toml, sources.toml) from its folder, through the parsed-TOML
cache when one is given. The models and their cross-checks are kiosk.core.catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.core.catalog import Catalog, Item, SourceFile, TaskFile, check_catalog
from kiosk.core.problems import ConfigError, Problem, problems_from_validation
from kiosk.storage.config import etc_config_dir, shipped_config_dir
from kiosk.storage.toml_cache import ParsedTomlCache, read_toml


def default_catalog_dir() -> Path:
    """The operator's catalog in /etc/kiosk/catalog when there is one, otherwise the shipped catalog."""
    operator = etc_config_dir() / "catalog"
    return operator if (operator / "items").is_dir() else shipped_config_dir() / "catalog"


def load_catalog(directory: Path | None = None, cache: ParsedTomlCache | None = None) -> Catalog:
    """Load items/*.toml, tasks.toml and sources.toml, then cross-check them; ConfigError lists every problem.
    With `cache`, files parsed before are taken from it (then validated just the same)."""
    directory = directory or default_catalog_dir()
    read = cache.read if cache is not None else read_toml
    problems: list[Problem] = []
    items: list[Item] = []
    item_files = sorted((directory / "items").glob("*.toml"))
    if not item_files:
        problems.append(Problem(f"{directory}/items", "(folder)", "no item files"))
    for path in item_files:
        shown = f"catalog/items/{path.name}"
        data, found = read(path, shown)
        problems.extend(found)
        if data is None:
            continue
        try:
            item = Item.model_validate(data)
        except ValidationError as exc:
            problems.extend(problems_from_validation(shown, exc))
            continue
        if path.stem != item.id:
            problems.append(Problem(shown, "id", f"file name must be the id ({item.id}.toml)"))
        items.append(item)
    tasks = _load_list(read(directory / "tasks.toml", "catalog/tasks.toml"), "catalog/tasks.toml", TaskFile, problems)
    sources = _load_list(read(directory / "sources.toml", "catalog/sources.toml"), "catalog/sources.toml",
                         SourceFile, problems)
    catalog = Catalog(tuple(items), tuple(tasks), tuple(sources))
    problems.extend(check_catalog(catalog))
    if problems:
        raise ConfigError(problems)
    if cache is not None:
        cache.save()  # only a catalog that passed every check is worth keeping
    return catalog


def _load_list(read: tuple[dict[str, Any] | None, list[Problem]], shown: str,
               model: type[TaskFile] | type[SourceFile], problems: list[Problem]) -> list:  # type: ignore[type-arg]
    data, found = read
    problems.extend(found)
    if data is None:
        return []
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from_validation(shown, exc))
        return []
    return list(parsed.tasks if isinstance(parsed, TaskFile) else parsed.sources)


