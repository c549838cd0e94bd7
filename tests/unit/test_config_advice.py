"""`kiosk config check` as an operator's colleague (issue #20 point 8): each broken or suspicious kiosk.toml below is
refused or warned about with a message that says what to change, in the operator's file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.cli.main import main as kiosk_main


def edited(config: Path, old: str, new: str) -> Path:
    text = config.read_text(encoding="utf-8")
    assert re.search(old, text, flags=re.M), old
    config.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")
    return config


REFUSED = [
    # (what the operator wrote, pattern, replacement, what the message must say)
    ("a card wait longer than the session's idle window", r"^session_s = 180\ncard_read_s = 30",
     "session_s = 120\ncard_read_s = 100",
     "card_read_s (100) must be shorter than the time before the idle warning"),
    ("a consult phone no one can dial", r'^consult_phone = .*$', 'consult_phone = "-------"',
     "no number a citizen can dial"),
]


@pytest.mark.parametrize(("case", "pattern", "replacement", "said"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_a_message_that_says_what_to_change(kiosk_config: Path, capsys: pytest.CaptureFixture[str],
                                                         case: str, pattern: str, replacement: str, said: str) -> None:
    path = edited(kiosk_config, pattern, replacement)
    assert kiosk_main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert said in err and str(path.name) in err, err


def test_a_file_with_a_byte_order_mark_is_named_as_such(kiosk_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kiosk_config.write_bytes(b"\xef\xbb\xbf" + kiosk_config.read_bytes())
    assert kiosk_main(["config", "check", str(kiosk_config)]) == 2
    err = capsys.readouterr().err
    assert "byte-order mark (BOM)" in err and "UTF-8" in err


def test_a_gb18030_file_is_named_as_such(kiosk_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kiosk_config.write_bytes(kiosk_config.read_text(encoding="utf-8").encode("gb18030"))
    assert kiosk_main(["config", "check", str(kiosk_config)]) == 2
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "GB18030" in err and "save it as UTF-8" in err


WARNED = [
    ("a division code outside Jilin", r'^division_code = .*$', 'division_code = "110101"', "is not in 吉林省"),
    ("the shipped example id at a real site", r'^url = .*$', 'url = "https://platform.example.cn"',
     "is the shipped example"),
    ("test identities at a real site", r'^url = .*$', 'url = "https://platform.example.cn"',
     "uses the simulated reader and its test identities"),
]


@pytest.mark.parametrize(("case", "pattern", "replacement", "said"), WARNED, ids=[c[0] for c in WARNED])
def test_warned_but_accepted(kiosk_config: Path, capsys: pytest.CaptureFixture[str], case: str, pattern: str,
                             replacement: str, said: str) -> None:
    path = edited(kiosk_config, pattern, replacement)
    status = kiosk_main(["config", "check", str(path)])
    err = capsys.readouterr().err
    assert said in err, err
    assert status in (0, 2)  # a real backend also needs the kiosk's key (refused for that, named separately)


def test_the_shipped_demo_config_draws_no_warning(kiosk_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main(["config", "check", str(kiosk_config)]) == 0
    assert "warning: " not in capsys.readouterr().err.replace("warning: the holiday calendar", "")
