"""A guard walks a whole round on a 360×740 phone, part of it offline, entering codes by hand."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.core.clock import run_due
from app.core.db import get_session, utcnow
from app.patrols import services
from app.patrols.models import Round, Visit
from app.projects.models import Project
from app.repairs.models import Ticket
from tests import factories, images
from tests.browser.helpers import enter_code, log_in, wait_for_kept_pages
from tests.patrols.helpers import night_route, three_checkpoints


@pytest.fixture
def due_round(app, world, db):
    """A route of three checkpoints with a round due right now."""
    checkpoints = three_checkpoints(db, world)
    start = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(minutes=5)).strftime("%H:%M")
    with app.app_context():
        session = get_session()
        route, _schedule, _template = night_route(session, world, checkpoints, name="现在这轮", start=start, end=start,
                                                  interval_minutes=0, window_minutes=60)
        run_due(app, names=["patrols.rounds"], force=True)  # the clock makes the round; pages only read
        guard = session.get(type(world.users["guard"]), world.users["guard"].id)
        views = services.my_rounds(session, user=guard, project=session.get(Project, world.p1.id), now=utcnow())
        [view] = [v for v in views if v.route.id == route.id]
        return view.round, checkpoints


def at_first_stop_offline(offline_phone, round_, checkpoints):
    """The guard's phone with the round kept, the network cut, at the first checkpoint (its code typed)."""
    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    walk = f"/rounds/{round_.id}/walk"
    page.goto(walk)
    wait_for_kept_pages(page, [walk, f"/rounds/{round_.id}/stops/1"])
    network.cut()
    enter_code(page, checkpoints[0].code)
    expect(page.get_by_role("heading", name=checkpoints[0].name)).to_be_visible()
    return page


def test_a_guard_walks_a_round_partly_offline(offline_phone, world, db, due_round, tmp_path):
    phone, network = offline_phone
    round_, checkpoints = due_round
    photo = tmp_path / "extinguisher.jpg"
    photo.write_bytes(images.image())
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    page.get_by_role("link", name="夜间巡逻 ·").click()
    expect(page.get_by_role("heading", name="夜间巡逻")).to_be_visible()
    walk = f"/rounds/{round_.id}/walk"
    wait_for_kept_pages(page, [walk] + [f"/rounds/{round_.id}/stops/{p}" for p in (1, 2, 3)])

    network.cut()  # in the basement from here
    enter_code(page, "NOT-A-CODE")  # a typo first
    expect(page.get_by_role("alert").filter(has_text="编码不对")).to_be_visible()  # an alert now, not grey text
    enter_code(page, world.checkpoints["p2"].code)  # another project's label
    expect(page.get_by_role("alert").filter(has_text="不在本轮路线上")).to_be_visible()
    enter_code(page, checkpoints[0].code.lower())
    expect(page.get_by_role("heading", name=checkpoints[0].name)).to_be_visible()
    page.get_by_role("radio", name="不合格").first.check()
    page.get_by_label("配电房温度").fill("28")
    page.locator('input[name="photo-extinguisher"]').set_input_files(str(photo))
    page.locator('[name="note-extinguisher"]').fill("压力表指针在红区")
    page.get_by_role("button", name="提交本点").click()
    expect(page.get_by_role("heading", name="夜间巡逻")).to_be_visible()  # back on the round
    expect(page.locator('.stop[data-position="1"] .stop-state')).to_have_text("已记录,待同步")

    network.restore()
    enter_code(page, checkpoints[1].code)
    page.get_by_role("button", name="提交本点").click()
    expect(page.get_by_role("heading", name="夜间巡逻")).to_be_visible()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))  # the third is skipped
    page.get_by_role("button", name="结束本轮").click()
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()
    assert asked == ["结束本轮?还有 1 个点没巡,将记为漏巡。"]
    expect(page.get_by_role("status").filter(has_text="已结束本轮")).to_be_visible()
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步")

    visits = db.exec(select(Visit).where(Visit.round_id == round_.id).order_by(Visit.position)).all()
    assert [(v.position, v.method) for v in visits] == [(1, "manual"), (2, "manual")]
    assert visits[0].failed == ["extinguisher"] and visits[0].notes == {"extinguisher": "压力表指针在红区"}
    ticket = db.exec(select(Ticket).where(Ticket.source == "patrol")).one()
    assert "灭火器齐全" in ticket.description


