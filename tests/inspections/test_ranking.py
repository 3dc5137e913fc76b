"""The monthly ranking: ties share a rank, sites not inspected are flagged, change versus last month, frozen after close."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from app.core.db import get_session
from app.inspections.models import Inspection, InspectionSettings, InspectionSheet, RankingSnapshot
from app.inspections.ranking import freeze, month_of, period, ranking
from tests import factories
from tests.html import soup
from tests.inspections.helpers import many_sites

TZ = ZoneInfo("Asia/Shanghai")


def inspected(session, project, version, score, at, status="effective"):
    row = Inspection(project_id=project.id, inspected_at=at, objection_deadline=at + timedelta(days=3), status=status)
    session.add(row)
    session.flush()
    session.add(InspectionSheet(inspection_id=row.id, project_id=project.id, template_id=version.template_id,
                                version_id=version.id, name="小检查表", base_score=10, original_score=score, score=score,
                                percentage=score * 10))
    session.commit()
    return row


def local(*args):
    return datetime(*args, tzinfo=TZ)


def test_the_period_ends_with_the_close_day_or_the_months_last_day():
    assert period("2025-05", 30, TZ) == (local(2025, 5, 1), local(2025, 5, 31))  # 30 April closed April
    assert period("2025-02", 30, TZ) == (local(2025, 1, 31), local(2025, 3, 1))  # February closes on the 28th
    assert month_of(local(2025, 5, 30, 23, 59), 30, TZ) == "2025-05"
    assert month_of(local(2025, 5, 31, 9), 30, TZ) == "2025-06"  # after the close: next month's
    assert month_of(local(2025, 5, 31, 9), 31, TZ) == "2025-05"


def test_ties_share_a_rank_and_sites_not_inspected_are_flagged(app, world, db, sheet):
    p3, p4 = factories.project(db, world.org_a, "三号项目"), factories.project(db, world.org_a, "四号项目")
    inspected(db, world.p1, sheet, 7, local(2025, 4, 10))  # last month: 70 %
    inspected(db, world.p1, sheet, 8, local(2025, 5, 3))
    inspected(db, world.p1, sheet, 9, local(2025, 5, 20))  # mean 8.5 → 85 %
    inspected(db, p3, sheet, 8.5, local(2025, 5, 12))  # 85 % too: a tie
    inspected(db, p4, sheet, 6, local(2025, 5, 12))
    inspected(db, p4, sheet, 10, local(2025, 5, 29), status="provisional")  # not counted yet
    with app.app_context():
        result = ranking(get_session(), organisation_id=world.org_a.id, month="2025-05", now=local(2025, 5, 30))
    rows = [(r.name, r.rank, r.combined, r.inspections, r.change) for r in result.rows]
    assert rows == [("三号项目", 1, 85.0, 1, None), ("江城壹号销售中心", 1, 85.0, 2, 15.0), ("四号项目", 3, 60.0, 1, None),
                    ("秘密二号项目", None, None, 0, None)]
    assert result.rows[2].provisional == 1 and not result.rows[3].inspected and not result.frozen
    assert result.rows[1].scores == {"mini-sheet": 8.5}


def test_the_ranking_freezes_after_the_close_once_nothing_is_provisional(app, world, db, sheet):
    db.add(InspectionSettings(organisation_id=world.org_a.id, close_day=25))
    db.commit()
    inspected(db, world.p1, sheet, 9, local(2025, 5, 10))
    late = inspected(db, world.p2, sheet, 5, local(2025, 5, 24), status="provisional")
    with app.app_context():
        session = get_session()
        # the 26th: closed, but p2's objection window runs to the 27th — not frozen yet
        assert not ranking(session, organisation_id=world.org_a.id, month="2025-05", now=local(2025, 5, 26)).frozen
        frozen = freeze(session, organisation_id=world.org_a.id, month="2025-05", now=local(2025, 5, 28))  # the clock
        assert frozen.frozen and [(r.name, r.rank) for r in frozen.rows] == [("江城壹号销售中心", 1), ("秘密二号项目", 2)]
        sheet_row = session.exec(select(InspectionSheet).where(InspectionSheet.inspection_id == late.id)).one()
        sheet_row.score = 10  # changed after the freeze (say, a late decision): the ranking stays as it was
        session.commit()
        again = ranking(session, organisation_id=world.org_a.id, month="2025-05", now=local(2025, 6, 5))
        assert [(r.name, r.combined) for r in again.rows] == [("江城壹号销售中心", 90.0), ("秘密二号项目", 50.0)]
    assert db.exec(select(RankingSnapshot)).one().month == "2025-05"


def test_the_ranking_page_shows_every_site_and_the_pdf_has_its_chart(login_as, world, db, sheet):
    inspected(db, world.p1, sheet, 8, local(2025, 5, 3))
    admin = login_as("admin")
    page = admin.get(f"/organisations/{world.org_a.id}/ranking?month=2025-05")
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in soup(page).select("#ranking tbody tr")]
    assert rows[0][:3] == ["1", "江城壹号销售中心", "8"] and rows[1][1] == "秘密二号项目" and "本月未检查" in rows[1][-1]
    pdf = admin.get(f"/organisations/{world.org_a.id}/ranking.pdf?month=2025-05")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    from tests.inspections.test_reports import pdf_text

    text = pdf_text(pdf.data)
    assert "案场检查月度排名" in text and "江城壹号销售中心" in text and "80.0" in text
    assert login_as("supervisor").get(f"/organisations/{world.org_a.id}/ranking").status_code == 200  # own sites
    assert login_as("guard").get(f"/organisations/{world.org_a.id}/ranking").status_code == 404


def test_an_inspector_sees_the_sites_they_inspect_with_their_company_rank(login_as, world, db, sheet):
    inspected(db, world.p1, sheet, 8, local(2025, 5, 3))
    inspected(db, world.p2, sheet, 9, local(2025, 5, 4))  # p2 ranks first, but the inspector is not a member there
    page = login_as("inspector").get(f"/organisations/{world.org_a.id}/ranking?month=2025-05")
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in soup(page).select("#ranking tbody tr")]
    assert [row[:2] for row in rows] == [["2", "江城壹号销售中心"]]
    assert world.p2.name not in page.get_data(as_text=True)


def test_a_supervisor_sees_their_sites_rank_among_all_sites_and_never_another_projects_score(login_as, world, db,
                                                                                             sheet):
    inspected(db, world.p1, sheet, 8, local(2025, 5, 3))
    inspected(db, world.p2, sheet, 9, local(2025, 5, 4))  # p2 ranks first, but its score is not the supervisor's
    supervisor = login_as("supervisor")
    page = soup(supervisor.get(f"/organisations/{world.org_a.id}/ranking?month=2025-05"))
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("#ranking tbody tr")]
    assert [row[:4] for row in rows] == [["2", "江城壹号销售中心", "8", "80.0%"]]
    assert "2 个参评项目" in page.select_one(".ranking-scope").get_text()
    assert world.p2.name not in page.get_text() and "90.0" not in page.get_text()
    from tests.inspections.test_reports import pdf_text

    text = pdf_text(supervisor.get(f"/organisations/{world.org_a.id}/ranking.pdf?month=2025-05").data)
    assert "江城壹号销售中心" in text and "80.0" in text and world.p2.name not in text and "90.0" not in text
    for admins_only in ("deductions.csv", "inspection-settings"):  # every site's deductions stay the admins'
        assert supervisor.get(f"/organisations/{world.org_a.id}/{admins_only}?month=2025-05").status_code in (403, 404)


def test_the_inspections_page_links_the_ranking_for_a_supervisor(login_as, world):
    supervisor = login_as("supervisor")
    page = soup(supervisor.get(f"/projects/{world.p1.id}/inspections"))
    link = next(a for a in page.select(".row-actions a") if a.get_text(strip=True) == "月度排名")
    assert supervisor.get(link["href"]).status_code == 200


def test_the_ranking_pdf_sets_site_names_in_simplified_chinese_glyphs(login_as, world, db, sheet):
    import io

    from pypdf import PdfReader

    inspected(db, world.p1, sheet, 8, local(2025, 5, 3))
    pdf = login_as("admin").get(f"/organisations/{world.org_a.id}/ranking.pdf?month=2025-05")
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf.data)).pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and not any("JP" in name.upper() for name in fonts), fonts


def test_a_large_company_lists_every_site_but_charts_the_first_thirty(login_as, world, db, sheet):
    for n in range(34):
        inspected(db, factories.project(db, world.org_a, f"压测项目 {n:02d}"), sheet, 1 + n % 9, local(2025, 5, 3))
    page = soup(login_as("admin").get(f"/organisations/{world.org_a.id}/ranking?month=2025-05"))
    assert len(page.select("#ranking tbody tr")) == 36  # 34 + P1 and P2, not inspected
    assert len(page.select(".ranking-chart rect")) == 30
    assert "共 34 个项目" in page.select_one(".ranking-chart figcaption").get_text()


def test_the_ranking_pdf_gives_each_column_of_a_site_its_tab_stop(app):
    from app.inspections.ranking import Row, figures_line

    sheets = [{"key": "small"}, {"key": "sales"}]
    ranked = Row(project_id=1, name="江城壹号销售中心", scores={"small": 8.0}, combined=80.0, rank=2, inspections=1,
                 previous_rank=3, change=5.0)
    missed = Row(project_id=2, name="秘密二号项目", provisional=1)
    with app.test_request_context():
        # every field but the last is a number shorter than a tab stop; the count, whose length varies, is last
        assert figures_line(ranked, sheets) == "8\t—\t80.0%\t+5.0\t3\t1"
        assert figures_line(missed, sheets) == "—\t—\t—\t—\t—\t0 本月未检查 (1 次暂定未计入)"


def test_the_ranking_pdf_lines_up_each_sites_figures_under_the_header(login_as, world, db, sheet):
    """The PDF's two cells a site (rank and name; the figures at tab stops) read as one row per site, in the
    header's columns, last month's rank in a column of its own."""
    import io
    import subprocess

    inspected(db, world.p1, sheet, 8, local(2025, 5, 3))
    pdf = login_as("admin").get(f"/organisations/{world.org_a.id}/ranking.pdf?month=2025-05").data
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    lines = [line.split() for line in io.StringIO(text.decode()) if line.strip()]
    head = next(line for line in lines if "排名" in line and "项目" in line)
    assert head[-4:] == ["综合得分率", "较上月", "上月排名", "检查次数"]
    assert ["1", "江城壹号销售中心", "8", "80.0%", "—", "—", "1"] in lines
    assert ["—", "秘密二号项目", "—", "—", "—", "—", "0", "本月未检查"] in lines


def test_last_months_rank_beside_the_change_is_translated(app):
    """The page's change reads "+5.0 (上月第 3)"; its message was inside an f-string, which the extractor skips, so
    English readers got the Chinese."""
    from flask_babel import force_locale

    from app.inspections.ranking import Row, change_text

    row = Row(project_id=1, name="江城壹号销售中心", combined=80.0, rank=2, inspections=1, previous_rank=3, change=5.0)
    with app.test_request_context():
        with force_locale("en"):
            assert change_text(row) == "+5.0 (#3 last month)"
        with force_locale("zh_Hant"):
            assert change_text(row) == "+5.0 (上月第 3)"


def _table(page) -> list[list[str]]:
    return [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("#ranking tbody tr")]


def test_the_ranking_page_shows_a_hundred_sites_a_page_ranked_over_every_site(login_as, world, db, sheet):
    many_sites(db, world.org_a, sheet, 230)  # and P1, P2 not inspected: 232 rows
    admin, url = login_as("admin"), f"/organisations/{world.org_a.id}/ranking"
    first = soup(admin.get(f"{url}?month=2025-05"))
    assert [row[:2] for row in _table(first)[:6]] == [["1", "压测项目 000"], ["1", "压测项目 001"], ["1", "压测项目 002"],
                                                      ["1", "压测项目 003"], ["1", "压测项目 004"], ["6", "压测项目 005"]]
    assert len(_table(first)) == 100 and "第 1–100 个,共 232 个项目" in first.select_one(".pager").get_text()
    following = first.select_one(".pager a")
    assert following.get_text(strip=True) == "下一页" and following["hx-target"] == "#ranking-list"
    assert following["href"] == following["hx-get"] and "page=2" in following["href"] and "month=2025-05" in following["href"]
    second = soup(admin.get(following["href"]))  # a plain link: the whole page, without JavaScript
    rows = _table(second)
    assert len(rows) == 100 and rows[0][:2] == ["101", "压测项目 100"] and rows[-1][:2] == ["196", "压测项目 199"]
    assert [a.get_text(strip=True) for a in second.select(".pager a")] == ["上一页", "下一页"]
    last = soup(admin.get(f"{url}?month=2025-05&page=3"))
    assert [row[1] for row in _table(last)][-2:] == ["江城壹号销售中心", "秘密二号项目"] and len(_table(last)) == 32
    assert [a.get_text(strip=True) for a in last.select(".pager a")] == ["上一页"]
    assert len(last.select(".ranking-chart rect")) == 30  # the chart is the company's first thirty on every page


def test_a_page_of_the_ranking_comes_alone_to_htmx_and_a_page_past_the_last_is_the_last(login_as, world, db, sheet):
    many_sites(db, world.org_a, sheet, 120)
    admin, url = login_as("admin"), f"/organisations/{world.org_a.id}/ranking?month=2025-05"
    fragment = admin.get(f"{url}&page=2", headers={"HX-Request": "true"})
    root = soup(fragment).find(True)
    assert fragment.status_code == 200 and root.name == "div" and root["id"] == "ranking-list"
    assert soup(fragment).select_one("html, .ranking-chart, form") is None
    assert [row[1] for row in _table(soup(fragment))][0] == "压测项目 100"
    assert _table(soup(admin.get(f"{url}&page=99"))) == _table(soup(fragment))
    assert _table(soup(admin.get(f"{url}&page=x")))[0][1] == "压测项目 000"


def test_a_site_is_found_by_its_name_with_its_rank_over_every_site(login_as, world, db, sheet):
    many_sites(db, world.org_a, sheet, 230)
    admin = login_as("admin")
    page = soup(admin.get(f"/organisations/{world.org_a.id}/ranking?month=2025-05&q=项目 21"))
    assert [row[:2] for row in _table(page)] == [[str(211 if n < 215 else 216), f"压测项目 {n}"] for n in range(210, 220)]
    assert page.select_one(".pager") is None and page.select_one("#ranking-q")["value"] == "项目 21"
    nothing = soup(admin.get(f"/organisations/{world.org_a.id}/ranking?month=2025-05&q=<b>无此项目</b>"))
    assert _table(nothing) == [["没有项目。"]] and nothing.select_one("#ranking-q")["value"] == "<b>无此项目</b>"


def test_the_ranking_pdf_still_lists_every_site(login_as, world, db, sheet):
    from tests.inspections.test_reports import pdf_text

    many_sites(db, world.org_a, sheet, 230)
    text = pdf_text(login_as("admin").get(f"/organisations/{world.org_a.id}/ranking.pdf?month=2025-05").data)
    assert "压测项目 000" in text and "压测项目 150" in text and "压测项目 229" in text and "秘密二号项目" in text
