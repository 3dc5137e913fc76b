"""Patrols: the guard's round on a phone, the supervisor's board, routes and schedules, reports."""
from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.services import members, users_by_id
from app.checklists.services import templates_stmt, versions_by_id
from app.core import attention, home, today
from app.core.db import get_session, local, utcnow, zone
from app.core.permissions import load_or_404, logged_in, project_required
from app.core.photos import photos_by_owner
from app.core.views import back_to, is_htmx, render
from app.patrols import bp, exports, records, schedules, services, trouble  # noqa: F401  (records registers the outbox kinds)
from app.patrols.models import Round, Route, RouteStop, Schedule
from app.patrols.services import WALKERS
from app.patrols.slots import service_day
from app.projects.models import Project
from app.projects.services import checkpoints_of, get_project
from app.reports.csv_export import csv_response
from app.reports.pdf import data_uri, pdf_response, render_pdf
from app.reports.xlsx_export import xlsx_response

SUPERVISORS = ("supervisor",)
FLAG_LABELS = {"early": _l("提前"), "late": _l("迟到"), "out_of_order": _l("顺序不对"), "too_fast": _l("间隔过短"),
               "duplicate": _l("重复扫码"), "manual": _l("手动输入"), "gps_far": _l("定位偏离")}
# Who walks a route, as its form says it (attendant: the property assistant of an estate, 物业助理).
WALKER_LABELS = {"guard": _l("秩序维护员(保安)"), "engineer": _l("工程维修"), "attendant": _l("物业助理 / 案场服务员"),
                 "cleaner": _l("保洁员")}
STATUS_LABELS = {"upcoming": _l("未到时间"), "due": _l("待巡"), "in_progress": _l("进行中"), "done": _l("已完成"),
                 "late": _l("迟到"), "incomplete": _l("未完成"), "missed": _l("漏巡")}


def _now() -> datetime:
    return utcnow()


def _today() -> date:
    return service_day(_now(), zone().key)


