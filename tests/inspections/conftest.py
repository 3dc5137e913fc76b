"""An inspection set-up on P1: the small score sheet (10 points), and a helper that posts a visit to the sync API."""
import io
import json
import uuid
from datetime import datetime, timezone

import pytest

from app.checklists.models import ChecklistVersion
from tests import factories, images

# A fixed moment in the past (records may not come from the future): 10:00 in Shanghai.
VISIT = datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc)


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
def scored(login_as, world, sheet):
    """P1 scored by the inspector: floor ×2 and bins failed → 10 − 2 − 2 = 6."""
    data, photos = answers_for(sheet, {"floor": 2, "bins": 1}, marketing_rep="王营销", property_rep="李物业")
    response = submit(login_as("inspector"), world.p1.id, data, photos)
    assert response.status_code == 201, response.json
    return response.json["id"]
