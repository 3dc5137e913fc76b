"""An inspection set-up on P1: the small score sheet (10 points), and a helper that posts a visit to the sync API."""
import io
import json
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from app.checklists.models import ChecklistVersion
from app.inspections.models import Inspection
from tests import factories, images
from tests.conftest import engine_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 10:00 in Shanghai ten days ago: in the past (records may not come from the future) and well inside the 90 days
# the sync API accepts, whenever the suite runs (a fixed date stopped working 90 days after it). Only the date
# follows the real clock, never the hour; tests spell dates as `shown(VISIT + …)`.
VISIT = datetime.combine(datetime.now(SHANGHAI).date() - timedelta(days=10), time(10),
                         tzinfo=SHANGHAI).astimezone(timezone.utc)


def shown(moment: datetime, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as the pages show it: in Shanghai time."""
    return f"{moment.astimezone(SHANGHAI):{pattern}}"


def visit_month() -> str:
    """The ranking month of VISIT (close day 30: a visit on the 31st counts for the next month)."""
    from app.inspections.ranking import month_of

    return month_of(VISIT, 30, SHANGHAI)


@pytest.fixture
def sheet(world, db) -> ChecklistVersion:
    """The small score sheet (10 points) of org A."""
    return factories.checklist(db, world.org_a, factories.score_sheet_definition())


def answers_for(version, failed: dict | None = None, **overrides) -> tuple[dict, list]:
    """Form fields answering every item "pass" except `failed` (key → count), each with one photo."""
    data, photos = {f"sheet-{version.template_id}": str(version.id)}, []
    for section in version.definition["sections"]:
        for item in section["items"]:
            data[f"v{version.id}-item-{item['key']}"] = "pass"
    for key, count in (failed or {}).items():
        data[f"v{version.id}-item-{key}"] = "fail"
        data[f"v{version.id}-count-{key}"] = str(count)
        data[f"v{version.id}-note-{key}"] = f"{key} 的备注"
        photos.append((f"v{version.id}-photo-{key}", images.image(size=(320, 240))))
    data.update(overrides)
    return data, photos


def submit(client, project_id: int, data: dict, photos=(), at: datetime = VISIT, client_id: str | None = None):
    record = {"kind": "inspection", "project_id": project_id, "client_time": at.isoformat(), "data": data}
    token = client.get("/api/v1/session").json["csrf_token"]
    files = [(io.BytesIO(raw), f"{field}~{i}.jpg") for i, (field, raw) in enumerate(photos)]
    return client.post(f"/api/v1/records/{client_id or uuid.uuid4()}", data={"record": json.dumps(record), "photos": files},
                       headers={"X-CSRFToken": token})


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
