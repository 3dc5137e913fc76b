"""Front desk test builders: units with owners, intakes, and an intake sent through the outbox."""
import io
import json
import uuid
from datetime import datetime

from sqlmodel import Session, select

from app.core.db import utcnow
from app.frontdesk import units as units_service
from app.frontdesk.models import Intake, Occupant, Unit
from app.projects.models import Project


def unit(session: Session, project: Project, label: str = "3栋2单元1201", owners=(("王先生", "13800138000"),)) -> Unit:
    """The unit of that label in the project (made the first time), with its owners."""
    parts = units_service.parse_label(label)
    found = session.exec(select(Unit).where(Unit.project_id == project.id, Unit.key == parts.key)).first()
    if found:
        return found
    obj = Unit(project_id=project.id, building=parts.building, unit_no=parts.unit_no, room=parts.room,
               label=parts.label, key=parts.key)
    session.add(obj)
    session.flush()
    session.add_all(Occupant(unit_id=obj.id, project_id=project.id, name=name, phone=phone, position=i) for i, (name, phone) in enumerate(owners))
    session.commit()
    return obj


def intake(session: Session, project: Project, **fields) -> Intake:
    values = {"channel": "phone", "category": "enquiry", "description": "物业费怎么交", "status": "open",
              "received_at": utcnow(), **fields}
    obj = Intake(project_id=project.id, **values)
    session.add(obj)
    session.commit()
    return obj


def send(client, project_id: int, data: dict, *, client_id: str | None = None, at: datetime | None = None, photos=()):
    """An intake through the sync API, as the outbox sends it."""
    record = {"kind": "frontdesk_intake", "project_id": project_id, "client_time": (at or utcnow()).isoformat(),
              "data": data}
    token = client.get("/api/v1/session").json["csrf_token"]
    files = [(io.BytesIO(raw), f"photos~{i}.jpg") for i, raw in enumerate(photos)]
    return client.post(f"/api/v1/records/{client_id or uuid.uuid4()}", data={"record": json.dumps(record), "photos": files},
                       content_type="multipart/form-data", headers={"X-CSRFToken": token})
