"""Test data builders. Each returns saved objects; tests read them back through the session."""
import uuid
from dataclasses import dataclass, field
from datetime import time, timedelta

from argon2 import PasswordHasher
from sqlmodel import Session

from app.accounts.models import PROJECT_ROLES, Membership, User
from app.core.db import utcnow
from app.core.photos import Photo
from app.inspections.models import Deduction, Inspection, InspectionSheet, Objection, Rectification
from app.patrols.models import Round, Route, RouteStop, Schedule
from app.projects.models import Area, Checkpoint, Organisation, Project
from app.repairs.models import Ticket
from app.sync.models import SyncRecord

PASSWORD = "correct-horse-9"


def engine_of(app):
    """The test app's engine, for a session of the test's own."""
    return app.extensions["engine"]


def org(session: Session, name: str = "甲物业") -> Organisation:
    obj = Organisation(name=name)
    session.add(obj)
    session.commit()
    return obj


def project(session: Session, organisation: Organisation, name: str = "江城壹号销售中心", kind: str = "sales") -> Project:
    obj = Project(organisation_id=organisation.id, name=name, kind=kind)
    session.add(obj)
    session.commit()
    return obj


def area(session: Session, project_: Project, name: str = "销售大厅") -> Area:
    obj = Area(project_id=project_.id, name=name)
    session.add(obj)
    session.commit()
    return obj


def checkpoint(session: Session, area_: Area, name: str = "大厅入口") -> Checkpoint:
    obj = Checkpoint(project_id=area_.project_id, area_id=area_.id, name=name)
    session.add(obj)
    session.commit()
    return obj


# One cheap argon2id hash of PASSWORD, made without the app (same scheme, lower cost).
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)


def user(session: Session, organisation: Organisation, username: str, *, roles: list | None = None,
         admin: bool = False, active: bool = True, manager: bool = False) -> User:
    """A user with `roles` = [(project, role), …]."""
    obj = User(organisation_id=organisation.id, username=username, display_name=f"{username}的名字",
               password_hash=PASSWORD_HASH, is_admin=admin, active=active, is_manager=manager)
    session.add(obj)
    session.flush()
    for project_, role in roles or []:
        session.add(Membership(user_id=obj.id, project_id=project_.id, role=role))
    session.commit()
    return obj


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    p1: Project
    p2: Project
    q: Project
    users: dict[str, User] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    photos: dict[str, Photo] = field(default_factory=dict)
    records: dict[str, SyncRecord] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)
    stops: dict[str, RouteStop] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)
    rounds: dict[str, Round] = field(default_factory=dict)
    # inspections: one per project, with a deduction, an objection and a rectification item
    inspections: dict[str, Inspection] = field(default_factory=dict)
    deductions: dict[str, Deduction] = field(default_factory=dict)
    objections: dict[str, Objection] = field(default_factory=dict)
    rectifications: dict[str, Rectification] = field(default_factory=dict)
    shifts: dict[str, "ShiftObjects"] = field(default_factory=dict)  # shifts (issue 5)


def world(session: Session) -> World:
    org_a, org_b = org(session, "甲物业"), org(session, "乙物业")
    w = World(org_a=org_a, org_b=org_b, p1=project(session, org_a, "江城壹号销售中心"),
              p2=project(session, org_a, "秘密二号项目", "residential"), q=project(session, org_b, "乙公司秘密项目"))
    for role in PROJECT_ROLES:
        w.users[role] = user(session, org_a, role, roles=[(w.p1, role)])
    w.users["admin"] = user(session, org_a, "admin", admin=True)
    w.users["manager"] = user(session, org_a, "manager", manager=True)  # company-wide, read only (the month)
    w.users["outsider"] = user(session, org_a, "outsider", roles=[(w.p2, "guard"), (w.p2, "supervisor")])
    w.users["other_admin"] = user(session, org_b, "other_admin", admin=True)
    for key, proj in (("p1", w.p1), ("p2", w.p2), ("q", w.q)):
        w.areas[key] = area(session, proj, f"{proj.name}的大厅")
        w.checkpoints[key] = checkpoint(session, w.areas[key], f"{proj.name}的入口")
        reporter = w.users[{"p1": "guard", "p2": "outsider", "q": "other_admin"}[key]]
        w.tickets[key], w.photos[key], w.records[key] = ticket(session, proj, reporter, f"{proj.name}的漏水")
        w.routes[key], w.stops[key], w.schedules[key], w.rounds[key] = route(session, w.checkpoints[key],
                                                                             f"{proj.name}的路线")
        w.shifts[key] = shift_objects(session, proj, reporter)  # shifts (issue 5)
    # -- inspections --
    for key, proj in (("p1", w.p1), ("p2", w.p2), ("q", w.q)):
        (w.inspections[key], w.deductions[key], w.objections[key],
         w.rectifications[key]) = inspection(session, proj, f"{proj.name}的扣分项")
    return w


