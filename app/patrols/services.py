"""Patrols: routes and schedules, the rounds due, visits arriving from the outbox, and their verification."""
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import insert
from sqlmodel import Session, func, select

from app.accounts.models import User
from app.accounts.services import member_ids, roles_by_project
from app.checklists.models import ChecklistTemplate
from app.checklists.services import (
    check_answers,
    current_version,
    get_version,
    posted_template,
    tell_failed,
    templates_by_id,
)
from app.core import audit
from app.core.db import among, bucket, by_period, get_posted, zone
from app.core.i18n import role_label
from app.core.notifications import link
from app.core.photos import attach
from app.core.refusal import Refusal
from app.core.validation import required_text, whole
from app.patrols import notices
from app.patrols.models import WALKER_ROLES, Round, Route, RouteStop, Schedule, Visit
from app.patrols.schedules import ScheduleError, save_schedule, schedules_of, stop_schedule  # noqa: F401
from app.patrols.verify import Assessment, assess
from app.projects.models import Area, Checkpoint, Project
from app.projects.services import get_project, located_checkpoints, places_of, posted_checkpoint, projects_by_id
from app.repairs.services import awaiting_dispatch, open_ticket
from app.sync.services import Submission

WALKERS = WALKER_ROLES  # who may open a round at all; each route names the one role that walks it
ON_DEMAND_HOURS = 12  # a round started at will stays open this long: a shift


class PatrolError(Refusal):
    """A patrol refused: a route or schedule set up wrongly, or a visit the round cannot take."""


def code_digest(code: str) -> str:
    """What a round page carries to recognise a scanned label offline without revealing the code itself."""
    return hashlib.sha256(f"wuye-checkpoint:{code.strip().upper()}".encode()).hexdigest()


# -- routes and schedules ---------------------------------------------------------------------

def routes_of(session: Session, project: Project) -> list[Route]:
    return session.exec(select(Route).where(Route.project_id == project.id).order_by(Route.name)).all()


def save_route(session: Session, *, actor: User, project: Project, route: Route | None = None, name: str,
               min_walk_seconds=30, max_gps_metres=150, active: bool = True, role: str | None = None,
               on_demand: bool | None = None) -> Route:
    """Add or change a route; `role` (who walks it) and `on_demand` left None keep what the route has."""
    name = required_text(name, _("路线名称"), error=PatrolError)
    walk = whole(min_walk_seconds, _("两点最短步行时间(秒)"), 0, 3600, error=PatrolError)
    gps = whole(max_gps_metres, _("定位允许偏差(米)"), 10, 5000, error=PatrolError)
    if role is not None and role not in WALKER_ROLES:
        raise PatrolError(_("请选择由谁巡查这条路线。"), {"role": _("未知角色")})
    creating = route is None
    route = route or Route(project_id=project.id, name=name)
    before = None if creating else {"name": route.name, "min_walk_seconds": route.min_walk_seconds,
                                    "max_gps_metres": route.max_gps_metres, "active": route.active,
                                    "role": route.role, "on_demand": route.on_demand}
    route.name, route.min_walk_seconds, route.max_gps_metres, route.active = name, walk, gps, active
    route.role = role or route.role or "guard"
    route.on_demand = bool(route.on_demand if on_demand is None else on_demand)
    session.add(route)
    audit.record(session, actor=actor, action="route.create" if creating else "route.update", obj=route,
                 before=before, after={"name": name, "min_walk_seconds": walk, "max_gps_metres": gps, "active": active,
                                       "role": route.role, "on_demand": route.on_demand})
    session.commit()
    return route


def stops_of(session: Session, route: Route) -> list[tuple[RouteStop, Checkpoint, Area, ChecklistTemplate | None]]:
    stops = session.exec(select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.position)).all()
    places = places_of(session, {s.checkpoint_id for s in stops})
    templates = templates_by_id(session, {s.template_id for s in stops})
    return [(s, *places[s.checkpoint_id], templates.get(s.template_id)) for s in stops if s.checkpoint_id in places]


