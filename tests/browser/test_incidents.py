"""A guard at night with no signal reports a stranger with a photo on a 360×740 phone: the phone refuses a time
in the future before queueing, the report waits in the outbox, and reaches the server exactly once."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import func, select

from app.core.db import utcnow
from app.core.notifications import Notification
from app.core.photos import Photo
from app.incidents.models import Incident
from app.sync.models import SyncRecord
from tests import factories, images
from tests.browser.helpers import log_in, wait_for_kept_pages
from tests.incidents.helpers import wall


def _count(db, statement) -> int:
    db.expire_all()
    return db.exec(statement).one()


def test_a_stranger_reported_offline_with_a_photo_arrives_once(offline_phone, world, db, tmp_path):
    photo = tmp_path / "stranger.jpg"
    photo.write_bytes(images.image("JPEG", color=(30, 30, 40)))
    phone, network = offline_phone
    guard = phone.new_page()
    log_in(guard, "guard", factories.PASSWORD)
    form_url = f"/projects/{world.p1.id}/incidents/new"
    wait_for_kept_pages(guard, [form_url])

    network.cut()  # the car park's far corner, no signal
    point, round_ = world.checkpoints["p1"], world.rounds["p1"]
    guard.goto(f"{form_url}?place=checkpoint-{point.id}&round_id={round_.id}&source=round")  # the round's link
    expect(guard.get_by_label("事发地点")).to_have_value(f"checkpoint-{point.id}")
    guard.get_by_label("可疑人员").check()
    guard.get_by_label("严重").check()
    guard.get_by_label("事发时间").fill(wall(utcnow() + timedelta(hours=2)))
    guard.get_by_label("事件经过").fill("一名男子在车场徘徊,说不出楼号")
    guard.get_by_label("照片").set_input_files(str(photo))
    guard.get_by_role("button", name="上报").click()
    expect(guard.get_by_role("alert").filter(has_text="事发时间不能晚于现在。").first).to_be_visible()
    expect(guard.locator("#sync-badge")).not_to_have_text("待同步 1")  # nothing queued, nothing typed lost
    expect(guard.get_by_label("事件经过")).to_have_value("一名男子在车场徘徊,说不出楼号")

    guard.get_by_label("事发时间").fill(wall(utcnow() - timedelta(minutes=10)))
    guard.get_by_label("当事人").fill("男,约 40 岁,黑色外套")
    guard.get_by_role("button", name="上报").click()
    expect(guard.locator("#sync-badge")).to_have_text("待同步 1")
    assert _count(db, select(func.count()).select_from(Incident)) == 0

    network.restore()
    guard.goto("/sync")
    expect(guard.locator(".outbox-entry .outbox-state")).to_have_text("已同步")
    guard.get_by_role("button", name="立即同步").first.click()  # a second run has nothing left to send
    db.expire_all()
    [incident] = db.exec(select(Incident)).all()
    assert (incident.kind, incident.severity, incident.source) == ("stranger", "serious", "round")
    assert (incident.checkpoint_id, incident.round_id, incident.people) == (point.id, round_.id, "男,约 40 岁,黑色外套")
    assert _count(db, select(func.count()).select_from(Photo).where(Photo.owner_type == "incident",
                                                                    Photo.owner_id == incident.id)) == 1
    assert _count(db, select(func.count()).select_from(SyncRecord).where(SyncRecord.kind == "incident_report")) == 1
    alerts = db.exec(select(Notification.user_id).where(Notification.event == "incidents.serious")).all()
    assert alerts == [world.users["supervisor"].id]
    guard.goto(f"/incidents/{incident.id}")
    expect(guard.get_by_role("heading", name=f"特殊事件 {incident.number}")).to_be_visible()
    guard.screenshot(path=str(tmp_path / "incident.png"), full_page=True)


CASES = [  # what is typed, as the form would send it
    {"kind": ""},
    {"occurred_at": ""},
    {"occurred_at": "FUTURE"},
    {"occurred_at": "PAST"},
    {"place": "", "location": ""},
    {"description": ""},
]


def test_the_phone_refuses_as_the_server_does_in_its_words(app, phone, world):
    from app.core.db import get_session
    from app.incidents import services
    from tests.incidents.helpers import TZ, form

    times = {"FUTURE": wall(utcnow() + timedelta(hours=1)), "PAST": wall(utcnow() - timedelta(days=91))}
    page = phone.new_page()
    log_in(page, "guard", factories.PASSWORD)
    page.goto(f"/projects/{world.p1.id}/incidents/new")
    for case in CASES:
        data = form(world, **{k: times.get(v, v) for k, v in case.items()})
        with app.test_request_context():
            try:
                services.report(get_session(), storage=None, actor=world.users["guard"], project=world.p1, data=data,
                                reported_at=utcnow(), tz=TZ)
                server = None
            except services.IncidentError as refused:
                server = {"message": refused.message, "fields": refused.fields}
            get_session().rollback()
        on_phone = page.evaluate("""(data) => {
            const form = document.getElementById("incident-form");
            for (const [name, value] of Object.entries(data)) {
                const field = form.elements.namedItem(name);
                if (field instanceof RadioNodeList) for (const r of field) r.checked = r.value === value;
                else field.value = value;
            }
            return window.WuyeIncidents.checkIncident(form);
        }""", data)
        assert on_phone == server, case
