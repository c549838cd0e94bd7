"""The base of the core's small immutable values: the session machine's state, events and commands, and the
records, identities, health reports and slips they carry.

They are msgspec Structs rather than dataclasses because the kiosk defines about ninety of them before its
first frame: a frozen dataclass costs about half a millisecond to define (its methods are generated as
source and compiled), a Struct a few microseconds (bench/ui_start.py).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from msgspec import Struct


class Value(Struct, frozen=True):
    """Immutable; equal only to a value of the same type with equal fields; hashable when its fields are.

    Fields named in `hidden` hold personal data: their values never appear in a repr, so not in a log line or
    a traceback either.
    """

    hidden: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        shown = (f"{name}=<hidden>" if name in self.hidden else f"{name}={getattr(self, name)!r}"
                 for name in self.__struct_fields__)
        return f"{type(self).__name__}({', '.join(shown)})"


V = TypeVar("V", bound=Value)


def replace(value: V, **changes: Any) -> V:
    """A copy of `value` with some fields changed (dataclasses.replace for values)."""
    from msgspec.structs import replace as struct_replace  # msgspec.structs imports msgspec.inspect: on first use

    return struct_replace(value, **changes)