def add_stop(session: Session, *, actor: User, route: Route, checkpoint_id, template_id=None) -> RouteStop:
    checkpoint = posted_checkpoint(session, checkpoint_id)
    if checkpoint is None or checkpoint.project_id != route.project_id:
        raise PatrolError(_("请选择本项目的巡更点。"))
    template = None
    if template_id not in (None, ""):
        template = posted_template(session, template_id)
        project = get_project(session, route.project_id)
        if template is None or template.organisation_id != project.organisation_id:
            raise PatrolError(_("请选择检查表。"))
    position = session.exec(select(func.coalesce(func.max(RouteStop.position), 0))
                            .where(RouteStop.route_id == route.id)).one() + 1
    stop = RouteStop(route_id=route.id, position=position, checkpoint_id=checkpoint.id,
                     template_id=template.id if template else None)
    session.add(stop)
    audit.record(session, actor=actor, action="route.add_stop", obj=route, project_id=route.project_id,
                 after={"checkpoint": checkpoint.name, "position": position})
    session.commit()
    return stop


def place_on_routes(session: Session, *, actor: User, project: Project, stops: list[tuple[str, int, int | None]]
                    ) -> None:
    """(route name, checkpoint id, template id or None): each checkpoint onto the end of its route (created when
    new), or its template changed where it is already a stop; rows checked by the caller; nothing is committed."""
    routes = {r.name: r for r in routes_of(session, project)}
    for name in dict.fromkeys(name for name, _c, _t in stops):
        if name not in routes:
            routes[name] = Route(project_id=project.id, name=name)
            session.add(routes[name])
    session.flush()
    ids = [r.id for r in routes.values()]
    placed = {(s.route_id, s.checkpoint_id): s for s in session.exec(select(RouteStop).where(RouteStop.route_id.in_(ids)))}
    ends = {i: max((s.position for s in placed.values() if s.route_id == i), default=0) for i in ids}
    added = []
    for name, checkpoint_id, template_id in stops:
        route = routes[name]
        stop = placed.get((route.id, checkpoint_id))
        if stop is not None:
            stop.template_id = template_id
            session.add(stop)
            continue
        ends[route.id] += 1
        placed[(route.id, checkpoint_id)] = True
        added.append({"route_id": route.id, "position": ends[route.id], "checkpoint_id": checkpoint_id,
                      "template_id": template_id})
    if added:  # one multi-row insert, as for the checkpoints themselves
        session.execute(insert(RouteStop), added)
    audit.record(session, actor=actor, action="route.import_stops", obj=project, project_id=project.id,
                 after={"stops": len(stops), "routes": sorted(dict.fromkeys(n for n, _c, _t in stops))})


def remove_stop(session: Session, *, actor: User, stop: RouteStop) -> None:
    route = session.get(Route, stop.route_id)
    audit.record(session, actor=actor, action="route.remove_stop", obj=route, project_id=route.project_id,
                 before={"checkpoint_id": stop.checkpoint_id, "position": stop.position})
    session.delete(stop)
    session.flush()
    for position, other in enumerate(session.exec(select(RouteStop).where(RouteStop.route_id == route.id)
                                                   .order_by(RouteStop.position)).all(), start=1):
        other.position = position
    session.commit()


def move_stop(session: Session, *, stop: RouteStop, offset: int) -> None:
    stops = session.exec(select(RouteStop).where(RouteStop.route_id == stop.route_id).order_by(RouteStop.position)).all()
    index = next(i for i, s in enumerate(stops) if s.id == stop.id)
    target = index + offset
    if 0 <= target < len(stops):
        stops[index], stops[target] = stops[target], stops[index]
        for position, each in enumerate(stops, start=1):
            each.position = position
        session.commit()


# -- rounds -----------------------------------------------------------------------------------

