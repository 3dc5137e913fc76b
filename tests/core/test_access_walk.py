"""Walk every registered URL rule as every persona, aimed at a project the persona cannot see.

A view that forgets its permission check leaks a name, answers 200, or changes the database: this
test then fails. When a new URL parameter appears, teach `_value_for` what object of the hidden
project it stands for.
"""
import json

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from app.accounts.models import PROJECT_ROLES, Membership
from app.core.db import get_session, utcnow
from app.core.permissions import POLICIES
from app.core.storage import storage
from app.reports.xlsx_export import MIMETYPE as XLSX
from tests import factories
from tests.frontdesk import helpers as frontdesk_helpers
from tests.xlsx import text_of

PERSONAS = PROJECT_ROLES + ("admin", "manager", "outsider", "other_admin")
HIDDEN = {"outsider": "p1", "admin": "q", "manager": "q", "other_admin": "p1"}  # a project each persona cannot see; default p2


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


# What each URL parameter stands for in the hidden project. A user id is another company's user:
# only admins reach user screens.
VALUES = {
    "project_id": lambda w, h, db: getattr(w, h).id,
    "area_id": lambda w, h, db: w.areas[h].id,
    "checkpoint_id": lambda w, h, db: w.checkpoints[h].id,
    "code": lambda w, h, db: w.checkpoints[h].code,
    "user_id": lambda w, h, db: w.users["guard" if h == "p1" else "other_admin"].id,
    "membership_id": lambda w, h, db: db.exec(select(Membership.id).where(
        Membership.project_id == getattr(w, h).id)).first() or 999999,
    "ticket_id": lambda w, h, db: w.tickets[h].id,
    "photo_id": lambda w, h, db: w.photos[h].id,
    "client_id": lambda w, h, db: w.records[h].client_id,
    "round_id": lambda w, h, db: w.rounds[h].id,
    "route_id": lambda w, h, db: w.routes[h].id,
    "stop_id": lambda w, h, db: w.stops[h].id,
    "schedule_id": lambda w, h, db: w.schedules[h].id,
    "position": lambda w, h, db: 1,
    "token": lambda w, h, db: "forged-token",
    "room_id": lambda w, h, db: w.rooms[h].id,
    "item_key": lambda w, h, db: "i1",
    "kind": lambda w, h, db: "closing",
    "kind_name": lambda w, h, db: "checkpoints",  # imports
    "handover_id": lambda w, h, db: w.handovers[h].id,
    "check_id": lambda w, h, db: w.room_checks[h].id,
    # A company the persona does not belong to: the walk passes the persona's own (see `_value_for`).
    "organisation_id": lambda w, own, db: (w.org_b if own == w.org_a.id else w.org_a).id,
    "inspection_id": lambda w, h, db: w.inspections[h].id,
    "deduction_id": lambda w, h, db: w.deductions[h].id,
    "objection_id": lambda w, h, db: w.objections[h].id,
    "rectification_id": lambda w, h, db: w.rectifications[h].id,
    "post_id": lambda w, h, db: w.shifts[h].post.id,  # shifts (issue 5)
    "pattern_id": lambda w, h, db: w.shifts[h].pattern.id,
    "matter_id": lambda w, h, db: w.shifts[h].matter.id,
    "item_id": lambda w, h, db: w.shifts[h].item.id,
    "request_id": lambda w, h, db: w.shifts[h].restock.id,
    "channel_id": lambda w, h, db: _channel_of(db, getattr(w, h)),
    "unit_id": lambda w, h, db: frontdesk_helpers.unit(db, getattr(w, h), "9-1-101").id,  # front desk (issue 17)
    "intake_id": lambda w, h, db: frontdesk_helpers.intake(db, getattr(w, h)).id,
    "complaint_id": lambda w, h, db: _complaint_of(db, getattr(w, h)),  # complaints (issue 17)
    "incident_id": lambda w, h, db: _incident_of(db, w, h),  # incidents (issue 18.2)
    "register": lambda w, h, db: "keys",  # a post's registers (issue 18)
}


