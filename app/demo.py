"""Demo data: a company with a sales centre and a residential estate, one user per role."""
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.accounts import services as accounts
from app.accounts.models import User
from app.checklists import services as checklists
from app.complaints import demo as complaints_demo
from app.core.db import utcnow, zone
from app.frontdesk import demo as frontdesk_demo
from app.handovers import demo as handovers_demo
from app.incidents import demo as incidents_demo
from app.inspections import demo as inspections_demo
from app.patrols import demo as patrols_demo
from app.patrols import services as patrols
from app.patrols.models import Route, Schedule
from app.projects.models import Area, Checkpoint, Organisation, Project
from app.registers import demo as registers_demo
from app.repairs import demo as repairs_demo
from app.shifts import demo as shifts_demo

PASSWORD = "demo1234"

PROJECTS = {
    "江城壹号销售中心": ("sales", "武汉市江夏区文化大道 88 号", {
        "销售大厅": ["大厅入口", "沙盘区"],
        "接待台": ["接待台"],
        "水吧": ["水吧操作台"],
        "样板间A": ["样板间A 入户门", "样板间A 主卧"],
        "样板间B": ["样板间B 入户门", "样板间B 客厅"],
        "车场": ["车场入口岗亭", "车场东侧消防通道"],
        "外围": ["外围喷泉", "外围西侧围墙"],
    }),
    "滨江花园": ("residential", "武汉市汉阳区滨江大道 12 号", {
        "1 栋": ["1 栋大堂", "1 栋地下室配电房"],
        "地下车库": ["车库 B1 入口", "车库 B1 消防泵房"],
        "园区": ["中心花园", "南门岗"],
    }),
}

USERS = [  # username, display name, role, projects (None = company-wide: the admin, the read-only manager)
    ("admin", "系统管理员", "admin", None),
    ("guard1", "张保安", "guard", ["江城壹号销售中心", "滨江花园"]),
    ("guard2", "陈保安", "guard", ["滨江花园"]),  # the morning guard who takes over guard1's night post
    ("attendant1", "李管家", "attendant", ["江城壹号销售中心"]),
    ("attendant2", "王水吧", "attendant", ["江城壹号销售中心"]),
    ("engineer1", "赵工程", "engineer", ["江城壹号销售中心", "滨江花园"]),
    ("inspector1", "钱品质", "inspector", ["江城壹号销售中心", "滨江花园"]),
    ("supervisor1", "孙主管", "supervisor", ["江城壹号销售中心", "滨江花园"]),
    ("frontdesk1", "周前台", "frontdesk", ["江城壹号销售中心", "滨江花园"]),
    ("cleaner1", "吴保洁", "cleaner", ["滨江花园"]),
    ("manager1", "吴经理", "manager", None),
]


def _get_or_create(session: Session, model, defaults: dict | None = None, **where):
    obj = session.exec(select(model).filter_by(**where)).first()
    if obj is None:
        obj = model(**where, **(defaults or {}))
        session.add(obj)
        session.flush()
    return obj


