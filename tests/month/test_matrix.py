"""The month matrix: every site × the figures the seeds report, this month against last, as page, PDF and CSV."""
import csv
import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.accounts.models import User
from app.core.audit import AuditLog
from app.core.db import get_session
from app.month.services import MEASURES, month_matrix, sort_sites, spark_points, spark_text
from tests import factories
from tests.html import soup
from tests.month.helpers import NOW
from tests.queries import statements_for
from tests.xlsx import table, workbook

URL = "/organisations/{org}/month?month=2026-03"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("app.month.routes.utcnow", lambda: NOW)


def _matrix(app, world):
    with app.app_context():
        return month_matrix(get_session(), organisation_id=world.org_a.id, year=2026, month=3, tz="Asia/Shanghai",
                            now=NOW)


def test_the_figures_are_the_hand_counted_ones(app, march):
    matrix = _matrix(app, march)
    assert matrix.months == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    sites = {s.name: s for s in matrix.sites}
    assert set(sites) == {"江城壹号销售中心", "秘密二号项目"}  # another company's site is not in it
    p1, p2 = sites["江城壹号销售中心"], sites["秘密二号项目"]
    # Rounds: done + late of the 4 settled (missed, incomplete; the open one not counted); February: 1 of 1.
    assert p1.series["patrol"][-2:] == [1.0, 0.5] and p2.now("patrol") == 1.0
    # Tickets: 3 of 4 completed (the cancelled one apart), 2 of 3 on time, 2 of 3 reached, 1 of 2 satisfied.
    assert p1.now("repair_completion") == 0.75
    assert p1.now("repair_on_time") == pytest.approx(2 / 3) and p1.now("repair_callback") == pytest.approx(2 / 3)
    assert p1.now("repair_satisfaction") == 0.5 and p1.before("repair_satisfaction") == 1.0
    assert p2.now("repair_completion") is None  # no ticket: no figure
    # Complaints: 1 of the 3 due handled on time (the one not yet due is not counted).
    assert p1.now("complaint_on_time") == pytest.approx(1 / 3) and p1.before("complaint_on_time") == 1.0
    # Inspections: 80 % (rank 2 behind P2's 90 %), 70 % and rank 1 in February.
    assert (p1.now("inspection"), p1.now("rank"), p1.before("inspection"), p1.before("rank")) == (80.0, 2, 70.0, 1)
    assert (p2.now("inspection"), p2.now("rank")) == (90.0, 1)
    assert p1.change("inspection") == pytest.approx(10.0) and p1.change("rank") == 1
    assert p1.series["patrol"][:4] == [None] * 4  # nothing before February
    # The company: 3 of the 5 settled rounds of both sites.
    assert matrix.company.now("patrol") == 0.6 and matrix.company.now("repair_completion") == 0.75


def test_months_end_at_midnight_in_the_company_time_zone(app, march):
    """00:10 on 1 March in Shanghai (28 February in UTC) is March's; 00:05 on 1 April (31 March in UTC) is not."""
    p1 = next(s for s in _matrix(app, march).sites if s.project_id == march.p1.id)
    assert p1.series["patrol"][-1] == 0.5  # the 1 March round counted, the 1 April one not (it would make 2 of 5)
    assert p1.series["patrol"][-2] == 1.0  # the 28 February 23:30 round is February's
    assert p1.now("repair_completion") == 0.75  # the 1 April ticket would make 3 of 5


def test_it_runs_the_same_statements_for_20_more_sites(app, march, login_as, frozen):
    client = login_as("manager")
    url = URL.format(org=march.org_a.id)
    few = statements_for(app, client, url)
    with app.app_context():
        session = get_session()
        for n in range(20):
            factories.project(session, march.org_a, f"加测项目 {n:02d}")
    assert len(statements_for(app, client, url)) == len(few)


