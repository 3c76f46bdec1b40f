"""How wide and tall the workbook's cells are: column widths from their longest text, row heights for wrapped
text, and each value as a cell holds it (`plain`). No openpyxl here: the sizes are computed before a sheet is
written, streamed or not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import Enum

from reports.sheets import CellValue, Row
from reports.text import clean_text

MAX_WIDTH = 60
MIN_WIDTH = 6
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
LINE_POINTS = 15.0  # the height of one line of text at the default font (11 pt)
CHARS_PER_WIDTH = 1.1  # characters of body text per unit of column width (the unit is one "0")
MAX_ROW_POINTS = 409.0  # Excel's tallest row


def plain(value: CellValue | Enum) -> CellValue:
    """`value` as a cell holds it: an Enum's value, text cleaned for XML and cut to Excel's limit, numbers as they
    are, anything else as its cleaned text."""
    raw = value.value if isinstance(value, Enum) else value
    if isinstance(raw, str):
        return clean_text(raw, MAX_CELL_CHARS)
    if raw is None or isinstance(raw, int | float):  # bool is an int
        return raw
    return clean_text(str(raw), MAX_CELL_CHARS)


def column_widths(
    rows: Iterable[Row], overrides: Mapping[int, float] | None = None, cleaned: bool = False
) -> list[float]:
    """The width of each column: its longest text, capped at MAX_WIDTH, or the override. `cleaned`: the values
    are `plain` already."""
    widths: list[float] = []
    for index, values in enumerate(rows):
        pad = 4 if index == 0 else 2
        for column, value in enumerate(values):
            if column == len(widths):
                widths.append(MIN_WIDTH)
            text = "" if value is None else str(value if cleaned else plain(value))
            widths[column] = max(widths[column], min(MAX_WIDTH, text_width(text) + pad))
    for column, width in (overrides or {}).items():
        widths[column] = width
    return widths


def wrapped_height(row: Row, wrap_columns: Iterable[int], widths: Sequence[float]) -> float | None:
    """The height a row needs for its wrapped cells, in points; None when every cell fits on one line."""
    lines = 1
    for column in wrap_columns:
        value = row[column]
        if isinstance(value, str) and text_width(value) > widths[column]:
            lines = max(lines, _lines(value, widths[column]))
    return None if lines == 1 else min(MAX_ROW_POINTS, lines * LINE_POINTS)


def row_height(text: str, width: float) -> float:
    """The height, in points, of a row whose cell of `width` characters wraps `text`.

    >>> row_height("a" * 25, 10), row_height("short", 10)
    (45.0, 15.0)
    """
    return min(MAX_ROW_POINTS, _lines(text, width) * LINE_POINTS)


def _lines(text: str, width: float) -> int:
    """Lines `text` takes wrapped in `width` characters (a width unit is about one character of body text)."""
    usable = max(1, int(width * CHARS_PER_WIDTH) - 1)
    return sum(max(1, -(-len(line) // usable)) for line in text.splitlines() or [""])


def text_width(text: str) -> int:
    """The length of `text`'s longest line."""
    if text.isprintable():  # no line break of any kind (each is unprintable): one line, most cells
        return len(text)
    return max((len(line) for line in text.splitlines()), default=0)
