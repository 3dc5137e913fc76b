"""An attendant's shift on a 360×740 phone: clock in, count visitors and log the water bar, partly offline."""
from playwright.sync_api import expect
from sqlmodel import select

from app.shifts.models import Attendance, WaterEntry, WaterItem
from tests import factories
from tests.browser.helpers import log_in, wait_for_kept_pages, wait_until_synced


def test_clock_in_count_and_water_bar_partly_offline(offline_phone, world, db):
    li = factories.user(db, world.org_a, "li", roles=[(world.p1, "attendant")])
    objects, my_shift = world.shifts["p1"], f"/projects/{world.p1.id}/my-shift"
    context, network = offline_phone
    page = context.new_page()
    log_in(page, "li", factories.PASSWORD)
    page.get_by_role("link", name="我的班次").click()
    page.get_by_label("岗位").select_option(label=objects.post.name)
    page.get_by_role("button", name="上岗打卡").click()
    wait_until_synced(page, 1)
    page.reload()
    expect(page.locator(".shift-now strong")).to_have_text(f"在岗:{objects.post.name} · 早班")
    wait_for_kept_pages(page, [my_shift])

    tap = page.get_by_role("button", name="+1 接待")
    tap.click()
    tap.click()
    expect(page.locator("#visitor-count")).to_have_text("2")
    wait_until_synced(page, 3)

    network.cut()  # the sales hall's basement water bar
    page.reload()  # the kept copy: it knows the two taps from the outbox's answers
    expect(page.locator("#visitor-count")).to_have_text("2")
    for _ in range(3):
        tap.click()
    expect(page.locator("#visitor-count")).to_have_text("5")
    plus = page.get_by_role("button", name=f"{objects.item.name} 加一")
    plus.click()
    plus.click()
    expect(page.get_by_label(objects.item.name, exact=True)).to_have_value("2")
    page.get_by_role("button", name="记录用量").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 4")
    db.expire_all()
    assert db.exec(select(Attendance).where(Attendance.user_id == li.id)).one().visitors == 2

    network.restore()
    wait_until_synced(page, 7)
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步")
    expect(page.locator("#visitor-count")).to_have_text("5")
    db.expire_all()
    assert db.exec(select(Attendance).where(Attendance.user_id == li.id)).one().visitors == 5
    assert db.exec(select(WaterEntry.used).where(WaterEntry.item_id == objects.item.id)).all() == [2]


def test_a_refused_water_bar_entry_opens_in_the_water_bar_form_to_be_corrected(phone, world, db):
    factories.user(db, world.org_a, "wang", roles=[(world.p1, "attendant")])
    objects = world.shifts["p1"]
    page = phone.new_page()
    log_in(page, "wang", factories.PASSWORD)
    page.goto(f"/projects/{world.p1.id}/my-shift")
    page.get_by_label("岗位").select_option(label=objects.post.name)
    page.get_by_role("button", name="上岗打卡").click()
    wait_until_synced(page, 1)
    page.reload()
    page.get_by_label(objects.item.name, exact=True).fill("9999")  # more than the bar ever held
    page.get_by_role("button", name="记录用量").click()
    page.goto("/sync")
    entry = page.locator(".outbox-entry", has_text="同步失败")
    expect(entry).to_have_count(1)

    entry.get_by_role("link", name="修改").click()  # my-shift holds several forms: the water bar's is filled
    field = page.get_by_label(objects.item.name, exact=True)
    expect(field).to_have_value("9999")
    field.fill("1")
    page.get_by_role("button", name="记录用量").click()
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步")
    db.expire_all()
    assert db.exec(select(WaterEntry.used).where(WaterEntry.item_id == objects.item.id)).all() == [1]


