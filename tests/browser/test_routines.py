"""engineer1 walks the demo's monthly fire check (消防月检) on a 360×740 phone, the plant room offline; the failed
exit reaches the supervisor."""
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app import demo
from app.accounts.models import User
from app.core.clock import run_due
from app.core.notifications import Notification
from app.patrols.models import Round, Route, Visit
from app.projects.models import Checkpoint
from tests import images
from tests.browser.helpers import enter_code, log_in, wait_for_kept_pages


@pytest.fixture
def demo_estate(app, db):
    """The demo, with the clock's rounds made: the fire check of 滨江花园 is due now."""
    with app.app_context():
        demo.seed(db)
        db.commit()
        run_due(app, names=["patrols.rounds"], force=True)
    route = db.exec(select(Route).where(Route.name == "消防月检")).one()
    return db.exec(select(Round).where(Round.route_id == route.id)).one()


def _all_pass(page):
    """Every pass/fail and yes/no item answered well, the count and the drill filled."""
    for box in page.locator("fieldset.checklist-item").all():
        passed = box.get_by_role("radio", name="合格", exact=True)
        if passed.count():
            passed.check()
        elif box.get_by_role("radio", name="是", exact=True).count():
            box.get_by_role("radio", name="是", exact=True).check()
    page.get_by_label("本区域灭火器数量").fill("12")
    page.get_by_role("radio", name="已演练").check()


def test_engineer1_walks_the_monthly_fire_check_on_a_phone(offline_phone, db, demo_estate, tmp_path):
    _phone, network = offline_phone
    round_ = demo_estate
    photo = tmp_path / "exit.jpg"
    photo.write_bytes(images.image())
    page = offline_phone[0].new_page()
    log_in(page, "engineer1", demo.PASSWORD)
    page.get_by_role("link", name="消防月检 ·").click()
    expect(page.get_by_role("heading", name="消防月检")).to_be_visible()
    walk = f"/rounds/{round_.id}/walk"
    wait_for_kept_pages(page, [walk, f"/rounds/{round_.id}/stops/1", f"/rounds/{round_.id}/stops/2"])

    lobby, pump_room = round_.stops
    enter_code(page, db.exec(select(Checkpoint.code).where(Checkpoint.id == lobby["checkpoint_id"])).one())
    expect(page.get_by_role("heading", name=lobby["name"])).to_be_visible()
    _all_pass(page)
    exits = page.locator("#item-exits-clear-box")
    exits.get_by_role("radio", name="不合格", exact=True).check()
    exits.locator('input[name="photo-exits-clear"]').set_input_files(str(photo))
    exits.locator('[name="note-exits-clear"]').fill("安全出口堆放纸箱")
    page.get_by_role("button", name="提交本点").click()
    expect(page.get_by_role("heading", name="消防月检")).to_be_visible()

    network.cut()  # the pump room in the basement has no signal
    enter_code(page, db.exec(select(Checkpoint.code).where(Checkpoint.id == pump_room["checkpoint_id"])).one())
    expect(page.get_by_role("heading", name=pump_room["name"])).to_be_visible()
    _all_pass(page)
    page.get_by_role("button", name="提交本点").click()
    expect(page.locator('.stop[data-position="2"] .stop-state')).to_have_text("已记录,待同步")
    network.restore()
    page.get_by_role("button", name="结束本轮").click()
    expect(page.get_by_role("status").filter(has_text="已结束本轮")).to_be_visible()  # the finish is queued
    for _ in range(100):  # and sent: the badge may still say synced from the visits' run (CI saw it read so)
        if page.evaluate("async () => (await WuyeOutbox.counts(Number(document.body.dataset.userId))).waiting") == 0:
            break
        page.wait_for_timeout(100)
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步")

    db.expire_all()
    visits = db.exec(select(Visit).where(Visit.round_id == round_.id).order_by(Visit.position)).all()
    engineer = db.exec(select(User).where(User.username == "engineer1")).one()
    assert [(v.position, v.guard_id, v.failed) for v in visits] == [(1, engineer.id, ["exits-clear"]),
                                                                    (2, engineer.id, [])]
    assert db.get(Round, round_.id).finished_by == engineer.id
    supervisor = db.exec(select(User).where(User.username == "supervisor1")).one()
    [told] = db.exec(select(Notification).where(Notification.event == "patrols.failed")).all()
    assert told.user_id == supervisor.id and told.params["items"] == ["消防通道畅通,安全出口无锁闭、无杂物堆放"]
