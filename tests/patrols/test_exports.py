"""A day's patrols as a workbook: the rounds with their outcome, every visit with its times and flags."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.html import soup
from tests.patrols.helpers import NIGHT, NIGHT_DAY
from tests.patrols.test_visits import GOOD, _visit
from tests.xlsx import table, workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_days_workbook_has_the_rounds_and_the_flagged_visits_on_the_wall_clock(login_as, patrol):
    guard = login_as("guard")
    _visit(guard, patrol, 1, answers=GOOD)
    _visit(guard, patrol, 3, at=NIGHT + timedelta(minutes=5, seconds=20), method="manual")
    book = workbook(login_as("supervisor").get(f"/projects/{patrol.round.project_id}/patrols/day.xlsx?date={NIGHT_DAY}"))
    assert book.sheetnames == ["轮次", "巡更记录"]
    visits = table(book["巡更记录"])
    assert [v["巡更点"] for v in visits] == [patrol.checkpoints[0].name, patrol.checkpoints[2].name]
    manual = visits[1]
    # 22:05:20 in Shanghai, no zone in the cell
    assert manual["扫码时间"] == (NIGHT + timedelta(minutes=5, seconds=20)).astimezone(SHANGHAI).replace(tzinfo=None)
    assert manual["方式"] == "手动" and "手动输入" in manual["标记"] and "间隔过短" in manual["标记"]
    sheet = book["巡更记录"]
    assert sheet["D3"].number_format == "yyyy-mm-dd hh:mm:ss" and sheet["B3"].number_format == "hh:mm"
    assert sheet["B3"].value.hour == 22
    walked = next(r for r in table(book["轮次"]) if r["轮次"] == NIGHT.astimezone(SHANGHAI).replace(tzinfo=None))
    assert (walked["巡更点"], walked["已到"], walked["漏巡"], walked["有标记"]) == (3, 2, 1, 1)
    assert walked["状态"] == "未完成" and isinstance(walked["巡更点"], int)


def test_the_csv_keeps_its_text_times(login_as, patrol):
    _visit(login_as("guard"), patrol, 1, answers=GOOD)
    body = login_as("supervisor").get(f"/projects/{patrol.round.project_id}/patrols/visits.csv?date={NIGHT_DAY}")
    row = body.get_data(as_text=True).splitlines()[1].split(",")
    assert row[1] == "22:00" and row[3] == f"{NIGHT_DAY} 22:05:00"


def test_the_board_links_the_workbook_and_guards_cannot_download_it(login_as, patrol):
    url = f"/projects/{patrol.round.project_id}/patrols/day.xlsx?date={NIGHT_DAY}"
    board = soup(login_as("supervisor").get(f"/projects/{patrol.round.project_id}/patrols?date={NIGHT_DAY}"))
    assert url in [a["href"] for a in board.select("a")]
    assert login_as("guard").get(url).status_code == 403
    assert login_as("outsider").get(url).status_code == 404

