"""The base of the session machine's events and commands: small immutable values.

They are msgspec Structs rather than dataclasses because the kiosk defines about seventy of them before its
first frame: a frozen dataclass costs about half a millisecond to define (its methods are generated as
source and compiled), a Struct a few microseconds (bench/ui_start.py).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from msgspec import Struct
from msgspec.structs import replace as _replace


class Message(Struct, frozen=True):
    """Immutable; equal only to a message of the same type with equal fields; hashable.

    Fields named in `hidden` hold personal data: their values never appear in a repr, so not in a log line or
    a traceback either.
    """

    hidden: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        shown = (f"{name}=<hidden>" if name in self.hidden else f"{name}={getattr(self, name)!r}"
                 for name in self.__struct_fields__)
        return f"{type(self).__name__}({', '.join(shown)})"


M = TypeVar("M", bound=Message)


def replace(message: M, **changes: Any) -> M:
    """A copy of `message` with some fields changed (dataclasses.replace for messages)."""
    return _replace(message, **changes)
