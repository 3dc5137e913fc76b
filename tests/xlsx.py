"""Open XLSX downloads with openpyxl so tests assert on typed cells, not on bytes."""
import io

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from app.reports.xlsx_export import MIMETYPE


def workbook(response):
    """The download as an openpyxl workbook, after checking it is one."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == MIMETYPE
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.get_data()))


def values(sheet) -> list[list]:
    """The sheet's cells as Python values, row by row (empty cells are None)."""
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def table(sheet) -> list[dict]:
    """The rows under the header as {header: value}, after checking the header is frozen and filtered."""
    rows = values(sheet)
    assert sheet.freeze_panes == "A2"
    assert range_boundaries(sheet.auto_filter.ref) == (1, 1, len(rows[0]), len(rows))  # the header filters every row
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def text_of(response) -> str:
    """Every cell of every sheet of a download as one text, so a check for what must not show reads the cells
    (the zip's own bytes are deflated: a secret inside them would not be found by a substring test)."""
    book = load_workbook(io.BytesIO(response.get_data()))
    return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)
