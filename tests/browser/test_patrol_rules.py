"""A guard offline cannot queue what the server would refuse: the phone says why, and nothing is lost."""
from playwright.sync_api import expect

from tests import images
from tests.browser.test_patrol import at_first_stop_offline, due_round  # noqa: F401  (the fixture)

OUTBOX_JS = "async () => (await WuyeOutbox.list(Number(document.body.dataset.userId))).length"


def test_a_bad_reading_and_a_failed_item_without_photo_are_refused_on_the_phone(offline_phone, due_round, tmp_path):  # noqa: F811
    round_, checkpoints = due_round
    page = at_first_stop_offline(offline_phone, round_, checkpoints)

    page.get_by_role("radio", name="不合格").first.check()  # the extinguisher fails, and no photo is taken
    page.locator('[name="note-extinguisher"]').fill("压力表指针在红区")
    temperature = page.get_by_label("配电房温度")
    temperature.fill("无")
    page.get_by_role("button", name="提交本点").click()

    note = page.locator(".outbox-note")
    expect(note).to_contain_text("第 1 项“灭火器齐全”不合格时须拍照。")
    expect(note).to_contain_text("另有 1 项须修改")
    expect(page.locator("#item-temp-box .field-error")).to_have_text("须为数字。")
    expect(temperature).to_have_attribute("aria-invalid", "true")
    assert page.evaluate(OUTBOX_JS) == 0  # nothing queued
    expect(temperature).to_have_value("无")  # nothing typed is lost
    expect(page.locator('[name="note-extinguisher"]')).to_have_value("压力表指针在红区")

    photo = tmp_path / "extinguisher.jpg"
    photo.write_bytes(images.image())
    page.locator('input[name="photo-extinguisher"]').set_input_files(str(photo))
    temperature.fill("28")
    page.get_by_role("button", name="提交本点").click()
    expect(page.get_by_role("heading", name="夜间巡逻")).to_be_visible()  # queued, back on the round
    assert page.evaluate(OUTBOX_JS) == 1
