"""Monthly repair figures (报修月报): the numbers, the page, the PDF and the CSV."""
import csv
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.core import clock
from app.repairs.figures import DRAFT_EVERY, DRAFT_FRESH, month_bounds, month_figures, months_back
from app.repairs.jobs import count_months
from app.repairs.models import RepairMonthCount, RepairSettings, Ticket
from tests.html import alert, soup, text
from tests.queries import queries_for, read_while_writing, statements_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG = {"TIMEZONE": "Asia/Shanghai"}
MONTH = "2026-03"  # far from the `world` fixture's own ticket, which is created now
H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)


def _at(day: str, hm: str) -> datetime:
    """A local (Shanghai) wall-clock time as the UTC instant the database stores."""
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def _ticket(db, project, created: datetime, *, category: str, status: str, dispatch=None, finish=None, due=None,
            reached=None, satisfaction=None) -> Ticket:
    """A ticket with its times given as offsets from `created`."""
    ticket = Ticket(project_id=project.id, description=f"{category}的报修", category=category, status=status,
                    reported_at=created, created_at=created, dispatched_at=dispatch and created + dispatch,
                    finished_at=finish and created + finish, due_at=due and created + due,
                    callback_at=created + 2 * D if reached is not None else None, callback_reached=reached,
                    satisfaction=satisfaction)
    db.add(ticket)
    return ticket


@pytest.fixture
def march(world, db):
    """Nine tickets of P1 created in March 2026 (Shanghai time), and four created just outside it."""
    p1 = world.p1
    # A: first minute of the month in Shanghai, still 28 February in UTC.
    _ticket(db, p1, _at("2026-03-01", "00:10"), category="水", status="closed", dispatch=2 * M, finish=5 * H,
            due=7 * D, reached=True, satisfaction=5)
    # B: finished after its 24 h due time.
    _ticket(db, p1, _at("2026-03-02", "09:00"), category="水", status="closed", dispatch=4 * M, finish=30 * H,
            due=24 * H, reached=True, satisfaction=4)
    # C: the callback did not reach the reporter.
    _ticket(db, p1, _at("2026-03-03", "10:00"), category="电", status="awaiting_callback", dispatch=1 * M,
            finish=2 * H, due=4 * H, reached=False)
    _ticket(db, p1, _at("2026-03-05", "14:00"), category="电", status="in_progress", dispatch=10 * M, due=7 * D)  # D
    _ticket(db, p1, _at("2026-03-10", "08:00"), category="门窗", status="reported", due=7 * D)  # E
    # F: dispatched exactly on the 3-minute target; unsatisfied callback reopened it, it stays completed.
    _ticket(db, p1, _at("2026-03-12", "08:00"), category="门窗", status="reopened", dispatch=3 * M, finish=21 * H,
            due=7 * D, reached=True, satisfaction=2)
    # G: last minutes of the month in Shanghai.
    _ticket(db, p1, _at("2026-03-31", "23:50"), category="消防", status="dispatched", dispatch=2 * M, due=7 * D)
    # H: cancelled after a quick dispatch: counted apart, in no figure.
    _ticket(db, p1, _at("2026-03-15", "09:00"), category="电梯", status="cancelled", dispatch=1 * M, due=7 * D)
    # I: closed without a recorded finish time or dispatch (imported): completed by its status, not on time.
    _ticket(db, p1, _at("2026-03-20", "09:00"), category="其他", status="closed", reached=True, satisfaction=4)
    # Outside: 23:30 on 28 Feb in Shanghai, 00:05 on 1 April in Shanghai (still 31 March in UTC), another project.
    for project, created in ((p1, _at("2026-02-28", "23:30")), (p1, _at("2026-04-01", "00:05")),
                             (world.p2, _at("2026-03-10", "10:00"))):
        _ticket(db, project, created, category="水", status="closed", dispatch=1 * M, finish=1 * H, due=7 * D,
                reached=True, satisfaction=1)
    db.commit()
    return world


def test_a_month_is_the_local_calendar_month_in_utc():
    assert month_bounds(2026, 3, "Asia/Shanghai") == (datetime(2026, 2, 28, 16, tzinfo=timezone.utc),
                                                      datetime(2026, 3, 31, 16, tzinfo=timezone.utc))
    assert month_bounds(2026, 12, "Asia/Shanghai")[1] == datetime(2026, 12, 31, 16, tzinfo=timezone.utc)
    assert months_back(2026, 2, 4) == [(2026, 2), (2026, 1), (2025, 12), (2025, 11)]


