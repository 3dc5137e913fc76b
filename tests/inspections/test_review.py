"""Defects found in review: each test failed before its fix."""
from datetime import timedelta

from sqlmodel import Session, select

from app.core.db import get_session
from app.core.storage import storage
from app.inspections import objections, rectification
from app.inspections.models import Deduction, Inspection, Objection
from tests.inspections.helpers import VISIT, answers_for, shown, submit, visit_month


def test_a_month_out_of_range_falls_back_instead_of_failing(login_as, world):
    admin = login_as("admin")
    for month in ("0001-01", "9999-12", "1-1"):
        for url in (f"/organisations/{world.org_a.id}/ranking?month={month}",
                    f"/organisations/{world.org_a.id}/deductions.csv?month={month}"):
            assert admin.get(url).status_code == 200, (url)


def test_a_sheet_id_too_big_for_the_database_is_refused_not_a_500(login_as, world, sheet):
    data, photos = answers_for(sheet)
    data["sheet-99999999999999999999"] = "99999999999999999999"
    response = submit(login_as("inspector"), world.p1.id, data, photos)
    assert response.status_code == 422, response.data


def test_two_inspectors_deciding_the_same_objection_at_once_decide_it_once(app, scored, world):
    """Both pages showed the objection pending; the second decision arrives after the first committed."""
    import pytest

    from app.core.audit import AuditLog
    from app.core.db import engine
    from app.inspections.services import InspectionError

    with app.app_context():
        first = get_session()
        lead = first.get(type(world.users["supervisor"]), world.users["supervisor"].id)
        inspector = first.get(type(world.users["inspector"]), world.users["inspector"].id)
        floor = first.exec(select(Deduction).where(Deduction.inspection_id == scored).order_by(Deduction.id)).first()
        objection = objections.raise_objection(first, storage=storage(), actor=lead, deduction=floor, reason="不同意",
                                               photos=[], now=VISIT + timedelta(hours=1))
        with Session(engine(), expire_on_commit=False) as second:
            stale = second.get(Objection, objection.id)  # read while still pending
            other = second.get(type(inspector), inspector.id)
            objections.decide_objection(first, actor=inspector, objection=objection, accept=True, reason="",
                                        now=VISIT + timedelta(hours=2))
            with pytest.raises(InspectionError, match="不能重复处理") as twice:
                objections.decide_objection(second, actor=other, objection=stale, accept=False, reason="驳回",
                                            now=VISIT + timedelta(hours=2))
            assert twice.value.status == 409
        first.expire_all()
        assert first.get(Objection, objection.id).status == "accepted"
        decided = first.exec(select(AuditLog.action).where(AuditLog.object_type == "objection",
                                                           AuditLog.action != "objection.raise")).all()
        assert decided == ["objection.accept"]


def test_the_percentage_rounds_half_up_like_the_tablet():
    """13 of 16 is 81.25 %: the tablet's running score shows 81.3 (Math.round); the result must too."""
    from app.checklists.definition import validate_definition
    from app.inspections.scoring import half_up, score
    from tests.factories import score_sheet_definition

    definition = validate_definition(score_sheet_definition())
    definition["base_score"] = 16
    assert score(definition, {"floor": ("fail", 3)}).percentage == 81.3
    assert (half_up(117 * 100 / 144), half_up(56.25), half_up(-0.05), half_up(85.0)) == (81.3, 56.3, -0.1, 85.0)


def test_a_rectification_is_due_by_the_end_of_the_local_day_it_shows(login_as, scored, db, monkeypatch):
    """The list shows the due date as a day (期限 11-17 for a visit on 11-10): it is not overdue during that day."""
    from app.inspections import routes
    from app.inspections.models import Rectification
    from tests.html import soup

    item = db.exec(select(Rectification).where(Rectification.inspection_id == scored)).first()
    monkeypatch.setattr(routes, "_now", lambda: VISIT + timedelta(days=7, hours=5))  # 15:00 in Shanghai, day 7
    page = soup(login_as("supervisor").get(f"/projects/{item.project_id}/rectifications"))
    row = page.select_one(f"#rectification-{item.id}").get_text(" ", strip=True)
    assert f"期限 {shown(VISIT + timedelta(days=7), '%Y-%m-%d')}" in row and "已逾期" not in row
    monkeypatch.setattr(routes, "_now", lambda: VISIT + timedelta(days=7, hours=14))  # 00:00 in Shanghai, day 8: late
    page = soup(login_as("supervisor").get(f"/projects/{item.project_id}/rectifications"))
    assert "已逾期" in page.select_one(f"#rectification-{item.id}").get_text()


