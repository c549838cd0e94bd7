"""What each slip says, printer-neutral: receipts, guides, appointment slips, readiness reports, test pages."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.core.catalog import Catalog
from kiosk.core.health import Component, Health, Reason
from kiosk.core.session.commands import SlipRequest
from kiosk.core.settings import KioskSettings
from kiosk.core.slip_layouts import SlipComposer, printer_test_slip, progress_url, readiness_slip, time_limit_text
from kiosk.core.slips import Cut, Qr, Slip, SlipKind, SlipOrigin, Text
from kiosk.storage.config import load_config
from kiosk.storage.working_days import library_calendar
from tests.conftest import CONFIG_DIR

WHEN = datetime(2024, 5, 20, 10, 32)


@pytest.fixture(scope="module")
def settings() -> KioskSettings:
    return load_config(CONFIG_DIR / "kiosk.toml").settings


@pytest.fixture
def compose(settings: KioskSettings, catalog: Catalog) -> SlipComposer:
    return SlipComposer(settings, catalog, lambda: WHEN, library_calendar())


def text_of(slip: Slip) -> str:
    return "\n".join(b.text for b in slip.blocks if isinstance(b, Text))


def qrs(slip: Slip) -> list[str]:
    return [b.payload for b in slip.blocks if isinstance(b, Qr)]


def receipt_request(**fields: object) -> SlipRequest:
    values: dict[str, object] = {"application_number": "JL-1", "masked_names": ("李*䶮",),
                                 "masked_id_numbers": ("222***********2136",)}
    values.update(fields)
    return SlipRequest(SlipKind.RECEIPT, "disability-subsidies", **values)  # type: ignore[arg-type]


def test_receipt(compose: SlipComposer, settings: KioskSettings) -> None:
    slip = compose(receipt_request())
    text = text_of(slip)
    for expected in ("办件回执", settings.site.name, settings.kiosk_id,
                     "困难残疾人生活补贴和重度残疾人护理补贴资格认定", "JL-1", "受理时间：2024-05-20 10:32",
                     "申请人：李*䶮", "证件号码：222***********2136",
                     "还需提供的材料", "□ 居民户口簿", "必需；原件，到窗口核验", "携带至受理窗口", "邮寄至",
                     settings.site.address, "后续步骤及时限", "3个工作日，自材料收齐之日起",
                     "办理时限：16个工作日", "咨询电话：0431-12345", "请取走您的身份证和凭条"):
        assert expected in text, expected
    assert qrs(slip) == [progress_url("JL-1")]
    assert isinstance(slip.blocks[-1], Cut)
    assert slip.origin == SlipOrigin("disability-subsidies", "zh", "JL-1", "", False)


def test_a_receipts_number_is_printed_large_in_its_groups_on_two_lines(compose: SlipComposer) -> None:
    number = "2201022024052000000001233"
    for slip in (compose(receipt_request(application_number=number, query_code="48153926")),
                 compose.reprint(SlipOrigin("disability-subsidies", "zh", number))):
        large = [b.text for b in slip.blocks if isinstance(b, Text) and b.double]
        assert large[-2:] == ["220102 20240520", "00000 001233"]  # read as the screen and the hotline group it
    assert [q.split(":")[2] for q in qrs(slip)] == [number]  # the QR keeps it whole


def test_receipt_shows_the_query_code_but_a_reprint_never_does(compose: SlipComposer) -> None:
    slip = compose(receipt_request(query_code="40721935"))
    assert "查询码：4072 1935" in text_of(slip)  # grouped as the keypad shows it
    assert [q.endswith(":40721935") for q in qrs(slip)] == [True], "the QR opens the case at any kiosk's scanner"
    assert "40721935" not in repr(slip.origin)  # the origin is what the print journal keeps for a reprint
    reprint = compose.reprint(slip.origin) if slip.origin is not None else None
    assert reprint is not None and "40721935" not in text_of(reprint) + "".join(qrs(reprint))
    assert "查询码" not in text_of(compose(receipt_request()))


def test_queued_receipt_shows_the_local_reference(compose: SlipComposer) -> None:
    slip = compose(receipt_request(application_number="", local_reference="JL-220102-001-ABC", queued=True))
    assert "本机受理号（待上传）" in text_of(slip) and "JL-220102-001-ABC" in text_of(slip)
    assert qrs(slip) == []


def test_a_value_handed_in_unmasked_is_masked(compose: SlipComposer) -> None:
    text = text_of(compose(receipt_request(masked_names=("李玉䶮",), masked_id_numbers=("222401198007152136",),
                                           masked_addresses=("吉林省延吉市河南街道光明社区5号",))))
    assert "李*䶮" in text and "李玉䶮" not in text
    assert "222***********2136" in text and "222401198007152136" not in text
    assert "光明社区" not in text


def test_korean_receipt_keeps_the_chinese_names(compose: SlipComposer) -> None:
    text = text_of(compose(receipt_request(language="ko")))
    assert "办件回执" in text and "접수 영수증" in text
    assert "困难残疾人生活补贴和重度残疾人护理补贴资格认定" in text and "자격인정" in text
    assert "3근무일" in text and "문의 전화: 0431-12345" in text


def test_reprint_is_marked_and_shows_no_applicant(compose: SlipComposer) -> None:
    slip = compose.reprint(SlipOrigin("disability-subsidies", "zh", "JL-1"))
    text = text_of(slip)
    assert "办件回执【补打】" in text and "补打件不显示申请人信息" in text and "申请人：" not in text
    assert qrs(slip) == [progress_url("JL-1")] and slip.origin is not None


def test_appointment_slip(compose: SlipComposer) -> None:
    slip = compose(SlipRequest(SlipKind.APPOINTMENT, "marriage-registration", booking_number="YY-1",
                               slot_text="2024-05-27 08:30-09:00 婚姻登记处", masked_names=("张*", "朴*妍"),
                               masked_id_numbers=("220***********0035", "222***********0026")))
    text = text_of(slip)
    assert "预约凭条" in text and "YY-1" in text and "2024-05-27 08:30-09:00" in text
    assert text.count("当事人：") == 2 and "不可代办" in text and "无需提供：" in text
    assert qrs(slip) == ["JLMZ:BOOKING:YY-1"] and slip.origin is None


def test_guide_lists_every_material(compose: SlipComposer, catalog: Catalog) -> None:
    item = catalog.item("disability-subsidies")
    text = text_of(compose(SlipRequest(SlipKind.GUIDE, item.id)))
    assert all(m.name.zh in text for m in item.materials if m.required != "no")
    assert "办理步骤" in text and "收费：不收费。" in text and "本机可办理" in text and "身份证和凭条" not in text


def test_unknown_item_still_gives_a_slip(compose: SlipComposer) -> None:
    assert "事项未找到" in text_of(compose(SlipRequest(SlipKind.GUIDE, "nope")))


def test_readiness_report(settings: KioskSettings) -> None:
    ok = readiness_slip(settings, [Health.ok(Component.READER), Health.ok(Component.PRINTER)], WHEN)
    assert "可以开放服务" in text_of(ok)
    bad = readiness_slip(settings, [Health.ok(Component.READER),
                                    Health.problem(Component.PRINTER, Reason.PAPER_OUT)], WHEN)
    assert "暂不能开放服务" in text_of(bad) and "打印机：不可用 — 打印纸已用完，请工作人员处理" in text_of(bad)
    assert "未取得设备状态" in text_of(readiness_slip(settings, [], WHEN))


def test_test_page_exercises_rare_characters_korean_and_qr(settings: KioskSettings) -> None:
    slip = printer_test_slip(settings, WHEN, (("设备配置", "simulated"),))
    assert "䶮" in text_of(slip) and "길림성" in text_of(slip) and "设备配置：simulated" in text_of(slip)
    assert qrs(slip) == [f"JLMZ:TEST:{settings.kiosk_id}"]


def test_time_limits_in_three_languages(catalog: Catalog) -> None:
    limit = catalog.item("disability-subsidies").promised_time_limit
    assert [time_limit_text(limit, lang) for lang in ("zh", "ko", "en")] == [
        "16个工作日", "16근무일", "16 working days"], "certainty marks are for maintainers, never printed"
    unknown = catalog.item("spouse-hukou-transfer").promised_time_limit
    assert unknown.unit == "unknown" and unknown.note is not None
    assert [time_limit_text(unknown, lang) for lang in ("zh", "ko", "en")] == [
        unknown.note.zh, unknown.note.ko, unknown.note.en], "a limit not known says whom to ask"