def _incident_of(db, world, hidden: str) -> int:
    """An incident of the hidden project, made the first time it is asked for."""
    from app.incidents.models import Incident

    project = getattr(world, hidden)
    found = db.exec(select(Incident.id).where(Incident.project_id == project.id)).first()
    if found:
        return found
    incident = Incident(project_id=project.id, kind="stranger", occurred_at=utcnow(), reported_at=utcnow(),
                        number=f"SJ-HIDDEN-{project.id}", description=f"{project.name}的特殊事件",
                        area_id=world.areas[hidden].id)
    db.add(incident)
    db.commit()
    return incident.id


def _complaint_of(db, project) -> int:
    """A complaint of the hidden project, made the first time it is asked for."""
    from app.complaints.models import Complaint
    from tests.complaints.helpers import complaint

    found = db.exec(select(Complaint.id).where(Complaint.project_id == project.id)).first()
    return found or complaint(db, project, description=f"{project.name}的投诉").id


def _channel_of(db, project) -> int:
    """A channel of the hidden project, made the first time it is asked for."""
    from app.channels.models import Channel

    found = db.exec(select(Channel.id).where(Channel.project_id == project.id)).first()
    return found or factories.channel(db, project, name=f"{project.name}的渠道", secret="").id


def _value_for(arg: str, world, hidden: str, db, who: str) -> object:
    if arg not in VALUES:
        raise AssertionError(f"the access walk does not know URL parameter <{arg}>: add it to VALUES")
    # A company screen is aimed at the other company: in their own, the outsider (P2's supervisor) rightly
    # sees the ranking of their own site (tests/inspections/test_ranking.py checks it hides P1).
    return VALUES[arg](world, world.users[who].organisation_id if arg == "organisation_id" else hidden, db)


def _secrets(world, hidden: str) -> list[str]:
    return [getattr(world, hidden).name, world.areas[hidden].name, world.checkpoints[hidden].name,
            world.checkpoints[hidden].code, world.tickets[hidden].description, world.tickets[hidden].number,
            world.routes[hidden].name, "PHOTO-BYTES", world.rooms[hidden].name, world.handover_lines[hidden].name,
            world.deductions[hidden].label, world.shifts[hidden].post.name, world.shifts[hidden].item.name,
            world.shifts[hidden].matter.text, f"{getattr(world, hidden).name}的特殊事件"]


def _row_counts(app) -> dict[str, int]:
    with app.extensions["engine"].connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in SQLModel.metadata.sorted_tables if t.name != "login_failure"}


def test_every_view_declares_an_access_policy(app):
    undeclared = [r.endpoint for r in _rules(app)
                  if getattr(app.view_functions[r.endpoint], "access_policy", None) not in POLICIES]
    assert undeclared == []