def _snapshot(session: Session, route: Route) -> list[dict]:
    stops = []
    for stop, checkpoint, area, template in stops_of(session, route):
        version = current_version(session, template) if template else None
        stops.append({"position": stop.position, "checkpoint_id": checkpoint.id, "name": checkpoint.name,
                      "area": area.name, "digest": code_digest(checkpoint.code),
                      "template_version_id": version.id if version else None})
    return stops


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone())


def rounds_stmt(project: Project, day: date):
    """The rounds whose slot falls in a service day (06:00 to 06:00 next morning)."""
    begin = _day_start(day) + timedelta(hours=6)
    return (select(Round).where(Round.project_id == project.id, Round.slot_start >= begin,
                                Round.slot_start < begin + timedelta(days=1)).order_by(Round.slot_start, Round.id))


def still_open_stmt(project: Project, day: date):
    """The weekly and monthly rounds begun before a service day and still open during it (a fire check given a
    week): the board lists them on each of their days, not only the first."""
    begin = _day_start(day) + timedelta(hours=6)
    return (select(Round).join(Schedule, Schedule.id == Round.schedule_id)
            .where(Round.project_id == project.id, Schedule.rhythm != "daily", Round.slot_start < begin,
                   Round.closes_at > begin).order_by(Round.slot_start, Round.id))


@dataclass
class RoundView:
    round: Round
    route: Route
    assessment: Assessment


# What verification and the board need of a visit; loading these columns is far cheaper than whole rows.
VISIT_FACTS = (Visit.id, Visit.round_id, Visit.position, Visit.guard_id, Visit.scanned_at, Visit.method,
               Visit.latitude, Visit.longitude, Visit.accuracy)


def assess_rounds(session: Session, rounds: list[Round], now: datetime, *, whole_visits: bool = False
                  ) -> list[RoundView]:
    """Assess many rounds with three queries, whatever their number; `whole_visits` loads answers and notes too."""
    if not rounds:
        return []
    ids = [r.id for r in rounds]
    visits: dict[int, list] = {}
    stmt = select(Visit) if whole_visits else select(*VISIT_FACTS)
    for visit in session.exec(stmt.where(Visit.round_id.in_(ids))).all():
        visits.setdefault(visit.round_id, []).append(visit)
    routes = {r.id: r for r in session.exec(select(Route).where(Route.id.in_({r.route_id for r in rounds}))).all()}
    checkpoint_ids = {stop["checkpoint_id"] for r in rounds for stop in r.stops}
    located = located_checkpoints(session, checkpoint_ids)
    views = []
    for round_ in rounds:
        route = routes[round_.route_id]
        positions = {s["position"]: located[s["checkpoint_id"]] for s in round_.stops if s["checkpoint_id"] in located}
        views.append(RoundView(round_, route, assess(
            round_=round_, visits=visits.get(round_.id, []), positions=positions,
            min_walk_seconds=route.min_walk_seconds, max_gps_metres=route.max_gps_metres, now=now)))
    return views


def missed_rounds(session: Session, project: Project, day: date, now: datetime) -> list[RoundView]:
    """The rounds of a service day that were missed or left incomplete."""
    rounds = session.exec(rounds_stmt(project, day)).all()
    return [v for v in assess_rounds(session, rounds, now) if v.assessment.status in ("missed", "incomplete")]


COMPLETED = ("done", "late")  # outcomes of a round walked in full (late: started after its deadline)


def completion_by_month(session: Session, *, project_ids: list[int], bounds: list[datetime]) -> dict[tuple, tuple]:
    """{(project id, i): (rounds settled, of them walked in full)} for the rounds whose slot falls in each period
    [bounds[i], bounds[i + 1]), in one grouped query. Only rounds the clock has settled count: one still open
    is neither done nor missed yet."""
    if not project_ids:
        return {}
    period = bucket(Round.slot_start, bounds).label("month_index")
    walked = func.coalesce(func.sum(sa.case((Round.outcome.in_(COMPLETED), 1), else_=0)), 0)
    rows = session.exec(select(Round.project_id, period, func.count(), walked).where(
        among(Round.project_id, project_ids), Round.outcome.is_not(None), Round.slot_start >= bounds[0],
        Round.slot_start < bounds[-1]).group_by(Round.project_id, *by_period(period, bounds)))
    return {(project_id, index): (int(settled), int(done)) for project_id, index, settled, done in rows}


