from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli.main import main as kiosk_main


def test_headless_demo_goes_end_to_end(kiosk_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KIOSK_CONFIG", str(kiosk_config))
    out = tmp_path / "demo"
    assert kiosk_main(["demo", "--headless", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "困难残疾人生活补贴和重度残疾人护理补贴资格认定" in printed
    assert "application number 220102" in printed and "session wiped: True" in printed
    slips = sorted(out.glob("receipt-*.png"))
    assert len(slips) == 2 and all(f"slip: {slip}" in printed for slip in slips)  # in Chinese and in Korean
    assert "220102195603120020" not in printed and "张桂兰" not in printed  # masked only
    taps = {line.split()[1]: int(line.split()[-1]) for line in printed.splitlines() if line.startswith("journey:")}
    assert set(taps) == {"apply", "appointment", "scan", "typed", "apply-ko"}
    assert taps["scan"] <= 3  # progress by the receipt's QR code (issue #15's goal)
    assert taps["typed"] <= 2 + 25 + 8 + 2  # to the keypad, every character of number and code, OK, finish
    found = [line for line in printed.splitlines() if line.startswith("progress by")]
    assert len(found) == 2 and not any(line.endswith("not found") for line in found), found
    assert taps["apply"] <= 25 and taps["apply-ko"] <= 26  # 两项补贴 including digits (issue #15's goal; was 29)
    texts = json.loads((out / "texts.json").read_text(encoding="utf-8"))
    # the done screen, as a citizen reads it: its first view and the view scrolled down
    done = " ".join(text for name in texts if name.endswith(("-apply-done.png", "-apply-done-more.png"))
                    for text in texts[name])
    assert all(word in done for word in ("请带上这些材料", "送到哪里", "办理时限", "咨询电话", "16个工作日"))


def test_the_app_refuses_an_invalid_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text('kiosk_id = "JL-1"\ndevice_profile = "ghost"\n', encoding="utf-8")
    assert kiosk_main(["run", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "configuration is invalid" in err and "kiosk.toml: site: 缺少此项（必填） | Field required" in err
    assert kiosk_main(["config", "check", str(bad)]) == 2
    assert capsys.readouterr().err == err  # the same messages
