"""The inspection report PDF, the deductions CSV, the rectification flow and the settings."""
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlmodel import select

from app.inspections.models import Deduction, InspectionSettings, Rectification
from tests import images
from tests.html import alert, soup
from tests.inspections.conftest import VISIT, shown, visit_month


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_inspection_report_names_the_categories_deductions_and_final_score(login_as, scored):
    response = login_as("supervisor").get(f"/inspections/{scored}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for words in ("案场检查报告", "环境展示类", "职业表现类", "地面干净", "垃圾桶不超过2/3", "floor 的备注", "6 / 10",
                  "整改清单", "王营销"):
        assert words in text, words
    assert "<img" not in text and PdfReader(io.BytesIO(response.data)).pages  # photos are images, not text


def test_the_deductions_csv_opens_in_excel(login_as, world, scored):
    response = login_as("admin").get(f"/organisations/{world.org_a.id}/deductions.csv?month={visit_month()}")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff项目,检查时间,检查表")
    assert f"江城壹号销售中心,{shown(VISIT)},小检查表,环境展示类,地面干净,2,2" in body


def test_the_owner_closes_an_item_with_a_photo_and_the_inspector_verifies_it(login_as, scored, db):
    item = db.exec(select(Rectification).where(Rectification.inspection_id == scored)).first()
    lead = login_as("supervisor")
    refused = lead.post_form(f"/rectifications/{item.id}/close", {"note": "已清洁"}, htmx=True)
    assert refused.status_code == 422 and alert(refused) == "请拍摄整改后的照片。"
    done = lead.post_form(f"/rectifications/{item.id}/close",
                          {"note": "已清洁", "photos": (io.BytesIO(images.image()), "after.jpg")}, htmx=True)
    assert done.status_code == 200
    assert "已整改,待验证" in soup(done).select_one(f"#rectification-{item.id}").get_text()
    twice = lead.post_form(f"/rectifications/{item.id}/close",
                           {"note": "再次", "photos": (io.BytesIO(images.image()), "after.jpg")}, htmx=True)
    assert twice.status_code == 409
    assert login_as("attendant").post_form(f"/rectifications/{item.id}/verify", {"decision": "accept"}).status_code == 403
    assert login_as("inspector").post_form(f"/rectifications/{item.id}/verify", {"decision": "accept"}).status_code == 302
    db.expire_all()
    assert db.get(Rectification, item.id).status == "verified"


def test_overdue_items_stand_out(login_as, world, db):
    page = login_as("supervisor").get(f"/projects/{world.p1.id}/rectifications")
    item = soup(page).select_one(f"#rectification-{world.rectifications['p1'].id}")
    assert "overdue" not in item["class"]  # due in a week
    db.get(Rectification, world.rectifications["p1"].id).due_at = world.inspections["p1"].inspected_at.replace(year=2025)
    db.commit()
    page = login_as("supervisor").get(f"/projects/{world.p1.id}/rectifications")
    item = soup(page).select_one(f"#rectification-{world.rectifications['p1'].id}")
    assert "overdue" in item["class"] and "已逾期" in item.get_text()


def test_the_owner_is_told_once_when_an_item_is_overdue(app, world, db):
    from app.core.clock import run_due
    from app.core.notifications import Notification, text_of
    from app.inspections.models import Rectification as R

    item = db.get(R, world.rectifications["p1"].id)
    item.owner_id = world.users["supervisor"].id
    db.commit()
    for moment in (item.due_at - timedelta(minutes=1), item.due_at + timedelta(days=1),
                   item.due_at + timedelta(days=2)):
        run_due(app, moment, names=["inspections.rectifications"], force=True)
    with app.test_request_context():
        texts = [text_of(n) for n in db.exec(select(Notification).where(
            Notification.user_id == world.users["supervisor"].id, Notification.key.startswith("rectification"))).all()]
    assert texts == [f"整改项“{item.label}”已逾期"]


def test_the_company_sets_its_window_and_close_day(login_as, world, db):
    admin = login_as("admin")
    url = f"/organisations/{world.org_a.id}/inspection-settings"
    bad = admin.post_form(url, {"objection_days": "0", "close_day": "30"})
    assert bad.status_code == 422 and alert(bad) == "异议期(天)须在 1 到 30 之间。"
    assert admin.post_form(url, {"objection_days": "5", "close_day": "25"}).status_code == 302
    settings = db.get(InspectionSettings, world.org_a.id)
    assert (settings.objection_days, settings.close_day) == (5, 25)
    assert login_as("other_admin").get(url).status_code == 404


def test_the_inspector_withdraws_a_deduction_while_provisional(login_as, scored, db, monkeypatch):
    from app.inspections import routes

    monkeypatch.setattr(routes, "_now", lambda: VISIT + timedelta(days=1))
    deduction = db.exec(select(Deduction).where(Deduction.inspection_id == scored)).first()
    inspector = login_as("inspector")
    assert inspector.post_form(f"/deductions/{deduction.id}/withdraw", {"reason": ""}, htmx=True).status_code == 422
    response = inspector.post_form(f"/deductions/{deduction.id}/withdraw", {"reason": "看错了"}, htmx=True)
    assert response.status_code == 200 and soup(response).select_one(".final-score").get_text() == "8"
    monkeypatch.setattr(routes, "_now", lambda: VISIT + timedelta(days=4))  # effective: locked
    other = db.exec(select(Deduction).where(Deduction.inspection_id == scored, Deduction.id != deduction.id)).first()
    locked = inspector.post_form(f"/deductions/{other.id}/withdraw", {"reason": "再撤"}, htmx=True)
    assert locked.status_code == 409 and alert(locked) == "检查结果已生效,不能再修改。"
