"""Sample rooms: the inventory (supervisors edit it in place), handovers and opening/closing checks on the phone."""
from datetime import datetime, timedelta

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.services import users_by_id
from app.checklists.services import get_version
from app.core import attention, home, today
from app.core.db import get_session, local, utcnow, zone
from app.core.permissions import has_role, load_or_404, logged_in, project_required
from app.core.photos import PhotoError, photos_of, process
from app.core.storage import storage
from app.core.views import back_to, is_htmx, month_arg, render
from app.handovers import board, bp, checks, exports, inventory, jobs, services
from app.handovers.inventory import HandoverError
from app.handovers.models import (
    CATEGORIES,
    CHECK_KINDS,
    CHECK_LABELS,
    CHECK_PHOTO,
    KEYS_SIGN,
    LINE_STATUSES,
    STATUS_LABELS,
    Handover,
    InventoryVersion,
    Room,
    RoomCheck,
)
from app.handovers.records import CLOSERS, COUNTERS
from app.handovers.rules import phone_rules
from app.handovers.workflow import STATE_LABELS, StateError
from app.projects.models import Project
from app.projects.services import get_project
from app.repairs.figures import month_bounds
from app.reports.csv_export import csv_response
from app.reports.pdf import data_uri, pdf_response, render_pdf
from app.reports.xlsx_export import Sheet, xlsx_response

EDITORS = ("supervisor",)  # plus company admins, who pass every role check
READERS = ("supervisor", "attendant")


def _local(moment: datetime | None) -> datetime | None:
    return local(moment) if moment else None


def _labels() -> dict:
    return {"status_labels": {k: str(v) for k, v in STATUS_LABELS.items()},
            "state_labels": {k: str(v) for k, v in STATE_LABELS.items()},
            "check_labels": {k: str(v) for k, v in CHECK_LABELS.items()}}


@home.register
def _home_tasks(session, user, projects, roles):
    counts = board.discrepant_rooms(session, home.holding(roles, {"attendant", "supervisor", "admin"}))
    return {i: [home.Task(title=_("样板间交接 / 开场收场"), url=url_for("handovers.rooms", project_id=i),
                          detail=ngettext("%(n)d 个样板间有缺失或损坏", "%(n)d 个样板间有缺失或损坏", n, n=n) if n else "",
                          urgent=bool(n) and bool(roles[i] & {"supervisor", "admin"}))]
            for i, n in counts.items()}


@attention.register
def _discrepancies(session, project_ids, now):
    """Rooms whose last handover found items missing, damaged or moved: gone once a handover finds them all."""
    rows = board.discrepant_handovers(session, project_ids, listed=attention.FOLD)
    people = users_by_id(session, {h.incoming_id for _r, h, _l in rows if h.incoming_id})

    def one(row):
        room, h, lines = row
        return attention.Item(
            key=f"handovers.discrepancy:{room.id}", project_id=room.project_id, since=h.counted_at, place=room.name,
            title=ngettext("交接差异 %(num)d 项", "交接差异 %(num)d 项", h.discrepancies),
            detail="、".join(f"{line.name} {STATUS_LABELS[line.status]}" for line in lines[:4]),
            holder=people[h.incoming_id].display_name if h.incoming_id in people else "",
            url=url_for("handovers.handover", handover_id=h.id), level=f"{h.id}:{h.discrepancies}",
            urgency=attention.HIGH if any(line.status == "missing" for line in lines) else attention.NORMAL)

    def many(project_id, group):
        return attention.Item(
            key=f"handovers.discrepancy:project:{project_id}", project_id=project_id, urgency=attention.HIGH,
            title=ngettext("%(n)d 个样板间有缺失或损坏", "%(n)d 个样板间有缺失或损坏", len(group), n=len(group)),
            detail="、".join(room.name for room, _h, _l in group[:4]) + ("…" if len(group) > 4 else ""),
            since=min(h.counted_at for _r, h, _l in group), level=":".join(str(h.id) for _r, h, _l in group)[-40:],
            url=url_for("handovers.rooms", project_id=project_id))

    return attention.fold(rows, project_of=lambda row: row[0].project_id, one=one, many=many,
                          limit=attention.fold_at(project_ids))


