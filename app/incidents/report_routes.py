"""The incident report (特殊事件报告) as an A4 PDF, and the month's incident figure by type and project (page, CSV)."""
from flask import abort, current_app, render_template
from flask_login import current_user

from app.accounts.services import projects_with_role
from app.core.db import get_session, local, utcnow
from app.core.permissions import logged_in, visible_projects_stmt
from app.core.views import month_arg
from app.incidents import bp, figures, services
from app.incidents.models import KINDS
from app.incidents.routes import _load, incident_context
from app.repairs.figures import month_bounds, months_back
from app.reports.csv_export import csv_response
from app.reports.pdf import data_uri, pdf_response, render_pdf


@bp.get("/incidents/<int:incident_id>/report.pdf")
@logged_in
def incident_pdf(incident_id: int):
    """The incident report as an A4 PDF: the record, its photos, every follow-up, and a line for signatures."""
    incident, project, _roles = _load(incident_id)
    context = incident_context(incident, project)
    return pdf_response(render_pdf("reports/incident.html", photo_src=data_uri, **context),
                        f"incident-{incident.number}.pdf")


def _supervised():
    """The projects whose figures the user reads: where they supervise; a company admin: all the company's."""
    db = get_session()
    projects = db.exec(visible_projects_stmt(current_user, active_only=True)).all()
    if not current_user.is_admin:
        mine = set(projects_with_role(db, current_user.id, ("supervisor",)))
        projects = [p for p in projects if p.id in mine]
    if not projects:
        abort(403)
    return projects


def figure_context() -> dict:
    tz, today = current_app.config["TIMEZONE"], local(utcnow())
    year, month = month_arg(today.date())
    projects = _supervised()
    start, end = month_bounds(year, month, tz)
    options = months_back(today.year, today.month, count=24)
    if (year, month) not in options:
        options.insert(0, (year, month))
    return {"figure": figures.month_figure(get_session(), [p.id for p in projects], start, end),
            "projects": {p.id: p for p in projects}, "month": f"{year:04d}-{month:02d}", "kinds": KINDS,
            "months": [f"{y:04d}-{m:02d}" for y, m in options], **services.labels()}


@bp.get("/incidents/figures")
@logged_in
def figure():
    """The month's incidents by type and project, for the supervisor of many sites; CSV beside it."""
    return render_template("incidents/figures.html", **figure_context())


@bp.get("/incidents/figures.csv")
@logged_in
def figure_csv():
    """The month's figure for a spreadsheet: a row per project, a column per type, then the totals."""
    c = figure_context()
    return csv_response(figures.csv_rows(c["figure"], {i: p.name for i, p in c["projects"].items()}),
                        f"incidents-{c['month']}.csv")
