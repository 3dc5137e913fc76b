"""The monthly repair figures' page, PDF, CSV and XLSX (the counting is in `figures`), and the tickets' workbook."""
from flask import current_app, render_template, request

from app.core.db import get_session, local, utcnow
from app.core.permissions import project_required, project_roles
from app.core.views import month_arg
from app.projects.models import Project
from app.repairs import bp, exports
from app.repairs.figures import (
    DRAFT_FRESH,
    INTAKE_LABELS,
    amount,
    csv_rows,
    month_bounds,
    month_figures,
    months_back,
    percent,
)
from app.repairs.routes import TICKET_FILTERS
from app.repairs.workflow import SATISFIED
from app.reports.csv_export import csv_response
from app.reports.pdf import pdf_response, render_pdf
from app.reports.xlsx_export import xlsx_response


def _context(project: Project, *, counted: bool = False) -> dict:
    """What the page, the PDF and the CSV show, built once for the requested month; `counted`: the clock's recent
    count of it if there is one (the page), else counted now (what is handed on: the PDF, the CSV, the XLSX)."""
    now = utcnow()
    today = local(now)
    year, month = month_arg(today.date())
    figures = month_figures(get_session(), project_id=project.id, year=year, month=month,
                            tz=current_app.config["TIMEZONE"], counted_since=now - DRAFT_FRESH if counted else None)
    options = months_back(today.year, today.month, count=24)
    if (year, month) not in options:
        options.insert(0, (year, month))
    return {"project": project, "figures": figures, "months": [f"{y:04d}-{m:02d}" for y, m in options],
            "percent": percent, "amount": amount, "intake_labels": INTAKE_LABELS, "satisfied_from": SATISFIED, "generated_at": utcnow()}


@bp.get("/projects/<int:project_id>/repairs/figures")
@project_required("supervisor")
def figures(project: Project):
    """The month's repair figures: headline cards, tickets by category, links to the PDF and the CSV."""
    return render_template("repairs/figures.html", **_context(project, counted=True))


@bp.get("/projects/<int:project_id>/repairs/figures.pdf")
@project_required("supervisor")
def figures_pdf(project: Project):
    """The month's repair figures as an A4 PDF (报修月报)."""
    context = _context(project)
    return pdf_response(render_pdf("reports/repair_month.html", **context),
                        f"repairs-{project.id}-{context['figures'].label}.pdf")


@bp.get("/projects/<int:project_id>/repairs/figures.csv")
@project_required("supervisor")
def figures_csv(project: Project):
    """The month's figures for a spreadsheet: one row per category, then the total."""
    figures = _context(project)["figures"]
    return csv_response(csv_rows(figures), f"repairs-{project.id}-{figures.label}.csv")


@bp.get("/projects/<int:project_id>/repairs/figures.xlsx")
@project_required("supervisor")
def figures_xlsx(project: Project):
    """The month's figures as an Excel workbook: the CSV's table with numbers and percentages as numbers."""
    figures = _context(project)["figures"]
    return xlsx_response([exports.figures_sheet(figures)], f"repairs-{project.id}-{figures.label}.xlsx")


@bp.get("/projects/<int:project_id>/tickets.xlsx")
@project_required("supervisor")
def tickets_xlsx(project: Project):
    """The project's tickets as a workbook, filtered as the list is (`show`, `category`) and by `month` if given."""
    db = get_session()
    bounds = {}
    if request.args.get("month"):
        year, month = month_arg(local(utcnow()).date())
        bounds = dict(zip(("start", "end"), month_bounds(year, month, current_app.config["TIMEZONE"])))
    sheet = exports.ticket_sheet(db, project, reader_roles=project_roles(project),
                                 statuses=TICKET_FILTERS.get(request.args.get("show", "all")),
                                 category=request.args.get("category"), **bounds)
    return xlsx_response([sheet], f"tickets-{project.id}.xlsx")
