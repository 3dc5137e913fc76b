"""Inspection test helpers: the visit moment, dates as pages show them, answers to a sheet, posting a visit."""
import io
import json
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from app.inspections.models import Inspection, InspectionSheet
from app.projects.models import Project
from tests import images

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


def many_sites(session, org, version, count: int) -> None:
    """`count` sites named 压测项目 000… scored on `version` on 3 May 2025, five to a score (100 %, 98 %, …):
    ranks 1, 1, 1, 1, 1, 6, …"""
    for n in range(count):
        site = Project(organisation_id=org.id, name=f"压测项目 {n:03d}")
        session.add(site)
        session.flush()
        at, score = datetime(2025, 5, 3, 10, tzinfo=SHANGHAI), 10 - (n // 5) * 0.2
        row = Inspection(project_id=site.id, inspected_at=at, objection_deadline=at, status="effective")
        session.add(row)
        session.flush()
        session.add(InspectionSheet(inspection_id=row.id, project_id=site.id, template_id=version.template_id,
                                    version_id=version.id, name="小检查表", base_score=10, original_score=score,
                                    score=score, percentage=score * 10))
    session.commit()