def _labels() -> dict:
    return {"flag_labels": {k: str(v) for k, v in FLAG_LABELS.items()},
            "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()}}


@home.register
def _home_tasks(session, user, projects, roles):
    tasks, walking = {}, home.holding(roles, set(WALKERS))
    for view in services.my_rounds(session, user=user, project_ids=walking, now=_now(), finished=True, roles=roles):
        done = view.round.finished_at is not None  # stays on the list, as done, until its window closes
        tasks.setdefault(view.round.project_id, []).append(home.Task(
            title=f"{view.route.name} · {local(view.round.slot_start):%H:%M}",
            url=url_for("patrols.round_detail" if done else "patrols.walk", round_id=view.round.id),
            detail=str(STATUS_LABELS[view.assessment.status]), urgent=view.assessment.status == "due"))
    for route in services.on_demand_routes(session, walking, roles):
        tasks.setdefault(route.project_id, []).append(home.Task(
            title=route.name, url=url_for("patrols.start", route_id=route.id), detail=_("随时巡查")))
    for i in home.holding(roles, {"supervisor", "admin"}):
        tasks.setdefault(i, []).append(home.Task(title=_("巡更看板"), url=url_for("patrols.board", project_id=i)))
    return tasks


@attention.register
def _attention(session, project_ids, now):
    """Rounds missed, left incomplete or started late in the last 24 h: one line per route, worse (back after an
    acknowledgement) with each round missed or late after those acknowledged."""
    troubles = trouble.rounds_in_trouble(session, project_ids, now - timedelta(hours=24), now, listed=attention.FOLD)
    people = users_by_id(session, {i for t in troubles for i in t.guard_ids})

    def one(t):
        shown, missed, late = t.shown, t.missed.count, t.late.count
        title = (ngettext("漏巡 %(num)d 轮", "漏巡 %(num)d 轮", missed) if missed
                 else ngettext("迟到 %(num)d 轮", "迟到 %(num)d 轮", late))
        detail = "、".join(f"{local(slot):%H:%M}" for slot in shown.slots[:6]) + ("…" if shown.count > 6 else "")
        if missed and late:
            detail += " · " + ngettext("迟到 %(num)d 轮", "迟到 %(num)d 轮", late)
        return attention.Item(
            key=f"patrols.rounds:{t.route.id}", project_id=t.route.project_id, title=title, since=t.since,
            place=t.route.name, detail=detail, urgency=attention.HIGH if missed else attention.LOW,
            url=url_for("patrols.board", project_id=t.route.project_id,
                        date=service_day(shown.last_slot, zone().key).isoformat()),
            holder="、".join(people[i].display_name for i in sorted(t.guard_ids) if i in people),
            level=f"{t.missed.last_id}:{t.late.last_id}")

    def many(project_id, group):
        missed = sum(t.missed.count for t in group)
        return attention.Item(
            key=f"patrols.rounds:project:{project_id}", project_id=project_id, since=min(t.since for t in group),
            title=ngettext("漏巡 %(num)d 轮", "漏巡 %(num)d 轮", missed) if missed
            else ngettext("迟到 %(num)d 轮", "迟到 %(num)d 轮", sum(t.late.count for t in group)),
            detail="、".join(t.route.name for t in group[:4]) + ("…" if len(group) > 4 else ""),
            level=str(max(t.shown.last_id for t in group)), url=url_for("patrols.board", project_id=project_id),
            urgency=attention.HIGH if missed else attention.LOW)

    return attention.fold(troubles, project_of=lambda t: t.route.project_id, one=one, many=many,
                          limit=attention.fold_at(project_ids))


@today.register(today.Column("rounds", _l("巡更"), 10, _l("已巡 / 应巡 / 漏巡")))
def _today_figures(session, project_ids, now):
    counts = trouble.day_counts(session, project_ids, service_day(now, zone().key), now)
    return {i: {"rounds": today.Cell(f"{n['done']}/{n['due']}/{n['missed']}", sort=n["missed"] * 1000 + n["due"] - n["done"],
                                     alert=bool(n["missed"]))} for i, n in counts.items()}


def _failed_items(session, project_ids, now):
    """Failed checklist items of the last week's rounds, ticket or not, until the supervisor has seen them."""
    items = []
    for row in services.failed_visits(session, project_ids, now):
        place = next((s["name"] for s in row.stops if s["position"] == row.position), "")
        items.append(attention.Item(
            key=f"patrols.failed:{row.id}", project_id=row.project_id, since=row.scanned_at, place=place,
            title=ngettext("巡查不合格:%(route)s · %(place)s(%(num)d 项)", "巡查不合格:%(route)s · %(place)s(%(num)d 项)",
                           len(row.failed), route=row.route, place=place),
            url=url_for("patrols.round_detail", round_id=row.round_id), action=_("查看")))
    return items


# -- the walker on a phone --------------------------------------------------------------------

def _walkable(round_id: int) -> tuple[Round, Route]:
    """A round the current user walks: its project's walker, of the route's role (else a 403 saying whose)."""
    round_ = load_or_404(Round, round_id, *WALKERS)
    route = get_session().get(Route, round_.route_id)
    services.check_walker(get_session(), user=current_user, route=route, round_=round_)
    return round_, route


@bp.route("/routes/<int:route_id>/start", methods=["GET", "POST"])
@logged_in
def start(route_id: int):
    """Start a round of an on-demand route now (a page to confirm it, then its walk)."""
    route = load_or_404(Route, route_id, *WALKERS)
    services.check_walker(get_session(), user=current_user, route=route)
    if request.method == "GET":
        return render_template("patrols/start.html", route=route, project=get_project(get_session(), route.project_id),
                               stops=services.stops_of(get_session(), route), hours=services.ON_DEMAND_HOURS)
    round_ = services.start_round(get_session(), user=current_user, route=route, now=_now())
    return redirect(url_for("patrols.walk", round_id=round_.id))


@bp.get("/rounds/<int:round_id>/walk")
@logged_in
def walk(round_id: int):
    """A round on the phone: the route's checkpoints in order, scan, checklist, finish. Works offline."""
    round_, _route = _walkable(round_id)
    db = get_session()
    [view] = services.assess_rounds(db, [round_], _now())
    visited = {f.visit.position for f in view.assessment.visits}
    return render_template("patrols/walk.html", round=round_, route=view.route, visited=visited,
                           project=get_project(db, round_.project_id), slot=local(round_.slot_start), **_labels())


@bp.get("/rounds/<int:round_id>/stops/<int:position>")
@logged_in
def stop(round_id: int, position: int):
    """One checkpoint's checklist within a round; the page fills in the scanned code and position. Already
    visited (or recorded on this phone, patrol.js): it says when and by whom, and the form is a correction."""
    round_, _route = _walkable(round_id)
    stop = next((s for s in round_.stops if s["position"] == position), None)
    if stop is None:
        abort(404)
    db = get_session()
    version = services.get_version(db, stop["template_version_id"]) if stop["template_version_id"] else None
    done = services.visits_at(db, round_, position)  # opened again: it says so and offers a correction
    return render_template("patrols/stop.html", round=round_, stop=stop, version=version, done=done,
                           guards=users_by_id(db, {v.guard_id for v in done}),
                           project=get_project(db, round_.project_id))


# -- the supervisor ---------------------------------------------------------------------------

def _day_arg() -> date:
    try:
        return date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return _today()


@bp.get("/projects/<int:project_id>/patrols")
@project_required(*SUPERVISORS)
def board(project: Project):
    """Today's rounds of a project: due, done, late, missed, incomplete, and open anomalies; refreshes itself."""
    db = get_session()
    day = _day_arg()
    route_id = request.args.get("route", type=int)
    guard_id = request.args.get("guard", type=int)
    data = services.board(db, project=project, day=day, now=_now(), route_id=route_id, guard_id=guard_id)
    guards = members(db, project.id, WALKERS, active_only=False)  # a past day's guard may have left since
    return render("patrols/board.html", "patrols/_board.html", project=project, day=day, routes=services.routes_of(db, project),
                  guards=guards, route_id=route_id, guard_id=guard_id, local=local, **data, **_labels())


@bp.get("/rounds/<int:round_id>")
@logged_in
def round_detail(round_id: int):
    """A round's timeline: each visit with its time, flags, answers and photos."""
    round_ = load_or_404(Round, round_id, *SUPERVISORS, *WALKERS)
    return render_template("patrols/round.html", **_round_context(round_))


def _round_context(round_: Round, pdf: bool = False) -> dict:
    db = get_session()
    [view] = services.assess_rounds(db, [round_], _now(), whole_visits=True)
    photos = photos_by_owner(db, "visit", [f.visit.id for f in view.assessment.visits])
    versions = versions_by_id(db, [f.visit.template_version_id for f in view.assessment.visits])
    guards = users_by_id(db, {f.visit.guard_id for f in view.assessment.visits})
    stops = {s["position"]: s for s in round_.stops}
    photo_src = data_uri if pdf else (lambda photo: url_for("core.photo_thumb", photo_id=photo.id))
    return {"round": round_, "view": view, "project": get_project(db, round_.project_id), "photos": photos,
            "versions": versions, "guards": guards, "stops": stops, "local": local,
            "photo_src": photo_src, "late_upload": timedelta(minutes=10), **_labels()}


@bp.get("/rounds/<int:round_id>/report.pdf")
@logged_in
def round_report(round_id: int):
    """The round report as an A4 PDF."""
    round_ = load_or_404(Round, round_id, *SUPERVISORS)
    return pdf_response(render_pdf("reports/patrol_round.html", **_round_context(round_, pdf=True)),
                        f"round-{round_.id}.pdf")


@bp.get("/projects/<int:project_id>/patrols/daily.pdf")
@project_required(*SUPERVISORS)
def daily_report(project: Project):
    """The day's patrols of a project as an A4 PDF."""
    day = _day_arg()
    data = services.board(get_session(), project=project, day=day, now=_now())
    pdf = render_pdf("reports/patrol_daily.html", project=project, day=day, local=local, **data, **_labels())
    return pdf_response(pdf, f"patrols-{project.id}-{day}.pdf")


@bp.get("/projects/<int:project_id>/patrols/visits.csv")
@project_required(*SUPERVISORS)
def visits_csv(project: Project):
    """The day's visits, one row each, for a spreadsheet."""
    day = _day_arg()
    data = services.board(get_session(), project=project, day=day, now=_now(), whole_visits=True)
    return csv_response(exports.visit_rows(data, _labels()["flag_labels"]), f"visits-{project.id}-{day}.csv")


@bp.get("/projects/<int:project_id>/patrols/day.xlsx")
@project_required(*SUPERVISORS)
def day_xlsx(project: Project):
    """The day's rounds and visits with their flags, one sheet each, as an Excel workbook."""
    day = _day_arg()
    data = services.board(get_session(), project=project, day=day, now=_now(), whole_visits=True)
    return xlsx_response(exports.day_sheets(data, _labels()), f"patrols-{project.id}-{day}.xlsx")


# -- routes and schedules (supervisors) -------------------------------------------------------

@bp.route("/projects/<int:project_id>/routes", methods=["GET", "POST"])
@project_required(*SUPERVISORS)
def routes(project: Project):
    """The project's patrol routes; a new one is created here."""
    db = get_session()
    error = None
    if request.method == "POST":
        try:
            route = services.save_route(db, actor=current_user, project=project, name=request.form.get("name", ""),
                                        role=request.form.get("role") or "guard",
                                        on_demand=bool(request.form.get("on_demand")))
        except services.PatrolError as exc:
            error = str(exc)
        else:
            return back_to("patrols.route", route_id=route.id)
    return render_template("patrols/routes.html", project=project, routes=services.routes_of(db, project),
                           error=error, walker_labels=WALKER_LABELS), 400 if error else 200


def _route_page(route: Route, status: int = 200, **extra):
    db = get_session()
    project = get_project(db, route.project_id)
    return render("patrols/route.html", "patrols/_stops.html", status=status, route=route, project=project,
                  stops=services.stops_of(db, route), schedules=services.schedules_of(db, route),
                  checkpoints=checkpoints_of(db, project), walker_labels=WALKER_LABELS,
                  weekdays=schedules.WEEKDAYS, month_weeks=schedules.MONTH_WEEKS, rhythm_text=schedules.rhythm_text,
                  templates=db.exec(templates_stmt(project.organisation_id)).all(),
                  guards=members(db, project.id, (route.role,)), **extra)


@bp.route("/routes/<int:route_id>", methods=["GET", "POST"])
@logged_in
def route(route_id: int):
    """A route: its settings, its checkpoints in order with their checklists, its schedules."""
    route = load_or_404(Route, route_id, *SUPERVISORS)
    if request.method == "GET":
        editing = get_session().get(Schedule, request.args.get("edit", 0, type=int))
        if editing is not None and (editing.route_id != route.id or not editing.active):
            editing = None
        return _route_page(route, editing=editing, schedule_form=editing and schedules.as_form(editing))
    form = request.form
    try:
        services.save_route(get_session(), actor=current_user, project=get_project(get_session(), route.project_id),
                            route=route, name=form.get("name", ""), min_walk_seconds=form.get("min_walk_seconds", ""),
                            max_gps_metres=form.get("max_gps_metres", ""), active=bool(form.get("active")),
                            role=form.get("role") or None, on_demand=bool(form.get("on_demand")))
    except services.PatrolError as exc:
        return _route_page(route, 400, error=str(exc))
    flash(_("已保存。"), "success")
    return back_to("patrols.route", route_id=route.id)


@bp.post("/routes/<int:route_id>/stops")
@logged_in
def add_stop(route_id: int):
    """Add a checkpoint (with its checklist) at the end of the route."""
    route = load_or_404(Route, route_id, *SUPERVISORS)
    try:
        services.add_stop(get_session(), actor=current_user, route=route, checkpoint_id=request.form.get("checkpoint_id"),
                          template_id=request.form.get("template_id") or None)
    except services.PatrolError as exc:
        return _route_page(route, 400, stop_error=str(exc))
    return _route_page(route) if is_htmx() else back_to("patrols.route", route_id=route.id)


def _route_stop(stop_id: int) -> tuple[Route, RouteStop]:
    stop = get_session().get(RouteStop, stop_id)
    if stop is None:
        abort(404)
    return load_or_404(Route, stop.route_id, *SUPERVISORS), stop


@bp.post("/route-stops/<int:stop_id>/move")
@logged_in
def move_stop(stop_id: int):
    """Move a checkpoint up or down the route."""
    route, stop = _route_stop(stop_id)
    services.move_stop(get_session(), stop=stop, offset=-1 if request.form.get("direction") == "up" else 1)
    return _route_page(route) if is_htmx() else back_to("patrols.route", route_id=route.id)


@bp.post("/route-stops/<int:stop_id>/delete")
@logged_in
def remove_stop(stop_id: int):
    """Take a checkpoint off the route (rounds already generated keep it)."""
    route, stop = _route_stop(stop_id)
    services.remove_stop(get_session(), actor=current_user, stop=stop)
    return _route_page(route) if is_htmx() else back_to("patrols.route", route_id=route.id)


def _save_schedule(route: Route, schedule: Schedule | None):
    form = request.form
    try:
        services.save_schedule(get_session(), actor=current_user, route=route, schedule=schedule,
                               name=form.get("name", ""), start=form.get("start", ""), end=form.get("end", ""),
                               interval_minutes=form.get("interval_minutes", ""),
                               window_minutes=form.get("window_minutes", "60"), window_unit=form.get("window_unit", ""),
                               grace_minutes=form.get("grace_minutes", "15"), guard_ids=form.getlist("guard_ids"),
                               rhythm=form.get("rhythm") or "daily", weekdays=form.getlist("weekdays"),
                               month_day=form.get("month_day"), month_week=form.get("month_week"),
                               month_weekday=form.get("month_weekday"), now=utcnow())
    except services.ScheduleError as exc:  # refused before anything was changed
        return _route_page(route, 400, schedule_error=str(exc), schedule_form=form, editing=schedule)
    flash(_("已添加班次,今天的轮次已生成。") if schedule is None else _("已修改班次:还没开始的轮次按新的时间生成。"),
          "success")
    return back_to("patrols.route", route_id=route.id)


@bp.post("/routes/<int:route_id>/schedules")
@logged_in
def add_schedule(route_id: int):
    """Add a schedule: when rounds of this route are due, and for whom."""
    return _save_schedule(load_or_404(Route, route_id, *SUPERVISORS), None)


@bp.post("/schedules/<int:schedule_id>")
@logged_in
def change_schedule(schedule_id: int):
    """Change a schedule: the rounds not yet begun follow the new plan; one under way stays."""
    schedule, route = _schedule(schedule_id)
    return _save_schedule(route, schedule)


def _schedule(schedule_id: int) -> tuple[Schedule, Route]:
    schedule = get_session().get(Schedule, schedule_id)
    if schedule is None or not schedule.active:
        abort(404)
    return schedule, load_or_404(Route, schedule.route_id, *SUPERVISORS)


@bp.post("/schedules/<int:schedule_id>/delete")
@logged_in
def delete_schedule(schedule_id: int):
    """Stop a schedule (rounds already generated stay)."""
    schedule, route = _schedule(schedule_id)
    services.stop_schedule(get_session(), actor=current_user, schedule=schedule)
    return back_to("patrols.route", route_id=route.id)
