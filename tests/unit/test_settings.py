from pathlib import Path

import pytest

from kiosk.cli.main import main as kiosk_main
from kiosk.core.problems import ConfigError
from kiosk.storage.config import load_config, load_profile
from tests.conftest import CONFIG_DIR


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [f"{p.file}: {p.field}: {p.why}" for p in caught.value.problems]  # the English; Chinese: test_config_advice


GOOD_SITE = """
[site]
name = "测试自助服务区"
address = "吉林省长春市"
consult_phone = "0431-12345"
division_code = "220102"
"""


def test_shipped_config_is_valid() -> None:
    config = load_config(CONFIG_DIR / "kiosk.toml")
    assert config.settings.kiosk_id == "JL-220102-001"
    assert config.profile_chain == ("simulated", "base")
    assert config.profile.screen.width_px == 1080 and config.profile.screen.orientation == "portrait"


@pytest.mark.parametrize("profile", sorted(p.stem for p in (CONFIG_DIR / "devices").glob("*.toml")))
def test_every_shipped_device_profile_is_valid(profile: str) -> None:
    loaded, chain, problems = load_profile(CONFIG_DIR / "devices", profile, "devices")
    assert problems == [] and loaded is not None
    assert chain[0] == profile


def test_profile_inherits_and_overrides() -> None:
    loaded, chain, _ = load_profile(CONFIG_DIR / "devices", "sdk-58mm-serial", "devices")
    assert loaded is not None and chain == ("sdk-58mm-serial", "base")
    assert loaded.printer.paper_width_mm == 58 and loaded.printer.encoding == "GB18030"  # inherited
    assert loaded.printer.connection.kind == "serial" and not loaded.printer.cutter


def test_every_problem_is_reported_with_file_and_field(tmp_path: Path) -> None:
    kiosk = write(tmp_path, "kiosk.toml", 'kiosk_id = "bad id"\nlanguages = ["zh", "fr"]\n'
                  'device_profile = "p"\n[site]\nname = "X"\naddress = "吉林"\nconsult_phone = "call"\n'
                  'division_code = "22"\n[timeouts]\nidle_warning_s = 5\ncolour = "red"\n')
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "sam_serial"\n[printer]\npaper_width_mm = 58\n'
          'chars_per_line = 48\n[printer.connection]\nkind = "network"\n')
    found = problems_of(kiosk)
    expected = [
        "kiosk.toml: kiosk_id:", "kiosk.toml: languages[1]:", "kiosk.toml: site.name:",
        "kiosk.toml: site.consult_phone:", "kiosk.toml: site.division_code:",
        "kiosk.toml: timeouts.idle_warning_s:", "kiosk.toml: timeouts.colour: unknown setting",
        "p.toml: reader.port: a sam_serial reader needs port",
        "p.toml: printer.chars_per_line: chars_per_line = 48 does not fit 58 mm",
        "p.toml: printer.connection.host: a network connection needs host",
    ]
    for fragment in expected:
        assert any(fragment in line for line in found), (fragment, found)


def test_each_driver_checks_only_its_own_settings(tmp_path: Path) -> None:
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "p"\n{GOOD_SITE}')
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "sam_serial"\nport = "/dev/ttyUSB0"\nlibrary = "x.so"\n'
          '[printer.connection]\nkind = "usb"\nusb_vendor_id = 0x0483\n')
    found = problems_of(kiosk)
    assert any(line.endswith("p.toml: reader.library: not a setting of a sam_serial reader (misspelt, or not "
                             "valid here)") for line in found), found
    assert any(line.endswith("p.toml: printer.connection.usb_product_id: a usb connection needs usb_product_id")
               for line in found), found
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "sdt"\n[printer.connection]\nport = 9100\n')
    found = problems_of(kiosk)
    assert any(line.endswith("p.toml: reader.driver: no reader driver named 'sdt'; choose one of: simulated, "
                             "sam_serial, vendor_sdk, pcsc") for line in found), found
    assert any(line.endswith("p.toml: printer.connection.kind: missing: the connection needs a kind")
               for line in found), found


def test_a_driver_setting_is_blamed_on_the_child_profile_that_breaks_it(tmp_path: Path) -> None:
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "child"\n{GOOD_SITE}')
    write(tmp_path, "devices/parent.toml", '[reader]\ndriver = "sam_serial"\nport = "/dev/ttyUSB0"\n'
          '[printer.connection]\nkind = "simulated"\n')
    write(tmp_path, "devices/child.toml", 'inherits = "parent"\n[reader]\nbaudrate = 1200\n')
    found = problems_of(kiosk)
    said = "devices/child.toml: reader.baudrate: 1200 is not allowed here; choose one of: 9600"
    assert len(found) == 1 and said in found[0], found


def test_a_child_that_picks_another_driver_keeps_only_the_settings_that_driver_has(tmp_path: Path) -> None:
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "child"\n{GOOD_SITE}')
    write(tmp_path, "devices/child.toml", 'inherits = "simulated"\n[reader]\ndriver = "pcsc"\n'
          '[printer.connection]\nkind = "network"\nhost = "192.0.2.10"\n')
    for name in ("simulated", "base"):
        write(tmp_path, f"devices/{name}.toml", (CONFIG_DIR / "devices" / f"{name}.toml").read_text(encoding="utf-8"))
    profile = load_config(kiosk).profile
    assert profile.reader.driver == "pcsc" and profile.reader.staff_card_reader == "reader"  # shared: kept
    assert profile.printer.connection.where == "network 192.0.2.10:9100"  # the simulated output folder: dropped
    write(tmp_path, "devices/child.toml", 'inherits = "simulated"\n[reader]\ntest_identities = ["hmt-chen"]\n'
          'reader_name_contains = "ACS"\n')
    assert any("child.toml: reader.reader_name_contains: not a setting of a simulated reader" in line
               for line in problems_of(kiosk))


