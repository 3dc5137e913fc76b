"""The field-fit targets of issue 16, counted action by action (tests.browser.helpers.Actions): a checkpoint
scanned and passed, a 120-item handover with three discrepancies, both inspection sheets with four deductions,
and a supervisor one tap from a record to its photo."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.checklists import services as checklists
from app.checklists.services import save_template
from app.core.clock import run_due
from app.core.db import get_session, utcnow
from app.handovers.models import Handover, HandoverLine
from app.inspections.models import Deduction, Inspection
from app.patrols import services as patrols
from app.patrols.models import Visit
from app.projects.models import Project
from tests import factories, images
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, PHONE_CONTEXT, Actions, log_in, wait_for_row, y4m_of
from tests.browser.test_handovers import _draw, _wait_for_signatures
from tests.handovers import builders

TABLET = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN", "service_workers": "allow", "has_touch": True}
GATE_CHECK = {
    "key": "test-gate", "name": "岗亭检查", "purpose": "patrol",
    "sections": [{"title": "岗亭", "items": [
        {"key": key, "label": label, "type": "pass_fail", "photo_when_failed": True}
        for key, label in (("barrier", "道闸起落正常"), ("lights", "照明正常"), ("extinguisher", "灭火器在位"),
                           ("log", "登记本在岗"))]}],
}


@pytest.fixture
def gate_round(app, world, db):
    """A one-checkpoint route whose checkpoint asks four pass/fail questions, with a round due now."""
    checkpoint = world.checkpoints["p1"]
    start = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(minutes=5)).strftime("%H:%M")
    with app.app_context():
        session = get_session()
        admin = session.get(type(world.users["admin"]), world.users["admin"].id)
        version = save_template(session, actor=admin, organisation_id=world.org_a.id, definition=GATE_CHECK)
        route = patrols.save_route(session, actor=admin, project=session.get(Project, world.p1.id), name="岗亭巡查")
        patrols.add_stop(session, actor=admin, route=route, checkpoint_id=checkpoint.id, template_id=version.template_id)
        patrols.save_schedule(session, actor=admin, route=route, name="现在这轮", start=start, end=start,
                              interval_minutes=0, window_minutes=60)
        run_due(app, names=["patrols.rounds"], force=True)
        guard = session.get(type(world.users["guard"]), world.users["guard"].id)
        [view] = [v for v in patrols.my_rounds(session, user=guard, project=session.get(Project, world.p1.id),
                                               now=utcnow()) if v.route.id == route.id]
        return view.round, checkpoint


def test_a_checkpoint_with_four_items_all_passed_takes_six_taps(playwright, live_server, gate_round, db, tmp_path):
    round_, checkpoint = gate_round
    video = y4m_of(f"{live_server}/c/{checkpoint.code}", tmp_path / "label.y4m")
    camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera)
    context = browser.new_context(**PHONE_CONTEXT, base_url=live_server, permissions=["camera"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "guard", factories.PASSWORD)
    page.goto(f"/rounds/{round_.id}/walk")  # on the round, at the checkpoint

    user = Actions(page)
    user.tap(page.get_by_role("button", name="扫描巡更点二维码"))
    expect(page.get_by_role("heading", name=checkpoint.name)).to_be_visible()  # the camera read the label
    for label in ("道闸起落正常", "照明正常", "灭火器在位", "登记本在岗"):
        user.check(page.get_by_role("group", name=label).get_by_role("radio", name="合格", exact=True))
    user.tap(page.get_by_role("button", name="提交本点"))
    expect(page.get_by_role("heading", name="岗亭巡查")).to_be_visible()  # back on the round
    assert user.count <= 6, user
    visit = wait_for_row(page, db, select(Visit).where(Visit.round_id == round_.id))
    browser.close()
    assert (visit.method, visit.failed) == ("qr", [])


def test_a_120_item_handover_with_three_discrepancies_takes_at_most_25_taps_and_no_hunt(offline_phone, world, db,
                                                                                           tmp_path, handover_world):
    items = builders.many_items(120)
    room = builders.room(db, world.p1, "样板间C", items)
    names = {item["key"]: item["name"] for item in items}
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(images.image())
    found = {"k9": ("损坏", None), "k45": ("缺失", "0"), "k104": ("移位", None)}  # as the attendant finds them
    phone, _network = offline_phone
    page = phone.new_page()
    log_in(page, "attendant", factories.PASSWORD)
    page.goto(f"/projects/{world.p1.id}/rooms")

    user = Actions(page)
    user.tap(page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="样板间C"))
             .get_by_role("link", name="交接班清点"))
    expect(page.get_by_role("heading", name="交接班清点 · 样板间C")).to_be_visible()
    total = len({item["category"] for item in items})
    sections = page.locator("[data-category]")
    expect(sections).to_have_count(total)  # the long page parsed to its end, not just its heading
    for index in range(total):
        section = sections.nth(index)
        if index:  # no hunt: the last 本类已核对 brought this category up, just under the index
            assert _just_under_the_index(page, section), f"category {index + 1} is not in sight"
        for key in section.locator(".handover-line").evaluate_all("(lines) => lines.map((l) => l.id.slice(5))"):
            if key not in found:
                continue
            status, count = found[key]
            user.check(page.get_by_role("radio", name=f"{names[key]}:{status}"))
            if count is not None:
                user.type(page.locator(f"#found-{key}"), count)
            if status in ("缺失", "损坏"):
                user.choose_files(page.locator(f"#photo-{key}"), str(photo))
        user.tap(section.get_by_role("button", name="本类已核对"))
        expect(page.locator("#handover-progress")).to_have_text(f"已核对 {index + 1}/{total} 类")
    assert page.locator(".category-folded:visible").count() == total - 3  # the categories all 齐全 fold away
    user.stroke(lambda: _sign(page, "sign-outgoing", 12), "交班人签名")
    user.pick(page.get_by_label("接班人", exact=True), label="attendant_b的名字")
    user.type(page.get_by_label("接班人密码"), factories.PASSWORD)
    user.stroke(lambda: _sign(page, "sign-incoming", 20), "接班人签名")
    _wait_for_signatures(page, ["sign-outgoing", "sign-incoming"])
    user.tap(page.get_by_role("button", name="提交交接"))
    assert user.count <= 25, user

    handover = wait_for_row(page, db, select(Handover).where(Handover.room_id == room.id))
    lines = db.exec(select(HandoverLine).where(HandoverLine.handover_id == handover.id)).all()
    assert len(lines) == 120
    assert {line.item_key: line.status for line in lines if line.status != "present"} == {
        "k9": "damaged", "k45": "missing", "k104": "moved"}


def _sign(page, name: str, wiggle: int):
    """A signature on a pad brought to the middle of the screen, as the user scrolls it clear of the tab bar."""
    pad = f'canvas[data-signature-for="{name}"]'
    page.locator(pad).evaluate("(canvas) => canvas.scrollIntoView({block: 'center'})")
    _draw(page, pad, wiggle)


UNDER_INDEX_JS = """(section) => {
    const index = document.getElementById("handover-index").getBoundingClientRect();
    const heading = section.querySelector("h2").getBoundingClientRect();
    return heading.top >= index.bottom - 1 && heading.bottom <= window.innerHeight;
}"""


def _just_under_the_index(page, section) -> bool:
    return section.evaluate(UNDER_INDEX_JS)


def test_an_inspection_of_both_sheets_with_four_deductions_takes_at_most_45_taps(browser, live_server, app, world, db,
                                                                                 tmp_path):
    with app.app_context():
        versions = {v.definition["key"]: v for v in checklists.import_starters(get_session(), organisation_id=world.org_a.id)}
    sales, prop = versions["sales-inspection"], versions["property-inspection"]
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(images.image())
    context = browser.new_context(**TABLET, base_url=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "inspector", factories.PASSWORD)

    user = Actions(page)
    user.tap(page.get_by_role("link", name="案场检查评分"))
    expect(page.get_by_role("heading", name="案场检查 江城壹号销售中心")).to_be_visible()
    user.type(page.get_by_label("营销代表"), "王营销")
    user.type(page.get_by_label("物业代表"), "李物业")
    prior = page.locator("#last-time .prior-item").filter(has_text=world.deductions["p1"].label)
    user.tap(prior.get_by_text("已关闭"))
    wanted = [(sales, "badge"), (sales, "reception-desk"), (prop, _first_item(prop, 2)), (prop, _first_item(prop, 5))]
    for version, key in wanted:
        box = page.locator(f"#v{version.id}-box-{key}")
        user.tap(box.get_by_text("扣分", exact=True))
        user.choose_files(box.locator('input[type="file"]'), str(photo))
    for version in (sales, prop):
        for button in page.locator(f'.inspect-sheet[data-sheet="{version.id}"] [data-pass-rest]').all():
            user.tap(button)
    expect(page.locator("#unanswered-count")).to_have_text("0")
    user.tap(page.get_by_role("button", name="提交检查结果"))
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="已记录检查结果:江城壹号销售中心")).to_be_visible()  # not silent
    assert user.count <= 45, user
    inspection = wait_for_row(page, db, select(Inspection).where(Inspection.lead_id == world.users["inspector"].id))
    context.close()
    deductions = db.exec(select(Deduction).where(Deduction.inspection_id == inspection.id)).all()
    assert sorted(d.item_key for d in deductions) == sorted(key for _v, key in wanted)


def _first_item(version, section: int) -> str:
    """The first plain item (not last time's) of a section of the sheet."""
    items = [i for i in version.definition["sections"][section]["items"] if not i.get("last_time")]
    return items[0]["key"]


def test_a_supervisor_is_one_tap_from_a_deductions_and_a_handovers_photo(browser, live_server, world, db, login_as,
                                                                          handover_world):
    from tests.browser.test_photos import _post_record  # the records as the phones send them

    inspection = _post_record(login_as("inspector"), "inspection", world.p1.id, utcnow(), *_scored_sheet(db, world))
    room = builders.room(db, world.p1, "样板间D")
    handover = _post_record(login_as("attendant"), "room_handover", world.p1.id, utcnow(), {
        "room_id": str(room.id), "version_id": str(room.current_version_id), "incoming_id": str(world.users["attendant_b"].id),
        "incoming_password": factories.PASSWORD, "status-i1": "present", "found-i1": "1", "status-i2": "damaged",
        "found-i2": "4", "status-i3": "present", "found-i3": "2"},
        [("photo-i2", images.image()), ("sign-outgoing", images.image()), ("sign-incoming", images.image())])
    context = browser.new_context(**TABLET, base_url=live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "supervisor", factories.PASSWORD)
    for url in (f"/inspections/{inspection['id']}", handover["url"]):
        page.goto(url)
        user = Actions(page)
        user.tap(page.locator("main .photo-tile").first)
        viewer = page.get_by_role("dialog")
        expect(viewer).to_be_visible()
        page.wait_for_function("() => document.getElementById('photo-viewer-image').complete")
        assert viewer.locator("#photo-viewer-image").evaluate("img => img.naturalWidth") == 800  # the full photo
        assert user.count == 1, user
        page.keyboard.press("Escape")
    context.close()


def _scored_sheet(db, world):
    sheet = factories.checklist(db, world.org_a, factories.score_sheet_definition())
    data = {f"sheet-{sheet.template_id}": str(sheet.id), "marketing_rep": "王营销", "property_rep": "李物业"}
    for section in sheet.definition["sections"]:
        for item in section["items"]:
            data[f"v{sheet.id}-item-{item['key']}"] = "pass"
    data.update({f"v{sheet.id}-item-floor": "fail", f"v{sheet.id}-count-floor": "1"})
    return data, [(f"v{sheet.id}-photo-floor", images.image())]
