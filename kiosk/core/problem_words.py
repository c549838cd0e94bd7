"""What a validation problem says to an operator, in Chinese and English: what to write instead, with the
allowed values or an example, never a regular expression.

Issue #20: an operator in a hall reads `kiosk config check`; "String should match pattern '^\\d{6}$'" and
"Input should be a valid integer" (for `session_s = "180"`) told them nothing they could act on.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import ErrorDetails


class Refusal(ValueError):
    """A validator's refusal in both languages: what is wrong and what to write instead."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh


# What each pattern of the configuration and the catalog allows, said as an operator would write it.
ALLOWED_FORMS: dict[str, tuple[str, str]] = {
    r"^[A-Z0-9][A-Z0-9\-]{2,31}$": ("3 到 32 个大写字母、数字或连字符，例如 JL-220102-001",
                                    "3 to 32 capital letters, digits or hyphens, e.g. JL-220102-001"),
    r"^\d{6}$": ("6 位数字的行政区划代码（GB/T 2260），吉林省以 22 开头，例如 220102",
                 "a 6-digit division code (GB/T 2260), Jilin's start with 22, e.g. 220102"),
    r"^[0-9\-]{7,20}$": ("7 到 20 位的电话号码，只用数字和连字符，例如 0431-12345",
                         "a phone number of 7 to 20 digits and hyphens, e.g. 0431-12345"),
    r"^[0-9][0-9\-]{2,19}$": ("以数字开头的电话号码，只用数字和连字符，例如 0431-12345",
                              "a phone number of digits and hyphens, starting with a digit, e.g. 0431-12345"),
    r"^[a-z0-9][a-z0-9_\-]*$": ("小写字母、数字、- 或 _，以字母或数字开头，例如 marriage-registry",
                                "lower-case letters, digits, - or _, starting with a letter or digit, "
                                "e.g. marriage-registry"),
    r"^(https?://[^\s/]+.*|local)$": ("https:// 开头的地址，或 local（本机内置的后台）",
                                      "an address starting with https://, or local (the built-in backend)"),
    r"^JL-MZ-[LCS]\d{2}$": ("JL-MZ- 加 L、C 或 S 再加两位数字，例如 JL-MZ-L01",
                            "JL-MZ- then L, C or S and two digits, e.g. JL-MZ-L01"),
    r"^S\d+[a-z]?$": ("S 加数字，可再加一个小写字母，例如 S12 或 S12a",
                      "S, digits and maybe a letter, e.g. S12 or S12a"),
    r"^[^\x00-\x1f]+$": ("一行文字，不含换行或控制字符", "one line of text, without line breaks or control characters"),
    r"^[0-9A-Za-z\-]{4,40}$": ("4 到 40 个字母、数字或连字符", "4 to 40 letters, digits or hyphens"),
    r"^([0-9\-]{7,20})?$": ("留空，或 7 到 20 位的电话号码，只用数字和连字符，例如 0431-12345",
                           "empty, or a phone number of 7 to 20 digits and hyphens, e.g. 0431-12345"),
    r"^([0-9a-fA-F]{4}:[0-9a-fA-F]{4})?$": ("留空，或 USB 的厂商号:产品号（各 4 位十六进制），例如 05e0:1200",
                                            "empty, or the USB vendor:product id (4 hex digits each), e.g. 05e0:1200"),
    r"^[a-z][a-z0-9\-]{1,31}$": ("2 到 32 个小写字母、数字或连字符，以字母开头", "2 to 32 lower-case letters, digits "
                                 "or hyphens, starting with a letter"),
}

_BOOLEAN_WORDS = {"yes": "true", "no": "false", "on": "true", "off": "false", "1": "true", "0": "false",
                  "是": "true", "否": "false", "True": "true", "False": "false"}


