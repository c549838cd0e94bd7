"""`kiosk slip render|receipts|reprint` and `kiosk print-test`, run through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from devices.printers.emulator import PrinterEmulator
from devices.printers.preview import decode
from devices.printers.simulated import from_config as simulated_printer
from kiosk.cli.main import main
from kiosk.core.catalog import Catalog
from kiosk.core.slips import SlipKind
from kiosk.storage.config import load_config
from kiosk.storage.print_journal import PrintJournal
from tests.drivers.printer_helpers import flat, qr_payloads, receipt


def render(tmp_path: Path, *args: str) -> tuple[int, Path, Path]:
    out, png = tmp_path / "slip.bin", tmp_path / "slip.png"
    code = main(["slip", "render", *args, "--out", str(out), "--png", str(png)])
    return code, out, png


@pytest.mark.parametrize("kind", list(SlipKind))
def test_render_every_kind_from_its_sample(kind: SlipKind, tmp_path: Path) -> None:
    code, out, png = render(tmp_path, kind.value, "--sample")
    assert code == 0
    doc = decode(out.read_bytes())
    assert doc.problems == [] and len(doc.cuts) == 1
    assert Image.open(png).size[0] == 576 + 48


def test_sample_receipt_is_the_disability_subsidies_with_a_rare_name(tmp_path: Path) -> None:
    code, out, _ = render(tmp_path, "receipt", "--sample", "--profile", "sdk-58mm-serial")
    assert code == 0
    data = out.read_bytes()
    doc = decode(data, 58)
    assert "困难残疾人生活补贴和重度残疾人护理补贴资格认定" in flat(doc.text)
    assert b"\x1dV" not in data  # that profile has no cutter: the slip is fed to the tear bar instead
    assert qr_payloads(doc) == ["JLMZ:PROGRESS:2201022024052000000001233:48153926"]
    number_lines = [line for line in doc.lines if line.text in ("220102 20240520", "00000 001233")]
    assert [line.size for line in number_lines] == [(2, 2), (2, 2)]  # full double size fits 58 mm in two lines
    assert "查询码：48153926" in flat(doc.text)
    assert any(r.image.height == 30 for r in doc.rasters)  # the masked name 李*䶮 is drawn
    assert "李玉䶮".encode("gb18030") not in data and b"222401198007152136" not in data


def test_render_from_a_data_file(tmp_path: Path) -> None:
    data = {"item_id": "orphan-support", "language": "en", "application_number": "JL-9",
            "applicants": [{"name": "王小明", "id_number": "220102201001010013"}],
            "printed_at": "2024-06-01T09:00:00"}
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = render(tmp_path, "receipt", "--data", str(path))
    assert code == 0
    doc = decode(out.read_bytes())
    assert doc.problems == [] and "2024-06-0109:00" in flat(doc.text) and "220***********0013" in doc.text
    assert "王小明".encode("gb18030") not in out.read_bytes()


@pytest.mark.parametrize(("args", "data", "message"), [
    (["bogus", "--sample"], None, "unknown slip kind 'bogus'"),
    (["receipt"], "{not json", "is not valid JSON"),
    (["receipt"], '["a list"]', "must be a JSON object"),
    (["receipt"], '{"item_id": 3}', 'item_id: must be text in double quotes, e.g. "3"'),
    (["receipt"], '{"item_id": "disability-subsidies", "colour": "red"}', "colour: unknown setting"),
    (["receipt"], '{"item_id": "disability-subsidies"}', "needs application_number or local_reference"),
    (["receipt"], '{"item_id": "nope", "application_number": "1"}', "no item 'nope'"),
    (["appointment"], '{"item_id": "marriage-registration"}', "needs booking_number"),
    (["receipt", "--sample", "--profile", "nope"], None, "no device profile 'nope'"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                         data: str | None, message: str) -> None:
    if data is not None:
        (tmp_path / "data.json").write_text(data, encoding="utf-8")
        args = [*args, "--data", str(tmp_path / "data.json")]
    code, out, _ = render(tmp_path, *args)
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def emulator_config(kiosk_config: Path, emulator: PrinterEmulator) -> Path:
    host, port = emulator.address
    (kiosk_config.parent / "devices" / "emulated.toml").write_text(
        f'inherits = "base"\n[printer]\nstatus_timeout_s = 0.3\n'
        f'[printer.connection]\nkind = "network"\nhost = "{host}"\nport = {port}\n', encoding="utf-8")
    text = kiosk_config.read_text(encoding="utf-8").replace('device_profile = "simulated"',
                                                            'device_profile = "emulated"')
    kiosk_config.write_text(text, encoding="utf-8")
    return kiosk_config


def test_print_test_page_on_a_network_printer(kiosk_config: Path, emulator: PrinterEmulator,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = emulator_config(kiosk_config, emulator)
    assert main(["print-test", "--config", str(config)]) == 0
    assert "printed test page" in capsys.readouterr().out
    doc = decode(bytes(emulator.printer.printed))
    assert doc.problems == [] and "打印测试页" in doc.text and "network127.0.0.1" in flat(doc.text)
    emulator.printer.paper_out = True
    assert main(["print-test", "--config", str(config)]) == 1
    assert "paper_out" in capsys.readouterr().err


def test_list_and_reprint_a_receipt(kiosk_config: Path, catalog: Catalog,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    config = load_config(kiosk_config)
    printer = simulated_printer(config)
    printer.print_slip("s1-receipt", receipt(config.settings, catalog))
    assert main(["slip", "receipts", "--config", str(kiosk_config)]) == 0
    assert "JL2201022024052000123" in capsys.readouterr().out
    assert main(["slip", "reprint", "JL2201022024052000123", "--config", str(kiosk_config)]) == 0
    assert main(["slip", "reprint", "JL2201022024052000123", "--config", str(kiosk_config)]) == 0
    bins = sorted(printer.folder.glob("receipt-s1-receipt-reprint-*.bin"))
    assert [b.name for b in bins] == ["receipt-s1-receipt-reprint-1.bin", "receipt-s1-receipt-reprint-2.bin"]
    doc = decode(bins[0].read_bytes())
    assert "【补打】" in doc.text and "申请人：" not in doc.text and not doc.rasters[:-1]
    assert main(["slip", "reprint", "JL-NOPE", "--config", str(kiosk_config)]) == 2


def test_slip_print_through_the_printer_and_the_journal(kiosk_config: Path, emulator: PrinterEmulator,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = emulator_config(kiosk_config, emulator)
    command = ["slip", "print", "receipt", "--sample", "--config", str(config), "--job-id", "desk-1"]
    assert main(command) == 0
    assert "done: job desk-1" in capsys.readouterr().out
    assert main(command) == 0  # the same job id: nothing more comes out
    assert len(decode(bytes(emulator.printer.printed)).cuts) == 1
    emulator.printer.disconnect_after_cut = True
    assert main([*command[:-1], "desk-2"]) == 3
    assert "uncertain" in capsys.readouterr().out
    emulator.printer.paper_out = True
    assert main([*command[:-1], "desk-3"]) == 1
    assert "failed: paper_out" in capsys.readouterr().err
    record = PrintJournal.in_dir(load_config(config).data_dir).get("desk-2")
    assert record is not None and record.uncertain