@attention.register
def _unchecked(session, project_ids, now):
    """Today's opening or closing check of a room not done by its time (the first shift's start, the last's end)."""
    def one(row):
        room, kind, due = row
        return attention.Item(
            key=f"handovers.unchecked:{room.id}:{kind}:{local(due).date().isoformat()}", project_id=room.project_id,
            since=due, place=room.name, url=url_for("handovers.room", room_id=room.id),
            title=_("%(room)s 到 %(time)s 仍未开场检查", room=room.name, time=f"{local(due):%H:%M}") if kind == "opening"
            else _("%(room)s 到 %(time)s 仍未收场检查", room=room.name, time=f"{local(due):%H:%M}"))

    def many(project_id, group):
        return attention.Item(
            key=f"handovers.unchecked:project:{project_id}:{local(now).date().isoformat()}", project_id=project_id,
            title=ngettext("%(num)d 项开场 / 收场检查未按时完成", "%(num)d 项开场 / 收场检查未按时完成", len(group)),
            detail="、".join(room.name for room, _k, _d in group[:4]) + ("…" if len(group) > 4 else ""),
            since=min(due for _r, _k, due in group), level=str(len(group)),
            url=url_for("handovers.rooms", project_id=project_id))

    return attention.fold(jobs.unchecked_rooms(session, project_ids, now, zone().key),
                          project_of=lambda row: row[0].project_id, one=one, many=many,
                          limit=attention.fold_at(project_ids))


@today.register(today.Column("handovers", _l("交接"), 40, _l("今日完成的样板间交接")))
def _today_figures(session, project_ids, now):
    start = datetime.combine(local(now).date(), datetime.min.time(), tzinfo=zone())
    done = board.counted_between(session, project_ids, start, start + timedelta(days=1))
    return {i: {"handovers": today.Cell(str(n), sort=n)} for i, n in done.items()}


# -- rooms and the inventory ------------------------------------------------------------------

def _can_edit(project: Project) -> bool:
    return has_role(get_session(), current_user, project, EDITORS)


def _can_count(project: Project) -> bool:
    return has_role(get_session(), current_user, project, COUNTERS)


def _rooms_page(project: Project, status: int = 200, **extra):
    db = get_session()
    context = {**_labels(), **board.rooms_status(db, project=project), **extra}
    return render("handovers/rooms.html", status=status, can_edit=_can_edit(project),
                  can_count=_can_count(project), areas=inventory.free_areas(db, project), **context)


@bp.get("/projects/<int:project_id>/rooms")
@project_required(*READERS)
def rooms(project: Project):
    """The sample rooms of a project: their last handover, and where to count, open or close each."""
    return _rooms_page(project)


@bp.post("/projects/<int:project_id>/rooms")
@project_required(*EDITORS)
def create_room(project: Project):
    """Make one of the project's areas a sample room (supervisors)."""
    try:
        room = inventory.create_room(get_session(), actor=current_user, project=project,
                                     area_id=request.form.get("area_id"))
    except HandoverError as exc:
        get_session().rollback()
        return _rooms_page(project, 422, error=exc.message)
    return back_to("handovers.room", room_id=room.id)


def _room_page(room: Room, status: int = 200, **extra):
    db = get_session()
    version = inventory.version_of(db, room)
    project = get_project(db, room.project_id)
    return render("handovers/room.html", "handovers/_inventory.html", status=status, room=room, project=project,
                  version=version, items=list(version.items) if version else [], categories=CATEGORIES,
                  can_edit=_can_edit(project), can_count=_can_count(project), **board.history(db, room),
                  **_labels(), **extra)


@bp.get("/rooms/<int:room_id>")
@logged_in
def room(room_id: int):
    """A room: its inventory (edited in place by supervisors) and its history of handovers and checks."""
    return _room_page(load_or_404(Room, room_id, *READERS))


def _photo_upload(project: Project):
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    return process(upload.read(), max_bytes=current_app.config["PHOTO_MAX_BYTES"],
                   keep_location=project.keep_photo_location)


def _save_item(room: Room, key: str | None):
    db = get_session()
    form = request.form
    try:
        inventory.save_item(db, storage=storage(), actor=current_user, room=room, key=key, name=form.get("name", ""),
                            category=form.get("category", ""), quantity=form.get("quantity", ""),
                            location=form.get("location", ""), photo=_photo_upload(get_project(db, room.project_id)))
    except (HandoverError, PhotoError) as exc:
        db.rollback()
        return _room_page(room, 422, error=str(exc), form=form, editing=key)
    return None


