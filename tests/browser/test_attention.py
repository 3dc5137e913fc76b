"""The supervisor on a 1024×768 tablet: a missed round appears on the home, is acknowledged with one tap and is
gone; the today table sorts; offline, the kept home says how old it is."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from app.core.attention import Acknowledgement
from tests import factories
from tests.browser.helpers import Network, log_in, wait_for_kept_pages

TABLET = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN", "service_workers": "allow", "has_touch": True}


def test_a_missed_round_appears_is_acknowledged_and_is_gone(browser, site, world, db, tmp_path):
    round_ = world.rounds["p1"]  # its deadline passed an hour ago: nobody walked it
    shift = timedelta(hours=2, minutes=15)
    round_.slot_start, round_.window_end = round_.slot_start - shift, round_.window_end - shift
    round_.deadline, round_.closes_at = round_.deadline - shift, round_.closes_at - shift
    db.add(round_)
    db.commit()
    context = browser.new_context(**TABLET, base_url=site.url)
    context.set_default_timeout(10_000)
    network = Network(context, site)
    page = context.new_page()
    log_in(page, "supervisor", factories.PASSWORD)
    wait_for_kept_pages(page, ["/"])
    page.reload()
    line = page.locator("#attention li.attention-item").filter(has_text="漏巡 1 轮")
    expect(line).to_contain_text(world.routes["p1"].name)
    expect(line).to_contain_text(world.p1.name)
    page.screenshot(path=str(tmp_path / "attention-tablet.png"), full_page=True)
    line.get_by_role("button", name="知道了").click()
    expect(page.locator("#attention li.attention-item").filter(has_text="漏巡 1 轮")).to_have_count(0)
    assert db.exec(select(Acknowledgement).where(Acknowledgement.key == f"patrols.rounds:{round_.route_id}")).one()
    page.reload()
    expect(page.locator("#attention")).to_be_visible()
    expect(page.locator("#attention li.attention-item").filter(has_text="漏巡 1 轮")).to_have_count(0)

    # the today table: one row per project, sortable by a tap on a header
    expect(page.locator(".today-table tbody tr")).to_have_count(1)
    header = page.locator(".today-table thead th").nth(1)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")

    network.cut()  # the kept home, offline: it says how old its list is and cannot acknowledge
    page.reload()
    expect(page.locator("#attention .attention-age")).to_contain_text("离线")
    for button in page.locator("#attention form button").all():
        expect(button).to_be_disabled()
    network.restore()
    context.close()


def test_thirty_sites_fit_one_tablet_screen(browser, site, app, world, db, tmp_path):
    from app.accounts.models import Membership

    lead = world.users["supervisor"]
    for n in range(29):
        project = factories.project(db, world.org_a, f"连锁案场{n:02d}")
        db.add(Membership(user_id=lead.id, project_id=project.id, role="supervisor"))
    db.commit()
    context = browser.new_context(**TABLET, base_url=site.url)
    page = context.new_page()
    log_in(page, "supervisor", factories.PASSWORD)
    table = page.locator(".today-table")
    expect(table.locator("tbody tr")).to_have_count(30)
    box = table.bounding_box()
    page.screenshot(path=str(tmp_path / "today-30.png"), full_page=True)
    assert box["height"] <= 768 - 60, box  # the 30 rows and their header fit one screen (the tab bar aside)
    context.close()
