"""The front desk: the intake form (also offline, through the outbox), the call log, and the desk's home card."""
import uuid

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.complaints.models import CATEGORIES as COMPLAINT_CATEGORIES  # what kind of complaint an intake is
from app.core import home
from app.core.db import get_session, local, utcnow, zone
from app.core.permissions import load_or_404, logged_in, project_required
from app.core.photos import photos_by_owner
from app.core.storage import storage
from app.core.views import back_to, day_arg, render
from app.frontdesk import bp, records, rules, services  # noqa: F401  (records registers the sync kind)
from app.frontdesk.models import CATEGORIES, CHANNELS, Intake
from app.repairs import services as repairs
from app.sync.services import RecordRefused, accept

FIELDS = ("channel", "category", "unit_id", "unit", "occupant_id", "caller_name", "caller_phone", "description",
          "answer", "urgent", "appointment", "follow_up", "ticket_category", "complaint_category")


@home.register
def _home_tasks(session, user, projects, roles):
    desk = home.holding(roles, {"frontdesk"})
    counts = services.day_counts_by_project(session, desk, local(utcnow()).date(), tz=zone())
    late = repairs.caller_news_counts(session, desk)
    tasks = {}
    for i in desk:
        tasks[i] = [home.Task(title=_("来电来访登记"), url=url_for("frontdesk.intake_form", project_id=i)),
                    home.Task(title=_("今日来电来访"), url=url_for("frontdesk.calls", project_id=i),
                              detail=_("来电 %(phone)d · 来访 %(visit)d · 微信 %(wechat)d · 转来 %(referral)d", **counts[i])),
                    home.Task(title=_("房屋档案"), url=url_for("frontdesk.unit_list", project_id=i))]
        if i in late:
            n, first = late[i]
            tasks[i].append(home.Task(title=_("待回复报修人"), url=url_for("repairs.ticket", ticket_id=first),
                                      detail=_("%(n)d 张工单退回或无法及时赶到", n=n), urgent=True))
    return tasks


def _labels() -> dict:
    return {"channel_labels": {k: str(v) for k, v in services.CHANNEL_LABELS.items()},
            "category_labels": {k: str(v) for k, v in services.CATEGORY_LABELS.items()}}


def _form_page(project, status: int = 200, **extra):
    db = get_session()
    return render_template("frontdesk/intake.html", project=project, phone_rules=rules.phone_rules(),
                           ticket_categories=repairs.settings_for(db, project.id).categories,
                           complaint_categories=COMPLAINT_CATEGORIES,
                           now=local(utcnow()).strftime("%Y-%m-%dT%H:%M"), **_labels(), **extra), status


@bp.get("/projects/<int:project_id>/frontdesk/intake")
@project_required(*services.INTAKE_ROLES)
def intake_form(project):
    """The intake form for a call, a visit, a WeChat message or a referral; offline it queues in the outbox."""
    return _form_page(project, form={"channel": request.args.get("channel", "phone")})


@bp.post("/projects/<int:project_id>/frontdesk/intake")
@project_required(*services.INTAKE_ROLES)
def intake(project):
    """The same intake without JavaScript: one multipart post, idempotent by its client_id."""
    client_id = request.form.get("client_id", "")
    try:
        uuid.UUID(client_id)
    except ValueError:
        client_id = str(uuid.uuid4())
    envelope = {"kind": "frontdesk_intake", "project_id": project.id, "client_time": utcnow().isoformat(),
                "data": {key: request.form.get(key, "") for key in FIELDS}}
    files = [(f.filename, f.read()) for f in request.files.getlist("photos") if f.filename]
    try:
        answer, _replayed = accept(get_session(), storage(), user=current_user, client_id=client_id,
                                   envelope=envelope, files=files, photo_max_bytes=current_app.config["PHOTO_MAX_BYTES"])
    except RecordRefused as exc:
        return _form_page(project, exc.status, error=exc.message, fields=exc.fields, form=request.form)
    flash(_("已登记。") if "ticket_id" not in answer else _("已登记并生成报修工单。"), "success")
    return redirect(answer["url"])


@bp.get("/projects/<int:project_id>/frontdesk/calls")
@project_required(*services.INTAKE_ROLES)
def calls(project):
    """The call log (值班接待记录): one day's intakes with its counts per channel, filtered by channel and category."""
    db = get_session()
    day = day_arg(local(utcnow()).date())
    channel, category = request.args.get("channel", ""), request.args.get("category", "")
    rows = db.exec(services.log_stmt(project.id, day, tz=zone(), channel=channel, category=category)).all()
    return render("frontdesk/calls.html", "frontdesk/_calls.html", project=project, day=day, intakes=rows,
                  channel=channel, category=category, channels=CHANNELS, categories=CATEGORIES,
                  counts=services.day_counts(db, project.id, day, tz=zone()),
                  photos=photos_by_owner(db, "intake", [i.id for i in rows]), **_labels())


@bp.post("/intakes/<int:intake_id>/answer")
@logged_in
def answer(intake_id: int):
    """Answer an open enquiry and close it."""
    intake = load_or_404(Intake, intake_id, *services.INTAKE_ROLES)
    db = get_session()
    try:
        services.answer(db, actor=current_user, intake=intake, text=request.form.get("answer", ""), now=utcnow())
    except services.IntakeError as exc:
        db.rollback()
        flash(exc.message, "error")
    else:
        db.commit()
        flash(_("已答复。"), "success")
    return back_to("frontdesk.calls", project_id=intake.project_id, day=local(intake.received_at).date().isoformat())