def test_the_figures_follow_the_definitions(march, db):
    f = month_figures(db, project_id=march.p1.id, year=2026, month=3)
    t = f.total
    # A B C D E F G I are the month's tickets (the four outside and H, cancelled, are not).
    assert (t.tickets, t.cancelled) == (8, 1)
    # Completed: A B C F (finished) and I (closed) → 5 / 8 = 62.5 %.
    assert t.completed == 5 and t.completion_rate == pytest.approx(0.625)
    # On time: A (5 h ≤ 7 d), C (2 h ≤ 4 h), F (21 h ≤ 7 d); B is late, I has no finish time → 3 / 5 = 60 %.
    assert t.on_time == 3 and t.on_time_rate == pytest.approx(0.6)
    # Dispatched: A 2, B 4, C 1, D 10, F 3, G 2 minutes → 22 / 6 = 3.67 min; within 3 min: A C F G → 4 / 6.
    assert t.dispatched == 6 and t.avg_dispatch_minutes == pytest.approx(22 / 6)
    assert t.dispatched_in_target == 4 and t.dispatch_target_rate == pytest.approx(4 / 6)
    # Time to finish: A 5, B 30, C 2, F 21 hours → 58 / 4 = 14.5 h (I has no finish time).
    assert t.timed == 4 and t.avg_finish_hours == pytest.approx(14.5)
    # Reached callbacks: A B F I → 4 / 5 completed = 80 %; satisfied (≥ 4): A B I → 3 / 4 = 75 %.
    assert t.reached == 4 and t.callback_rate == pytest.approx(0.8)
    assert t.satisfied == 3 and t.satisfaction_rate == pytest.approx(0.75)
    by_category = {name: (c.tickets, c.completed, c.completion_rate) for name, c in f.categories.items()}
    assert by_category == {"水": (2, 2, 1.0), "电": (2, 1, 0.5), "门窗": (2, 1, 0.5), "消防": (1, 0, 0.0),
                           "电梯": (0, 0, None), "保洁": (0, 0, None), "绿化": (0, 0, None), "其他": (1, 1, 1.0)}
    assert f.categories["电梯"].cancelled == 1


def test_the_dispatch_target_is_the_projects_own(march, db):
    db.add(RepairSettings(project_id=march.p1.id, dispatch_minutes=5))
    db.commit()
    t = month_figures(db, project_id=march.p1.id, year=2026, month=3).total
    # Within 5 min: A 2, B 4, C 1, F 3, G 2 → 5 / 6; D (10 min) is still late.
    assert t.dispatched_in_target == 5 and t.dispatch_target_rate == pytest.approx(5 / 6)


def test_an_empty_month_has_no_rates(world, db):
    f = month_figures(db, project_id=world.p1.id, year=2025, month=7)
    t = f.total
    assert f.empty and (t.tickets, t.cancelled, t.completed) == (0, 0, 0)
    assert [t.completion_rate, t.on_time_rate, t.avg_dispatch_minutes, t.dispatch_target_rate, t.avg_finish_hours,
            t.callback_rate, t.satisfaction_rate] == [None] * 7


def _cards(response) -> dict[str, str]:
    return {card.dt.get_text(strip=True): card.dd.strong.get_text(strip=True)
            for card in soup(response).select(".figure-cards > div")}


def test_the_page_shows_the_figures_the_chart_and_the_definitions(march, login_as):
    response = login_as("supervisor").get(f"/projects/{march.p1.id}/repairs/figures?month={MONTH}")
    assert response.status_code == 200
    assert _cards(response) == {"工单数": "8", "完成率": "62.5%", "按时完成率": "60.0%", "平均派单用时": "3.7 分钟",
                                "平均完工用时": "14.5 小时", "回访率": "80.0%", "满意率": "75.0%"}
    page = soup(response)
    assert "另有 1 张已取消" in page.select_one(".figure-cards").get_text()
    assert "3 分钟内派单 66.7%" in page.select_one(".figure-cards").get_text()
    # The longest bar (2 tickets) is the full 220 units; 电 has 2 tickets, 1 completed.
    bars = {g.select_one("text").get_text(): [float(r["width"]) for r in g.select("rect")] for g in page.select("svg g.bar")}
    assert bars["水"] == [220, 220] and bars["电"] == [220, 110] and bars["消防"] == [110, 0]
    assert page.select_one("#figures-month option[selected]").get_text() == MONTH
    rows = [[td.get_text(strip=True) for td in tr.select("td, th")] for tr in page.select(".figures-categories tr")]
    assert ["电", "2", "1", "50.0%"] in rows and ["电梯", "0", "0", "—"] in rows and rows[-1] == ["合计", "8", "5", "62.5%"]
    assert any("满意度 4 分及以上" in li for li in text(response, ".figures-notes li"))
    links = [a["href"] for a in page.select(".row-actions a")]
    assert f"/projects/{march.p1.id}/repairs/figures.pdf?month={MONTH}" in links
    assert f"/projects/{march.p1.id}/repairs/figures.csv?month={MONTH}" in links


