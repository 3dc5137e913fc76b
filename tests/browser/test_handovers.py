"""A sample-room handover on a 360×740 phone: counted offline, both signatures drawn with the mouse, then synced."""
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.handovers.models import Handover, HandoverLine
from app.repairs.models import Ticket
from tests import factories, images
from tests.browser.helpers import log_in, wait_for_kept_pages
from tests.handovers import builders

pytestmark = pytest.mark.usefixtures("handover_world")  # attendant_b takes over


def _draw(page, canvas_selector: str, wiggle: int):
    """A signature drawn with mouse events: press, a zig-zag of moves, release."""
    canvas = page.locator(canvas_selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * (box["width"] - 40) / 12, y + (wiggle if step % 2 else -wiggle), steps=3)
    page.mouse.up()


def _wait_for_signatures(page, names):
    """Each pad's PNG is made asynchronously after the stroke (evaluate polls: the page's CSP forbids eval)."""
    for _ in range(300):  # up to 15 s: a loaded CI machine makes the PNG slowly
        if page.evaluate("(ids) => ids.every((id) => document.getElementById(id).files.length === 1)", names):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"no signature image in {names}")


def test_a_handover_counted_offline_and_signed_by_two_attendants(offline_phone, world, db, tmp_path):
    room = builders.room(db, world.p1, "样板间A")
    photo = tmp_path / "cup.jpg"
    photo.write_bytes(images.image())
    phone, network = offline_phone
    page = phone.new_page()
    log_in(page, "attendant", factories.PASSWORD)
    page.get_by_role("link", name="样板间交接 / 开场收场").click()
    expect(page.get_by_role("heading", name="样板间", exact=True)).to_be_visible()
    form_url = f"/rooms/{room.id}/handover"
    wait_for_kept_pages(page, [form_url, f"/projects/{world.p1.id}/rooms"])

    network.cut()  # the sample room has no signal
    page.goto(form_url)
    expect(page.get_by_role("heading", name="交接班清点 · 样板间A")).to_be_visible()
    page.get_by_role("radio", name="骨瓷咖啡杯:损坏").check()
    page.locator("#photo-i2").set_input_files(str(photo))
    page.locator("#note-i2").fill("杯口有裂纹")
    _draw(page, 'canvas[data-signature-for="sign-outgoing"]', 12)
    page.get_by_label("接班人", exact=True).select_option(label="attendant_b的名字")
    page.get_by_label("接班人密码").fill(factories.PASSWORD)
    _draw(page, 'canvas[data-signature-for="sign-incoming"]', 20)
    _wait_for_signatures(page, ["sign-outgoing", "sign-incoming"])
    page.get_by_role("button", name="提交交接").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")
    queued = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="样板间A")).locator(".queued-handover")
    expect(queued).to_have_text("样板间交接 · 已记录,待同步")  # the kept rooms page knows
    expect(page.locator(".queued-handover:visible")).to_have_count(1)  # only that room
    db.expire_all()
    assert db.exec(select(Handover).where(Handover.room_id == room.id)).all() == []

    network.restore()
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步", timeout=20_000)
    db.expire_all()
    handover = db.exec(select(Handover).where(Handover.room_id == room.id)).one()
    assert handover.state == "locked" and handover.incoming_id == world.users["attendant_b"].id
    cup = db.exec(select(HandoverLine).where(HandoverLine.handover_id == handover.id, HandoverLine.item_key == "i2")).one()
    assert (cup.status, cup.note) == ("damaged", "杯口有裂纹")
    assert db.get(Ticket, cup.ticket_id).source == "handover"

    page.goto(f"/handovers/{handover.id}")
    signatures = page.locator(".signature-box img")
    expect(signatures).to_have_count(2)
    for index in (0, 1):  # real drawings: decoded, not blank
        assert signatures.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_mistyped_password_is_refused_at_sync_and_corrected_without_signing_again(phone, world, db, tmp_path):
    room = builders.room(db, world.p1, "样板间B")
    page = phone.new_page()
    log_in(page, "attendant", factories.PASSWORD)
    page.goto(f"/rooms/{room.id}/handover")
    _draw(page, 'canvas[data-signature-for="sign-outgoing"]', 12)
    page.get_by_label("接班人", exact=True).select_option(label="attendant_b的名字")
    _draw(page, 'canvas[data-signature-for="sign-incoming"]', 20)
    _wait_for_signatures(page, ["sign-outgoing", "sign-incoming"])
    page.get_by_role("button", name="提交交接").click()  # no password: the phone asks, in the server's words
    expect(page.locator(".outbox-note")).to_have_text("请接班人在本机输入自己的密码。")
    expect(page.get_by_label("接班人密码")).to_be_focused()
    assert _outbox_data(page) == []
    page.get_by_label("接班人密码").fill("not-her-password")  # a wrong one only the server can tell
    page.get_by_role("button", name="提交交接").click()
    expect(page.get_by_role("heading", name="样板间", exact=True)).to_be_visible()  # back on the rooms
    page.goto("/sync")
    entry = page.locator(".outbox-entry")
    expect(entry.locator(".outbox-state")).to_have_text("同步失败")
    expect(entry.locator(".form-error")).to_contain_text("密码不正确")
    assert "incoming_password" not in _outbox_data(page)[0]  # refused: the mistyped password is not kept either

    entry.get_by_role("link", name="修改").click()  # the same entry, filled in again, signatures kept
    expect(page.get_by_label("接班人", exact=True)).to_have_value(str(world.users["attendant_b"].id))
    expect(page.get_by_label("接班人密码")).to_have_value("")
    page.get_by_label("接班人密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="提交交接").click()
    # queued, the page goes back to the rooms: read the outbox there, not while that navigation is under way
    expect(page.get_by_role("heading", name="样板间", exact=True)).to_be_visible()
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步")
    db.expire_all()
    handover = db.exec(select(Handover).where(Handover.room_id == room.id)).one()
    assert handover.state == "locked" and handover.incoming_id == world.users["attendant_b"].id
    assert "incoming_password" not in _outbox_data(page)[0]  # the password left the phone with the record


def _outbox_data(page) -> list[dict]:
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const request = indexedDB.open("wuye");
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
            const all = request.result.transaction("outbox").objectStore("outbox").getAll();
            all.onsuccess = () => resolve(all.result.map((entry) => entry.data));
        };
    })""")


def _ink(page, name: str, x: float, y: float) -> bool:
    """Whether the pad has ink around (x, y), given as fractions of its width and height."""
    return page.evaluate("""([name, x, y]) => {
        const canvas = document.querySelector(`canvas[data-signature-for="${name}"]`);
        const [cx, cy] = [Math.round(x * canvas.width), Math.round(y * canvas.height)];
        const data = canvas.getContext("2d").getImageData(cx - 6, cy - 6, 12, 12).data;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 128) return true;
        return false;
    }""", [name, x, y])


def test_a_palm_resting_on_the_pad_does_not_join_the_signature(phone, world, db):
    room = builders.room(db, world.p1, "样板间A")
    page = phone.new_page()
    log_in(page, "attendant", factories.PASSWORD)
    page.goto(f"/rooms/{room.id}/handover")
    canvas = page.locator('canvas[data-signature-for="sign-outgoing"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()

    def at(fx, fy, touch_id):
        return {"x": box["x"] + fx * box["width"], "y": box["y"] + fy * box["height"], "id": touch_id}

    touch = page.context.new_cdp_session(page)

    def send(kind, points):
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    send("touchStart", [at(0.1, 0.2, 1)])  # the finger signs along the top left…
    send("touchStart", [at(0.1, 0.2, 1), at(0.9, 0.85, 2)])  # …while the palm lands bottom right
    for step in range(1, 6):
        send("touchMove", [at(0.1 + step * 0.04, 0.2, 1), at(0.9 - step * 0.01, 0.85, 2)])
    send("touchEnd", [])  # both lift
    _wait_for_signatures(page, ["sign-outgoing"])
    assert _ink(page, "sign-outgoing", 0.2, 0.2)  # the stroke is there
    assert not _ink(page, "sign-outgoing", 0.5, 0.5)  # and no line runs from it to the palm
    assert not _ink(page, "sign-outgoing", 0.85, 0.85)
    page.get_by_role("button", name="重写").first.click()  # starting over empties the pad and its file
    assert not _ink(page, "sign-outgoing", 0.2, 0.2)
    assert page.evaluate("() => document.getElementById('sign-outgoing').files.length") == 0
