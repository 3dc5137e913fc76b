"""At the desk on a 1024×768 screen: an owner complains about night noise from a guard post; it goes to security,
is replied to, called back and closed, and appears in the day's complaint report and the month's figures."""
from playwright.sync_api import expect
from sqlmodel import select

from app.complaints.models import Complaint
from tests import factories
from tests.browser.helpers import log_in
from tests.complaints.helpers import handler

DESK = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN"}


def _screen(browser, live_server, who):
    context = browser.new_context(**DESK, base_url=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, who, factories.PASSWORD)
    return context, page


def test_a_night_noise_complaint_from_desk_to_the_days_report(browser, live_server, world, db):
    handler(db, world)  # guard_lead answers for the security department
    p1 = world.p1.id
    desk_ctx, desk = _screen(browser, live_server, "frontdesk")
    desk.goto(f"/projects/{p1}/complaints")
    desk.get_by_role("link", name="受理投诉").click()
    desk.get_by_label("投诉人").fill("王女士")
    desk.get_by_label("联系电话").fill("13800138000")
    desk.get_by_label("房号").fill("3栋2单元1201")
    desk.get_by_label("渠道").select_option(label="来电")
    desk.get_by_label("投诉类别").select_option("噪音")
    desk.get_by_label("投诉内容").fill("每晚 11 点后保安岗亭对讲机声音很大,影响休息")
    desk.get_by_role("button", name="受理", exact=True).click()
    expect(desk.locator(".complaint-status")).to_have_text("已受理")
    number = desk.locator("h1").inner_text().split()[-1]
    desk.get_by_label("处理部门").select_option(label="秩序维护部")
    desk.get_by_role("button", name="转交").click()
    expect(desk.locator(".complaint-status")).to_have_text("已派部门")
    complaint_url = desk.url

    guard_ctx, guard = _screen(browser, live_server, "guard_lead")
    guard.goto(complaint_url)
    guard.get_by_label("答复内容").fill("已调低岗亭对讲机音量,夜班改用耳麦")
    guard.get_by_role("button", name="记录答复").click()
    expect(guard.locator(".complaint-status")).to_have_text("已答复")
    guard_ctx.close()

    desk.goto(f"/projects/{p1}/callback-list")
    row = desk.locator(".callback-row").filter(has_text=number)
    row.get_by_text("记录回访").click()
    row.get_by_label("已联系上").check()
    row.get_by_label("5").check()
    row.get_by_label("回访记录").fill("晚上安静了")
    row.get_by_role("button", name="保存回访").click()
    expect(desk.get_by_text("没有待回访的事项。")).to_be_visible()
    desk.goto(complaint_url)
    expect(desk.locator(".complaint-status")).to_have_text("已回访")
    desk.get_by_role("button", name="关闭投诉").click()
    expect(desk.locator(".complaint-status")).to_have_text("已关闭")
    expect(desk.locator("[data-owner]")).to_have_text(world.users["frontdesk"].display_name)

    desk.goto(f"/projects/{p1}/complaints/daily")
    expect(desk.locator(".daily-complaints tbody tr").filter(has_text=number)).to_contain_text("秩序维护部")
    expect(desk.locator("[data-figure=received]")).to_have_text("1")
    expect(desk.locator("[data-figure=closed]")).to_have_text("1")
    desk.goto(f"/projects/{p1}/frontdesk/monthly")
    expect(desk.locator("[data-figure=complaints]")).to_have_text("1")
    expect(desk.locator("[data-figure=callback_rate]")).to_contain_text("100.0%")
    expect(desk.locator("[data-figure=satisfaction]")).to_contain_text("满意 1 次")
    desk_ctx.close()
    db.expire_all()
    saved = db.exec(select(Complaint)).one()
    assert (saved.status, saved.satisfaction, saved.owner_id) == ("closed", 5, world.users["frontdesk"].id)
