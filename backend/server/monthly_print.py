"""The print view of the monthly 汇总表: one HTML page laid out for A4 landscape (`@page`), the table with its
header repeated on every page, then the breakdown by site. Opened in a browser and printed, or saved by
`kiosk report monthly --out FILE.html`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kiosk.core.report import (
    COUNTED_ELSEWHERE,
    HEADER_GROUPS,
    HEADERS,
    RATING_HEADERS,
    RATINGS_TITLE,
    SITE_HEADERS,
    Cell,
    SummaryTable,
)
from kiosk.storage.report_file import SIGNATURES, footer_line, header_lines

TEMPLATES = Path(__file__).resolve().parent / "report_templates"
TEXT_HEADERS = ("任务名称", "工作进展", "存在问题", "下步措施")
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                           trim_blocks=True, lstrip_blocks=True)


STYLESHEET = TEMPLATES / "monthly_summary.css"


def print_view(table: SummaryTable, stylesheet: str = "") -> str:
    """The page, its styles inlined so a saved file stands alone, or linked from `stylesheet` (the console's
    Content-Security-Policy refuses inline styles)."""
    unit, period = header_lines(table)
    return _environment.get_template("monthly_summary.html").render(
        table=table, unit_line=unit, period_line=period, footer=footer_line(table), signatures=SIGNATURES,
        header_top=_header_top(), header_bottom=_header_bottom(), site_headers=SITE_HEADERS,
        rating_headers=RATING_HEADERS, ratings_title=RATINGS_TITLE,
        column_count=len(HEADERS), stylesheet=stylesheet,
        css="" if stylesheet else STYLESHEET.read_text(encoding="utf-8"),
        rows=[_spanned(row) for row in table.rows])


def write_print_view(table: SummaryTable, out: Path) -> Path:
    out.write_text(print_view(table), encoding="utf-8")
    return out


def _header_top() -> list[tuple[str, int, int]]:
    """(label, columns, rows): a group's label over its columns, or a column's own label down both rows."""
    top: list[tuple[str, int, int]] = []
    column = 0
    for label, span in HEADER_GROUPS:
        top += [(label, span, 1)] if label else [(h, 1, 2) for h in HEADERS[column:column + span]]
        column += span
    return top


def _header_bottom() -> list[str]:
    bottom: list[str] = []
    column = 0
    for label, span in HEADER_GROUPS:
        if label:
            bottom += HEADERS[column:column + span]
        column += span
    return bottom


def _spanned(row: Sequence[Cell]) -> list[tuple[Cell, str, int]]:
    """(cell, class, columns): the counts a task leaves to another task's row as one cell across them."""
    out: list[tuple[Cell, str, int]] = []
    for n, cell in enumerate(row):
        if out and isinstance(cell, str) and cell.startswith(COUNTED_ELSEWHERE) and out[-1][0] == cell:
            out[-1] = (cell, "c", out[-1][2] + 1)
        else:
            out.append((cell, _kind(n, cell), 1))
    return out


def _kind(column: int, cell: Cell) -> str:
    if isinstance(cell, int) and column > 0:
        return "n"
    return "t" if HEADERS[column] in TEXT_HEADERS else "c"
