"""The objection window as a state machine, on a frozen clock: provisional → (objections decided | window over) → effective."""
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.core.audit import AuditLog
from app.core.db import get_session
from app.core.storage import storage
from app.inspections import objections
from app.inspections.models import Deduction, Inspection, InspectionSheet, Objection
from app.inspections.objections import status_at
from app.inspections.services import InspectionError
from tests.html import soup
from tests.inspections.helpers import VISIT, shown


def _deductions(session, inspection_id):
    return session.exec(select(Deduction).where(Deduction.inspection_id == inspection_id).order_by(Deduction.id)).all()


def _users(session, world, *names):
    return [session.get(type(world.users[n]), world.users[n].id) for n in names]


def test_the_status_follows_the_window_and_the_objections():
    inspection = Inspection(project_id=1, inspected_at=VISIT, objection_deadline=VISIT + timedelta(days=3))
    pending, decided = Objection(status="pending"), Objection(status="rejected")
    assert status_at(inspection, [], VISIT + timedelta(days=2, hours=23)) == "provisional"
    assert status_at(inspection, [], VISIT + timedelta(days=3)) == "effective"  # the window is over
    assert status_at(inspection, [pending], VISIT + timedelta(days=30)) == "provisional"  # waits for the decision
    assert status_at(inspection, [decided], VISIT + timedelta(hours=5)) == "effective"  # all decided: at once
    assert status_at(inspection, [decided, pending], VISIT + timedelta(hours=5)) == "provisional"


def test_an_accepted_objection_restores_the_points_and_makes_the_result_effective(app, scored, world):
    with app.app_context():
        session = get_session()
        lead, inspector = _users(session, world, "supervisor", "inspector")
        floor, bins = _deductions(session, scored)
        objection = objections.raise_objection(session, storage=storage(), actor=lead, deduction=floor,
                                               reason="地面刚拖过,不是脏", photos=[], now=VISIT + timedelta(days=1))
        with pytest.raises(InspectionError, match="已提出过异议"):
            objections.raise_objection(session, storage=storage(), actor=lead, deduction=floor, reason="再来", photos=[],
                                       now=VISIT + timedelta(days=1))
        objections.decide_objection(session, actor=inspector, objection=objection, accept=True, reason="",
                                    now=VISIT + timedelta(days=2))
        with pytest.raises(InspectionError, match="不能重复处理") as twice:
            objections.decide_objection(session, actor=inspector, objection=objection, accept=False, reason="改主意",
                                        now=VISIT + timedelta(days=2))
        assert twice.value.status == 409
        session.expire_all()
        sheet = session.exec(select(InspectionSheet).where(InspectionSheet.inspection_id == scored)).one()
        assert (sheet.original_score, sheet.score) == (6, 8)  # floor's 2 points came back
        inspection = session.get(Inspection, scored)
        assert inspection.status == "effective" and inspection.effective_at == VISIT + timedelta(days=2)
        actions = session.exec(select(AuditLog.action).where(AuditLog.object_type == "objection").order_by(AuditLog.id)).all()
        assert actions == ["objection.raise", "objection.accept"]
        # effective and locked: no more objections, no withdrawals
        with pytest.raises(InspectionError, match="已生效"):
            objections.raise_objection(session, storage=storage(), actor=lead, deduction=bins, reason="也不对", photos=[],
                                       now=VISIT + timedelta(days=2))
        with pytest.raises(InspectionError, match="已生效"):
            objections.withdraw_deduction(session, actor=inspector, deduction=bins, reason="算了",
                                          now=VISIT + timedelta(days=2))


def test_a_rejection_needs_a_reason_and_keeps_the_score(app, scored, world):
    with app.app_context():
        session = get_session()
        lead, inspector = _users(session, world, "supervisor", "inspector")
        floor, _bins = _deductions(session, scored)
        objection = objections.raise_objection(session, storage=storage(), actor=lead, deduction=floor, reason="不同意",
                                               photos=[], now=VISIT + timedelta(hours=3))
        with pytest.raises(InspectionError, match="驳回异议须填写理由"):
            objections.decide_objection(session, actor=inspector, objection=objection, accept=False, reason=" ",
                                        now=VISIT + timedelta(hours=4))
        objections.decide_objection(session, actor=inspector, objection=objection, accept=False, reason="照片显示有明显污渍",
                                    now=VISIT + timedelta(hours=4))
        session.expire_all()
        assert session.get(Objection, objection.id).decision_reason == "照片显示有明显污渍"
        assert session.exec(select(InspectionSheet.score).where(InspectionSheet.inspection_id == scored)).one() == 6


