"""An inspection set-up on P1: the small score sheet (10 points), and P1 scored once."""
from datetime import timedelta

import pytest
from sqlmodel import Session

from app.checklists.models import ChecklistVersion
from app.inspections.models import Inspection
from tests import factories
from tests.factories import engine_of
from tests.inspections.helpers import VISIT, answers_for, submit


@pytest.fixture
def sheet(world, db) -> ChecklistVersion:
    """The small score sheet (10 points) of org A."""
    return factories.checklist(db, world.org_a, factories.score_sheet_definition())


@pytest.fixture
def scored(app, login_as, world, sheet):
    """P1 scored by the inspector: floor ×2 and bins failed → 10 − 2 − 2 = 6."""
    data, photos = answers_for(sheet, {"floor": 2, "bins": 1}, marketing_rep="王营销", property_rep="李物业")
    response = submit(login_as("inspector"), world.p1.id, data, photos)
    assert response.status_code == 201, response.json
    # The window runs from the arrival (the real clock, days after VISIT): as if it had synced at once,
    # so that the tests' frozen clocks (VISIT + n days) fall inside or after it.
    with Session(engine_of(app), expire_on_commit=False) as session:
        inspection = session.get(Inspection, response.json["id"])
        inspection.received_at, inspection.objection_deadline = VISIT, VISIT + timedelta(days=3)
        session.add(inspection)
        session.commit()
    return response.json["id"]
