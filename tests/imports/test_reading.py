"""Reading a spreadsheet safely: by content, not by name; bombs, passwords and macros refused before reading."""
import time
import tracemalloc

import pytest

from app.imports.base import Cells, Column
from app.imports.reading import MAX_ROWS, ImportRefused, read_table
from tests.imports import helpers


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("raw, message", [
    (helpers.encrypted(), "文件设有密码(已加密)"),
    (helpers.old_xls(), "旧版 Excel 文件(.xls)"),
    (helpers.macro_enabled([["区域", "巡更点"], ["a", "b"]]), "文件含有宏(.xlsm)"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "不是 Excel 工作簿"),
    (b"PK\x03\x04 broken", "文件已损坏或不是 Excel 文件"),
    (b"", "文件是空的"),
])
def test_a_file_that_is_not_a_plain_workbook_is_refused_by_its_content(raw, message):
    with pytest.raises(ImportRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(raw, "points.xlsx")


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked():
    bomb = helpers.zip_bomb(80)
    assert len(bomb) < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        read_table(bomb, "bomb.xlsx")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.perf_counter() - started < 0.5 and peak < 5_000_000


def test_merged_cells_are_refused_with_where_they_are():
    raw = helpers.xlsx([["区域", "巡更点"], ["大厅", "正门"], ["大厅", "侧门"]], merge="A3:B3")
    with pytest.raises(ImportRefused, match=r"第 3 行有合并单元格\(A3:B3\)"):
        read_table(raw)


def test_cells_are_normalised_and_empty_rows_skipped_keeping_line_numbers():
    table = read_table(helpers.xlsx([[], ["区域", "数量", ""], ["　大厅　", "１２", None], [None], [" ", ""],
                                     ["车场", 3.0, "多余"]]))
    assert table.header == ["区域", "数量"]
    assert table.rows == [["大厅", "12"], ["车场", "3", "多余"]] and table.lines == [3, 6]


def test_a_gbk_csv_is_read_like_a_workbook():
    table = read_table("区域,巡更点\n大厅,正门\n".encode("gb18030"), "points.csv")
    assert (table.header, table.rows, table.lines) == (["区域", "巡更点"], [["大厅", "正门"]], [2])


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_100000_rows_are_refused_with_the_limit_bounded_in_time(kind):
    rows = helpers.checkpoints(100_000)
    raw = helpers.xlsx(rows) if kind == "xlsx" else "\n".join(",".join(map(str, r)) for r in rows).encode()
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match=f"一次最多导入 {MAX_ROWS} 行,本文件有 100000 行"):
        read_table(raw, f"big.{kind}")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("typed", ["2026-12-01", "2026/12/1", "2026年12月1日", "2026.12.01", "2026-12-01 00:00"])
def test_a_date_typed_as_text_is_read_as_a_date(typed):
    from datetime import date

    cells = Cells([typed], 4, {"day": 0}, (Column("day", "日期", ""),))
    assert cells.day("day") == date(2026, 12, 1)


def test_a_date_that_is_not_one_is_named_by_cell():
    from app.imports.base import CellError

    cells = Cells(["明天"], 4, {"day": 1}, (Column("day", "日期", ""),))
    cells.row = ["", "明天"]
    with pytest.raises(CellError, match="第 4 行 B 列:日期须为日期,如 2026-12-01"):
        cells.day("day")
