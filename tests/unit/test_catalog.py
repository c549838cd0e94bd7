from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.cli.main import main as kiosk_main
from kiosk.core.catalog import Catalog, Step, language_gaps
from kiosk.core.problems import ConfigError
from kiosk.storage.catalog import load_catalog
from tests.conftest import CONFIG_DIR

LEAD = {"orphan-support", "de-facto-unsupported-child", "disability-subsidies", "marriage-registration",
        "divorce-registration"}


def test_fourteen_items_behind_seventeen_tasks(catalog: Catalog) -> None:
    roles = [i.task_role for i in catalog.items]
    assert (roles.count("lead"), roles.count("cooperate"), roles.count("special")) == (5, 8, 1)
    assert {i.id for i in catalog.items if i.task_role == "lead"} == LEAD
    assert sorted(t.number for t in catalog.tasks) == list(range(1, 18))
    assert {t.item_id for t in catalog.tasks} == {i.id for i in catalog.items}
    assert language_gaps(catalog) == []


def test_kiosk_actions_follow_current_rules(catalog: Catalog) -> None:
    actions = {i.id: i.kiosk_action for i in catalog.items}
    assert {k for k, v in actions.items() if v == "apply"} == LEAD - {"marriage-registration", "divorce-registration"}
    for item_id in ("marriage-registration", "divorce-registration"):
        item = catalog.item(item_id)
        assert item.kiosk_action == "appointment" and item.parties == 2  # both in person since 2025-05-10
    assert catalog.item("elderly-care-cooperation").partner_provinces == ["北京", "上海", "海南", "广西", "云南"]


def test_property_tasks_come_twice_in_two_phases(catalog: Catalog) -> None:
    by_item: dict[str, set[tuple[str, str]]] = {}
    for task in catalog.tasks:
        by_item.setdefault(task.item_id, set()).add((task.phase, task.scope))
    property_items = [i.id for i in catalog.items if i.id.startswith("property-")]
    assert len(property_items) == 3
    for item_id in property_items:
        assert by_item[item_id] == {("by_2020_end", "省会及计划单列市"), ("by_2021_end", "全国")}


def test_apply_items_need_no_chinese_typing(catalog: Catalog) -> None:
    for item in catalog.items:
        if item.kiosk_action == "apply":
            assert all(f.input != "pinyin_keypad" for f in item.form_fields), item.id
            assert any(f.card_attribute == "id_number" for f in item.form_fields)


def test_the_items_taken_elsewhere_have_their_case_clocks_and_a_clock_needs_working_days(catalog: Catalog) -> None:
    """异地代收代办: 3 working days here, the 户籍地's days (two steps add up for the children's items), 3 to tell."""
    clocks = {i.id: tuple(i.case_clock_limit(k) for k in ("receiving", "domicile", "notify"))
              for i in catalog.items if i.kiosk_action == "apply"}
    assert clocks == {"disability-subsidies": (3, 10, 3), "orphan-support": (3, 30, 3),
                      "de-facto-unsupported-child": (3, 30, 3)}
    step = catalog.item("orphan-support").steps[1].model_dump()
    with pytest.raises(ValidationError, match="time limit in working days"):
        Step.model_validate({**step, "time_limit": {"unit": "on_the_spot"}})


def test_uncertain_facts_are_marked_not_invented(catalog: Catalog) -> None:
    marked = [i.id for i in catalog.items
              if any(m.certainty != "confirmed" for m in i.materials)
              or any(f.certainty != "confirmed" for f in i.eligibility)
              or i.legal_time_limit.certainty != "confirmed" or i.promised_time_limit.certainty != "confirmed"]
    assert marked, "the research has uncertain facts; the catalog must say so somewhere"


@pytest.fixture
def broken_catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(CONFIG_DIR / "catalog", folder)
    return folder


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_catalog(folder)
    return [str(p) for p in caught.value.problems]


def test_cross_checks_report_every_problem(broken_catalog: Path) -> None:
    item = broken_catalog / "items" / "disability-subsidies.toml"
    text = item.read_text(encoding="utf-8")
    item.write_text(text.replace('sources = ["', 'sources = ["S999", "', 1), encoding="utf-8")
    tasks = broken_catalog / "tasks.toml"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace('item_id = "orphan-support"', 'item_id = "ghost"'),
                     encoding="utf-8")
    (broken_catalog / "items" / "copy.toml").write_text(text, encoding="utf-8")
    found = problems_of(broken_catalog)
    assert any("disability-subsidies.toml" in p and "unknown source 'S999'" in p for p in found)
    assert any("tasks.toml: tasks[" in p and "no item 'ghost'" in p for p in found)
    assert any("orphan-support.toml: id: no task of the plan maps to this item" in p for p in found)
    assert any("copy.toml: id: file name must be the id" in p for p in found)
    assert any("duplicate item id" in p for p in found)


def test_missing_translation_and_bad_field_are_reported(broken_catalog: Path) -> None:
    item = broken_catalog / "items" / "orphan-support.toml"
    text = item.read_text(encoding="utf-8")
    text = text.replace("names.ko = ", "names.korean = ", 1).replace('type = "phone"', 'type = "telephone"', 1)
    item.write_text(text, encoding="utf-8")
    found = problems_of(broken_catalog)
    assert any("orphan-support.toml: names.ko: 缺少此项（必填） | Field required" in p for p in found), found
    assert any("orphan-support.toml" in p and "type: 不能写 \"telephone\"；可选：text, number, phone" in p
               and '"telephone" is not allowed here; choose one of: text, number, phone' in p for p in found), found


def test_cli_list_show_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main(["catalog", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 14 and {"id", "code", "name", "kiosk_action"} <= set(listed[0])
    assert kiosk_main(["catalog", "show", "disability-subsidies", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["names"]["zh"] == "困难残疾人生活补贴和重度残疾人护理补贴资格认定"
    assert kiosk_main(["catalog", "show", "JL-MZ-L04"]) == 0
    assert "结婚" in capsys.readouterr().out
    assert kiosk_main(["catalog", "show", "nothing"]) == 2
    assert "no item 'nothing'" in capsys.readouterr().err
    assert kiosk_main(["catalog", "check"]) == 0
    assert "catalog OK: 14 items (5 lead, 8 cooperate, 1 special), 17 tasks" in capsys.readouterr().out
