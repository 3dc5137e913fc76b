"""Import pages: the list of importers, upload → preview row by row → apply all or nothing; templates and the
round-trip exports. The uploaded file waits in the storage between preview and apply (signed token, one hour;
the hourly media sweep removes what is never applied)."""
import uuid

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.checklists.services import score_sheet_templates
from app.core.db import get_session
from app.core.permissions import has_role, project_required
from app.core.refusal import Refusal
from app.core.storage import StorageError, storage
from app.handovers.inventory import rooms_of
from app.imports import bp, services, workbooks
from app.imports.base import KINDS
from app.imports.kinds import ORDER
from app.imports.reading import MAX_BYTES, ImportRefused

ROLES = ("supervisor", "frontdesk")  # the kinds narrow it further; organisation-wide ones are admin-only
TOKEN_AGE = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may(project, kind) -> bool:
    return has_role(get_session(), current_user, project, kind.roles) if kind.roles else current_user.is_admin


def _kind(project, name: str):
    """The importer, if this user may run it in this project (else 404 / 403)."""
    kind = KINDS.get(name) or abort(404)
    return kind if _may(project, kind) else abort(403)


def _signer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="imports")


def _options() -> dict:
    return {k: request.values.get(k, "").strip()[:120] for k in ("room_id", "name", "key", "template_id")}


def _page(project, kind, status=200, **extra):
    db = get_session()
    choices = {"rooms": rooms_of(db, project) if kind.name == "inventory" else [],
               "sheets": score_sheet_templates(db, project.organisation_id) if kind.name == "scoresheet" else []}
    return render_template("imports/upload.html", project=project, kind=kind, options=_options(), **choices,
                           **extra), status


@bp.get("/projects/<int:project_id>/imports")
@project_required(*ROLES)
def index(project):
    """The importers this user may run here, with their templates."""
    kinds = [KINDS[name] for name in ORDER if _may(project, KINDS[name])]
    return render_template("imports/index.html", project=project, kinds=kinds)


@bp.get("/projects/<int:project_id>/imports/<kind_name>")
@project_required(*ROLES)
def upload(project, kind_name: str):
    """The upload form of one importer."""
    return _page(project, _kind(project, kind_name))


@bp.post("/projects/<int:project_id>/imports/<kind_name>")
@project_required(*ROLES)
def preview(project, kind_name: str):
    """Read the file and show what each row would do; keep the file for the apply step."""
    kind, upload = _kind(project, kind_name), request.files.get("file")
    if (request.content_length or 0) > MAX_BYTES + 100_000 or upload is None or not upload.filename:
        return _page(project, kind, 413 if upload else 422, error=_("请选择不超过 %(n)d MB 的文件。", n=MAX_BYTES // 10**6))
    raw, options = upload.read(MAX_BYTES + 1), _options()
    try:
        plan = services.preview(get_session(), kind=kind, actor=current_user, project=project, raw=raw,
                                filename=upload.filename, options=options)
    except Refusal as exc:
        return _page(project, kind, exc.status, error=exc.message)
    if plan.refused:  # nothing to apply: the file is not kept
        return _page(project, kind, 422, plan=plan, filename=upload.filename)
    key = f"imports/{project.id}/{uuid.uuid4().hex}"
    storage().save(key, raw, XLSX)
    token = _signer().dumps({"k": key, "n": kind.name, "p": project.id, "u": current_user.id,
                             "f": upload.filename[:120], "o": options})
    return _page(project, kind, plan=plan, token=token, filename=upload.filename)


@bp.post("/projects/<int:project_id>/imports/<kind_name>/apply")
@project_required(*ROLES)
def apply(project, kind_name: str):
    """Apply the previewed file whole, in one transaction, or nothing of it."""
    kind = _kind(project, kind_name)
    try:
        held = _signer().loads(request.form.get("token", ""), max_age=TOKEN_AGE)
        if (held["n"], held["p"], held["u"]) != (kind.name, project.id, current_user.id):
            raise BadSignature("another import")
        with storage().open(held["k"]) as fh:
            raw = fh.read()
    except (BadSignature, StorageError, KeyError):
        return _page(project, kind, 409, error=_("预览已过期或文件已导入,请重新选择文件。"))
    try:
        plan, outcome = services.apply(get_session(), kind=kind, actor=current_user, project=project, raw=raw,
                                       filename=held["f"], options=held["o"])
    except Refusal as exc:
        return _page(project, kind, exc.status, error=exc.message)
    storage().delete(held["k"])
    return render_template("imports/done.html", project=project, kind=kind, plan=plan, outcome=outcome)


@bp.get("/projects/<int:project_id>/imports/<kind_name>/template.xlsx")
@project_required(*ROLES)
def template(project, kind_name: str):
    """The empty workbook to fill: header, an example row, and a notes sheet explaining each column."""
    kind = _kind(project, kind_name)
    return _xlsx(workbooks.workbook(kind), f"template-{kind.name}.xlsx")


@bp.get("/projects/<int:project_id>/imports/<kind_name>/export.xlsx")
@project_required(*ROLES)
def export(project, kind_name: str):
    """This project's records in the import's own layout, to import into another project."""
    kind = _kind(project, kind_name)
    if not kind.exports:
        abort(404)
    try:
        rows, title = kind.export_rows(get_session(), project=project, options=_options())
    except ImportRefused as exc:
        return _page(project, kind, exc.status, error=exc.message)
    return _xlsx(workbooks.workbook(kind, rows, title), f"{kind.name}-{project.id}.xlsx")


def _xlsx(body: bytes, filename: str) -> Response:
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