def test_a_visit_synced_days_late_still_gives_the_lead_the_whole_window(app, login_as, world, sheet, db):
    """The tablet was offline: the visit (VISIT) reaches the server — and the lead — only now, days later.
    The lead is told now, so the three days run from now, not from a deadline already past."""
    from app.core.db import utcnow
    from app.core.notifications import Notification, text_of

    data, photos = answers_for(sheet, {"bins": 1})
    response = submit(login_as("inspector"), world.p1.id, data, photos, at=VISIT)
    assert response.status_code == 201, response.json
    arrived = utcnow()
    inspection = db.get(Inspection, response.json["id"])
    assert inspection.objection_deadline - inspection.received_at == timedelta(days=3)
    assert inspection.objection_deadline > arrived + timedelta(days=2, hours=23)
    with app.app_context():
        session = get_session()
        lead = session.get(type(world.users["supervisor"]), world.users["supervisor"].id)
        bins = session.exec(select(Deduction).where(Deduction.inspection_id == inspection.id)).one()
        objections.raise_objection(session, storage=storage(), actor=lead, deduction=bins, reason="已清空", photos=[],
                                   now=utcnow())
        assert session.get(Inspection, inspection.id).status == "provisional"
        note = session.exec(select(Notification).where(Notification.key == f"inspection:{inspection.id}")).one()
        assert shown(VISIT + timedelta(days=3), "%m-%d") not in text_of(note)  # not "object before" a day already gone


def test_the_deductions_csv_does_not_hand_excel_a_formula(login_as, world, sheet):
    """An inspector's note is user text: in the CSV it must reach Excel as text, not as a formula."""
    import csv
    import io

    data, photos = answers_for(sheet, {"bins": 1}, **{f"v{sheet.id}-note-bins": '=HYPERLINK("http://evil.invalid","点我")'})
    assert submit(login_as("inspector"), world.p1.id, data, photos).status_code == 201
    body = login_as("admin").get(f"/organisations/{world.org_a.id}/deductions.csv?month={visit_month()}").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for cell in row]
    assert "'=HYPERLINK(\"http://evil.invalid\",\"点我\")" in cells
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells)


def test_a_sheet_of_tenths_that_adds_up_is_accepted():
    """Ten items of 0.1 add up to 0.9999999999999999 in floating point; the sheet does add up to its base."""
    from app.checklists.definition import validate_definition
    from tests.factories import score_sheet_definition

    definition = score_sheet_definition()
    definition["sections"][1]["items"][0]["points"] = 1  # badge: 2 → 1, the other point spread over ten items
    definition["sections"].append({"title": "细节", "items": [
        {"key": f"detail-{n}", "label": f"细节{n}", "type": "pass_fail", "points": 0.1, "category": "环境展示类"}
        for n in range(10)]})
    assert validate_definition(definition)["base_score"] == 10


def test_an_older_version_that_was_not_yet_a_score_sheet_is_refused(login_as, world, db):
    """The template was a plain checklist before it became a score sheet: its old version has no base."""
    from tests import factories

    plain = factories.checklist_definition()
    plain.update(key="mini-sheet", purpose="inspection")
    old = factories.checklist(db, world.org_a, plain)
    new = factories.checklist(db, world.org_a, factories.score_sheet_definition())
    assert old.template_id == new.template_id
    data, photos = answers_for(old)  # every item of the old version answered
    response = submit(login_as("inspector"), world.p1.id, data, photos)
    assert response.status_code == 422 and "检查表" in response.json["error"]["message"], response.json


