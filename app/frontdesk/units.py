"""A project's units and their occupants (a minimal 业主档案): how a unit is written, found and kept.

A unit is typed many ways at a desk ("3栋2单元1201", "3-2-1201", "3#2-1201", "3 幢 1201"); all of them reduce
to one search key ("3-2-1201", "3-1201" without a 单元) that the type-ahead and the importer match on.
"""
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlmodel import Session, func, or_, select

from app.core import audit
from app.core.refusal import Refusal
from app.frontdesk.models import RELATIONS, Occupant, Unit
from app.repairs.services import mask

CONTACT_ROLES = {"frontdesk", "supervisor", "admin"}  # who sees an occupant's phone whole and may look up by phone
EDITORS = ("frontdesk", "supervisor")
LOOKUP_LIMIT = 10
PART = r"[0-9A-Za-z]{1,20}"
LABEL = re.compile(rf"^\s*(?P<b>{PART})\s*(?:栋|幢|号楼|座|#|-|\s)\s*(?:(?P<u>{PART})\s*(?:单元|-|\s)\s*)?"
                   rf"(?P<r>{PART})\s*(?:室|号)?\s*$")
SEPARATORS = re.compile(r"\s*(?:栋|幢|号楼|座|单元|#|-|\s)+\s*")


class UnitError(Refusal):
    """A unit or occupant refusal: the input does not describe a unit, or the unit is not there."""


@dataclass
class Parts:
    building: str
    unit_no: str
    room: str

    @property
    def key(self) -> str:
        return "-".join(p for p in (self.building, self.unit_no, self.room) if p).upper()

    @property
    def label(self) -> str:
        return f"{self.building}栋" + (f"{self.unit_no}单元" if self.unit_no else "") + self.room


def parse_label(text: str) -> Parts | None:
    """"3栋2单元1201" / "3-2-1201" / "3#1201" → its parts; None when it does not read as a unit."""
    found = LABEL.match(str(text or ""))
    if not found:
        return None
    return Parts(found["b"].upper(), (found["u"] or "").upper(), found["r"].upper())


def search_key(text: str) -> str:
    """What a typed query becomes to match a unit's key by its start: "3栋2单元12" → "3-2-12"."""
    text = re.sub(r"\s*(?:室|号)\s*$", "", str(text or "").strip())
    return SEPARATORS.sub("-", text).strip("-").upper()[:80]


def parts_of(building: str, unit_no: str, room: str) -> Parts:
    """The parts typed in a form's three fields, checked; UnitError naming the field at fault."""
    values = {"building": str(building or "").strip(), "unit_no": str(unit_no or "").strip(),
              "room": str(room or "").strip()}
    for name, label in (("building", _("楼栋")), ("room", _("房号"))):
        if not values[name]:
            raise UnitError(_("请填写%(label)s。", label=label), {name: _("必填")})
    for name, value in values.items():
        if value and not re.fullmatch(PART, value.removesuffix("栋").removesuffix("单元")):
            raise UnitError(_("楼栋、单元和房号只能用数字和字母,如 3 栋 2 单元 1201。"), {name: _("格式不对")})
    return Parts(values["building"].removesuffix("栋").upper(), values["unit_no"].removesuffix("单元").upper(),
                 values["room"].upper())


def unit_by_key(session: Session, project_id: int, key: str) -> Unit | None:
    return session.exec(select(Unit).where(Unit.project_id == project_id, Unit.key == key)).first()


def unit_in(session: Session, unit_id, *, project_id: int) -> Unit:
    """The unit a form names, if it is this project's; else a 404 refusal."""
    unit = session.get(Unit, int(unit_id)) if str(unit_id or "").strip().isdigit() else None
    if unit is None or unit.project_id != project_id:
        raise UnitError(_("找不到这个房号。"), {"unit": _("房号不存在")}, status=404)
    return unit


def find_unit(session: Session, project_id: int, text: str) -> Unit | None:
    """The unit a typed label names ("3栋2单元1201"), or None."""
    parts = parse_label(text)
    return unit_by_key(session, project_id, parts.key) if parts else None


def occupants_of(session: Session, unit_ids) -> dict[int, list[Occupant]]:
    ids = list(dict.fromkeys(unit_ids))
    out = {i: [] for i in ids}
    if ids:
        rows = session.exec(select(Occupant).where(Occupant.unit_id.in_(ids))
                            .order_by(Occupant.unit_id, Occupant.position, Occupant.id)).all()
        for row in rows:
            out[row.unit_id].append(row)
    return out


def _starting(session: Session, column, prefix: str):
    """`column` starts with `prefix`, in byte order, as a range of the column's index: on SQLite a BINARY range
    (its LIKE is case-blind and uses no index), on PostgreSQL a case-sensitive LIKE, which the index's
    text_pattern_ops answer whatever the database's collation (a range under COLLATE "C" is not an index range
    there: the index has the column's own collation, so the project's rows were walked and filtered)."""
    if session.get_bind().dialect.name == "postgresql":
        return column.like(re.sub(r"([\\%_])", r"\\\1", prefix) + "%", escape="\\")
    column = column.collate("BINARY")
    return (column >= prefix) & (column < prefix + "\x7f")