def visits_at(session: Session, round_: Round, position: int) -> list:
    """A checkpoint's visits in a round, first first: a second is recorded too, flagged duplicate on the board."""
    return session.exec(select(*VISIT_FACTS).where(Visit.round_id == round_.id, Visit.position == position)
                        .order_by(Visit.scanned_at, Visit.id)).all()


def board(session: Session, *, project: Project, day: date, now: datetime, route_id: int | None = None,
          guard_id: int | None = None, whole_visits: bool = False) -> dict:
    stmt, carried = rounds_stmt(project, day), still_open_stmt(project, day)
    if route_id:
        stmt, carried = stmt.where(Round.route_id == route_id), carried.where(Round.route_id == route_id)
    carried = session.exec(carried).all()
    views = assess_rounds(session, carried + session.exec(stmt).all(), now, whole_visits=whole_visits)
    if guard_id:
        views = [v for v in views if any(f.visit.guard_id == guard_id for f in v.assessment.visits)]
    counts = {key: 0 for key in ("due", "done", "late", "missed", "incomplete", "in_progress", "upcoming")}
    for view in views:
        counts[view.assessment.status] += 1
    # 未处理的异常: what the patrols found (a failed item, a guard's own report), not residents' or inspections'.
    found = awaiting_dispatch(session, project.id, sources=("patrol",), reporter_ids=member_ids(session, project.id, ("guard",)))
    return {"rounds": views, "counts": counts, "tickets": found, "carried": {r.id for r in carried}}


def check_walker(session: Session, *, user: User, route: Route, round_: Round | None = None) -> None:
    """Refuse (403) anyone who does not walk this route (another trade's) or this round (named for others)."""
    held = roles_by_project(session, user, [get_project(session, route.project_id)])[route.project_id]
    if route.role not in held and "admin" not in held:
        raise PatrolError(_("这条路线由%(role)s巡查,您的岗位不能巡这一轮。", role=role_label(route.role)), status=403)
    if round_ is not None and round_.guard_ids and user.id not in round_.guard_ids:
        raise PatrolError(_("这一轮没有安排给您。"), status=403)


FAILED_RECENT_DAYS = 7  # a failed item older than this has been seen (or became a ticket): off the attention list


def failed_visits(session: Session, project_ids: list[int], now: datetime) -> list:
    """The recent visits with failed items in these projects, newest first, in one query: (id, project_id,
    round_id, position, failed, scanned_at, stops, route)."""
    if not project_ids:
        return []
    since = now - timedelta(days=FAILED_RECENT_DAYS)
    return session.exec(
        select(Visit.id, Visit.project_id, Visit.round_id, Visit.position, Visit.failed, Visit.scanned_at,
               Round.stops, Route.name.label("route"))
        .join(Round, Round.id == Visit.round_id).join(Route, Route.id == Round.route_id)
        .where(among(Visit.project_id, project_ids), Visit.scanned_at >= since,
               sa.cast(Visit.failed, sa.String) != "[]")
        .order_by(Visit.scanned_at.desc(), Visit.id.desc())).all()