def test_a_double_tapped_objection_is_refused_not_a_500(app, scored, world):
    """Two copies of the same objection: the other one commits between this one's check and its insert."""
    import pytest
    from sqlalchemy import event

    from app.core.db import engine, utcnow
    from app.inspections.services import InspectionError

    with app.app_context():
        session = get_session()
        lead = session.get(type(world.users["supervisor"]), world.users["supervisor"].id)
        floor = session.exec(select(Deduction).where(Deduction.inspection_id == scored).order_by(Deduction.id)).first()

        @event.listens_for(session, "before_flush", once=True)
        def _the_other_copy(*_args):
            with Session(engine()) as other:
                other.add(Objection(inspection_id=scored, deduction_id=floor.id, project_id=floor.project_id,
                                    raised_by=lead.id, raised_at=utcnow(), reason="不同意"))
                other.commit()

        with pytest.raises(InspectionError, match="已提出过异议") as twice:
            objections.raise_objection(session, storage=storage(), actor=lead, deduction=floor, reason="不同意", photos=[],
                                       now=VISIT + timedelta(hours=1))
        assert twice.value.status == 409
        assert len(session.exec(select(Objection).where(Objection.deduction_id == floor.id)).all()) == 1


def test_a_rectification_closed_twice_at_once_is_closed_once(app, scored, world):
    """A double tap on 提交整改: the second request read the item while it was still open."""
    import pytest

    from app.core.db import engine
    from app.core.photos import Photo, process
    from app.inspections.models import Rectification
    from app.inspections.services import InspectionError
    from tests import images

    with app.app_context():
        first = get_session()
        lead = first.get(type(world.users["supervisor"]), world.users["supervisor"].id)
        item = first.exec(select(Rectification).where(Rectification.inspection_id == scored)).first()
        with Session(engine(), expire_on_commit=False) as second:
            stale = second.get(Rectification, item.id)
            rectification.close_rectification(first, storage=storage(), actor=lead, item=item, note="已清洁",
                                              now=VISIT + timedelta(days=1),
                                              photos=[process(images.image(), max_bytes=10**7)])
            with pytest.raises(InspectionError) as twice:
                rectification.close_rectification(second, storage=storage(), actor=second.get(type(lead), lead.id),
                                                  item=stale, note="再次", now=VISIT + timedelta(days=1),
                                                  photos=[process(images.image(), max_bytes=10**7)])
            assert twice.value.status == 409
        first.expire_all()
        assert first.get(Rectification, item.id).close_note == "已清洁"
        assert len(first.exec(select(Photo).where(Photo.owner_type == "rectification", Photo.owner_id == item.id)).all()) == 1


def test_a_sheet_with_two_last_time_items_is_refused():
    """Each last_time item counts every problem found not closed: two of them would deduct each twice."""
    import pytest

    from app.checklists.definition import TemplateError, validate_definition
    from tests.factories import score_sheet_definition

    definition = score_sheet_definition()
    badge = definition["sections"][1]["items"][0]
    badge.update(last_time=True, points=2)
    with pytest.raises(TemplateError) as refused:
        validate_definition(definition)
    assert refused.value.errors == ["只能有一项 last_time(上次检查问题关闭情况):第 2 节第 1 项、第 2 节第 3 项。"]


def test_the_visits_overall_note_is_shown_on_the_result_and_in_the_report(login_as, world, sheet):
    """总体说明 is typed on the form and stored: the result page and the PDF show it."""
    from tests.html import soup
    from tests.inspections.test_reports import pdf_text

    data, photos = answers_for(sheet, {"bins": 1}, note="整体良好,前台<需>加强")
    inspection_id = submit(login_as("inspector"), world.p1.id, data, photos).json["id"]
    lead = login_as("supervisor")
    assert "整体良好,前台<需>加强" in soup(lead.get(f"/inspections/{inspection_id}")).select_one(".facts").get_text()
    assert "整体良好,前台<需>加强" in pdf_text(lead.get(f"/inspections/{inspection_id}/report.pdf").data)


def test_an_inspector_is_not_offered_the_admin_only_export_and_settings(login_as, world):
    """The ranking page linked every viewer to the deductions CSV and the settings, both admins only (403)."""
    from tests.html import soup

    inspector = login_as("inspector")
    page = soup(inspector.get(f"/organisations/{world.org_a.id}/ranking"))
    for link in page.select(".row-actions a"):
        assert inspector.get(link["href"]).status_code == 200, link["href"]
    admin = soup(login_as("admin").get(f"/organisations/{world.org_a.id}/ranking"))
    assert {"导出扣分明细(CSV)", "检查设置"} <= {a.get_text() for a in admin.select(".row-actions a")}