def seed(session: Session) -> list[tuple[str, str, str]]:
    """Create what is missing and leave what exists: running it twice changes nothing."""
    org = _get_or_create(session, Organisation, name="联投物业(演示)")
    by_name = {}
    for name, (kind, address, areas) in PROJECTS.items():
        project = _get_or_create(session, Project, {"kind": kind, "address": address}, organisation_id=org.id, name=name)
        by_name[name] = project
        for position, (area_name, checkpoints) in enumerate(areas.items(), start=1):
            area = _get_or_create(session, Area, {"position": position}, project_id=project.id, name=area_name)
            for cp_name in checkpoints:
                _get_or_create(session, Checkpoint, {"project_id": project.id}, area_id=area.id, name=cp_name)
    session.commit()

    admin = session.exec(select(User).where(User.username == "admin")).first()
    for username, display_name, role, project_names in USERS:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            user = accounts.create_user(session, actor=admin, organisation_id=org.id, username=username,
                                        display_name=display_name, password=PASSWORD, is_admin=role == "admin",
                                        is_manager=role == "manager")
            admin = admin or user
        for name in project_names or []:
            try:
                accounts.add_membership(session, actor=admin, user=user, project=by_name[name], role=role)
            except accounts.AccountError:
                pass  # already a member
    versions = _seed_patrols(session, org, by_name, admin)
    patrols_demo.seed(session, by_name["滨江花园"], versions, admin, now=utcnow(), tz=zone().key)
    handovers_demo.seed(session, org, by_name["江城壹号销售中心"], admin)
    inspections_demo.seed(session, org, admin)
    shifts_demo.seed(session, by_name["江城壹号销售中心"], admin)
    shifts_demo.seed_estate(session, by_name["滨江花园"], admin)
    frontdesk_demo.seed(session, by_name)
    complaints_demo.seed(session, by_name.values())
    incidents_demo.seed(session, by_name)
    registers_demo.seed(session, by_name, admin)
    repairs_demo.seed(session, by_name["江城壹号销售中心"])
    return [(u, PASSWORD, r) for u, _n, r, _p in USERS]


# A night round and a daytime round of the sales centre, so that a demo at any hour has one due, and a night round
# of the estate. Each checkpoint is asked what fits it (3-6 items), not one long list for every stop.
ROUTES = [
    ("江城壹号销售中心", "夜间安全巡逻", [
        ("大厅入口", "checkpoint-entrance"), ("样板间A 入户门", "checkpoint-entrance"),
        ("样板间B 入户门", "checkpoint-entrance"), ("车场入口岗亭", "checkpoint-car-park"),
        ("车场东侧消防通道", "checkpoint-fire-exit"), ("外围喷泉", "checkpoint-fountain"),
    ], ("夜班巡逻", "20:00", "08:00", 120)),
    ("江城壹号销售中心", "日间外围巡查", [
        ("外围喷泉", "checkpoint-fountain"), ("外围西侧围墙", "checkpoint-perimeter"),
        ("车场入口岗亭", "checkpoint-car-park"),
    ], ("白班巡查", "08:00", "20:00", 120)),
    ("滨江花园", "设备房夜间巡查", [
        ("南门岗", "checkpoint-entrance"), ("车库 B1 入口", "checkpoint-car-park"),
        ("车库 B1 消防泵房", "checkpoint-fire-exit"), ("1 栋地下室配电房", "checkpoint-switch-room"),
    ], ("夜班巡逻", "20:00", "08:00", 120)),
]


def _seed_patrols(session: Session, org: Organisation, projects: dict[str, Project], admin: User) -> dict:
    """The guards' routes; returns the starter templates' versions by key."""
    versions = {v.definition["key"]: v for folder in (checklists.STARTERS, checklists.CHECKPOINT_STARTERS)
                for v in checklists.import_starters(session, organisation_id=org.id, actor=admin, folder=folder)}
    guard = session.exec(select(User).where(User.username == "guard1")).one()
    for project_name, name, stops, (schedule, start, end, interval) in ROUTES:
        project = projects[project_name]
        if session.exec(select(Route).where(Route.project_id == project.id, Route.name == name)).first():
            continue
        checkpoints = {c.name: c for c in session.exec(select(Checkpoint).where(Checkpoint.project_id == project.id))}
        route = patrols.save_route(session, actor=admin, project=project, name=name)
        for stop, template_key in stops:
            patrols.add_stop(session, actor=admin, route=route, checkpoint_id=checkpoints[stop].id,
                             template_id=versions[template_key].template_id)
        made = patrols.save_schedule(session, actor=admin, route=route, name=schedule, start=start, end=end,
                                     interval_minutes=interval, guard_ids=[guard.id])
        # As if made three days ago: the clock then makes those days' rounds, and a fresh demo shows 漏巡.
        session.exec(sa.update(Schedule).where(Schedule.id == made.id)
                     .values(changed_at=made.changed_at - timedelta(days=3)))
        session.commit()
    return versions


def is_empty(session: Session) -> bool:
    return session.exec(select(User.id)).first() is None