def said_in_both(err: ErrorDetails, why: str, named: str, tagged: tuple[str, str] | None) -> tuple[str, str]:
    """(English, Chinese) for one validation error. `why` is the English said so far (pydantic's, or the
    caller's clearer one); it is kept where it already names the allowed values."""
    kind, ctx, given = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "value_error":
        error = ctx.get("error")
        return why, error.zh if isinstance(error, Refusal) else ""
    if kind == "string_pattern_mismatch":
        zh, en = ALLOWED_FORMS.get(str(ctx.get("pattern")), ("", ""))
        if not en:
            return "not in the expected form", "格式不对"
        return f"not in the right form: {en}", f"格式不对，应为{zh}"
    if kind in ("int_type", "int_parsing", "int_from_float", "float_type", "float_parsing"):
        return _number(kind, given)
    if kind in ("bool_type", "bool_parsing"):
        hint = _BOOLEAN_WORDS.get(given.strip(), "") if isinstance(given, str) else ""
        if hint:
            return (f"must be true or false, in lower case and without quotes: write {hint}, not {_as_written(given)}",
                    f"须为 true 或 false（小写，不加引号）：请写 {hint}，不要写 {_as_written(given)}")
        return ("must be true or false, in lower case and without quotes",
                "须为 true 或 false（小写，不加引号）")
    if kind == "string_type":
        return (f"must be text in double quotes, e.g. \"{given}\"" if given is not None else why,
                f"须为加双引号的文字，例如 \"{given}\"")
    if kind == "list_type":
        return "must be a list in square brackets, e.g. [\"zh\", \"ko\"]", "须为方括号中的列表，例如 [\"zh\", \"ko\"]"
    if kind == "literal_error":
        allowed = _allowed(str(ctx.get("expected", "")))
        quoted = " (numbers without quotes)" if isinstance(given, str) and given.strip().isdigit() else ""
        return (f"{_as_written(given)} is not allowed here; choose one of: {allowed}{quoted}",
                f"不能写 {_as_written(given)}；可选：{allowed}{'（数字不加引号）' if quoted else ''}")
    return why, _bounds_zh(kind, ctx) or _structure_zh(kind, ctx, named, tagged, given)


def _as_written(given: Any) -> str:
    """A value as the operator wrote it in TOML: text in double quotes."""
    return json.dumps(given, ensure_ascii=False) if isinstance(given, str) else str(given)


def _number(kind: str, given: Any) -> tuple[str, str]:
    whole = kind.startswith("int")
    what_en, what_zh = ("a whole number", "整数") if whole else ("a number", "数字")
    if isinstance(given, str) and given.strip().replace(".", "", 1).isdigit():
        return (f"must be {what_en} without quotes: write {given.strip()}, not \"{given}\"",
                f"须为{what_zh}，不加引号：请写 {given.strip()}，不要写 \"{given}\"")
    return f"must be {what_en} (without quotes)", f"须为{what_zh}（不加引号）"


def _allowed(expected: str) -> str:
    """pydantic's "'zh', 'ko' or 'en'" as "zh, ko, en"."""
    return expected.replace("' or '", ", ").replace(" or ", ", ").replace("'", "")


def _bounds_zh(kind: str, ctx: dict[str, Any]) -> str:
    bounds = {"greater_than_equal": ("ge", "不能小于 {}"), "greater_than": ("gt", "须大于 {}"),
              "less_than_equal": ("le", "不能大于 {}"), "less_than": ("lt", "须小于 {}"),
              "string_too_short": ("min_length", "至少 {} 个字"), "string_too_long": ("max_length", "至多 {} 个字"),
              "too_short": ("min_length", "至少要有 {} 项"), "too_long": ("max_length", "至多 {} 项")}
    if kind not in bounds:
        return ""
    key, text = bounds[kind]
    return text.format(ctx.get(key, "?"))


def _structure_zh(kind: str, ctx: dict[str, Any], named: str, tagged: tuple[str, str] | None, given: Any) -> str:
    if kind == "extra_forbidden":
        return (f"{tagged[1]} {tagged[0]} 没有这项设置（拼写错误，或不适用于所选的驱动）" if tagged
                else "没有这项设置（拼写错误，或不适用于此处）")
    if kind == "missing":
        return f"{tagged[1]} {tagged[0]} 必须设置 {named}" if tagged else "缺少此项（必填）"
    if kind == "union_tag_invalid":
        return f"没有名为 {ctx.get('tag')!r} 的选项；可选：{str(ctx.get('expected_tags', '')).replace(chr(39), '')}"
    if kind == "union_tag_not_found":
        return f"缺少 {str(ctx.get('discriminator', '')).strip(chr(39))}（选择哪一种）"
    if kind in ("model_type", "dict_type"):
        return "须为一个表（[名称] 下的设置）"
    return ""