def score_sheet_definition(key: str = "mini-sheet", base: int = 10, **changes) -> dict:
    """A small score sheet: 10 points over two categories, a repeatable item, a veto item, last time's item."""
    definition = {
        "key": key, "name": "小检查表", "purpose": "inspection", "score_sheet": True, "base_score": base,
        "sections": [
            {"title": "销售大厅", "items": [
                {"key": "floor", "label": "地面干净", "type": "pass_fail", "points": 3, "repeatable": True,
                 "category": "环境展示类"},
                {"key": "bins", "label": "垃圾桶不超过2/3", "type": "pass_fail", "points": 2, "category": "环境展示类",
                 "creates_ticket": True},
            ]},
            {"title": "人员", "items": [
                {"key": "badge", "label": "佩戴工牌", "type": "pass_fail", "points": 2, "category": "职业表现类",
                 "na_allowed": False},
                {"key": "promise", "label": "无违规承诺", "type": "pass_fail", "points": 1, "veto": True,
                 "category": "风险管理类"},
                {"key": "last", "label": "上次问题已关闭", "type": "pass_fail", "points": 2, "repeatable": True,
                 "last_time": True, "category": "上次检查问题关闭情况"},
            ]},
        ],
    }
    definition.update(changes)
    return definition


def inspection(session: Session, project_: Project, label: str):
    """An inspection row set made directly (no photos, no template): a sheet, one deduction, its objection and
    rectification item."""
    now = utcnow()
    obj = Inspection(project_id=project_.id, inspected_at=now, objection_deadline=now + timedelta(days=3))
    session.add(obj)
    session.flush()
    sheet = InspectionSheet(inspection_id=obj.id, project_id=project_.id, name="小检查表", base_score=10,
                            answers={"bins": ["fail", 1]}, original_score=8, score=8, percentage=80.0,
                            by_category={"环境展示类": 2})
    session.add(sheet)
    session.flush()
    deduction = Deduction(inspection_id=obj.id, sheet_id=sheet.id, project_id=project_.id, item_key="bins", label=label,
                          category="环境展示类", points=2)
    session.add(deduction)
    session.flush()
    objection = Objection(inspection_id=obj.id, deduction_id=deduction.id, project_id=project_.id, raised_at=now,
                          reason="已清理")
    rectification = Rectification(project_id=project_.id, inspection_id=obj.id, deduction_id=deduction.id,
                                  label=label, due_at=now + timedelta(days=7))
    session.add_all([objection, rectification])
    session.commit()
    return obj, deduction, objection, rectification


def route(session: Session, checkpoint_: Checkpoint, name: str) -> tuple[Route, RouteStop, Schedule, Round]:
    """A one-checkpoint route with a daily schedule and one round due now."""
    obj = Route(project_id=checkpoint_.project_id, name=name)
    session.add(obj)
    session.flush()
    stop = RouteStop(route_id=obj.id, position=1, checkpoint_id=checkpoint_.id)
    schedule = Schedule(route_id=obj.id, name=f"{name}的班次", start=time(8), end=time(8))
    session.add_all([stop, schedule])
    session.flush()
    now = utcnow()
    round_ = Round(project_id=obj.project_id, route_id=obj.id, schedule_id=schedule.id, slot_start=now,
                   window_end=now + timedelta(hours=1), deadline=now + timedelta(hours=1, minutes=15),
                   closes_at=now + timedelta(hours=2),
                   stops=[{"position": 1, "checkpoint_id": checkpoint_.id, "name": checkpoint_.name, "area": "",
                           "digest": "", "template_version_id": None}])
    session.add(round_)
    session.commit()
    return obj, stop, schedule, round_