def test_every_reader_and_printer_connection_has_one_driver() -> None:
    from typing import get_args

    from kiosk.composition.drivers import PRINTERS, READERS
    from kiosk.core.settings import PrinterConnection, ReaderProfile

    readers, connections = get_args(get_args(ReaderProfile)[0]), get_args(get_args(PrinterConnection)[0])
    assert set(READERS) == set(readers) and set(PRINTERS) == set(connections)
    tags = [get_args(model.model_fields["driver"].annotation) for model in readers]
    tags += [get_args(model.model_fields["kind"].annotation) for model in connections]
    assert all(len(tag) == 1 for tag in tags)  # each model is one driver, spelled once, in its Literal
    from kiosk.composition.drivers import SCANNERS
    from kiosk.core.settings import ScannerProfile

    scanners = get_args(get_args(ScannerProfile)[0])
    assert set(SCANNERS) == set(scanners)
    assert all(len(get_args(model.model_fields["driver"].annotation)) == 1 for model in scanners)
    from kiosk.composition.drivers import SIGNALS
    from kiosk.core.settings import SignalProfile

    signals = get_args(get_args(SignalProfile)[0])
    assert set(SIGNALS) == set(signals)
    assert all(len(get_args(model.model_fields["driver"].annotation)) == 1 for model in signals)


def test_the_scanner_is_none_unless_the_profile_names_one(tmp_path: Path) -> None:
    assert load_config(CONFIG_DIR / "kiosk.toml").profile.scanner.driver == "none"
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "p"\n{GOOD_SITE}')
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "simulated"\n[printer.connection]\nkind = "simulated"\n'
          '[scanner]\ndriver = "serial"\n')
    assert any("p.toml: scanner.port: a serial scanner needs port" in line for line in problems_of(kiosk))


def test_problem_is_blamed_on_the_profile_that_sets_it(tmp_path: Path) -> None:
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "child"\n{GOOD_SITE}')
    write(tmp_path, "devices/parent.toml", '[reader]\ndriver = "simulated"\n[printer.connection]\nkind = "simulated"\n'
          '[screen]\norientation = "landscape"\n')
    write(tmp_path, "devices/child.toml", 'inherits = "parent"\n[printer]\npaper_width_mm = 80\n')
    assert any("devices/parent.toml: screen: 1080x1920 is not landscape" in line for line in problems_of(kiosk))


def test_inheritance_loop_and_missing_parent(tmp_path: Path) -> None:
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "a"\n{GOOD_SITE}')
    write(tmp_path, "devices/a.toml", 'inherits = "b"\n')
    write(tmp_path, "devices/b.toml", 'inherits = "a"\n')
    assert any("inheritance loop: a -> b -> a" in line for line in problems_of(kiosk))
    write(tmp_path, "devices/b.toml", 'inherits = "nowhere"\n')
    assert any("b.toml: inherits: no profile named 'nowhere'" in line for line in problems_of(kiosk))


def test_missing_profile_and_broken_toml(tmp_path: Path) -> None:
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "ghost"\n{GOOD_SITE}')
    assert any("kiosk.toml: device_profile: no profile 'ghost'" in line for line in problems_of(kiosk))
    write(tmp_path, "kiosk.toml", 'kiosk_id = "JL-1\n')
    assert any("kiosk.toml: (syntax):" in line for line in problems_of(kiosk))
    assert any("(file): file not found" in line for line in problems_of(tmp_path / "absent.toml"))


def test_cli_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main(["config", "check", str(CONFIG_DIR / "kiosk.toml")]) == 0
    assert "configuration OK" in capsys.readouterr().out
    bad = write(tmp_path, "kiosk.toml", 'kiosk_id = "x"\n')
    assert kiosk_main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "configuration is invalid" in err and "kiosk.toml: site: 缺少此项（必填） | Field required" in err


def test_multisampling_is_off_by_default_and_only_a_sample_count(tmp_path: Path) -> None:
    assert load_config(CONFIG_DIR / "kiosk.toml").profile.screen.multisamples == 0
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "p"\n{GOOD_SITE}')
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "simulated"\n[printer.connection]\nkind = "simulated"\n'
          '[screen]\nmultisamples = 3\n')
    assert any("p.toml: screen.multisamples:" in line for line in problems_of(kiosk))
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "simulated"\n[printer.connection]\nkind = "simulated"\n'
          '[screen]\nmultisamples = 4\n')
    assert load_config(kiosk).profile.screen.multisamples == 4


def test_a_printer_without_status_is_allowed_with_the_risk_stated(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "p"\n{GOOD_SITE}')
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "simulated"\n[printer]\nstatus = "none"\n'
          '[printer.connection]\nkind = "network"\nhost = "192.0.2.10"\n')
    assert kiosk_main(["config", "check", str(kiosk)]) == 0
    out = capsys.readouterr().out
    assert "RISK       printer status = \"none\": paper out, cover open and jams cannot be seen" in out
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "simulated"\n[printer]\nstatus = "dle"\n'
          '[printer.connection]\nkind = "simulated"\n')
    assert any("p.toml: printer.status:" in line for line in problems_of(kiosk))
