"""`kiosk card parse|read` and `kiosk devices probe`, run in-process like the console script."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.readers.sam_frame import Status, encode_card_record, encode_reply
from devices.readers.test_identities import TEST_IDENTITIES
from kiosk.cli.main import main as kiosk
from kiosk.core.cardtext import build_text_block
from tests.support.pcsc_stack import PcscStack
from tests.support.sam_simulator import FAKE_PHOTO, SamSimulator

COMMON_KEYS = ["card_type", "name", "sex", "birth_date", "address", "id_number", "issuing_authority",
               "valid_from", "valid_until", "checksum_ok", "expired"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = kiosk(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def block_file(tmp_path: Path, key: str, frame: bool = False) -> Path:
    text = build_text_block(TEST_IDENTITIES[key])
    path = tmp_path / f"{key}.bin"
    path.write_bytes(encode_reply(Status.OK, encode_card_record(text, FAKE_PHOTO)) if frame else text)
    return path


@pytest.mark.parametrize(("key", "extra"), [
    ("resident-zhang", ["nation_code", "nation"]),
    ("foreign-smith", ["english_name", "nationality"]),
    ("hmt-chen", ["pass_number", "issue_count"]),
])
def test_parse_json_keys_per_card_type(tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str,
                                       extra: list[str]) -> None:
    code, out, err = run(capsys, "card", "parse", str(block_file(tmp_path, key)), "--json")
    assert code == 0 and err == ""
    report = json.loads(out)
    assert set(report) == set(COMMON_KEYS) | set(extra)
    assert report["card_type"] == TEST_IDENTITIES[key].card_type.value
    assert report["checksum_ok"] is True
    assert TEST_IDENTITIES[key].id_number not in out and TEST_IDENTITIES[key].name not in out


def test_parse_resident_values_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "card", "parse", str(block_file(tmp_path, "resident-zhang")), "--json")
    report = json.loads(out)
    assert code == 0
    assert report["name"] == "张*兰" and report["id_number"] == "220***********0020"
    assert report["nation"] == "汉" and report["valid_until"] == "长期" and report["expired"] is False
    assert report["address"] == "吉林省长春市****" and report["birth_date"] == "1956-**-**"


def test_parse_whole_reply_frame_and_reveal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = block_file(tmp_path, "resident-rare-char", frame=True)
    code, out, err = run(capsys, "card", "parse", str(path), "--json", "--reveal")
    assert code == 0
    report = json.loads(out)
    assert report["name"] == "金䶮" and report["id_number"] == "222401198007152136"
    assert "--reveal prints personal data" in err


def test_parse_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "card", "parse", str(block_file(tmp_path, "hmt-chen")))
    assert code == 0
    assert "card_type          hmt_residence" in out and "checksum_ok        true" in out


@pytest.mark.parametrize(("content", "message"), [
    (b"", "0 bytes: neither a 256-byte text block nor a SAM frame"),
    (bytes(255), "255 bytes: neither"),
    (encode_reply(Status.OK, encode_card_record(bytes(256), FAKE_PHOTO))[:-3], "truncated"),
    (encode_reply(Status.NO_CARD), "status 0x80"),
    (bytes(256), "not a GB/T 2261.1 code"),
    (build_text_block(TEST_IDENTITIES["resident-zhang"])[:248] + "Y".encode("utf-16-le") + b" \x00" * 3,
     "unsupported card type 'Y'"),
])
def test_malformed_files_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              content: bytes, message: str) -> None:
    path = tmp_path / "card.bin"
    path.write_bytes(content)
    code, out, err = run(capsys, "card", "parse", str(path), "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "card", "parse", str(tmp_path / "nothing.bin"))
    assert code == 2 and err.strip() == f"kiosk: cannot read {tmp_path / 'nothing.bin'}: No such file or directory"


@pytest.fixture
def sam(tmp_path: Path) -> Iterator[SamSimulator]:
    simulator = SamSimulator(tmp_path / "kiosk-idreader")
    yield simulator
    simulator.close()


def use_sam_profile(kiosk_config: Path, port: Path) -> None:
    devices = kiosk_config.parent / "devices"
    profile = devices / "sam-serial-80mm.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("/dev/kiosk-idreader", str(port)),
                       encoding="utf-8")
    text = kiosk_config.read_text(encoding="utf-8").replace('device_profile = "simulated"',
                                                           'device_profile = "sam-serial-80mm"')
    kiosk_config.write_text(text, encoding="utf-8")


def test_read_once_with_the_configured_sam_reader(kiosk_config: Path, sam: SamSimulator,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    use_sam_profile(kiosk_config, sam.link_path)
    sam.insert(build_text_block(TEST_IDENTITIES["foreign-smith"]))
    code, out, err = run(capsys, "card", "read", "--config", str(kiosk_config), "--timeout", "3", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["card_type"] == "foreign_permanent" and report["english_name"] == "S***** J***"


def test_read_without_a_card_exits_1_with_the_reason(kiosk_config: Path, sam: SamSimulator,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    use_sam_profile(kiosk_config, sam.link_path)
    code, out, err = run(capsys, "card", "read", "--config", str(kiosk_config), "--timeout", "0.5")
    assert code == 1 and out == ""
    assert err.splitlines()[-1].startswith("kiosk: no card read: no_card")


def test_probe_finds_the_sam_and_the_pcsc_readers(sam: SamSimulator, pcsc_stack: PcscStack, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    silent = tmp_path / "not-a-reader"
    other = SamSimulator(silent)
    other.silent = True
    try:
        code, out, _ = run(capsys, "devices", "probe", "--port", str(sam.link_path), "--port", str(silent),
                           "--json")
    finally:
        other.close()
    assert code == 0
    result = json.loads(out)
    serial = {entry["port"]: entry for entry in result["serial"]}
    assert serial[str(sam.link_path)]["sam"] is True
    assert serial[str(silent)]["sam"] is False and "reader_timeout" in serial[str(silent)]["detail"]
    assert result["pcsc"]["service"] == "ok"
    names = [reader["name"] for reader in result["pcsc"]["readers"]]
    assert pcsc_stack.reader_name(0) in names and pcsc_stack.reader_name(1) in names


def test_probe_waits_long_enough_for_a_real_sam(sam: SamSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    sam.reply_delay_s = 0.45  # vendors' SAMs take up to ~300 ms, and more just after power-up
    code, out, _ = run(capsys, "devices", "probe", "--port", str(sam.link_path), "--json")
    assert code == 0
    serial = {entry["port"]: entry for entry in json.loads(out)["serial"]}
    assert serial[str(sam.link_path)]["sam"] is True, serial