def ticket(session: Session, project_: Project, reporter: User, description: str = "漏水"
           ) -> tuple[Ticket, Photo, SyncRecord]:
    """A reported ticket with one photo row (its file is for the test to store) and its sync record."""
    now = utcnow()
    obj = Ticket(project_id=project_.id, description=description, reported_at=now, reporter_id=reporter.id)
    session.add(obj)
    session.flush()
    obj.number = f"BX-TEST-{obj.id:04d}"
    photo = Photo(project_id=project_.id, owner_type="ticket", owner_id=obj.id, key=f"test/{obj.id}.jpg",
                  thumb_key=f"test/{obj.id}.thumb.jpg", width=1, height=1, size=1, sha256="0" * 64)
    record = SyncRecord(client_id=str(uuid.uuid4()), user_id=reporter.id, project_id=project_.id, kind="ticket_report",
                        client_time=now, result={"id": obj.id, "number": obj.number})
    session.add_all([photo, record])
    session.commit()
    return obj, photo, record


def checklist_definition(**changes) -> dict:
    """A small valid checklist definition: two sections, one item of most types; `changes` replace top-level fields."""
    definition = {
        "key": "night-patrol", "name": "夜间安全巡逻", "purpose": "patrol",
        "sections": [
            {"title": "消防设施", "items": [
                {"key": "extinguisher", "label": "灭火器齐全、压力正常", "type": "pass_fail", "photo_when_failed": True,
                 "creates_ticket": True, "help": "压力表指针在绿区"},
                {"key": "exits", "label": "消防通道畅通", "type": "pass_fail"},
            ]},
            {"title": "设备房", "items": [
                {"key": "locked", "label": "设备房门窗上锁", "type": "yes_no", "creates_ticket": True},
                {"key": "fountain", "label": "喷泉水质清澈", "type": "pass_fail"},
                {"key": "temp", "label": "配电房温度", "type": "number", "unit": "℃", "min": 0, "max": 40,
                 "creates_ticket": True},
                {"key": "weather", "label": "天气", "type": "choice", "options": ["晴", "阴", "雨"]},
                {"key": "scene", "label": "现场照片", "type": "photo", "required": False},
                {"key": "notes", "label": "其他情况说明", "type": "text", "required": False},
            ]},
        ],
    }
    definition.update(changes)
    return definition


def checklist(session: Session, organisation: Organisation, definition: dict | None = None, actor: User | None = None):
    """A saved checklist template; returns its current ChecklistVersion."""
    from app.checklists.services import save_template

    return save_template(session, actor=actor, organisation_id=organisation.id,
                         definition=definition or checklist_definition())


# -- shifts (issue 5) -------------------------------------------------------------------------

@dataclass
class ShiftObjects:
    post: object
    pattern: object
    attendance: object
    matter: object
    item: object
    restock: object


def shift_objects(session: Session, project_: Project, person: User) -> ShiftObjects:
    """A post and a shift pattern, a closed shift with one open matter, a water-bar item with a restock request."""
    from app.shifts.models import Attendance, Matter, Post, RestockRequest, ShiftPattern, WaterItem

    post = Post(project_id=project_.id, name=f"{project_.name}的水吧岗")
    pattern = ShiftPattern(project_id=project_.id, name="早班", start=time(8), end=time(17))
    item = WaterItem(project_id=project_.id, name=f"{project_.name}的矿泉水", unit="瓶", min_stock=10, initial_stock=5)
    session.add_all([post, pattern, item])
    session.flush()
    now = utcnow()
    attendance = Attendance(project_id=project_.id, post_id=post.id, pattern_id=pattern.id, user_id=person.id,
                            started_at=now - timedelta(hours=9), ended_at=now - timedelta(hours=1), visitors=3,
                            shift_day=(now - timedelta(hours=9)).date(), covers_until=now + timedelta(hours=12))
    session.add(attendance)
    session.flush()
    matter = Matter(project_id=project_.id, attendance_id=attendance.id, text=f"{project_.name}的交接事项",
                    raised_by=person.id, raised_at=now - timedelta(hours=2))
    restock = RestockRequest(project_id=project_.id, item_id=item.id, stock=5, requested_by=person.id)
    session.add_all([matter, restock])
    session.commit()
    return ShiftObjects(post, pattern, attendance, matter, item, restock)


def channel(session: Session, project_: Project, kind: str = "wecom", target: str = "", **fields):
    """A channel of the project (a WeCom robot on an unreachable local port unless told otherwise)."""
    from app.channels.models import Channel

    obj = Channel(project_id=project_.id, kind=kind, target=target or "http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
                  **fields)
    session.add(obj)
    session.commit()
    return obj
