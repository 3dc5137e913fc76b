"""Sample rooms and their inventory: every change publishes a new version, old ones stay as they were."""
import uuid

from flask_babel import gettext as _
from sqlmodel import Session, func, select

from app.accounts.models import User
from app.core import audit
from app.core.db import utcnow
from app.core.photos import ProcessedPhoto, attach
from app.core.refusal import Refusal
from app.core.validation import required_text, whole
from app.handovers.models import CATEGORIES, ITEM_PHOTO, InventoryVersion, Room
from app.projects.models import Area, Project
from app.projects.services import areas_of, posted_area

MAX_QUANTITY = 999


class HandoverError(Refusal):
    """A refusal of the sample-room capability (inventory, handover, checks), shown to the user as it is."""


def rooms_of(session: Session, project: Project) -> list[Room]:
    return session.exec(select(Room).where(Room.project_id == project.id).order_by(Room.name, Room.id)).all()


def free_areas(session: Session, project: Project) -> list[Area]:
    """The project's areas that are not a sample room yet."""
    taken = set(session.exec(select(Room.area_id).where(Room.project_id == project.id)).all())
    return [area for area in areas_of(session, project) if area.id not in taken]


def create_room(session: Session, *, actor: User, project: Project, area_id,
                items: list[dict] | None = None) -> Room:
    """Make an area a sample room; its inventory starts as version 1 holding `items` (often none yet)."""
    area = posted_area(session, area_id)
    if area is None or area.project_id != project.id:
        raise HandoverError(_("请选择本项目的区域。"), {"area_id": _("请选择区域")})
    if session.exec(select(Room.id).where(Room.area_id == area.id)).first():
        raise HandoverError(_("“%(name)s”已经是样板间。", name=area.name), {"area_id": _("已是样板间")})
    room = Room(project_id=project.id, area_id=area.id, name=area.name)
    session.add(room)
    audit.record(session, actor=actor, action="room.create", obj=room, after={"name": room.name})
    publish(session, actor=actor, room=room, items=list(items or []))
    return room


def version_of(session: Session, room: Room) -> InventoryVersion | None:
    return session.get(InventoryVersion, room.current_version_id) if room.current_version_id else None


def items_of(session: Session, room: Room) -> list[dict]:
    version = version_of(session, room)
    return list(version.items) if version else []


def publish(session: Session, *, actor: User, room: Room, items: list[dict]) -> InventoryVersion:
    """Publish the room's inventory as a new version (an unchanged list keeps the current one); commits."""
    version = stage(session, actor=actor, room=room, items=items)
    session.commit()
    return version


def stage(session: Session, *, actor: User, room: Room, items: list[dict]) -> InventoryVersion:
    """`publish` without the commit, for a caller that writes more in the same transaction."""
    current = version_of(session, room)
    if current is not None and current.items == items:
        return current
    number = session.exec(select(func.coalesce(func.max(InventoryVersion.number), 0))
                          .where(InventoryVersion.room_id == room.id)).one() + 1
    version = InventoryVersion(room_id=room.id, number=number, items=items, created_by=actor.id)
    session.add(version)
    session.flush()
    room.current_version_id = version.id
    session.add(room)
    audit.record(session, actor=actor, action="inventory.publish", obj=room,
                 before={"version": current.number if current else None},
                 after={"version": number, "items": len(items)})
    return version


def _next_key(session: Session, room: Room) -> str:
    """A key no version of this room ever used: records made on old versions keep pointing at the right item."""
    used = set()
    for version in session.exec(select(InventoryVersion).where(InventoryVersion.room_id == room.id)).all():
        used.update(item["key"] for item in version.items)
    numbers = [int(k[1:]) for k in used if k[1:].isdigit()]
    return f"i{max(numbers, default=0) + 1}"


def save_item(session: Session, *, storage, actor: User, room: Room, key: str | None = None, name: str,
              category: str, quantity, location: str = "", photo: ProcessedPhoto | None = None) -> InventoryVersion:
    """Add an item (no key) or change one; either publishes a new version of the inventory."""
    name = required_text(name, _("物品名称"), 120, HandoverError)
    if category not in CATEGORIES:
        raise HandoverError(_("请选择类别。"), {"category": _("请选择类别")})
    quantity = whole(quantity, _("数量"), 1, MAX_QUANTITY, "quantity", HandoverError)
    location = (location or "").strip()
    if len(location) > 120:
        raise HandoverError(_("摆放位置不能超过 %(n)d 字。", n=120), {"location": _("太长")})
    items = items_of(session, room)
    if key is None:
        item = {"key": _next_key(session, room), "photo_id": None}
        items.append(item)
    else:
        item = next((dict(i) for i in items if i["key"] == key), None)
        if item is None:
            raise HandoverError(_("清单中没有这件物品。"))
        items = [item if i["key"] == key else i for i in items]
    item.update(name=name, category=category, quantity=quantity, location=location)
    if photo is not None:
        [row] = attach(session, storage, [photo], project_id=room.project_id, owner_type=ITEM_PHOTO,
                       owner_id=room.id, uploaded_by=actor.id, taken_at=utcnow(),
                       prefix=f"rooms/{room.project_id}/{room.id}/{uuid.uuid4().hex}")
        session.flush()
        item["photo_id"] = row.id
    return publish(session, actor=actor, room=room, items=items)


def remove_item(session: Session, *, actor: User, room: Room, key: str) -> InventoryVersion:
    items = items_of(session, room)
    if not any(i["key"] == key for i in items):
        raise HandoverError(_("清单中没有这件物品。"))
    return publish(session, actor=actor, room=room, items=[i for i in items if i["key"] != key])


def merge_items(session: Session, *, actor: User, room: Room, rows: list[dict]) -> InventoryVersion:
    """Rows of name, category, quantity, location (checked by the caller, app.imports): an item of the same name
    is changed in place (its key and reference photo kept), others are added; nothing is committed."""
    items = [dict(i) for i in items_of(session, room)]
    by_name = {i["name"]: i for i in items}
    number = int(_next_key(session, room)[1:])
    for row in rows:
        item = by_name.get(row["name"])
        if item is None:
            item = by_name[row["name"]] = {"key": f"i{number}", "photo_id": None}
            number += 1
            items.append(item)
        item.update(name=row["name"], category=row["category"], quantity=row["quantity"], location=row["location"])
    return stage(session, actor=actor, room=room, items=items)


def by_category(items: list[dict]) -> list[tuple[str, list[tuple[int, dict]]]]:
    """The items grouped by category in the order categories first appear, each with its number on the list."""
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, item in enumerate(items, start=1):
        groups.setdefault(item["category"], []).append((number, item))
    return list(groups.items())