def test_an_empty_month_says_so_and_shows_dashes(world, login_as):
    response = login_as("admin").get(f"/projects/{world.p1.id}/repairs/figures?month=2025-07")
    assert "2025-07 没有报修工单" in soup(response).select_one(".figures-empty").get_text()
    assert set(_cards(response).values()) == {"0", "—"}


def test_the_page_opens_on_the_current_local_month(world, login_as):
    response = login_as("supervisor").get(f"/projects/{world.p1.id}/repairs/figures")
    assert text(response, "h1 .muted") == [datetime.now(SHANGHAI).strftime("%Y-%m")]
    assert _cards(response)["工单数"] == "1"  # the `world` fixture's ticket, reported just now


@pytest.mark.parametrize("month", ["2026-13", "March", "2026-3", "1999-12"])
def test_a_bad_month_is_refused_with_a_reason(world, login_as, month):
    response = login_as("supervisor").get(f"/projects/{world.p1.id}/repairs/figures.csv?month={month}")
    assert response.status_code == 400
    assert f"无法识别月份“{month}”,请用 YYYY-MM 格式" in alert(response)


def test_the_monthly_pdf_has_the_figures_and_categories(march, login_as):
    response = login_as("supervisor").get(f"/projects/{march.p1.id}/repairs/figures.pdf?month={MONTH}")
    assert response.mimetype == "application/pdf"
    content = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).replace("\n", "")
    for expected in ("报修月报", march.p1.name, MONTH, "水", "门窗", "消防", "电梯", "62.5%", "60.0%", "80.0%",
                     "75.0%", "14.5 小时", "口径说明"):
        assert expected in content, expected


def test_the_csv_has_a_row_per_category_and_a_total(march, login_as):
    response = login_as("supervisor").get(f"/projects/{march.p1.id}/repairs/figures.csv?month={MONTH}")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff类别,工单数,已取消,已完成,完成率")
    assert response.headers["Content-Disposition"] == f'attachment; filename="repairs-{march.p1.id}-{MONTH}.csv"'
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["水", "电", "门窗", "消防", "电梯", "保洁", "绿化", "其他", "合计"]
    assert rows[-1] == ["合计", "8", "1", "5", "62.5%", "3", "60.0%", "6", "3.7", "4", "66.7%", "14.5", "4", "80.0%",
                        "3", "75.0%"]
    assert rows[5][:5] == ["电梯", "0", "1", "0", ""]  # no rate without tickets: an empty cell


@pytest.mark.parametrize("who", ["guard", "attendant", "engineer", "inspector"])
def test_only_supervisors_and_admins_see_the_figures(world, login_as, who):
    client = login_as(who)
    for suffix in ("", ".pdf", ".csv"):
        assert client.get(f"/projects/{world.p1.id}/repairs/figures{suffix}?month={MONTH}").status_code == 403


def test_another_projects_figures_are_hidden(world, login_as):
    assert login_as("outsider").get(f"/projects/{world.p1.id}/repairs/figures?month={MONTH}").status_code == 404
    assert login_as("admin").get(f"/projects/{world.p1.id}/repairs/figures.csv?month={MONTH}").status_code == 200


def test_the_month_is_split_by_how_each_ticket_came_in(world, db):
    """The desk's channel (来电, 微信 …) where it took the call, else the ticket's source (a resident's form …)."""
    made = [_ticket(db, world.p1, _at("2026-05-0%d" % day, "09:00"), category="水", status="closed", dispatch=2 * M,
                    finish=2 * H, due=7 * D, reached=True, satisfaction=score) for day, score in ((1, 5), (2, 2), (3, 5))]
    made[0].source, made[0].channel = "front_desk", "phone"
    made[1].source, made[1].channel = "front_desk", "phone"
    made[2].source, made[2].channel = "resident", ""
    db.commit()
    f = month_figures(db, project_id=world.p1.id, year=2026, month=5)
    assert {code: (t.tickets, t.satisfied) for code, t in f.intakes.items()} == {"phone": (2, 1), "resident": (1, 1)}
    assert sum(t.tickets for t in f.intakes.values()) == f.total.tickets


