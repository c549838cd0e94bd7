"""The mainland's administrative divisions down to the county, by GB/T 2260 code (kiosk.core.division_table):
the lists a citizen goes down to confirm or change 户籍所在地 (province → city → county), and the county
read from the start of a card's address. The county decides which 民政 office receives the case. Korean and
English names (kiosk.core.division_names) are for the lists and the form; staff and papers use the Chinese.

A county-level value is a six-digit code that ends in neither 0000 nor 00, or a prefecture-level city that has
no counties of its own (东莞市 441900). Municipalities (北京, 天津, 上海, 重庆) have one city level, named as
the municipality, holding all their districts and counties; counties directly under a province (仙桃市 429004)
sit under 省直辖县级行政区划 (GB/T 2260's own name for that level).
"""

from __future__ import annotations

from functools import cache

from kiosk.core.value import Value

DIRECT_UNDER_PROVINCE = "省直辖县级行政区划"


class Division(Value, frozen=True):
    code: str
    name: str


class _Tree(Value, frozen=True):
    names: dict[str, str]
    cities: dict[str, tuple[str, ...]]  # province code -> its city codes, in code order
    counties: dict[str, tuple[str, ...]]  # city code -> its county codes (a city without counties: itself)


def _province_of(code: str) -> str:
    return code[:2] + "0000"


@cache
def _tree() -> _Tree:
    from kiosk.core.division_table import TABLE

    names = dict(line.split(" ", 1) for line in TABLE.splitlines() if line)
    provinces = [c for c in names if c.endswith("0000")]
    municipal = {p for p in provinces
                 if all(names[c] == names[p] for c in names if c[:2] == p[:2] and c[4:] == "00" and c != p)}

    def city_of(county: str) -> str:
        return county[:2] + "0100" if _province_of(county) in municipal else county[:4] + "00"

    cities: dict[str, list[str]] = {p: [] for p in provinces}
    counties: dict[str, list[str]] = {}
    for code in sorted(names):
        if code.endswith("0000"):
            continue
        if code.endswith("00"):  # a prefecture-level division
            city = city_of(code)
            if city not in counties:
                cities[_province_of(code)].append(city)
                counties[city] = []
            continue
        city = city_of(code)
        if city not in counties:
            cities[_province_of(code)].append(city)
            counties[city] = []
        counties[city].append(code)
    for p in municipal:
        names[p[:2] + "0100"] = names[p]
    for city in counties:
        names.setdefault(city, DIRECT_UNDER_PROVINCE)
        if not counties[city]:
            counties[city] = [city]
    return _Tree(names=names, cities={p: tuple(c) for p, c in cities.items()},
                 counties={c: tuple(k) for c, k in counties.items()})


def _divisions(codes: tuple[str, ...]) -> list[Division]:
    names = _tree().names
    return [Division(code, names[code]) for code in codes]


def provinces() -> list[Division]:
    return _divisions(tuple(_tree().cities))


def province_name(code: str) -> str:
    """The province of a two-digit code (a 户籍所在省份 as forms stored it before the county was asked), or ""."""
    return _tree().names.get(code + "0000", "") if len(code) == 2 and code.isdigit() else ""


def cities(province_code: str) -> list[Division]:
    return _divisions(_tree().cities.get(province_code, ()))


def counties(city_code: str) -> list[Division]:
    return _divisions(_tree().counties.get(city_code, ()))


def path(county_code: str) -> tuple[Division, Division, Division] | None:
    """(province, city, county) of a county-level code, or None when it is not one."""
    tree = _tree()
    province = _province_of(county_code)
    for city in tree.cities.get(province, ()):
        if county_code in tree.counties[city]:
            return (Division(province, tree.names[province]), Division(city, tree.names[city]),
                    Division(county_code, tree.names[county_code]))
    return None


def is_county(code: str) -> bool:
    return path(code) is not None


@cache
def _translations() -> dict[str, tuple[str, str]]:
    from kiosk.core.division_names import TABLE

    rows = (line.split("\t") for line in TABLE.splitlines() if line)
    return {key: (ko, en) for key, ko, en in rows}


def local_name(division: Division, language: str) -> str:
    """The division's name in the language: Sino-Korean for ko (길림성), pinyin with the level in English for en
    (Changchun City); Chinese otherwise, or when the table has none."""
    found = _translations().get(division.code) or _translations().get(division.name)
    if language not in ("ko", "en") or found is None:
        return division.name
    return found[0] if language == "ko" else found[1]


def full_name(county_code: str, language: str = "zh") -> str:
    """吉林省 长春市 南关区; a level named like the one above it is said once (北京市 东城区, 广东省 东莞市). In
    Korean top down as well (길림성 장춘시 남관구); in English from the county up, as addresses are written there
    (Nanguan District, Changchun City, Jilin)."""
    found = path(county_code)
    if found is None:
        return ""
    said: list[str] = []
    names: list[str] = []
    for division in found:
        if division.name not in said and division.name != DIRECT_UNDER_PROVINCE:
            said.append(division.name)
            names.append(local_name(division, language))
    return ", ".join(reversed(names)) if language == "en" else " ".join(names)


def shown_name(county_code: str, language: str) -> str:
    """full_name in the language with the Chinese, which staff and the hukou book use, under it in brackets
    (a line of its own, so that a long English name does not break it in two)."""
    chinese = full_name(county_code)
    if language not in ("ko", "en") or not chinese:
        return chinese
    return f"{full_name(county_code, language)}\n({chinese})"


def _longest_prefix(text: str, options: list[Division]) -> Division | None:
    matches = [d for d in options if d.name != DIRECT_UNDER_PROVINCE and text.startswith(d.name)]
    return max(matches, key=lambda d: len(d.name), default=None)


def from_address(address: str) -> str:
    """The county-level code a card's 住址 begins with, or "" when it does not name one. An address may leave
    out the prefecture (吉林省延吉市… for 延边朝鲜族自治州延吉市), so a county is also looked for right after
    the province."""
    address = address.strip()
    province = _longest_prefix(address, provinces())
    if province is None:
        return ""
    rest = address[len(province.name):]
    in_province = cities(province.code)
    city = _longest_prefix(rest, [c for c in in_province if c.name != province.name])
    if city is not None:
        rest = rest[len(city.name):]
        options = counties(city.code)
        if options == [Division(city.code, city.name)]:
            return city.code
    else:
        options = [county for c in in_province for county in counties(c.code)]
    county = _longest_prefix(rest, options)
    return county.code if county is not None else ""
