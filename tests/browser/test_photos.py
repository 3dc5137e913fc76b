"""Evidence photos on a record: one tap from the record to the full photo, the next one, and back (issue 16)."""
import io
import json
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.core.db import get_session
from app.core.photos import Photo
from app.patrols import services
from app.patrols.models import Round
from tests import factories, images
from tests.browser.helpers import PHONE_CONTEXT, log_in, wait_for_kept_pages
from tests.patrols.helpers import NIGHT, NIGHT_DAY, clock_rounds, night_route, three_checkpoints

TABLET = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN", "service_workers": "allow", "has_touch": True}
SHANGHAI = ZoneInfo("Asia/Shanghai")
COLOURS = [(200, 60, 30), (30, 160, 60), (40, 60, 200)]


def _post_record(client, kind: str, project_id: int, at: datetime, data: dict, photos: list[tuple[str, bytes]]):
    record = {"kind": kind, "project_id": project_id, "client_time": at.isoformat(), "data": data}
    token = client.get("/api/v1/session").json["csrf_token"]
    files = [(io.BytesIO(raw), f"{field}~{i}.jpg") for i, (field, raw) in enumerate(photos)]
    response = client.post(f"/api/v1/records/{uuid.uuid4()}", data={"record": json.dumps(record), "photos": files},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.json
    return response.json


def _full_photos(db, owner_type: str, *owner_ids: int) -> list[int]:
    query = select(Photo).where(Photo.owner_type == owner_type).order_by(Photo.owner_id, Photo.position)
    return [p.id for p in db.exec(query.where(Photo.owner_id.in_(owner_ids)) if owner_ids else query).all()]


def _viewer_shows(page, photo_id: int, count: str):
    viewer = page.get_by_role("dialog")
    expect(viewer).to_be_visible()
    image = viewer.locator("#photo-viewer-image")
    expect(image).to_have_attribute("src", f"/photos/{photo_id}")
    expect(viewer.locator("#photo-viewer-count")).to_have_text(count)
    page.wait_for_function("() => document.getElementById('photo-viewer-image').complete")
    assert image.evaluate("img => img.naturalWidth") == 800  # the full photo, not its 320 px thumbnail


@pytest.fixture
def inspection(app, world, db, login_as):
    """P1 scored by the inspector ten days ago: floor failed with two photos, bins with one."""
    sheet = factories.checklist(db, world.org_a, factories.score_sheet_definition())
    data = {f"sheet-{sheet.template_id}": str(sheet.id), "marketing_rep": "王营销", "property_rep": "李物业"}
    for section in sheet.definition["sections"]:
        for item in section["items"]:
            data[f"v{sheet.id}-item-{item['key']}"] = "pass"
    for key in ("floor", "bins"):
        data.update({f"v{sheet.id}-item-{key}": "fail", f"v{sheet.id}-count-{key}": "1", f"v{sheet.id}-note-{key}": key})
    photos = [(f"v{sheet.id}-photo-floor", images.image(color=COLOURS[0])),
              (f"v{sheet.id}-photo-floor", images.image(color=COLOURS[1])),
              (f"v{sheet.id}-photo-bins", images.image(color=COLOURS[2]))]
    at = datetime.combine(datetime.now(SHANGHAI).date() - timedelta(days=10), time(10), tzinfo=SHANGHAI)
    return _post_record(login_as("inspector"), "inspection", world.p1.id, at.astimezone(timezone.utc), data, photos)["id"]


@pytest.fixture
def supervisor(browser, live_server):
    """supervisor(device, url): P1's supervisor logged in on a fresh device of that size, on the record's page."""
    contexts = []

    def _open(device: dict, url: str):
        context = browser.new_context(**device, base_url=live_server)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, "supervisor", factories.PASSWORD)
        page.goto(url)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_a_supervisor_on_a_tablet_opens_a_deduction_photo_pages_to_the_next_and_closes(supervisor, inspection, db):
    floor_1, floor_2, bins = _full_photos(db, "inspection_deduction")
    page = supervisor(TABLET, f"/inspections/{inspection}")

    tile = page.get_by_role("link", name="扣分照片:地面干净 1/2")
    expect(tile).to_have_attribute("href", f"/photos/{floor_1}")
    tile.click()  # one tap from the record
    _viewer_shows(page, floor_1, "1 / 3")
    expect(page.get_by_role("button", name="上一张")).to_be_disabled()

    page.keyboard.press("ArrowRight")
    _viewer_shows(page, floor_2, "2 / 3")
    page.get_by_role("button", name="下一张").click()
    _viewer_shows(page, bins, "3 / 3")
    expect(page.get_by_role("button", name="下一张")).to_be_disabled()

    page.get_by_role("button", name="放大").click()
    assert "scale(1.5)" in page.locator("#photo-viewer-image").evaluate("img => img.style.transform")
    page.get_by_role("button", name="关闭").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("link", name="扣分照片:垃圾桶不超过2/3 1/1")).to_be_focused()  # back where the user was


