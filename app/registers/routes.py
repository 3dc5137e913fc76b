"""The registers of a post: the project's index of posts, each register's page (its open entries, its form, the
month's list; offline through the outbox), the same forms without JavaScript, and the monthly export."""
from flask import abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.services import users_by_id
from app.core import attention, home
from app.core.db import get_session, local, utcnow, zone
from app.core.formatting import starter
from app.core.permissions import load_project, logged_in, project_required, project_roles
from app.core.photos import photos_by_owner
from app.core.storage import storage
from app.core.views import back_to, month_arg
from app.registers import bp, exports, records, services  # noqa: F401  (records registers the sync kinds)
from app.repairs.figures import month_bounds, months_back
from app.reports.csv_export import csv_response
from app.reports.xlsx_export import Sheet, xlsx_response
from app.shifts import services as shifts
from app.sync.services import RecordRefused, accept_form

REGISTER = "<any(visitors,lost,gifts,keys):register>"
SUPERVISORS = ("supervisor",)
# The record kinds each register's page sends: the first makes an entry, the second closes one.
KINDS = {"visitors": ("register_visit", "register_visit_out"), "lost": ("register_found", "register_found_return"),
         "gifts": ("register_gift",), "keys": ("register_key_lend", "register_key_return")}
FILES = ("photo", "sign-receiver")  # the file fields of the forms


@bp.app_template_filter("masked")
def _masked(value: str) -> str:
    return services.masked(value)


@home.register
def _home_tasks(session, user, projects, roles):
    keepers = list(shifts.with_posts(session, home.holding(roles, set(services.ROLES) | {"admin"})))
    overdue = services.overdue_counts(session, keepers, utcnow())
    return {i: [home.Task(title=_("岗位登记"), url=url_for("registers.index", project_id=i), urgent=i in overdue,
                          detail=ngettext("%(num)d 把钥匙逾期未还", "%(num)d 把钥匙逾期未还", overdue[i])
                          if i in overdue else _("来访、失物、礼品、钥匙"))] for i in keepers}


@attention.register
def _overdue_keys(session, project_ids, now):
    loans = services.overdue_keys(session, project_ids, now)
    posts = shifts.posts_by_id(session, {loan.post_id for loan in loans})
    return [attention.Item(key=f"registers.key_overdue:{loan.id}", project_id=loan.project_id,
                           title=_("钥匙逾期未还:%(key)s", key=loan.key_name), since=loan.due_at,
                           url=url_for("registers.post_register", post_id=loan.post_id, register="keys"),
                           urgency=attention.HIGH, place=starter(posts[loan.post_id].name), holder=loan.borrower,
                           action=_("归还"), level="overdue") for loan in loans]


@attention.register
def _unclaimed(session, project_ids, now):
    items = services.unclaimed(session, project_ids, now)
    posts = shifts.posts_by_id(session, {item.post_id for item in items})
    return [attention.Item(key=f"registers.unclaimed:{item.id}", project_id=item.project_id,
                           title=_("失物久未认领:%(what)s", what=item.description[:40]), since=item.found_at,
                           url=url_for("registers.post_register", post_id=item.post_id, register="lost") + f"#found-{item.id}",
                           urgency=attention.LOW, place=starter(posts[item.post_id].name), level="unclaimed",
                           action=_("上交派出所")) for item in items]


def _post_or_404(post_id: int):
    """The post and its project, for someone who keeps that project's registers (else 404 / 403)."""
    post = shifts.post_of(get_session(), post_id)
    if post is None:
        abort(404)
    return post, load_project(post.project_id, *services.ROLES)


def _month(project, register: str, post_id=None) -> tuple[str, list]:
    year, month = month_arg(local(utcnow()).date())
    start, end = month_bounds(year, month, zone().key)
    stmt = services.month_stmt(register, start=start, end=end, project_id=project.id, post_id=post_id)
    return f"{year}-{month:02d}", get_session().exec(stmt.limit(500)).all()


