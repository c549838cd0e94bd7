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
    return [str(p) for p in caught.value.problems]


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
        "p.toml: reader: sam_serial needs port", "p.toml: printer.chars_per_line: 48 does not fit 58 mm",
        "p.toml: printer.connection: a network printer needs host",
    ]
    for fragment in expected:
        assert any(fragment in line for line in found), (fragment, found)


def test_problem_is_blamed_on_the_profile_that_sets_it(tmp_path: Path) -> None:
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "child"\n{GOOD_SITE}')
    write(tmp_path, "devices/parent.toml", '[reader]\ndriver = "simulated"\n[printer.connection]\nkind = "simulated"\n'
          '[screen]\norientation = "landscape"\n')
    write(tmp_path, "devices/child.toml", 'inherits = "parent"\n[printer]\npaper_width_mm = 80\n')
    assert any(line.endswith("devices/parent.toml: screen: 1080x1920 is not landscape") for line in problems_of(kiosk))


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
    assert "configuration is invalid" in err and "kiosk.toml: site: Field required" in err


def test_multisampling_is_off_by_default_and_only_a_sample_count(tmp_path: Path) -> None:
    assert load_config(CONFIG_DIR / "kiosk.toml").profile.screen.multisamples == 0
    kiosk = write(tmp_path, "kiosk.toml", f'kiosk_id = "JL-1"\ndevice_profile = "p"\n{GOOD_SITE}')
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "simulated"\n[printer.connection]\nkind = "simulated"\n'
          '[screen]\nmultisamples = 3\n')
    assert any("p.toml: screen.multisamples:" in line for line in problems_of(kiosk))
    write(tmp_path, "devices/p.toml", '[reader]\ndriver = "simulated"\n[printer.connection]\nkind = "simulated"\n'
          '[screen]\nmultisamples = 4\n')
    assert load_config(kiosk).profile.screen.multisamples == 4
