"""A month of inspections as workbooks: scores and points as numbers a manager can sort, every deduction."""
from tests.html import soup
from tests.inspections.helpers import SHANGHAI, VISIT, visit_month
from tests.xlsx import table, workbook


def test_the_months_workbook_has_the_ranking_the_scores_by_category_and_every_deduction(login_as, world, scored):
    url = f"/organisations/{world.org_a.id}/inspections.xlsx?month={visit_month()}"
    book = workbook(login_as("admin").get(url))
    assert book.sheetnames == ["排名", "检查得分", "扣分明细"]
    deductions = table(book["扣分明细"])
    floor = next(r for r in deductions if r["扣分项"] == "地面干净")
    assert (floor["项目"], floor["检查表"], floor["类别"], floor["次数"], floor["扣分"]) == (
        "江城壹号销售中心", "小检查表", "环境展示类", 2, 2)
    assert floor["检查时间"] == VISIT.astimezone(SHANGHAI).replace(tzinfo=None) and floor["状态"] == "已生效"
    scores = table(book["检查得分"])
    assert {(r["检查表"], r["满分"], r["得分"], r["类别"], r["类别扣分"]) for r in scores} == {
        ("小检查表", 10, 6, "环境展示类", 4)}
    assert scores[0]["得分率"] == 60
    [site] = [r for r in table(book["排名"]) if r["项目"] == "江城壹号销售中心"]
    assert (site["排名"], site["小检查表"], site["综合得分率"], site["检查次数"], site["暂定未计入"]) == (1, 6, 60, 1, 0)
    assert book["排名"]["D2"].number_format == "0.0"
    assert login_as("inspector").get(url).status_code == 403


def test_the_ranking_workbook_shows_a_reader_only_their_sites(login_as, world, scored):
    url = f"/organisations/{world.org_a.id}/ranking.xlsx?month={visit_month()}"
    everyone = {r["项目"] for r in table(workbook(login_as("admin").get(url)).active)}
    assert {"江城壹号销售中心", world.p2.name} <= everyone
    mine = {r["项目"] for r in table(workbook(login_as("inspector").get(url)).active)}
    assert mine == {"江城壹号销售中心"}
    assert login_as("other_admin").get(url).status_code == 404
    page = soup(login_as("admin").get(f"/organisations/{world.org_a.id}/ranking?month={visit_month()}"))
    links = [a["href"] for a in page.select("a")]
    assert url in links and url.replace("ranking.xlsx", "inspections.xlsx") in links
