"""Visits arriving from the outbox: the code proves presence, the checklist is checked, anomalies become tickets."""
import io
import json
import uuid
from datetime import timedelta

from sqlmodel import func, select

from app.checklists.services import save_template
from app.core.db import get_session
from app.core.photos import Photo
from app.patrols import services
from app.patrols.jobs import generate_rounds
from app.patrols.models import Round, Visit
from app.projects.models import Project
from app.repairs.models import Ticket
from tests import images
from tests.patrols.helpers import NIGHT, NIGHT_CHECK


def _visit(client, patrol, position, *, code=None, at=None, method="qr", answers=None, photos=(), kind="patrol_visit"):
    checkpoint = patrol.checkpoints[position - 1]
    data = {"round_id": str(patrol.round.id), "position": str(position), "code": code or checkpoint.code,
            "method": method, **(answers or {})}
    record = {"kind": kind, "project_id": patrol.round.project_id, "client_time": (at or NIGHT + timedelta(minutes=5)).isoformat(),
              "data": data}
    token = client.get("/api/v1/session").json["csrf_token"]
    files = [(io.BytesIO(raw), f"{field}~{i}.jpg") for i, (field, raw) in enumerate(photos)]
    return client.post(f"/api/v1/records/{uuid.uuid4()}", data={"record": json.dumps(record), "photos": files},
                       headers={"X-CSRFToken": token})


GOOD = {"item-extinguisher": "pass", "item-temp": "26"}


def _count(db, model, *where):
    db.expire_all()
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def test_rounds_are_generated_once(app, patrol, db):
    mine = Round.schedule_id == patrol.schedule.id
    before = _count(db, Round, mine)
    with app.app_context():
        generate_rounds(get_session(), NIGHT, app.config)
    assert before == _count(db, Round, mine) == 18  # six slots a night: the night before, tonight, tomorrow night


def test_a_visit_with_its_checklist_is_recorded(login_as, patrol, db):
    response = _visit(login_as("guard"), patrol, 1, answers={**GOOD, "item-remark": "一切正常"})
    assert response.status_code == 201, response.json
    visit = db.get(Visit, response.json["id"])
    assert visit.answers == {"extinguisher": "pass", "temp": 26.0, "remark": "一切正常"}
    assert visit.failed == [] and visit.method == "qr" and visit.scanned_at == NIGHT + timedelta(minutes=5)


def test_a_wrong_or_foreign_code_is_refused(login_as, patrol, world, db):
    guard = login_as("guard")
    for code in ("ZZZZZZZZZZZZZZZZ", world.checkpoints["p2"].code, patrol.checkpoints[1].code):
        response = _visit(guard, patrol, 1, code=code, answers=GOOD)
        assert response.status_code == 422 and "不是本项目的巡更点" in response.json["error"]["message"]
    assert _count(db, Visit) == 0


def test_a_failed_item_needs_its_photo_and_then_opens_a_ticket(login_as, patrol, db):
    guard = login_as("guard")
    refused = _visit(guard, patrol, 1, answers={"item-extinguisher": "fail", "item-temp": "26"})
    assert refused.status_code == 422 and "extinguisher" in refused.json["error"]["fields"]
    assert _count(db, Visit) == 0

    response = _visit(guard, patrol, 1, answers={"item-extinguisher": "fail", "item-temp": "26",
                                                 "note-extinguisher": "压力不足"},
                      photos=[("photo-extinguisher", images.image())])
    assert response.status_code == 201 and response.json["failed"] == ["extinguisher"]
    [number] = response.json["tickets"]
    ticket = db.exec(select(Ticket).where(Ticket.number == number)).one()
    assert ticket.source == "patrol" and "灭火器齐全" in ticket.description and "压力不足" in ticket.description
    assert ticket.checkpoint_id == patrol.checkpoints[0].id
    assert _count(db, Photo, Photo.owner_type == "ticket", Photo.owner_id == ticket.id) == 1


def test_a_reading_out_of_range_is_recorded_as_failed(login_as, patrol, db):
    response = _visit(login_as("guard"), patrol, 1, answers={"item-extinguisher": "pass", "item-temp": "45"})
    assert response.status_code == 201 and response.json["failed"] == ["temp"]


def test_a_finished_round_takes_no_more_visits(login_as, patrol, db):
    guard = login_as("guard")
    assert _visit(guard, patrol, 1, answers=GOOD).status_code == 201
    assert _visit(guard, patrol, 1, kind="patrol_finish", at=NIGHT + timedelta(minutes=20)).status_code == 201
    late = _visit(guard, patrol, 2, at=NIGHT + timedelta(minutes=25))
    assert late.status_code == 422 and "已经结束" in late.json["error"]["message"]


def test_only_guards_walk_rounds(login_as, patrol):
    assert _visit(login_as("attendant"), patrol, 1, answers=GOOD).status_code == 403


def test_editing_the_template_leaves_old_visits_on_their_version(app, login_as, patrol, world, db):
    response = _visit(login_as("guard"), patrol, 1, answers=GOOD)
    visit = db.get(Visit, response.json["id"])
    edited = json.loads(json.dumps(NIGHT_CHECK))
    edited["sections"][0]["items"][0]["label"] = "灭火器齐全且在有效期内"
    with app.app_context():
        session = get_session()
        new = save_template(session, actor=None, organisation_id=world.org_a.id, definition=edited)
    assert new.id != visit.template_version_id
    page = login_as("supervisor").get(f"/rounds/{patrol.round.id}").get_data(as_text=True)
    assert "灭火器齐全:合格" in page and "有效期" not in page


def test_a_finished_round_stays_on_the_guards_list_as_done_until_its_window_closes(app, login_as, patrol, world, db):
    guard = login_as("guard")
    assert _visit(guard, patrol, 1, answers=GOOD).status_code == 201
    assert _visit(guard, patrol, 1, kind="patrol_finish", at=NIGHT + timedelta(minutes=20)).status_code == 201
    with app.test_request_context():
        session = get_session()
        user = session.get(type(world.users["guard"]), world.users["guard"].id)
        project = session.get(Project, patrol.round.project_id)
        later = NIGHT + timedelta(minutes=30)
        assert patrol.round.id not in [v.round.id for v in services.my_rounds(session, user=user, project=project,
                                                                              now=later)]
        kept = services.my_rounds(session, user=user, project=project, now=later, finished=True)
        assert [v.round.finished_at is not None for v in kept if v.round.id == patrol.round.id] == [True]
