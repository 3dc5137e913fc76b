"""Units and owners brought in from a file, all or nothing: reading a file into checked rows (`read_csv`; the
Excel reader of app.imports yields the same rows) is kept apart from applying them (`preview`, `apply`).

Columns, by header (Chinese or English): 楼栋 building, 单元 unit, 房号 room, 业主 name(s), 电话 phone(s),
关系 relation, 备注 note. Or one column 房屋 / unit label ("3栋2单元1201") instead of the first three.
Several owners of one unit: several rows, or names and phones separated by "、".
"""
import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlmodel import Session, select

from app.core import audit
from app.frontdesk import units
from app.frontdesk.models import RELATIONS, Unit
from app.imports.reading import ImportRefused, decode  # noqa: F401  (the one file refusal; decode for the page)
from app.projects.services import get_project

MAX_ROWS = 20_000
MAX_BYTES = 4_000_000
HEADERS = {
    "building": ("楼栋", "栋", "楼号", "building"), "unit_no": ("单元", "unit"), "room": ("房号", "室", "room"),
    "label": ("房屋", "房间", "房屋编号", "label"), "names": ("业主", "业主姓名", "姓名", "name", "names", "owner"),
    "phones": ("电话", "手机", "联系电话", "phone", "phones"), "relation": ("关系", "relation"),
    "note": ("备注", "note"),
}
RELATION_WORDS = {"业主": "owner", "租户": "tenant", "家属": "family", **{r: r for r in RELATIONS}}


@dataclass
class Row:
    line: int
    parts: units.Parts
    occupants: list[tuple[str, str]]
    relation: str = "owner"
    note: str = ""


@dataclass
class Reading:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message in the reader's language)


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, words in HEADERS.items():
        for i, name in enumerate(names):
            if name in words:
                found.setdefault(key, i)
    if "room" not in found and "label" not in found:
        raise ImportRefused(_("第 1 行须是表头,至少含“房号”(或“房屋”)一列。"), {"file": _("缺少表头")})
    return found


def read_csv(raw: bytes) -> Reading:
    """The rows of a CSV file, each checked alone, with the problems of those that are not right by line."""
    if not raw.strip():
        raise ImportRefused(_("文件是空的。"), {"file": _("请选择文件")})
    if len(raw) > MAX_BYTES:
        raise ImportRefused(_("文件不能超过 %(n)d MB。", n=MAX_BYTES // 1_000_000), {"file": _("文件太大")})
    lines = list(csv.reader(io.StringIO(decode(raw))))
    columns = _columns(lines[0])
    if len(lines) - 1 > MAX_ROWS:
        raise ImportRefused(_("一次最多导入 %(n)d 行。", n=MAX_ROWS), {"file": _("行数太多")})
    return rows_from(columns, lines[1:], first_line=2)


def rows_from(columns: dict[str, int], lines, first_line: int) -> Reading:
    """Check rows of cells against the columns found (shared by every file format)."""
    reading = Reading()
    for number, cells in enumerate(lines, start=first_line):
        def cell(key, cells=cells):
            i = columns.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""
        if not any(c.strip() for c in cells):
            continue
        try:
            if "label" in columns and cell("label"):
                parts = units.parse_label(cell("label"))
                if parts is None:
                    raise units.UnitError(_("“%(text)s”不是房号,请写成 3栋2单元1201。", text=cell("label")[:40]))
            else:
                parts = units.parts_of(cell("building"), cell("unit_no"), cell("room"))
            occupants = units.parse_occupants(cell("names"), cell("phones"))
            relation = RELATION_WORDS.get(cell("relation") or "owner")
            if relation is None:
                raise units.UnitError(_("关系须为业主、租户或家属。"))
        except units.UnitError as exc:
            reading.errors.append((number, exc.message))
            continue
        reading.rows.append(Row(number, parts, occupants, relation, cell("note")[:200]))
    return reading


@dataclass
class Plan:
    """What applying would do: units added, units whose occupants change, and the problems that stop it."""

    added: list[Row] = field(default_factory=list)
    changed: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def preview(session: Session, *, project_id: int, reading: Reading) -> Plan:
    """The rows merged by unit (several rows, one unit: its occupants together), checked against each other."""
    plan = Plan(errors=list(reading.errors))
    merged: dict[str, Row] = {}
    for row in reading.rows:
        if row.parts.key in merged:
            first = merged[row.parts.key]
            if not row.occupants:
                plan.errors.append((row.line, _("与第 %(line)d 行是同一房号,且没有业主。", line=first.line)))
            first.occupants.extend(row.occupants)
            continue
        merged[row.parts.key] = row
    existing = set(session.exec(select(Unit.key).where(Unit.project_id == project_id,
                                                       Unit.key.in_(list(merged))))) if merged else set()
    for key, row in merged.items():
        (plan.changed if key in existing else plan.added).append(row)
    plan.errors.sort()
    return plan


def apply(session: Session, *, actor, project_id: int, plan: Plan) -> int:
    """Add or update every unit of the plan, or refuse the whole file when it has any problem; caller commits."""
    if plan.errors:
        line, message = plan.errors[0]
        raise ImportRefused(_("第 %(line)d 行:%(message)s 文件未导入,请改正后重试。", line=line, message=message))
    rows = plan.added + plan.changed
    found = {u.key: u for u in session.exec(select(Unit).where(
        Unit.project_id == project_id, Unit.key.in_([r.parts.key for r in plan.changed])))} if plan.changed else {}
    for row in rows:
        unit = found.get(row.parts.key) or Unit(project_id=project_id, building=row.parts.building,
                                                room=row.parts.room, label=row.parts.label, key=row.parts.key)
        unit.unit_no, unit.note = row.parts.unit_no, row.note or unit.note
        session.add(unit)
        session.flush()
        units.replace_occupants(session, unit, row.occupants, row.relation)
    audit.record(session, actor=actor, action="unit.import", obj=get_project(session, project_id),
                 after={"added": len(plan.added), "changed": len(plan.changed)})
    return len(rows)
