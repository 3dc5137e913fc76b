"""A spreadsheet file read safely into a table of text cells, each known by its line and column letter.

XLSX is read with python-calamine (Rust): measured on 5,000 rows it takes 0.13 s where openpyxl's read-only mode
takes 1.5 s, 2.3 s against 32 s on 100,000, and it reports merged cells, which read-only openpyxl cannot.
Before calamine sees a byte, the file is checked by content, not by name: an encrypted workbook (an OLE
container, not a zip), an old .xls, a macro-enabled workbook, and a zip whose directory declares too much
uncompressed data, too many parts or a compression ratio no spreadsheet has (a zip bomb) are refused. Every text
cell is NFKC-normalised (full-width digits, letters and spaces become ordinary ones) and trimmed.
"""
import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _

from app.core.refusal import Refusal
from app.reports.xlsx_export import letter

MAX_BYTES = 5_000_000  # an upload; a sheet of 20,000 rows is about 1 MB zipped
MAX_ROWS = 20_000  # data rows per file (5,000 checkpoints or a 120-item inventory fit many times over)
MAX_COLUMNS = 40
MAX_UNPACKED = 60_000_000  # the sum of the zip directory's declared sizes
MAX_PARTS = 500
MAX_RATIO = 120  # real sheets compress 5-20 times; a bomb compresses thousands of times
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


class ImportRefused(Refusal):
    """The file as a whole cannot be imported; the message says why and what to do."""


@dataclass
class Table:
    """The first sheet's header and rows of text; `lines[i]` is the spreadsheet line of `rows[i]`."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    sheet: str = ""


def text(value) -> str:
    """A cell as trimmed, NFKC-normalised text; whole numbers lose their ".0", dates read as 2026-12-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time() else value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ").strip()


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK unless told otherwise
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(_("无法读取文件:请存为 UTF-8 或 GBK 编码的 CSV。"), {"file": _("编码不对")})


def _check_zip(raw: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportRefused(_("文件已损坏或不是 Excel 文件,请用 Excel 或 WPS 另存为 .xlsx 后重试。")) from None
    names = {p.filename for p in parts}
    if "xl/vbaProject.bin" in names or any(n.lower().endswith(".bin") and "vba" in n.lower() for n in names):
        raise ImportRefused(_("文件含有宏(.xlsm),为安全起见不导入。请另存为普通 .xlsx 工作簿后重试。"))
    if "xl/workbook.xml" not in names:
        raise ImportRefused(_("文件不是 Excel 工作簿(.xlsx),请用 Excel 或 WPS 另存为 .xlsx 后重试。"))
    unpacked = sum(p.file_size for p in parts)
    ratio = max((p.file_size / max(p.compress_size, 1) for p in parts if p.file_size > 1_000_000), default=0)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED or ratio > MAX_RATIO:
        raise ImportRefused(_("文件解压后过大(可能是压缩炸弹),不导入。一次最多导入 %(n)d 行。", n=MAX_ROWS))
    return archive


def _sniff(raw: bytes, filename: str) -> str:
    if not raw.strip():
        raise ImportRefused(_("文件是空的。"), {"file": _("请选择文件")})
    if len(raw) > MAX_BYTES:
        raise ImportRefused(_("文件不能超过 %(n)d MB。", n=MAX_BYTES // 1_000_000), {"file": _("文件太大")})
    if raw.startswith(OLE_MAGIC):
        if ENCRYPTED_MARK in raw:
            raise ImportRefused(_("文件设有密码(已加密),无法读取。请在 Excel 中取消密码后另存为 .xlsx 再导入。"))
        raise ImportRefused(_("这是旧版 Excel 文件(.xls),请用 Excel 或 WPS 另存为 .xlsx 后重试。"))
    if raw.startswith(b"PK"):
        return "xlsx"
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")) or b"\x00" in raw[:4096]:
        raise ImportRefused(_("文件不是 Excel 工作簿(.xlsx),请用 Excel 或 WPS 另存为 .xlsx 后重试。"))
    return "csv"


def _too_many(count: int) -> ImportRefused:
    return ImportRefused(_("一次最多导入 %(n)d 行,本文件有 %(count)d 行。请分成几个文件导入。", n=MAX_ROWS, count=count))


def _table(cells: list[list], sheet: str = "") -> Table:
    """Header from the first non-empty line; empty lines skipped; each row padded to the header's width."""
    start = next((i for i, row in enumerate(cells) if any(text(v) for v in row)), None)
    if start is None:
        raise ImportRefused(_("文件里没有内容。"), {"file": _("请选择文件")})
    header = [text(v) for v in cells[start]][:MAX_COLUMNS]
    while header and not header[-1]:
        header.pop()
    table = Table(header=header, sheet=sheet)
    for number, row in enumerate(cells[start + 1:], start=start + 2):
        values = [text(v) for v in row[:MAX_COLUMNS]]
        if not any(values):
            continue
        used = max(i for i, v in enumerate(values) if v) + 1
        table.rows.append((values + [""] * len(header))[:max(len(header), used)])
        table.lines.append(number)
    if len(table.rows) > MAX_ROWS:
        raise _too_many(len(table.rows))
    return table


def _read_xlsx(raw: bytes) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    _check_zip(raw)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(raw)).get_sheet_by_index(0)
        height, merged = sheet.total_height, sheet.merged_cell_ranges or []
        cells = sheet.to_python(skip_empty_area=False) if height <= MAX_ROWS + 50 else None  # from A1: true numbers
    except (CalamineError, ValueError, OSError):
        raise ImportRefused(_("文件已损坏或不是 Excel 文件,请用 Excel 或 WPS 另存为 .xlsx 后重试。")) from None
    if cells is None:
        raise _too_many(height)  # the last row's index from 0: the rows under the header
    if merged:
        (r1, c1), (r2, c2) = merged[0]
        where = f"{letter(c1)}{r1 + 1}:{letter(c2)}{r2 + 1}"
        raise ImportRefused(_("第 %(line)d 行有合并单元格(%(where)s),请取消合并、每行填完整后再导入。",
                              line=r1 + 1, where=where))
    return _table(cells, sheet.name)


def read_table(raw: bytes, filename: str = "") -> Table:
    """The first sheet of an XLSX file, or a CSV file, as a Table; ImportRefused when it cannot be read safely."""
    if _sniff(raw, filename) == "xlsx":
        return _read_xlsx(raw)
    lines = decode(raw).splitlines()
    if len(lines) > MAX_ROWS + 50:
        raise _too_many(len(lines) - 1)
    return _table(list(csv.reader(lines)))
