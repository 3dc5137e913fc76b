"""XLSX exports for Excel and WPS: typed cells, a frozen and filtered header row, one sheet per table, streamed.

A sheet is a title, a header and rows (any iterable, a generator included). Each value is written by its type:
numbers stay numbers (so a manager's sort sorts them as numbers), a timestamp becomes an Excel date-time on the
company's wall clock with no zone in the cell (Excel has none), dates and clock times keep their own formats, user
text that Excel would run as a formula is neutralised exactly as the CSV helper does. XlsxWriter's
constant_memory mode writes row by row to a temporary file, so 50,000 tickets take as little memory as 50; the
response streams that file and it is gone once sent.
"""
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import xlsxwriter
from flask import Response, send_file

from app.core.db import zone
from app.reports.csv_export import Shown
from app.reports.csv_export import cell as neutral

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {datetime: "yyyy-mm-dd hh:mm", date: "yyyy-mm-dd", time: "hh:mm"}
MEASURED_ROWS = 200  # widths are taken from the header and the first rows: measuring 50,000 would cost seconds
MIN_WIDTH, MAX_WIDTH = 6, 50
NOT_IN_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass
class Column:
    """A header cell with an Excel number format for its column ("0.0%", "0.00")."""

    label: str
    format: str


@dataclass
class Sheet:
    title: str
    header: Sequence[str | Column]
    rows: Iterable[Sequence]


def width(value) -> int:
    """How many columns of a Latin font the value takes: CJK and full-width characters count double."""
    if isinstance(value, Shown):
        return width(value.text)
    if isinstance(value, datetime):
        return 16
    if isinstance(value, (date, time)):
        return 10
    text = value if isinstance(value, str) else str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _title(title: str, taken: set) -> str:
    """A legal, unique sheet name: at most 31 characters, none of []:*?/\\."""
    name = (str(title).translate(NOT_IN_TITLES).strip("' ") or "Sheet")[:31]
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


class _Writer:
    """Writes one workbook; keeps the cell formats it made so each is made once."""

    def __init__(self, target, tz: ZoneInfo):
        self.book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                                 "strings_to_formulas": False, "strings_to_urls": False})
        self.tz = tz
        self.formats = {}
        self.bold = self.book.add_format({"bold": True, "bg_color": "#EEF2F6", "bottom": 1})
        self.taken = set()

    def format(self, number_format: str):
        if number_format not in self.formats:
            self.formats[number_format] = self.book.add_format({"num_format": number_format})
        return self.formats[number_format]

    def sheet(self, sheet: Sheet) -> None:
        ws = self.book.add_worksheet(_title(sheet.title, self.taken))
        labels = [c.label if isinstance(c, Column) else str(c) for c in sheet.header]
        column_formats = {i: self.format(c.format) for i, c in enumerate(sheet.header) if isinstance(c, Column)}
        widths = [width(label) + 2 for label in labels]  # room for the filter's drop-down button
        for col, label in enumerate(labels):
            ws.write_string(0, col, label, self.bold)
        last = 0
        for row, values in enumerate(sheet.rows, start=1):
            for col, value in enumerate(values):
                self.write(ws, row, col, value, column_formats.get(col))
            if row <= MEASURED_ROWS:
                for col, value in enumerate(values):
                    if value is not None and col < len(widths):
                        widths[col] = max(widths[col], width(value))
            last = row
        for col, w in enumerate(widths):
            ws.set_column(col, col, min(max(w + 1, MIN_WIDTH), MAX_WIDTH))
        ws.freeze_panes(1, 0)
        if labels:
            ws.autofilter(0, 0, last, len(labels) - 1)

    def write(self, ws, row: int, col: int, value, number_format=None) -> None:
        if isinstance(value, Shown):
            value, number_format = value.value, self.format(value.format) if value.format else number_format
        if value is None or value == "":
            return  # constant_memory leaves an unwritten cell empty
        if isinstance(value, str):
            ws.write_string(row, col, neutral(value))
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value)
        elif isinstance(value, (int, float, Decimal)):
            ws.write_number(row, col, float(value) if isinstance(value, Decimal) else value, number_format)
        elif isinstance(value, datetime):
            moment = value.astimezone(self.tz).replace(tzinfo=None) if value.tzinfo else value
            ws.write_datetime(row, col, moment, number_format or self.format(FORMATS[datetime]))
        elif isinstance(value, (date, time)):
            ws.write_datetime(row, col, value, number_format or self.format(FORMATS[type(value)]))
        else:
            ws.write_string(row, col, neutral(str(value)))

    def close(self) -> None:
        self.book.close()


def write_xlsx(sheets: Iterable[Sheet], target, tz: ZoneInfo) -> None:
    """Write the sheets as a workbook into `target` (a path or a binary file), times on the wall clock of `tz`."""
    writer = _Writer(target, tz)
    for sheet in sheets:
        writer.sheet(sheet)
    if not writer.taken:  # a workbook needs a sheet; an export of nothing is an empty one, not a broken file
        writer.sheet(Sheet("Sheet", [], []))
    writer.close()


def xlsx_response(sheets: Iterable[Sheet], filename: str, tz: ZoneInfo | None = None) -> Response:
    """The sheets as an XLSX download named `filename`, streamed from a temporary file removed once sent."""
    out = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        write_xlsx(sheets, out, tz or zone())
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return send_file(out, mimetype=MIMETYPE, as_attachment=True, download_name=filename, etag=False,
                     conditional=False, max_age=0)
