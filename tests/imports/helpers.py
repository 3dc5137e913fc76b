"""Spreadsheet files for the importer tests: good ones built with XlsxWriter, and the bad ones people send."""
import io
import zipfile

import xlsxwriter

from app.imports.reading import ENCRYPTED_MARK, OLE_MAGIC

CHECKPOINT_HEADER = ["区域", "巡更点", "备注", "纬度", "经度", "路线", "检查表"]
INVENTORY_HEADER = ["类别", "物品", "数量", "备注"]
SCORE_HEADER = ["分区", "类别", "检查项目", "分值", "每次扣分", "类别上限", "一票否决", "须拍照", "须报修", "上次问题", "说明", "编号"]


def xlsx(rows: list[list], sheet: str = "Sheet1", merge: str | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` from A1 (None leaves a cell empty)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    if merge:
        ws.merge_range(merge, "合并的")
    book.close()
    return out.getvalue()


def checkpoints(count: int, area_count: int = 5, route: str = "", template: str = "") -> list[list]:
    return [CHECKPOINT_HEADER] + [[f"区域{n % area_count}", f"巡更点{n}", "", None, None, route, template]
                                  for n in range(1, count + 1)]


def encrypted() -> bytes:
    """What Excel writes for a workbook with a password: an OLE container holding EncryptionInfo."""
    return OLE_MAGIC + b"\x00" * 504 + ENCRYPTED_MARK + b"\x00" * 2000


def old_xls() -> bytes:
    return OLE_MAGIC + b"\x00" * 4000


def macro_enabled(rows: list[list]) -> bytes:
    """A good workbook with a VBA project added, as an .xlsm has."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"\x00VBA" * 100)
    return out.getvalue()


def zip_bomb(megabytes: int = 80) -> bytes:
    """A small file named like a workbook whose sheet unpacks to `megabytes` of nothing."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (megabytes * 1_000_000))
    return out.getvalue()
