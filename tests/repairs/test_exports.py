"""The tickets' workbook and the month's figures as XLSX: typed cells a manager can sort, as the CSV's readers."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.repairs.models import Ticket
from tests.html import soup
from tests.xlsx import table, workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2026, 3, 31, 16, 10, tzinfo=timezone.utc)  # 00:10 on 1 April in Shanghai
M, H = timedelta(minutes=1), timedelta(hours=1)

@pytest.fixture
def tickets(world, db):
    """P1's closed ticket with every time and a callback, and an open one typed as a formula."""
    engineer = world.users["engineer"]
    closed = Ticket(project_id=world.p1.id, number="BX-20260401-0001", description="卫生间漏水", category="水",
                    severity="medium", urgent=True, status="closed", reporter_name="王女士",
                    reporter_phone="13800138000", reported_at=CREATED - 5 * M, created_at=CREATED,
                    dispatched_at=CREATED + 4 * M, assignee_id=engineer.id, started_at=CREATED + H,
                    finished_at=CREATED + 3 * H, due_at=CREATED + 4 * H, callback_at=CREATED + 24 * H,
                    callback_reached=True, satisfaction=5, closed_at=CREATED + 24 * H, reopen_count=1)
    formula = Ticket(project_id=world.p1.id, number="BX-20260401-0002", description='=HYPERLINK("http://x","点")',
                     category="电", status="reported", reported_at=CREATED, created_at=CREATED + M)
    db.add_all([closed, formula])
    db.commit()
    return world

def test_the_workbook_has_one_typed_row_per_ticket_with_its_targets_and_callback(tickets, login_as):
    book = workbook(login_as("supervisor").get(f"/projects/{tickets.p1.id}/tickets.xlsx?month=2026-04"))
    rows = {row["编号"]: row for row in table(book["报修工单"])}
    assert set(rows) == {"BX-20260401-0001", "BX-20260401-0002"}  # the world's own ticket is not of April
    closed = rows["BX-20260401-0001"]
    assert closed["状态"] == "已关闭" and closed["程度"] == "中修" and closed["紧急"] == "是"
    assert closed["登记时间"] == datetime(2026, 4, 1, 0, 10)  # Shanghai wall clock, no zone in the cell
    assert closed["派单时限"] == datetime(2026, 4, 1, 0, 13) and closed["派单时间"] == datetime(2026, 4, 1, 0, 14)
    assert closed["派单用时(分钟)"] == 4 and closed["派单达标"] == "否"
    assert closed["完工时限"] == datetime(2026, 4, 1, 4, 10) and closed["按时完成"] == "是"
    assert closed["维修人"] == "engineer的名字"
    assert (closed["回访时间"], closed["回访接通"], closed["满意度"], closed["满意"]) == (
        datetime(2026, 4, 2, 0, 10), "是", 5, "是")
    assert closed["重开次数"] == 1 and closed["联系电话"] == "13800138000"  # a supervisor calls back: the whole number
    assert rows["BX-20260401-0002"]["问题描述"] == "'=HYPERLINK(\"http://x\",\"点\")"
    assert rows["BX-20260401-0002"]["派单时间"] is None and rows["BX-20260401-0002"]["状态"] == "待派单"
    sheet = book["报修工单"]
    assert sheet["P2"].data_type == "n" and sheet["L2"].is_date

def test_the_list_filters_apply_and_another_projects_tickets_never_show(tickets, login_as):
    client = login_as("supervisor")
    rows = table(workbook(client.get(f"/projects/{tickets.p1.id}/tickets.xlsx?show=open&category=电")).active)
    assert [r["编号"] for r in rows] == ["BX-20260401-0002"]
    everything = table(workbook(client.get(f"/projects/{tickets.p1.id}/tickets.xlsx")).active)
    assert len(everything) == 3 and tickets.tickets["p2"].number not in {r["编号"] for r in everything}

@pytest.mark.parametrize("who, status", [("engineer", 403), ("guard", 403), ("outsider", 404), ("admin", 200)])
def test_only_the_projects_supervisors_export_tickets(tickets, login_as, who, status):
    assert login_as(who).get(f"/projects/{tickets.p1.id}/tickets.xlsx").status_code == status

def test_the_month_figures_are_numbers_and_percentages(tickets, login_as):
    book = workbook(login_as("supervisor").get(f"/projects/{tickets.p1.id}/repairs/figures.xlsx?month=2026-04"))
    sheet = book["2026-04"]
    rows = {row["类别"]: row for row in table(sheet)}
    assert rows["合计"]["工单数"] == 2 and rows["水"]["完成率"] == 1.0 and rows["电"]["完成率"] == 0
    assert rows["水"]["平均派单用时(分钟)"] == 4 and rows["电梯"]["完成率"] is None
    rate = next(c for c in sheet[1] if c.value == "完成率").column_letter
    assert sheet[f"{rate}2"].number_format == "0.0%"

def test_the_pages_link_the_workbooks(tickets, login_as):
    client = login_as("supervisor")
    links = [a["href"] for a in soup(client.get(f"/projects/{tickets.p1.id}/repairs/figures?month=2026-04")).select("a")]
    assert f"/projects/{tickets.p1.id}/repairs/figures.xlsx?month=2026-04" in links
    assert f"/projects/{tickets.p1.id}/tickets.xlsx?month=2026-04" in links
    links = [a["href"] for a in soup(client.get(f"/projects/{tickets.p1.id}/tickets?show=open")).select("a")]
    assert f"/projects/{tickets.p1.id}/tickets.xlsx?show=open" in links
    engineer = soup(login_as("engineer").get(f"/projects/{tickets.p1.id}/tickets")).select("a")
    assert not [a for a in engineer if "tickets.xlsx" in a["href"]]
