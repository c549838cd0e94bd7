"""The divisions' Korean and English names (kiosk.core.division_names, made by scripts/gen_division_names.py): every
division has both, the readings people in Jilin and in English use, and the Chinese kept beside them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from kiosk.core import divisions
from kiosk.core.division_names import TABLE
from kiosk.core.divisions import Division

HANGUL = re.compile(r"^[\uac00-\ud7a3 ]+$")
LATIN = re.compile(r"^[A-Z][A-Za-zü' ,()-]+$")


def test_every_division_has_a_korean_and_an_english_name_and_no_chinese_is_left_in_them() -> None:
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in TABLE.splitlines() if "\t" in line}
    codes = [d.code for p in divisions.provinces() for c in divisions.cities(p.code) for d in
             [p, c, *divisions.counties(c.code)]]
    missing = [code for code in codes if code not in rows and not code.endswith("9000")]  # 省直辖: by its name
    assert missing == []
    bad = [(code, ko, en) for code, (ko, en) in rows.items() if not HANGUL.match(ko) or not LATIN.match(en)]
    assert bad == []


@pytest.mark.parametrize(("code", "ko", "en"), [
    ("220000", "길림성", "Jilin"),  # the catalog's words for the provinces
    ("220100", "장춘시", "Changchun City"),  # 长: cháng, 장
    ("220200", "길림시", "Jilin City"),
    ("222400", "연변조선족자치주", "Yanbian Korean Autonomous Prefecture"),
    ("222401", "연길시", "Yanji City"),
    ("222402", "도문시", "Tumen City"),
    ("222404", "훈춘시", "Hunchun City"),  # 珲春: Hunchun, 훈춘, not huì / 혼
    ("222405", "룡정시", "Longjing City"),  # no initial-sound rule: 룡, as the catalog's 료녕성
    ("210000", "료녕성", "Liaoning"),
    ("150000", "내몽골자치구", "Inner Mongolia"),
    ("540000", "서장자치구", "Xizang (Tibet)"),
    ("500000", "중경시", "Chongqing"),  # 重: chóng
    ("511100", "락산시", "Leshan City"),  # 乐: lè, 락
    ("340300", "방부시", "Bengbu City"),  # 蚌: bèng
    ("341500", "륙안시", "Lu'an City"),  # 六: lù, the apostrophe before a
    ("331100", "려수시", "Lishui City"),  # 丽: lí
    ("210100", "심양시", "Shenyang City"),
    ("411624", "심구현", "Shenqiu County"),  # 沈 in a place: shěn, 심
    ("110105", "조양구", "Chaoyang District"),  # 朝: cháo
    ("220702", "녕강구", "Ningjiang District"),  # 寧: 녕, as 녕하회족자치구
    ("220721", "전곽이라사몽고족자치현", "Qian Gorlos Mongol Autonomous County"),
    ("522600", "검동남묘족동족자치주", "Qiandongnan Miao and Dong Autonomous Prefecture"),
    ("150724", "악온극족자치기", "Evenki Autonomous Banner"),
    ("410104", "관성회족구", "Guancheng Hui District"),
])
def test_readings_people_use(code: str, ko: str, en: str) -> None:
    division = Division(code=code, name="")
    assert (divisions.local_name(division, "ko"), divisions.local_name(division, "en")) == (ko, en)


def test_a_place_is_named_in_the_language_with_the_chinese_under_it() -> None:
    assert divisions.shown_name("222401", "ko") == "길림성 연변조선족자치주 연길시\n(吉林省 延边朝鲜族自治州 延吉市)"
    assert divisions.shown_name("222401", "en") == ("Yanji City, Yanbian Korean Autonomous Prefecture, Jilin\n"
                                                    "(吉林省 延边朝鲜族自治州 延吉市)")
    assert divisions.shown_name("110101", "en") == "Dongcheng District, Beijing\n(北京市 东城区)"  # said once
    assert divisions.shown_name("441900", "ko") == "광동성 동완시\n(广东省 东莞市)"
    assert divisions.shown_name("429004", "en") == "Xiantao City, Hubei\n(湖北省 仙桃市)"  # 省直辖 is not said
    assert divisions.shown_name("222401", "zh") == "吉林省 延边朝鲜族自治州 延吉市"
    assert divisions.shown_name("220100", "ko") == ""  # not a county
    direct = divisions.cities("420000")[-1]
    assert direct.name == divisions.DIRECT_UNDER_PROVINCE
    assert divisions.local_name(direct, "en") == "County-level divisions under the province"


def test_the_module_is_what_the_generator_makes_of_the_table() -> None:
    """A name edited by hand, or a table regenerated without its names, fails here (where the generation-only
    packages are installed: docs/divisions.md)."""
    pytest.importorskip("hanja")
    pytest.importorskip("opencc_purepy")
    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_division_names.py"
    spec = importlib.util.spec_from_file_location("gen_division_names", script)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    text, unread = generator.render()
    assert unread == []
    assert text == (script.parents[1] / "kiosk" / "core" / "division_names.py").read_text(encoding="utf-8")
