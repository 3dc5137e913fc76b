"""Inspection scoring: the tablet form (offline), results with objections, rectification, ranking, reports."""
from datetime import datetime, timedelta

from flask import abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlmodel import select

from app.accounts.services import projects_with_role, users_by_id
from app.checklists.definition import format_points
from app.core import attention, home, today
from app.core.db import day_end, get_session, utcnow
from app.core.permissions import (
    admin_required,
    has_role,
    load_or_404,
    logged_in,
    project_required,
    project_roles,
    roles_in,
)
from app.core.photos import FORM_PHOTOS, photos_by_owner, pixel_budget, process_all
from app.core.refusal import Refusal
from app.core.storage import storage
from app.core.views import back_to, is_htmx, render
from app.inspections import (
    bp,
    exports,
    objections,
    records,  # noqa: F401  (registers the "inspection" sync kind)
    rectification,
    services,
)
from app.inspections import ranking as rankings
from app.inspections.models import Deduction, Inspection, Objection, Rectification
from app.inspections.rules import phone_rules
from app.inspections.services import INSPECTORS, LEADS, local
from app.projects.models import Project
from app.projects.services import get_project
from app.reports.csv_export import csv_response
from app.reports.pdf import data_uri, pdf_response, render_pdf
from app.reports.xlsx_export import xlsx_response

READERS = INSPECTORS + LEADS
STATUS_LABELS = {"provisional": _l("暂定(异议期内)"), "effective": _l("已生效")}
OBJECTION_LABELS = {"pending": _l("待处理"), "accepted": _l("已采纳"), "rejected": _l("已驳回")}
RECTIFICATION_LABELS = {"open": _l("待整改"), "closed": _l("已整改,待验证"), "verified": _l("已验证关闭")}


def _now() -> datetime:
    return utcnow()


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "objection_labels": OBJECTION_LABELS,
            "rectification_labels": RECTIFICATION_LABELS, "local": local, "points": format_points,
            **rankings.CELL_TEXTS}


@home.register
def _home_tasks(session, user, projects, roles):
    tasks, scorers = {}, home.holding(roles, {"inspector", "admin"})
    pending = objections.pending_counts(session, scorers)
    for i in scorers:
        tasks[i] = [home.Task(title=_("案场检查评分"), url=url_for("inspections.new", project_id=i))]
        if pending.get(i):
            tasks[i].append(home.Task(title=_("待处理的异议"), url=url_for("inspections.index", project_id=i),
                                      detail=_("%(n)d 条", n=pending[i]), urgent=True))
    readers = home.holding(roles, {"supervisor", "inspector", "admin"})
    unresolved = rectification.unresolved_counts(session, readers, _now())
    provisional = objections.provisional_counts(session, readers, _now())
    for i in readers:
        if i in unresolved:
            n, late = unresolved[i]
            tasks.setdefault(i, []).append(home.Task(
                title=_("整改项"), url=url_for("inspections.rectifications", project_id=i),
                detail=_("%(n)d 项未关闭,%(late)d 项逾期", n=n, late=late), urgent=bool(late)))
        tasks.setdefault(i, []).append(home.Task(
            title=_("检查结果"), url=url_for("inspections.index", project_id=i),
            detail=_("%(n)d 个在异议期内", n=provisional[i]) if provisional.get(i) else ""))
    return tasks


@attention.register
def _attention(session, project_ids, now):
    """Rectification items past their due date, and results whose objection window closes before tonight."""
    late = rectification.overdue_in(session, project_ids, now)
    people = users_by_id(session, {r.owner_id for r in late if r.owner_id})

    def one(r):
        return attention.Item(
            key=f"inspections.rectification:{r.id}", project_id=r.project_id, since=r.due_at, detail=r.note[:60],
            title=_("整改逾期:%(label)s", label=r.label), action=_("提交整改"), level=str(r.times_found_open),
            holder=people[r.owner_id].display_name if r.owner_id in people else "",
            url=url_for("inspections.rectifications", project_id=r.project_id) + f"#rectification-{r.id}")

    def many(project_id, group):
        return attention.Item(
            key=f"inspections.rectification:project:{project_id}", project_id=project_id, since=group[0].due_at,
            title=ngettext("整改逾期 %(num)d 项", "整改逾期 %(num)d 项", len(group)), level=str(len(group)),
            detail="、".join(r.label[:20] for r in group[:3]) + ("…" if len(group) > 3 else ""),
            url=url_for("inspections.rectifications", project_id=project_id))

    return attention.fold(late, project_of=lambda r: r.project_id, one=one, many=many,
                          limit=attention.fold_at(project_ids)) + [attention.Item(
        key=f"inspections.objection-window:{i.id}", project_id=i.project_id, since=i.inspected_at,
        title=_("异议截止 %(time)s:%(date)s 的检查结果", time=f"{local(i.objection_deadline):%H:%M}",
                date=f"{local(i.inspected_at):%m-%d}"),
        url=url_for("inspections.detail", inspection_id=i.id), action=_("提出异议"), urgency=attention.LOW)
        for i in objections.closing_between(session, project_ids, now, day_end(now))]


