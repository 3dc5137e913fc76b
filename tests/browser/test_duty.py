"""A guard's night on a 360×740 phone: clock in at 20:00 for the night post, a duty-log entry, the hand-over made
offline, and the morning guard taking the radio over."""
from datetime import datetime, timezone

from playwright.sync_api import expect
from sqlmodel import select

from app.core.db import get_session
from app.shifts import duty, services
from app.shifts.models import Attendance, DutyHandover, DutyHandoverItem, ShiftEvent
from tests import factories
from tests.browser.helpers import PHONE_CONTEXT, log_in, wait_for_kept_pages, wait_until_synced


def zone_where_it_is(hour: int) -> str:
    """A whole-hour time zone whose clock shows `hour` now: the company's clock moved to the evening, so the
    server and the phone agree that a clock-in now is at 20:xx."""
    offset = (hour - datetime.now(timezone.utc).hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # Etc/GMT-4 is UTC+4


def test_a_guards_night_clock_in_log_hand_over_offline_and_the_morning_guard_takes_over(
        app, world, db, offline_phone, browser, site, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEZONE", zone_where_it_is(20))
    with app.app_context():
        session, admin = get_session(), world.users["supervisor"]
        post = services.save_post(session, actor=admin, project=world.p1, name="大堂岗", kind="lobby",
                                  always_manned=True)
        duty.save_equipment(session, actor=admin, post=post, text="对讲机 1")
        services.save_pattern(session, actor=admin, project=world.p1, name="白班", start="08:00", end="20:00")
        services.save_pattern(session, actor=admin, project=world.p1, name="夜班", start="20:00", end="08:00")
    zhang = factories.user(db, world.org_a, "zhang", roles=[(world.p1, "guard")])
    chen = factories.user(db, world.org_a, "chen", roles=[(world.p1, "guard")])
    duty_page = f"/projects/{world.p1.id}/duty"

    context, network = offline_phone
    page = context.new_page()
    log_in(page, "zhang", factories.PASSWORD)
    page.goto(duty_page)
    page.get_by_label("岗位").select_option(label="大堂岗")
    expect(page.get_by_label("班次").locator("option:checked")).to_have_text("夜班 20:00-次日08:00")
    page.get_by_role("button", name="上岗打卡").click()
    wait_until_synced(page, 1)
    page.reload()
    expect(page.locator(".shift-now strong")).to_have_text("在岗:大堂岗 · 夜班")
    page.get_by_label("事件").fill("地下车库B1 入口灯不亮,已报工程")
    page.get_by_role("button", name="记录", exact=True).click()
    wait_until_synced(page, 2)
    wait_for_kept_pages(page, [duty_page])

    network.cut()  # the guard booth's one bar of signal is gone
    page.reload()  # the kept copy, with the hand-over form
    page.get_by_label("对讲机 数量").fill("1")
    page.get_by_label("交班说明").fill("夜间无异常")
    page.get_by_role("button", name="交班给下一班").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")
    expect(page.get_by_text("已交班;等待接班人确认。")).to_be_visible()
    db.expire_all()
    assert db.exec(select(DutyHandover)).first() is None

    network.restore()
    wait_until_synced(page, 3)
    db.expire_all()
    shift = db.exec(select(Attendance).where(Attendance.user_id == zhang.id)).one()
    handover = db.exec(select(DutyHandover)).one()
    assert handover.attendance_id == shift.id and handover.note == "夜间无异常"
    assert db.exec(select(ShiftEvent.attendance_id)).all() == [shift.id]

    morning = browser.new_context(**PHONE_CONTEXT, base_url=site.url)
    morning.set_default_timeout(10_000)
    page2 = morning.new_page()
    log_in(page2, "chen", factories.PASSWORD)
    page2.goto(duty_page)
    receive = page2.locator("#duty-receive")
    expect(receive).to_contain_text("夜间无异常")
    page2.get_by_text("本班值班记录 1 条").click()
    expect(receive).to_contain_text("地下车库B1 入口灯不亮")
    expect(page2.get_by_label("对讲机(交 1)")).to_have_value("1")
    page2.get_by_role("button", name="确认接班").click()
    wait_until_synced(page2, 1)
    morning.close()
    db.expire_all()
    handover = db.get(DutyHandover, handover.id)
    assert (handover.status, handover.received_by) == ("received", chen.id)
    assert db.exec(select(DutyHandoverItem.received)).all() == [1]
