"""An inspector scores the sales centre on a 1024×768 tablet, three deductions with photos, offline, then synced."""
from playwright.sync_api import expect
from sqlmodel import select

from app.checklists import services as checklists
from app.core.db import get_session
from app.core.photos import Photo
from app.inspections.models import Deduction, Inspection, InspectionSheet
from tests import factories, images
from tests.browser.helpers import Network, log_in, wait_for_kept_pages

TABLET = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN", "service_workers": "allow", "has_touch": True}


def test_a_whole_inspection_on_a_tablet_partly_offline(browser, site, app, world, db, tmp_path):
    with app.app_context():
        versions = {v.definition["key"]: v for v in checklists.import_starters(get_session(), organisation_id=world.org_a.id)}
    sales = versions["sales-inspection"]
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(images.image())
    context = browser.new_context(**TABLET, base_url=site.url)
    context.set_default_timeout(10_000)
    network = Network(context, site)
    page = context.new_page()
    log_in(page, "inspector", factories.PASSWORD)
    page.get_by_role("link", name="案场检查评分").click()
    expect(page.get_by_role("heading", name="案场检查 江城壹号销售中心")).to_be_visible()
    form_url = f"/projects/{world.p1.id}/inspections/new"
    wait_for_kept_pages(page, [form_url, "/"])

    # two panes on a tablet: the areas on the left of the items
    nav, items = page.locator(".inspect-nav").bounding_box(), page.locator(".inspect-items").bounding_box()
    assert nav["x"] + nav["width"] <= items["x"]
    page.get_by_label("物业案场检查表").uncheck()
    page.get_by_label("营销代表").fill("王营销")
    page.get_by_label("物业代表").fill("李物业")

    network.cut()  # no signal in the sample rooms from here
    prior = page.locator("#last-time .prior-item").filter(has_text=world.deductions["p1"].label)
    prior.get_by_text("已关闭").click()
    pre = f"#v{sales.id}-box-"
    for key, count in (("hall-floor", "2"), ("badge", None), ("reception-desk", None)):
        box = page.locator(pre + key)
        box.get_by_text("扣分", exact=True).click()
        if count:
            box.get_by_label("发现处数").fill(count)
        box.locator('input[type="file"]').set_input_files(str(photo))
        box.get_by_label("备注").fill(f"{key} 问题")
    score = page.locator(f'[data-score-for="{sales.id}"]')
    expect(score.locator(".score-value")).to_have_text(str(100 - 2 - 1 - _points(sales, "reception-desk")))
    expect(page.locator("#unanswered-count")).not_to_have_text("0")
    page.get_by_role("button", name="跳到未答项").click()
    for button in page.locator(f'.inspect-sheet[data-sheet="{sales.id}"] [data-pass-rest]').all():
        button.click()
    expect(page.locator("#unanswered-count")).to_have_text("0")
    page.get_by_role("button", name="提交检查结果").click()
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()  # the kept home page, offline
    expect(page.locator("#sync-badge")).to_have_text("待同步 1")
    assert db.exec(select(Inspection).where(Inspection.lead_id == world.users["inspector"].id)).first() is None

    network.restore()
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步", timeout=15_000)
    db.expire_all()
    inspection = db.exec(select(Inspection).where(Inspection.lead_id == world.users["inspector"].id)).one()
    assert (inspection.marketing_rep, inspection.property_rep) == ("王营销", "李物业")
    [sheet] = db.exec(select(InspectionSheet).where(InspectionSheet.inspection_id == inspection.id)).all()
    assert sheet.template_id == sales.template_id  # the property sheet was switched off
    assert sheet.score == 100 - 2 - 1 - _points(sales, "reception-desk")
    deductions = db.exec(select(Deduction).where(Deduction.inspection_id == inspection.id)).all()
    assert sorted((d.item_key, d.count) for d in deductions) == [("badge", 1), ("hall-floor", 2), ("reception-desk", 1)]
    for deduction in deductions:
        assert db.exec(select(Photo).where(Photo.owner_type == "inspection_deduction",
                                           Photo.owner_id == deduction.id)).first() is not None
    context.close()


def _points(version, key):
    return next(i["points"] for s in version.definition["sections"] for i in s["items"] if i["key"] == key)


ADD_REFUSED_JS = """async ({ userId, projectId, data, photo, formUrl }) => {
    const bytes = Uint8Array.from(atob(photo.b64), (c) => c.charCodeAt(0));
    const entry = await WuyeOutbox.add({ userId, kind: "inspection", projectId, data, label: "案场检查",
        photos: [{ name: photo.name, blob: new Blob([bytes], { type: "image/jpeg" }) }], formUrl });
    return entry.id;
}"""