@bp.post("/rooms/<int:room_id>/items")
@logged_in
def add_item(room_id: int):
    """Add an item to the inventory: a new version is published."""
    room = load_or_404(Room, room_id, *EDITORS)
    return _save_item(room, None) or _after_edit(room)


@bp.get("/rooms/<int:room_id>/items/<item_key>")
@logged_in
def item(room_id: int, item_key: str):
    """One inventory row (the edit form's cancel)."""
    room = load_or_404(Room, room_id, *READERS)
    return _item_fragment(room, item_key, "handovers/_item.html")


@bp.get("/rooms/<int:room_id>/items/<item_key>/edit")
@logged_in
def edit_item(room_id: int, item_key: str):
    """One inventory row as a form (supervisors)."""
    room = load_or_404(Room, room_id, *EDITORS)
    return _item_fragment(room, item_key, "handovers/_item_form.html")


def _item_fragment(room: Room, key: str, template: str):
    found = next((i for i in inventory.items_of(get_session(), room) if i["key"] == key), None)
    if found is None:
        abort(404)
    return render(template, room=room, item=found, categories=CATEGORIES,
                  can_edit=_can_edit(get_project(get_session(), room.project_id)))


@bp.post("/rooms/<int:room_id>/items/<item_key>")
@logged_in
def update_item(room_id: int, item_key: str):
    """Change an item (name, category, quantity, place, reference photo): a new version is published."""
    room = load_or_404(Room, room_id, *EDITORS)
    return _save_item(room, item_key) or _after_edit(room)


@bp.post("/rooms/<int:room_id>/items/<item_key>/delete")
@logged_in
def delete_item(room_id: int, item_key: str):
    """Take an item off the inventory: a new version is published."""
    room = load_or_404(Room, room_id, *EDITORS)
    try:
        inventory.remove_item(get_session(), actor=current_user, room=room, key=item_key)
    except HandoverError as exc:
        return _room_page(room, 404, error=exc.message)
    return _after_edit(room)


def _after_edit(room: Room):
    """An htmx edit gets the inventory back (its version number changed); a plain post is redirected."""
    return _room_page(room) if is_htmx() else back_to("handovers.room", room_id=room.id)


# -- the handover and the checks on the phone ---------------------------------------------------

@bp.get("/rooms/<int:room_id>/handover")
@logged_in
def handover_form(room_id: int):
    """The handover walk: count every item, photograph what is missing or damaged, both sign. Works offline."""
    room = load_or_404(Room, room_id, *COUNTERS)
    db = get_session()
    project = get_project(db, room.project_id)
    version = inventory.version_of(db, room)
    others = [u for u in services.attendants_of(db, project) if u.id != current_user.id]
    items = version.items if version else []
    return render("handovers/handover_form.html", room=room, project=project, version=version, items=items,
                  groups=inventory.by_category(items), last=services.last_counts(db, room), attendants=others,
                  statuses=LINE_STATUSES, rules=phone_rules(items), **_labels())


@bp.get("/rooms/<int:room_id>/checks/<kind>")
@logged_in
def check_form(room_id: int, kind: str):
    """The opening or closing check of a room; closing ends with the keys handed to the night guard. Offline too."""
    room = load_or_404(Room, room_id, *CLOSERS)
    if kind not in CHECK_KINDS:
        abort(404)
    db = get_session()
    project = get_project(db, room.project_id)
    return render("handovers/check_form.html", room=room, project=project, kind=kind,
                  version=checks.check_template(db, project, kind), guards=checks.guards_of(db, project),
                  key_needs=checks.key_needs(), **_labels())


@bp.get("/checks/<int:check_id>")
@logged_in
def check(check_id: int):
    """One opening or closing check as recorded."""
    record = load_or_404(RoomCheck, check_id, *READERS)
    db = get_session()
    return render("handovers/check.html", check=record, room=db.get(Room, record.room_id),
                  project=get_project(db, record.project_id), version=get_version(db, record.version_id)
                  if record.version_id else None, people=users_by_id(db, [record.done_by, record.key_guard_id]),
                  keys_signature=next(iter(photos_of(db, KEYS_SIGN, record.id)), None),
                  photos=photos_of(db, CHECK_PHOTO, record.id), **_labels())


# -- a handover's record, its amendments, its PDF -----------------------------------------------

