"""Loading `kiosk.toml` and its device profile (with `inherits`) from files, every problem reported against the
file that sets the value. The models are kiosk.core.settings.

Where the files are found, first match wins:
- kiosk.toml: `--config` / `$KIOSK_CONFIG`, then the operator's `/etc/kiosk/kiosk.toml` (`$KIOSK_ETC_DIR`), then
  the shipped defaults;
- a device profile: `devices/` beside that kiosk.toml, then `/etc/kiosk/devices/`, then the shipped profiles;
- the catalog (kiosk.storage.catalog): `/etc/kiosk/catalog/`, then the shipped catalog.
The shipped defaults are `kiosk/defaults/` in an installed package (setup.py puts `config/` there) and the
repository's `config/` in a source tree. Relative paths in the shipped kiosk.toml of an installed package are
taken from `$KIOSK_STATE_DIR/config` (default `~/.local/state/kiosk/config`), never from inside the package."""

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
PACKAGE_DEFAULTS_DIR = Path(__file__).resolve().parents[1] / "defaults"


def shipped_config_dir() -> Path:
    """The defaults that come with the code: package data when installed, the repository's config/ otherwise."""
    return PACKAGE_DEFAULTS_DIR if PACKAGE_DEFAULTS_DIR.is_dir() else REPO_CONFIG_DIR


def etc_config_dir() -> Path:
    """The operator's configuration (FHS: /etc/kiosk), which overrides the shipped defaults."""
    return Path(os.environ.get("KIOSK_ETC_DIR", "/etc/kiosk"))


def state_dir() -> Path:
    """Where an installed kiosk run on its shipped kiosk.toml (no /etc file) keeps its data and keys."""
    explicit = os.environ.get("KIOSK_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "kiosk"


def default_config_path() -> Path:
    if os.environ.get("KIOSK_CONFIG"):
        return Path(os.environ["KIOSK_CONFIG"])
    operator = etc_config_dir() / "kiosk.toml"
    return operator if operator.is_file() else shipped_config_dir() / "kiosk.toml"


def profile_dirs(config_path: Path) -> list[Path]:
    """Where a device profile is looked for, nearest first (duplicates removed)."""
    found: list[Path] = []
    for folder in (config_path.parent / "devices", etc_config_dir() / "devices", shipped_config_dir() / "devices"):
        if folder.resolve() not in found:
            found.append(folder.resolve())
    return found


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


def load_profile(devices_dir: Path | list[Path], name: str, shown_dir: str | None = None
                 ) -> tuple[DeviceProfile | None, tuple[str, ...], list[Problem]]:
    """Resolve `inherits` and validate; returns every problem found along the chain. With several folders, each
    profile of the chain is taken from the first folder that has it (the operator's before the shipped ones)."""
    folders = devices_dir if isinstance(devices_dir, list) else [devices_dir]
    chain: list[str] = []
    layers: list[tuple[str, dict[str, Any]]] = []
    problems: list[Problem] = []
    current: str | None = name
    while current is not None:
        folder = next((f for f in folders if _present(f / f"{current}.toml")), folders[0])
        shown = f"{shown_dir or _shown(folder)}/{current}.toml"
        if current in chain:
            loop = " -> ".join([*chain, current])
            problems.append(Problem(shown, "inherits", f"inheritance loop: {loop}",
                                    f"继承成环：{loop}；请改其中一个 inherits"))
            break
        chain.append(current)
        data, found = read_toml(folder / f"{current}.toml", shown)
        if data is None:
            if len(chain) > 1:
                found = [Problem(layers[-1][0] if layers else shown, "inherits", f"no profile named {current!r}",
                                 f"没有名为 {current!r} 的设备配置（devices/ 下的文件名，不带 .toml）")]
            problems.extend(found)
            break
        parent = data.pop("inherits", None)
        if parent is not None and not isinstance(parent, str):
            problems.append(Problem(shown, "inherits", "must be a profile name", "须为设备配置的名称（加引号）"))
            parent = None
        layers.append((shown, data))
        current = parent
    if problems:
        return None, tuple(chain), problems
    merged: dict[str, Any] = {}
    for _file, data in reversed(layers):
        merged = _deep_merge(merged, data, DeviceProfile)
    try:
        return DeviceProfile.model_validate(merged), tuple(chain), []
    except ValidationError as exc:
        return None, tuple(chain), _attribute(exc, layers, merged)


# Fields checked against each other: a problem with the first is the operator's choice of any of them, so it
# is blamed on the nearest file that sets one (a 58 mm profile inheriting base's 48 characters a line is the
# 58 mm profile's mistake, not base.toml's).
DECIDED_TOGETHER = {"printer.chars_per_line": ("printer.paper_width_mm",)}


def _attribute(exc: ValidationError, layers: list[tuple[str, dict[str, Any]]],
               merged: dict[str, Any]) -> list[Problem]:
    """Report each problem against the nearest profile file that sets the field (or the profile itself)."""
    problems = []
    for problem in problems_from_validation(layers[0][0], exc, data=merged):
        top = problem.field.split(".")[0].split("[")[0]
        fields = (problem.field, *DECIDED_TOGETHER.get(problem.field, ()))
        owner = next((shown for shown, data in layers if any(_sets(data, f) for f in fields)), None)
        owner = owner or next((shown for shown, data in layers if top in data), layers[0][0])
        problems.append(Problem(owner, problem.field, problem.why, problem.zh))
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
        folders = profile_dirs(path)
        profile, chain, found = load_profile(folders, profile_name)
        if found and not any(_present(f / f"{profile_name}.toml") for f in folders):
            where = " or ".join(f"{_shown(f)}/" for f in folders)
            found = [Problem(shown, "device_profile", f"no profile {profile_name!r} in {where}",
                             f"{where} 中没有设备配置 \"{profile_name}\"：请写其中一个文件名（不带 .toml）")]
    problems.extend(found)
    if problems or settings is None or profile is None:
        raise ConfigError(problems)
    # An installed package's own kiosk.toml: its relative paths point into the state folder, not site-packages.
    base = state_dir() / "config" if path.parent == PACKAGE_DEFAULTS_DIR.resolve() else None
    return LoadedConfig(path, settings, profile, chain, base)


def _present(path: Path) -> bool:
    """A file that is there; one the user may not even look at counts as there, so reading it reports why."""
    try:
        return path.is_file()
    except PermissionError:
        return True


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
