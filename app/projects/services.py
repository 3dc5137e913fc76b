"""Projects, areas and checkpoints: validation, changes with audit entries, QR labels."""
import segno
from flask_babel import gettext as _
from sqlalchemy import insert
from sqlmodel import Session, func, select

from app.accounts.models import User
from app.accounts.services import member_count, project_ids_of_member
from app.core import audit
from app.core.db import among, count_by, get_posted
from app.core.permissions import register_directory
from app.core.refusal import Refusal
from app.core.validation import required_text
from app.projects.models import Area, Checkpoint, Organisation, Project, new_checkpoint_code

PROJECT_KINDS = ("sales", "residential")
PROJECT_FIELDS = ("name", "kind", "address", "archived", "keep_photo_location")
AREA_FIELDS = ("name", "position")
CHECKPOINT_FIELDS = ("name", "area_id", "note", "latitude", "longitude")


class ProjectError(Refusal):
    """A refusal of the projects' rules; the message is already translated."""


def _coordinate(value, low: float, high: float, label: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ProjectError(_("%(label)s须为数字。", label=label)) from None
    if not low <= number <= high:
        raise ProjectError(_("%(label)s须在 %(low)s 到 %(high)s 之间。", label=label, low=low, high=high))
    return number


def _unique(session: Session, stmt, message: str) -> None:
    if session.exec(stmt).first() is not None:
        raise ProjectError(message)


# -- projects ---------------------------------------------------------------------------------

def save_project(session: Session, *, actor: User, project: Project | None = None, name: str, kind: str,
                 address: str = "", archived: bool = False, keep_photo_location: bool = False) -> Project:
    name = required_text(name, _("项目名称"), error=ProjectError)
    if kind not in PROJECT_KINDS:
        raise ProjectError(_("请选择项目类型。"))
    address = (address or "").strip()
    if len(address) > 255:
        raise ProjectError(_("地址不能超过 255 字。"))
    creating = project is None
    project = project or Project(organisation_id=actor.organisation_id, name=name, kind=kind)
    stmt = select(Project.id).where(Project.organisation_id == project.organisation_id, Project.name == name)
    if not creating:
        stmt = stmt.where(Project.id != project.id)
    _unique(session, stmt, _("已有同名项目:%(name)s。", name=name))
    before = None if creating else audit.snapshot(project, PROJECT_FIELDS)
    project.name, project.kind, project.address, project.archived = name, kind, address, archived
    project.keep_photo_location = keep_photo_location
    session.add(project)
    session.flush()
    audit.record(session, actor=actor, action="project.create" if creating else "project.update", obj=project,
                 before=before, after=audit.snapshot(project, PROJECT_FIELDS), project_id=project.id)
    session.commit()
    return project


def project_summary(session: Session, project: Project) -> dict:
    count = lambda model: session.exec(select(func.count()).select_from(model).where(model.project_id == project.id)).one()  # noqa: E731
    return {"areas": count(Area), "checkpoints": count(Checkpoint), "members": member_count(session, project.id)}


# -- reads for the other capabilities ------------------------------------------------------------

def get_project(session: Session, project_id) -> Project | None:
    return get_posted(session, Project, project_id)  # any id a phone sends: past the integer's range is none


def projects_by_id(session: Session, ids) -> dict[int, Project]:
    """The projects of `ids`, by name."""
    ids = {i for i in ids if i is not None}
    return {p.id: p for p in session.exec(select(Project).where(Project.id.in_(ids)).order_by(Project.name))} if ids else {}


def id_rows(project_ids):
    """These projects' ids as a one-column subquery (`.c.id`): the outer rows of a statement that counts something
    per project, each count a correlated subquery on it (another capability's tables through this one)."""
    return select(Project.id).where(among(Project.id, project_ids)).subquery("projects")


def visible_projects_stmt(user: User, *, active_only: bool = False):
    """The projects a user may see (an admin: the organisation's; others: where they hold a role), by name."""
    stmt = select(Project).where(Project.organisation_id == user.organisation_id)
    if not user.is_admin:
        stmt = stmt.where(Project.id.in_(project_ids_of_member(user.id)))
    if active_only:
        stmt = stmt.where(Project.archived == False)  # noqa: E712
    return stmt.order_by(Project.name)


def organisation_projects(session: Session, organisation_id: int, *, active_only: bool = True) -> list[Project]:
    stmt = select(Project).where(Project.organisation_id == organisation_id)
    if active_only:
        stmt = stmt.where(Project.archived == False)  # noqa: E712
    return session.exec(stmt.order_by(Project.name)).all()


def organisation_project_names(session: Session, organisation_id: int) -> list[tuple[int, str]]:
    """(id, name) of the organisation's active projects by name: a list of 500 sites without 500 objects."""
    stmt = select(Project.id, Project.name).where(Project.organisation_id == organisation_id,
                                                  Project.archived == False)  # noqa: E712
    return [tuple(row) for row in session.exec(stmt.order_by(Project.name))]


def project_ids_stmt(organisation_id: int):
    """The ids of an organisation's projects, as a statement to filter another table's rows with."""
    return select(Project.id).where(Project.organisation_id == organisation_id)


def project_named(session: Session, organisation_id: int, name: str) -> Project | None:
    return session.exec(select(Project).where(Project.organisation_id == organisation_id, Project.name == name)).first()


def organisations(session: Session, name: str | None = None) -> list[Organisation]:
    """Every organisation, or those named `name`."""
    stmt = select(Organisation)
    return session.exec(stmt.where(Organisation.name == name) if name else stmt).all()


def posted_area(session: Session, raw) -> Area | None:
    return get_posted(session, Area, raw)


def area_named(session: Session, project_id: int, name: str) -> Area | None:
    return session.exec(select(Area).where(Area.project_id == project_id, Area.name == name)).first()


def posted_checkpoint(session: Session, raw) -> Checkpoint | None:
    return get_posted(session, Checkpoint, raw)


def places_of(session: Session, checkpoint_ids) -> dict[int, tuple[Checkpoint, Area]]:
    """Each checkpoint of `checkpoint_ids` with its area."""
    ids = set(checkpoint_ids)
    return {c.id: (c, a) for c, a in session.exec(select(Checkpoint, Area).join(Area, Area.id == Checkpoint.area_id)
                                                  .where(Checkpoint.id.in_(ids)))} if ids else {}


def located_checkpoints(session: Session, checkpoint_ids) -> dict[int, tuple[float, float]]:
    """The (latitude, longitude) of those of `checkpoint_ids` that have them."""
    ids = set(checkpoint_ids)
    return {c.id: (c.latitude, c.longitude) for c in session.exec(select(Checkpoint).where(
        Checkpoint.id.in_(ids), Checkpoint.latitude.is_not(None)))} if ids else {}


# Authorisation (core.permissions) loads projects and lists the visible ones through here.
register_directory(visible_projects_stmt=visible_projects_stmt, project_model=Project)


def area_counts(session: Session, project_ids: list[int]) -> dict[int, dict]:
    """{project id: {"areas": n, "checkpoints": n}} for many projects, with two grouped queries."""
    areas, points = count_by(session, Area.project_id, project_ids), count_by(session, Checkpoint.project_id, project_ids)
    return {i: {"areas": areas.get(i, 0), "checkpoints": points.get(i, 0)} for i in project_ids}


# -- areas ------------------------------------------------------------------------------------

def areas_of(session: Session, project: Project) -> list[Area]:
    return session.exec(select(Area).where(Area.project_id == project.id).order_by(Area.position, Area.id)).all()


def save_area(session: Session, *, actor: User, project: Project, area: Area | None = None, name: str) -> Area:
    name = required_text(name, _("区域名称"), error=ProjectError)
    creating = area is None
    stmt = select(Area.id).where(Area.project_id == project.id, Area.name == name)
    if not creating:
        stmt = stmt.where(Area.id != area.id)
    _unique(session, stmt, _("本项目已有区域:%(name)s。", name=name))
    if creating:
        position = session.exec(select(func.coalesce(func.max(Area.position), 0)).where(Area.project_id == project.id)).one()
        area = Area(project_id=project.id, name=name, position=position + 1)
    before = None if creating else audit.snapshot(area, AREA_FIELDS)
    area.name = name
    session.add(area)
    audit.record(session, actor=actor, action="area.create" if creating else "area.update", obj=area,
                 before=before, after=audit.snapshot(area, AREA_FIELDS))
    session.commit()
    return area


def delete_area(session: Session, *, actor: User, area: Area) -> None:
    used = session.exec(select(func.count()).select_from(Checkpoint).where(Checkpoint.area_id == area.id)).one()
    if used:
        raise ProjectError(_("区域“%(name)s”下还有 %(n)d 个巡更点,请先删除或移走它们。", name=area.name, n=used))
    audit.record(session, actor=actor, action="area.delete", obj=area, before=audit.snapshot(area, AREA_FIELDS))
    session.delete(area)
    session.commit()


# -- checkpoints ------------------------------------------------------------------------------

def checkpoints_of(session: Session, project: Project) -> list[tuple[Checkpoint, Area]]:
    return session.exec(
        select(Checkpoint, Area).join(Area, Area.id == Checkpoint.area_id)
        .where(Checkpoint.project_id == project.id).order_by(Area.position, Area.id, Checkpoint.name)
    ).all()


def save_checkpoint(session: Session, *, actor: User, project: Project, checkpoint: Checkpoint | None = None,
                    area_id, name: str, note: str = "", latitude=None, longitude=None) -> Checkpoint:
    name = required_text(name, _("巡更点名称"), error=ProjectError)
    note = (note or "").strip()
    if len(note) > 500:
        raise ProjectError(_("备注不能超过 500 字。"))
    try:
        area = session.get(Area, int(area_id))
    except (TypeError, ValueError):
        area = None
    if area is None or area.project_id != project.id:
        raise ProjectError(_("请选择本项目的区域。"))
    lat = _coordinate(latitude, -90, 90, _("纬度"))
    lon = _coordinate(longitude, -180, 180, _("经度"))
    if (lat is None) != (lon is None):
        raise ProjectError(_("经纬度须同时填写或同时留空。"))
    creating = checkpoint is None
    stmt = select(Checkpoint.id).where(Checkpoint.area_id == area.id, Checkpoint.name == name)
    if not creating:
        stmt = stmt.where(Checkpoint.id != checkpoint.id)
    _unique(session, stmt, _("区域“%(area)s”已有巡更点:%(name)s。", area=area.name, name=name))
    checkpoint = checkpoint or Checkpoint(project_id=project.id, area_id=area.id, name=name)
    before = None if creating else audit.snapshot(checkpoint, CHECKPOINT_FIELDS)
    checkpoint.area_id, checkpoint.name, checkpoint.note = area.id, name, note
    checkpoint.latitude, checkpoint.longitude = lat, lon
    session.add(checkpoint)
    audit.record(session, actor=actor, action="checkpoint.create" if creating else "checkpoint.update",
                 obj=checkpoint, before=before, after=audit.snapshot(checkpoint, CHECKPOINT_FIELDS))
    session.commit()
    return checkpoint


def delete_checkpoint(session: Session, *, actor: User, checkpoint: Checkpoint) -> None:
    audit.record(session, actor=actor, action="checkpoint.delete", obj=checkpoint,
                 before=audit.snapshot(checkpoint, CHECKPOINT_FIELDS + ("code",)))
    session.delete(checkpoint)
    session.commit()


def import_places(session: Session, *, actor: User, project: Project, rows: list[dict]) -> list[int]:
    """Create or update many checkpoints (rows of area, name, note, latitude, longitude) and the areas they name,
    rows already checked by the caller (app.imports); returns their ids in row order; one audit entry; nothing is
    committed. New checkpoints go in as one multi-row insert: thousands of model objects would take seconds."""
    areas = {a.name: a for a in areas_of(session, project)}
    position = max((a.position for a in areas.values()), default=0)
    for name in dict.fromkeys(r["area"] for r in rows):
        if name not in areas:
            position += 1
            areas[name] = Area(project_id=project.id, name=name, position=position)
            session.add(areas[name])
    session.flush()
    existing = {(c.area_id, c.name): c for c, _a in checkpoints_of(session, project)}
    fresh = []
    for row in rows:
        values = {"note": row["note"], "latitude": row["latitude"], "longitude": row["longitude"]}
        checkpoint = existing.get((areas[row["area"]].id, row["name"]))
        if checkpoint is None:
            fresh.append({"project_id": project.id, "area_id": areas[row["area"]].id, "name": row["name"],
                          "code": new_checkpoint_code(), **values})
        else:
            for name, value in values.items():
                setattr(checkpoint, name, value)
            session.add(checkpoint)
    if fresh:
        session.execute(insert(Checkpoint), fresh)
    session.flush()
    ids = {(a, n): i for i, a, n in session.exec(select(Checkpoint.id, Checkpoint.area_id, Checkpoint.name)
                                                 .where(Checkpoint.project_id == project.id))}
    audit.record(session, actor=actor, action="checkpoint.import", obj=project, project_id=project.id,
                 after={"created": len(fresh), "updated": len(rows) - len(fresh), "areas": len(areas)})
    return [ids[(areas[r["area"]].id, r["name"])] for r in rows]


def qr_svg(payload: str) -> str:
    """A QR symbol as inline SVG for a page (the resident's link page; the label sheet PDF takes `qr_png`)."""
    return segno.make(payload, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")


def qr_png(payload: str) -> str:
    """A QR symbol as a PNG data URI for the label sheet PDF: 4 px a module, printed unsmoothed (CSS
    `image-rendering: pixelated`). WeasyPrint drew each SVG symbol's ~220 path segments in Python; 60 labels
    as PNGs in a fixed table take a third less time."""
    return segno.make(payload, error="m").png_data_uri(scale=4, border=2, dark="#000", light="#fff")