def _handover_context(handover: Handover, pdf: bool = False) -> dict:
    db = get_session()
    lines = services.lines_of(db, handover)
    amendments = services.amendments_of(db, handover)
    people = users_by_id(db, [handover.outgoing_id, handover.incoming_id] + [a.actor_id for a in amendments])
    photo_src = data_uri if pdf else (lambda photo: url_for("core.photo_thumb", photo_id=photo.id))
    version = db.get(InventoryVersion, handover.version_id)
    return {"handover": handover, "room": db.get(Room, handover.room_id), "project": get_project(db, handover.project_id),
            "lines": lines, "photos": services.line_photos(db, lines), "signatures": services.signatures_of(db, handover),
            "amendments": amendments, "people": people, "photo_src": photo_src, "version": version,
            "now": utcnow(), "statuses": LINE_STATUSES, **_labels()}


def _may_amend(handover: Handover) -> bool:
    project = get_project(get_session(), handover.project_id)
    return has_role(get_session(), current_user, project, EDITORS) or current_user.id in (
        handover.outgoing_id, handover.incoming_id)


def _handover_page(record: Handover, status: int = 200, **extra):
    return render("handovers/handover.html", status=status, may_amend=_may_amend(record),
                  **_handover_context(record), **extra)


@bp.get("/handovers/<int:handover_id>")
@logged_in
def handover(handover_id: int):
    """A handover as signed: every line, the discrepancies with photos, both signatures, the amendments."""
    return _handover_page(load_or_404(Handover, handover_id, *READERS))


@bp.post("/handovers/<int:handover_id>/amend")
@logged_in
def amend(handover_id: int):
    """Correct a locked handover with a reason: an audited amendment (supervisors and the two attendants)."""
    record = load_or_404(Handover, handover_id, *READERS)
    if not _may_amend(record):
        abort(403)
    form, db = request.form, get_session()
    key, note = form.get("line_key", ""), form.get("note", "").strip()
    # The note box starts empty: left so, the line keeps the note written at the count.
    count = {"status": form.get("status"), "found": form.get("found")} | ({"note": note} if note else {})
    try:
        photos = [p for p in [_photo_upload(get_project(db, record.project_id))] if p]
        services.amend(db, storage=storage(), actor=current_user, handover=record, reason=form.get("reason", ""),
                       now=utcnow(), counts={key: count}, photos={key: photos})
    except (HandoverError, StateError, PhotoError) as exc:
        db.rollback()
        db.refresh(record)
        return _handover_page(record, 422, error=str(exc), form=form)
    flash(_("更正已保存。"), "success")
    return back_to("handovers.handover", handover_id=record.id)


@bp.get("/handovers/<int:handover_id>/record.pdf")
@logged_in
def handover_pdf(handover_id: int):
    """The handover record as an A4 PDF: items, discrepancies with photos, both signatures, names, times."""
    record = load_or_404(Handover, handover_id, *READERS)
    pdf = render_pdf("reports/handovers_record.html", **_handover_context(record, pdf=True))
    return pdf_response(pdf, f"handover-{record.id}.pdf")


@bp.get("/projects/<int:project_id>/handovers/discrepancies.csv")
@project_required(*EDITORS)
def discrepancies_csv(project: Project):
    """Every missing, damaged or moved item found at a handover, for a spreadsheet."""
    return csv_response(exports.discrepancy_table(get_session(), project), f"discrepancies-{project.id}.csv")


@bp.get("/projects/<int:project_id>/handovers/discrepancies.xlsx")
@project_required(*EDITORS)
def discrepancies_xlsx(project: Project):
    """The discrepancies of the CSV as an Excel workbook, counts as numbers and times as date-times."""
    table = exports.discrepancy_table(get_session(), project)
    return xlsx_response([Sheet.of(_("交接差异"), table)], f"discrepancies-{project.id}.xlsx")


@bp.get("/projects/<int:project_id>/handovers/month.xlsx")
@project_required(*EDITORS)
def handovers_xlsx(project: Project):
    """A month's locked handovers (`?month=`, this month by default), one sheet of records, one line by line."""
    year, month = month_arg(local(utcnow()).date())
    since, until = month_bounds(year, month, current_app.config["TIMEZONE"])
    return xlsx_response(exports.month_sheets(get_session(), project, since, until),
                         f"handovers-{project.id}-{year:04d}-{month:02d}.xlsx")
