"""An inspector scores the sales centre on a 1024×768 tablet, three deductions with photos, offline, then synced."""
from playwright.sync_api import expect
from sqlmodel import select

from app.checklists import services as checklists
from app.core.db import get_session
from app.core.photos import Photo
from app.inspections.models import Deduction, Inspection, InspectionSheet
from tests import factories, images
from tests.browser.conftest import Network, log_in, wait_for_kept_pages

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