def test_correcting_a_refused_visit_keeps_its_photos_and_switched_off_sheet(browser, site, app, world, db):
    """A visit the server refused opens again in the form (?outbox=…): the score shows its deductions, the
    sheet switched off stays off, and the deduction photos kept with the entry are not asked for again."""
    import base64

    with app.app_context():
        versions = {v.definition["key"]: v for v in checklists.import_starters(get_session(), organisation_id=world.org_a.id)}
    sales = versions["sales-inspection"]
    data = {f"sheet-{sales.template_id}": str(sales.id), "marketing_rep": "王营销",
            f"prior-{world.rectifications['p1'].id}": "closed"}
    for section in sales.definition["sections"]:
        for item in section["items"]:
            if not item.get("last_time"):
                data[f"v{sales.id}-item-{item['key']}"] = "pass"
    data[f"v{sales.id}-item-badge"] = "fail"
    context = browser.new_context(**TABLET, base_url=site.url)
    context.set_default_timeout(10_000)
    network = Network(context, site)
    page = context.new_page()
    log_in(page, "inspector", factories.PASSWORD)
    form_url = f"/projects/{world.p1.id}/inspections/new"
    page.goto(form_url)
    wait_for_kept_pages(page, [form_url, "/"])
    network.cut()  # the entry stays in the outbox while it is corrected
    entry_id = page.evaluate(ADD_REFUSED_JS, {
        "userId": world.users["inspector"].id, "projectId": world.p1.id, "data": data, "formUrl": form_url,
        "photo": {"name": f"v{sales.id}-photo-badge~1.jpg", "b64": base64.b64encode(images.image()).decode()}})
    page.goto(f"{form_url}?outbox={entry_id}")
    expect(page.locator(".outbox-note")).to_be_visible()
    expect(page.get_by_label("物业案场检查表")).not_to_be_checked()
    score = page.locator(f'[data-score-for="{sales.id}"]')
    expect(score.locator(".score-value")).to_have_text("99")  # badge: 1 per person without one, 1 found
    page.locator(f"#v{sales.id}-box-badge").get_by_label("备注").fill("工牌未戴")  # the correction
    page.get_by_role("button", name="提交检查结果").click()
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()
    network.restore()
    expect(page.locator("#sync-badge")).to_have_text("✓ 已同步", timeout=15_000)
    db.expire_all()
    inspection = db.exec(select(Inspection).where(Inspection.lead_id == world.users["inspector"].id)).one()
    [deduction] = db.exec(select(Deduction).where(Deduction.inspection_id == inspection.id)).all()
    assert (deduction.item_key, deduction.note) == ("badge", "工牌未戴")
    assert db.exec(select(Photo).where(Photo.owner_type == "inspection_deduction",
                                       Photo.owner_id == deduction.id)).first() is not None
    context.close()


BELOW_BAR_JS = """(selector) => {
    const bar = document.getElementById("score-bar").getBoundingClientRect();
    const target = selector ? document.querySelector(selector) : document.activeElement;
    return target.getBoundingClientRect().top >= bar.bottom;
}"""


def _starter_form(browser, site, app, world):
    """The inspector's form on the tablet, with the starter sheets (property and sales)."""
    with app.app_context():
        checklists.import_starters(get_session(), organisation_id=world.org_a.id)
    context = browser.new_context(**TABLET, base_url=site.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "inspector", factories.PASSWORD)
    page.goto(f"/projects/{world.p1.id}/inspections/new")
    return context, page


def test_what_the_tablet_scrolls_to_is_not_hidden_under_the_score_bar(browser, site, app, world):
    """The score bar sticks at the top: an area chosen on the left, and the item the phone's check asks to
    answer on submit, must land below it, not under it."""
    context, page = _starter_form(browser, site, app, world)
    link = page.locator(".inspect-nav a").nth(2)
    link.click()
    section = link.get_attribute("href")
    page.wait_for_function("(id) => location.hash === id", arg=section)
    assert page.evaluate(BELOW_BAR_JS, f"{section} h3")
    page.locator(".inspect-nav a").nth(5).click()
    page.get_by_role("button", name="提交检查结果").click()  # nothing answered: the phone points at the first
    page.wait_for_function("() => document.activeElement && document.activeElement.type === 'radio'")
    assert page.evaluate(BELOW_BAR_JS, None)
    context.close()


NAV_SHOWS_JS = """(sheetId) => {
    const nav = document.querySelector(".inspect-nav").getBoundingClientRect();
    const heading = document.querySelector(`[data-sheet-nav="${sheetId}"] h2`).getBoundingClientRect();
    return heading.top >= nav.top && heading.bottom <= nav.bottom;
}"""


def test_the_areas_on_the_left_follow_the_sheet_being_scored(browser, site, app, world):
    """The area list is taller than the tablet's screen and scrolls on its own: scrolled down to the sales
    sheet, it shows the sales sheet's areas, and back up the property sheet's."""
    context, page = _starter_form(browser, site, app, world)
    first, second = page.locator(".inspect-sheet").evaluate_all("(sheets) => sheets.map((s) => s.dataset.sheet)")
    assert page.evaluate(NAV_SHOWS_JS, first)
    assert not page.evaluate(NAV_SHOWS_JS, second)  # the list is longer than the screen
    page.evaluate("(id) => scrollTo(0, document.querySelector(`[data-sheet='${id}']`).offsetTop + 400)", second)
    page.wait_for_function(NAV_SHOWS_JS, arg=second)
    page.evaluate("() => scrollTo(0, 400)")
    page.wait_for_function(NAV_SHOWS_JS, arg=first)
    context.close()


def test_a_deduction_tapped_before_the_sheets_script_ran_still_asks_for_its_photo(browser, site, app, world):
    """On a slow tablet the sheet shows before its script has run: 扣分 tapped then fires no change the
    script hears, yet once it runs the item has its photo field."""
    with app.app_context():
        versions = {v.definition["key"]: v
                    for v in checklists.import_starters(get_session(), organisation_id=world.org_a.id)}
    context = browser.new_context(**{**TABLET, "service_workers": "block"}, base_url=site.url)  # the script from the network, held
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "inspector", factories.PASSWORD)
    held = []
    page.route("**/static/js/inspection.js*", lambda route: held.append(route))
    with page.expect_request("**/static/js/inspection.js*"):
        page.goto(f"/projects/{world.p1.id}/inspections/new", wait_until="commit")
    box = page.locator(f"#v{versions['sales-inspection'].id}-box-badge")
    box.get_by_text("扣分", exact=True).click()
    assert held and not box.locator('input[type="file"]').count()
    held[0].continue_()
    expect(box.locator('input[type="file"]')).to_be_attached()
    expect(box.locator('input[type="file"]')).to_have_attribute("required", "")
    context.close()