def test_a_clock_in_made_offline_shows_as_done_on_the_kept_page(offline_phone, world, db):
    factories.user(db, world.org_a, "zhao", roles=[(world.p1, "attendant")])
    objects, my_shift = world.shifts["p1"], f"/projects/{world.p1.id}/my-shift"
    context, network = offline_phone
    page = context.new_page()
    log_in(page, "zhao", factories.PASSWORD)
    page.goto(my_shift)
    wait_for_kept_pages(page, [my_shift])

    network.cut()
    page.reload()
    page.get_by_label("岗位").select_option(label=objects.post.name)
    page.get_by_role("button", name="上岗打卡").click()
    expect(page.get_by_text("已上岗打卡;联网刷新后显示班次详情。")).to_be_visible()
    expect(page.get_by_role("button", name="上岗打卡")).to_be_hidden()
    page.reload()  # the kept copy still holds the form: it is not offered again
    expect(page.get_by_role("button", name="上岗打卡")).to_be_hidden()

    network.restore()
    wait_until_synced(page, 1)
    page.reload()
    expect(page.locator(".shift-now strong")).to_have_text(f"在岗:{objects.post.name} · 早班")


def test_the_counter_keeps_its_taps_after_a_clock_in_made_on_the_same_page(phone, world, db):
    """Arrive, clock in, start tapping, without reloading: the synced taps must not drop off the counter."""
    factories.user(db, world.org_a, "sun", roles=[(world.p1, "attendant")])
    objects = world.shifts["p1"]
    page = phone.new_page()
    log_in(page, "sun", factories.PASSWORD)
    page.goto(f"/projects/{world.p1.id}/my-shift")
    page.get_by_label("岗位").select_option(label=objects.post.name)
    page.get_by_role("button", name="上岗打卡").click()
    wait_until_synced(page, 1)
    tap = page.get_by_role("button", name="+1 接待")
    tap.click()
    tap.click()
    wait_until_synced(page, 3)
    expect(page.locator("#visitor-count")).to_have_text("2")


def test_the_water_bar_shows_the_stock_after_use_queued_offline(offline_phone, world, db):
    factories.user(db, world.org_a, "qian", roles=[(world.p1, "attendant")])
    coffee = WaterItem(project_id=world.p1.id, name="咖啡豆", unit="包", min_stock=3, initial_stock=5)
    db.add(coffee)
    db.commit()
    my_shift = f"/projects/{world.p1.id}/my-shift"
    context, network = offline_phone
    page = context.new_page()
    log_in(page, "qian", factories.PASSWORD)
    page.goto(my_shift)
    wait_for_kept_pages(page, [my_shift])
    network.cut()
    page.reload()  # the kept copy
    line = page.locator(".water-line", has_text="咖啡豆")
    expect(line.locator(".water-stock")).to_have_text("账面 5 包")
    used = page.get_by_label("咖啡豆", exact=True)

    used.fill("-1")  # the browser's own check is off (novalidate): the phone says it, in the user's language
    page.get_by_role("button", name="记录用量").click()
    expect(page.locator("#usage-form .outbox-note")).to_have_text("咖啡豆不能小于 0。")
    expect(used).to_be_focused()
    used.fill("2")
    page.get_by_role("button", name="记录用量").click()
    expect(line.locator(".water-stock")).to_have_text("账面 3 包")
    expect(line.locator(".water-queued")).to_be_visible()
    expect(line.locator(".water-low")).to_be_hidden()  # 3 is the minimum, not under it
    used.fill("1")
    page.get_by_role("button", name="记录用量").click()
    expect(line.locator(".water-stock")).to_have_text("账面 2 包")
    expect(line.locator(".water-low")).to_have_text("· 低于最低库存")
    expect(page.locator("#sync-badge")).to_have_text("待同步 2")

    network.restore()
    wait_until_synced(page, 2)
    expect(line.locator(".water-queued")).to_be_hidden()  # the server's answer now: the same figure
    expect(line.locator(".water-stock")).to_have_text("账面 2 包")
    expect(line.locator(".water-low")).to_be_visible()
    assert db.exec(select(WaterEntry.used).where(WaterEntry.item_id == coffee.id).order_by(WaterEntry.id)).all() == [2, 1]
