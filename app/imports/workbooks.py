"""The template workbooks (header, one example row, a notes sheet in Chinese) and the round-trip exports (the same
layout filled with a project's records), written with XlsxWriter. Small on purpose: it can join the XLSX export
helpers (app/reports/xlsx_export.py) later. Text is always written as text, so nothing typed becomes a formula."""
import io

import xlsxwriter
from flask_babel import gettext as _

from app.imports.base import Kind
from app.imports.reading import MAX_ROWS


def _sheet_name(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip("'")[:31] or "Sheet1"


def _sheet(book, kind: Kind, rows: list[list], title: str):
    formats = {"head": book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1}),
               "must": book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1, "font_color": "#B00020"})}
    sheet = book.add_worksheet(_sheet_name(title))
    for col, column in enumerate(kind.columns):
        sheet.write_string(0, col, column.header, formats["must" if column.required else "head"])
        sheet.set_column(col, col, column.width)
    for line, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(line, col, value)
            else:
                sheet.write_string(line, col, str(value))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(kind.columns) - 1)
    return sheet


def _notes(book, kind: Kind) -> None:
    notes = book.add_worksheet(_("说明"))
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for col, (title, width) in enumerate(((_("列"), 6), (_("列名"), 12), (_("必填"), 6), (_("说明"), 60),
                                          (_("示例"), 24))):
        notes.write_string(0, col, title, bold)
        notes.set_column(col, col, width)
    for line, column in enumerate(kind.columns, start=1):
        letter = chr(64 + line) if line <= 26 else str(line)
        for col, value in enumerate((letter, column.header, _("是") if column.required else "", str(column.note),
                                     str(column.example))):
            notes.write_string(line, col, value, wrap)
    general = (_("第 1 行是表头,请不要改动;从第 2 行起每行一条,示例行可改写或删除。"),
               _("红色的列必须填写,其余可空;多出的列会被忽略。不要合并单元格。"),
               _("一次最多 %(n)d 行;导入前会先显示每一行将新建、更新还是有问题,确认后才全部导入(有任何一行有问题则都不导入)。",
                 n=MAX_ROWS),
               _("用 Excel 或 WPS 保存为 .xlsx(不要设密码、不要启用宏),也可保存为 CSV。"))
    for offset, text in enumerate(general, start=len(kind.columns) + 3):
        notes.write_string(offset, 0, text)


def workbook(kind: Kind, rows: list[list] | None = None, title: str = "") -> bytes:
    """The kind's template (its example row) or, with `rows`, its records in the same layout; the sheet is named
    `title` where the importer reads its name from there (a score sheet), else after the kind."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    example = [[str(c.example) for c in kind.columns]]
    _sheet(book, kind, example if rows is None else rows, title if kind.titled and title else kind.sheet)
    _notes(book, kind)
    book.close()
    return out.getvalue()