def _register_context(post, project, register: str) -> dict:
    db = get_session()
    month, entries = _month(project, register, post.id)
    waiting = services.open_entries(db, register, post.id)
    people = users_by_id(db, {getattr(e, f, None) for e in entries + waiting
                              for f in ("recorded_by", "returned_by", "lent_by", "out_by")})
    owners = {"lost": ("register_found", "register_found_sign"), "gifts": ("register_gift",)}.get(register, ())
    ids = [e.id for e in entries + waiting]
    return {"post": post, "project": project, "register": register, "labels": services.LABELS, "month": month,
            "entries": entries, "waiting": waiting, "people": people, "now": utcnow(), "local": local,
            "photos": {owner: photos_by_owner(db, owner, ids) for owner in owners},
            "posts": shifts.posts_of(db, project, active_only=True), "kinds": KINDS[register],
            "rules": _rules(db, register, post), "known_keys": services.known_keys(db, post.id)}


def _rules(db, register: str, post) -> dict:
    if register == "keys":
        return {"key_lend": services.key_rules([k.key_name for k in services.keys_out(db, post.id)])}
    return {"visitors": {"visit": services.visit_rules()}, "gifts": {"gift": services.gift_rules()},
            "lost": {"found": services.found_rules(), "return": services.return_rules(),
                     "police": services.police_rules()}}[register]


@bp.get("/projects/<int:project_id>/registers")
@project_required(*services.ROLES)
def index(project):
    """The project's posts, each with what waits in its registers; for supervisors the monthly exports."""
    db, now = get_session(), utcnow()
    posts = shifts.posts_of(db, project, active_only=True)
    today = local(now).date()
    start, _end = month_bounds(today.year, today.month, zone().key)
    return render_template("registers/index.html", project=project, posts=posts, labels=services.LABELS,
                           counts=services.post_counts(db, [p.id for p in posts], now=now, month_start=start),
                           months=months_back(today.year, today.month),
                           supervising=bool(project_roles(project) & {"supervisor", "admin"}))


@bp.get(f"/posts/<int:post_id>/registers/{REGISTER}")
@logged_in
def post_register(post_id: int, register: str):
    """One register of a post: what still waits (visitors in, items kept, keys out), the form, the month's list."""
    post, project = _post_or_404(post_id)
    return render_template("registers/register.html", **_register_context(post, project, register))


@bp.post(f"/posts/<int:post_id>/registers/{REGISTER}")
@logged_in
def post_register_post(post_id: int, register: str):
    """The same forms without JavaScript: one record through the outbox's exactly-once path."""
    post, project = _post_or_404(post_id)
    kind = request.form.get("kind", "")
    if kind not in KINDS[register]:
        abort(400)
    data = {k: v for k, v in request.form.items() if k not in ("csrf_token", "client_id", "kind")}
    files = [(f"{name}~{n}.jpg", f.read()) for name in FILES for n, f in enumerate(request.files.getlist(name), 1)
             if f.filename]
    try:
        accept_form(get_session(), storage(), user=current_user, project_id=project.id, kind=kind, data=data,
                    files=files, client_id=request.form.get("client_id", ""),
                    photo_max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    except RecordRefused as exc:
        return render_template("registers/register.html", error=exc.message, problems=exc.fields or {}, form=data,
                               failed_kind=kind, **_register_context(post, project, register)), exc.status
    flash(_("已登记。"), "success")
    return back_to("registers.post_register", post_id=post.id, register=register)


@bp.get(f"/projects/<int:project_id>/registers/{REGISTER}/export.csv")
@bp.get(f"/projects/<int:project_id>/registers/{REGISTER}/export.xlsx", endpoint="export_xlsx")
@project_required(*SUPERVISORS)
def export(project, register: str):
    """A month of one register, every post of the project, as CSV or XLSX (`?month=YYYY-MM`)."""
    year, month = month_arg(local(utcnow()).date())
    rows = exports.month_rows(get_session(), register=register, project_id=project.id, year=year, month=month,
                              tz=zone())
    name = f"register-{register}-{project.id}-{year}-{month:02d}"
    if request.endpoint == "registers.export_xlsx":
        return xlsx_response([Sheet.of(str(services.LABELS[register]), rows)], f"{name}.xlsx")
    return csv_response(rows, f"{name}.csv")

