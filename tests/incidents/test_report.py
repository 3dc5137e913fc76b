"""Reporting an incident through the service: what it records, and the refusals (nothing half-saved)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.core.db import get_session, utcnow
from app.core.photos import Photo
from app.incidents import services
from app.incidents.models import Incident
from tests.incidents.helpers import TZ, at, form, report, wall

pytestmark = pytest.mark.usefixtures("ctx")


def _count(db) -> int:
    return db.exec(select(sa.func.count()).select_from(Incident)).one()


def test_a_report_records_type_time_place_people_and_what_was_done(world):
    db = get_session()
    incident = report(db, world, occurred_at="2026-11-30T02:10", reported_at=at("2026-11-30", "02:30"))
    db.expire_all()
    saved = db.get(Incident, incident.id)
    assert (saved.kind, saved.severity, saved.status, saved.source) == ("stranger", "minor", "open", "home")
    assert saved.occurred_at == at("2026-11-30", "02:10")
    assert saved.area_id == world.areas["p1"].id and saved.checkpoint_id == world.checkpoints["p1"].id
    assert saved.number.startswith("SJ-") and saved.people.startswith("男") and saved.action_taken == "盘查并陪同离开。"
    assert services.place_text(db, saved) == f"{world.areas['p1'].name} · {world.checkpoints['p1'].name} · 车场东北角"


def test_an_area_alone_or_a_typed_location_alone_is_a_place(world):
    db = get_session()
    by_area = report(db, world, place=f"area-{world.areas['p1'].id}", location="")
    typed = report(db, world, place="", location="南门岗")
    assert (by_area.area_id, by_area.checkpoint_id) == (world.areas["p1"].id, None)
    assert (typed.area_id, typed.location) == (None, "南门岗")


def test_a_round_it_was_reported_on_is_kept_when_it_is_this_projects(world):
    db = get_session()
    on_round = report(db, world, round_id=str(world.rounds["p1"].id), source="home")
    other = report(db, world, round_id=str(world.rounds["p2"].id), source="post")
    assert (on_round.round_id, on_round.source) == (world.rounds["p1"].id, "round")
    assert (other.round_id, other.source) == (None, "post")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"kind": "meteor"}, "kind", "请选择事件类型。"),
    ({"kind": ""}, "kind", "请选择事件类型。"),
    ({"occurred_at": ""}, "occurred_at", "请填写事发时间。"),
    ({"occurred_at": "昨晚两点"}, "occurred_at", "事发时间格式不对,请重新选择。"),
    ({"place": "", "location": "  "}, "place", "请选择事发地点(区域或巡更点),或填写具体位置。"),
    ({"description": " "}, "description", "请填写事件经过。"),
])
def test_a_report_missing_something_is_refused_whole_with_its_field(world, changes, field, message):
    db = get_session()
    with pytest.raises(services.IncidentError) as refused:
        services.report(db, storage=None, actor=world.users["guard"], project=world.p1, data=form(world, **changes),
                        reported_at=utcnow(), tz=TZ)
    db.rollback()
    assert refused.value.message == message and field in refused.value.fields and refused.value.status == 422
    assert _count(db) == 0


def test_a_time_in_the_future_is_refused_but_a_phone_clock_a_minute_ahead_is_not(world):
    db = get_session()
    written = at("2026-11-30", "02:30")
    with pytest.raises(services.IncidentError, match="事发时间不能晚于现在。"):
        report(db, world, occurred_at="2026-11-30T03:30", reported_at=written)
    db.rollback()
    assert report(db, world, occurred_at="2026-11-30T02:34", reported_at=written).occurred_at == at("2026-11-30", "02:34")


def test_a_time_long_ago_is_a_mistyped_year(world):
    db = get_session()
    with pytest.raises(services.IncidentError, match="90 天前"):
        report(db, world, occurred_at=wall(utcnow() - timedelta(days=91)))


def test_a_place_of_another_project_is_refused_not_taken(world):
    db = get_session()
    for place in (f"checkpoint-{world.checkpoints['p2'].id}", f"area-{world.areas['q'].id}", "area-999999999999"):
        with pytest.raises(services.IncidentError, match="所选地点已不存在"):
            report(db, world, place=place)
        db.rollback()
    assert _count(db) == 0


def test_photos_belong_to_the_incident(world):
    from app.core.photos import process
    from app.core.storage import storage
    from tests.images import image

    db = get_session()
    photo = process(image(), max_bytes=10_000_000)
    incident = services.report(db, storage=storage(), actor=world.users["guard"], project=world.p1,
                               data=form(world), reported_at=utcnow(), tz=TZ, photos=[photo], client_id="c-1")
    db.commit()
    rows = db.exec(select(Photo).where(Photo.owner_type == "incident", Photo.owner_id == incident.id)).all()
    assert len(rows) == 1 and rows[0].key.startswith(f"incidents/{world.p1.id}/c-1")


def test_the_phone_rules_carry_the_servers_words_in_its_order(world):
    rules = services.phone_rules(TZ)
    assert rules["zone"] == TZ and rules["slack_minutes"] == 5 and rules["past_days"] == 90
    assert rules["kinds"][:3] == ["fall", "dispute", "stranger"]
    assert rules["messages"]["future"] == "事发时间不能晚于现在。"