@today.register(today.Column("inspection", _l("检查得分"), 50, _l("最近一次检查的得分")))
def _today_figures(session, project_ids, now):
    out = {}
    for project_id, sheets in services.last_sheet_scores(session, project_ids).items():
        share = sum(score for score, _base in sheets) / max(1, sum(base for _score, base in sheets))
        out[project_id] = {"inspection": today.Cell(" · ".join(f"{score:g}" for score, _base in sheets), sort=share,
                                                    alert=share < 0.8)}
    return out


def _uploads(field: str = "photos") -> list:
    """The photos of a form, processed; a PhotoError (a Refusal) tells the user what is wrong with one."""
    return process_all([upload.read() for upload in request.files.getlist(field) if upload.filename],
                       max_bytes=current_app.config["PHOTO_MAX_BYTES"], max_pixels=pixel_budget(FORM_PHOTOS))


# -- the inspector on a tablet ----------------------------------------------------------------------

@bp.get("/projects/<int:project_id>/inspections/new")
@project_required(*INSPECTORS)
def new(project: Project):
    """Score a site on one or both sheets; works offline: the whole visit is queued as one record."""
    db = get_session()
    return render_template("inspections/new.html", project=project,
                           sheets=services.score_sheets(db, project.organisation_id),
                           prior=services.open_rectifications(db, project.id), sheet_rules=phone_rules, **_labels())


@bp.get("/projects/<int:project_id>/inspections")
@project_required(*READERS)
def index(project: Project):
    """A site's inspections, newest first, with their scores and state."""
    db = get_session()
    inspections = db.exec(services.inspections_stmt(project.id).limit(100)).all()
    pending = {o.inspection_id for o in db.exec(select(Objection).where(Objection.project_id == project.id,
                                                                           Objection.status == "pending")).all()}
    return render_template("inspections/index.html", project=project, inspections=inspections, pending=pending,
                           statuses=objections.statuses(db, inspections, _now()),
                           sheets=services.sheets_of(db, [i.id for i in inspections]),
                           can_inspect=has_role(db, current_user, project, INSPECTORS), **_labels())


def _context(inspection: Inspection, pdf: bool = False) -> dict:
    """What the result page and its PDF show; one function for both."""
    db = get_session()
    state = objections.statuses(db, [inspection], _now())[inspection.id]  # (`status` is the response's)
    deductions = services.deductions_of(db, inspection)
    raised = {o.deduction_id: o for o in objections.objections_of(db, [inspection.id]).get(inspection.id, [])}
    rectifications = rectification.rectifications_of(db, inspection)
    photos = {(owner_type, owner_id): found
              for owner_type, rows in (("inspection_deduction", deductions), ("inspection_objection", raised.values()),
                                       ("rectification", rectifications))
              for owner_id, found in photos_by_owner(db, owner_type, [row.id for row in rows]).items()}
    sheets = services.sheets_of(db, [inspection.id]).get(inspection.id, [])
    user_ids = {inspection.lead_id} | {r.owner_id for r in rectifications} | {o.raised_by for o in raised.values()} \
        | {o.decided_by for o in raised.values()}
    roles = roles_in(db, current_user, get_project(db, inspection.project_id)) if not pdf else set()
    return {"inspection": inspection, "state": state, "project": get_project(db, inspection.project_id), "sheets": sheets,
            "categories": {s.id: services.categories_of(db, s) for s in sheets}, "deductions": deductions,
            "objections": raised, "rectifications": rectifications, "photos": photos,
            "users": users_by_id(db, user_ids),
            "photo_src": data_uri if pdf else (lambda p: url_for("core.photo_thumb", photo_id=p.id)),
            "can_object": bool(roles & {"supervisor", "admin"}) and state == "provisional"
            and _now() < inspection.objection_deadline,
            "can_decide": bool(roles & {"inspector", "admin"}), "now": _now(), "overdue": rectification.overdue,
            **_labels()}


@bp.get("/inspections/<int:inspection_id>")
@logged_in
def detail(inspection_id: int):
    """An inspection's result: scores by category, deductions with photos, objections, rectification."""
    inspection = load_or_404(Inspection, inspection_id, *READERS)
    return render("inspections/detail.html", "inspections/_body.html", **_context(inspection))


@bp.get("/inspections/<int:inspection_id>/report.pdf")
@logged_in
def report(inspection_id: int):
    """The inspection report as an A4 PDF."""
    inspection = load_or_404(Inspection, inspection_id, *READERS)
    return pdf_response(render_pdf("reports/inspection_report.html", **_context(inspection, pdf=True)),
                        f"inspection-{inspection.id}.pdf")


