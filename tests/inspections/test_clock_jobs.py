"""The inspections clock: a closed objection window makes the result effective once; a closed month freezes."""
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from app.core.audit import AuditLog
from app.core.clock import run_due
from app.inspections.models import Inspection, Objection, RankingSnapshot


def test_a_window_that_closed_with_nothing_pending_makes_the_inspection_effective_once(app, world, db):
    inspection = db.get(Inspection, world.inspections["p1"].id)
    db.exec(sa.delete(Objection).where(Objection.inspection_id == inspection.id))
    db.commit()
    deadline = inspection.objection_deadline
    run_due(app, deadline - timedelta(minutes=1), names=["inspections.windows"], force=True)
    db.expire_all()
    assert db.get(Inspection, inspection.id).status == "provisional"
    for _ in range(2):
        run_due(app, deadline + timedelta(minutes=1), names=["inspections.windows"], force=True)
    db.expire_all()
    assert db.get(Inspection, inspection.id).status == "effective"
    entries = db.exec(select(AuditLog).where(AuditLog.action == "inspection.effective",
                                             AuditLog.object_id == inspection.id)).all()
    assert len(entries) == 1


def test_a_pending_objection_keeps_the_window_open(app, world, db):
    inspection = db.get(Inspection, world.inspections["p1"].id)
    run_due(app, inspection.objection_deadline + timedelta(days=1), names=["inspections.windows"], force=True)
    db.expire_all()
    assert db.get(Inspection, inspection.id).status == "provisional"


def test_the_month_that_closed_is_frozen_by_the_clock(app, world, db):
    db.exec(sa.delete(Objection))
    db.commit()
    later = db.get(Inspection, world.inspections["p1"].id).inspected_at + timedelta(days=70)
    run_due(app, later, names=["inspections.windows", "inspections.ranking"], force=True)
    assert db.exec(select(RankingSnapshot).where(RankingSnapshot.organisation_id == world.org_a.id)).all()
