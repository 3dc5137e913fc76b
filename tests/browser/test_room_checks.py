"""A closing check on a 360×740 phone, offline: every item ticked, the keys handed to the night guard who signs."""
from playwright.sync_api import expect
from sqlmodel import select

from app.checklists.services import import_starters
from app.core.photos import Photo
from app.handovers.models import KEYS_SIGN, RoomCheck
from tests import factories
from tests.browser.helpers import log_in, wait_for_kept_pages
from tests.browser.test_handovers import _draw, _wait_for_signatures
from tests.handovers import builders

TICK_EVERY_FIRST_ANSWER = """() => {
    const groups = new Set([...document.querySelectorAll('#check-form input[type=radio]')].map((r) => r.name));
    for (const name of groups) document.querySelector(`#check-form input[name="${name}"]`).click();
    for (const input of document.querySelectorAll('#check-form input[name^="item-"][required]')) {
        if (input.type !== "radio" && !input.value) input.value = "2";  // the number of keys
    }
}"""


def test_closing_offline_ends_with_the_keys_signed_for_by_the_guard(offline_phone, world, db):
    import_starters(db, organisation_id=world.org_a.id)
    db.commit()
    room = builders.room(db, world.p1, "样板间C")
    url = f"/rooms/{room.id}/checks/closing"
    context, network = offline_phone
    page = context.new_page()
    log_in(page, "attendant", factories.PASSWORD)
    page.goto(url)
    wait_for_kept_pages(page, [url, f"/projects/{world.p1.id}/rooms"])

    network.cut()  # 17:30, the sample room's signal is gone
    page.reload()
    page.evaluate(TICK_EVERY_FIRST_ANSWER)
    page.get_by_role("button", name="提交").click()  # the keys to nobody: the phone says so, as the server would
    expect(page.locator(".outbox-note")).to_have_text("请选择接收钥匙的夜班保安(本项目的秩序维护员)。")
    expect(page.get_by_label("接收钥匙的保安")).to_be_focused()
    page.get_by_label("接收钥匙的保安").select_option(label="guard的名字")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".outbox-note")).to_have_text("缺少保安接收钥匙的签名。")
    _draw(page, 'canvas[data-signature-for="sign-guard"]', 15)
    _wait_for_signatures(page, ["sign-guard"])
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")

    network.restore()
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步", timeout=10_000)
    db.expire_all()
    check = db.exec(select(RoomCheck).where(RoomCheck.room_id == room.id)).one()
    assert (check.kind, check.key_guard_id, check.failed) == ("closing", world.users["guard"].id, [])
    assert db.exec(select(Photo).where(Photo.owner_type == KEYS_SIGN, Photo.owner_id == check.id)).one()
