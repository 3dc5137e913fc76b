"""The daily complaint report and the monthly front-desk report as workbooks: the CSV's tables, typed."""
import csv
import io
from datetime import datetime

from tests.complaints.helpers import DAY
from tests.html import soup
from tests.xlsx import table, workbook


def test_the_daily_workbook_has_the_complaints_and_the_days_counts(tenth, login_as):
    client = login_as("frontdesk")
    base = f"/projects/{tenth.p1.id}/complaints/daily"
    book = workbook(client.get(f"{base}.xlsx?day={DAY}"))
    assert book.sheetnames == ["投诉", "当日统计"]
    rows = table(book["投诉"])
    assert [r["编号"] for r in rows] == [tenth.tenth[k].number for k in ("F", "A", "B", "I", "C")]
    first = rows[1]  # A: received 08:30 on the day, replied at noon, both on the Shanghai clock
    assert first["受理时间"] == datetime(2026, 3, 10, 8, 30) and book["投诉"]["B3"].number_format == "hh:mm"
    assert first["答复时间"] == datetime(2026, 3, 10, 12, 0) and first["类别"] == "噪音"
    assert {r["指标"]: r["数值"] for r in table(book["当日统计"])} == {
        "受理": 5, "按时首次答复": 2, "当日关闭": 2, "日末未结": 5, "其中超时": 1}
    # the CSV is as it was: times as text, counts under an empty row
    lines = list(csv.reader(io.StringIO(client.get(f"{base}.csv?day={DAY}").get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[2][1] == "08:30" and lines[2][10] == "2026-03-10 12:00" and [] in lines
    assert f"{base}.xlsx?day={DAY}" in [a["href"] for a in soup(client.get(f"{base}?day={DAY}")).select("a")]
    assert login_as("guard").get(f"{base}.xlsx?day={DAY}").status_code == 403


def test_the_monthly_workbook_has_counts_as_numbers_and_rates_as_percentages(tenth, login_as):
    client = login_as("supervisor")
    base = f"/projects/{tenth.p1.id}/frontdesk/monthly"
    sheet = workbook(client.get(f"{base}.xlsx?month=2026-03"))["2026-03"]
    rows = table(sheet)
    assert {"项目": "投诉", "指标": "受理", "数值": 8} in rows
    rate = next(i for i, r in enumerate(rows, start=2) if r["指标"] == "首次答复及时率")
    assert isinstance(sheet[f"C{rate}"].value, float) and sheet[f"C{rate}"].number_format == "0.0%"
    text = client.get(f"{base}.csv?month=2026-03").get_data(as_text=True)
    assert "投诉,首次答复及时率," in text and "%" in text
    assert f"{base}.xlsx?month=2026-03" in [a["href"] for a in soup(client.get(f"{base}?month=2026-03")).select("a")]