def _first_stop_queued_offline(offline_phone, round_, checkpoints):
    """The first checkpoint recorded with the network cut (all passed, 28 ℃), back on the round."""
    page = at_first_stop_offline(offline_phone, round_, checkpoints)
    page.get_by_role("radio", name="合格").first.check()
    page.get_by_label("配电房温度").fill("28")
    page.get_by_role("button", name="提交本点").click()
    expect(page.get_by_role("heading", name="夜间巡逻")).to_be_visible()
    return page


OUTBOX_JS = "async () => (await WuyeOutbox.list(Number(document.body.dataset.userId))).map((e) => e.data)"


def test_a_checkpoint_opened_again_says_it_is_done_and_offers_a_correction(offline_phone, world, db, due_round):
    _phone, network = offline_phone
    round_, checkpoints = due_round
    page = _first_stop_queued_offline(offline_phone, round_, checkpoints)

    enter_code(page, checkpoints[0].code)  # scanned again while the visit still waits on the phone
    expect(page.locator("#stop-done-text")).to_contain_text("本点已记录,待同步:")
    expect(page.get_by_role("button", name="提交本点")).to_be_hidden()  # no silent second visit
    expect(page.get_by_role("button", name="更正:再记一次")).to_be_hidden()
    page.get_by_role("link", name="修改这条待同步的记录").click()  # corrected in place, not recorded twice
    expect(page.locator(".outbox-note")).to_contain_text("修改这条待同步的记录")
    expect(page.get_by_label("配电房温度")).to_have_value("28")
    page.get_by_label("配电房温度").fill("31")
    page.get_by_role("button", name="提交本点").click()
    expect(page.get_by_role("heading", name="夜间巡逻")).to_be_visible()
    assert [data["item-temp"] for data in page.evaluate(OUTBOX_JS)] == ["31"]

    network.restore()
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步")
    visits = db.exec(select(Visit).where(Visit.round_id == round_.id)).all()
    assert [(v.position, v.answers["temp"]) for v in visits] == [(1, 31)]

    enter_code(page, checkpoints[0].code)  # online: the server's record, with who and when
    done = page.locator("#stop-done-text")
    expect(done).to_contain_text("本点已巡查:")
    expect(done).to_contain_text(world.users["guard"].display_name)
    expect(page.get_by_role("button", name="提交本点")).to_be_hidden()
    page.get_by_role("button", name="更正:再记一次").click()  # the server records it as a second visit (重复扫码)
    expect(page.get_by_role("button", name="提交本点")).to_be_visible()


def test_a_refused_visit_is_red_on_the_round_and_at_its_checkpoint(offline_phone, world, db, due_round):
    _phone, network = offline_phone
    round_, checkpoints = due_round
    page = _first_stop_queued_offline(offline_phone, round_, checkpoints)
    ended = db.get(Round, round_.id)
    ended.finished_at = utcnow()  # the supervisor ended the round meanwhile: only the server can know
    db.add(ended)
    db.commit()

    network.restore()
    expect(page.locator("#sync-badge")).to_have_text("被拒收 1")
    stop = page.locator('.stop[data-position="1"]')
    expect(stop.locator(".stop-state")).to_have_text("被拒收,须修改")  # not 已记录,待同步
    expect(stop).to_have_class(re.compile(r"\brefused\b"))
    enter_code(page, checkpoints[0].code)
    expect(page.get_by_role("alert").filter(has_text="本点的记录被服务器拒收:这一轮巡逻已经结束")).to_be_visible()
    expect(page.get_by_role("link", name="修改后重新提交")).to_be_visible()
    expect(page.get_by_role("button", name="提交本点")).to_be_hidden()