def _after(inspection_id: int, error: Refusal | None = None):
    """The result again: the fragment for htmx, a redirect for a plain form, the error with its status."""
    inspection = get_session().get(Inspection, inspection_id)
    if error is not None:
        if not is_htmx():
            flash(error.message, "error")
            return back_to("inspections.detail", inspection_id=inspection_id)
        return render("inspections/detail.html", "inspections/_body.html", status=error.status, error=error.message,
                      **_context(inspection))
    if is_htmx():
        return render("inspections/detail.html", "inspections/_body.html", **_context(inspection))
    return back_to("inspections.detail", inspection_id=inspection_id)


@bp.post("/deductions/<int:deduction_id>/objection")
@logged_in
def object_to(deduction_id: int):
    """The project lead objects to one deduction, with a reason and perhaps a photo, within the window."""
    deduction = load_or_404(Deduction, deduction_id, *LEADS)
    try:
        objections.raise_objection(get_session(), storage=storage(), actor=current_user, deduction=deduction,
                                   reason=request.form.get("reason", ""), photos=_uploads(), now=_now())
    except Refusal as exc:
        return _after(deduction.inspection_id, exc)
    return _after(deduction.inspection_id)


@bp.post("/objections/<int:objection_id>/decide")
@logged_in
def decide(objection_id: int):
    """An inspector accepts the objection (points restored) or rejects it with a reason."""
    objection = load_or_404(Objection, objection_id, *INSPECTORS)
    try:
        objections.decide_objection(get_session(), actor=current_user, objection=objection,
                                    accept=request.form.get("decision") == "accept",
                                    reason=request.form.get("reason", ""), now=_now())
    except Refusal as exc:
        return _after(objection.inspection_id, exc)
    return _after(objection.inspection_id)


@bp.post("/deductions/<int:deduction_id>/withdraw")
@logged_in
def withdraw(deduction_id: int):
    """The inspector takes a deduction back while the result is provisional."""
    deduction = load_or_404(Deduction, deduction_id, *INSPECTORS)
    try:
        objections.withdraw_deduction(get_session(), actor=current_user, deduction=deduction,
                                      reason=request.form.get("reason", ""), now=_now())
    except Refusal as exc:
        return _after(deduction.inspection_id, exc)
    return _after(deduction.inspection_id)


# -- rectification --------------------------------------------------------------------------------

def _rectification_page(project: Project, status: int = 200, error: str | None = None):
    db = get_session()
    items = db.exec(rectification.rectifications_stmt(project.id)).all()
    photos = photos_by_owner(db, "rectification", [i.id for i in items])
    owners = users_by_id(db, [i.owner_id for i in items])
    roles = project_roles(project)
    return render("inspections/rectifications.html", "inspections/_rectifications.html", status=status,
                  project=project, items=items, photos=photos, owners=owners, now=_now(), error=error,
                  overdue=rectification.overdue, can_verify=bool(roles & {"inspector", "admin"}), **_labels())


@bp.get("/projects/<int:project_id>/rectifications")
@project_required(*READERS)
def rectifications(project: Project):
    """A site's rectification items: overdue first, then by due date."""
    return _rectification_page(project)


def _rectification_done(item: Rectification, error: Refusal | None = None):
    project = get_project(get_session(), item.project_id)
    if error is not None and not is_htmx():
        flash(error.message, "error")
    if is_htmx():
        return _rectification_page(project, error.status if error else 200, error.message if error else None)
    return back_to("inspections.rectifications", project_id=project.id)


@bp.post("/rectifications/<int:rectification_id>/close")
@logged_in
def close_rectification(rectification_id: int):
    """The owner (or the project lead) reports the fix with an after-photo and a note."""
    item = load_or_404(Rectification, rectification_id)
    if item.owner_id != current_user.id and not has_role(get_session(), current_user,
                                                        get_project(get_session(), item.project_id), LEADS):
        abort(403)
    try:
        rectification.close_rectification(get_session(), storage=storage(), actor=current_user, item=item,
                                          note=request.form.get("note", ""), photos=_uploads(), now=_now())
    except Refusal as exc:
        return _rectification_done(item, exc)
    return _rectification_done(item)


@bp.post("/rectifications/<int:rectification_id>/verify")
@logged_in
def verify_rectification(rectification_id: int):
    """The inspector confirms the fix or sends it back."""
    item = load_or_404(Rectification, rectification_id, *INSPECTORS)
    try:
        rectification.verify_rectification(get_session(), actor=current_user, item=item,
                                           accept=request.form.get("decision") == "accept", now=_now())
    except Refusal as exc:
        return _rectification_done(item, exc)
    return _rectification_done(item)


