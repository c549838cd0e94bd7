"""`kiosk config check` as an operator's colleague (issue #20 point 8): each broken or suspicious file below is
refused or warned about, in Chinese and English, with what to write instead (allowed values, never a regular
expression), blamed on the file the operator should edit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.cli.main import main as kiosk_main
from kiosk.core.problem_words import ALLOWED_FORMS
from kiosk.core.settings import DeviceProfile, KioskSettings

Edit = Callable[[Path], Path]  # the operator's edit of a copy of the shipped kiosk.toml; returns the file to check


def edited(old: str, new: str) -> Edit:
    def edit(config: Path) -> Path:
        text = config.read_text(encoding="utf-8")
        assert re.search(old, text, flags=re.M), old
        config.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")
        return config
    return edit


def hall_profile(body: str) -> Edit:
    """A profile of the operator's own, devices/hall.toml, used by kiosk.toml."""
    def edit(config: Path) -> Path:
        (config.parent / "devices" / "hall.toml").write_text(body, encoding="utf-8")
        return edited(r'^device_profile = "simulated"', 'device_profile = "hall"')(config)
    return edit


def saved_as(prefix: bytes = b"", encoding: str = "utf-8") -> Edit:
    def edit(config: Path) -> Path:
        config.write_bytes(prefix + config.read_text(encoding="utf-8").encode(encoding))
        return config
    return edit


def both(*edits: Edit) -> Edit:
    def edit(config: Path) -> Path:
        for step in edits:
            config = step(config)
        return config
    return edit


SAM_HALL = 'inherits = "sam-serial-80mm"\n'
REAL_SITE = edited(r"^url = .*$", 'url = "https://platform.example.cn"')
WEAK_HASH = "scrypt$1024$1$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 43 + "="

REFUSED: list[tuple[str, Edit, str, tuple[str, ...]]] = [
    # (the case, the operator's edit, the file blamed, what the message must say: Chinese and English)
    ("a card wait longer than the session's idle window",
     edited(r"^idle_warning_s = 30\nsession_s = 180\ncard_read_s = 30",
            "idle_warning_s = 50\nsession_s = 60\ncard_read_s = 120"),
     "kiosk.toml", ("timeouts: card_read_s（120）须小于空闲提醒前的时间", "set card_read_s below 10")),
    ("a consult phone no one can dial", edited(r"^consult_phone = .*$", 'consult_phone = "-------"'),
     "kiosk.toml", ("不是市民能拨打的号码", "no number a citizen can dial", "e.g. 0431-12345")),
    ("plain http to another machine", edited(r"^url = .*$", 'url = "http://10.1.2.3:8080"'),
     "kiosk.toml", ("http:// 只能用于本机", "use https://")),
    ("test identities on a SAM reader",
     hall_profile(SAM_HALL + '[reader]\ntest_identities = ["elder"]\n'),
     "hall.toml", ("reader.test_identities: sam_serial reader 没有这项设置", "not a setting of a sam_serial reader")),
    ("a host on a serial printer",
     hall_profile(SAM_HALL + '[printer.connection]\nkind = "serial"\nserial_port = "/dev/ttyS1"\nhost = "10.1.2.9"\n'),
     "hall.toml", ("printer.connection.host: serial connection 没有这项设置", "not a setting of a serial connection")),
    ("a number in quotes", edited(r"^session_s = 180", 'session_s = "180"'),
     "kiosk.toml", ("timeouts.session_s: 须为整数，不加引号：请写 180", "write 180, not \"180\"")),
    ("'no' for a switch", hall_profile(SAM_HALL + '[printer]\ncutter = "no"\n'),
     "hall.toml", ("printer.cutter: 须为 true 或 false", "write false, not \"no\"")),
    ("a weak scrypt PIN hash", edited(r"^maintenance_pin_scrypt = .*$", f'maintenance_pin_scrypt = "{WEAK_HASH}"'),
     "kiosk.toml", ("PIN散列太弱（N=1024", "kiosk maintenance set-pin", "the PIN hash is too weak")),
    ("a division code of the wrong length", edited(r"^division_code = .*$", 'division_code = "2201"'),
     "kiosk.toml", ("格式不对，应为6 位数字的行政区划代码", "a 6-digit division code")),
    ("a kiosk id in lower case", edited(r"^kiosk_id = .*$", 'kiosk_id = "jl-220102-007"'),
     "kiosk.toml", ("大写字母、数字或连字符，例如 JL-220102-001", "capital letters, digits or hyphens")),
    ("a language not offered", edited(r"^languages = .*$", 'languages = ["zh", "fr"]'),
     "kiosk.toml", ("languages[1]: 不能写 \"fr\"；可选：zh, ko, en", "choose one of: zh, ko, en")),
    ("a 58 mm profile without chars_per_line",
     hall_profile(SAM_HALL + "[printer]\npaper_width_mm = 58\n"),
     "hall.toml", ("chars_per_line = 48 放不下 58 mm 纸（最多 32）", "write chars_per_line = 32")),
    ("a file with a byte-order mark", saved_as(b"\xef\xbb\xbf"),
     "kiosk.toml", ("请另存为不带BOM的UTF-8", "byte-order mark (BOM)", "save it as UTF-8")),
    ("a file saved as GB18030", saved_as(encoding="gb18030"),
     "kiosk.toml", ("文件不是UTF-8编码（看来是GB18030/GBK", "请另存为UTF-8", "save it as UTF-8")),
    ("a text without its closing quote", edited(r'^kiosk_id = "JL-220102-001"', 'kiosk_id = "JL-220102-001'),
     "kiosk.toml", ("TOML 语法错误（第 4 行第", "文字缺少双引号", "at line 4")),
    ("a device profile that is not there", edited(r'^device_profile = "simulated"', 'device_profile = "sam80"'),
     "kiosk.toml", ("中没有设备配置 \"sam80\"", "no profile 'sam80'")),
    ("a real site without its kiosk key", REAL_SITE,
     "keys", ("没有密钥文件夹：请在后台服务器上运行 kiosk-backend enroll JL-220102-001", "no key folder")),
    ("an attendant without a PIN or a card", edited(r"\Z", '\n[[staff]]\nname = "王丽"\n'),
     "kiosk.toml", ("王丽 既没有 PIN 也没有工作人员卡", "kiosk maintenance add-staff")),
]


