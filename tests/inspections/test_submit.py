"""A whole visit arrives from the outbox: scored, photos kept, rectification items made, the project lead told."""
from datetime import timedelta

from sqlmodel import func, select

from app.core.audit import AuditLog
from app.core.notifications import Notification, text_of
from app.core.photos import Photo
from app.inspections.models import Deduction, Inspection, InspectionSheet, Rectification
from app.repairs.models import Ticket
from tests.inspections.helpers import SHANGHAI, VISIT, answers_for, submit


def count(db, model, *where):
    db.expire_all()
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_visit_is_scored_with_its_photos_and_the_project_lead_is_told(app, scored, db, world):
    inspection = db.get(Inspection, scored)
    assert (inspection.status, inspection.marketing_rep, inspection.property_rep) == ("provisional", "王营销", "李物业")
    assert inspection.lead_id == world.users["inspector"].id
    assert inspection.objection_deadline - inspection.received_at == timedelta(days=3)  # three days by default
    [sheet] = db.exec(select(InspectionSheet).where(InspectionSheet.inspection_id == scored)).all()
    assert (sheet.score, sheet.percentage, sheet.by_category) == (6, 60.0, {"环境展示类": 4})
    deductions = db.exec(select(Deduction).where(Deduction.inspection_id == scored).order_by(Deduction.id)).all()
    assert [(d.item_key, d.count, d.points, d.note) for d in deductions] == [("floor", 2, 2, "floor 的备注"),
                                                                             ("bins", 1, 2, "bins 的备注")]
    for deduction in deductions:
        assert count(db, Photo, Photo.owner_type == "inspection_deduction", Photo.owner_id == deduction.id) == 1
    items = db.exec(select(Rectification).where(Rectification.inspection_id == scored)).all()
    end_of_day = (VISIT + timedelta(days=7)).astimezone(SHANGHAI).replace(hour=23, minute=59, second=59)  # a week later
    assert {(i.label, i.owner_id, i.due_at) for i in items} == {
        ("地面干净", world.users["supervisor"].id, end_of_day),
        ("垃圾桶不超过2/3", world.users["supervisor"].id, end_of_day)}
    ticket = db.exec(select(Ticket).where(Ticket.source == "inspection")).one()  # bins creates a repair ticket
    assert "垃圾桶不超过2/3" in ticket.description and [i.ticket_id for i in items if i.label.startswith("垃圾桶")] == [ticket.id]
    [note] = db.exec(select(Notification).where(Notification.user_id == world.users["supervisor"].id)).all()
    with app.app_context():
        text = text_of(note)
    assert "小检查表 6" in text and "暂定" in text
    assert count(db, AuditLog, AuditLog.action == "inspection.submit") == 1


def test_a_deduction_without_a_photo_is_refused_and_nothing_is_saved(login_as, world, sheet, db):
    data, photos = answers_for(sheet, {"floor": 1, "bins": 1})
    before = count(db, Inspection)
    response = submit(login_as("inspector"), world.p1.id, data, photos[:1])
    assert response.status_code == 422
    assert response.json["error"]["message"].startswith("小检查表:第 2 项“垃圾桶不超过2/3”扣分须拍照取证。")
    assert count(db, Inspection) == before and count(db, Deduction) == 3  # the world's three only


def test_a_count_beyond_the_item_or_below_one_is_refused(login_as, world, sheet):
    inspector = login_as("inspector")
    for value, message in (("4", "本项最多扣 3 分,最多记 3 处。"), ("0", "扣分次数须至少为 1。"), ("两", "扣分次数须至少为 1。")):
        data, photos = answers_for(sheet, {"floor": 1}, **{f"v{sheet.id}-count-floor": value})
        response = submit(inspector, world.p1.id, data, photos)
        assert response.status_code == 422 and message in response.json["error"]["message"], response.json


def test_unanswered_items_and_na_where_forbidden_are_refused(login_as, world, sheet):
    data, photos = answers_for(sheet, **{f"v{sheet.id}-item-floor": "", f"v{sheet.id}-item-badge": "na"})
    response = submit(login_as("inspector"), world.p1.id, data, photos)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {f"v{sheet.id}-item-floor", f"v{sheet.id}-item-badge"}
    assert "另有 1 项须修改" in response.json["error"]["message"]


def test_only_inspectors_score_and_at_least_one_sheet_is_needed(login_as, world, sheet):
    data, photos = answers_for(sheet)
    assert submit(login_as("supervisor"), world.p1.id, data, photos).status_code == 403
    data.pop(f"sheet-{sheet.template_id}")
    response = submit(login_as("inspector"), world.p1.id, data)
    assert response.status_code == 422 and response.json["error"]["message"] == "请至少选择一张检查表。"


def test_last_times_items_are_verified_and_those_not_closed_are_deducted(login_as, world, sheet, db):
    earlier = db.get(Rectification, world.rectifications["p1"].id)
    earlier.template_id = sheet.template_id  # an item of this sheet, found last time
    db.commit()
    other, _d = _another_open_item(db, world, sheet)
    data, photos = answers_for(sheet, **{f"prior-{earlier.id}": "open", f"prior-{other.id}": "closed",
                                         f"v{sheet.id}-item-last": "pass"})  # the form's answer is ignored
    response = submit(login_as("inspector"), world.p1.id, data, photos)
    assert response.status_code == 201, response.json
    sheet_row = db.exec(select(InspectionSheet).where(InspectionSheet.inspection_id == response.json["id"])).one()
    assert sheet_row.score == 9 and sheet_row.by_category == {"上次检查问题关闭情况": 1}
    db.expire_all()
    assert db.get(Rectification, earlier.id).status == "open" and db.get(Rectification, earlier.id).times_found_open == 1
    assert db.get(Rectification, other.id).status == "verified"
    # the carried-over deduction needs no new photo and makes no second rectification item
    assert count(db, Rectification, Rectification.inspection_id == response.json["id"]) == 0


def _another_open_item(db, world, sheet):
    from app.inspections.models import Rectification as R

    item = R(project_id=world.p1.id, inspection_id=world.inspections["p1"].id, template_id=sheet.template_id,
             label="沙盘积灰", due_at=VISIT, status="closed", close_note="已清洁")
    db.add(item)
    db.commit()
    return item, None


def test_a_record_sent_twice_is_scored_once(login_as, world, sheet, db):
    inspector = login_as("inspector")
    data, photos = answers_for(sheet, {"bins": 1})
    first = submit(inspector, world.p1.id, data, photos, client_id="3f0c7f5e-0000-4000-8000-000000000001")
    again = submit(inspector, world.p1.id, data, photos, client_id="3f0c7f5e-0000-4000-8000-000000000001")
    assert (first.status_code, again.status_code) == (201, 200) and first.json == again.json
    assert count(db, Inspection, Inspection.project_id == world.p1.id) == 2  # the world's and this one
