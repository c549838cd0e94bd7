"""Validation problems reported as `file: field: 中文 | English`, all of them at once, never only the first.

An operator reads these in a hall in Jilin: each says in Chinese (and English) what to write instead, with
the allowed values, never a regular expression (kiosk.core.problem_words).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from kiosk.core.problem_words import said_in_both


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    file: str
    field: str
    why: str
    zh: str = ""
    """The same in Chinese, when it has been said in Chinese."""

    def __str__(self) -> str:
        said = f"{self.zh} | {self.why}" if self.zh else self.why
        return f"{self.file}: {self.field}: {said}"


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


def problems_from_validation(file: str, error: ValidationError, prefix: str = "",
                             data: object = None) -> list[Problem]:
    """One problem per validation error. With the validated `data`, a problem inside a table chosen by a tag
    (a reader's `driver`, a printer connection's `kind`) is reported at the table's own field and says which
    choice it belongs to: `reader.port: a sam_serial reader needs port`, not `reader.sam_serial.port`."""
    found = []
    for err in error.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        loc, tagged = _without_tags(loc, data)
        path = field_path(loc)
        why = err["msg"].removeprefix("Value error, ")
        named = str(loc[-1]) if loc else ""
        if err["type"] == "extra_forbidden":
            why = (f"not a setting of a {tagged[1]} {tagged[0]} (misspelt, or not valid here)" if tagged
                   else "unknown setting (misspelt, or not valid here)")
        elif err["type"] == "missing" and tagged:
            why = f"a {tagged[1]} {tagged[0]} needs {named}"
        elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            ctx = err.get("ctx") or {}
            key = str(ctx.get("discriminator", "")).strip("'")
            choices = str(ctx.get("expected_tags", "")).replace("'", "")
            owner = named or "table"
            path = field_path([*loc, key])
            why = (f"no {owner} {key} named {ctx.get('tag')!r}; choose one of: {choices}"
                   if err["type"] == "union_tag_invalid" else f"missing: the {owner} needs a {key}")
        why, zh = said_in_both(err, why, named, tagged)
        found.append(Problem(file, f"{prefix}{path}" if prefix and path != "(file)" else path, why, zh))
    return found


def _without_tags(loc: list[int | str], data: object) -> tuple[list[int | str], tuple[str, str] | None]:
    """`loc` without the tags of tagged unions (found by walking `data`), and the innermost (owner, tag)."""
    out: list[int | str] = []
    tagged: tuple[str, str] | None = None
    node = data
    for part in loc:
        if isinstance(node, Mapping) and isinstance(part, str) and part not in node and part in node.values():
            tagged = (str(out[-1]) if out else "table", part)
            continue
        out.append(part)
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return out, tagged
