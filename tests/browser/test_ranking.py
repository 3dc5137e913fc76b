"""An admin pages through the ranking of 230 sites and finds one by name, the table swapped in place by htmx."""
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import log_in
from tests.inspections.helpers import many_sites

TABLET = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN"}


def test_the_ranking_pages_and_finds_a_site_without_leaving_the_page(browser, live_server, world, db):
    many_sites(db, world.org_a, factories.checklist(db, world.org_a, factories.score_sheet_definition()), 230)
    context = browser.new_context(**TABLET, base_url=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "admin", factories.PASSWORD)
    page.goto(f"/organisations/{world.org_a.id}/ranking?month=2025-05")
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(100)
    page.evaluate("window.stayed = true")  # gone if the link loaded a whole new page
    page.get_by_role("link", name="下一页").click()
    expect(rows.first.locator("td").first).to_have_text("101")
    expect(page.get_by_text("第 101–200 个,共 232 个项目")).to_be_visible()
    assert page.evaluate("window.stayed") is True and "page=2" in page.url
    page.get_by_label("项目名称").fill("项目 21")
    expect(rows).to_have_count(10)
    expect(rows.first.locator("td").nth(1)).to_have_text("压测项目 210")
    assert page.evaluate("window.stayed") is True and "q=" in page.url
    expect(page.locator(".ranking-chart rect")).to_have_count(30)
    context.close()
