"""A supervisor sets up a group robot from the project page on a phone, under the content security policy."""
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import log_in

ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def test_a_supervisor_adds_a_wecom_robot_and_queues_a_test(phone, world):
    page = phone.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, "supervisor", factories.PASSWORD)
    page.goto(f"/projects/{world.p1.id}")
    page.get_by_role("link", name="消息渠道").click()
    page.get_by_label("名称").fill("主管群")
    page.get_by_label("机器人 Webhook 地址或电子邮件地址").fill("ftp://wrong")
    page.get_by_role("button", name="添加").click()
    expect(page.locator(".form-error").first).to_contain_text("http://")
    page.get_by_label("机器人 Webhook 地址或电子邮件地址").fill(ROBOT)
    page.get_by_label("报修工单").check()
    page.get_by_role("button", name="添加").click()
    row = page.locator("#channels li", has_text="主管群")
    expect(row).to_contain_text("https://qyapi.weixin.qq.com/…5aaa")
    expect(row).not_to_contain_text("693a91f6")
    row.get_by_role("button", name="发送测试").click()
    expect(page.locator("#channels li", has_text="主管群").locator(".last-delivery")).to_contain_text("待发送")
    page.screenshot(path="/tmp/channels-settings.png", full_page=True)
    assert [e for e in errors if "status of 422" not in e] == []  # the refused form answers 422, on purpose