def _byte_order(session: Session, column):
    """ORDER BY `column` in byte order, as the prefix index holds it (PostgreSQL: `USING ~<~`, text_pattern_ops'
    own order, so the first rows of a prefix are read from the index alone)."""
    if session.get_bind().dialect.name == "postgresql":
        return column.op("USING")(sa.literal_column("~<~"))
    return column


def lookup(session: Session, project_id: int, query: str, *, roles: set[str], limit: int = LOOKUP_LIMIT) -> list[Unit]:
    """Units whose key or room number starts with what was typed, or (for those who see phones) whose occupant's
    phone starts or ends with its digits (4 or more: "尾号 5678"); the shortest keys first. Each its own
    statement, so each is an index range whatever the number of units (an OR of them is a scan)."""
    key = search_key(query)
    if not key or not re.fullmatch(r"[0-9A-Z-]+", key):
        return []
    found = {}
    for column in (Unit.key, Unit.room):
        stmt = select(Unit).where(Unit.project_id == project_id, _starting(session, column, key))
        found.update((u.id, u) for u in session.exec(stmt.order_by(_byte_order(session, column)).limit(limit)))
    if roles & CONTACT_ROLES and len(key) >= 4 and key.isdigit():
        for column, start in ((Occupant.phone_key, key), (Occupant.phone_rev, key[::-1])):
            owners = (select(Occupant.unit_id).where(Occupant.project_id == project_id, _starting(session, column, start))
                      .order_by(_byte_order(session, column)).limit(limit))
            found.update((u.id, u) for u in session.exec(select(Unit).where(Unit.id.in_(owners))))
    return sorted(found.values(), key=lambda u: (len(u.key), u.key))[:limit]


def shown_phone(phone: str, roles: set[str]) -> str:
    """An occupant's phone as this reader may see it: whole for the desk and supervisors, else masked."""
    return phone if roles & CONTACT_ROLES else mask(phone)


def units_stmt(session: Session, project_id: int, query: str = ""):
    """The project's units by building, unit and room; those whose key or room starts with `query` if given."""
    stmt = select(Unit).where(Unit.project_id == project_id)
    key = search_key(query)
    if key:
        stmt = stmt.where(or_(_starting(session, Unit.key, key), _starting(session, Unit.room, key)))
    return stmt.order_by(Unit.building, Unit.unit_no, Unit.room)


def parse_occupants(names: str, phones: str) -> list[tuple[str, str]]:
    """Names and phones typed side by side ("王先生、李女士" / "13800138000、13900139000") as pairs; UnitError."""
    split = re.compile(r"[、,,;;/\n]+")
    name_list = [n.strip() for n in split.split(str(names or "")) if n.strip()]
    phone_list = [p.strip() for p in split.split(str(phones or "")) if p.strip()]
    if len(phone_list) > len(name_list):
        raise UnitError(_("电话比姓名多:每个电话须对应一位业主。"), {"phones": _("多了电话")})
    for name in name_list:
        if len(name) > 60:
            raise UnitError(_("姓名不能超过 %(n)d 字。", n=60), {"names": _("太长")})
    for phone in phone_list:
        if not re.fullmatch(r"\+?[0-9][0-9 -]{5,19}", phone):
            raise UnitError(_("电话“%(phone)s”不是有效的号码。", phone=phone[:20]), {"phones": _("号码不对")})
    return [(name, phone_list[i] if i < len(phone_list) else "") for i, name in enumerate(name_list)]


def save_unit(session: Session, *, actor, project_id: int, parts: Parts, occupants: list[tuple[str, str]],
              note: str = "", unit: Unit | None = None) -> Unit:
    """Add a unit or change one, its occupants replaced by those given (owners first, in order); caller commits."""
    other = unit_by_key(session, project_id, parts.key)
    if other is not None and (unit is None or other.id != unit.id):
        raise UnitError(_("房号 %(label)s 已存在。", label=other.label), {"room": _("已存在")}, status=409)
    before = None
    if unit is None:
        unit = Unit(project_id=project_id, building=parts.building, room=parts.room, label=parts.label, key=parts.key)
    else:
        before = {"label": unit.label, "occupants": [o.name for o in occupants_of(session, [unit.id])[unit.id]]}
    unit.building, unit.unit_no, unit.room = parts.building, parts.unit_no, parts.room
    unit.label, unit.key, unit.note = parts.label, parts.key, str(note or "").strip()[:200]
    session.add(unit)
    session.flush()
    replace_occupants(session, unit, occupants)
    audit.record(session, actor=actor, action="unit.save", obj=unit, before=before,
                 after={"label": unit.label, "occupants": [name for name, _phone in occupants]})
    return unit


def replace_occupants(session: Session, unit: Unit, occupants: list[tuple[str, str]], relation: str = "owner") -> None:
    for old in occupants_of(session, [unit.id])[unit.id] if unit.id else []:
        session.delete(old)
    relation = relation if relation in RELATIONS else "owner"
    session.add_all(Occupant(unit_id=unit.id, project_id=unit.project_id, name=name[:60], phone=phone[:20],
                             relation=relation, position=i)
                    for i, (name, phone) in enumerate(occupants))


def count_units(session: Session, project_id: int) -> int:
    return session.exec(select(func.count()).select_from(Unit).where(Unit.project_id == project_id)).one()
