"""A write-only sheet's rows written as SheetML text: what openpyxl writes for the same cells, in less time.

openpyxl spends ~30 µs on each cell of a write-only sheet (a cell object, its style hashed, an lxml element per
tag): most of the time of a large workbook. `reports.excel.stream_sheet` decides each cell's value and style
index as before and hands them here (a 1,000-host workbook: 1.1-1.5 s of CPU before, ~0.6 s; bench/README.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from lxml import etree
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.sheets import CellValue


class SheetRows:
    """The `<sheetData>` of one write-only sheet, written from values and style indices as SheetML text.

    The cells are what openpyxl writes for the same values (`openpyxl.cell._writer`): text as an inline string
    (`t="inlineStr"`, `xml:space="preserve"` when it has outer blanks), numbers as `t="n"` in "%.16g", booleans
    as `t="b"`; a row carries its height from the sheet's row dimensions. Rows are parsed by lxml in batches of
    BATCH and written through the sheet's own streaming writer; a cell's note goes where openpyxl puts comments."""

    BATCH = 500

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self._ws = ws
        ws._get_writer()
        self._writer = ws._writer
        self._xf = self._writer.xf.send(True)
        self._sheet_data = self._xf.element("sheetData")
        self._sheet_data.__enter__()
        self._pending: list[str] = []
        self._letters: list[str] = []

    def row(self, number: int, cells: Sequence[tuple[CellValue, int] | None]) -> None:
        """Row `number`: its cells in column order, each (value, style index; 0 for none) or None (no cell)."""
        while len(self._letters) < len(cells):
            self._letters.append(get_column_letter(len(self._letters) + 1))
        dims = self._ws.row_dimensions.get(number)
        attrs = "".join(f' {k}="{v}"' for k, v in dict(dims).items() if k != "r") if dims is not None else ""
        parts = [f'<row r="{number}"{attrs}>']
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            value, style = cell
            ref = f"{self._letters[column]}{number}"
            styled = f' s="{style}"' if style else ""
            if isinstance(value, str):
                space = ' xml:space="preserve"' if value != value.strip() else ""
                parts.append(f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>')
            elif isinstance(value, bool):
                parts.append(f'<c r="{ref}"{styled} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                parts.append(f'<c r="{ref}"{styled} t="n"><v>{_number(value)}</v></c>')
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= self.BATCH:
            self._flush()

    def note(self, row: int, column: int, text: str) -> None:
        """A comment on the cell at (`row`, `column`), 1-based."""
        cell = WriteOnlyCell(self._ws)
        cell.row, cell.column = row, column
        cell.comment = Comment(text, "estate")
        self._ws._comments.append(CommentRecord.from_cell(cell))

    def close(self) -> None:
        """End `<sheetData>`; the sheet's own `close()` (at save) then writes what follows it."""
        self._flush()
        self._sheet_data.__exit__(None, None, None)
        self._writer.xf.send(None)
        self._ws._rows = _written()  # what `close()` ends instead of writing the (no) rows again

    def _flush(self) -> None:
        if self._pending:
            for element in etree.fromstring(f"<sheetData>{''.join(self._pending)}</sheetData>"):
                self._xf.write(element)
            self._pending.clear()


def _written() -> Iterator[None]:
    yield None


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _escape(text: str) -> str:
    """`text` as the content of an XML element (a CR kept: a parser would read a bare one as a line feed)."""
    return text.translate(_XML_ESCAPES)


def _number(value: int | float) -> str:
    """A number as openpyxl writes it (`safe_string`): 16 significant digits; nothing for NaN or infinity."""
    return "" if math.isnan(value) or math.isinf(value) else f"{value:.16g}"