def test_a_view_without_a_policy_is_never_served(test_config):
    from app import create_app

    other = create_app(test_config)
    other.add_url_rule("/forgotten", "forgotten", lambda: "secret data")
    assert other.test_client().get("/forgotten").status_code == 404


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.usefixtures("handover_world")
def test_no_view_leaks_a_hidden_project(app, world, login_as, who):
    hidden = HIDDEN.get(who, "p2")
    secrets = _secrets(world, hidden)
    with app.app_context():  # the photo files exist: a view serving them without a check would leak them
        for photo in world.photos.values():
            storage().save(photo.key, b"PHOTO-BYTES")
            storage().save(photo.thumb_key, b"PHOTO-BYTES")
    client = login_as(who)
    for rule in _rules(app):
        policy = app.view_functions[rule.endpoint].access_policy
        with app.app_context():
            values = {arg: _value_for(arg, world, hidden, get_session(), who) for arg in rule.arguments}
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            before = _row_counts(app)
            if method == "GET":
                response = client.get(url)
            else:
                record = {"kind": "ticket_report", "project_id": getattr(world, hidden).id, "data": {"description": "x"},
                          "client_time": "2026-01-01T00:00:00+00:00"}
                response = client.post_form(url, {"name": "改名", "password": "x" * 12, "role": "guard",
                                                  "project_id": getattr(world, hidden).id, "locale": "en",
                                                  "description": "改", "record": json.dumps(record)})
            body = text_of(response) if response.mimetype == XLSX else response.get_data(as_text=True)
            where = f"{who} {method} {url} ({policy})"
            for secret in secrets:
                assert secret not in body, f"{where} shows {secret!r}"
            if rule.arguments and policy != "public":
                assert response.status_code in (403, 404, 409), f"{where} answered {response.status_code}"
            if method == "POST" and rule.endpoint not in ("accounts.set_locale", "accounts.logout"):
                assert _row_counts(app) == before, f"{where} changed the database"
            if rule.endpoint == "accounts.logout":
                client = login_as(who)


# Who may see a photo inside its own project, by the rule of the record that owns it (admins see them all).
PHOTO_VIEWERS = {
    **dict.fromkeys(("ticket", "ticket_after", "ticket_work"), set(PROJECT_ROLES)),  # the ticket page: every member
    "visit": {"guard", "engineer", "attendant", "cleaner", "supervisor"},  # the round page: every trade walks rounds
    "intake": {"frontdesk", "supervisor"},
    "complaint_note": {"frontdesk", "supervisor"},  # and the complaint's department (none for this photo)
    "shift_event": {"attendant", "guard", "supervisor"},
    **dict.fromkeys(("incident", "incident_followup"), set(PROJECT_ROLES) - {"inspector"}),  # the incident page
    **dict.fromkeys(("register_found", "register_found_sign", "register_gift"),
                    {"guard", "attendant", "frontdesk", "supervisor"}),
    **dict.fromkeys(("inspection_deduction", "inspection_objection", "rectification"), {"inspector", "supervisor"}),
    **dict.fromkeys(("room_item", "handover_line", "handover_sign_out", "handover_sign_in", "room_check",
                     "room_check_keys"), {"attendant", "supervisor"}),
}


@pytest.fixture
def photo_of_every_owner(app, world):
    """One photo of P1 per owner type (and one of a type nobody registered), its files on disk."""
    from app.core.photos import Photo

    model = world.photos["p1"]
    with app.app_context():
        db = get_session()
        storage().save(model.key, b"PHOTO-BYTES")
        storage().save(model.thumb_key, b"PHOTO-BYTES")
        owners = {"rectification": world.rectifications["p1"].id}
        rows = {kind: Photo(project_id=world.p1.id, owner_type=kind, owner_id=owners.get(kind, 1), key=model.key,
                            thumb_key=model.thumb_key, width=1, height=1, size=11, sha256="0" * 64)
                for kind in (*PHOTO_VIEWERS, "unregistered")}
        db.add_all(rows.values())
        db.commit()
        return {kind: row.id for kind, row in rows.items()}


def test_every_photo_owner_type_has_a_viewing_rule(app):
    from app.core.photos import VIEWERS

    assert set(VIEWERS) == set(PHOTO_VIEWERS)


@pytest.mark.parametrize("who", PERSONAS)
def test_a_photo_is_served_to_whoever_may_see_its_record(app, login_as, photo_of_every_owner, who):
    client = login_as(who)
    for kind, photo_id in photo_of_every_owner.items():
        if who in ("outsider", "other_admin", "manager"):
            expected = 404  # not their project (a manager reads figures, not records): its photos do not exist for them
        elif kind != "unregistered" and (who == "admin" or who in PHOTO_VIEWERS[kind]):
            expected = 200
        else:
            expected = 403
        for url in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumb"):
            assert client.get(url).status_code == expected, f"{who} {kind} {url}"