def test_sorting_puts_sites_without_a_figure_last_either_way(app, march):
    sites = _matrix(app, march).sites
    assert [s.name for s in sort_sites(sites, "repair_completion", True)] == ["江城壹号销售中心", "秘密二号项目"]
    assert [s.name for s in sort_sites(sites, "rank", False)] == ["秘密二号项目", "江城壹号销售中心"]
    assert [s.name for s in sort_sites(sites, "rank", True)] == ["江城壹号销售中心", "秘密二号项目"]


def test_a_sparkline_rises_for_the_better_whatever_the_measure():
    rate, rank = MEASURES[0], MEASURES[-1]
    assert spark_points(rate, [None, None, None, None, 0.5, 0.9]) == "38.4,13.0 48.0,1.0"
    assert spark_points(rank, [None, None, None, None, 6, 1]) == "38.4,13.0 48.0,1.0"  # rank 1 is up
    assert spark_points(rate, [None] * 5 + [0.5]) == ""  # one point is no line
    assert spark_text(rate, [0.1, None, 0.5, 0.9, 0.95, 1.0]) == "▁ ▄▇██"  # the PDF's, a month a character
    assert spark_text(rank, [1, 2, 3, 4, 5, 6]) == "█▇▅▄▂▁"


@pytest.mark.parametrize("who, status", [("manager", 200), ("admin", 200), ("supervisor", 403), ("guard", 403),
                                         ("other_admin", 404)])
def test_only_the_companys_admins_and_managers_see_it(app, march, login_as, frozen, who, status):
    assert login_as(who).get(URL.format(org=march.org_a.id)).status_code == status


