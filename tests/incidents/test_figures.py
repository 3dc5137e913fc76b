"""The month's incident figure by type and project, counted by hand: the month by the Shanghai clock, the types,
the severe and critical ones, those still open; the page and the CSV say the same."""
import csv
import io

import pytest
from sqlmodel import Session

from app.core.db import get_session
from app.incidents import figures, services
from app.repairs.figures import month_bounds
from tests import factories
from tests.factories import engine_of
from tests.html import soup
from tests.incidents.helpers import TZ, at, report

# (project, kind, severity, Shanghai day and time, closed?)
MADE = [
    ("p1", "stranger", "serious", ("2026-11-01", "00:05"), False),  # the first minutes of November (still 10-31 UTC)
    ("p1", "stranger", "minor", ("2026-11-15", "02:10"), True),
    ("p1", "fall", "critical", ("2026-11-30", "23:50"), False),  # the last minutes of November
    ("p1", "gift", "minor", ("2026-12-01", "00:10"), False),  # still 11-30 in UTC, December in Shanghai: not counted
    ("p2", "flooding", "critical", ("2026-11-20", "14:00"), True),
    ("p2", "theft", "serious", ("2026-10-31", "23:59"), False),  # October: not counted
]


@pytest.fixture
def month(app, world):
    with app.app_context():
        db = get_session()
        factories.user(db, world.org_a, "both_supervisor", roles=[(world.p1, "supervisor"), (world.p2, "supervisor")])
        for key, kind, severity, (day, hm), closed in MADE:
            reporter = "guard" if key == "p1" else "outsider"
            incident = report(db, world, reporter, project=getattr(world, key), kind=kind, severity=severity,
                              occurred_at=f"{day}T{hm}", reported_at=at(day, hm),
                              place="" if key == "p2" else f"checkpoint-{world.checkpoints['p1'].id}")
            if closed:
                services.act(db, storage=None, actor=world.users["admin"], incident=incident, action="close",
                             now=at(day, hm), text="已处理")
                db.commit()
    return world


def test_the_figure_counts_novembers_incidents_by_project_and_type(app, month):
    with Session(engine_of(app)) as db:
        start, end = month_bounds(2026, 11, TZ)
        figure = figures.month_figure(db, [month.p1.id, month.p2.id], start, end)
    p1, p2 = figure.projects[month.p1.id], figure.projects[month.p2.id]
    assert {k: n for k, n in p1.kinds.items() if n} == {"stranger": 2, "fall": 1}
    assert (p1.total, p1.severe, p1.critical, p1.open) == (3, 2, 1, 2)
    assert {k: n for k, n in p2.kinds.items() if n} == {"flooding": 1}
    assert (p2.total, p2.severe, p2.critical, p2.open) == (1, 1, 1, 0)
    assert (figure.total.total, figure.total.severe, figure.total.critical, figure.total.open) == (4, 3, 2, 2)
    assert figure.total.kinds["stranger"] == 2 and figure.total.kinds["theft"] == 0


def test_the_page_and_the_csv_show_the_supervisors_projects(login_as, app, month):
    client = app.test_client()
    client.login("both_supervisor")
    page = soup(client.get("/incidents/figures?month=2026-11"))
    rows = {tr["data-project"]: [td.get_text(strip=True) for td in tr.select("td")] for tr in page.select("tr[data-project]")}
    assert rows[str(month.p1.id)][:4] == ["3", "2", "1", "2"]
    assert rows["total"][:4] == ["4", "3", "2", "2"]
    sheet = list(csv.reader(io.StringIO(client.get("/incidents/figures.csv?month=2026-11").get_data(as_text=True)
                                        .lstrip("\ufeff"))))
    assert sheet[0][:5] == ["项目", "合计", "严重及以上", "紧急", "未关闭"] and sheet[0][5:8] == ["摔倒受伤", "争吵纠纷", "可疑人员"]
    assert sheet[1][:8] == [month.p1.name, "3", "2", "1", "2", "1", "0", "2"]
    assert sheet[2][:5] == [month.p2.name, "1", "1", "1", "0"] and sheet[3][:2] == ["合计", "4"]
    only_p1 = login_as("supervisor").get("/incidents/figures?month=2026-11")
    assert [tr["data-project"] for tr in soup(only_p1).select("tbody tr")] == [str(month.p1.id)]
    assert login_as("guard").get("/incidents/figures").status_code == 403
    assert login_as("supervisor").get("/incidents/figures?month=2026-13").status_code == 400
