"""Handovers as workbooks: the discrepancies of the CSV, and a month's handovers line by line."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.handovers.test_pages import _damaged_cup
from tests.html import soup
from tests.xlsx import table, workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_discrepancies_workbook_has_the_csvs_rows_typed(login_as, world, db, sample_room):
    handover = _damaged_cup(login_as, world, db, sample_room)
    book = workbook(login_as("supervisor").get(f"/projects/{world.p1.id}/handovers/discrepancies.xlsx"))
    [row] = table(book["交接差异"])
    local = handover.counted_at.astimezone(SHANGHAI).replace(tzinfo=None)
    assert abs(row["交接时间"] - local) < timedelta(milliseconds=1)  # Excel keeps milliseconds; no zone in the cell
    assert (row["物品"], row["清单数量"], row["清点数量"], row["情况"], row["备注"]) == ("骨瓷咖啡杯", 4, 4, "损坏", "杯口有裂纹")
    assert (row["交班人"], row["接班人"], row["记录编号"]) == ("attendant的名字", "attendant_b的名字", handover.id)
    assert login_as("attendant").get(f"/projects/{world.p1.id}/handovers/discrepancies.xlsx").status_code == 403


def test_the_months_workbook_lists_each_handover_and_every_line(login_as, world, db, sample_room):
    handover = _damaged_cup(login_as, world, db, sample_room)
    month = handover.counted_at.astimezone(SHANGHAI).strftime("%Y-%m")
    client = login_as("supervisor")
    book = workbook(client.get(f"/projects/{world.p1.id}/handovers/month.xlsx?month={month}"))
    assert book.sheetnames == ["交接记录", "交接明细"]
    records = {r["记录编号"]: r for r in table(book["交接记录"])}
    mine = records[handover.id]
    assert (mine["样板间"], mine["差异项"], mine["状态"], mine["交班人"]) == ("样板间A", 1, "已锁定", "attendant的名字")
    assert mine["接班签字"] is not None and mine["锁定时间"] is not None
    lines = [r for r in table(book["交接明细"]) if r["记录编号"] == handover.id]
    assert [(r["物品"], r["情况"]) for r in lines] == [("水晶吊灯", "齐全"), ("骨瓷咖啡杯", "损坏"), ("真丝抱枕", "齐全")]
    empty = workbook(client.get(f"/projects/{world.p1.id}/handovers/month.xlsx?month=2020-01"))
    assert table(empty["交接明细"]) == [] and login_as("outsider").get(
        f"/projects/{world.p1.id}/handovers/month.xlsx").status_code == 404


def test_the_rooms_page_links_both_workbooks(login_as, world, db, sample_room):
    _damaged_cup(login_as, world, db, sample_room)
    links = [a["href"] for a in soup(login_as("supervisor").get(f"/projects/{world.p1.id}/rooms")).select("a")]
    assert f"/projects/{world.p1.id}/handovers/discrepancies.xlsx" in links
    assert f"/projects/{world.p1.id}/handovers/month.xlsx" in links
