"""Handover test helpers: signatures (inked and blank) and posting a whole handover through the sync API."""
import io
import json
import uuid
from datetime import datetime

from PIL import Image

from app.core.db import utcnow
from tests import images
from tests.handovers import builders


def _png(picture) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


SIGNATURE = images.image("PNG", size=(300, 100), color=(20, 20, 20))  # ink, not a blank pad
SIGNATURE_2 = images.image("PNG", size=(300, 100), color=(10, 10, 90))
BLANK = _png(Image.new("RGB", (300, 100), "white"))  # a pad nobody drew on


def all_present(room_items=builders.ITEMS, **changes) -> dict:
    """Form data of a handover where everything is present, with `changes` (e.g. status-i2="damaged")."""
    data = {}
    for item in room_items:
        data[f"status-{item['key']}"] = "present"
        data[f"found-{item['key']}"] = str(item["quantity"])
    data.update(changes)
    return data


def envelope(world, room, data: dict, client_time: datetime | None = None, **extra) -> dict:
    base = {"room_id": str(room.id), "version_id": str(room.current_version_id),
            "incoming_id": str(world.users["attendant_b"].id), "incoming_password": extra.pop("password", "correct-horse-9")}
    return {"kind": "room_handover", "project_id": world.p1.id, "client_time": (client_time or utcnow()).isoformat(),
            "data": {**base, **data, **extra}}


def post(client, record: dict, files: list[tuple[str, bytes]] = (), client_id: str | None = None):
    """POST one outbox entry: files are (form field, bytes), named as the page names them."""
    data = {"record": json.dumps(record),
            "photos": [(io.BytesIO(raw), f"{name}~{i}.jpg") for i, (name, raw) in enumerate(files, start=1)]}
    token = client.get("/api/v1/session").json["csrf_token"]
    return client.post(f"/api/v1/records/{client_id or uuid.uuid4()}", data=data, content_type="multipart/form-data",
                       headers={"X-CSRFToken": token})


def signatures(outgoing: bool = True, incoming: bool = True) -> list[tuple[str, bytes]]:
    return ([("sign-outgoing", SIGNATURE)] if outgoing else []) + ([("sign-incoming", SIGNATURE_2)] if incoming else [])
