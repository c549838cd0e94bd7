"""The build step that pyproject.toml cannot say in declarations: the shipped defaults and a clean build folder.

- `config/` (kiosk.toml, device profiles, the catalog) is copied into the wheel as `kiosk/defaults/`, and the
  screen texts `config/locales/*/LC_MESSAGES/kiosk.po` are compiled to `.mo` there (only the `.mo` ships), so an
  installed kiosk runs without the source tree (kiosk.storage.config.shipped_config_dir finds them).
- The build folder is emptied first: setuptools reuses `build/lib`, so a module deleted since the last build
  would otherwise come back in the next wheel.

The version is setuptools-scm's (from the git tag; see [tool.setuptools_scm] in pyproject.toml).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("kiosk.toml", "holidays.toml", "devices", "catalog")


class BuildWithDefaults(build_py):  # type: ignore[misc]
    def run(self) -> None:
        if not self.editable_mode:
            shutil.rmtree(self.build_lib, ignore_errors=True)
        super().run()
        if not self.editable_mode:  # an editable install reads config/ from the source tree
            copy_defaults(Path(self.build_lib) / "kiosk" / "defaults")


def copy_defaults(target: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = ROOT / "config"
    target.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=shutil.ignore_patterns("*.mo", "*~", ".*"),
                            dirs_exist_ok=True)
        else:
            shutil.copy2(source / name, target / name)
    for po in sorted((source / "locales").glob("*/LC_MESSAGES/*.po")):
        language = po.parent.parent.name
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=po.stem)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo = target / "locales" / language / "LC_MESSAGES" / f"{po.stem}.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        mo.write_bytes(buffer.getvalue())


setup(cmdclass={"build_py": BuildWithDefaults})
