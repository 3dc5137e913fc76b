"""Pages that list projects or records run as many SQL statements for 50 rows as for 5 (a page that queries once
per row grows with the company)."""
import pytest
from sqlmodel import Session

from tests import factories
from tests.core.helpers import busy_projects, records
from tests.html import soup
from tests.queries import queries_for, statements_for


@pytest.fixture
def chain(app, world):
    """A member of the world's company who will hold every project role in each of many projects."""
    with Session(factories.engine_of(app), expire_on_commit=False) as session:
        return factories.user(session, world.org_a, "chain_member")


def _grow(app, world, member, count, start):
    with Session(factories.engine_of(app), expire_on_commit=False) as session:
        busy_projects(session, world.org_a, member, count, start)


@pytest.mark.parametrize("who", ["admin", "chain_member"])
def test_the_home_page_runs_the_same_statements_for_50_projects_as_for_5(app, client, world, chain, who):
    _grow(app, world, chain, 5, 0)
    client.login(who)
    at_5 = queries_for(app, client, "/")
    polled_at_5 = queries_for(app, client, "/attention", headers={"HX-Request": "true"})
    _grow(app, world, chain, 45, 5)
    assert queries_for(app, client, "/") == at_5
    assert queries_for(app, client, "/attention", headers={"HX-Request": "true"}) == polled_at_5  # as it is polled
    # A supervisor's home: a row per project, whose menu card moved to the project's own page (issue 20).
    rows = soup(client.get("/")).select(".today-table tbody th a")
    assert len([a for a in rows if "连锁项目" in a.get_text()]) == 50
    card = soup(client.get(rows[-1]["href"])).select_one("section.project-card")
    urgent = card.select("li.urgent a")
    assert {a.get_text(strip=True) for a in urgent} >= {"报修工单", "案场值班", "样板间交接 / 开场收场"}


def test_past_fold_projects_the_home_runs_the_same_statements_for_50_projects_as_for_5(app, client, world, chain,
                                                                                       monkeypatch):
    """An admin of many sites, each project's items of one kind folded into a line that counts them (issue 15): no
    source reads the records one by one, and the statements do not grow with the projects."""
    from app.core import attention

    monkeypatch.setattr(attention, "FOLD_PROJECTS", 3)
    _grow(app, world, chain, 5, 0)
    client.login("admin")
    at_5 = queries_for(app, client, "/")
    polled_at_5 = queries_for(app, client, "/attention", headers={"HX-Request": "true"})
    _grow(app, world, chain, 45, 5)
    assert queries_for(app, client, "/") == at_5
    assert queries_for(app, client, "/attention", headers={"HX-Request": "true"}) == polled_at_5
    keys = [li["data-key"] for li in soup(client.get("/")).select("#attention li[data-key]")]
    assert any(":project:" in key for key in keys)


def test_the_lists_of_projects_run_the_same_statements_for_50_projects_as_for_5(app, client, world, chain):
    _grow(app, world, chain, 5, 0)
    client.login("admin")
    ranking = f"/organisations/{world.org_a.id}/ranking"
    urls = ("/projects", ranking, f"{ranking}?page=2", f"{ranking}?q=连锁", "/admin/users")
    at_5 = [queries_for(app, client, url) for url in urls]
    _grow(app, world, chain, 45, 5)
    assert [queries_for(app, client, url) for url in urls] == at_5


def test_the_lists_of_records_run_the_same_statements_for_50_records_as_for_5(app, world, login_as):
    p1, supervisor, engineer = world.p1, login_as("supervisor"), login_as("engineer")
    pages = [(supervisor, url) for url in (
        f"/projects/{p1.id}", f"/projects/{p1.id}/tickets", f"/projects/{p1.id}/tickets?show=open",
        f"/projects/{p1.id}/callbacks", f"/projects/{p1.id}/patrols", f"/projects/{p1.id}/inspections",
        f"/projects/{p1.id}/rectifications", f"/projects/{p1.id}/repairs/figures", "/notifications")]
    pages.append((engineer, "/my-tickets"))
    with Session(factories.engine_of(app), expire_on_commit=False) as session:
        records(session, p1, world.users["engineer"], 4)  # 5 with the world's own
        at_5 = [queries_for(app, client, url) for client, url in pages]
        records(session, p1, world.users["engineer"], 45)
    assert [queries_for(app, client, url) for client, url in pages] == at_5


def test_past_the_today_tables_limit_the_home_lists_the_projects_in_alert_and_counts_the_others(
        app, client, world, chain, monkeypatch):
    """An admin of many sites: past TODAY_SHOWN projects the today table lists those with a figure in alert and one
    line counts the others — the same statements for 50 projects as for 5, and the count right."""
    from datetime import timedelta

    from sqlmodel import select

    from app.core import overview
    from app.projects.models import Project
    from app.repairs.models import Ticket

    monkeypatch.setattr(overview, "TODAY_SHOWN", 3)
    client.login("admin")
    with Session(factories.engine_of(app), expire_on_commit=False) as session:
        quiet = [factories.project(session, world.org_a, f"平静项目{n}", "residential") for n in range(4)]
        late = factories.project(session, world.org_a, "超时项目", "residential")
        ticket = factories.ticket(session, late, world.users["supervisor"], "漏水")[0]
        ticket.status, ticket.created_at = "reported", ticket.created_at - timedelta(hours=2)  # past its dispatch
        session.add(ticket)
        session.commit()
        visible = session.exec(select(Project).where(Project.organisation_id == world.org_a.id,
                                                     Project.archived.is_(False))).all()
        assert session.exec(select(Ticket).where(Ticket.project_id == late.id)).all()
    page = soup(client.get("/"))
    listed = [a.get_text() for a in page.select(".today-table tbody th a")]
    assert "超时项目" in listed and not {p.name for p in quiet} & set(listed)
    assert all(row.select("td.today-alert") for row in page.select(".today-table tbody tr"))
    folded = page.select_one(".today-folded a").get_text(strip=True)
    assert folded == f"另有 {len(visible) - len(listed)} 个项目今日无异常"

    _grow(app, world, chain, 5, 0)
    at_5 = queries_for(app, client, "/")
    _grow(app, world, chain, 45, 5)
    assert queries_for(app, client, "/") == at_5
    page = soup(client.get("/"))
    assert [a.get_text() for a in page.select(".today-table tbody th a")] == ["超时项目"]  # the busy ones are quiet
    assert page.select_one(".today-folded a").get_text(strip=True) == f"另有 {len(visible) + 50 - 1} 个项目今日无异常"
    monkeypatch.setattr(overview, "TODAY_SHOWN", 0)  # more in alert than are listed: the line says so
    page = soup(client.get("/"))
    assert page.select(".today-table tbody tr") == []
    assert page.select_one(".today-folded a").get_text(strip=True) == f"另有 {len(visible) + 50} 个项目未列出"


def test_a_project_page_looks_up_the_readers_roles_once(app, world, login_as):
    """Each statement is a round trip on PostgreSQL: the 404/403 check and the page's own use of the roles (whose
    phones it may show, whether it offers the supervisor's actions) share one look-up."""
    p1 = world.p1
    pages = [("frontdesk", f"/projects/{p1.id}/units/lookup?q=1"), ("frontdesk", f"/projects/{p1.id}/units"),
             ("supervisor", f"/tickets/{world.tickets['p1'].id}"),
             ("supervisor", f"/projects/{p1.id}/complaints")]
    for role, url in pages:
        looked_up = [s for s in statements_for(app, login_as(role), url) if "FROM membership" in s]
        assert len(looked_up) == 1, (url, looked_up)
