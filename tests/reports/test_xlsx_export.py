"""XLSX exports open in Excel and WPS with real types, the company's wall clock, and user formulas kept as text."""
import io
import zipfile
from datetime import date, datetime, time, timezone
from decimal import Decimal
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.reports.xlsx_export import Column, Sheet, width, write_xlsx, xlsx_response
from tests.xlsx import table, values, workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _book(*sheets, tz=SHANGHAI):
    out = io.BytesIO()
    write_xlsx(sheets, out, tz)
    return load_workbook(io.BytesIO(out.getvalue()))


def test_each_value_keeps_its_type_and_times_are_on_the_companys_wall_clock():
    moment = datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc)  # 00:30 on 1 April in Shanghai
    rows = [[7, 2.5, Decimal("1.25"), True, moment, date(2026, 4, 1), time(8, 0), "江城壹号", None, ""]]
    sheet = _book(Sheet("工单", ["数量", "小时", "扣分", "紧急", "登记时间", "日期", "时刻", "项目", "空", "空白"], rows))["工单"]
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.value for c in cells[:4]] == [7, 2.5, 1.25, True]
    assert [c.data_type for c in cells[:4]] == ["n", "n", "n", "b"]
    assert cells[4].value == datetime(2026, 4, 1, 0, 30) and cells[4].value.tzinfo is None
    assert cells[4].is_date and cells[4].number_format == "yyyy-mm-dd hh:mm"
    assert cells[5].value == datetime(2026, 4, 1) and cells[5].number_format == "yyyy-mm-dd"
    assert cells[6].value == time(8, 0) and cells[6].number_format == "hh:mm"
    assert cells[7].value == "江城壹号" and cells[7].data_type == "s"
    assert cells[8].value is None and cells[9].value is None


def test_the_time_zone_is_the_configured_one_not_the_servers():
    moment = datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc)
    sheet = _book(Sheet("t", ["时间"], [[moment]]), tz=ZoneInfo("Europe/London")).active
    assert sheet["A2"].value == datetime(2026, 3, 31, 17, 30)  # British summer time


def test_user_text_that_excel_would_run_stays_text_as_in_the_csv():
    typed = ['=HYPERLINK("http://evil","点我")', "@SUM(A1)", "+86 138", "-1", "\tx", "杯口有裂纹", "3"]
    sheet = _book(Sheet("t", ["备注"], [[v] for v in typed])).active
    assert [r[0] for r in values(sheet)[1:]] == ["'=HYPERLINK(\"http://evil\",\"点我\")", "'@SUM(A1)", "'+86 138",
                                                 "'-1", "'\tx", "杯口有裂纹", "3"]
    assert all(c.data_type == "s" for c in sheet["A"][1:])  # "3" typed as text is not turned into a number
    assert -3 == _book(Sheet("t", ["数量"], [[-3]])).active["A2"].value  # a negative number is a number


def test_the_header_is_chinese_bold_frozen_and_filtered_and_widths_count_cjk_double():
    rows = ([f"BX-{i:04d}", "卫生间漏水,天花板滴水", i] for i in range(3))
    sheet = _book(Sheet("工单", ["工单号", "描述", "序号"], rows)).active
    assert values(sheet)[0] == ["工单号", "描述", "序号"] and sheet["A1"].font.b
    assert table(sheet)[2] == {"工单号": "BX-0002", "描述": "卫生间漏水,天花板滴水", "序号": 2}
    assert sheet.auto_filter.ref == "A1:C4"
    # "卫生间漏水,天花板滴水" is 11 characters, all double width: 22 columns (+1 margin), wider than its header.
    assert sheet.column_dimensions["B"].width == pytest.approx(23, abs=1)
    assert sheet.column_dimensions["C"].width == pytest.approx(7, abs=1)
    assert width("江城 A1") == 7 and width("ＡＢ") == 4


def test_a_column_format_gives_percentages_as_numbers():
    sheet = _book(Sheet("月报", ["类别", Column("完成率", "0.0%")], [["水", 0.625], ["电", None]])).active
    assert sheet["B2"].value == 0.625 and sheet["B2"].number_format == "0.0%"
    assert sheet["B1"].value == "完成率" and sheet["B3"].value is None


def test_one_sheet_per_table_with_legal_unique_names():
    book = _book(Sheet("班次", ["a"], [[1]]), Sheet("事件/交接:[今日]", ["b"], []), Sheet("班次", ["c"], [[2]]),
                 Sheet("x" * 40, ["d"], []))
    assert book.sheetnames == ["班次", "事件 交接  今日", "班次 (2)", "x" * 31]
    assert values(book["事件 交接  今日"]) == [["b"]]
    assert book["事件 交接  今日"].freeze_panes == "A2"


def test_an_export_of_nothing_is_a_workbook_with_an_empty_sheet():
    assert _book().sheetnames == ["Sheet"]


def test_characters_xml_cannot_carry_are_dropped_and_the_file_still_opens():
    sheet = _book(Sheet("t", ["备注"], [["铃\x07声\x00", "半个\ud800字", "换\n行 & <标签>"]])).active
    assert [c.value for c in sheet[2]] == ["铃声", "半个字", "换\n行 & <标签>"]


def test_the_workbook_is_well_formed_and_says_where_the_filter_is():
    out = io.BytesIO()
    write_xlsx([Sheet("工单", ["编号", "数量"], [["BX-1", 1]]), Sheet("空", [], [])], out, SHANGHAI)
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            ElementTree.fromstring(z.read(name))  # every part parses as XML
        workbook_xml = z.read("xl/workbook.xml").decode()
    assert "'工单'!$A$1:$B$2" in workbook_xml and 'localSheetId="1"' not in workbook_xml


def test_the_response_is_a_named_xlsx_download(app):
    with app.test_request_context():
        response = xlsx_response([Sheet("t", ["时间"], [[datetime(2026, 1, 1, tzinfo=timezone.utc)]])], "x.xlsx")
        response.direct_passthrough = False
        book = workbook(response)
    assert response.headers["Content-Disposition"] == "attachment; filename=x.xlsx"
    assert book.active["A2"].value == datetime(2026, 1, 1, 8, 0)  # the app's Asia/Shanghai