def my_rounds(session: Session, *, user: User, project: Project | None = None, project_ids: list[int] = (),
              now: datetime, finished: bool = False, roles: dict[int, set[str]] | None = None) -> list[RoundView]:
    """The rounds a user can walk now in `project` (or in all of `project_ids`, with the same few queries):
    due or in progress, of the routes of a role they hold (`roles`: {project id: roles}, read if not given),
    assigned to them or to anyone; with `finished`, also those finished while their window is still open
    (today's page shows them as done)."""
    ids = [project.id] if project is not None else list(project_ids)
    if not ids:
        return []
    if roles is None:
        roles = roles_by_project(session, user, [project] if project is not None else projects_by_id(session, ids).values())
    candidates = session.exec(select(Round).where(Round.project_id.in_(ids), Round.slot_start <= now + timedelta(hours=2),
                                                  Round.closes_at >= now).order_by(Round.slot_start)).all()
    views = assess_rounds(session, [r for r in candidates if not r.guard_ids or user.id in r.guard_ids], now)
    return [v for v in views if v.route.role in roles.get(v.round.project_id, ())
            and (v.assessment.status in ("upcoming", "due", "in_progress")
                 or (finished and v.round.finished_at is not None))]


def on_demand_routes(session: Session, project_ids: list[int], roles: dict[int, set[str]]) -> list[Route]:
    """The active routes of these projects that a holder of `roles` ({project id: roles}) may start at will."""
    if not project_ids:
        return []
    found = session.exec(select(Route).where(among(Route.project_id, project_ids), Route.on_demand == True,  # noqa: E712
                                             Route.active == True).order_by(Route.name)).all()  # noqa: E712
    return [r for r in found if r.role in roles.get(r.project_id, ())]


def start_round(session: Session, *, user: User, route: Route, now: datetime) -> Round:
    """A round of an on-demand route, started now by one of its walkers, theirs to walk for a shift."""
    check_walker(session, user=user, route=route)
    if not route.on_demand or not route.active:
        raise PatrolError(_("这条路线不能随时发起巡查。"))
    round_ = Round(project_id=route.project_id, route_id=route.id, slot_start=now, guard_ids=[user.id],
                   window_end=now + timedelta(hours=ON_DEMAND_HOURS), deadline=now + timedelta(hours=ON_DEMAND_HOURS),
                   closes_at=now + timedelta(hours=ON_DEMAND_HOURS), stops=_snapshot(session, route), generated_at=now)
    if not round_.stops:
        raise PatrolError(_("这条路线还没有巡查点。"))
    session.add(round_)
    session.flush()
    audit.record(session, actor=user, action="round.start", obj=round_, after={"route": route.name})
    session.commit()
    return round_


# -- visits and finishing, from the outbox ----------------------------------------------------

def _round_for(session: Session, submission: Submission) -> Round:
    raw = submission.data.get("round_id")
    round_ = get_posted(session, Round, raw)
    if round_ is None or round_.project_id != submission.project.id:
        raise PatrolError(_("找不到这一轮巡逻。"), {"round_id": _("未知轮次")})
    check_walker(session, user=submission.user, route=session.get(Route, round_.route_id), round_=round_)
    if round_.finished_at is not None:
        raise PatrolError(_("这一轮巡逻已经结束,不能再添加记录。"))
    return round_


