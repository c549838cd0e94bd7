"""Loading `kiosk.toml` and its device profile (with `inherits`) from files, every problem reported against the
file that sets the value. The models are kiosk.core.settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from kiosk.core.problems import ConfigError, Problem, problems_from_validation
from kiosk.core.settings import DeviceProfile, KioskSettings, LoadedConfig
from kiosk.storage.toml_cache import read_toml

REPO_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def default_config_path() -> Path:
    return Path(os.environ.get("KIOSK_CONFIG", REPO_CONFIG_DIR / "kiosk.toml"))


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any], model: type[BaseModel] | None = None
                ) -> dict[str, Any]:
    """`over` on top of `base`, table by table. A table chosen by a tag (a reader's `driver`, a connection's
    `kind`) whose tag `over` changes keeps only the settings of `base` that the new choice has: the others
    were for the parent's driver."""
    merged = dict(base)
    for key, value in over.items():
        field = model.model_fields.get(key) if model else None
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            inner = field.annotation if field and isinstance(field.annotation, type) else None
            kept = merged[key]
            if field and field.discriminator and (choice := _choice(field, value)) is not None:
                tag = field.discriminator
                if isinstance(tag, str) and kept.get(tag) != value.get(tag):
                    kept = {k: v for k, v in kept.items() if k in choice.model_fields}
                inner = choice
            merged[key] = _deep_merge(kept, value, inner if inner and issubclass(inner, BaseModel) else None)
        else:
            merged[key] = value
    return merged


def _choice(field: FieldInfo, table: Mapping[str, Any]) -> type[BaseModel] | None:
    """The model of a tagged union field that `table` picks by its tag, if it names one."""
    tag = field.discriminator
    for model in get_args(field.annotation):
        if (isinstance(tag, str) and isinstance(model, type) and issubclass(model, BaseModel)
                and table.get(tag) in get_args(model.model_fields[tag].annotation)):
            return model
    return None


def load_profile(devices_dir: Path, name: str, shown_dir: str) -> tuple[DeviceProfile | None, tuple[str, ...],
                                                                        list[Problem]]:
    """Resolve `inherits` and validate; returns every problem found along the chain."""
    chain: list[str] = []
    layers: list[tuple[str, dict[str, Any]]] = []
    problems: list[Problem] = []
    current: str | None = name
    while current is not None:
        shown = f"{shown_dir}/{current}.toml"
        if current in chain:
            problems.append(Problem(shown, "inherits", f"inheritance loop: {' -> '.join([*chain, current])}"))
            break
        chain.append(current)
        data, found = read_toml(devices_dir / f"{current}.toml", shown)
        if data is None:
            if len(chain) > 1:
                found = [Problem(f"{shown_dir}/{chain[-2]}.toml", "inherits", f"no profile named {current!r}")]
            problems.extend(found)
            break
        parent = data.pop("inherits", None)
        if parent is not None and not isinstance(parent, str):
            problems.append(Problem(shown, "inherits", "must be a profile name"))
            parent = None
        layers.append((shown, data))
        current = parent
    if problems:
        return None, tuple(chain), problems
    merged: dict[str, Any] = {}
    for _shown, data in reversed(layers):
        merged = _deep_merge(merged, data, DeviceProfile)
    try:
        return DeviceProfile.model_validate(merged), tuple(chain), []
    except ValidationError as exc:
        return None, tuple(chain), _attribute(exc, layers, merged)


def _attribute(exc: ValidationError, layers: list[tuple[str, dict[str, Any]]],
               merged: dict[str, Any]) -> list[Problem]:
    """Report each problem against the nearest profile file that sets the field (or the profile itself)."""
    problems = []
    for problem in problems_from_validation(layers[0][0], exc, data=merged):
        top = problem.field.split(".")[0].split("[")[0]
        owner = next((shown for shown, data in layers if _sets(data, problem.field)), None)
        owner = owner or next((shown for shown, data in layers if top in data), layers[0][0])
        problems.append(Problem(owner, problem.field, problem.why))
    return problems


def _sets(data: Mapping[str, Any], dotted: str) -> bool:
    node: Any = data
    for part in dotted.split("."):
        part = part.split("[")[0]
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def load_config(path: Path | None = None) -> LoadedConfig:
    """Load kiosk.toml and its device profile; raises ConfigError listing every problem."""
    path = (path or default_config_path()).resolve()
    shown = _shown(path)
    data, problems = read_toml(path, shown)
    settings: KioskSettings | None = None
    if data is not None:
        try:
            settings = KioskSettings.model_validate(data)
        except ValidationError as exc:
            problems.extend(problems_from_validation(shown, exc))
    profile_name = (settings.device_profile if settings else
                    (data or {}).get("device_profile", "simulated") if isinstance(data, dict) else "simulated")
    profile: DeviceProfile | None = None
    chain: tuple[str, ...] = ()
    found: list[Problem] = []
    if isinstance(profile_name, str):
        devices_dir = path.parent / "devices"
        profile, chain, found = load_profile(devices_dir, profile_name, _shown(devices_dir))
        if found and not (devices_dir / f"{profile_name}.toml").exists():
            found = [Problem(shown, "device_profile", f"no profile {profile_name!r} in {_shown(devices_dir)}/")]
    problems.extend(found)
    if problems or settings is None or profile is None:
        raise ConfigError(problems)
    return LoadedConfig(path, settings, profile, chain)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