@pytest.fixture
def walked_round(app, world, db, login_as):
    """Last night's round: the guard failed the extinguisher at the first checkpoint, with three photos."""
    checkpoints = three_checkpoints(db, world)
    with app.test_request_context():
        session = get_session()
        _route, schedule, _template = night_route(session, world, checkpoints, name="夜班", start="20:00", end="08:00",
                                                  interval_minutes=120)
        clock_rounds(session, schedule, now=NIGHT, config=app.config)
        round_ = session.exec(services.rounds_stmt(world.p1, NIGHT_DAY).where(Round.slot_start == NIGHT)).one()
    data = {"round_id": str(round_.id), "position": "1", "code": checkpoints[0].code, "method": "qr",
            "item-extinguisher": "fail", "item-temp": "26", "note-extinguisher": "压力不足"}
    _post_record(login_as("guard"), "patrol_visit", world.p1.id, NIGHT + timedelta(minutes=5), data,
                 [("photo-extinguisher", images.image(color=colour)) for colour in COLOURS])
    return round_.id


def test_a_supervisor_on_a_phone_swipes_through_a_rounds_photos(supervisor, walked_round, db):
    first, second, third = _full_photos(db, "visit")
    page = supervisor(PHONE_CONTEXT, f"/rounds/{walked_round}")

    page.locator(".timeline .photo-tile").first.tap()
    _viewer_shows(page, first, "1 / 3")
    box = page.locator(".photo-viewer-stage").bounding_box()
    middle = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.8, middle)  # a swipe to the left: the next photo
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.2, middle, steps=5)
    page.mouse.up()
    _viewer_shows(page, second, "2 / 3")
    page.keyboard.press("ArrowRight")
    _viewer_shows(page, third, "3 / 3")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on the phone


def test_a_kept_pages_photos_open_full_size_offline(browser, offline_phone, world, db, login_as):
    """The engineer's ticket is kept with its photos (sw.js): in the basement the tile still opens the full photo."""
    answer = _post_record(login_as("attendant"), "ticket_report", world.p1.id, datetime.now(timezone.utc),
                          {"description": "地下车库顶棚漏水"}, [("photos", images.image(color=COLOURS[0]))])
    ticket_id = int(answer["url"].rstrip("/").rsplit("/", 1)[1])
    dispatched = login_as("supervisor").post_form(f"/tickets/{ticket_id}/act", {
        "action": "dispatch", "ticket_id": str(ticket_id), "assignee_id": str(world.users["engineer"].id)})
    assert dispatched.status_code in (302, 303)
    [photo] = _full_photos(db, "ticket", ticket_id)
    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "engineer", factories.PASSWORD)
    wait_for_kept_pages(page, [f"/tickets/{ticket_id}", f"/photos/{photo}", f"/photos/{photo}/thumb"])

    network.cut()
    page.goto(f"/tickets/{ticket_id}")
    tile = page.get_by_role("link", name="报修照片 1/1")
    expect(tile).to_be_visible()
    assert tile.locator("img").evaluate("img => img.complete && img.naturalWidth") == 267  # the kept thumbnail of 800 px
    tile.tap()
    _viewer_shows(page, photo, "")
