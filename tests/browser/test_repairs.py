"""A repair from report to callback on 360×740 phones, the engineer finishing it offline."""
from playwright.sync_api import expect
from sqlmodel import select

from app.core.audit import AuditLog
from app.core.db import utcnow
from app.core.photos import Photo
from app.repairs.models import Ticket
from tests import factories, images
from tests.browser.helpers import PHONE_CONTEXT, log_in, wait_for_kept_pages


def _phone(browser, site):
    context = browser.new_context(**PHONE_CONTEXT, base_url=site.url)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def _ticket(db, description):
    db.expire_all()
    return db.exec(select(Ticket).where(Ticket.description == description)).one()


def test_report_dispatch_finish_offline_and_call_back(browser, site, offline_phone, world, db, tmp_path):
    leak, fixed = tmp_path / "leak.jpg", tmp_path / "fixed.jpg"
    leak.write_bytes(images.image())
    fixed.write_bytes(images.image("JPEG", color=(20, 160, 60)))

    attendant_ctx, attendant = _phone(browser, site)
    log_in(attendant, "attendant", factories.PASSWORD)
    attendant.get_by_role("link", name="报修 / 异常上报").first.click()
    attendant.get_by_label("问题描述").fill("样板间A 卫生间天花板漏水")
    attendant.get_by_label("照片").set_input_files(str(leak))
    attendant.get_by_role("button", name="提交").click()
    expect(attendant.get_by_role("status").filter(has_text="已保存到本机")).to_be_visible()
    attendant.goto("/sync")  # the outbox page lists the entry until the server has it
    expect(attendant.locator(".outbox-entry .outbox-state")).to_have_text("已同步")
    ticket = _ticket(db, "样板间A 卫生间天花板漏水")
    attendant_ctx.close()

    supervisor_ctx, supervisor = _phone(browser, site)
    log_in(supervisor, "supervisor", factories.PASSWORD)
    supervisor.goto(f"/tickets/{ticket.id}")
    expect(supervisor.locator(".ticket-status")).to_have_text("待派单")
    supervisor.get_by_label("派给").select_option(label=world.users["engineer"].display_name)
    supervisor.get_by_role("button", name="派单").click()
    expect(supervisor.locator(".ticket-status")).to_have_text("已派单")

    phone, network = offline_phone
    engineer = phone.new_page()
    log_in(engineer, "engineer", factories.PASSWORD)
    engineer.get_by_role("link", name="我的工单").first.click()
    engineer.get_by_role("link", name=ticket.number).click()
    engineer.get_by_role("button", name="开始处理").click()
    expect(engineer.get_by_role("heading", name="我的工单")).to_be_visible()
    engineer.goto("/sync")
    expect(engineer.locator(".outbox-entry .outbox-state")).to_have_text("已同步")
    engineer.goto(f"/tickets/{ticket.id}")  # online once more: the kept copy now has the finish form
    expect(engineer.get_by_role("heading", name="完工")).to_be_visible()
    wait_for_kept_pages(engineer, ["/my-tickets", f"/tickets/{ticket.id}"])

    network.cut()  # in the plant room
    engineer.reload()
    engineer.get_by_label("维修说明").fill("更换了三通接头")
    engineer.get_by_label("使用材料").fill("三通接头 1 个")
    engineer.get_by_label("维修后照片").set_input_files(str(fixed))
    engineer.get_by_role("button", name="提交完工").click()
    expect(engineer.locator("#sync-badge")).to_have_text("待同步 1")
    assert _ticket(db, "样板间A 卫生间天花板漏水").status == "in_progress"
    network.restore()
    expect(engineer.locator("#sync-badge")).to_have_text("✓ 已同步")  # it waited as "待同步 1" until now
    finished = _ticket(db, "样板间A 卫生间天花板漏水")
    assert finished.status == "awaiting_callback" and finished.work_note == "更换了三通接头"
    assert len(db.exec(select(Photo).where(Photo.owner_type == "ticket_after", Photo.owner_id == ticket.id)).all()) == 1

    supervisor.goto(f"/tickets/{ticket.id}")
    supervisor.get_by_label("5", exact=True).check()
    supervisor.get_by_label("回访记录").fill("业主表示满意")
    supervisor.get_by_role("button", name="保存回访").click()
    expect(supervisor.locator(".ticket-status")).to_have_text("已关闭")
    assert _ticket(db, "样板间A 卫生间天花板漏水").satisfaction == 5
    supervisor_ctx.close()


