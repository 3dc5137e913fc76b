"""A phone call taken at the front desk on a 1024×768 screen: the unit found by its room number, the repair
registered and dispatched to engineering from the desk, within the 3-minute target."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from app.repairs.models import Ticket
from tests import factories
from tests.browser.helpers import PHONE_CONTEXT, log_in
from tests.frontdesk import helpers

DESK = {**PHONE_CONTEXT, "viewport": {"width": 1024, "height": 768}}


def test_a_call_about_a_leak_is_found_by_room_registered_and_dispatched(browser, site, world, db):
    helpers.unit(db, world.p1, "3栋2单元1201", owners=(("王先生", "13800138000"),))
    helpers.unit(db, world.p1, "5栋1单元1201", owners=(("李女士", "13900139000"),))
    context = browser.new_context(**DESK, base_url=site.url)
    context.set_default_timeout(10_000)
    desk = context.new_page()
    log_in(desk, "frontdesk", factories.PASSWORD)
    desk.get_by_role("link", name="来电来访登记").first.click()
    desk.wait_for_load_state()  # htmx wires the type-ahead up at load: CI once typed before, and nothing was asked

    desk.get_by_label("来电", exact=True).check()
    desk.get_by_label("房号").fill("1201")
    choices = desk.get_by_role("option")
    expect(choices).to_have_count(2)
    desk.get_by_role("option", name="3栋2单元1201 · 王先生").click()
    expect(desk.get_by_label("联系电话")).to_have_value("13800138000")
    expect(desk.get_by_label("姓名")).to_have_value("王先生")
    expect(desk.get_by_label("预约时间")).to_be_hidden()  # shown for a repair only
    desk.get_by_label("报修", exact=True).check()
    desk.get_by_label("来电内容").fill("楼上漏水到卫生间天花板")
    expect(desk.get_by_label("预约时间")).to_be_visible()
    desk.get_by_role("button", name="登记").click()

    expect(desk.get_by_role("heading", name="来电来访记录")).to_be_visible()  # queued, then the call log
    desk.goto("/sync")
    expect(desk.locator(".outbox-entry .outbox-state")).to_have_text("已同步")
    desk.goto(f"/projects/{world.p1.id}/frontdesk/calls")
    desk.get_by_role("link", name="查看报修工单").click()
    expect(desk.locator(".ticket-status")).to_have_text("待派单")
    desk.get_by_label("派给").select_option(label=world.users["engineer"].display_name)
    desk.get_by_role("button", name="派单").click()
    expect(desk.locator(".ticket-status")).to_have_text("已派单")
    context.close()

    db.expire_all()
    ticket = db.exec(select(Ticket).where(Ticket.description == "楼上漏水到卫生间天花板")).one()
    assert (ticket.unit_label, ticket.reporter_phone, ticket.channel) == ("3栋2单元1201", "13800138000", "phone")
    assert ticket.dispatched_by == world.users["frontdesk"].id
    assert ticket.dispatched_at - ticket.created_at < timedelta(minutes=3)
