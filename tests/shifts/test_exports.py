"""The daily shift report and the water bar's month as workbooks: a sheet per table, quantities as numbers."""
from tests.html import soup
from tests.shifts.test_reports import _a_day
from tests.xlsx import table, workbook


def test_the_daily_workbook_has_the_shifts_the_log_the_matters_and_the_water_bar(app, world, db, login_as):
    _a_day(app, world, db)
    client = login_as("supervisor")
    book = workbook(client.get(f"/projects/{world.p1.id}/shifts/daily.xlsx"))
    assert book.sheetnames == ["班次", "值班记录", "交接事项", "水吧"]
    mine = next(r for r in table(book["班次"]) if r["人员"] == "li的名字")
    assert mine["接待人数"] == 2 and mine["下班"] is None and mine["上班"].year >= 2026
    assert book["班次"]["D2"].number_format == "yyyy-mm-dd hh:mm"
    [event] = [r for r in table(book["值班记录"]) if r["人员"] == "li的名字"]
    assert event["记录"] == "客户询问车位价格" and event["岗位"] == world.shifts["p1"].post.name
    assert "明早九点有团购客户看房" in [r["事项"] for r in table(book["交接事项"])]
    water = next(r for r in table(book["水吧"]) if r["物品"] == world.shifts["p1"].item.name)
    assert [water[k] for k in ("期初", "用量", "补货", "账面结存", "盘点", "差异(短缺为正)")] == [5, 2, 12, 15, 14, 1]
    links = [a["href"] for a in soup(client.get(f"/projects/{world.p1.id}/shifts/daily")).select("a")]
    assert any(h.startswith(f"/projects/{world.p1.id}/shifts/daily.xlsx") for h in links)


def test_the_water_month_workbook(app, world, db, login_as):
    _a_day(app, world, db)
    client = login_as("supervisor")
    [row] = table(workbook(client.get(f"/projects/{world.p1.id}/water/month.xlsx")).active)
    assert row == {"物品": world.shifts["p1"].item.name, "单位": "瓶", "用量": 2, "补货": 12, "盘点天数": 1,
                   "差异合计(短缺为正)": 1}
    links = [a["href"] for a in soup(client.get(f"/projects/{world.p1.id}/water/month")).select("a")]
    assert any(h.startswith(f"/projects/{world.p1.id}/water/month.xlsx") for h in links)
    assert login_as("attendant").get(f"/projects/{world.p1.id}/water/month.xlsx").status_code == 403
    assert login_as("attendant").get(f"/projects/{world.p1.id}/shifts/daily.xlsx").status_code == 403
