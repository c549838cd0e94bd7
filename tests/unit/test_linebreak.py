"""Line breaks in Chinese text (kiosk.core.linebreak) and their place in a label's markup (screens.text_breaks)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.linebreak import bad_break, breaks_to_move, is_lone_marker, lone_markers, wrap_starts
from screens.text_breaks import plain_of_markup, rebroken

TEXT = "无法在终端办结。请到窗口办理（或预约）。"


def greedy_lines(text: str, width: int) -> list[str]:
    """How Kivy wraps a run of Chinese: as many characters as fit, then the next line."""
    lines = []
    for paragraph in text.split("\n"):
        lines += [paragraph[i:i + width] for i in range(0, len(paragraph), width)] or [""]
    return lines


def test_punctuation_rules() -> None:
    assert bad_break("办结", "。请")  # closing punctuation may not start a line
    assert bad_break("窗口办理（", "或预约")  # opening punctuation may not end one
    assert not bad_break("办结。", "请到")
    assert not bad_break("", "")


def test_a_wrap_before_a_full_stop_moves_a_character_earlier() -> None:
    lines = greedy_lines(TEXT, 7)  # 无法在终端办结 / 。请到窗口办理 / ...
    assert lines[1].startswith("。")
    assert breaks_to_move(TEXT, lines) == [6]
    fixed = rebroken(TEXT, False, lines)
    assert fixed == "无法在终端办\n结。请到窗口办理（或预约）。"
    assert fixed.replace("\n", "") == TEXT  # nothing but the break changes


def test_an_opening_bracket_at_the_end_of_a_line_moves_down() -> None:
    lines = greedy_lines(TEXT, 15)  # 无法在终端办结。请到窗口办理（ / 或预约）。
    assert lines[0].endswith("（")
    assert rebroken(TEXT, False, lines) == "无法在终端办结。请到窗口办理\n（或预约）。"


def test_breaks_of_the_text_itself_are_not_wraps() -> None:
    text = "第一行\n。第二行"  # odd, but the author's own newline: not ours to move
    assert wrap_starts(text, ["第一行", "。第二行"]) == []
    assert rebroken(text, False, ["第一行", "。第二行"]) is None


def test_lines_that_are_not_in_the_text_change_nothing() -> None:
    assert rebroken(TEXT, False, ["无法在终端…", "。"]) is None  # a shortened label, say


def test_markup_keeps_its_tags_and_entities() -> None:
    markup = "[b]材料[/b]：身份证&bl;原件&br;。[size=20]必需[/size]"
    plain, origin = plain_of_markup(markup)
    assert plain == "材料：身份证[原件]。必需"
    assert all(markup[origin[i]] == ch or markup.startswith("&", origin[i]) for i, ch in enumerate(plain))
    lines = ["材料：身份证[原件]", "。必需"]
    fixed = rebroken(markup, True, lines)
    assert fixed == "[b]材料[/b]：身份证&bl;原件\n&br;。[size=20]必需[/size]"


def test_a_marker_never_stands_alone() -> None:
    lines = ["2.", "申请：在任一乡镇/街道两项补贴受理窗口", "提出申请", "• ", "低保证或低收入认定材料"]
    assert lone_markers(lines) == [0, 3]
    assert all(is_lone_marker(m) for m in ("•", "□", "3.", "12、", "（2）", "②", " 2. "))
    assert not any(is_lone_marker(t) for t in ("2. 申请", "•\u00a0材料", "2026.", "", "Step"))
    assert lone_markers(["2. 申请：在任一乡镇", "窗口提出申请"]) == []
    assert lone_markers(["•"]) == []  # nothing follows: a marker of an empty item, not a broken one


def test_a_line_never_ends_on_the_separator() -> None:
    """As the guide broke in its references before: "必需 ·" with "原件" on the next line."""
    text = "•\u00a0有效的《中华人民共和国残疾人证》（第二代或第三代智能化证）  必需 · 原件"
    lines = ["•\u00a0有效的《中华人民共和国残疾人证》（第二代或第三代", "智能化证）  必需 ·", "原件"]
    fixed = rebroken(text, False, lines)
    assert fixed is not None and fixed.endswith("必需 \n· 原件")  # the separator goes down with what it introduces
    step = "   残疾人本人或代办人 · 受理地乡镇人民政府/街道办事处"
    assert breaks_to_move(step, ["   残疾人本人或代办人 ·", "受理地乡镇人民政府/街道办事处"]) == [step.index("·")]
    leading = ["   残疾人本人或代办人", "· 受理地乡镇人民政府/街道办事处"]
    assert breaks_to_move(step, leading) == []  # a separator may lead the line it goes down to
    assert breaks_to_move("让·雅克 · 卢梭", ["让·雅克 · 卢梭"]) == []  # not wrapped: nothing to move


def test_a_paragraph_never_ends_with_one_character_alone() -> None:
    """As step 2 of the guide broke: "…推送至户籍" with "地" alone under it."""
    text = "2.\u00a0一次性告知所需材料，录入全国残疾人两项补贴信息系统并推送至户籍地\n   受理地乡镇/街道工作人员"
    lines = ["2.\u00a0一次性告知所需材料，录入全国残疾人两项补贴信息系统并推送至户籍", "地",
             "   受理地乡镇/街道工作人员"]
    assert rebroken(text, False, lines) == text.replace("户籍地", "户\n籍地")
    assert breaks_to_move("推送至户籍地。", ["推送至户籍地", "。"]) == [5]  # with what follows it, as before
    assert breaks_to_move("推送至户籍地 办理", ["推送至户籍地", "办理"]) == []  # two characters: fine
    assert breaks_to_move("Step two a", ["Step two", "a"]) == []  # a word after a space is not split off


@given(st.text(alphabet="办结请到窗口，。、（）《》“”理a ·", min_size=1, max_size=60), st.integers(2, 12))
def test_moved_breaks_only_add_newlines_and_leave_no_forbidden_wrap_they_could_move(text: str, width: int) -> None:
    """Punctuation, separators and a paragraph's last character alike: moving breaks settles, text unchanged."""
    fixed = text
    for _ in range(len(text)):
        changed = rebroken(fixed, False, greedy_lines(fixed, width))
        if changed is None:
            break
        assert changed.replace("\n", "") == fixed.replace("\n", "")
        fixed = changed
    assert breaks_to_move(fixed, greedy_lines(fixed, width)) == []
