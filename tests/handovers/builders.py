"""Builders of sample rooms, inventories and handovers for tests (saved; read back through the session)."""
from sqlmodel import Session

from app.accounts.models import User
from app.core.db import utcnow
from app.handovers.models import CATEGORIES, Handover, HandoverLine, InventoryVersion, Room, RoomCheck
from app.projects.models import Project
from tests import factories

ITEMS = [
    {"key": "i1", "name": "水晶吊灯", "category": "灯具", "quantity": 1, "location": "客厅顶部", "photo_id": None},
    {"key": "i2", "name": "骨瓷咖啡杯", "category": "餐具", "quantity": 4, "location": "餐桌", "photo_id": None},
    {"key": "i3", "name": "真丝抱枕", "category": "寝具", "quantity": 2, "location": "主卧床头", "photo_id": None},
]


def many_items(count: int) -> list[dict]:
    """A show flat's full inventory: `count` items spread over the starter categories, as a real list runs."""
    return [{"key": f"k{n}", "name": f"{CATEGORIES[n % len(CATEGORIES)]}{n}号", "category": CATEGORIES[n % len(CATEGORIES)],
             "quantity": 1 + n % 4, "location": "客厅", "photo_id": None} for n in range(1, count + 1)]


def room(session: Session, project: Project, name: str, items: list[dict] | None = None) -> Room:
    """A sample room on a new area of `project`, its inventory published as version 1."""
    area = factories.area(session, project, name)
    obj = Room(project_id=project.id, area_id=area.id, name=name)
    session.add(obj)
    session.flush()
    version = InventoryVersion(room_id=obj.id, number=1, items=items if items is not None else ITEMS)
    session.add(version)
    session.flush()
    obj.current_version_id = version.id
    session.commit()
    return obj


def handover(session: Session, room_: Room, outgoing: User, incoming: User, state: str = "locked") -> Handover:
    """A handover of the room's current version with every item present (or as the caller edits after)."""
    now = utcnow()
    obj = Handover(project_id=room_.project_id, room_id=room_.id, version_id=room_.current_version_id, state=state,
                   counted_at=now, outgoing_id=outgoing.id, outgoing_signed_at=now, incoming_id=incoming.id,
                   incoming_signed_at=now, locked_at=now)
    session.add(obj)
    session.flush()
    version = session.get(InventoryVersion, room_.current_version_id)
    for position, item in enumerate(version.items, start=1):
        session.add(HandoverLine(handover_id=obj.id, position=position, item_key=item["key"], name=item["name"],
                                 category=item["category"], location=item["location"], expected=item["quantity"],
                                 found=item["quantity"], status="present"))
    session.commit()
    return obj


def handover_world(session: Session, w) -> None:
    """For the access walk: a room, a locked handover and a closing check in each of P1, P2 and Q."""
    w.rooms, w.handovers, w.handover_lines, w.room_checks = {}, {}, {}, {}
    w.users["attendant_b"] = factories.user(session, w.org_a, "attendant_b", roles=[(w.p1, "attendant")])
    people = {"p1": (w.users["attendant"], w.users["attendant_b"]), "p2": (w.users["outsider"], w.users["outsider"]),
              "q": (w.users["other_admin"], w.users["other_admin"])}
    for key, project in (("p1", w.p1), ("p2", w.p2), ("q", w.q)):
        items = [dict(ITEMS[0], name=f"{project.name}的吊灯")]
        w.rooms[key] = room(session, project, f"{project.name}的样板间", items)
        w.handovers[key] = handover(session, w.rooms[key], *people[key])
        w.handover_lines[key] = session.exec(
            HandoverLine.__table__.select().where(HandoverLine.handover_id == w.handovers[key].id)).first()
        check = RoomCheck(project_id=project.id, room_id=w.rooms[key].id, kind="closing", done_at=utcnow())
        session.add(check)
        session.commit()
        w.room_checks[key] = check