def test_an_objection_after_the_window_is_refused_and_the_result_becomes_effective(app, scored, world):
    with app.app_context():
        session = get_session()
        [lead] = _users(session, world, "supervisor")
        floor, _bins = _deductions(session, scored)
        with pytest.raises(InspectionError, match=re.escape(f"异议期已过(截至 {shown(VISIT + timedelta(days=3))})")) as late:
            objections.raise_objection(session, storage=storage(), actor=lead, deduction=floor, reason="晚了", photos=[],
                                       now=VISIT + timedelta(days=3, minutes=1))
        assert late.value.status == 409
        session.expire_all()
        assert session.get(Inspection, scored).status == "effective"


def test_only_the_project_lead_objects_and_only_an_inspector_decides(login_as, scored, db, world):
    deduction = db.exec(select(Deduction).where(Deduction.inspection_id == scored)).first()
    url = f"/deductions/{deduction.id}/objection"
    for who in ("inspector", "attendant", "guard"):
        assert login_as(who).post_form(url, {"reason": "不服"}).status_code == 403
    assert login_as("outsider").post_form(url, {"reason": "不服"}).status_code == 404
    objection = world.objections["p1"]
    assert login_as("supervisor").post_form(f"/objections/{objection.id}/decide", {"decision": "accept"}).status_code == 403


def test_the_lead_objects_on_the_result_page_and_the_inspector_accepts_it(login_as, scored, db, monkeypatch):
    from app.inspections import routes

    monkeypatch.setattr(routes, "_now", lambda: VISIT + timedelta(days=1))  # a frozen clock inside the window
    deduction = db.exec(select(Deduction).where(Deduction.inspection_id == scored)).first()
    lead = login_as("supervisor")
    page = soup(lead.get(f"/inspections/{scored}"))
    assert page.select_one(f"#deduction-{deduction.id} summary").get_text() == "提出异议"
    response = lead.post_form(f"/deductions/{deduction.id}/objection", {"reason": "地面是湿的,刚拖过"}, htmx=True)
    assert response.status_code == 200
    fragment = soup(response)
    assert "地面是湿的,刚拖过" in fragment.select_one(f"#deduction-{deduction.id} .objection").get_text()
    objection = db.exec(select(Objection).where(Objection.deduction_id == deduction.id)).one()
    response = login_as("inspector").post_form(f"/objections/{objection.id}/decide", {"decision": "accept"})
    assert response.status_code == 302
    page = soup(lead.get(f"/inspections/{scored}"))
    assert page.select_one(".final-score").get_text() == "8"
    assert "已生效" in page.select_one(".inspection-status").get_text()
    again = login_as("inspector").post_form(f"/objections/{objection.id}/decide", {"decision": "reject", "reason": "x"},
                                            htmx=True)
    assert again.status_code == 409 and "不能重复处理" in soup(again).select_one("[role=alert]").get_text()


def test_accepting_an_objection_to_a_deduction_that_opened_a_repair_tells_the_supervisors(app, scored, world):
    from app.core.notifications import Notification, text_of
    from app.inspections.models import Rectification

    with app.app_context():
        session = get_session()
        lead, inspector = _users(session, world, "supervisor", "inspector")
        _floor, bins = _deductions(session, scored)  # bins is flagged: its rectification opened a repair ticket
        objection = objections.raise_objection(session, storage=storage(), actor=lead, deduction=bins, reason="垃圾刚清过",
                                               photos=[], now=VISIT + timedelta(days=1))
        objections.decide_objection(session, actor=inspector, objection=objection, accept=True, reason="",
                                    now=VISIT + timedelta(days=1))
        session.expire_all()
        assert session.exec(select(Rectification).where(Rectification.deduction_id == bins.id)).first() is None
        texts = [text_of(n) for n in session.exec(select(Notification).where(Notification.user_id == lead.id))]
        assert any("扣分“垃圾桶不超过2/3”已撤销" in text and "如已不需要,请取消" in text for text in texts)