def _number(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def record_visit(session: Session, submission: Submission) -> tuple[Visit, list]:
    """A scan at a checkpoint with its checklist, from the outbox: the visit, and the tickets its failed items
    opened. Its photos go to `submission.storage`; nothing is committed."""
    data = submission.data
    round_ = _round_for(session, submission)
    stop = next((s for s in round_.stops if str(s["position"]) == str(data.get("position"))), None)
    if stop is None:
        raise PatrolError(_("这一轮没有这个巡更点。"))
    checkpoint = posted_checkpoint(session, stop["checkpoint_id"])
    code = str(data.get("code", "")).strip().upper()
    if checkpoint is None or code != checkpoint.code:
        raise PatrolError(_("不是本项目的巡更点:扫到的二维码与“%(name)s”不符。", name=stop["name"]),
                          {"code": _("二维码不符")})
    method = "manual" if data.get("method") == "manual" else "qr"
    version = get_version(session, stop["template_version_id"]) if stop["template_version_id"] else None
    answered, failed, notes = {}, [], {}
    if version is not None:
        items = [i for section in version.definition["sections"] for i in section["items"]]
        raw_answers = {i["key"]: str(data.get(f"item-{i['key']}", "")) for i in items}
        photo_counts = {i["key"]: len(submission.photos_of(f"photo-{i['key']}")) for i in items}
        checked = check_answers(version.definition, raw_answers, photo_counts)
        answered, failed = checked.values, checked.failed
        notes = {i["key"]: str(data.get(f"note-{i['key']}", "")).strip()[:500] for i in items
                 if str(data.get(f"note-{i['key']}", "")).strip()}
    latitude, longitude, accuracy = _number(data.get("latitude")), _number(data.get("longitude")), _number(data.get("accuracy"))
    if latitude is not None and not (-90 <= latitude <= 90 and longitude is not None and -180 <= longitude <= 180):
        latitude = longitude = accuracy = None
    visit = Visit(round_id=round_.id, project_id=round_.project_id, position=stop["position"],
                  checkpoint_id=checkpoint.id, guard_id=submission.user.id, scanned_at=submission.client_time,
                  method=method, latitude=latitude, longitude=longitude, accuracy=accuracy,
                  template_version_id=version.id if version else None, answers=answered, failed=failed, notes=notes)
    session.add(visit)
    session.flush()
    prefix = f"visits/{round_.project_id}/{submission.client_id}"
    attach(session, submission.storage, submission.photos, project_id=round_.project_id, owner_type="visit",
           owner_id=visit.id, uploaded_by=submission.user.id, taken_at=submission.client_time, prefix=prefix)
    tickets = [_ticket_for_failed_item(session, submission, visit, checkpoint, version, key)
               for key in (checked.tickets if version is not None else [])]
    if failed:
        labels = {i["key"]: i["label"] for i in items}
        tell_failed(session, project_id=round_.project_id, key=f"patrols.failed:{round_.id}:{stop['position']}",
                    items=[labels[key] for key in failed], event=notices.FAILED,
                    params={"route": session.get(Route, round_.route_id).name, "place": stop["name"]},
                    link=link("patrols.round_detail", round_id=round_.id))
    return visit, tickets


def _ticket_for_failed_item(session, submission, visit, checkpoint, version, key):
    item = next(i for s in version.definition["sections"] for i in s["items"] if i["key"] == key)
    note = visit.notes.get(key, "")
    description = f"{item['label']}:{_('不合格')}" + (f"。{note}" if note else "")
    return open_ticket(session, user=submission.user, project_id=visit.project_id, description=description,
                       source="patrol", reported_at=submission.client_time, photos=submission.photos_of(f"photo-{key}"),
                       photo_prefix=f"tickets/{visit.project_id}/{submission.client_id}-{key}",
                       area_id=checkpoint.area_id, checkpoint_id=checkpoint.id, location=checkpoint.name,
                       storage=submission.storage)


def finish_round(session: Session, submission: Submission) -> Round:
    """The guard ends the round from the outbox (missing checkpoints stay missing); nothing is committed."""
    round_ = _round_for(session, submission)
    round_.finished_at = submission.client_time
    round_.finished_by = submission.user.id
    session.add(round_)
    audit.record(session, actor=submission.user, action="round.finish", obj=round_,
                 after={"finished_at": submission.client_time.isoformat()})
    return round_


def round_in(session: Session, raw, *, project_id: int) -> Round | None:
    """The round a form names (an incident reported during it), if it is this project's; else None."""
    round_ = get_posted(session, Round, raw) if raw not in (None, "") else None
    return round_ if round_ is not None and round_.project_id == project_id else None


def round_title(session: Session, round_id: int | None) -> str:
    """The name of a round's route ("夜间安全巡逻"), "" when there is no such round."""
    round_ = session.get(Round, round_id) if round_id else None
    route = session.get(Route, round_.route_id) if round_ else None
    return route.name if route else ""