# -- this month and the one before, counted by the clock ----------------------------------------------------

SOON = _at("2026-04-05", "12:00")  # the clock counts April and March


def _figures_of(f) -> tuple:
    return (f.dispatch_minutes, f.total, f.categories, f.intakes)


def test_the_clock_counts_this_month_and_the_last_as_they_would_be_counted_now(march, db):
    db.add(RepairSettings(project_id=march.p1.id, dispatch_minutes=5))
    db.commit()
    assert count_months(db, SOON, CONFIG) == 3  # March of P1 and P2, April of P1
    for project_id in (march.p1.id, march.p2.id):
        kept = month_figures(db, project_id=project_id, year=2026, month=3, counted_since=SOON - D)
        assert kept.counted_at == SOON
        assert _figures_of(kept) == _figures_of(month_figures(db, project_id=project_id, year=2026, month=3))
    assert month_figures(db, project_id=march.p1.id, year=2026, month=3, counted_since=SOON).counted_at is None


def test_the_page_reads_the_count_says_when_it_was_made_and_the_pdf_counts_now(march, db, app, login_as, monkeypatch):
    monkeypatch.setattr("app.repairs.figures_routes.utcnow", lambda: SOON + 2 * M)
    client, url = login_as("supervisor"), f"/projects/{march.p1.id}/repairs/figures?month={MONTH}"
    assert any("FROM ticket" in s for s in statements_for(app, client, url))  # no count yet: counted live
    count_months(db, SOON, CONFIG)
    assert not any("FROM ticket" in s for s in statements_for(app, client, url))
    page = client.get(url)
    assert "统计于" in text(page, ".counted-at")[0] and "12:00" in text(page, ".counted-at")[0]
    assert _cards(page)["工单数"] == "8"
    _ticket(db, march.p1, _at("2026-03-25", "09:00"), category="水", status="reported", due=7 * D)
    db.commit()
    assert _cards(client.get(url))["工单数"] == "8"  # until the next count
    csv_rows = list(csv.reader(io.StringIO(client.get(url.replace("figures?", "figures.csv?")).data.decode("utf-8-sig"))))
    assert csv_rows[-1][:2] == ["合计", "9"]  # what is handed on is counted when it is made
    count_months(db, SOON + 5 * M, CONFIG)
    assert _cards(client.get(url))["工单数"] == "9"


def test_a_count_the_clock_left_standing_is_not_read(march, db, login_as, monkeypatch):
    count_months(db, SOON, CONFIG)
    _ticket(db, march.p1, _at("2026-03-25", "09:00"), category="水", status="reported", due=7 * D)
    db.commit()
    monkeypatch.setattr("app.repairs.figures_routes.utcnow", lambda: SOON + DRAFT_FRESH + M)
    page = login_as("supervisor").get(f"/projects/{march.p1.id}/repairs/figures?month={MONTH}")
    assert _cards(page)["工单数"] == "9" and not soup(page).select(".counted-at")


def test_the_counts_of_months_past_and_of_projects_without_tickets_go(march, db):
    count_months(db, SOON, CONFIG)
    later = _at("2026-05-02", "12:00")  # May and April now: March's counts go
    assert count_months(db, later, CONFIG) == 1
    assert db.exec(select(RepairMonthCount.project_id, RepairMonthCount.month)).all() == [(march.p1.id, "2026-04")]


def test_the_count_reads_every_month_before_it_writes(march, db):
    """SQLite has one writer: an upload beside the clock waits while the count holds the lock, not while it reads."""
    count_months(db, SOON, CONFIG)
    assert read_while_writing(db, lambda: count_months(db, SOON + 5 * M, CONFIG)) == []


def test_the_page_runs_as_many_statements_for_many_tickets_as_for_few(march, db, app, login_as, monkeypatch):
    monkeypatch.setattr("app.repairs.figures_routes.utcnow", lambda: SOON + M)
    client, url = login_as("supervisor"), f"/projects/{march.p1.id}/repairs/figures?month={MONTH}"
    count_months(db, SOON, CONFIG)
    few = queries_for(app, client, url)
    for day in range(1, 29):
        _ticket(db, march.p1, _at(f"2026-03-{day:02d}", "09:00"), category="电", status="closed", finish=H, due=D)
    db.commit()
    count_months(db, SOON, CONFIG)
    assert queries_for(app, client, url) == few


def test_the_count_is_a_clock_job_every_five_minutes():
    assert clock.JOBS["repairs.count"].run is count_months
    assert clock.JOBS["repairs.count"].every == timedelta(minutes=5) == DRAFT_EVERY
