"""Demo routines of the other trades in the estate: the engineer's monthly fire check (due this month whenever the
demo is made), the cleaner's daily cleaning check, and a renovation patrol started at will."""
from datetime import datetime

from sqlmodel import Session

from app.accounts.models import User
from app.accounts.services import user_named
from app.checklists.models import ChecklistVersion
from app.patrols import services
from app.patrols.slots import service_day
from app.projects import services as projects
from app.projects.models import Project

NEW_CHECKPOINTS = {"1 栋": ["1 栋楼道", "1 栋电梯厅", "1 栋公共厕所"]}
# route, role, template, its checkpoints, schedule (None: started at will) as save_schedule's fields, walker
ROUTINES = [
    ("消防月检", "engineer", "fire-monthly", ["1 栋大堂", "车库 B1 消防泵房"],
     {"name": "每月消防检查", "rhythm": "monthly", "start": "06:00", "end": "06:00", "interval_minutes": 0,
      "window_minutes": 7, "window_unit": "day", "grace_minutes": 0}, "engineer1"),
    ("楼道保洁检查", "cleaner", "cleaning-indoor", ["1 栋楼道", "1 栋电梯厅", "1 栋公共厕所"],
     {"name": "每日保洁检查", "start": "08:00", "end": "08:00", "interval_minutes": 0, "window_minutes": 10,
      "window_unit": "hour", "grace_minutes": 30}, "cleaner1"),
    ("装修巡查", "engineer", "renovation-patrol", ["1 栋楼道"], None, "engineer1"),
]


def seed(session: Session, project: Project, versions: dict[str, ChecklistVersion], admin: User, *, now: datetime,
         tz: str) -> None:
    """Create what is missing; a second run changes nothing. `versions`: the starters by key."""
    for area_name, names in NEW_CHECKPOINTS.items():
        area = projects.area_named(session, project.id, area_name)
        have = {c.name for c, _a in projects.checkpoints_of(session, project)}
        for name in names:
            if name not in have:
                projects.save_checkpoint(session, actor=admin, project=project, area_id=area.id, name=name)
    checkpoints = {c.name: c for c, _a in projects.checkpoints_of(session, project)}
    existing = {r.name for r in services.routes_of(session, project)}
    for name, role, template_key, stops, schedule, walker in ROUTINES:
        if name in existing:
            continue
        route = services.save_route(session, actor=admin, project=project, name=name, role=role,
                                    on_demand=schedule is None)
        for stop in stops:
            services.add_stop(session, actor=admin, route=route, checkpoint_id=checkpoints[stop].id,
                              template_id=versions[template_key].template_id)
        if schedule is not None:
            if schedule.get("rhythm") == "monthly":  # on today's date: due now, for a week, whenever the demo is made
                schedule = {**schedule, "month_day": service_day(now, tz).day}
            services.save_schedule(session, actor=admin, route=route, guard_ids=[user_named(session, walker).id],
                                   **schedule)