# -- the company: ranking, exports, settings --------------------------------------------------------

def _own(organisation_id: int) -> int:
    """Company screens name their organisation in the URL; another company's is a 404."""
    if organisation_id != current_user.organisation_id:
        abort(404)
    return organisation_id


def _ranked_sites(organisation_id: int) -> set[int] | None:
    """Admins and managers see every site of the ranking; an inspector or a supervisor sees only the sites they inspect or
    supervise, each with its company-wide rank (another site's name and score are another client's business);
    anyone else gets a 404."""
    _own(organisation_id)
    if current_user.is_admin or current_user.is_manager:
        return None
    sites = set(projects_with_role(get_session(), current_user.id, READERS))  # memberships are in one's own company
    if not sites:
        abort(404)
    return sites


def _month() -> str:
    return rankings.parse_month(request.args.get("month"), local(_now()).date())


def _ranking_context(org: int) -> dict:
    db = get_session()
    month = _month()
    sites = _ranked_sites(org)
    result = rankings.ranking(db, organisation_id=org, month=month, now=_now())
    sites_ranked = sum(1 for row in result.rows if row.rank)  # counted before the rows are narrowed to one's own sites
    if sites is not None:
        result.rows = [row for row in result.rows if row.project_id in sites]
    return {"ranking": result, "month": month, "organisation_id": org, "previous": rankings.previous_month(month),
            "next": rankings.next_month(month), "one_day": timedelta(days=1), "now": _now(),
            "sites_ranked": sites_ranked, "restricted": sites is not None, **_labels()}


@bp.get("/organisations/<int:organisation_id>/ranking")
@logged_in
def ranking(organisation_id: int):
    """Every site's effective scores of the month, ranked, a page of rows at a time (or the sites found by name);
    frozen once the month has closed."""
    context = _ranking_context(organisation_id)
    shown = rankings.page_of(context["ranking"].rows, number=request.args.get("page", 1, type=int),
                             query=request.args.get("q", ""))
    return render("inspections/ranking.html", "inspections/_ranking_list.html", shown=shown, **context)


@bp.get("/organisations/<int:organisation_id>/ranking.pdf")
@logged_in
def ranking_pdf(organisation_id: int):
    """The month's ranking as an A4 PDF with a bar chart."""
    context = _ranking_context(organisation_id)
    return pdf_response(render_pdf("reports/inspection_ranking.html", **context), f"ranking-{context['month']}.pdf")


def _deductions(organisation_id: int) -> tuple[list[list], list[list]]:
    db = get_session()
    settings = services.settings_for(db, _own(organisation_id))
    start, end = rankings.period(_month(), settings.close_day, local(_now()).tzinfo)
    return exports.deduction_table(db, current_user.organisation_id, start, end, _now(), STATUS_LABELS)


@bp.get("/organisations/<int:organisation_id>/deductions.csv")
@admin_required
def deductions_csv(organisation_id: int):
    """The month's deductions of every site, one row each, for Excel."""
    return csv_response(_deductions(organisation_id)[0], f"deductions-{_month()}.csv")


@bp.get("/organisations/<int:organisation_id>/inspections.xlsx")
@admin_required
def inspections_xlsx(organisation_id: int):
    """The month as a workbook: the ranking, every checklist's score by category, every deduction."""
    deductions, scores = _deductions(organisation_id)
    ranking_ = _ranking_context(organisation_id)["ranking"]
    return xlsx_response(exports.month_sheets(ranking_, deductions, scores), f"inspections-{_month()}.xlsx")


@bp.get("/organisations/<int:organisation_id>/ranking.xlsx")
@logged_in
def ranking_xlsx(organisation_id: int):
    """The month's ranking as a workbook, with what the page shows this reader (their own sites, if not admin)."""
    context = _ranking_context(organisation_id)
    return xlsx_response([exports.ranking_sheet(context["ranking"])], f"ranking-{context['month']}.xlsx")


@bp.route("/organisations/<int:organisation_id>/inspection-settings", methods=["GET", "POST"])
@admin_required
def settings(organisation_id: int):
    """The company's objection window and the day the monthly ranking closes."""
    db = get_session()
    _own(organisation_id)
    error = None
    if request.method == "POST":
        try:
            services.save_settings(db, actor=current_user, organisation_id=current_user.organisation_id,
                                   objection_days=request.form.get("objection_days"),
                                   close_day=request.form.get("close_day"))
        except Refusal as exc:
            error = exc.message
        else:
            flash(_("已保存。"), "success")
            return back_to("inspections.settings", organisation_id=organisation_id)
    return render_template("inspections/settings.html", error=error, form=request.form,
                           settings=services.settings_for(db, current_user.organisation_id)), 422 if error else 200
