"""Loading the monthly report's settings (`monthly_report.toml` beside the catalog's files): the 填报单位, the
items' 事项库 basic codes and the plan's tasks that are no service item. The model is kiosk.core.report."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from kiosk.core.catalog import Catalog
from kiosk.core.problems import ConfigError, Problem, problems_from_validation
from kiosk.core.report import ReportSettings, settings_problems
from kiosk.storage.catalog import default_catalog_dir
from kiosk.storage.toml_cache import read_toml

REPORT_SETTINGS_FILE = "monthly_report.toml"


def load_report_settings(catalog: Catalog, directory: Path | None = None) -> ReportSettings:
    """The settings in the catalog folder (the same folder the catalog was loaded from); ConfigError lists every
    problem, a missing file included: a report without its online-channel task would be incomplete."""
    shown = f"catalog/{REPORT_SETTINGS_FILE}"
    data, problems = read_toml((directory or default_catalog_dir()) / REPORT_SETTINGS_FILE, shown)
    if data is None:
        raise ConfigError(problems)
    try:
        settings = ReportSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(shown, exc)) from None
    found = [Problem(shown, where, why) for where, why in settings_problems(settings, catalog)]
    if found:
        raise ConfigError(found)
    return settings
