"""Validation problems reported as `file: field: why`, all of them at once, never only the first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    file: str
    field: str
    why: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.why}"


class ConfigError(Exception):
    """A configuration or catalog that must not be used. Carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def field_path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(file)"


def problems_from_validation(file: str, error: ValidationError, prefix: str = "") -> list[Problem]:
    found = []
    for err in error.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        path = field_path(loc)
        why = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            why = "unknown setting (misspelt, or not valid here)"
        found.append(Problem(file, f"{prefix}{path}" if prefix and path != "(file)" else path, why))
    return found
