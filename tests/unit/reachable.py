"""Find every string reachable from an object, to prove that nothing personal survives a wipe."""

from __future__ import annotations

import gc
import types

_OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.CodeType,
           types.MethodType, types.FrameType)


def reachable_strings(root: object) -> set[str]:
    seen: set[int] = set()
    found: set[str] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            found.add(obj)
            continue
        if isinstance(obj, (bytes, bytearray)):
            found.add(bytes(obj).decode("utf-8", "replace"))
            continue
        stack.extend(gc.get_referents(obj))
        for slot in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, slot):
                stack.append(getattr(obj, slot))
    return found


def leaked(root: object, secrets: list[str]) -> list[str]:
    strings = reachable_strings(root)
    return [s for s in secrets if any(s in text for text in strings)]