def test_the_page_shows_each_site_this_month_against_last_sorted_by_a_column(app, march, login_as, frozen):
    page = soup(login_as("manager").get(URL.format(org=march.org_a.id) + "&sort=repair_completion&order=desc"))
    rows = page.select("#month-matrix tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == ["全公司", "江城壹号销售中心", "秘密二号项目"]
    cells = rows[1].find_all("td")
    assert cells[0].select_one(".now").get_text() == "50.0%" and cells[0].select_one(".delta.down").get_text() == "-50.0"
    assert cells[0].select_one(".then").get_text(" ", strip=True) == "上月 100.0%"  # "上月" for screen readers
    assert cells[0].select_one("svg.spark polyline")["points"]
    assert cells[-1].select_one(".now").get_text() == "2" and cells[-1].select_one(".delta.down").get_text() == "▼1"
    sorted_by = page.select_one("th[aria-sort]")
    assert sorted_by["aria-sort"] == "descending" and "order=asc" in sorted_by.a["href"]


def test_the_pdf_and_the_csv_carry_the_same_figures(app, march, login_as, frozen):
    client = login_as("manager")
    response = client.get(f"/organisations/{march.org_a.id}/month.pdf?month=2026-03")
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "各项目月度指标" in text and "江城壹号销售中心" in text and "75.0%" in text and "33.3%" in text
    response = client.get(f"/organisations/{march.org_a.id}/month.csv?month=2026-03")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    p1 = next(r for r in rows if r[0] == "江城壹号销售中心")
    assert p1[1:5] == ["50.0%", "100.0%", "75.0%", "100.0%"] and p1[-4:] == ["80.0", "70.0", "2", "1"]
    assert rows[-1][0] == "全公司" and rows[-1][1] == "60.0%"


def test_an_admin_makes_a_user_a_manager_who_then_reads_the_month_and_the_whole_ranking(app, march, login_as, db,
                                                                                          frozen):
    admin = login_as("admin")
    response = admin.post_form("/admin/users/new", {"username": "boss", "display_name": "吴经理", "is_manager": "1",
                                                    "password": "first-pass-1"})
    assert response.status_code == 302
    boss = db.exec(select(User).where(User.username == "boss")).one()
    assert (boss.is_manager, boss.is_admin) == (True, False)
    entry = db.exec(select(AuditLog).where(AuditLog.action == "user.create", AuditLog.object_id == boss.id)).one()
    assert entry.after["is_manager"] is True
    client = app.test_client()
    client.login("boss", "first-pass-1")
    assert client.get(URL.format(org=march.org_a.id)).status_code == 200
    ranking = soup(client.get(f"/organisations/{march.org_a.id}/ranking?month=2026-03"))
    assert [r["data-project"] for r in ranking.select("#ranking tbody tr")] == [str(march.p2.id), str(march.p1.id)]
    assert client.get(f"/projects/{march.p1.id}").status_code == 404  # figures, not the sites' records
    assert client.post_form(f"/admin/users/{boss.id}", {"display_name": "吴经理", "locale": "zh_Hans"}).status_code == 403
    admin.post_form(f"/admin/users/{boss.id}", {"display_name": "吴经理", "locale": "zh_Hans"})  # the box unticked
    db.expire_all()
    assert db.get(User, boss.id).is_manager is False
    assert client.get(URL.format(org=march.org_a.id)).status_code == 403


def test_a_manager_of_no_project_starts_on_the_months_figures(app, march, login_as):
    home = login_as("manager").get("/")
    assert home.status_code == 302
    assert home.headers["Location"] == f"/organisations/{march.org_a.id}/month"


def test_the_xlsx_carries_the_figures_as_numbers_in_their_formats(app, march, login_as, frozen):
    book = workbook(login_as("manager").get(f"/organisations/{march.org_a.id}/month.xlsx?month=2026-03"))
    sheet = book.worksheets[0]
    rows = table(sheet)
    p1 = next(r for r in rows if r["项目"] == "江城壹号销售中心")
    values = list(p1.values())
    assert values[1:5] == [0.5, 1.0, 0.75, 1.0] and values[-4:] == [80.0, 70.0, 2, 1]
    assert sheet.cell(row=2, column=2).number_format == "0.0%"
    assert rows[-1]["项目"] == "全公司" and list(rows[-1].values())[1] == 0.6


def test_the_open_months_counts_read_the_indexes_alone(app, march):
    """The month still open is counted live per site: its tickets, rounds and complaints (a site may have
    hundreds of thousands in a month) are read from covering (project, time, …) indexes, never row by row from
    the tables, and one month alone counts what it counts among others. SQLite's plan is checked; PostgreSQL
    chooses an index-only scan by its statistics (not checked)."""
    import sqlalchemy as sa

    from app.month.figures import live

    with app.app_context():
        session = get_session()
        seen = []

        def note(_conn, _cursor, statement, parameters, *_args):
            seen.append((statement, parameters))

        engine = session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", note)
        try:
            sites = [march.p1.id, march.p2.id]
            counted = live(session, organisation_id=march.org_a.id, project_ids=sites, months=[(2026, 2), (2026, 3)],
                           tz="Asia/Shanghai", now=NOW)
            # one month (the page's usual case: only the month still open is counted) is grouped by site alone
            alone = live(session, organisation_id=march.org_a.id, project_ids=sites, months=[(2026, 3)],
                         tz="Asia/Shanghai", now=NOW)
        finally:
            sa.event.remove(engine, "before_cursor_execute", note)
        assert counted[1][march.p1.id].tally.tickets == 4  # what the hand count says (the figures test above)
        assert alone == counted[1:] and counted[0][march.p1.id] != counted[1][march.p1.id]
        if engine.dialect.name != "sqlite":
            pytest.skip("the plans checked are SQLite's (EXPLAIN QUERY PLAN)")
        plans = {}
        for statement, parameters in seen:
            table = next((t for t in ("ticket", "patrol_round", "complaint") if f"FROM {t} " in statement + " "), None)
            if table:
                rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
                plans.setdefault(table, []).extend(row[-1] for row in rows if table in row[-1])
    assert set(plans) == {"ticket", "patrol_round", "complaint"}, plans
    for table, steps in plans.items():
        assert steps and all("COVERING INDEX" in step for step in steps), (table, steps)