@pytest.mark.parametrize(("case", "edit", "blamed", "said"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_what_to_write_instead(kiosk_config: Path, capsys: pytest.CaptureFixture[str], case: str,
                                            edit: Edit, blamed: str, said: tuple[str, ...]) -> None:
    path = edit(kiosk_config)
    assert kiosk_main(["config", "check", str(path)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("  ")]
    line = next((line for line in lines if said[0] in line), None)
    assert line is not None, lines
    assert all(words in line for words in said), line
    assert line.strip().split(":")[0].endswith(blamed), line
    assert not re.search(r"\^|\\d|\[0-9", line), "no regular expression is shown to an operator"


WARNED: list[tuple[str, Edit, tuple[str, ...]]] = [
    ("a division code outside Jilin", edited(r"^division_code = .*$", 'division_code = "110101"'),
     ("不是吉林省的区划代码", "is not in 吉林省")),
    ("the shipped example id at a real site", REAL_SITE, ("是随软件提供的示例编号", "is the shipped example")),
    ("test identities at a real site", REAL_SITE, ("用的是模拟读卡器和测试身份", "uses the simulated reader")),
    ("a shared PIN at a real site",
     both(REAL_SITE, edited(r"^maintenance_pin_scrypt = .*$",
                            'maintenance_pin_scrypt = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$'
                            + "A" * 43 + '="')),
     ("这是共用PIN：审计记录只能写“PIN”", "give each attendant their own")),
]


@pytest.mark.parametrize(("case", "edit", "said"), WARNED, ids=[c[0] for c in WARNED])
def test_warned_but_accepted(kiosk_config: Path, capsys: pytest.CaptureFixture[str], case: str, edit: Edit,
                             said: tuple[str, ...]) -> None:
    status = kiosk_main(["config", "check", str(edit(kiosk_config))])
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    assert any(all(words in line for words in said) for line in warnings), warnings
    assert status in (0, 2)  # a real backend also needs the kiosk's key (refused for that, named separately)


def test_the_shipped_demo_config_draws_no_warning(kiosk_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main(["config", "check", str(kiosk_config)]) == 0
    assert "warning: " not in capsys.readouterr().err.replace("warning: the holiday calendar", "")


def patterns_of(model: type) -> set[str]:
    found: set[str] = set()
    for field in model.model_fields.values():
        found |= {str(m.pattern) for m in field.metadata if getattr(m, "pattern", None)}
        for inner in getattr(field.annotation, "__args__", (field.annotation,)):
            if isinstance(inner, type) and hasattr(inner, "model_fields"):
                found |= patterns_of(inner)
    return found


def test_every_pattern_of_the_configuration_is_said_in_words() -> None:
    patterns = patterns_of(KioskSettings) | patterns_of(DeviceProfile)
    assert len(patterns) >= 6  # the walk finds them (kiosk_id, division_code, phones, ids, the backend url...)
    assert patterns <= set(ALLOWED_FORMS), patterns - set(ALLOWED_FORMS)