def _dispatched(db, world, description):
    ticket, _photo, _record = factories.ticket(db, world.p1, world.users["attendant"], description)
    ticket.status, ticket.assignee_id, ticket.dispatched_at = "dispatched", world.users["engineer"].id, utcnow()
    db.add(ticket)
    db.commit()
    return ticket


def test_an_engineer_offline_starts_and_finishes_a_dispatched_ticket(offline_phone, world, db, tmp_path):
    fixed = tmp_path / "fixed.jpg"
    fixed.write_bytes(images.image("JPEG", color=(20, 160, 60)))
    ticket = _dispatched(db, world, "地下车库 水泵异响")
    phone, network = offline_phone
    engineer = phone.new_page()
    log_in(engineer, "engineer", factories.PASSWORD)
    wait_for_kept_pages(engineer, ["/my-tickets", f"/tickets/{ticket.id}"])

    network.cut()  # in the basement before starting
    engineer.goto(f"/tickets/{ticket.id}")
    engineer.get_by_role("button", name="开始处理").click()
    expect(engineer.get_by_role("heading", name="我的工单")).to_be_visible()
    engineer.goto(f"/tickets/{ticket.id}")  # the kept page, as the queued start makes it
    expect(engineer.locator(".ticket-status")).to_have_text("开始处理 · 待同步")
    expect(engineer.get_by_role("button", name="开始处理")).to_have_count(0)  # no second start
    engineer.get_by_role("button", name="提交完工").click()  # nothing filled in: the phone says what the server would
    expect(engineer.get_by_role("alert").filter(has_text="完工须上传维修后照片。")).to_be_visible()
    engineer.get_by_label("维修说明").fill("更换了水泵轴承")
    engineer.get_by_label("维修后照片").set_input_files(str(fixed))
    engineer.get_by_role("button", name="提交完工").click()
    expect(engineer.locator("#sync-badge")).to_have_text("待同步 2")
    network.restore()
    expect(engineer.locator("#sync-badge")).to_have_text("✓ 已同步")
    assert _ticket(db, "地下车库 水泵异响").status == "awaiting_callback"
    actions = db.exec(select(AuditLog.action).where(AuditLog.object_type == "ticket", AuditLog.object_id == ticket.id)).all()
    assert sorted(a for a in actions if a in ("ticket.start", "ticket.finish")) == ["ticket.finish", "ticket.start"]


def test_a_ticket_dispatched_while_the_app_is_open_is_kept_within_one_sync_run(offline_phone, world, db):
    phone, network = offline_phone
    engineer = phone.new_page()
    log_in(engineer, "engineer", factories.PASSWORD)
    engineer.goto("/sync")
    wait_for_kept_pages(engineer, ["/my-tickets"])
    ticket = _dispatched(db, world, "大堂 感应门不开")
    engineer.get_by_role("button", name="立即同步").click()  # one sync run, nothing waiting to send
    wait_for_kept_pages(engineer, [f"/tickets/{ticket.id}"])
    network.cut()
    engineer.goto(f"/tickets/{ticket.id}")
    expect(engineer.get_by_role("heading", name=ticket.number)).to_be_visible()
    expect(engineer.get_by_role("button", name="开始处理")).to_be_visible()


def test_a_refused_callback_stays_on_the_tickets_address_and_a_reload_sends_nothing_again(phone, world, db):
    ticket = _dispatched(db, world, "会所 门禁失灵")
    ticket.status = "awaiting_callback"
    db.add(ticket)
    db.commit()
    page = phone.new_page()
    log_in(page, world.users["supervisor"].username, factories.PASSWORD)
    page.goto(f"/tickets/{ticket.id}")
    form = page.locator("form", has=page.get_by_role("button", name="保存回访"))
    form.evaluate("f => { f.noValidate = true; }")  # no satisfaction chosen: the server refuses it
    page.get_by_role("button", name="保存回访").click()
    expect(page.locator(".form-error, [role=alert]").first).to_contain_text("满意度须为 1 到 5 分")
    assert page.url.endswith(f"/tickets/{ticket.id}")  # not /tickets/N/act
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.reload()
    expect(page.locator(".ticket-status")).to_have_text("待回访")
    assert posts == []
    assert _ticket(db, "会所 门禁失灵").status == "awaiting_callback"
