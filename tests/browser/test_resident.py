"""The resident's request form on a phone: photos made smaller before they leave it, and kept when refused (issue 16)."""
from playwright.sync_api import expect
from sqlmodel import select

from app.core.photos import Photo
from app.repairs import public
from app.repairs.models import Ticket
from tests import images

# Records the pixel size of each photo the page sends, before it leaves the phone (Playwright cannot read a
# multipart body with files).
SIZES_SENT = """
const send = window.fetch;
window.fetch = async (url, options) => {
  if (options && options.body instanceof FormData) {
    const photos = options.body.getAll("photos");
    window.sizesSent = await Promise.all(photos.map((p) => createImageBitmap(p).then((b) => [b.width, b.height])));
  }
  return send(url, options);
};
"""


def test_a_refused_request_keeps_the_chosen_photo_and_the_photo_arrives_downscaled(phone, app, world, db, monkeypatch):
    monkeypatch.setitem(app.config, "RESIDENT_MIN_FILL_SECONDS", 0)
    page = phone.new_page()
    page.add_init_script(SIZES_SENT)
    page.goto(f"/r/{public.link_token(world.p1.id, secret_key=app.config['SECRET_KEY'])}")
    page.fill("#name", "王女士")
    page.fill("#phone", "12345")
    page.fill("#location", "3 栋 2 单元 1201 室")
    page.fill("#description", "卫生间天花板漏水")
    photo = images.image(size=(4000, 3000))
    page.set_input_files("#photos", files=[{"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.click("button[type=submit]")

    expect(page.locator(".resident-errors")).to_contain_text("请填写正确的电话号码")
    assert page.evaluate("window.sizesSent") == [[1600, 1200]]  # shrunk on the phone before it was sent
    assert page.eval_on_selector("#photos", "input => input.files.length") == 1  # still chosen
    assert page.locator(".photos-again").count() == 0
    assert "/r/status/" not in page.url and db.exec(select(Ticket).where(Ticket.source == "resident")).all() == []

    page.fill("#phone", "13800138000")
    page.click("button[type=submit]")
    page.wait_for_url("**/r/status/**")
    [ticket] = db.exec(select(Ticket).where(Ticket.source == "resident")).all()
    [stored] = db.exec(select(Photo).where(Photo.owner_type == "ticket", Photo.owner_id == ticket.id)).all()
    assert (stored.width, stored.height) == (1600, 1200)
    expect(page.locator("a.photo-tile img")).to_have_count(1)
    page.locator("a.photo-tile img").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('a.photo-tile img').complete")  # loaded, or failed to
    assert page.eval_on_selector("a.photo-tile img", "img => img.naturalWidth") > 0
